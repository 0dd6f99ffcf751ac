"""Migration 0009/0010 keeps every question's meaning: numeric answers become rows,
old short answers keep folding accents, thirds stored with two decimals become exact."""

from decimal import Decimal

import pytest

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

ANTES = [("evaluaciones", "0008_mover_entregables_a_almacen_privado")]
DESPUES = [("evaluaciones", "0010_quitar_numerica_y_restricciones")]


def _migrar(destino):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(destino)
    return executor.loader.project_state(destino).apps


@pytest.mark.django_db(transaction=True)
def test_migracion_conserva_el_sentido_de_las_preguntas():
    try:
        apps = _migrar(ANTES)
        Categoria = apps.get_model("evaluaciones", "CategoriaPregunta")
        Pregunta = apps.get_model("evaluaciones", "Pregunta")
        Opcion = apps.get_model("evaluaciones", "OpcionPregunta")
        categoria = Categoria.objects.create(nombre="Banco")
        comun = {"categoria": categoria, "enunciado": "<p>?</p>"}
        numerica = Pregunta.objects.create(
            titulo="N",
            tipo="numerica",
            respuesta_numerica=Decimal("25.5"),
            tolerancia=Decimal("0.5"),
            **comun,
        )
        corta = Pregunta.objects.create(titulo="C", tipo="respuesta_corta", **comun)
        multiple = Pregunta.objects.create(titulo="M", tipo="opcion_multiple", **comun)
        for i, fraccion in enumerate(["33.33", "33.33", "33.34", "-50.00", "35.00"]):
            Opcion.objects.create(pregunta=multiple, texto=str(i), fraccion=fraccion, sort_order=i)

        apps = _migrar(DESPUES)
        Pregunta = apps.get_model("evaluaciones", "Pregunta")
        Opcion = apps.get_model("evaluaciones", "OpcionPregunta")
        filas = list(Opcion.objects.filter(pregunta_id=numerica.pk))
        assert [(o.texto, o.tolerancia, o.correcta) for o in filas] == [
            ("25.5", Decimal("0.500000"), True)
        ]
        assert Pregunta.objects.get(pk=corta.pk).ignorar_acentos is True
        fracciones = list(
            Opcion.objects.filter(pregunta_id=multiple.pk)
            .order_by("sort_order")
            .values_list("fraccion", flat=True)
        )
        assert fracciones == [
            Decimal("33.33333"),
            Decimal("33.33333"),
            Decimal("33.34000"),  # not a third: kept as written
            Decimal("-50.00000"),
            Decimal("35.00000"),
        ]
    finally:
        _migrar(MigrationExecutor(connection).loader.graph.leaf_nodes())
