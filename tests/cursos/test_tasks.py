import pytest

from cursos import services
from cursos.tasks import recalcular_curso_task, recalcular_pendientes_task

pytestmark = pytest.mark.django_db


def test_recalcular_curso_task_reescribe_la_completitud(curso, inscripcion, sesion):
    for leccion in curso.lecciones:
        services.marcar_leccion_completada(inscripcion=inscripcion, leccion=leccion)
    inscripcion.refresh_from_db()
    assert inscripcion.completada_en is None  # the practical phase asks for 100 % attendance
    fase = curso.practica
    fase.asistencia_minima = 0
    fase.save(update_fields=["asistencia_minima"])
    assert recalcular_curso_task.apply(args=[curso.pk]).get() == 1
    inscripcion.refresh_from_db()
    assert inscripcion.completada_en is not None


def test_publicar_una_fase_encola_el_recalculo(
    curso, inscripcion, django_capture_on_commit_callbacks, monkeypatch
):
    encolados = []
    monkeypatch.setattr(recalcular_pendientes_task, "delay", lambda **kw: encolados.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        curso.practica.save_revision().publish()
    assert encolados == [{"curso_id": curso.pk, "edicion_id": None}]
    # Marked stale first, so the nightly reconciler repairs it even if the task is lost.
    inscripcion.refresh_from_db()
    assert inscripcion.avance_calculado_en is None


def test_publicar_sin_inscripciones_no_encola_nada(
    curso, django_capture_on_commit_callbacks, monkeypatch
):
    encolados = []
    monkeypatch.setattr(recalcular_pendientes_task, "delay", lambda **kw: encolados.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        curso.practica.save_revision().publish()
    assert encolados == []
