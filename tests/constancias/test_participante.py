"""Participants download their own constancias; coordinators only within their scope."""

import pytest

from django.test import RequestFactory
from django.urls import reverse

from constancias import services, views

pytestmark = pytest.mark.django_db


@pytest.fixture
def constancia(regla, inscripcion):
    [emitida] = services.emitir_constancias(regla=regla, inscripcion_ids=[inscripcion.pk]).emitidas
    return emitida


def _descargar(client, constancia):
    return client.get(reverse("constancias:descargar", args=[constancia.folio]))


def test_la_persona_descarga_el_archivo_guardado_sin_volver_a_generarlo(
    client, constancia, monkeypatch
):
    from constancias import pdf

    monkeypatch.setattr(pdf, "renderizar_constancias", None)  # any re-render would crash
    client.force_login(constancia.usuario)
    respuesta = _descargar(client, constancia)
    assert respuesta.status_code == 200
    assert respuesta["Content-Type"] == "application/pdf"
    assert b"".join(respuesta.streaming_content) == constancia.pdf.open("rb").read()


def test_otra_persona_recibe_404(client, constancia, inscribir):
    client.force_login(inscribir().usuario)
    assert _descargar(client, constancia).status_code == 404


def test_sin_sesion_pide_entrar(client, constancia):
    assert _descargar(client, constancia).status_code == 302


def test_coordinacion_de_la_entidad_descarga(client, constancia, coordinador_cdmx):
    client.force_login(coordinador_cdmx)
    assert _descargar(client, constancia).status_code == 200


def test_coordinacion_de_otra_entidad_recibe_404(client, constancia, coordinador_jalisco):
    client.force_login(coordinador_jalisco)
    assert _descargar(client, constancia).status_code == 404


def test_mis_constancias_lista_y_enlaza(client, constancia):
    client.force_login(constancia.usuario)
    html = client.get(reverse("constancias:mis_constancias")).content.decode()
    assert constancia.folio in html
    assert reverse("constancias:descargar", args=[constancia.folio]) in html


def test_seccion_de_mis_cursos(constancia):
    peticion = RequestFactory().get("/")
    peticion.user = constancia.usuario
    [panel] = views.seccion_mis_cursos(peticion, [constancia.inscripcion])
    assert panel["plantilla"] == "constancias/_seccion_mis_cursos.html"
    assert panel["contexto"]["constancias"] == [constancia]


def test_mis_cursos_muestra_la_seccion_de_constancias(client, constancia):
    client.force_login(constancia.usuario)
    html = client.get(reverse("cursos:mis_cursos")).content.decode()
    assert "Mis constancias" in html
    assert reverse("constancias:descargar", args=[constancia.folio]) in html


def test_revocar_desde_la_pantalla_pide_motivo(client, constancia, coordinador_nacional):
    client.force_login(coordinador_nacional)
    url = reverse("constancias:revocar", args=[constancia.pk])
    assert client.post(url, {"motivo": ""}).status_code == 400
    constancia.refresh_from_db()
    assert constancia.estado == "vigente"

    respuesta = client.post(url, {"motivo": "Se inscribió con datos de otra persona"})
    constancia.refresh_from_db()
    assert respuesta.status_code == 302
    assert constancia.estado == "revocada"
    assert constancia.revocada_por == coordinador_nacional
    assert "otra persona" in constancia.motivo_revocacion


def test_revocar_dos_veces_da_error_claro(client, constancia, coordinador_nacional):
    client.force_login(coordinador_nacional)
    url = reverse("constancias:revocar", args=[constancia.pk])
    client.post(url, {"motivo": "Primera revocación"})
    respuesta = client.post(url, {"motivo": "Segunda revocación"})
    assert respuesta.status_code == 400
    assert "ya no está vigente" in respuesta.content.decode()


def test_coordinacion_estatal_no_puede_revocar(client, constancia, coordinador_cdmx):
    client.force_login(coordinador_cdmx)
    url = reverse("constancias:revocar", args=[constancia.pk])
    assert client.post(url, {"motivo": "No me corresponde"}).status_code == 404
    with pytest.raises(services.ErrorConstancia):
        services.revocar_constancia(
            constancia=constancia, motivo="Intento", usuario=coordinador_cdmx
        )


def test_reemitir_da_folio_nuevo_y_conserva_la_anterior(client, constancia, coordinador_nacional):
    client.force_login(coordinador_nacional)
    client.post(
        reverse("constancias:reemplazar", args=[constancia.pk]), {"motivo": "Nombre corregido"}
    )
    constancia.refresh_from_db()
    nueva = constancia.reemplazada_por
    assert constancia.estado == "reemplazada"
    assert nueva.estado == "vigente"
    assert nueva.folio != constancia.folio
    assert nueva.codigo_verificacion != constancia.codigo_verificacion
    assert constancia.pdf.open("rb").read()  # the old file is kept
