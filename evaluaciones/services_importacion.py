"""Writes of the question-bank import: storing the questions a person confirmed.

The parsers in `evaluaciones.importers` (GIFT, Moodle XML, Aiken) read a file into
`PreguntaImportada` without touching the database; after the preview,
`importar_preguntas` stores them, with the category tree the file names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from evaluaciones.importers import PreguntaImportada
from evaluaciones.models import CategoriaPregunta, OpcionPregunta, Pregunta


def _categoria_de_ruta(
    ruta: Sequence[str],
    curso_id: int | None,
    cache: dict[tuple[str, ...], CategoriaPregunta],
) -> CategoriaPregunta:
    """The category at `ruta` (not empty) under a course's top level, missing levels created."""
    primera = tuple(ruta[:1])
    if primera not in cache:
        cache[primera] = CategoriaPregunta.objects.get_or_create(
            nombre=ruta[0][:150], padre=None, curso_id=curso_id
        )[0]
    actual = cache[primera]
    for nivel in range(2, len(ruta) + 1):
        clave = tuple(ruta[:nivel])
        if clave not in cache:
            # Names are unique among siblings; a child is in its parent's course.
            cache[clave] = CategoriaPregunta.objects.get_or_create(
                nombre=ruta[nivel - 1][:150], padre=actual, defaults={"curso_id": actual.curso_id}
            )[0]
        actual = cache[clave]
    return actual


@transaction.atomic
def importar_preguntas(
    *,
    preguntas: Sequence[PreguntaImportada],
    categoria: CategoriaPregunta,
    importada_por: Any,
) -> list[Pregunta]:
    """Store parsed questions in the bank, each with a first revision; all or nothing.

    A question naming its own category path (GIFT `$CATEGORY`, Moodle XML category
    questions: `$course$/A/B`) goes to that branch of the category tree, created where
    missing, always under the course of `categoria`: two courses' "Fase teórica" stay
    apart, and a file never reaches another course's bank.
    """
    categorias: dict[tuple[str, ...], CategoriaPregunta] = {}
    creadas = []
    for importada in preguntas:
        destino = categoria
        if importada.categoria:
            destino = _categoria_de_ruta(importada.categoria, categoria.curso_id, categorias)
            if importada.descripcion_categoria and not destino.descripcion:
                # As Moodle does, a file's description fills a category that has none.
                destino.descripcion = importada.descripcion_categoria
                destino.save(update_fields=["descripcion"])
        pregunta = Pregunta(
            titulo=importada.titulo[:255],
            tipo=importada.tipo,
            categoria=destino,
            enunciado=importada.enunciado,
            retroalimentacion=importada.retroalimentacion,
            es_verdadera=importada.es_verdadera,
            puntos=importada.puntos,
            retroalimentacion_verdadero=importada.retroalimentacion_verdadero,
            retroalimentacion_falso=importada.retroalimentacion_falso,
            distinguir_mayusculas=importada.distinguir_mayusculas,
            ignorar_acentos=importada.ignorar_acentos,
            notas_para_calificar=importada.notas_para_calificar,
            plantilla_respuesta=importada.plantilla_respuesta,
        )
        if importada.extensiones:
            pregunta.extensiones_permitidas = importada.extensiones[:200]
        if importada.tamano_maximo_mb is not None:
            pregunta.tamano_maximo_mb = importada.tamano_maximo_mb
        pregunta.opciones = [
            OpcionPregunta(
                texto=o.texto,
                correcta=o.correcta,
                fraccion=o.fraccion,
                pareja=o.pareja,
                retroalimentacion=o.retroalimentacion,
                tolerancia=o.tolerancia,
                sort_order=i,
            )
            for i, o in enumerate(importada.opciones)
        ]
        if importada.etiquetas:
            pregunta.etiquetas.set(list(importada.etiquetas))
        pregunta.save()
        pregunta.save_revision(user=importada_por, log_action=True)
        creadas.append(pregunta)
    return creadas
