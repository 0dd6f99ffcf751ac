"""Issuance rules edited in the Wagtail admin by national coordinators."""

import pytest

from django.urls import reverse

from constancias.models import ReglaConstancia
from lms import services as lms_services
from lms.models import Rol
from tests.factories import FasePageFactory, PlantillaConstanciaFactory, UsuarioFactory
from tests.factories.constancias import curso_completable

pytestmark = pytest.mark.django_db

ALTA = "wagtailsnippets_constancias_reglaconstancia:add"


@pytest.fixture
def nacional(client):
    usuario = UsuarioFactory()
    lms_services.asignar_rol(usuario=usuario, rol=Rol.COORDINADOR_NACIONAL)
    client.force_login(usuario)
    return usuario


def _datos(edicion, plantilla, **cambios):
    datos = {
        "edicion": edicion.pk,
        "tipo": "acreditacion",
        "alcance": "curso",
        "fase": "",
        "plantilla": plantilla.pk,
        "automatica": "on",
        "activa": "on",
    }
    datos.update(cambios)
    return datos


def test_coordinacion_nacional_crea_una_regla(client, nacional):
    edicion, plantilla = curso_completable(), PlantillaConstanciaFactory()
    assert client.get(reverse(ALTA)).status_code == 200
    respuesta = client.post(reverse(ALTA), _datos(edicion, plantilla))
    assert respuesta.status_code == 302
    regla = ReglaConstancia.objects.get()
    assert (regla.edicion, regla.tipo, regla.plantilla) == (edicion, "acreditacion", plantilla)


def test_alcance_fase_sin_fase_se_rechaza(client, nacional):
    edicion, plantilla = curso_completable(), PlantillaConstanciaFactory()
    respuesta = client.post(reverse(ALTA), _datos(edicion, plantilla, alcance="fase"))
    assert respuesta.status_code == 200
    assert "Elija una fase solo cuando el alcance sea una fase" in respuesta.content.decode()
    assert not ReglaConstancia.objects.exists()


def test_fase_de_otro_curso_se_rechaza(client, nacional):
    edicion, plantilla = curso_completable(), PlantillaConstanciaFactory()
    ajena = FasePageFactory()
    respuesta = client.post(
        reverse(ALTA), _datos(edicion, plantilla, alcance="fase", fase=ajena.pk)
    )
    assert "La fase no pertenece al curso de la edición" in respuesta.content.decode()
    assert not ReglaConstancia.objects.exists()


def test_regla_repetida_se_rechaza(client, nacional):
    edicion, plantilla = curso_completable(), PlantillaConstanciaFactory()
    client.post(reverse(ALTA), _datos(edicion, plantilla))
    respuesta = client.post(reverse(ALTA), _datos(edicion, plantilla))
    assert "ya tiene una regla igual" in respuesta.content.decode()
    assert ReglaConstancia.objects.count() == 1


def test_participante_no_edita_reglas(client):
    client.force_login(UsuarioFactory())
    assert client.get(reverse(ALTA)).status_code in (302, 403)
