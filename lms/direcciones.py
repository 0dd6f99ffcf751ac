"""The site's one public address: every absolute link the platform hands out starts here.

The address is ``settings.WAGTAILADMIN_BASE_URL``, read from the environment variable
``LMS_BASE_URL`` (``make run`` sets it from its HOST and PORT). Wagtail reads it under that
name for its own e-mails; the QR and printed URL of constancias, the e-mails of allauth,
invitations, weekly reports and notifications, whether built in a request or in a Celery
worker, read it through this module. A link is never built from the incoming request: the
host a request arrived at (a proxy's, a container's) need not be the one people can reach.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


def base_publica() -> str:
    """The configured public address, without a trailing slash."""
    return str(settings.WAGTAILADMIN_BASE_URL).rstrip("/")


def url_publica(ruta: str) -> str:
    """The absolute public URL of a site path, as `reverse()` returns it."""
    if not ruta.startswith("/"):
        raise ValueError(f"Se esperaba una ruta que empiece con «/»: {ruta!r}")
    return base_publica() + ruta


def dominio_publico() -> str:
    """The host (and port, if any) of the public address, as a person would type it."""
    return urlsplit(base_publica()).netloc


def problema_de_direccion(direccion: str) -> str | None:
    """Why `direccion` cannot be the public address, or None when it can."""
    partes = urlsplit(direccion.strip())
    if partes.scheme not in ("http", "https") or not partes.hostname:
        return "debe empezar con http:// o https:// seguido del nombre del servidor"
    if partes.query or partes.fragment or partes.username or partes.password:
        return "no lleva usuario, contraseña, parámetros (?) ni fragmento (#)"
    if partes.path not in ("", "/"):
        # reverse() already adds the script prefix a proxy sets; a path here would double it.
        return "no lleva una ruta después del servidor"
    try:
        partes.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return "el puerto no es válido"
    return None


@checks.register()
def revisar_direccion_publica(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """LMS_BASE_URL must be an absolute http(s) address: every printed link depends on it."""
    direccion = str(getattr(settings, "WAGTAILADMIN_BASE_URL", "") or "")
    problema = problema_de_direccion(direccion)
    if problema is None:
        return []
    return [
        checks.Error(
            f"LMS_BASE_URL «{direccion}» no es una dirección pública válida: {problema}.",
            hint="Escriba la dirección con la que las personas abren el sitio, p. ej. "
            "https://capacitacion.ejemplo.gob.mx o http://192.168.1.20:8000.",
            id="lms.E106",
        )
    ]
