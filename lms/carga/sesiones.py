"""Logged-in sessions for load runs, shared by `manage.py carga` and `bench_evaluaciones`.

Knows only the people model, so any app's tooling may use it (imports point down).
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from lms.models import Usuario


@dataclass
class Participante:
    usuario_id: int
    sesion: str
    csrf: str
    intento_id: int = 0
    # What the server acknowledged (HTTP 200 on save), keyed like the form: "p<pregunta_id>".
    respuestas: dict[str, str] = field(default_factory=dict)


def abrir_sesiones(usuarios: list[Usuario]) -> list[Participante]:
    """Logged-in sessions written straight to the session table (no login storm)."""
    backend = settings.AUTHENTICATION_BACKENDS[0]
    almacen = SessionStore()
    expira = timezone.now() + datetime.timedelta(hours=6)
    sesiones, participantes = [], []
    for usuario in usuarios:
        clave = secrets.token_hex(16)
        datos = {
            SESSION_KEY: str(usuario.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: usuario.get_session_auth_hash(),
        }
        sesiones.append(
            Session(session_key=clave, session_data=almacen.encode(datos), expire_date=expira)
        )
        participantes.append(Participante(usuario.pk, clave, secrets.token_hex(16)))
    Session.objects.bulk_create(sesiones, batch_size=1000)
    return participantes
