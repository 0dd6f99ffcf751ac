"""Keeps passwords, CURP, e-mail addresses, tokens and query strings out of every log line.

Masking happens where a line is finally written: `FormateadorEnmascarado` cleans the
whole formatted text (message, its arguments, the exception text and the traceback), so
nothing a record carries escapes. Every handler the project configures uses it: Django's
(LOGGING in lms/settings/base.py), the Celery worker's (lms/celery.py) and gunicorn's
(`RegistroGunicorn`, chosen in gunicorn.conf.py).
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from gunicorn.glogging import Logger as LoggerDeGunicorn

_PATRONES = [
    # allauth confirmation and password-reset keys inside URLs.
    (re.compile(r"(/(?:confirm-email|password/reset/key)/)[^\s/?\"']+"), r"\1[oculto]"),
    # The query string of any path or URL: it carries search terms, ids and tokens.
    (re.compile(r"(/[^\s?\"'<>]*)\?[^\s\"'<>]*"), r"\1"),
    # HTTP credentials: "Authorization: Bearer <token>" and the like.
    (re.compile(r"(?i)\b(bearer|basic|token)\s+[^\s,;]+"), r"\1 [oculto]"),
    # key=value or "key": "value" pairs whose key names a secret.
    (
        re.compile(
            r"(?i)(password\d?|passwd|contrase[nñ]a|token|secret|api[_-]?key|csrfmiddlewaretoken"
            r"|sessionid|authorization|key)([\"']?\s*[:=]\s*[\"']?)([^\s&,'\"]+)"
        ),
        r"\1\2[oculto]",
    ),
    # A CURP anywhere in the text.
    (re.compile(r"\b[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d\b", re.IGNORECASE), "[CURP]"),
    # An e-mail address anywhere (database errors quote the duplicated value).
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[correo]"),
]


def limpiar(texto: str) -> str:
    for patron, reemplazo in _PATRONES:
        texto = patron.sub(reemplazo, texto)
    return texto


class FiltroDatosSensibles(logging.Filter):
    """Rewrites each record's final message with secrets masked.

    Early masking for whatever reads records before a formatter does (pytest's caplog,
    for one); the formatter below is what guarantees the written line.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            mensaje = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record must still be logged
            return True
        limpio = limpiar(mensaje)
        if limpio != mensaje:
            record.msg = limpio
            record.args = None
        return True


class FormateadorEnmascarado(logging.Formatter):
    """Formats as usual (or as `interno` does) and masks the whole resulting text."""

    def __init__(self, *args: Any, interno: logging.Formatter | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.interno = interno

    def format(self, record: logging.LogRecord) -> str:
        texto = self.interno.format(record) if self.interno else super().format(record)
        return limpiar(texto)


def enmascarar_manejadores(logger: logging.Logger) -> None:
    """Make every handler of `logger` mask its output, keeping its own format."""
    for manejador in logger.handlers:
        if not isinstance(manejador.formatter, FormateadorEnmascarado):
            manejador.setFormatter(
                FormateadorEnmascarado(interno=manejador.formatter or logging.Formatter())
            )


def _sin_consulta(url: str) -> str:
    try:
        partes = urlsplit(url)
    except ValueError:
        return "-"
    return urlunsplit((partes.scheme, partes.netloc, partes.path, "", ""))


class RegistroGunicorn(LoggerDeGunicorn):
    """gunicorn's logger with request lines and referers cut before the query string.

    Its error and access handlers mask like Django's, so a reset key in a path or an
    address in a header never reaches gunicorn's logs either.
    """

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atomos = super().atoms(resp, req, environ, request_time)
        ruta = str(environ.get("RAW_URI") or environ.get("PATH_INFO") or "").split("?", 1)[0]
        atomos["r"] = f"{environ.get('REQUEST_METHOD')} {ruta} {environ.get('SERVER_PROTOCOL')}"
        atomos["q"] = "-"
        if atomos.get("f") not in (None, "-"):
            atomos["f"] = _sin_consulta(str(atomos["f"]))
        return {
            clave: limpiar(valor) if isinstance(valor, str) else valor
            for clave, valor in atomos.items()
        }

    def _set_handler(self, log: logging.Logger, output: Any, fmt: Any, stream: Any = None) -> None:
        super()._set_handler(log, output, FormateadorEnmascarado(interno=fmt), stream=stream)
