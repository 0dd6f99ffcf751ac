"""Coordination screens and the course search answer hostile input with a message, not a 500."""

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lms import services
from lms.models import Rol, Usuario
from tests.factories import (
    AsignacionRolFactory,
    InscripcionFactory,
    SujetoObligadoFactory,
    UsuarioFactory,
)
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db

ENORME = "99999999999999999999"


@pytest.fixture
def nacional(client):
    usuario = UsuarioFactory()
    services.asignar_rol(usuario=usuario, rol=Rol.COORDINADOR_NACIONAL)
    client.force_login(usuario)
    return Usuario.objects.get(pk=usuario.pk)


# --- Search -------------------------------------------------------------------


@pytest.mark.parametrize(
    "consulta",
    ['"', 'socialmente"', '"socialmente', "socialmente AND", "NEAR(", "útil -", "{title}: x", "a*"],
)
def test_busqueda_con_sintaxis_de_fts5_no_da_500(client, curso, excepciones, consulta):
    respuesta = client.get(reverse("cursos:buscar"), {"q": consulta})
    assert respuesta.status_code == 200
    assert excepciones == []


@pytest.mark.parametrize(
    "consulta", ['"socialmente"', 'socialmente "', "(socialmente útil)", "socialmente-útil"]
)
def test_busqueda_con_comillas_y_operadores_encuentra_la_leccion(client, curso, consulta):
    respuesta = client.get(reverse("cursos:buscar"), {"q": consulta})
    assert "Información socialmente útil" in respuesta.content.decode()


def test_busqueda_de_solo_signos_no_encuentra_nada_y_no_falla(client, curso, excepciones):
    respuesta = client.get(reverse("cursos:buscar"), {"q": '" - *'})
    assert respuesta.status_code == 200
    assert "Información socialmente útil" not in respuesta.content.decode()
    assert excepciones == []


# --- Dashboard and exports ---------------------------------------------------------


@pytest.mark.parametrize("campo", ["programa", "curso", "fase", "edicion", "entidad"])
@pytest.mark.parametrize("valor", [ENORME, "²", "1.5"])
def test_id_malformado_en_el_tablero_da_mensaje_y_ningun_dato(
    client, nacional, excepciones, campo, valor
):
    respuesta = client.get(reverse("cursos:tablero"), {campo: valor})
    html = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert "no existe" in html or "Elija una entidad" in html
    assert "no se muestran datos mientras un filtro no sea válido" in html
    assert 'class="cifra"' not in html
    assert excepciones == []


@pytest.mark.parametrize("campo", ["programa", "curso", "fase"])
def test_id_enorme_en_la_exportacion_da_400_y_no_descarga(client, nacional, excepciones, campo):
    respuesta = client.get(reverse("cursos:exportar", args=["csv"]), {campo: ENORME})
    assert respuesta.status_code == 400
    assert "no existe" in respuesta.content.decode()
    assert "Content-Disposition" not in respuesta
    assert excepciones == []


# --- An edition's participants ----------------------------------------------------


@pytest.mark.parametrize("valor", ["abc", "²", ENORME])
@pytest.mark.parametrize("campo", ["entidad", "organizacion"])
def test_filtro_malformado_de_participantes_muestra_mensaje_y_a_nadie(
    client, nacional, edicion, excepciones, campo, valor
):
    persona = UsuarioFactory(
        last_name="Participante Visible", organizacion=SujetoObligadoFactory(entidad=entidad("14"))
    )
    InscripcionFactory(edicion=edicion, usuario=persona)
    url = reverse("cursos:edicion_participantes", args=[edicion.pk])
    assert "Participante Visible" in client.get(url).content.decode()

    respuesta = client.get(url, {campo: valor})

    html = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert "Elija una" in html
    assert "Participante Visible" not in html
    assert excepciones == []


# --- Bulk enrolment -----------------------------------------------------------------


def test_inscripcion_en_bloque_con_nulos_los_quita_y_confirma_sin_500(client, edicion, excepciones):
    SujetoObligadoFactory(nombre="Secretaría de Educación", siglas="SEJ", entidad=entidad("14"))
    coordinador = AsignacionRolFactory(rol=Rol.COORDINADOR_ESTATAL, entidad=entidad("14"))
    client.force_login(coordinador.usuario)
    # Excel's "Unicode text" is UTF-16; a NUL there is a character, not a broken byte.
    texto = (
        "correo;nombre;apellidos;cargo;organizacion;entidad\r\n"
        "nue\x00va@sej.gob.mx;Ana\x00;Núñez\x00 Peña;Jefa\x00;SEJ;Jalisco\r\n"
    )
    archivo = SimpleUploadedFile("personas.csv", texto.encode("utf-16"), content_type="text/csv")
    subida = client.post(reverse("cursos:inscribir_subir", args=[edicion.pk]), {"archivo": archivo})
    assert subida.status_code == 302
    revisar = subida["Location"]
    assert "1 persona nueva" in client.get(revisar).content.decode()

    confirmada = client.post(revisar)

    assert confirmada.status_code == 302
    persona = Usuario.objects.get(email="nueva@sej.gob.mx")
    assert (persona.first_name, persona.last_name, persona.cargo) == ("Ana", "Núñez Peña", "Jefa")
    assert edicion.inscripciones.filter(usuario=persona).exists()
    assert excepciones == []
