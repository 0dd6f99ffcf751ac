"""Bulk enrolment and attendance screens refuse hostile workbooks with a message, saving nothing."""

import functools

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cursos.models import Asistencia, Inscripcion
from lms.carga.libros import HOSTILES
from lms.models import Rol, Usuario
from tests.factories import AsignacionRolFactory, UsuarioFactory
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db


@functools.cache
def hostil(nombre: str) -> bytes:
    return HOSTILES[nombre][0]()


def _archivo(nombre: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "archivo.xlsx",
        hostil(nombre),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@pytest.fixture
def coordinador(db):
    return AsignacionRolFactory(rol=Rol.COORDINADOR_ESTATAL, entidad=entidad("14")).usuario


@pytest.fixture
def instructor(sesion):
    usuario = UsuarioFactory()
    AsignacionRolFactory(usuario=usuario, rol=Rol.INSTRUCTOR)
    sesion.edicion.curso.instructores.add(usuario)
    sesion.edicion.curso.save()
    return usuario


@pytest.mark.parametrize("nombre", sorted(HOSTILES))
def test_inscripcion_en_bloque_rechaza_libro_hostil(client, edicion, coordinador, nombre):
    client.force_login(coordinador)
    cuentas = Usuario.objects.count()

    respuesta = client.post(
        reverse("cursos:inscribir_subir", args=[edicion.pk]), {"archivo": _archivo(nombre)}
    )

    assert respuesta.status_code == 200
    contenido = respuesta.content.decode()
    assert HOSTILES[nombre][1] in contenido
    assert "No se pudo leer el archivo" in contenido
    assert not Inscripcion.objects.filter(edicion=edicion).exists()
    assert Usuario.objects.count() == cuentas


@pytest.mark.parametrize("nombre", sorted(HOSTILES))
def test_importar_asistencia_rechaza_libro_hostil(client, sesion, instructor, nombre):
    client.force_login(instructor)

    respuesta = client.post(
        reverse("cursos:asistencia_subir", args=[sesion.pk]),
        {"archivo": _archivo(nombre), "minimos_minutos": 30},
    )

    assert respuesta.status_code == 200
    contenido = respuesta.content.decode()
    assert HOSTILES[nombre][1] in contenido
    assert "No se reconoce el formato" not in contenido
    assert not Asistencia.objects.exists()
