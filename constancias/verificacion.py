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
from dataclasses import dataclass
from typing import Any, Protocol, cast

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils import timezone

PREFIJO = "constancias:verificacion"
NO_ENCONTRADA = "null"
CLAVE_GENERACION = f"{PREFIJO}:generacion"
CLAVE_PENDIENTES = "constancias:consultas:pendientes"
CLAVE_VACIANDO = "constancias:consultas:vaciando"
# A cached answer lives at most this long even if no invalidation reaches it (a deploy
# that changes the page's template, an edit made outside Django).
SEGUNDOS_RESPUESTA = 15 * 60
# A flush that takes longer than this (a dead worker) no longer blocks the next one.
SEGUNDOS_CANDADO = 5 * 60

# One round trip for a scan: count the visitor's address (fixed window, as
# cache.add + cache.incr do), and unless over the limit read the code's entry and, if
# it is of the current generation, append the lookup (its JSON closed with the entry's
# constancia id) to the log's buffer. An entry is "generation\nid\nhtml"; a code that
# names no constancia has "generation\nnull\n" and the one shared "not found" page.
ESCANEO_LUA = r"""
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) then return {n} end
local generacion = redis.call('GET', KEYS[3]) or '0'
local function partir(valor)
  if not valor then return nil end
  local a = string.find(valor, '\n', 1, true)
  local b = a and string.find(valor, '\n', a + 1, true)
  if not b or string.sub(valor, 1, a - 1) ~= generacion then return nil end
  return string.sub(valor, a + 1, b - 1), string.sub(valor, b + 1)
end
local id, html = partir(redis.call('GET', KEYS[2]))
if id == 'null' then
  local _, comun = partir(redis.call('GET', KEYS[5]))
  html = comun
end
if not html then return {n, generacion} end
redis.call('RPUSH', KEYS[4], ARGV[3] .. id .. '}')
return {n, generacion, html, id}
"""


# --- The answer per code --------------------------------------------------------------


def _clave_respuesta(codigo: str) -> str:
    resumen = hashlib.sha256(codigo.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return f"{PREFIJO}:{settings.LANGUAGE_CODE}:{resumen}"


def _clave_no_encontrada() -> str:
    return f"{PREFIJO}:{settings.LANGUAGE_CODE}:no-encontrada"


def _segundos() -> int:
    return int(getattr(settings, "CONSTANCIAS_VERIFICACION_SEGUNDOS", SEGUNDOS_RESPUESTA))


@dataclass(frozen=True)
class Escaneo:
    """What one scan found in the cache: over the limit, or the page (None on a miss)."""

    excedido: bool
    generacion: str = "0"
    html: str | None = None
    encontrada: bool = True


def _cliente_django(backend: RedisCache) -> RedisCacheClient:
    """The RedisCacheClient Django keeps per cache object (one per connection pool)."""
    # `_cache` is private to Django's RedisCache, so django-stubs leaves it out.
    return backend._cache  # type: ignore[attr-defined]


class _Redis:
    """The keys of this module straight on Redis, through one client per process.

    Django's RedisCache builds a client object on every call and pickles values; the
    hot path instead runs one Lua script (EVALSHA) per scan on values stored as text.
    """

    def __init__(self, backend: RedisCache) -> None:
        self.cliente = _cliente_django(backend).get_client(write=True)
        self.clave = backend.make_and_validate_key
        self.escaneo = self.cliente.register_script(ESCANEO_LUA)

    def escanear(
        self, *, clave_limite: str, limite: int, ventana: int, codigo: str, entrada: str
    ) -> Escaneo:
        claves = [
            self.clave(clave_limite),
            self.clave(_clave_respuesta(codigo)),
            self.clave(CLAVE_GENERACION),
            self.clave(CLAVE_PENDIENTES),
            self.clave(_clave_no_encontrada()),
        ]
        resultado = self.escaneo(keys=claves, args=[ventana, limite, entrada])
        if len(resultado) == 1:
            return Escaneo(excedido=True)
        if len(resultado) == 2:
            return Escaneo(excedido=False, generacion=resultado[1].decode())
        return Escaneo(
            excedido=False,
            generacion=resultado[1].decode(),
            html=resultado[2].decode(),
            encontrada=resultado[3] != NO_ENCONTRADA.encode(),
        )

    def leer(self, codigo: str) -> tuple[str | None, str | None, str]:
        # Django's client does not decode responses: values come back as bytes (or None).
        valor, comun, generacion = cast(
            list[bytes | None],
            self.cliente.mget(
                [
                    self.clave(_clave_respuesta(codigo)),
                    self.clave(_clave_no_encontrada()),
                    self.clave(CLAVE_GENERACION),
                ]
            ),
        )
        return (
            valor.decode() if valor else None,
            comun.decode() if comun else None,
            (generacion or b"0").decode(),
        )

    def guardar(self, clave: str, valor: str) -> None:
        segundos = _segundos()
        if segundos > 0:
            self.cliente.set(self.clave(clave), valor, ex=segundos)

    def nueva_generacion(self, generacion: str) -> None:
        self.cliente.set(self.clave(CLAVE_GENERACION), generacion)


class _Cache:
    """The same keys through Django's cache API (tests, the embedded mode)."""

    def leer(self, codigo: str) -> tuple[str | None, str | None, str]:
        claves = [_clave_respuesta(codigo), _clave_no_encontrada(), CLAVE_GENERACION]
        valores = cache.get_many(claves)
        return (
            valores.get(claves[0]),
            valores.get(claves[1]),
            str(valores.get(CLAVE_GENERACION) or "0"),
        )

    def guardar(self, clave: str, valor: str) -> None:
        cache.set(clave, valor, _segundos())

    def nueva_generacion(self, generacion: str) -> None:
        cache.set(CLAVE_GENERACION, generacion, None)


_CLIENTES: dict[int, _Redis] = {}


def _almacen() -> _Redis | _Cache:
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # One client per connection pool (Django keeps one cache object per thread).
        clave = id(_cliente_django(backend))
        if clave not in _CLIENTES:
            _CLIENTES[clave] = _Redis(backend)
        return _CLIENTES[clave]
    return _Cache()


def _partir(valor: str | None, generacion: str) -> tuple[str, str] | None:
    """(constancia id or "null", html) of a stored entry if it belongs to `generacion`."""
    if not valor:
        return None
    partes = valor.split("\n", 2)
    if len(partes) != 3 or partes[0] != generacion:
        return None
    return partes[1], partes[2]


def escanear(
    *, codigo: str, clave_limite: str, limite: int, ventana: int, entrada: Any
) -> Escaneo | None:
    """The scan's whole cache work in one round trip, or None without Redis.

    `entrada` builds the lookup's log entry; the script appends it only on a hit.
    """
    almacen = _almacen()
    if not isinstance(almacen, _Redis) or pendientes() is None:
        return None
    return almacen.escanear(
        clave_limite=clave_limite,
        limite=limite,
        ventana=ventana,
        codigo=codigo,
        entrada=entrada(),
    )


def respuesta_guardada(codigo: str) -> tuple[dict[str, Any] | None, str]:
    """The cached page of `codigo` if still current ({"html", "constancia"}, the id None
    for a code that names no constancia), and the current generation, read together in
    one round trip to the cache.

    The generation is read before the database: a page rendered from it and stored
    with it is dropped by any invalidation that happened in between.
    """
    valor, comun, generacion = _almacen().leer(codigo)
    partes = _partir(valor, generacion)
    if partes is None:
        return None, generacion
    identificador, html = partes
    if identificador == NO_ENCONTRADA:
        pagina_comun = _partir(comun, generacion)
        if pagina_comun is None:
            return None, generacion
        return {"html": pagina_comun[1], "constancia": None}, generacion
    return {"html": html, "constancia": int(identificador)}, generacion


def pagina_no_encontrada(generacion: str) -> str | None:
    """The shared "not found" page, if one of `generacion` is kept."""
    _valor, comun, _actual = _almacen().leer("")
    partes = _partir(comun, generacion)
    return partes[1] if partes else None


def guardar_respuesta(
    codigo: str, html: str, generacion: str, *, constancia_id: int | None
) -> None:
    """Keep the page of `codigo` as rendered in `generacion`.

    A code that names no constancia keeps only a marker; its page, the same for every
    such code, is kept once. Codes are 128 random bits chosen when a constancia is
    issued, so no marker can exist for the code of a constancia issued later.
    """
    almacen = _almacen()
    if constancia_id is None:
        almacen.guardar(_clave_no_encontrada(), f"{generacion}\n{NO_ENCONTRADA}\n{html}")
        almacen.guardar(_clave_respuesta(codigo), f"{generacion}\n{NO_ENCONTRADA}\n")
    else:
        almacen.guardar(_clave_respuesta(codigo), f"{generacion}\n{constancia_id}\n{html}")


def invalidar_verificacion() -> None:
    """Make every cached answer stale: the one entry point for changes to what pages show.

    It sets a new generation (the clock in nanoseconds) instead of deleting one code's
    key: a request that read the old generation and the old row before the change
    committed would otherwise store its stale page right after the deletion. Pages of
    an older generation never match again, even if the generation key is evicted and
    read back as "0". Changes are rare (a revocation, a replacement, the site's name),
    so dropping every page costs one re-render per code afterwards.
    """
    _almacen().nueva_generacion(str(time.time_ns()))


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
    almacen = _almacen()
    if isinstance(almacen, _Redis):
        return PendientesRedis(almacen.cliente, almacen.clave(CLAVE_PENDIENTES))
    if isinstance(caches["default"], LocMemCache):
        return _EN_MEMORIA
    return None


def entrada_de_consulta(
    *, medio: str, constancia_id: int | None, dato: str, ip: str | None, agente: str
) -> str:
    """One lookup serialized for the buffer, stamped with its time and a UUID."""
    return _entrada(medio=medio, dato=dato, ip=ip, agente=agente) + json.dumps(constancia_id) + "}"


def prefijo_de_consulta(*, medio: str, dato: str, ip: str | None, agente: str) -> str:
    """The same entry without its constancia id and closing brace (the Lua script adds them)."""
    return _entrada(medio=medio, dato=dato, ip=ip, agente=agente)


def _entrada(*, medio: str, dato: str, ip: str | None, agente: str) -> str:
    datos = {
        "clave": uuid.uuid4().hex,
        "medio": medio,
        "dato": dato[:100],
        "ip": ip,
        "agente": agente[:255],
        "en": timezone.now().isoformat(),
    }
    return json.dumps(datos, separators=(",", ":"))[:-1] + ',"constancia":'


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
