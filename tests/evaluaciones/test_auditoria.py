"""Each download of an evaluation's results or answers leaves exactly one audit entry."""

import pytest

from django.urls import reverse

from evaluaciones import services
from lms.models import RegistroAuditoria, Rol
from tests.factories import AsignacionRolFactory, UsuarioFactory
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.factories.evaluaciones_cursos import iniciar

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluacion():
    evaluacion = evaluacion_con(pregunta_con_opciones(), pregunta_con_opciones())
    for _ in range(3):
        persona = UsuarioFactory()
        intento = iniciar(evaluacion, persona)
        services.enviar_intento(intento_id=intento.pk, usuario=persona)
    return evaluacion


@pytest.mark.parametrize(
    ("vista", "accion"),
    [
        ("evaluaciones:resultados_csv", RegistroAuditoria.Accion.DESCARGA_RESULTADOS),
        ("evaluaciones:respuestas_csv", RegistroAuditoria.Accion.DESCARGA_RESPUESTAS),
    ],
)
def test_cada_descarga_queda_en_la_bitacora(client, evaluacion, vista, accion):
    url = reverse(vista, args=[evaluacion.pk])
    client.force_login(UsuarioFactory())
    assert client.get(url).status_code == 403
    assert not RegistroAuditoria.objects.exists()

    coordinador = AsignacionRolFactory(rol=Rol.COORDINADOR_NACIONAL).usuario
    client.force_login(coordinador)
    respuesta = client.get(url)
    assert respuesta.status_code == 200
    b"".join(respuesta.streaming_content)

    registro = RegistroAuditoria.objects.get()
    assert (registro.usuario, registro.accion) == (coordinador, accion)
    assert registro.objeto == str(evaluacion.pk)
    assert registro.filtros == {"evaluacion": evaluacion.pk}
    assert registro.filas == 3
