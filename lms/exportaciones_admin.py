"""Wagtail's spreadsheet exports: safe to open in Excel, and each one in the audit log.

Every admin listing that offers CSV or XLSX (site history, the page and workflow
reports, redirects, any viewset with `list_export`) goes through Wagtail's
`SpreadsheetExportMixin`. Wagtail has no hook for cell values nor for the export
itself, and its core reports are routed by its own URLconf, so subclassing would mean
shadowing every report URL and missing the next one Wagtail adds. The mixin is
wrapped once, from `LmsConfig.ready()`, instead.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from lms.models import RegistroAuditoria
from lms.services import registrar_auditoria
from lms.tabular import sin_formula

# Query parameters that carry free text (possibly a person's name) or only paginate.
_BUSQUEDA = frozenset({"q"})
_SIN_INTERES = frozenset({"export", "p"})
MAX_VALOR_FILTRO = 100


def filtros_de_exportacion(parametros: Any, formato: str) -> dict[str, Any]:
    """The listing's filters as the audit log stores them; search text is left out."""
    filtros: dict[str, Any] = {"formato": formato}
    for clave in parametros:
        if clave in _SIN_INTERES:
            continue
        valores = [v[:MAX_VALOR_FILTRO] for v in parametros.getlist(clave) if v]
        if not valores:
            continue
        if clave in _BUSQUEDA:
            filtros["con_busqueda"] = True
        else:
            filtros[clave[:MAX_VALOR_FILTRO]] = valores[0] if len(valores) == 1 else valores
    return filtros


def _celdas_sin_formula(original: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(original)
    def envoltura(*args: Any, **kwargs: Any) -> Any:
        valor = original(*args, **kwargs)
        return sin_formula(valor) if isinstance(valor, str) else valor

    return envoltura


def _auditada(original: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(original)
    def as_spreadsheet(self: Any, queryset: Any, spreadsheet_format: str) -> Any:
        respuesta = original(self, queryset, spreadsheet_format)
        if respuesta is not None:
            coincidencia = self.request.resolver_match
            registrar_auditoria(
                usuario=self.request.user,
                accion=RegistroAuditoria.Accion.EXPORTACION_ADMINISTRACION,
                filtros=filtros_de_exportacion(self.request.GET, spreadsheet_format),
                objeto=coincidencia.view_name if coincidencia else self.request.path,
            )
        return respuesta

    return as_spreadsheet


def proteger_exportaciones_de_wagtail() -> None:
    """Neutralize formulas in every exported cell and heading, and audit every export.

    Idempotent: a second call leaves the mixin as the first one did.
    """
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    if getattr(SpreadsheetExportMixin, "_exportacion_protegida", False):
        return
    SpreadsheetExportMixin.preprocess_field_value = _celdas_sin_formula(
        SpreadsheetExportMixin.preprocess_field_value
    )
    SpreadsheetExportMixin.get_heading = _celdas_sin_formula(SpreadsheetExportMixin.get_heading)
    SpreadsheetExportMixin.as_spreadsheet = _auditada(SpreadsheetExportMixin.as_spreadsheet)
    SpreadsheetExportMixin._exportacion_protegida = True
