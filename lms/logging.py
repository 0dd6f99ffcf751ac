"""Logging filter that keeps passwords, CURP and tokens out of every log line."""

import logging
import re

_PATRONES = [
    # HTTP credentials: "Authorization: Bearer <token>" and the like.
    (re.compile(r"(?i)\b(bearer|basic|token)\s+[^\s,;]+"), r"\1 [oculto]"),
    # key=value or "key": "value" pairs whose key names a secret.
    (
        re.compile(
            r"(?i)(password\d?|passwd|contrase[nñ]a|token|secret|api[_-]?key|csrfmiddlewaretoken"
            r"|sessionid|authorization|key)(\W{1,4})([^\s&,'\"]+)"
        ),
        r"\1\2[oculto]",
    ),
    # A CURP anywhere in the text.
    (re.compile(r"\b[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d\b", re.IGNORECASE), "[CURP]"),
    # allauth confirmation and password-reset keys inside URLs.
    (re.compile(r"(/(?:confirm-email|password/reset/key)/)[^\s/]+"), r"\1[oculto]"),
]


def limpiar(texto: str) -> str:
    for patron, reemplazo in _PATRONES:
        texto = patron.sub(reemplazo, texto)
    return texto


class FiltroDatosSensibles(logging.Filter):
    """Rewrites each record's final message with secrets masked."""

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
