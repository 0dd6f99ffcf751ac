"""The demo course loads, is idempotent, and shows participants at several stages."""

import pytest

from django.core.management import call_command
from django.urls import reverse

from cursos.models import Asistencia, CursoPage, Edicion, Inscripcion, LeccionPage, ProgresoLeccion
from lms.models import Usuario

pytestmark = pytest.mark.django_db


def _conteos():
    return tuple(
        m.objects.count()
        for m in (CursoPage, LeccionPage, Edicion, Inscripcion, ProgresoLeccion, Asistencia)
    )


def test_demo_de_cursos_es_idempotente_y_tiene_etapas(settings):
    settings.DEBUG = True
    call_command("cargar_demo")
    primera = _conteos()
    call_command("cargar_demo")
    assert _conteos() == primera
    assert Edicion.objects.count() == 2
    completadas = Inscripcion.objects.filter(completada_en__isnull=False)
    assert completadas.count() == 2
    assert Inscripcion.objects.filter(completada_en__isnull=True).count() == 4
    curso = CursoPage.objects.get()
    instructora = Usuario.objects.get(email="instructora@demo.mx")
    assert list(curso.instructores.all()) == [instructora]
    assert instructora.groups.filter(name=f"Equipo docente del curso {curso.pk}").exists()


def test_participante_demo_ve_su_avance(client, settings):
    settings.DEBUG = True
    call_command("cargar_demo")
    client.force_login(Usuario.objects.get(email="participante@demo.mx"))
    contenido = client.get(reverse("cursos:mis_cursos")).content.decode()
    assert "Jornada Nacional de Capacitación en materia de Transparencia Proactiva" in contenido
    assert "Le falta:" in contenido
    leccion = LeccionPage.objects.get(slug="marco-normativo")
    contenido = client.get(leccion.url).content.decode()
    assert "Artículo 58" in contenido
    assert "Marcar como completada" in contenido
