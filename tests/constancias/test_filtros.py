"""The ZIP and print downloads of a rule: malformed filters are a 400, foreign ones a 404."""

import io
import zipfile

import pytest

from django.urls import reverse

from constancias import services
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db


@pytest.fixture
def emitidas(regla, inscribir):
    inscripciones = [inscribir("14"), inscribir("09")]
    return services.emitir_constancias(
        regla=regla, inscripcion_ids=[i.pk for i in inscripciones]
    ).emitidas


@pytest.mark.parametrize("vista", ["constancias:zip", "constancias:impresion"])
@pytest.mark.parametrize("campo", ["entidad", "organizacion"])
@pytest.mark.parametrize("valor", ["abc", "1.5", "²", "99999999999999999999"])
def test_filtro_malformado_da_400_en_espanol_sin_archivo(
    client, regla, emitidas, coordinador_nacional, excepciones, vista, campo, valor
):
    client.force_login(coordinador_nacional)
    respuesta = client.get(reverse(vista, args=[regla.pk]), {campo: valor})
    assert respuesta.status_code == 400
    assert "no es válido" in respuesta.content.decode()
    assert "Content-Disposition" not in respuesta
    assert excepciones == []


def test_organizacion_de_otra_entidad_es_404_para_la_coordinacion_estatal(
    client, regla, emitidas, coordinador_jalisco
):
    de_cdmx = next(c for c in emitidas if c.usuario.entidad.clave_inegi == "09")
    client.force_login(coordinador_jalisco)
    url = reverse("constancias:zip", args=[regla.pk])
    respuesta = client.get(url, {"organizacion": de_cdmx.usuario.organizacion_id})
    assert respuesta.status_code == 404
    assert "Content-Disposition" not in respuesta


def test_filtros_validos_siguen_descargando(client, regla, emitidas, coordinador_nacional):
    client.force_login(coordinador_nacional)
    url = reverse("constancias:zip", args=[regla.pk])
    de_jalisco = next(c for c in emitidas if c.usuario.entidad.clave_inegi == "14")
    for filtro in (
        {"entidad": entidad("14").pk},
        {"organizacion": de_jalisco.usuario.organizacion_id},
    ):
        respuesta = client.get(url, filtro)
        archivo = zipfile.ZipFile(io.BytesIO(b"".join(respuesta.streaming_content)))
        assert [n.split("/")[1] for n in archivo.namelist()] == [f"{de_jalisco.folio}.pdf"]
