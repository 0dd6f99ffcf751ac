"""Stored progress (Inscripcion columns and AvanceFase rows) never drifts from the facts."""

import datetime
from decimal import Decimal

import pytest

from django.core.management import call_command
from django.utils import timezone

from cursos import services
from cursos.models import AvanceFase, FasePage, Inscripcion, SesionEnVivo
from cursos.selectors import estado_derivado as estado_de
from cursos.tasks import recalcular_pendientes_task
from evaluaciones import selectors as evaluaciones_selectors
from evaluaciones.models import Intento
from evaluaciones.signals import resultado_evaluacion_cambiado
from tests.factories import EvaluacionFactory, LeccionPageFactory, UsuarioFactory

pytestmark = pytest.mark.django_db


def _guardado(inscripcion):
    fila = Inscripcion.objects.select_related("edicion", "edicion__curso").get(pk=inscripcion.pk)
    fases = list(AvanceFase.objects.filter(inscripcion=fila).order_by("orden"))
    return fila, fases


def assert_sin_deriva(inscripcion, evaluacion=None):
    """What is stored equals what the facts say now."""
    fila, fases = _guardado(inscripcion)
    estado = estado_de(fila)
    assert fila.completada_en == (estado.fecha if estado.completo else None)
    assert fila.avance == estado.porcentaje
    assert fila.fases_total == len(estado.fases)
    seguidas = 0
    for fase in estado.fases:
        if not fase.completa:
            break
        seguidas += 1
    assert fila.fases_completadas == seguidas
    assert fila.fase_actual_id == next((f.fase_id for f in estado.fases if not f.completa), None)
    assert [
        (
            f.fase_id,
            f.completada_en,
            f.porcentaje,
            f.lecciones,
            f.lecciones_total,
            f.asistencias,
            f.sesiones_requeridas,
        )
        for f in fases
    ] == [
        (
            f.fase_id,
            f.fecha,
            f.porcentaje,
            f.lecciones_completadas,
            f.lecciones_total,
            f.asistencias,
            f.sesiones_requeridas,
        )
        for f in estado.fases
    ]
    # Hours and attendance, counted here from the pages and sessions themselves.
    fase_ids = [f.fase_id for f in estado.fases]
    horas = dict(FasePage.objects.filter(pk__in=fase_ids).values_list("pk", "horas"))
    assert fila.horas_acreditadas == sum(horas[f.fase_id] for f in estado.fases if f.completa)
    sesiones = SesionEnVivo.objects.filter(edicion_id=fila.edicion_id, fase_id__in=fase_ids)
    asistidas = sum(f.asistencias for f in estado.fases)
    total = sesiones.count()
    assert fila.asistencia == (round(100 * asistidas / total) if total else None)
    if evaluacion is not None:
        final = evaluaciones_selectors.calificacion_final(
            evaluacion=evaluacion, usuario_id=fila.usuario_id
        )
        assert fila.calificacion == final
        assert fases[0].calificacion == final
    return fila, fases


@pytest.fixture
def evaluacion(curso):
    evaluacion = EvaluacionFactory(puntaje_aprobatorio=Decimal("70"))
    curso.teorica.evaluacion = evaluacion
    curso.teorica.save_revision().publish()
    return evaluacion


def _calificar(inscripcion, evaluacion, porcentaje, numero=1):
    ahora = timezone.now()
    intento = Intento.objects.create(
        evaluacion=evaluacion,
        usuario=inscripcion.usuario,
        numero=numero,
        iniciado_en=ahora,
        enviado_en=ahora,
        calificado_en=ahora,
        estado=Intento.Estado.CALIFICADO,
        porcentaje=Decimal(porcentaje),
    )
    # As evaluaciones.services does once the grade commits.
    resultado_evaluacion_cambiado.send(
        sender=Intento, usuario_id=inscripcion.usuario_id, evaluacion_id=evaluacion.pk
    )
    return intento


def test_leccion_completada_actualiza_el_avance(curso, inscripcion):
    services.marcar_leccion_completada(inscripcion=inscripcion, leccion=curso.lecciones[0])
    fila, fases = assert_sin_deriva(inscripcion)
    assert fila.avance > 0
    assert fila.fase_actual_id == curso.teorica.pk
    assert fila.avance_calculado_en is not None
    assert [f.orden for f in fases] == [1, 2]
    assert fases[0].lecciones == 1


def test_fases_completas_horas_y_fase_actual(curso, inscripcion, sesion):
    for leccion in curso.lecciones[:2]:
        services.marcar_leccion_completada(inscripcion=inscripcion, leccion=leccion)
    fila, fases = assert_sin_deriva(inscripcion)
    assert fila.fases_completadas == 1
    assert fila.fase_actual_id == curso.practica.pk
    assert fila.horas_acreditadas == curso.teorica.horas
    assert fases[0].completada_en is not None
    assert fila.completada_en is None


def test_asistencia_registrada_y_retirada(curso, inscripcion, sesion):
    services.marcar_leccion_completada(inscripcion=inscripcion, leccion=curso.lecciones[2])
    services.registrar_asistencia(
        sesion=sesion, usuario=inscripcion.usuario, codigo=sesion.codigo_asistencia
    )
    fila, fases = assert_sin_deriva(inscripcion)
    assert fila.asistencia == 100
    assert fases[1].asistencias == 1
    assert fases[1].completada_en is not None

    services.marcar_asistencia(
        sesion=sesion, usuario=inscripcion.usuario, presente=False, registrada_por=None
    )
    fila, fases = assert_sin_deriva(inscripcion)
    assert fila.asistencia == 0
    assert fases[1].completada_en is None


def test_sin_sesiones_la_asistencia_queda_vacia(curso, inscripcion):
    services.marcar_leccion_completada(inscripcion=inscripcion, leccion=curso.lecciones[0])
    fila, _fases = assert_sin_deriva(inscripcion)
    assert fila.asistencia is None


def test_intento_calificado_y_recalificado(curso, inscripcion, evaluacion, sesion):
    for leccion in curso.lecciones:
        services.marcar_leccion_completada(inscripcion=inscripcion, leccion=leccion)
    services.registrar_asistencia(
        sesion=sesion, usuario=inscripcion.usuario, codigo=sesion.codigo_asistencia
    )
    intento = _calificar(inscripcion, evaluacion, "50")
    fila, _fases = assert_sin_deriva(inscripcion, evaluacion)
    assert fila.calificacion == Decimal("50")
    assert fila.completada_en is None
    assert fila.fases_completadas == 0

    # A trainer regrades the attempt: the stored grade and completion follow.
    intento.porcentaje = Decimal("85")
    intento.save(update_fields=["porcentaje"])
    resultado_evaluacion_cambiado.send(
        sender=Intento, usuario_id=inscripcion.usuario_id, evaluacion_id=evaluacion.pk
    )
    fila, _fases = assert_sin_deriva(inscripcion, evaluacion)
    assert fila.calificacion == Decimal("85")
    assert fila.completada_en is not None
    assert fila.fases_completadas == 2
    assert fila.fase_actual_id is None

    intento.porcentaje = Decimal("60")
    intento.save(update_fields=["porcentaje"])
    resultado_evaluacion_cambiado.send(
        sender=Intento, usuario_id=inscripcion.usuario_id, evaluacion_id=evaluacion.pk
    )
    fila, _fases = assert_sin_deriva(inscripcion, evaluacion)
    assert fila.completada_en is None


def test_cambio_de_paginas_recalcula(
    curso, inscripcion, django_capture_on_commit_callbacks, monkeypatch
):
    for leccion in curso.lecciones[:2]:
        services.marcar_leccion_completada(inscripcion=inscripcion, leccion=leccion)
    assert _guardado(inscripcion)[0].fases_completadas == 1
    monkeypatch.setattr(
        recalcular_pendientes_task,
        "delay",
        lambda **kw: recalcular_pendientes_task.apply(kwargs=kw),
    )
    # A new compulsory lesson published in phase 1: phase 1 is no longer complete.
    with django_capture_on_commit_callbacks(execute=True):
        LeccionPageFactory(parent=curso.teorica, title="Lección nueva").save_revision().publish()
    fila, fases = assert_sin_deriva(inscripcion)
    assert fila.fases_completadas == 0
    assert fases[0].lecciones_total == 3


def test_recalcular_avance_repara_datos_existentes(curso, edicion, evaluacion):
    inscripciones = []
    for i in range(3):
        inscripcion = Inscripcion.objects.create(
            edicion=edicion, usuario=UsuarioFactory(), inscrita_en=timezone.now()
        )
        inscripciones.append(inscripcion)
        for leccion in curso.lecciones[: i + 1]:
            inscripcion.lecciones_completadas.create(leccion=leccion)
    _calificar(inscripciones[2], evaluacion, "90")
    # Rows as they were before the stored progress existed (or with a corrupted cache).
    Inscripcion.objects.update(
        avance=0, fases_completadas=0, fases_total=0, calificacion=None, avance_calculado_en=None
    )
    AvanceFase.objects.all().delete()
    call_command("recalcular_avance", "--pendientes", verbosity=0)
    for inscripcion in inscripciones:
        assert_sin_deriva(inscripcion, evaluacion)
    # All lessons and the evaluation passed; phase 2 has no session in this edition.
    reparada = Inscripcion.objects.get(pk=inscripciones[2].pk)
    assert reparada.fases_completadas == 2
    assert reparada.completada_en is not None
    assert Inscripcion.objects.get(pk=inscripciones[0].pk).fases_completadas == 0
    # Idempotent: nothing changes the second time.
    antes = list(Inscripcion.objects.order_by("pk").values_list("avance_calculado_en", flat=True))
    services.recalcular_avances(inscripciones=Inscripcion.objects.all())
    despues = list(Inscripcion.objects.order_by("pk").values_list("avance_calculado_en", flat=True))
    assert antes == despues


def test_la_fecha_de_una_fase_es_la_del_hecho(curso, inscripcion):
    hace = timezone.now() - datetime.timedelta(days=2)
    for leccion in curso.lecciones[:2]:
        services.marcar_leccion_completada(inscripcion=inscripcion, leccion=leccion, ahora=hace)
    _fila, fases = assert_sin_deriva(inscripcion)
    assert fases[0].completada_en == hace
