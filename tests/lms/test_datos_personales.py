import json

import pytest
from allauth.account.models import EmailAddress

from lms import selectors, services
from lms.models import Rol
from tests.factories import UsuarioFactory
from tests.factories.cuentas import curp_valida
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db


@pytest.fixture
def usuario(client):
    usuario = UsuarioFactory(
        email="maria@itei.org.mx",
        first_name="María José",
        last_name="Núñez Peña",
        curp=curp_valida(),
    )
    services.registrar_aceptacion_aviso(usuario=usuario, version="2")
    services.asignar_rol(usuario=usuario, rol=Rol.COORDINADOR_ESTATAL, entidad_id=entidad("14").pk)
    client.force_login(usuario)
    return usuario


def test_descarga_json_con_todos_los_datos_propios(client, usuario):
    respuesta = client.get("/perfil/mis-datos.json")
    assert respuesta.status_code == 200
    assert respuesta["Content-Type"] == "application/json; charset=utf-8"
    assert respuesta["Content-Disposition"].startswith('attachment; filename="mis-datos-')
    assert "no-store" in respuesta["Cache-Control"]
    # Accents travel as UTF-8 text, not \u escapes.
    assert "María José".encode() in respuesta.content
    datos = json.loads(respuesta.content)
    assert datos["correo_electronico"] == "maria@itei.org.mx"
    assert (datos["nombre"], datos["apellidos"]) == ("María José", "Núñez Peña")
    assert datos["curp"] == usuario.curp
    assert datos["cargo"] == usuario.cargo
    assert datos["organizacion"]["nombre"] == usuario.organizacion.nombre
    assert datos["entidad_federativa"] == usuario.entidad.nombre
    assert datos["aviso_de_privacidad"]["version_aceptada"] == "2"
    assert datos["aviso_de_privacidad"]["aceptado_en"]
    assert datos["correos"] == [
        {"correo": "maria@itei.org.mx", "verificado": True, "principal": True}
    ]
    assert datos["roles"][0]["rol"] == "Coordinador estatal"
    assert datos["roles"][0]["entidad"] == "Jalisco"


def test_cada_quien_descarga_solo_sus_datos(client, usuario):
    otro = UsuarioFactory(email="otro@ejemplo.gob.mx", curp=curp_valida("GOMA991231MJCRRL0"))
    EmailAddress.objects.create(user=otro, email="secundario@ejemplo.gob.mx")
    contenido = client.get("/perfil/mis-datos.json", {"usuario": otro.pk}).content.decode()
    assert "otro@ejemplo.gob.mx" not in contenido
    assert "secundario@ejemplo.gob.mx" not in contenido
    assert otro.curp not in contenido
    assert json.loads(contenido)["correo_electronico"] == "maria@itei.org.mx"


def test_descarga_pide_iniciar_sesion(client):
    respuesta = client.get("/perfil/mis-datos.json")
    assert respuesta.status_code == 302
    assert respuesta["Location"].startswith("/cuentas/login/")


def test_descarga_solo_acepta_get(client, usuario):
    assert client.post("/perfil/mis-datos.json").status_code == 405


def test_usuario_sin_organizacion_ni_curp(client):
    usuario = UsuarioFactory(organizacion=None, entidad=None, verificado=False)
    datos = selectors.datos_personales(usuario=usuario)
    assert datos["organizacion"] is None
    assert datos["curp"] is None
    assert datos["correos"] == []
    assert datos["aviso_de_privacidad"] == {"version_aceptada": None, "aceptado_en": None}
    json.dumps(datos)


def test_otras_apps_agregan_sus_registros_a_la_descarga(usuario, monkeypatch):
    monkeypatch.setattr(selectors, "_PROVEEDORES_DATOS", {})
    selectors.registrar_proveedor_datos("inscripciones", lambda u: [{"curso": f"curso-{u.pk}"}])
    datos = selectors.datos_personales(usuario=usuario)
    assert datos["inscripciones"] == [{"curso": f"curso-{usuario.pk}"}]


@pytest.mark.parametrize("roles", [0, 3])
def test_consultas_de_la_descarga_no_crecen_con_los_roles(
    client, usuario, roles, django_assert_max_num_queries
):
    for rol in [Rol.INSTRUCTOR, Rol.COORDINADOR_NACIONAL, Rol.ADMINISTRADOR][:roles]:
        services.asignar_rol(usuario=usuario, rol=rol)
    with django_assert_max_num_queries(7):
        assert client.get("/perfil/mis-datos.json").status_code == 200
