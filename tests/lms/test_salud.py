"""The health endpoint reports database, broker and storage, and 503 when one fails."""

from unittest import mock

import pytest

from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_salud_ok_con_todos_los_componentes(client):
    respuesta = client.get(reverse("salud"))
    assert respuesta.status_code == 200
    datos = respuesta.json()
    assert datos == {
        "estado": "ok",
        "base_de_datos": "ok",
        "broker": "ok",
        "almacenamiento": "ok",
    }
    assert "no-cache" in respuesta["Cache-Control"] or "max-age=0" in respuesta["Cache-Control"]


def test_salud_503_si_el_almacenamiento_falla(client):
    with mock.patch(
        "lms.views.default_storage.save", side_effect=OSError("No space left on device")
    ):
        respuesta = client.get(reverse("salud"))
    assert respuesta.status_code == 503
    assert respuesta.json()["almacenamiento"] == "error"
    assert respuesta.json()["estado"] == "error"


def test_salud_503_si_el_broker_no_responde(client, settings):
    from lms.celery import app

    with mock.patch.object(app, "connection_for_write", side_effect=ConnectionRefusedError()):
        respuesta = client.get(reverse("salud"))
    assert respuesta.status_code == 503
    assert respuesta.json()["broker"] == "error"


def test_salud_con_worker_ejecuta_la_tarea(client):
    from lms.celery import app

    # An eager app runs the ping in-process: the view's wiring (send, wait, compare) is what
    # this checks; CI's smoke test (.ci/humo) checks it against a real worker over Redis.
    eager_antes = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        respuesta = client.get(reverse("salud") + "?worker=1")
    finally:
        app.conf.task_always_eager = eager_antes
    assert respuesta.status_code == 200
    assert respuesta.json()["worker"] == "ok"


def test_salud_no_revela_detalles_del_error(client):
    with mock.patch(
        "lms.views.default_storage.save", side_effect=OSError("/secreto/ruta password=abc")
    ):
        respuesta = client.get(reverse("salud"))
    assert b"secreto" not in respuesta.content
    assert b"password" not in respuesta.content
