"""Finding participants of an edition by name, email or institution, ignoring accents."""

import pytest
from bs4 import BeautifulSoup

from django.urls import reverse

from lms.models import Rol
from tests.factories import AsignacionRolFactory, SujetoObligadoFactory, UsuarioFactory
from tests.factories.cursos import InscripcionFactory
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db


def _personas(respuesta):
    sopa = BeautifulSoup(respuesta.content, "html.parser")
    return [fila.find("td").get_text(strip=True) for fila in sopa.select("tbody tr")]


@pytest.fixture
def coordinacion(client):
    nacional = UsuarioFactory(first_name="Quien", last_name="Coordina")
    AsignacionRolFactory(usuario=nacional, rol=Rol.COORDINADOR_NACIONAL)
    client.force_login(nacional)
    return nacional


@pytest.mark.parametrize(
    ("consulta", "esperadas"),
    [
        ("pena", ["José Ángel Peña", "Rocío Pena"]),
        ("JOSE ANGEL", ["José Ángel Peña"]),
        ("peña rocio", ["Rocío Pena"]),
        ("educacion", ["José Ángel Peña"]),
        ("rpena@", ["Rocío Pena"]),
        ("nadie", []),
    ],
)
def test_busca_sin_acentos_ni_mayusculas(client, coordinacion, edicion, consulta, esperadas):
    educacion = SujetoObligadoFactory(entidad=entidad("14"), nombre="Secretaría de Educación")
    InscripcionFactory(
        edicion=edicion,
        usuario=UsuarioFactory(first_name="José Ángel", last_name="Peña", organizacion=educacion),
    )
    InscripcionFactory(
        edicion=edicion,
        usuario=UsuarioFactory(first_name="Rocío", last_name="Pena", email="rpena@sesa.gob.mx"),
    )
    url = reverse("cursos:edicion_participantes", args=[edicion.pk])
    personas = _personas(client.get(url, {"q": consulta}))
    assert sorted(p for p in personas if p != "Nadie coincide con el filtro.") == esperadas


def test_busqueda_demasiado_larga_explica_y_no_muestra_a_nadie(client, coordinacion, edicion):
    InscripcionFactory(edicion=edicion)
    url = reverse("cursos:edicion_participantes", args=[edicion.pk])
    respuesta = client.get(url, {"q": "x" * 101})
    assert "Escriba como máximo 100 caracteres." in respuesta.content.decode()
    assert _personas(respuesta) == ["Nadie coincide con el filtro."]


@pytest.mark.parametrize("cantidad", [2, 20])
def test_buscando_consultas_constantes(
    client, coordinacion, edicion, django_assert_max_num_queries, cantidad
):
    sujeto = SujetoObligadoFactory(entidad=entidad("14"), nombre="Instituto Electoral")
    for _ in range(cantidad):
        InscripcionFactory(
            edicion=edicion, usuario__first_name="Ñeli", usuario__organizacion=sujeto
        )
    url = reverse("cursos:edicion_participantes", args=[edicion.pk])
    client.get(url)
    # The same budget as without a search (tests/cursos/test_consultas.py).
    with django_assert_max_num_queries(20):
        respuesta = client.get(url, {"q": "NELI electoral"})
    assert len(_personas(respuesta)) == cantidad
