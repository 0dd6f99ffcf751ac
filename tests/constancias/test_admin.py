"""Templates in the Wagtail admin: who edits them, validation, revisions and the preview."""

import datetime
import io

import pytest
from pypdf import PdfReader

from django.urls import reverse

from wagtail.test.utils.form_data import inline_formset, nested_form_data

from constancias.models import PlantillaConstancia
from lms import services as lms_services
from lms.models import NombreOrganizacion, Rol
from tests.factories import (
    ImagenFactory,
    OrganoGaranteFactory,
    PlantillaConstanciaFactory,
    UsuarioFactory,
)

pytestmark = pytest.mark.django_db

LISTA = "wagtailsnippets_constancias_plantillaconstancia:list"
ALTA = "wagtailsnippets_constancias_plantillaconstancia:add"
VISTA_PREVIA = "wagtailsnippets_constancias_plantillaconstancia:preview_on_add"


@pytest.fixture
def coordinador_nacional(client):
    usuario = UsuarioFactory()
    lms_services.asignar_rol(usuario=usuario, rol=Rol.COORDINADOR_NACIONAL)
    client.force_login(usuario)
    return usuario


def _formulario(**cambios):
    datos = {
        "nombre": "Constancia nacional 2026",
        "tamano": "letter",
        "orientacion": "landscape",
        "fondo": "",
        "titulo": "Constancia",
        "texto_previo": "otorga la presente constancia a",
        "cuerpo": "por acreditar el curso {curso} con {horas} horas.",
        "lugar_emision": "Ciudad de México",
        "prefijo_folio": "TP",
        "reverso_titulo": "Contenidos estudiados",
        "logotipos": inline_formset([]),
        "emisores": inline_formset(
            [{"organizacion": "", "nombre": "Sistema Nacional de Transparencia"}]
        ),
        "firmantes": inline_formset(
            [{"nombre": "Mtra. Ana Peña", "cargo": "Comisionada Presidenta", "firma": ""}]
        ),
    }
    datos.update(cambios)
    return nested_form_data(datos)


def test_coordinador_nacional_crea_plantilla_con_revision(client, coordinador_nacional):
    assert client.get(reverse(LISTA)).status_code == 200
    assert client.get(reverse(ALTA)).status_code == 200
    respuesta = client.post(reverse(ALTA), _formulario())
    assert respuesta.status_code == 302, respuesta.content.decode()[:2000]
    plantilla = PlantillaConstancia.objects.get()
    assert plantilla.revisions.count() == 1
    assert [f.nombre for f in plantilla.firmantes.all()] == ["Mtra. Ana Peña"]


def test_marcador_desconocido_se_rechaza_con_mensaje_claro(client, coordinador_nacional):
    respuesta = client.post(reverse(ALTA), _formulario(cuerpo="por acreditar {cursoo}"))
    assert respuesta.status_code == 200
    contenido = respuesta.content.decode()
    assert "Marcadores desconocidos: {cursoo}" in contenido
    assert not PlantillaConstancia.objects.exists()


def test_participante_no_edita_plantillas(client):
    client.force_login(UsuarioFactory())
    assert client.get(reverse(LISTA)).status_code in (302, 403)


def test_vista_previa_en_vivo_entrega_pdf_con_datos_de_muestra(client, coordinador_nacional):
    url = reverse(VISTA_PREVIA)
    respuesta = client.post(url, _formulario())
    assert respuesta.json()["is_valid"] is True
    respuesta = client.get(url, {"mode": "pdf"})
    assert respuesta["Content-Type"] == "application/pdf"
    texto = PdfReader(io.BytesIO(respuesta.content)).pages[0].extract_text()
    assert "Ñúñez O'Connor" in texto
    assert "27 de noviembre de 2026" in texto


def test_muestra_de_plantilla_en_pdf(client, coordinador_nacional):
    plantilla = PlantillaConstanciaFactory()
    plantilla.save_revision()
    url = reverse("constancias_muestra_plantilla", args=[plantilla.pk])
    respuesta = client.get(url)
    assert respuesta.status_code == 200
    assert respuesta["Content-Type"] == "application/pdf"
    assert "Mtra. Ana Peña" in PdfReader(io.BytesIO(respuesta.content)).pages[0].extract_text()


def test_muestra_con_imagen_faltante_muestra_error_y_no_pdf(client, coordinador_nacional):
    imagen = ImagenFactory()
    plantilla = PlantillaConstanciaFactory(fondo=imagen)
    plantilla.save_revision()
    imagen.file.storage.delete(imagen.file.name)
    respuesta = client.get(reverse("constancias_muestra_plantilla", args=[plantilla.pk]))
    assert respuesta.status_code == 200
    assert respuesta["Content-Type"].startswith("text/html")
    assert "No se pudo leer la imagen de fondo" in respuesta.content.decode()


def test_muestra_oculta_a_quien_no_edita_plantillas(client):
    plantilla = PlantillaConstanciaFactory()
    client.force_login(UsuarioFactory())
    url = reverse("constancias_muestra_plantilla", args=[plantilla.pk])
    assert client.get(url).status_code in (302, 404)


def test_emisor_imprime_el_nombre_vigente_en_la_fecha_de_emision():
    organo = OrganoGaranteFactory(nombre="Instituto de Transparencia del Estado")
    NombreOrganizacion.objects.create(
        organizacion=organo,
        nombre="Comisión Estatal de Acceso a la Información",
        vigente_desde=datetime.date(2010, 1, 1),
        vigente_hasta=datetime.date(2020, 12, 31),
    )
    plantilla = PlantillaConstanciaFactory(con_partes=False)
    plantilla.emisores.create(organizacion=organo)
    assert plantilla.diseno(fecha=datetime.date(2015, 6, 1))["emisores"] == [
        "Comisión Estatal de Acceso a la Información"
    ]
    assert plantilla.diseno(fecha=datetime.date(2026, 11, 27))["emisores"] == [
        "Instituto de Transparencia del Estado"
    ]


def test_diseno_incluye_imagenes_como_archivos_legibles():
    imagen = ImagenFactory()
    plantilla = PlantillaConstanciaFactory(fondo=imagen)
    plantilla.logotipos.create(imagen=ImagenFactory())
    diseno = plantilla.diseno(contenidos=["Tema 1"])
    assert diseno["fondo"].startswith("file://")
    assert len(diseno["logos"]) == 1
    assert diseno["contenidos"] == ["Tema 1"]


def test_emisor_sin_organizacion_ni_nombre_se_rechaza(client, coordinador_nacional):
    vacio = inline_formset([{"organizacion": "", "nombre": ""}])
    respuesta = client.post(reverse(ALTA), _formulario(emisores=vacio))
    assert respuesta.status_code == 200
    assert "Elija una organización del catálogo o escriba el nombre" in respuesta.content.decode()
    assert not PlantillaConstancia.objects.exists()
