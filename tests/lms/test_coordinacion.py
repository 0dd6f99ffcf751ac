"""The coordinators' people list: who gets in, what they see, and that filters never widen it."""

import pytest
from bs4 import BeautifulSoup

from django.urls import reverse

from lms import services
from lms.models import Organizacion, Rol, Usuario
from tests.factories import SujetoObligadoFactory, UsuarioFactory
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db

URL = "/coordinacion/"


def _coordinador(rol, clave=None):
    usuario = UsuarioFactory(
        first_name="Coordinadora",
        organizacion=SujetoObligadoFactory(entidad=entidad(clave or "31")),
    )
    services.asignar_rol(usuario=usuario, rol=rol, entidad_id=entidad(clave).pk if clave else None)
    return Usuario.objects.get(pk=usuario.pk)


def _nombres(respuesta):
    """The last names shown in the people table."""
    sopa = BeautifulSoup(respuesta.content, "html.parser")
    return [fila.find("td").get_text(" ", strip=True) for fila in sopa.select("tbody tr")]


@pytest.fixture
def poblacion():
    """Two people in Jalisco (a state executive office and a municipality), one in CDMX."""
    jalisco = SujetoObligadoFactory(entidad=entidad("14"), nombre="Secretaría de Hacienda JAL")
    municipio = SujetoObligadoFactory(
        entidad=entidad("14"),
        nombre="Ayuntamiento de Zapopan",
        ambito=Organizacion.Ambito.MUNICIPAL,
        tipo=Organizacion.Tipo.MUNICIPIO,
    )
    cdmx = SujetoObligadoFactory(entidad=entidad("09"), nombre="Secretaría de Salud CDMX")
    return {
        "jalisco": UsuarioFactory(
            first_name="Ana", last_name="Jalisciense", organizacion=jalisco, curp=""
        ),
        "zapopan": UsuarioFactory(first_name="Beto", last_name="Zapopano", organizacion=municipio),
        "cdmx": UsuarioFactory(first_name="Carla", last_name="Capitalina", organizacion=cdmx),
        "org_cdmx": cdmx,
        "org_zapopan": municipio,
    }


def test_anonimo_va_a_iniciar_sesion(client):
    respuesta = client.get(URL)
    assert respuesta.status_code == 302
    assert respuesta["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("rol", [None, Rol.PARTICIPANTE, Rol.INSTRUCTOR])
def test_quien_no_coordina_recibe_403_en_espanol(client, rol):
    usuario = UsuarioFactory()
    if rol:
        services.asignar_rol(usuario=usuario, rol=rol)
    client.force_login(usuario)
    respuesta = client.get(URL)
    assert respuesta.status_code == 403
    assert "No tiene permiso para ver esta página" in respuesta.content.decode()


def test_coordinador_estatal_ve_solo_su_entidad(client, poblacion):
    client.force_login(_coordinador(Rol.COORDINADOR_ESTATAL, "14"))
    respuesta = client.get(URL)
    assert respuesta.status_code == 200
    nombres = " ".join(_nombres(respuesta))
    assert "Jalisciense" in nombres
    assert "Zapopano" in nombres
    assert "Capitalina" not in nombres
    assert "Jalisco" in respuesta.content.decode()


def test_no_muestra_curp_ni_correo(client, poblacion):
    persona = poblacion["jalisco"]
    persona.curp = "GOMC960417MJCRRR05"
    persona.save()
    client.force_login(_coordinador(Rol.COORDINADOR_ESTATAL, "14"))
    html = client.get(URL).content.decode()
    assert "Jalisciense" in html
    assert persona.curp not in html
    assert persona.email not in html


def test_entidad_ajena_en_el_filtro_no_muestra_a_nadie(client, poblacion):
    client.force_login(_coordinador(Rol.COORDINADOR_ESTATAL, "14"))
    respuesta = client.get(URL, {"entidad": entidad("09").pk})
    assert respuesta.status_code == 200
    assert _nombres(respuesta) == []
    html = respuesta.content.decode()
    assert "Elija una entidad de las que usted coordina." in html
    assert "Capitalina" not in html


def test_organizacion_ajena_en_el_filtro_no_muestra_a_nadie(client, poblacion):
    client.force_login(_coordinador(Rol.COORDINADOR_ESTATAL, "14"))
    respuesta = client.get(URL, {"organizacion": poblacion["org_cdmx"].pk})
    assert _nombres(respuesta) == []
    assert "Elija una organización de la lista." in respuesta.content.decode()
    assert "Secretaría de Salud CDMX" not in respuesta.content.decode()


def test_las_opciones_de_entidad_son_solo_las_del_alcance(client, poblacion):
    client.force_login(_coordinador(Rol.COORDINADOR_ESTATAL, "14"))
    sopa = BeautifulSoup(client.get(URL).content, "html.parser")
    opciones = [o.get_text(strip=True) for o in sopa.select("#id_entidad option") if o["value"]]
    assert opciones == ["Jalisco"]
    organizaciones = [o.get_text() for o in sopa.select("#id_organizacion option") if o["value"]]
    assert any("Zapopan" in o for o in organizaciones)
    assert not any("CDMX" in o for o in organizaciones)


def test_coordinador_nacional_ve_todas_y_filtra_por_entidad(client, poblacion):
    client.force_login(_coordinador(Rol.COORDINADOR_NACIONAL))
    nombres = " ".join(_nombres(client.get(URL)))
    assert "Jalisciense" in nombres
    assert "Capitalina" in nombres
    filtrado = _nombres(client.get(URL, {"entidad": entidad("09").pk}))
    assert len(filtrado) == 1
    assert "Capitalina" in filtrado[0]


@pytest.mark.parametrize(
    ("filtro", "esperados"),
    [
        ({"ambito": "municipal"}, ["Zapopano"]),
        ({"tipo": "municipio"}, ["Zapopano"]),
        ({"tipo": "poder_ejecutivo"}, ["Jalisciense"]),
        ({"clase": "sujeto_obligado", "ambito": "estatal"}, ["Jalisciense"]),
        ({"q": "  beto  "}, ["Zapopano"]),
        ({"q": "ana jalis"}, ["Jalisciense"]),
        ({"q": "nadie-se-llama-asi"}, []),
    ],
)
def test_filtros_de_organizacion_y_nombre(client, poblacion, filtro, esperados):
    client.force_login(_coordinador(Rol.COORDINADOR_ESTATAL, "14"))
    nombres = _nombres(client.get(URL, filtro))
    assert len(nombres) == len(esperados)
    for apellido, nombre in zip(esperados, nombres, strict=True):
        assert apellido in nombre


def test_filtro_por_organizacion_propia(client, poblacion):
    client.force_login(_coordinador(Rol.COORDINADOR_ESTATAL, "14"))
    nombres = _nombres(client.get(URL, {"organizacion": poblacion["org_zapopan"].pk}))
    assert len(nombres) == 1
    assert "Zapopano" in nombres[0]


@pytest.mark.parametrize(
    "filtro",
    [
        {"ambito": "galactico"},
        {"entidad": "no-es-numero"},
        {"organizacion": "999999"},
        {"q": "x" * 101},
    ],
)
def test_filtro_malformado_muestra_error_y_a_nadie(client, poblacion, filtro):
    client.force_login(_coordinador(Rol.COORDINADOR_NACIONAL))
    respuesta = client.get(URL, filtro)
    assert respuesta.status_code == 200
    assert _nombres(respuesta) == []
    assert "Corrija los filtros marcados" in respuesta.content.decode()


def test_el_coordinador_no_se_lista_a_si_mismo(client, poblacion):
    client.force_login(_coordinador(Rol.COORDINADOR_ESTATAL, "14"))
    assert not any("Coordinadora" in nombre for nombre in _nombres(client.get(URL)))


def test_personas_inactivas_no_aparecen(client, poblacion):
    poblacion["jalisco"].is_active = False
    poblacion["jalisco"].save()
    client.force_login(_coordinador(Rol.COORDINADOR_ESTATAL, "14"))
    assert "Jalisciense" not in " ".join(_nombres(client.get(URL)))


def test_post_no_esta_permitido(client):
    client.force_login(_coordinador(Rol.COORDINADOR_NACIONAL))
    assert client.post(URL).status_code == 405


def test_pagina_de_cincuenta_y_conserva_filtros(client):
    sujeto = SujetoObligadoFactory(entidad=entidad("14"))
    UsuarioFactory.create_batch(52, organizacion=sujeto, first_name="Lupita")
    client.force_login(_coordinador(Rol.COORDINADOR_ESTATAL, "14"))
    primera = client.get(URL, {"q": "lupita"})
    assert len(_nombres(primera)) == 50
    html = primera.content.decode()
    assert "52 personas encontradas." in html
    assert "q=lupita&amp;pagina=2" in html
    segunda = client.get(URL, {"q": "lupita", "pagina": "2"})
    assert len(_nombres(segunda)) == 2
    # A malformed or out-of-range page number falls back to a valid page.
    assert len(_nombres(client.get(URL, {"q": "lupita", "pagina": "abc"}))) == 50
    assert len(_nombres(client.get(URL, {"q": "lupita", "pagina": "999"}))) == 2


@pytest.mark.parametrize("cantidad", [3, 40])
def test_consultas_no_crecen_con_las_personas(client, django_assert_max_num_queries, cantidad):
    for clave in ("14", "09"):
        sujeto = SujetoObligadoFactory(entidad=entidad(clave))
        UsuarioFactory.create_batch(cantidad, organizacion=sujeto)
    client.force_login(_coordinador(Rol.COORDINADOR_ESTATAL, "14"))
    client.get(URL)  # first visit creates the site settings row and the admin profile
    with django_assert_max_num_queries(12):
        respuesta = client.get(URL, {"ambito": "estatal"})
    assert len(_nombres(respuesta)) == cantidad


def test_nacional_consultas_constantes_con_muchas_organizaciones(
    client, django_assert_max_num_queries
):
    for clave in ("14", "09", "20"):
        for _ in range(5):
            sujeto = SujetoObligadoFactory(entidad=entidad(clave))
            UsuarioFactory.create_batch(3, organizacion=sujeto)
    client.force_login(_coordinador(Rol.COORDINADOR_NACIONAL))
    client.get(URL)
    with django_assert_max_num_queries(12):
        respuesta = client.get(URL)
    assert len(_nombres(respuesta)) == 45


def test_organizaciones_agrupadas_por_entidad(client, poblacion):
    client.force_login(_coordinador(Rol.COORDINADOR_NACIONAL))
    sopa = BeautifulSoup(client.get(URL).content, "html.parser")
    grupos = {
        grupo["label"]: [o.get_text() for o in grupo.select("option")]
        for grupo in sopa.select("#id_organizacion optgroup")
    }
    assert "Ayuntamiento de Zapopan" in grupos["Jalisco"]
    assert "Secretaría de Salud CDMX" in grupos["Ciudad de México"]
