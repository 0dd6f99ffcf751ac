"""Every staff download of constancias leaves one audit entry; the holder's own does not."""

import pytest

from django.urls import reverse

from constancias import services
from lms.models import RegistroAuditoria
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db


@pytest.fixture
def emitidas(regla, inscribir):
    inscritas = [inscribir("09"), inscribir("09"), inscribir("14")]
    return services.emitir_constancias(
        regla=regla, inscripcion_ids=[i.pk for i in inscritas], notificar=False
    ).emitidas


def _descargar(client, url, **parametros):
    respuesta = client.get(url, parametros)
    assert respuesta.status_code == 200
    b"".join(respuesta.streaming_content)
    return respuesta


@pytest.mark.parametrize(
    ("vista", "accion"),
    [
        ("constancias:zip", RegistroAuditoria.Accion.DESCARGA_CONSTANCIAS_ZIP),
        ("constancias:impresion", RegistroAuditoria.Accion.DESCARGA_CONSTANCIAS_IMPRESION),
    ],
)
def test_zip_e_impresion_quedan_en_la_bitacora(
    client, regla, emitidas, coordinador_nacional, vista, accion
):
    client.force_login(coordinador_nacional)
    _descargar(client, reverse(vista, args=[regla.pk]), entidad=entidad("09").pk)

    registro = RegistroAuditoria.objects.get()
    assert (registro.usuario, registro.accion) == (coordinador_nacional, accion)
    assert registro.objeto == str(regla.pk)
    assert registro.filtros == {"regla": regla.pk, "entidad": entidad("09").pk}
    assert registro.filas == 2
    # Nothing about the people in the file: only the actor is named.
    for constancia in emitidas:
        assert constancia.usuario.email not in str(registro.filtros)


@pytest.mark.parametrize("vista", ["constancias:zip", "constancias:impresion"])
def test_descarga_rechazada_no_se_registra(client, regla, emitidas, coordinador_cdmx, vista):
    client.force_login(coordinador_cdmx)
    url = reverse(vista, args=[regla.pk])
    assert client.get(url, {"entidad": entidad("14").pk}).status_code == 404
    assert not RegistroAuditoria.objects.exists()


def test_coordinacion_que_descarga_la_constancia_de_otra_persona_queda_registrada(
    client, emitidas, coordinador_cdmx
):
    constancia = emitidas[0]
    client.force_login(coordinador_cdmx)
    _descargar(client, reverse("constancias:descargar", args=[constancia.folio]))

    registro = RegistroAuditoria.objects.get()
    assert (registro.usuario, registro.accion, registro.objeto) == (
        coordinador_cdmx,
        RegistroAuditoria.Accion.DESCARGA_CONSTANCIA,
        constancia.folio,
    )


def test_la_persona_que_descarga_su_propia_constancia_no_se_registra(client, emitidas):
    constancia = emitidas[0]
    client.force_login(constancia.usuario)
    _descargar(client, reverse("constancias:descargar", args=[constancia.folio]))
    assert not RegistroAuditoria.objects.exists()
