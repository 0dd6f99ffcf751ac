"""Hostile input gets a clear 400 in Spanish, never a 500: NUL characters and malformed ids."""

import json

import pytest

from django.test import Client
from django.urls import reverse

from lms import services
from lms.entrada import parsear_id
from lms.models import Rol, Usuario
from tests.factories import SujetoObligadoFactory, UsuarioFactory
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db

MENSAJE_NULO = "carácter nulo"
# Ids as someone may type them in a URL: none of them is a row id.
IDS_MALFORMADOS = ["abc", "1.5", "1e3", "-1", " 1", "²", "١", "99999999999999999999", "\x00"]


def _coordinador(rol=Rol.COORDINADOR_NACIONAL, clave=None):
    usuario = UsuarioFactory(organizacion=SujetoObligadoFactory(entidad=entidad(clave or "31")))
    services.asignar_rol(usuario=usuario, rol=rol, entidad_id=entidad(clave).pk if clave else None)
    return Usuario.objects.get(pk=usuario.pk)


@pytest.mark.parametrize(
    ("valor", "esperado"),
    [("1", 1), ("0042", 42), ("999999999999999999", 999999999999999999), ("", None)]
    + [(valor, None) for valor in IDS_MALFORMADOS],
)
def test_parsear_id_solo_acepta_digitos_ascii_de_un_entero_de_la_base(valor, esperado):
    assert parsear_id(valor) == esperado


# --- NUL characters -------------------------------------------------------------


def test_nulo_en_la_consulta_da_400_en_espanol(client, excepciones):
    client.force_login(_coordinador())
    respuesta = client.get("/coordinacion/", {"q": "Ana\x00"})
    assert respuesta.status_code == 400
    assert MENSAJE_NULO in respuesta.content.decode()
    assert excepciones == []


def test_nulo_en_un_formulario_no_guarda_nada(client, excepciones):
    usuario = UsuarioFactory(cargo="Enlace")
    client.force_login(usuario)
    respuesta = client.post(
        reverse("perfil"),
        {
            "first_name": usuario.first_name,
            "last_name": usuario.last_name,
            "cargo": "Titular\x00",
            "organizacion": usuario.organizacion_id,
        },
    )
    assert respuesta.status_code == 400
    assert MENSAJE_NULO in respuesta.content.decode()
    usuario.refresh_from_db()
    assert usuario.cargo == "Enlace"
    assert excepciones == []


def test_nulo_en_una_peticion_de_script_responde_json(client):
    client.force_login(UsuarioFactory())
    respuesta = client.post(
        reverse("perfil"), {"cargo": "\x00"}, headers={"X-Requested-With": "fetch"}
    )
    assert respuesta.status_code == 400
    datos = respuesta.json()
    assert datos["ok"] is False
    assert MENSAJE_NULO in datos["mensaje"]


@pytest.mark.parametrize("cuerpo", ['{"texto": "a\\u0000b"}', '{"texto": "a\\\\\\u0000"}'])
def test_nulo_escapado_en_un_cuerpo_json_da_400(client, cuerpo):
    client.force_login(UsuarioFactory())
    respuesta = client.post(reverse("perfil"), cuerpo, content_type="application/json")
    assert respuesta.status_code == 400
    assert MENSAJE_NULO in respuesta.json()["mensaje"]


def test_barra_invertida_seguida_de_u0000_no_es_un_nulo(client):
    client.force_login(UsuarioFactory())
    # A literal backslash then "u0000": text a person may write, not a NUL character.
    cuerpo = json.dumps({"texto": "C:\\u0000"})
    respuesta = client.post(reverse("perfil"), cuerpo, content_type="application/json")
    assert respuesta.status_code != 400


def test_nulo_en_la_ruta_da_400(excepciones):
    respuesta = Client().get("/constancias/verificar/AB%00CD/")
    assert respuesta.status_code == 400
    assert excepciones == []


# --- Malformed ids in the coordinators' people list -------------------------------


@pytest.mark.parametrize("valor", IDS_MALFORMADOS[:-1])
@pytest.mark.parametrize("campo", ["entidad", "organizacion"])
def test_id_malformado_en_el_filtro_de_personas_da_mensaje_y_nadie(
    client, excepciones, campo, valor
):
    SujetoObligadoFactory(entidad=entidad("14"))
    UsuarioFactory(last_name="Visible Siempre")
    client.force_login(_coordinador())
    respuesta = client.get("/coordinacion/", {campo: valor})
    html = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert "Elija una" in html
    assert "Visible Siempre" not in html
    assert excepciones == []
