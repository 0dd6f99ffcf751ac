"""Extension points through which higher apps add to course screens without cursos importing them.

Imports point one way (constancias → cursos), so "Mis cursos" cannot ask the
constancias app for a participant's constancias. Instead, an app registers a
function here, usually from its `AppConfig.ready()`:

    from cursos.extensiones import registrar_seccion_mis_cursos

    def seccion_constancias(request, inscripciones):
        return [{"plantilla": "constancias/_mis_constancias.html",
                 "contexto": {"constancias": ...}}]

    registrar_seccion_mis_cursos(seccion_constancias)

"Mis cursos" calls every registered function once per page (never once per
edition), with the participant's active enrolments (edition and course
preloaded), and renders each returned panel after the list of courses, in
registration order, each template receiving its `contexto` (plus `request`,
`user` and the other context processors' variables). The keys "template" and
"context" are accepted too. A function must fetch what it needs in a fixed number of
queries for all `inscripciones` together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

    from cursos.models import Inscripcion


class SeccionMisCursos(TypedDict):
    """A panel of "Mis cursos": a template to include and the context it receives."""

    plantilla: str
    contexto: dict[str, Any]


FuncionSeccion = Callable[["HttpRequest", "Sequence[Inscripcion]"], list[SeccionMisCursos]]

_SECCIONES_MIS_CURSOS: list[FuncionSeccion] = []


def registrar_seccion_mis_cursos(funcion: FuncionSeccion) -> FuncionSeccion:
    """Register `funcion` to add panels to "Mis cursos"; idempotent, usable as a decorator."""
    if funcion not in _SECCIONES_MIS_CURSOS:
        _SECCIONES_MIS_CURSOS.append(funcion)
    return funcion


def retirar_seccion_mis_cursos(funcion: FuncionSeccion) -> None:
    """Undo `registrar_seccion_mis_cursos` (for tests and app teardown)."""
    if funcion in _SECCIONES_MIS_CURSOS:
        _SECCIONES_MIS_CURSOS.remove(funcion)


def secciones_mis_cursos(
    request: HttpRequest, inscripciones: Sequence[Inscripcion]
) -> list[SeccionMisCursos]:
    """Every registered function's panels, each function called exactly once."""
    secciones: list[SeccionMisCursos] = []
    for funcion in list(_SECCIONES_MIS_CURSOS):
        for seccion in funcion(request, inscripciones) or []:
            # "template"/"context" are accepted as the English spellings of the same keys.
            datos: dict[str, Any] = dict(seccion)
            secciones.append(
                {
                    "plantilla": datos.get("plantilla") or datos["template"],
                    "contexto": dict(datos.get("contexto") or datos.get("context") or {}),
                }
            )
    return secciones


# --- Dashboard figures and kardex panels ---------------------------------------------
#
# The dashboard shows how many enrolments hold a valid constancia and the kardex lists
# each enrolment's constancias; both belong to the constancias app, which registers a
# counting function and a kardex panel here instead of cursos naming its tables.

FuncionConteo = Callable[["QuerySet[Inscripcion]"], int]

_CONTEOS: dict[str, FuncionConteo] = {}


def registrar_conteo(clave: str, funcion: FuncionConteo) -> None:
    """Register the function that counts `clave` (e.g. "con_constancia") among enrolments."""
    _CONTEOS[clave] = funcion


def conteo(clave: str, inscripciones: QuerySet[Inscripcion]) -> int | None:
    """How many of `inscripciones` the registered `clave` counts; None if no app counts it."""
    funcion = _CONTEOS.get(clave)
    return None if funcion is None else funcion(inscripciones)


class SeccionKardex(TypedDict):
    """A panel of one enrolment in the kardex: a template and the context it receives."""

    plantilla: str
    contexto: dict[str, Any]


FuncionKardex = Callable[["Sequence[Inscripcion]"], dict[int, list[SeccionKardex]]]

_SECCIONES_KARDEX: list[FuncionKardex] = []


def registrar_seccion_kardex(funcion: FuncionKardex) -> FuncionKardex:
    """Register `funcion` to add panels under each enrolment of the kardex; idempotent.

    It receives every enrolment shown (in the viewer's scope) and returns, by enrolment
    id, the panels to show, fetching what it needs in a fixed number of queries.
    """
    if funcion not in _SECCIONES_KARDEX:
        _SECCIONES_KARDEX.append(funcion)
    return funcion


def secciones_kardex(inscripciones: Sequence[Inscripcion]) -> dict[int, list[SeccionKardex]]:
    """Every registered function's panels by enrolment id, each function called once."""
    secciones: dict[int, list[SeccionKardex]] = {i.pk: [] for i in inscripciones}
    for funcion in list(_SECCIONES_KARDEX):
        for inscripcion_id, paneles in (funcion(inscripciones) or {}).items():
            secciones.setdefault(inscripcion_id, []).extend(paneles)
    return secciones
