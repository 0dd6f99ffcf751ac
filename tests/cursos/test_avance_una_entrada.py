"""Every change of what a course asks for reaches the stored progress through one entry
point (`services.reglas_cambiaron`), with no repair called by hand; a nightly reconciler
finds and repairs what drifted anyway and says how much."""

import datetime
from decimal import Decimal

import pytest

from django.utils import timezone

from cursos import services, tasks
from cursos.models import Inscripcion
from tests.cursos.test_avance import _calificar, _guardado, assert_sin_deriva
from tests.factories import (
    CursoPageFactory,
    EdicionFactory,
    EvaluacionFactory,
    FasePageFactory,
    UsuarioFactory,
)
from tests.factories.cursos import SesionEnVivoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def en_linea(monkeypatch, django_capture_on_commit_callbacks):
    """Run the recompute task in the request, as a worker would right after commit."""
    monkeypatch.setattr(
        tasks.recalcular_pendientes_task,
        "delay",
        lambda **kw: tasks.recalcular_pendientes_task.apply(kwargs=kw),
    )

    def ejecutar():
        return django_capture_on_commit_callbacks(execute=True)

    return ejecutar


def test_despublicar_una_fase_actualiza_el_avance_sin_reparar_a_mano(curso, inscripcion, en_linea):
    services.marcar_leccion_completada(inscripcion=inscripcion, leccion=curso.lecciones[0])
    assert _guardado(inscripcion)[0].fases_total == 2
    with en_linea():
        curso.practica.unpublish()
    fila, fases = assert_sin_deriva(inscripcion)
    assert [f.fase_id for f in fases] == [curso.teorica.pk]
    assert fila.fases_total == 1


def test_borrar_una_leccion_completa_la_fase(curso, inscripcion, en_linea):
    services.marcar_leccion_completada(inscripcion=inscripcion, leccion=curso.lecciones[0])
    assert _guardado(inscripcion)[0].fases_completadas == 0
    with en_linea():
        curso.lecciones[1].delete()
    fila, _fases = assert_sin_deriva(inscripcion)
    assert fila.fases_completadas == 1


def test_mover_una_leccion_a_otra_fase(curso, inscripcion, en_linea):
    for leccion in curso.lecciones[:2]:
        services.marcar_leccion_completada(inscripcion=inscripcion, leccion=leccion)
    assert _guardado(inscripcion)[0].fases_completadas == 1
    with en_linea():
        curso.lecciones[2].move(curso.teorica, pos="last-child")
    fila, fases = assert_sin_deriva(inscripcion)
    assert fases[0].lecciones == 2
    assert fila.fases_completadas == 0  # the moved lesson is not done yet


def test_cambiar_la_calificacion_aprobatoria_cambia_la_acreditacion(curso, inscripcion, en_linea):
    evaluacion = EvaluacionFactory(puntaje_aprobatorio=Decimal("70"))
    curso.teorica.evaluacion = evaluacion
    with en_linea():
        curso.teorica.save_revision().publish()
    for leccion in curso.lecciones[:2]:
        services.marcar_leccion_completada(inscripcion=inscripcion, leccion=leccion)
    _calificar(inscripcion, evaluacion, "75")
    assert _guardado(inscripcion)[0].fases_completadas == 1
    evaluacion.puntaje_aprobatorio = Decimal("80")
    with en_linea():
        evaluacion.save()
    fila, _fases = assert_sin_deriva(inscripcion, evaluacion)
    assert fila.fases_completadas == 0


def test_agregar_y_quitar_sesiones_cambia_la_asistencia_pedida(
    curso, edicion, inscripcion, sesion, en_linea
):
    services.marcar_leccion_completada(inscripcion=inscripcion, leccion=curso.lecciones[2])
    services.registrar_asistencia(
        sesion=sesion, usuario=inscripcion.usuario, codigo=sesion.codigo_asistencia
    )
    assert _guardado(inscripcion)[1][1].completada_en is not None
    with en_linea():
        otra = SesionEnVivoFactory(
            edicion=edicion,
            fase=curso.practica,
            inicio=timezone.now() + datetime.timedelta(days=1),
            duracion_minutos=60,
        )
    _fila, fases = assert_sin_deriva(inscripcion)
    assert fases[1].completada_en is None  # 100 % attendance now asks for both
    with en_linea():
        otra.delete()
    _fila, fases = assert_sin_deriva(inscripcion)
    assert fases[1].completada_en is not None


def test_inscribirse_a_un_curso_que_no_pide_nada_lo_acredita_al_momento():
    curso = CursoPageFactory()
    FasePageFactory(parent=curso, title="Bienvenida")
    edicion = EdicionFactory(curso=curso, fecha_inicio=timezone.localdate())
    inscripcion = services.inscribir_persona(
        edicion=edicion, usuario=UsuarioFactory(), origen=Inscripcion.Origen.COORDINACION
    )
    fila, _fases = assert_sin_deriva(inscripcion)
    assert fila.completada_en is not None
    assert fila.avance_calculado_en is not None


def test_el_reconciliador_encuentra_y_repara_la_deriva(curso, inscripcion):
    services.marcar_leccion_completada(inscripcion=inscripcion, leccion=curso.lecciones[0])
    assert tasks.reconciliar_avances_task.apply().get() == 0
    # Drift from outside any entry point (a bulk update, a restored backup...).
    Inscripcion.objects.filter(pk=inscripcion.pk).update(avance=0, fases_total=0)
    assert tasks.reconciliar_avances_task.apply().get() == 1
    assert_sin_deriva(inscripcion)


def test_la_reconciliacion_esta_programada_cada_noche():
    from django_celery_beat.models import PeriodicTask

    tarea = PeriodicTask.objects.get(name="Reconciliar el avance guardado")
    assert tarea.task == "cursos.tasks.reconciliar_avances_task"
    assert (tarea.crontab.hour, tarea.crontab.minute) == ("3", "30")


def test_un_alias_de_leccion_cuenta_en_la_fase_donde_aparece(curso, inscripcion, en_linea):
    services.marcar_leccion_completada(inscripcion=inscripcion, leccion=curso.lecciones[2])
    assert _guardado(inscripcion)[1][1].lecciones_total == 1
    with en_linea():
        # Wagtail's "create alias" makes a live page without a publish.
        curso.lecciones[0].create_alias(parent=curso.practica, update_slug="marco-alias")
    _fila, fases = assert_sin_deriva(inscripcion)
    assert fases[1].lecciones_total == 2


def test_mover_la_edicion_a_otro_curso_recalcula_con_sus_fases(
    curso, edicion, inscripcion, en_linea
):
    otro = CursoPageFactory(title="Otro curso")
    FasePageFactory(parent=otro, title="Única fase")  # asks for nothing
    assert _guardado(inscripcion)[0].completada_en is None
    with en_linea():
        edicion.curso = otro
        edicion.save()
    fila, fases = assert_sin_deriva(inscripcion)
    assert fila.completada_en is not None
    assert len(fases) == 1
