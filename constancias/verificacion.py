"""The public verification page's hot path: its answer cached per code, its lookups buffered.

Every QR scan opens the page, so a repeated scan must not reach the database:

* **The answer per code.** The page a visitor without cookies receives (no session, no
  messages, nothing personal in the header) is kept in the configured cache per code,
  with the generation it was rendered in. `invalidar_verificacion` is the one entry
  point that makes them stale, called after a revocation or replacement commits and when
  the site's name (shown on the page) changes. Only constancias that exist are kept; an
  unknown code always asks the database, so issuing a constancia needs no invalidation.
* **The lookup log.** With a Redis cache (production) each lookup is appended to a Redis
  list and `constancias.services.guardar_consultas` (celery beat, every minute) writes
  them in batches; each entry carries a UUID, so a flush repeated after a crash inserts
  it once. With the in-process cache of the tests and of a single process the list lives
  in memory; with any other cache (the embedded mode's database cache) each lookup is
  written at once, as before.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone
from django.utils.translation import get_language

PREFIJO = "constancias:verificacion"
CLAVE_GENERACION = f"{PREFIJO}:generacion"
CLAVE_PENDIENTES = "constancias:consultas:pendientes"
CLAVE_VACIANDO = "constancias:consultas:vaciando"
# A cached answer lives at most this long even if no invalidation reaches it (a deploy
# that changes the page's template, an edit made outside Django).
SEGUNDOS_RESPUESTA = 15 * 60
# A flush that takes longer than this (a dead worker) no longer blocks the next one.
SEGUNDOS_CANDADO = 5 * 60


# --- The answer per code --------------------------------------------------------------


def _clave_respuesta(codigo: str) -> str:
    resumen = hashlib.sha256(codigo.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return f"{PREFIJO}:{get_language() or settings.LANGUAGE_CODE}:{resumen}"


def respuesta_guardada(codigo: str) -> tuple[dict[str, Any] | None, str]:
    """The cached page of `codigo` if still current ({"html", "constancia"}), and the
    current generation, read together in one round trip to the cache.

    The generation is read before the database: a page rendered from it and stored
    with it is dropped by any invalidation that happened in between.
    """
    clave = _clave_respuesta(codigo)
    valores = cache.get_many([clave, CLAVE_GENERACION])
    generacion = str(valores.get(CLAVE_GENERACION) or "0")
    guardada = valores.get(clave)
    if isinstance(guardada, dict) and guardada.get("generacion") == generacion:
        return guardada, generacion
    return None, generacion


def guardar_respuesta(codigo: str, html: str, generacion: str, *, constancia_id: int) -> None:
    """Keep the page of `codigo` (a constancia that exists) as rendered in `generacion`."""
    cache.set(
        _clave_respuesta(codigo),
        {"html": html, "generacion": generacion, "constancia": constancia_id},
        getattr(settings, "CONSTANCIAS_VERIFICACION_SEGUNDOS", SEGUNDOS_RESPUESTA),
    )


def invalidar_verificacion() -> None:
    """Make every cached answer stale: the one entry point for changes to what pages show.

    It sets a new generation (the clock in nanoseconds) instead of deleting one code's
    key: a request that read the old generation and the old row before the change
    committed would otherwise store its stale page right after the deletion. Pages of
    an older generation never match again, even if the generation key is evicted and
    read back as "0". Changes are rare (a revocation, a replacement, the site's name),
    so dropping every page costs one re-render per code afterwards.
    """
    cache.set(CLAVE_GENERACION, str(time.time_ns()), None)


# --- The lookup log buffer ---------------------------------------------------------------


class Pendientes(Protocol):
    """A FIFO of serialized lookups: appended by web processes, drained by one flusher."""

    def anotar(self, entrada: str) -> None: ...

    def leer(self, cantidad: int) -> list[str]: ...

    def quitar(self, cantidad: int) -> None: ...

    def cantidad(self) -> int: ...


class PendientesRedis:
    """A Redis list: RPUSH per lookup; the flusher reads the head, then trims what it saved."""

    def __init__(self, cliente: Any, clave: str) -> None:
        self.cliente = cliente
        self.clave = clave

    def anotar(self, entrada: str) -> None:
        self.cliente.rpush(self.clave, entrada)

    def leer(self, cantidad: int) -> list[str]:
        return [
            e.decode() if isinstance(e, bytes) else e
            for e in self.cliente.lrange(self.clave, 0, cantidad - 1)
        ]

    def quitar(self, cantidad: int) -> None:
        self.cliente.ltrim(self.clave, cantidad, -1)

    def cantidad(self) -> int:
        return int(self.cliente.llen(self.clave))


class PendientesEnMemoria:
    """The same FIFO inside this process, for the in-process cache (tests, one process)."""

    def __init__(self) -> None:
        self.entradas: list[str] = []
        self.candado = threading.Lock()

    def anotar(self, entrada: str) -> None:
        with self.candado:
            self.entradas.append(entrada)

    def leer(self, cantidad: int) -> list[str]:
        with self.candado:
            return self.entradas[:cantidad]

    def quitar(self, cantidad: int) -> None:
        with self.candado:
            del self.entradas[:cantidad]

    def cantidad(self) -> int:
        with self.candado:
            return len(self.entradas)


_EN_MEMORIA = PendientesEnMemoria()


def pendientes() -> Pendientes | None:
    """Where lookups wait for the next flush, or None when each is written at once."""
    if not getattr(settings, "CONSTANCIAS_CONSULTAS_EN_LOTE", True):
        return None
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        cliente = backend._cache.get_client(write=True)  # Django's own redis-py client
        return PendientesRedis(cliente, backend.make_and_validate_key(CLAVE_PENDIENTES))
    if isinstance(backend, LocMemCache):
        return _EN_MEMORIA
    return None


def entrada_de_consulta(
    *, medio: str, constancia_id: int | None, dato: str, ip: str | None, agente: str
) -> str:
    """One lookup serialized for the buffer, stamped with its time and a UUID."""
    return json.dumps(
        {
            "clave": uuid.uuid4().hex,
            "medio": medio,
            "constancia": constancia_id,
            "dato": dato[:100],
            "ip": ip,
            "agente": agente[:255],
            "en": timezone.now().isoformat(),
        },
        separators=(",", ":"),
    )


@contextmanager
def candado_de_vaciado() -> Iterator[bool]:
    """True inside if this process holds the flush lock (one flusher at a time)."""
    ficha = uuid.uuid4().hex
    obtenido = cache.add(CLAVE_VACIANDO, ficha, SEGUNDOS_CANDADO)
    try:
        yield obtenido
    finally:
        if obtenido and cache.get(CLAVE_VACIANDO) == ficha:
            cache.delete(CLAVE_VACIANDO)
