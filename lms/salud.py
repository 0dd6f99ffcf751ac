"""Health checks: a cheap yes/no for load balancers, the detail for monitoring.

The public answer is what a balancer needs (can this host serve?) and nothing more: no
per-service state, no write, no task. It is remembered per process for a few seconds,
so a flood of requests costs one database query and one broker connection per process
and interval. The detail (each service, a write to storage, a ping through a worker) is
for monitoring with LMS_SALUD_TOKEN or an administrator's session.
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest

from lms.alcance import alcance_de
from lms.celery import app as celery_app
from lms.tasks import ping_task

logger = logging.getLogger(__name__)

OK = "ok"
ERROR = "error"
# Another request's ping is under way and no earlier answer is known yet.
PENDIENTE = "pendiente"

# However LMS_SALUD_TIMEOUT is set, a request never waits longer than this for a worker.
ESPERA_MAXIMA_WORKER = 15.0
_CANDADO_PING = "lms:salud:ping:en-curso"
_ULTIMO_PING = "lms:salud:ping:ultimo"


class _Memoria:
    """The last public answer of this process and when it was taken."""

    def __init__(self) -> None:
        self.candado = threading.Lock()
        self.sano: bool | None = None
        self.tomada_en = 0.0

    def olvidar(self) -> None:
        with self.candado:
            self.sano = None
            self.tomada_en = 0.0


memoria = _Memoria()


def _base_de_datos() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: database failed")
        return ERROR
    return OK


def _broker() -> str:
    try:
        with celery_app.connection_for_write() as conexion:
            conexion.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        logger.exception("Health check: broker failed")
        return ERROR
    return OK


def _cache() -> str:
    try:
        marca = uuid.uuid4().hex
        cache.set("lms:salud:cache", marca, timeout=30)
        if cache.get("lms:salud:cache") != marca:
            return ERROR
    except Exception:
        logger.exception("Health check: cache failed")
        return ERROR
    return OK


def _almacenamiento() -> str:
    try:
        nombre = default_storage.save(f"salud/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
        default_storage.delete(nombre)
    except Exception:
        logger.exception("Health check: storage failed")
        return ERROR
    return OK


def sano() -> bool:
    """Whether this host can serve requests (database and broker reachable).

    Answered from this process's memory while the last check is younger than
    LMS_SALUD_CACHE_SEGUNDOS; concurrent requests wait for one check instead of each
    running their own.
    """
    vigencia = float(settings.LMS_SALUD_CACHE_SEGUNDOS)
    with memoria.candado:
        if memoria.sano is not None and time.monotonic() - memoria.tomada_en < vigencia:
            return memoria.sano
        resultado = _base_de_datos() == OK and _broker() == OK
        memoria.sano = resultado
        memoria.tomada_en = time.monotonic()
        return resultado


def ping_worker() -> str:
    """Send one ping through the broker and wait, bounded, for a worker's answer.

    One ping is in flight for the whole deployment (a lock in the shared cache): a
    request that finds one under way gets the last known answer instead of sending
    another, so parallel monitors cannot pile tasks on the queue or hold web workers.
    The ping expires unconsumed after the same bound, so a dead worker leaves no backlog.
    """
    espera = min(float(settings.LMS_SALUD_TIMEOUT), ESPERA_MAXIMA_WORKER)
    try:
        propio = cache.add(_CANDADO_PING, 1, timeout=int(espera) + 5)
    except Exception:
        logger.exception("Health check: cache failed while locking the worker ping")
        return ERROR
    if not propio:
        return str(cache.get(_ULTIMO_PING, PENDIENTE))
    try:
        marca = uuid.uuid4().hex
        try:
            respuesta = ping_task.apply_async(args=[marca], expires=espera).get(timeout=espera)
            resultado = OK if respuesta == f"pong:{marca}" else ERROR
        except Exception:
            logger.exception("Health check: worker did not answer")
            resultado = ERROR
        cache.set(_ULTIMO_PING, resultado, timeout=300)
        return resultado
    finally:
        cache.delete(_CANDADO_PING)


def detalle(*, con_worker: bool) -> dict[str, str]:
    """Each service's state; with `con_worker`, also whether a worker answers a ping."""
    estado = {
        "base_de_datos": _base_de_datos(),
        "broker": _broker(),
        "cache": _cache(),
        "almacenamiento": _almacenamiento(),
    }
    if con_worker:
        estado["worker"] = ping_worker() if estado["broker"] == OK else ERROR
    return estado


def puede_ver_detalle(request: HttpRequest) -> bool:
    """A monitoring token (constant-time compare) or an administrator's session."""
    token = str(getattr(settings, "LMS_SALUD_TOKEN", "") or "")
    esquema, _, recibido = request.headers.get("Authorization", "").partition(" ")
    if (
        token
        and esquema.lower() == "bearer"
        and hmac.compare_digest(recibido.strip().encode(), token.encode())
    ):
        return True
    return alcance_de(request.user).es_administrador
