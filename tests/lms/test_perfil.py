import re

import pytest

from lms import forms as lms_forms
from lms.models import Organizacion, Usuario
from tests.factories import OrganoGaranteFactory, SujetoObligadoFactory, UsuarioFactory
from tests.factories.cuentas import curp_valida
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db


@pytest.fixture
def usuario(client):
    usuario = UsuarioFactory(organizacion=None, entidad=None, first_name="", last_name="", cargo="")
    client.force_login(usuario)
    return usuario


def datos_perfil(organizacion, **cambios):
    datos = {
        "first_name": "María José",
        "last_name": "Núñez Peña",
        "cargo": "Titular de la Unidad de Transparencia",
        "organizacion": organizacion.pk,
        "curp": "",
    }
    datos.update(cambios)
    return datos


def test_perfil_pide_iniciar_sesion(client):
    respuesta = client.get("/perfil/")
    assert respuesta.status_code == 302
    assert respuesta["Location"].startswith("/cuentas/login/")


def test_guardar_perfil_con_nombres_exactos_y_la_entidad_de_la_organizacion(client, usuario):
    organizacion = SujetoObligadoFactory(entidad=entidad("31"))
    respuesta = client.post(
        "/perfil/",
        datos_perfil(
            organizacion,
            first_name="  Ñeri   José ",
            last_name="D'Alessandro Güemes",
            cargo="  Enlace   de transparencia ",
        ),
    )
    assert respuesta.status_code == 302
    assert respuesta["Location"] == "/perfil/"
    usuario.refresh_from_db()
    assert usuario.first_name == "Ñeri José"
    assert usuario.last_name == "D'Alessandro Güemes"
    assert usuario.cargo == "Enlace de transparencia"
    assert usuario.organizacion == organizacion
    assert usuario.entidad.clave_inegi == "31"
    assert usuario.curp == ""
    assert usuario.perfil_completo


def test_cambiar_de_organizacion_cambia_la_entidad(client, usuario):
    client.post("/perfil/", datos_perfil(SujetoObligadoFactory(entidad=entidad("14"))))
    nacional = OrganoGaranteFactory(entidad=None, nombre="Órgano garante nacional")
    client.post("/perfil/", datos_perfil(nacional))
    usuario.refresh_from_db()
    assert usuario.organizacion == nacional
    assert usuario.entidad is None


def test_curp_se_guarda_en_mayusculas(client, usuario):
    curp = curp_valida()
    client.post("/perfil/", datos_perfil(SujetoObligadoFactory(), curp=f" {curp.lower()} "))
    usuario.refresh_from_db()
    assert usuario.curp == curp


@pytest.mark.parametrize(
    ("curp", "mensaje"),
    [
        ("PEGJ850101HDFRNN0", "no tiene un formato válido"),
        ("PEGJ851301HDFRNN08", "no tiene un formato válido"),
        ("PEGJ850101HDFRNN01", "dígito verificador"),
    ],
)
def test_curp_invalida_se_rechaza_y_no_cambia_nada(client, usuario, curp, mensaje):
    respuesta = client.post("/perfil/", datos_perfil(SujetoObligadoFactory(), curp=curp))
    assert respuesta.status_code == 200
    contenido = respuesta.content.decode()
    assert mensaje in contenido
    assert 'aria-describedby="id_curp_helptext id_curp_error"' in contenido
    usuario.refresh_from_db()
    assert (usuario.first_name, usuario.curp, usuario.organizacion_id) == ("", "", None)


def test_curp_de_otra_cuenta_se_rechaza(client, usuario):
    curp = curp_valida()
    UsuarioFactory(curp=curp)
    respuesta = client.post("/perfil/", datos_perfil(SujetoObligadoFactory(), curp=curp.lower()))
    assert "Esta CURP ya está registrada en otra cuenta" in respuesta.content.decode()
    usuario.refresh_from_db()
    assert usuario.curp == ""


def test_curp_tomada_al_mismo_tiempo_por_otra_cuenta_da_error_y_no_500(
    client, usuario, monkeypatch
):
    # Validation passed, but another account stored the CURP before this save.
    curp = curp_valida()
    UsuarioFactory(curp=curp)
    monkeypatch.setattr(lms_forms.PerfilForm, "clean_curp", lambda self: curp)
    respuesta = client.post("/perfil/", datos_perfil(SujetoObligadoFactory(), curp=curp))
    assert respuesta.status_code == 200
    assert "Esta CURP ya está registrada en otra cuenta" in respuesta.content.decode()
    usuario.refresh_from_db()
    assert (usuario.curp, usuario.organizacion_id) == ("", None)


def test_la_propia_curp_se_puede_volver_a_guardar(client, usuario):
    curp = curp_valida()
    organizacion = SujetoObligadoFactory()
    client.post("/perfil/", datos_perfil(organizacion, curp=curp))
    respuesta = client.post("/perfil/", datos_perfil(organizacion, curp=curp, cargo="Analista"))
    assert respuesta.status_code == 302
    usuario.refresh_from_db()
    assert (usuario.curp, usuario.cargo) == (curp, "Analista")


@pytest.mark.parametrize("valor", ["999999", "abc", "1; DROP TABLE lms_usuario", ""])
def test_organizacion_alterada_o_vacia_se_rechaza(client, usuario, valor):
    respuesta = client.post(
        "/perfil/", datos_perfil(SujetoObligadoFactory()) | {"organizacion": valor}
    )
    assert respuesta.status_code == 200
    assert 'id="id_organizacion_error"' in respuesta.content.decode()
    usuario.refresh_from_db()
    assert usuario.organizacion_id is None


def test_organizacion_inactiva_no_se_ofrece_ni_se_acepta(client, usuario):
    inactiva = SujetoObligadoFactory(nombre="Instituto extinto", activa=False)
    assert "Instituto extinto" not in client.get("/perfil/").content.decode()
    respuesta = client.post("/perfil/", datos_perfil(inactiva))
    assert "Elija una organización de la lista." in respuesta.content.decode()
    usuario.refresh_from_db()
    assert usuario.organizacion_id is None


@pytest.mark.parametrize("campo", ["first_name", "last_name", "cargo"])
def test_campos_obligatorios_vacios_se_rechazan(client, usuario, campo):
    respuesta = client.post("/perfil/", datos_perfil(SujetoObligadoFactory(), **{campo: "   "}))
    assert f'id="id_{campo}_error"' in respuesta.content.decode()
    usuario.refresh_from_db()
    assert usuario.organizacion_id is None


def test_nombre_con_numeros_se_rechaza(client, usuario):
    respuesta = client.post("/perfil/", datos_perfil(SujetoObligadoFactory(), first_name="Ana 1"))
    assert "sin números ni símbolos" in respuesta.content.decode()


def test_organizaciones_agrupadas_por_entidad_en_optgroup(client, usuario):
    OrganoGaranteFactory(entidad=None, nombre="Órgano garante nacional")
    SujetoObligadoFactory(entidad=entidad("14"), nombre="Secretaría de Salud de Jalisco")
    SujetoObligadoFactory(entidad=entidad("31"), nombre="Secretaría de Salud de Yucatán")
    contenido = client.get("/perfil/").content.decode()
    grupos = re.findall(r'<optgroup label="([^"]+)">', contenido)
    assert grupos == ["Nacional y federal", "Jalisco", "Yucatán"]
    jalisco = contenido.split('<optgroup label="Jalisco">')[1].split("</optgroup>")[0]
    assert "Secretaría de Salud de Jalisco" in jalisco
    assert "Yucatán" not in jalisco
    assert '<label for="id_organizacion">' in contenido


def test_perfil_muestra_la_organizacion_actual_seleccionada(client):
    usuario = UsuarioFactory()
    client.force_login(usuario)
    contenido = client.get("/perfil/").content.decode()
    assert re.search(rf'<option value="{usuario.organizacion_id}" selected>', contenido)


@pytest.mark.parametrize("cantidad", [5, 60])
def test_consultas_del_perfil_no_crecen_con_las_organizaciones(
    client, usuario, cantidad, django_assert_max_num_queries
):
    organo = OrganoGaranteFactory(entidad=entidad("09"))
    for clave in ("09", "14", "31"):
        SujetoObligadoFactory.create_batch(cantidad, entidad=entidad(clave), organo_garante=organo)
    with django_assert_max_num_queries(8):
        respuesta = client.get("/perfil/")
    assert respuesta.content.decode().count("<option value=") == 3 * cantidad + 2


def test_despues_de_guardar_vuelve_a_la_pagina_pedida(client, usuario):
    organizacion = SujetoObligadoFactory()
    respuesta = client.post(
        "/perfil/?next=/cursos/", datos_perfil(organizacion) | {"next": "/cursos/"}
    )
    assert respuesta["Location"] == "/cursos/"


def test_siguiente_externo_se_ignora(client, usuario):
    respuesta = client.post(
        "/perfil/", datos_perfil(SujetoObligadoFactory()) | {"next": "https://malicioso.example/"}
    )
    assert respuesta["Location"] == "/perfil/"


def test_otro_usuario_no_cambia_al_guardar(client, usuario):
    otro = UsuarioFactory(first_name="Pedro")
    client.post("/perfil/", datos_perfil(SujetoObligadoFactory()) | {"id": otro.pk})
    otro.refresh_from_db()
    assert otro.first_name == "Pedro"
    assert Usuario.objects.get(pk=usuario.pk).first_name == "María José"


def test_organizacion_con_siglas_las_muestra(client, usuario):
    SujetoObligadoFactory(nombre="Instituto de Transparencia", siglas="ITEI")
    assert "Instituto de Transparencia (ITEI)" in client.get("/perfil/").content.decode()
    assert Organizacion.objects.filter(siglas="ITEI").exists()
