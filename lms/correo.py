"""Email backend that hands each message to a Celery worker."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction


def serializar_mensaje(mensaje: EmailMessage) -> dict[str, Any]:
    alternativas = [
        [contenido, tipo] for contenido, tipo in getattr(mensaje, "alternatives", []) or []
    ]
    return {
        "subject": str(mensaje.subject),
        "body": str(mensaje.body),
        "from_email": mensaje.from_email,
        "to": list(mensaje.to),
        "cc": list(mensaje.cc),
        "bcc": list(mensaje.bcc),
        "reply_to": list(mensaje.reply_to),
        "headers": dict(mensaje.extra_headers),
        "alternatives": alternativas,
    }


def reconstruir_mensaje(datos: dict[str, Any]) -> EmailMultiAlternatives:
    mensaje = EmailMultiAlternatives(
        subject=datos["subject"],
        body=datos["body"],
        from_email=datos["from_email"],
        to=datos["to"],
        cc=datos["cc"],
        bcc=datos["bcc"],
        reply_to=datos["reply_to"],
        headers=datos["headers"],
    )
    for contenido, tipo in datos["alternatives"]:
        mensaje.attach_alternative(contenido, tipo)
    return mensaje


class CeleryEmailBackend(BaseEmailBackend):
    """Queues messages after the current transaction commits; the worker sends them."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from lms.tasks import enviar_correo_task

        enviados = 0
        for mensaje in email_messages:
            datos = serializar_mensaje(mensaje)
            transaction.on_commit(partial(enviar_correo_task.delay, datos))
            enviados += 1
        return enviados
