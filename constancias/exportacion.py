"""The constancia's columns in the coordination export: its folio and its issue date.

Registered from `ConstanciasConfig.ready()` through `cursos.columnas_exportacion`, so the
courses app exports them without importing this app.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from constancias.models import Constancia
from cursos.columnas_exportacion import Columna, Flujo, Tipo, como_texto, registrar_columnas
from cursos.models import Inscripcion


def _vigentes(base: QuerySet[Inscripcion], bloque: int) -> Iterable[tuple[Any, ...]]:
    """(enrolment id, folio, issue instant as text) of each valid constancia, in id order.

    An enrolment with several valid constancias shows the first by scope and type.
    """
    return (
        base.filter(constancias__estado=Constancia.Estado.VIGENTE)
        .annotate(emitida=como_texto("constancias__emitida_en"))
        .order_by("pk", "constancias__alcance", "constancias__tipo")
        .values_list("pk", "constancias__folio", "emitida")
        .iterator(chunk_size=bloque)
    )


VIGENTE = Flujo("constancia_vigente", _vigentes)


def registrar() -> None:
    """Put the folio and issue date of the valid constancia before the export's status column."""
    registrar_columnas(
        Columna(
            clave="folio",
            encabezado=_("Folio de constancia"),
            ancho=18,
            flujos=(VIGENTE,),
            valor=lambda f: f["constancia_vigente"][1] if f["constancia_vigente"] else "",
            confiable=True,
        ),
        Columna(
            clave="constancia_emitida_en",
            encabezado=_("Fecha de emisión de la constancia"),
            ancho=12,
            tipo=Tipo.FECHA,
            flujos=(VIGENTE,),
            valor=lambda f: f["constancia_vigente"][2] if f["constancia_vigente"] else None,
        ),
        antes_de="estado",
    )
