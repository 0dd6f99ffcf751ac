"""Untrusted input that must never reach the database as is: ids typed in URLs and NULs.

Anyone can type `?organizacion=abc`, `?curso=99999999999999999999` or a NUL character
(`%00`, `\\u0000`). Left alone, the first ones reach a query as a value the column cannot
hold (a 500 on SQLite) and a NUL reaches PostgreSQL, which refuses it in any text (a 500
there). Here, ids are parsed once, the same way on every screen (`parsear_id`,
`FiltroChoiceField`, `id_de_consulta`), and `CaracteresNulosMiddleware` answers any request
carrying a NUL with a 400 that says so in Spanish, before a view can save anything. Text
that comes in files rather than form fields (imports) drops control characters with
`quitar_controles` instead: a file is not resent, and those characters are invisible.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import BadRequest, RequestDataTooBig
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

# Up to 18 ASCII digits: always inside a signed 64-bit integer, the widest id column.
_ID = re.compile(r"[0-9]{1,18}")
# C0 controls and DEL, except tab, line feed and carriage return.
_CONTROLES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A JSON "\u0000" escape, not preceded by an escaped backslash ("\\u0000" is text).
_NULO_JSON = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")

MENSAJE_NULO = _(
    "Lo que envió contiene un carácter nulo, que no se admite. No se guardó nada: borre "
    "ese texto, escríbalo de nuevo e inténtelo otra vez."
)
MENSAJE_FILTRO = _(
    "El filtro «%(campo)s» no es válido. Use los filtros de la página en lugar de escribir "
    "la dirección a mano."
)


def parsear_id(valor: Any) -> int | None:
    """The row id `valor` spells in ASCII digits, or None for anything else."""
    if isinstance(valor, str) and _ID.fullmatch(valor):
        return int(valor)
    return None


class EntradaInvalida(BadRequest):
    """A malformed request; `mensaje` tells the person what was wrong, in Spanish."""

    def __init__(self, mensaje: Any) -> None:
        super().__init__(str(mensaje))
        self.mensaje = mensaje


def id_de_consulta(request: HttpRequest, campo: str) -> int | None:
    """The id in `?campo=`: None when absent or empty, `EntradaInvalida` (a 400) if malformed."""
    valor = request.GET.get(campo, "")
    if not valor:
        return None
    identificador = parsear_id(valor)
    if identificador is None:
        raise EntradaInvalida(MENSAJE_FILTRO % {"campo": campo})
    return identificador


class FiltroChoiceField(forms.ModelChoiceField):
    """A model choice whose submitted value must be an id before any query runs.

    A malformed value is an `invalid_choice` like any unknown one, with the field's own
    message: the database never sees "1.5" or a number wider than its columns.
    """

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        # Its own fields filter by primary key (no to_field_name); a model instance is
        # what a form's initial data may hold.
        if not isinstance(value, Model) and parsear_id(str(value)) is None:
            mensaje = self.error_messages["invalid_choice"]
            raise forms.ValidationError(mensaje, code="invalid_choice")
        return super().to_python(value)


def quitar_controles(texto: str) -> str:
    """`texto` without control characters other than tabs and line breaks."""
    return _CONTROLES.sub("", texto)


def pide_json(request: HttpRequest) -> bool:
    """Whether the request comes from a page script that reads a JSON answer."""
    return bool(request.headers.get("X-Requested-With")) or (
        request.content_type == "application/json"
        or "application/json" in request.headers.get("Accept", "")
    )


def respuesta_400(request: HttpRequest, mensaje: Any) -> HttpResponse:
    """The 400 answer with `mensaje`: JSON for page scripts, the error page otherwise."""
    if pide_json(request):
        return JsonResponse({"ok": False, "mensaje": str(mensaje)}, status=400)
    return render(request, "400.html", {"mensaje": mensaje}, status=400)


def _con_nulo(datos: Any) -> bool:
    """Whether a QueryDict has a NUL in any of its keys or values."""
    return any(
        "\x00" in clave or any("\x00" in valor for valor in valores)
        for clave, valores in datos.lists()
    )


def _cuerpo_con_nulo(request: HttpRequest, vista: Callable[..., Any]) -> bool:
    if request.method != "POST":
        return False
    try:
        if request.content_type == "application/json":
            cuerpo = request.body
            return b"\x00" in cuerpo or _NULO_JSON.search(cuerpo) is not None
        # A view exempt from CSRF may set its own upload handlers before reading the
        # body; like Django's CSRF check, never parse its POST here.
        if getattr(vista, "csrf_exempt", False) or request.content_type not in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            return False
        return _con_nulo(request.POST)
    except RequestDataTooBig:
        return False  # the view answers the size itself, as it did before


class CaracteresNulosMiddleware:
    """Answer 400 to any request whose path, query, form or JSON body carries a NUL.

    The path and query are checked first, before a 404 makes Wagtail's redirects look
    the path up; the body once the view is known, after CsrfViewMiddleware has refused
    forged requests (so place this after it, and after AuthenticationMiddleware, whose
    user the error page shows).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or _con_nulo(request.GET):
            return respuesta_400(request, MENSAJE_NULO)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, vista: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if _cuerpo_con_nulo(request, vista):
            return respuesta_400(request, MENSAJE_NULO)
        return None
