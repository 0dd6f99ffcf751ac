"""Email goes through Celery: queued on commit, sent by the worker's task."""

import pytest

from django.core import mail
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction

from lms.tasks import enviar_correo_task

pytestmark = pytest.mark.django_db


def _mensaje():
    mensaje = EmailMultiAlternatives(
        subject="Confirme su correo — Capacitación",
        body="Hola, José Ñúñez: confirme su cuenta.",
        from_email="no-responder@ejemplo.mx",
        to=["jose@ejemplo.mx"],
        headers={"X-Lms": "1"},
    )
    mensaje.attach_alternative("<p>Hola, José Ñúñez</p>", "text/html")
    return mensaje


def test_el_backend_encola_el_correo_al_confirmar_la_transaccion(
    django_capture_on_commit_callbacks, monkeypatch
):
    encolados = []
    monkeypatch.setattr(enviar_correo_task, "delay", lambda datos: encolados.append(datos))
    conexion = get_connection("lms.correo.CeleryEmailBackend")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        assert conexion.send_messages([_mensaje()]) == 1
        assert encolados == []
    assert len(encolados) == 1
    assert encolados[0]["to"] == ["jose@ejemplo.mx"]
    assert encolados[0]["alternatives"] == [["<p>Hola, José Ñúñez</p>", "text/html"]]


def _enviar_y_fallar(conexion):
    with transaction.atomic():
        conexion.send_messages([_mensaje()])
        raise RuntimeError("falla después de enviar")


def test_no_se_encola_si_la_transaccion_se_revierte(
    django_capture_on_commit_callbacks, monkeypatch
):
    encolados = []
    monkeypatch.setattr(enviar_correo_task, "delay", lambda datos: encolados.append(datos))
    conexion = get_connection("lms.correo.CeleryEmailBackend")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        _enviar_y_fallar(conexion)
    assert encolados == []


def test_la_tarea_envia_el_mensaje_completo():
    from lms.correo import serializar_mensaje

    resultado = enviar_correo_task.apply(args=[serializar_mensaje(_mensaje())])
    assert resultado.successful()
    assert len(mail.outbox) == 1
    enviado = mail.outbox[0]
    assert enviado.subject == "Confirme su correo — Capacitación"
    assert "José Ñúñez" in enviado.body
    assert enviado.alternatives[0][0] == "<p>Hola, José Ñúñez</p>"
    assert enviado.extra_headers["X-Lms"] == "1"
