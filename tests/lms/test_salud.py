"""Health checks: a cheap, uninformative public answer; the detail only for monitoring."""

from unittest import mock

import pytest

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.urls import reverse

from lms import salud
from lms.celery import app
from lms.models import Rol
from tests.factories.personas import AsignacionRolFactory, UsuarioFactory

pytestmark = pytest.mark.django_db

TOKEN = "token-de-monitoreo-0123456789abcdef"


@pytest.fixture(autouse=True)
def _sin_memoria(settings):
    settings.LMS_SALUD_TOKEN = TOKEN
    salud.memoria.olvidar()
    yield
    salud.memoria.olvidar()


@pytest.fixture
def worker_en_proceso():
    # An eager app runs the ping in-process: the view's wiring (send, wait, compare) is what
    # this checks; CI's smoke test (.ci/humo) checks it against a real worker over Redis.
    antes = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = antes


def _detalle(client, consulta="", token=TOKEN):
    cabeceras = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(reverse("salud_detalle") + consulta, headers=cabeceras)


# --- Public answer -------------------------------------------------------------------


def test_salud_publica_responde_ok_sin_detalle(client):
    respuesta = client.get(reverse("salud"))
    assert respuesta.status_code == 200
    assert respuesta.json() == {"estado": "ok"}
    assert "no-cache" in respuesta["Cache-Control"] or "max-age=0" in respuesta["Cache-Control"]


def test_salud_publica_503_sin_decir_que_fallo(client):
    with mock.patch.object(app, "connection_for_write", side_effect=ConnectionRefusedError()):
        respuesta = client.get(reverse("salud"))
    assert respuesta.status_code == 503
    assert respuesta.json() == {"estado": "error"}


def test_salud_publica_no_escribe_en_el_almacenamiento(client):
    with mock.patch.object(default_storage, "save") as guardar:
        assert client.get(reverse("salud")).status_code == 200
    guardar.assert_not_called()


def test_salud_publica_con_worker_no_envia_tareas(client):
    with mock.patch.object(salud.ping_task, "apply_async") as enviar:
        respuesta = client.get(reverse("salud") + "?worker=1")
    enviar.assert_not_called()
    assert respuesta.json() == {"estado": "ok"}


def test_una_avalancha_de_consultas_publicas_revisa_los_servicios_una_vez(client, settings):
    settings.LMS_SALUD_CACHE_SEGUNDOS = 60
    with mock.patch.object(app, "connection_for_write", wraps=app.connection_for_write) as broker:
        codigos = [client.get(reverse("salud")).status_code for _ in range(20)]
    assert codigos == [200] * 20
    assert broker.call_count == 1


# --- Detail for monitoring -------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "otro-token", TOKEN[:-1]])
def test_detalle_sin_el_token_correcto_se_niega(client, token):
    respuesta = _detalle(client, token=token)
    assert respuesta.status_code == 403
    assert "base_de_datos" not in respuesta.json()
    assert "token de monitoreo" in respuesta.json()["mensaje"]


def test_detalle_sin_token_configurado_no_acepta_un_token_vacio(client, settings):
    settings.LMS_SALUD_TOKEN = ""
    respuesta = client.get(reverse("salud_detalle"), headers={"Authorization": "Bearer "})
    assert respuesta.status_code == 403


def test_detalle_con_token_da_cada_servicio(client):
    respuesta = _detalle(client)
    assert respuesta.status_code == 200
    assert respuesta.json() == {
        "estado": "ok",
        "base_de_datos": "ok",
        "broker": "ok",
        "cache": "ok",
        "almacenamiento": "ok",
    }


def test_detalle_con_sesion_de_administracion(client):
    administradora = UsuarioFactory()
    AsignacionRolFactory(usuario=administradora, rol=Rol.ADMINISTRADOR)
    client.force_login(administradora)
    respuesta = _detalle(client, token=None)
    assert respuesta.status_code == 200
    assert respuesta.json()["base_de_datos"] == "ok"


def test_detalle_se_niega_a_una_participante(client):
    client.force_login(UsuarioFactory())
    assert _detalle(client, token=None).status_code == 403


def test_detalle_503_si_el_almacenamiento_falla(client):
    with mock.patch.object(default_storage, "save", side_effect=OSError("No space left on device")):
        respuesta = _detalle(client)
    assert respuesta.status_code == 503
    assert respuesta.json()["almacenamiento"] == "error"
    assert respuesta.json()["estado"] == "error"


def test_detalle_503_si_el_broker_no_responde(client):
    with mock.patch.object(app, "connection_for_write", side_effect=ConnectionRefusedError()):
        respuesta = _detalle(client, "?worker=1")
    assert respuesta.status_code == 503
    assert respuesta.json()["broker"] == "error"
    assert respuesta.json()["worker"] == "error"


def test_detalle_no_revela_el_texto_del_error(client):
    with mock.patch.object(
        default_storage, "save", side_effect=OSError("/secreto/ruta password=abc")
    ):
        respuesta = _detalle(client)
    assert b"secreto" not in respuesta.content
    assert b"password" not in respuesta.content


def test_detalle_con_worker_ejecuta_la_tarea(client, worker_en_proceso):
    respuesta = _detalle(client, "?worker=1")
    assert respuesta.status_code == 200
    assert respuesta.json()["worker"] == "ok"


def test_un_solo_ping_en_curso_los_demas_reciben_la_ultima_respuesta(client, worker_en_proceso):
    assert _detalle(client, "?worker=1").json()["worker"] == "ok"
    # Another monitor's ping is under way: this request sends none and waits for none.
    cache.add(salud._CANDADO_PING, 1, timeout=30)
    with mock.patch.object(salud.ping_task, "apply_async") as enviar:
        respuesta = _detalle(client, "?worker=1")
    enviar.assert_not_called()
    assert respuesta.json()["worker"] == "ok"


def test_sin_respuesta_anterior_el_ping_en_curso_queda_pendiente(client):
    cache.add(salud._CANDADO_PING, 1, timeout=30)
    with mock.patch.object(salud.ping_task, "apply_async") as enviar:
        respuesta = _detalle(client, "?worker=1")
    enviar.assert_not_called()
    assert respuesta.status_code == 200
    assert respuesta.json()["worker"] == "pendiente"


def test_worker_que_no_contesta_se_reporta_y_su_ping_caduca(client, settings):
    settings.LMS_SALUD_TIMEOUT = "600"
    resultado = mock.Mock()
    resultado.get.side_effect = TimeoutError()
    with mock.patch.object(salud.ping_task, "apply_async", return_value=resultado) as enviar:
        respuesta = _detalle(client, "?worker=1")
    assert respuesta.status_code == 503
    assert respuesta.json()["worker"] == "error"
    # Bounded however it is configured, and the unconsumed ping expires with the wait.
    espera = resultado.get.call_args.kwargs["timeout"]
    assert espera <= salud.ESPERA_MAXIMA_WORKER
    assert enviar.call_args.kwargs["expires"] == espera
    # The lock is released: the next monitor may ping again.
    assert cache.add(salud._CANDADO_PING, 1, timeout=1)
