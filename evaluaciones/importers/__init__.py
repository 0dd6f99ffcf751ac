"""Question import: each format parses text into `PreguntaImportada` plus a per-question report.

Parsers never touch the database; `services.importar_preguntas` stores what a person
confirmed after the preview.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from decimal import Decimal

from wagtail.whitelist import Whitelister

from evaluaciones.scoring import TipoPregunta
from lms.entrada import quitar_controles


@dataclass(frozen=True)
class OpcionImportada:
    texto: str
    correcta: bool = False
    fraccion: Decimal | None = None
    pareja: str = ""
    retroalimentacion: str = ""
    tolerancia: Decimal | None = None


@dataclass(frozen=True)
class PreguntaImportada:
    numero: int
    titulo: str
    tipo: TipoPregunta
    enunciado: str
    opciones: tuple[OpcionImportada, ...] = ()
    es_verdadera: bool | None = None
    retroalimentacion: str = ""
    categoria: str = ""
    puntos: Decimal = Decimal(1)
    extensiones: str = ""


@dataclass(frozen=True)
class ErrorImportacion:
    numero: int
    linea: int
    extracto: str
    mensaje: str


@dataclass(frozen=True)
class ResultadoImportacion:
    preguntas: tuple[PreguntaImportada, ...] = field(default=())
    errores: tuple[ErrorImportacion, ...] = field(default=())


def texto_del_archivo(texto: str) -> str:
    """The text a parser reads: no BOM, and no control characters but tabs and line breaks.

    They are invisible in the file and PostgreSQL refuses a NUL in any text; the GIFT
    parser also uses some of them to hide escaped characters while it splits.
    """
    return quitar_controles(texto.lstrip("\ufeff"))


def texto_a_html(texto: str, *, es_html: bool = False) -> str:
    """Statement HTML: given HTML is reduced to the rich-text whitelist, plain text escaped."""
    if es_html:
        return Whitelister().clean(texto)
    parrafos = [p.strip() for p in texto.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(linea) for linea in p.split("\n")) + "</p>"
        for p in parrafos
    )
