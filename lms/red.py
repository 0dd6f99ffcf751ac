"""The client's address, the one every rate limit and record of who asked is keyed on.

Behind a reverse proxy REMOTE_ADDR is the proxy's address, so every visitor would share
one bucket; X-Forwarded-For names the visitor, but anyone can send that header. It is
believed only as far as it was written by proxies listed in LMS_PROXIES_CONFIABLES.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core import checks
from django.http import HttpRequest

Red = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _redes(entradas: tuple[str, ...]) -> tuple[Red, ...]:
    return tuple(ipaddress.ip_network(entrada, strict=False) for entrada in entradas)


def _proxies_confiables() -> tuple[Red, ...]:
    return _redes(tuple(settings.LMS_PROXIES_CONFIABLES))


def _normalizar(texto: str) -> str | None:
    """An address as written by a proxy ("1.2.3.4", "1.2.3.4:5678", "[2001:db8::1]:443")."""
    texto = texto.strip()
    if texto.startswith("["):
        texto = texto[1:].split("]", 1)[0]
    elif texto.count(":") == 1:
        texto = texto.split(":", 1)[0]
    try:
        direccion = ipaddress.ip_address(texto)
    except ValueError:
        return None
    if isinstance(direccion, ipaddress.IPv6Address) and direccion.ipv4_mapped:
        direccion = direccion.ipv4_mapped
    return str(direccion)


def _es_confiable(direccion: str, redes: tuple[Red, ...]) -> bool:
    ip = ipaddress.ip_address(direccion)
    return any(ip in red for red in redes)


def direccion_cliente(request: HttpRequest) -> str:
    """The visitor's IP address; "" only when the server gave none.

    Only when the peer is a trusted proxy, X-Forwarded-For is read from the right (the
    entry the nearest proxy appended) past further trusted proxies; the first address
    that is not one is the client. Entries to its left were written by the client and are
    never believed. From any other peer the header is ignored.
    """
    remota = _normalizar(request.META.get("REMOTE_ADDR") or "")
    if remota is None:
        return ""
    redes = _proxies_confiables()
    if not redes or not _es_confiable(remota, redes):
        return remota
    cliente = remota
    reenvios = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entrada in reversed(reenvios.split(",")):
        direccion = _normalizar(entrada)
        if direccion is None:
            # A trusted proxy wrote something that is not an address: stop at that proxy.
            break
        cliente = direccion
        if not _es_confiable(direccion, redes):
            break
    return cliente


@checks.register(checks.Tags.security)
def revisar_proxies_confiables(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every LMS_PROXIES_CONFIABLES entry must be an IP address or network."""
    errores: list[checks.CheckMessage] = []
    for entrada in settings.LMS_PROXIES_CONFIABLES:
        try:
            ipaddress.ip_network(entrada, strict=False)
        except ValueError:
            errores.append(
                checks.Error(
                    f"LMS_PROXIES_CONFIABLES: «{entrada}» no es una dirección IP ni una red.",
                    hint="Use direcciones o redes CIDR separadas por comas, p. ej. "
                    "10.0.0.5,10.0.1.0/24.",
                    id="lms.E105",
                )
            )
    return errores
