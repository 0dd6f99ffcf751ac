"""Public verification: by QR link, by folio and code, by uploaded PDF; logged, rate limited."""

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from constancias import pdf, services
from constancias.models import VerificacionConsulta

pytestmark = pytest.mark.django_db


@pytest.fixture
def constancia(regla, inscripcion):
    [emitida] = services.emitir_constancias(regla=regla, inscripcion_ids=[inscripcion.pk]).emitidas
    return emitida


def _url(constancia):
    return reverse("constancias:verificar", args=[constancia.codigo_verificacion])


def test_el_qr_lleva_a_una_pagina_publica_con_la_constancia_valida(client, constancia):
    respuesta = client.get(constancia.datos["url_verificacion"].removeprefix("http://testserver"))
    html = respuesta.content.decode()

    assert respuesta.status_code == 200
    assert "Constancia válida" in html
    assert constancia.folio in html
    assert "Transparencia" in html  # the course title
    assert "Sistema Nacional de Transparencia" in html  # issuer from the snapshot
    assert pdf.fecha_es(constancia.edicion.fecha_fin) in html  # dates written in Spanish
    usuario = constancia.usuario
    assert usuario.email not in html
    consulta = VerificacionConsulta.objects.get()
    assert consulta.constancia == constancia
    assert consulta.medio == VerificacionConsulta.Medio.ENLACE


def test_nunca_muestra_la_curp(client, constancia):
    type(constancia.usuario).objects.filter(pk=constancia.usuario_id).update(
        curp="PEGJ850101HDFRNN09"
    )
    assert "PEGJ850101HDFRNN09" not in client.get(_url(constancia)).content.decode()


def test_codigo_inexistente_no_corresponde(client, constancia):
    respuesta = client.get(reverse("constancias:verificar", args=["no-existe-1234567890"]))
    assert respuesta.status_code == 404
    assert "No corresponde a ninguna constancia" in respuesta.content.decode()
    assert VerificacionConsulta.objects.get().encontrada is False


def test_folio_y_codigo_por_formulario(client, constancia):
    url = reverse("constancias:verificar_formulario")
    bien = client.get(
        url,
        {"folio": constancia.folio.lower(), "codigo": constancia.datos["url_verificacion"]},
    )
    mal = client.get(url, {"folio": "TP-2026-000999", "codigo": constancia.codigo_verificacion})

    assert "Constancia válida" in bien.content.decode()
    assert mal.status_code == 404
    assert client.get(url, {"folio": "", "codigo": ""}).status_code == 400


def test_pdf_original_subido_es_valido(client, constancia):
    archivo = SimpleUploadedFile("c.pdf", constancia.pdf.open("rb").read(), "application/pdf")
    respuesta = client.post(reverse("constancias:verificar_formulario"), {"archivo": archivo})
    assert "Constancia válida" in respuesta.content.decode()
    assert VerificacionConsulta.objects.get().medio == VerificacionConsulta.Medio.ARCHIVO


def test_pdf_alterado_no_corresponde(client, constancia):
    contenido = constancia.pdf.open("rb").read().replace(b"/Title", b"/Titlf", 1)
    archivo = SimpleUploadedFile("c.pdf", contenido, "application/pdf")
    respuesta = client.post(reverse("constancias:verificar_formulario"), {"archivo": archivo})
    assert respuesta.status_code == 404
    assert "No corresponde a ninguna constancia" in respuesta.content.decode()


def test_archivo_que_no_es_pdf_da_error_claro(client, constancia):
    archivo = SimpleUploadedFile("c.pdf", b"hola", "application/pdf")
    respuesta = client.post(reverse("constancias:verificar_formulario"), {"archivo": archivo})
    assert respuesta.status_code == 400
    assert "no es un PDF" in respuesta.content.decode()
    assert not VerificacionConsulta.objects.exists()


def test_revocada_se_muestra_revocada_con_fecha(client, constancia, coordinador_nacional):
    services.revocar_constancia(
        constancia=constancia, motivo="Datos incorrectos", usuario=coordinador_nacional
    )
    html = client.get(_url(constancia)).content.decode()
    assert "Constancia revocada" in html
    assert "Constancia válida" not in html
    assert "revocada el" in html


def test_reemplazada_enlaza_a_la_nueva(client, constancia, coordinador_nacional):
    nueva = services.reemplazar_constancia(
        constancia=constancia, motivo="Corrección del nombre", usuario=coordinador_nacional
    )
    html = client.get(_url(constancia)).content.decode()
    assert "Constancia reemplazada" in html
    assert _url(nueva) in html
    assert "Constancia válida" in client.get(_url(nueva)).content.decode()


def test_muchas_consultas_reciben_429_en_espanol(client, constancia, settings):
    settings.CONSTANCIAS_LIMITE_VERIFICACION = (3, 60)
    for _ in range(3):
        assert client.get(reverse("constancias:verificar", args=["adivina"])).status_code == 404
    respuesta = client.get(_url(constancia))
    assert respuesta.status_code == 429
    assert "Demasiadas consultas" in respuesta.content.decode()
    assert VerificacionConsulta.objects.count() == 3
