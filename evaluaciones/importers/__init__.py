"""Question import: each format parses text into `PreguntaImportada` plus a per-question report.

Parsers never touch the database; `services_importacion.importar_preguntas` stores what a person
confirmed after the preview. What a file says that the bank cannot keep is never dropped
in silence: each question carries `avisos` naming it, shown in the preview.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

# No stubs: types-Markdown is not among the dev dependencies.
import markdown  # type: ignore[import-untyped]

from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from wagtail.whitelist import Whitelister

from evaluaciones import scoring
from evaluaciones.scoring import TipoPregunta
from lms.entrada import quitar_controles

# A category path as the bank stores it: names from the course's top level down.
RutaCategoria = tuple[str, ...]
MAX_NOMBRE_CATEGORIA = 150


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
    # () puts the question in the category chosen at import; else a path under its course.
    categoria: RutaCategoria = ()
    # Moodle's description of that category (`<info>`), given to it when it has none.
    descripcion_categoria: str = ""
    puntos: Decimal = Decimal(1)
    extensiones: str = ""
    tamano_maximo_mb: int | None = None
    retroalimentacion_verdadero: str = ""
    retroalimentacion_falso: str = ""
    distinguir_mayusculas: bool = False
    ignorar_acentos: bool = False
    notas_para_calificar: str = ""
    plantilla_respuesta: str = ""
    etiquetas: tuple[str, ...] = ()
    # What the file says that the bank cannot keep, in words a trainer understands.
    avisos: tuple[str, ...] = ()


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
        "<p>" + "<br/>".join(html.escape(linea) for linea in p.split("\n")) + "</p>"
        for p in parrafos
    )


# --- Markdown ---------------------------------------------------------------------


def markdown_a_html(texto: str) -> str:
    """HTML of a Moodle [markdown] text (Python-Markdown), reduced to the rich-text whitelist.

    Raw HTML inside the Markdown is allowed by the format, as in Moodle; the whitelist
    drops any element, attribute or link scheme rich text does not allow.
    """
    return Whitelister().clean(markdown.markdown(texto.replace("\r\n", "\n")))


def enunciado_html(texto: str, formato: str) -> str:
    """A statement as rich text, whatever Moodle format it was written in.

    `formato` is one of "html", "markdown", "plain" or "moodle" (Moodle's auto-format,
    read as plain text with its line breaks).
    """
    if formato == "html":
        return texto_a_html(texto, es_html=True)
    if formato == "markdown":
        return markdown_a_html(texto)
    # Through the whitelist too, so a statement reads back identical from an export.
    return Whitelister().clean(texto_a_html(texto))


_SALTOS_HTML = re.compile(r"<br\s*/?>|</p\s*>|</li\s*>|</h\d\s*>|</div\s*>", re.IGNORECASE)


def html_a_texto(texto: str, *, una_linea: bool = False) -> str:
    """Plain text of an HTML fragment: tags dropped, entities read, line breaks kept."""
    plano = html.unescape(strip_tags(_SALTOS_HTML.sub("\n", texto)))
    if una_linea:
        return " ".join(plano.split())
    lineas = [" ".join(linea.split()) for linea in plano.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lineas)).strip()


def titulo_de(enunciado: str) -> str:
    """The title a question without one gets: the start of its statement, as plain text."""
    return html_a_texto(enunciado, una_linea=True)[:255]


# Paragraph and line-break tags only lay the text out: dropping them loses no formatting.
_SOLO_DISPOSICION = re.compile(r"</?(p|br|div)\s*/?>", re.IGNORECASE)


def texto_plano(texto: str, formato: str, avisos: list[str], que: str) -> str:
    """A Moodle text field (answer, feedback) as the plain text the bank keeps for it.

    HTML formatting cannot be kept in these fields: when the text had more than
    paragraphs, `avisos` says so, naming `que`.
    """
    if formato != "html":
        return texto.strip()
    sin_disposicion = _SOLO_DISPOSICION.sub("", texto)
    if strip_tags(sin_disposicion) != sin_disposicion:
        aviso = _("%(que)s: se conserva solo el texto, sin el formato HTML.") % {"que": que}
        if aviso not in avisos:
            avisos.append(aviso)
    return html_a_texto(texto)


# --- Categories ---------------------------------------------------------------------

_SEPARADOR_RUTA = re.compile(r"(?<!/)/(?!/)")
_CONTEXTO = re.compile(r"^\$([a-z0-9]+)\$$")
CONTEXTOS_MOODLE = {
    "course": _lazy("del curso"),
    "system": _lazy("del sistema"),
    "coursecategory": _lazy("de una categoría de cursos"),
    "module": _lazy("de una actividad"),
}


def ruta_de_categoria(texto: str) -> tuple[RutaCategoria, str | None]:
    """A Moodle category path split into names, and the context it named, if any.

    `$course$/top/Fase teórica/Tema 1` is ("Fase teórica", "Tema 1") in "course". As in
    Moodle, names are separated by "/", "//" is a slash inside a name, a leading
    context token ($course$, $system$, $cat1$, $module$) and the "top" category are
    not names.
    """
    nombres = [
        " ".join(parte.replace("//", "/").split()) for parte in _SEPARADOR_RUTA.split(texto.strip())
    ]
    contexto = None
    if nombres and (coincidencia := _CONTEXTO.match(nombres[0])):
        contexto = coincidencia.group(1)
        if contexto.startswith("cat"):
            contexto = "coursecategory"
        nombres = nombres[1:]
    while nombres and nombres[0] == "top":
        nombres = nombres[1:]
    return tuple(n[:MAX_NOMBRE_CATEGORIA] for n in nombres if n), contexto


def aviso_de_contexto(contexto: str | None, ruta: RutaCategoria) -> str | None:
    """The warning for a path Moodle kept outside a course: here it goes into the course."""
    if contexto is None or contexto == "course":
        return None
    return _(
        "La categoría «%(ruta)s» era %(contexto)s en Moodle; se importa en el curso elegido."
    ) % {
        "ruta": "/".join(ruta) or "top",
        "contexto": CONTEXTOS_MOODLE.get(contexto, contexto),
    }


def texto_de_ruta(ruta: Sequence[str]) -> str:
    """A category path as Moodle writes it: `$course$/top/A/B`, a "/" in a name as "//"."""
    partes = ["$course$", "top"]
    for nombre in ruta:
        escapado = nombre.replace("/", "//")
        if escapado.startswith("/"):
            escapado = " " + escapado
        if escapado.endswith("/"):
            escapado += " "
        partes.append(escapado)
    return "/".join(partes)


# --- Credits ------------------------------------------------------------------------

# Moodle's grade list (question_bank::fraction_options_full): p/q for q <= 6, p/10,
# 1/q for q <= 10 and 1/20, positive and negative, each written with seven decimals.
# Its importer refuses any other credit (more than 0.00001 away from one of them).
_LISTA_MOODLE = tuple(
    Decimal(v)
    for v in (
        "1", "0.9", "0.8333333", "0.8", "0.75", "0.7", "0.6666667", "0.6", "0.5", "0.4",
        "0.3333333", "0.3", "0.25", "0.2", "0.1666667", "0.1428571", "0.125", "0.1111111",
        "0.1", "0.05", "0",
    )
)  # fmt: skip
_HOLGURA_MOODLE = Decimal("0.00001")


def porcentaje_exacto(porcentaje: Decimal) -> Decimal:
    """A credit in % as the bank stores it: thirds as 33.33333, never rounded to cents."""
    return Decimal(scoring.porcentaje_moodle(scoring.credito_exacto(porcentaje)))


def moodle_acepta(credito: Fraction | Decimal) -> bool:
    """Whether Moodle's importer accepts this credit (a Fraction share, or a Decimal %)."""
    exacta = credito if isinstance(credito, Fraction) else scoring.credito_exacto(credito)
    escrito = Decimal(scoring.porcentaje_moodle(exacta)) / 100
    return any(abs(abs(escrito) - valor) < _HOLGURA_MOODLE for valor in _LISTA_MOODLE)


def aviso_de_credito(porcentaje: Decimal, texto: str) -> str:
    return _(
        "El crédito de %(credito)s %% de «%(texto)s» no está en la lista de Moodle: se "
        "conserva aquí, pero Moodle rechazaría esta pregunta."
    ) % {
        "credito": scoring.porcentaje_moodle(scoring.credito_exacto(porcentaje)),
        "texto": texto[:60],
    }


# --- Preview ------------------------------------------------------------------------


def _credito_texto(porcentaje: Decimal | None, automatica: Fraction) -> str:
    exacta = scoring.credito_exacto(porcentaje) if porcentaje is not None else automatica
    return f"{scoring.porcentaje_moodle(exacta)} %"


def respuestas_de_vista_previa(pregunta: PreguntaImportada) -> list[str]:
    """Each answer of a parsed question with its credit and feedback, as the preview lists them."""
    tipo = pregunta.tipo
    opciones = pregunta.opciones
    lineas: list[str] = []

    def con_retro(linea: str, retro: str) -> str:
        return (
            _("%(linea)s (retroalimentación: «%(retro)s»)") % {"linea": linea, "retro": retro}
            if retro
            else linea
        )

    if tipo in (TipoPregunta.OPCION_UNICA, TipoPregunta.OPCION_MULTIPLE):
        if tipo == TipoPregunta.OPCION_MULTIPLE:
            automaticas = scoring.fracciones_multiples([o.correcta for o in opciones])
        else:
            automaticas = tuple(Fraction(1 if o.correcta else 0) for o in opciones)
        for opcion, automatica in zip(opciones, automaticas, strict=True):
            credito = _credito_texto(opcion.fraccion, automatica)
            lineas.append(con_retro(f"{opcion.texto}: {credito}", opcion.retroalimentacion))
    elif tipo == TipoPregunta.VERDADERO_FALSO:
        for verdad, nombre, retro in (
            (True, _("Verdadero"), pregunta.retroalimentacion_verdadero),
            (False, _("Falso"), pregunta.retroalimentacion_falso),
        ):
            credito = "100 %" if pregunta.es_verdadera is verdad else "0 %"
            lineas.append(con_retro(f"{nombre}: {credito}", retro))
    elif tipo == TipoPregunta.RESPUESTA_CORTA:
        for opcion in opciones:
            credito = _credito_texto(opcion.fraccion, Fraction(1))
            lineas.append(con_retro(f"«{opcion.texto}»: {credito}", opcion.retroalimentacion))
        lineas.append(
            _("Distingue mayúsculas y minúsculas.")
            if pregunta.distinguir_mayusculas
            else _("No distingue mayúsculas y minúsculas.")
        )
    elif tipo == TipoPregunta.NUMERICA:
        for opcion in opciones:
            credito = _credito_texto(opcion.fraccion, Fraction(1))
            if opcion.texto == "*":
                valor = _("cualquier otro número")
            else:
                valor = _("%(valor)s ± %(tolerancia)s") % {
                    "valor": opcion.texto,
                    "tolerancia": format((opcion.tolerancia or Decimal(0)).normalize(), "f"),
                }
            lineas.append(con_retro(f"{valor}: {credito}", opcion.retroalimentacion))
    elif tipo == TipoPregunta.RELACIONAR:
        for opcion in opciones:
            premisa = opcion.texto or _("(distractor)")
            lineas.append(f"{premisa} → {opcion.pareja}")
    elif tipo == TipoPregunta.ORDENAR:
        lineas.extend(f"{i}. {o.texto}" for i, o in enumerate(opciones, start=1))
    if pregunta.notas_para_calificar:
        lineas.append(_("Notas para quien califica: %(t)s") % {"t": pregunta.notas_para_calificar})
    if pregunta.plantilla_respuesta:
        lineas.append(_("Plantilla de respuesta: %(t)s") % {"t": pregunta.plantilla_respuesta})
    if pregunta.retroalimentacion:
        lineas.append(_("Retroalimentación general: %(t)s") % {"t": pregunta.retroalimentacion})
    if pregunta.etiquetas:
        lineas.append(_("Etiquetas: %(t)s") % {"t": ", ".join(pregunta.etiquetas)})
    return lineas
