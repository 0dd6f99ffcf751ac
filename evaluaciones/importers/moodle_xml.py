"""Moodle XML: import with a per-question error report, and export of bank questions.

Parsing goes through defusedxml, so entity expansion and external entities are refused.
Supported types: multichoice (single and multiple), truefalse, shortanswer, numerical,
matching, ordering (the qtype_ordering plugin) and essay (with attachments and no text
box it is a practical deliverable). Category pseudo-questions set the category of the
questions after them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as xml_seguro

from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from evaluaciones import scoring
from evaluaciones.importers import (
    ErrorImportacion,
    OpcionImportada,
    PreguntaImportada,
    ResultadoImportacion,
    texto_a_html,
    texto_del_archivo,
)
from evaluaciones.scoring import TipoPregunta, fracciones_multiples

if TYPE_CHECKING:
    from evaluaciones.models import OpcionPregunta, Pregunta

MAX_PREGUNTAS = 1000
_TOLERANCIA_FRACCION = Decimal("0.001")


class _ErrorPregunta(ValueError):
    pass


def _texto(nodo: ET.Element | None, ruta: str = "text") -> str:
    if nodo is None:
        return ""
    hijo = nodo.find(ruta)
    return (hijo.text or "") if hijo is not None else ""


def _plano(nodo: ET.Element | None) -> str:
    """Text of a Moodle text field as plain text (options and feedback are plain here)."""
    if nodo is None:
        return ""
    texto = _texto(nodo)
    if nodo.get("format", "html") in ("html", "moodle_auto_format", "markdown"):
        texto = html.unescape(strip_tags(texto))
    return texto.strip()


def _fraccion(nodo: ET.Element) -> Decimal:
    try:
        valor = Decimal(nodo.get("fraction", "0").strip() or "0")
    except InvalidOperation:
        raise _ErrorPregunta(_("Una respuesta tiene un porcentaje que no es un número.")) from None
    if not valor.is_finite() or not Decimal(-100) <= valor <= Decimal(100):
        raise _ErrorPregunta(_("Los porcentajes deben estar entre -100 y 100."))
    return valor


def _decimal(texto: str, etiqueta: str) -> Decimal:
    try:
        valor = Decimal(texto.strip())
    except InvalidOperation:
        raise _ErrorPregunta(
            _("«%(texto)s» no es un número (%(campo)s).") % {"texto": texto[:40], "campo": etiqueta}
        ) from None
    if not valor.is_finite():
        raise _ErrorPregunta(_("«%(texto)s» no es un número.") % {"texto": texto[:40]})
    return valor


def _opciones_de_eleccion(nodo: ET.Element, *, unica: bool) -> tuple[OpcionImportada, ...]:
    respuestas = nodo.findall("answer")
    if len(respuestas) < 2:
        raise _ErrorPregunta(_("Una pregunta de opciones necesita al menos dos respuestas."))
    filas = []
    for respuesta in respuestas:
        texto = _plano(respuesta)
        if not texto:
            raise _ErrorPregunta(_("Hay una respuesta vacía."))
        filas.append((texto, _fraccion(respuesta), _plano(respuesta.find("feedback"))))
    if unica:
        if not any(f == 100 for _t, f, _r in filas):
            raise _ErrorPregunta(_("Ninguna respuesta vale 100 %: marque la correcta."))
        return tuple(
            OpcionImportada(
                texto=t,
                correcta=f == 100,
                fraccion=None if f in (0, 100) else f,
                retroalimentacion=r,
            )
            for t, f, r in filas
        )
    correctas = [f > 0 for _t, f, _r in filas]
    if not any(correctas):
        raise _ErrorPregunta(_("Ninguna respuesta da crédito."))
    automaticas = fracciones_multiples(correctas)
    # Moodle writes every fraction; keep them only when they differ from our automatic split.
    iguales = all(
        abs(Decimal(a.numerator) / Decimal(a.denominator) * 100 - f) <= _TOLERANCIA_FRACCION
        for a, (_t, f, _r) in zip(automaticas, filas, strict=True)
    )
    return tuple(
        OpcionImportada(
            texto=t, correcta=f > 0, fraccion=None if iguales else f, retroalimentacion=r
        )
        for t, f, r in filas
    )


def _interpretar(numero: int, nodo: ET.Element, categoria: str) -> PreguntaImportada:
    tipo = nodo.get("type", "")
    enunciado_nodo = nodo.find("questiontext")
    enunciado = _texto(enunciado_nodo).strip()
    if not enunciado:
        raise _ErrorPregunta(_("La pregunta no tiene enunciado."))
    es_html = enunciado_nodo is not None and enunciado_nodo.get("format", "html") != "plain_text"
    titulo = _texto(nodo.find("name")).strip() or strip_tags(enunciado)
    puntos = _decimal(nodo.findtext("defaultgrade") or "1", "defaultgrade")
    if puntos < 0 or puntos >= Decimal("10000"):
        raise _ErrorPregunta(_("Los puntos de la pregunta están fuera de rango."))
    base = PreguntaImportada(
        numero=numero,
        titulo=titulo[:255],
        tipo=TipoPregunta.ENSAYO,
        enunciado=texto_a_html(enunciado, es_html=es_html),
        retroalimentacion=_plano(nodo.find("generalfeedback")),
        categoria=categoria,
        puntos=puntos.quantize(Decimal("0.01")),
    )
    if tipo == "multichoice":
        unica = (nodo.findtext("single") or "true").strip().lower() in ("true", "1")
        return replace(
            base,
            tipo=TipoPregunta.OPCION_UNICA if unica else TipoPregunta.OPCION_MULTIPLE,
            opciones=_opciones_de_eleccion(nodo, unica=unica),
        )
    if tipo == "truefalse":
        verdadera = None
        for respuesta in nodo.findall("answer"):
            if _fraccion(respuesta) == 100:
                verdadera = _texto(respuesta).strip().lower() in ("true", "verdadero")
        if verdadera is None:
            raise _ErrorPregunta(_("Falta la respuesta correcta (true o false)."))
        return replace(base, tipo=TipoPregunta.VERDADERO_FALSO, es_verdadera=verdadera)
    if tipo == "shortanswer":
        opciones = tuple(
            OpcionImportada(
                texto=_plano(r),
                correcta=True,
                fraccion=None if _fraccion(r) == 100 else _fraccion(r),
                retroalimentacion=_plano(r.find("feedback")),
            )
            for r in nodo.findall("answer")
            if _plano(r) and _fraccion(r) > 0
        )
        if not opciones:
            raise _ErrorPregunta(_("Falta al menos una respuesta aceptada."))
        return replace(base, tipo=TipoPregunta.RESPUESTA_CORTA, opciones=opciones)
    if tipo == "numerical":
        correcta = next((r for r in nodo.findall("answer") if _fraccion(r) == 100), None)
        if correcta is None:
            raise _ErrorPregunta(_("Falta la respuesta numérica que vale 100 %."))
        valor = _decimal(_texto(correcta), "answer")
        return replace(
            base,
            tipo=TipoPregunta.NUMERICA,
            opciones=(
                OpcionImportada(
                    texto=format(valor.normalize(), "f"),
                    correcta=True,
                    tolerancia=abs(
                        _decimal(correcta.findtext("tolerance") or "0", "tolerance")
                    ),
                ),
            ),
        )
    if tipo == "matching":
        opciones = tuple(
            OpcionImportada(texto=_plano(s), pareja=_texto(s.find("answer")).strip())
            for s in nodo.findall("subquestion")
        )
        if any(not o.pareja for o in opciones):
            raise _ErrorPregunta(_("En relacionar, cada premisa necesita su pareja."))
        if sum(1 for o in opciones if o.texto) < 2:
            raise _ErrorPregunta(_("Relacionar necesita al menos dos pares."))
        return replace(base, tipo=TipoPregunta.RELACIONAR, opciones=opciones)
    if tipo == "ordering":
        opciones = tuple(OpcionImportada(texto=_plano(r)) for r in nodo.findall("answer"))
        if len(opciones) < 2 or any(not o.texto for o in opciones):
            raise _ErrorPregunta(_("Ordenar necesita al menos dos elementos con texto."))
        return replace(base, tipo=TipoPregunta.ORDENAR, opciones=opciones)
    if tipo == "essay":
        formato = (nodo.findtext("responseformat") or "editor").strip()
        adjuntos = (nodo.findtext("attachments") or "0").strip()
        if formato == "noinline" and adjuntos not in ("", "0"):
            tipos = (nodo.findtext("filetypeslist") or "").replace(";", ",").replace(" ", ",")
            return replace(
                base,
                tipo=TipoPregunta.ENTREGABLE,
                extensiones=",".join(e.strip().lstrip(".") for e in tipos.split(",") if e.strip()),
            )
        return base
    raise _ErrorPregunta(
        _("El tipo de pregunta de Moodle «%(tipo)s» no se puede importar.") % {"tipo": tipo[:40]}
    )


def interpretar_moodle_xml(texto: str) -> ResultadoImportacion:
    """Parse a Moodle XML export; each question either parses or gets an error with its line."""
    try:
        raiz = xml_seguro(texto_del_archivo(texto).encode("utf-8"))
    except (ParseError, DefusedXmlException) as error:
        linea = getattr(error, "position", (0, 0))[0] if isinstance(error, ParseError) else 0
        return ResultadoImportacion(
            (),
            (
                ErrorImportacion(
                    0, linea, "", _("El archivo no es XML válido o usa funciones no permitidas.")
                ),
            ),
        )
    if raiz.tag != "quiz":
        return ResultadoImportacion(
            (),
            (
                ErrorImportacion(
                    0,
                    1,
                    raiz.tag[:80],
                    _("No es un archivo de preguntas de Moodle (falta <quiz>)."),
                ),
            ),
        )
    lineas = [texto.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<question\b", texto)]
    preguntas: list[PreguntaImportada] = []
    errores: list[ErrorImportacion] = []
    categoria = ""
    numero = 0
    for indice, nodo in enumerate(raiz.findall("question")):
        linea = lineas[indice] if indice < len(lineas) else 0
        if nodo.get("type") == "category":
            ruta = _texto(nodo.find("category")).strip()
            categoria = ruta.rstrip("/").split("/")[-1].strip() if ruta else ""
            if categoria in ("top", "$course$", "$system$"):
                categoria = ""
            continue
        numero += 1
        extracto = (_texto(nodo.find("name")) or nodo.get("type", ""))[:80]
        if numero > MAX_PREGUNTAS:
            errores.append(
                ErrorImportacion(
                    numero,
                    linea,
                    extracto,
                    _("Se importan como máximo %(max)d preguntas por archivo.")
                    % {"max": MAX_PREGUNTAS},
                )
            )
            break
        try:
            preguntas.append(_interpretar(numero, nodo, categoria))
        except _ErrorPregunta as error:
            errores.append(ErrorImportacion(numero, linea, extracto, str(error)))
    return ResultadoImportacion(tuple(preguntas), tuple(errores))


# --- Export -------------------------------------------------------------------------


def _campo(padre: ET.Element, etiqueta: str, texto: str, formato: str | None = None) -> ET.Element:
    nodo = ET.SubElement(padre, etiqueta)
    if formato is not None:
        nodo.set("format", formato)
    ET.SubElement(nodo, "text").text = texto
    return nodo


def _porcentaje(valor: Fraction | Decimal) -> str:
    """A credit as Moodle's importer accepts it: a Fraction is a share, a Decimal a %."""
    exacta = valor if isinstance(valor, Fraction) else scoring.credito_exacto(valor)
    return scoring.porcentaje_moodle(exacta)


def _fracciones(pregunta: Pregunta, opciones: Sequence[OpcionPregunta]) -> list[str]:
    if pregunta.tipo == TipoPregunta.OPCION_MULTIPLE:
        automaticas = fracciones_multiples([o.correcta for o in opciones])
    else:
        automaticas = tuple(Fraction(1 if o.correcta else 0) for o in opciones)
    return [
        _porcentaje(o.fraccion) if o.fraccion is not None else _porcentaje(a)
        for o, a in zip(opciones, automaticas, strict=True)
    ]


def _exportar_pregunta(
    raiz: ET.Element, pregunta: Pregunta, opciones: Sequence[OpcionPregunta]
) -> None:
    tipos = {
        TipoPregunta.OPCION_UNICA: "multichoice",
        TipoPregunta.OPCION_MULTIPLE: "multichoice",
        TipoPregunta.VERDADERO_FALSO: "truefalse",
        TipoPregunta.RESPUESTA_CORTA: "shortanswer",
        TipoPregunta.NUMERICA: "numerical",
        TipoPregunta.RELACIONAR: "matching",
        TipoPregunta.ORDENAR: "ordering",
        TipoPregunta.ENSAYO: "essay",
        TipoPregunta.ENTREGABLE: "essay",
    }
    nodo = ET.SubElement(raiz, "question", type=tipos[TipoPregunta(pregunta.tipo)])
    _campo(nodo, "name", pregunta.titulo)
    _campo(nodo, "questiontext", pregunta.enunciado, "html")
    _campo(nodo, "generalfeedback", pregunta.retroalimentacion, "plain_text")
    ET.SubElement(nodo, "defaultgrade").text = f"{pregunta.puntos:.7f}"
    tipo = pregunta.tipo
    if tipo in (TipoPregunta.OPCION_UNICA, TipoPregunta.OPCION_MULTIPLE):
        ET.SubElement(nodo, "single").text = (
            "true" if tipo == TipoPregunta.OPCION_UNICA else "false"
        )
        ET.SubElement(nodo, "shuffleanswers").text = "true"
        ET.SubElement(nodo, "answernumbering").text = "abc"
        for opcion, fraccion in zip(opciones, _fracciones(pregunta, opciones), strict=True):
            respuesta = _campo(nodo, "answer", opcion.texto, "plain_text")
            respuesta.set("fraction", fraccion)
            _campo(respuesta, "feedback", opcion.retroalimentacion, "plain_text")
    elif tipo == TipoPregunta.VERDADERO_FALSO:
        for valor in ("true", "false"):
            correcta = (valor == "true") == bool(pregunta.es_verdadera)
            respuesta = _campo(nodo, "answer", valor, "moodle_auto_format")
            respuesta.set("fraction", "100" if correcta else "0")
            _campo(respuesta, "feedback", "", "plain_text")
    elif tipo == TipoPregunta.RESPUESTA_CORTA:
        ET.SubElement(nodo, "usecase").text = "0"
        for opcion in opciones:
            respuesta = _campo(nodo, "answer", opcion.texto, "plain_text")
            respuesta.set(
                "fraction", _porcentaje(opcion.fraccion) if opcion.fraccion is not None else "100"
            )
            _campo(respuesta, "feedback", opcion.retroalimentacion, "plain_text")
    elif tipo == TipoPregunta.NUMERICA:
        for opcion in opciones:
            respuesta = _campo(nodo, "answer", opcion.texto.strip(), "moodle_auto_format")
            respuesta.set(
                "fraction", _porcentaje(opcion.fraccion) if opcion.fraccion is not None else "100"
            )
            ET.SubElement(respuesta, "tolerance").text = f"{opcion.tolerancia or 0}"
            _campo(respuesta, "feedback", opcion.retroalimentacion, "plain_text")
    elif tipo == TipoPregunta.RELACIONAR:
        ET.SubElement(nodo, "shuffleanswers").text = "true"
        for opcion in opciones:
            sub = _campo(nodo, "subquestion", opcion.texto, "plain_text")
            _campo(sub, "answer", opcion.pareja)
    elif tipo == TipoPregunta.ORDENAR:
        for opcion in opciones:
            respuesta = _campo(nodo, "answer", opcion.texto, "plain_text")
            respuesta.set("fraction", "1.0000000")
    elif tipo == TipoPregunta.ENTREGABLE:
        ET.SubElement(nodo, "responseformat").text = "noinline"
        ET.SubElement(nodo, "responserequired").text = "0"
        ET.SubElement(nodo, "attachments").text = "1"
        ET.SubElement(nodo, "attachmentsrequired").text = "1"
        ET.SubElement(nodo, "filetypeslist").text = ",".join(
            f".{e.strip().lstrip('.')}"
            for e in pregunta.extensiones_permitidas.split(",")
            if e.strip()
        )
    else:
        ET.SubElement(nodo, "responseformat").text = "editor"
        ET.SubElement(nodo, "responserequired").text = "1"
        ET.SubElement(nodo, "attachments").text = "0"


def exportar_moodle_xml(preguntas: Iterable[Pregunta]) -> str:
    """Moodle XML of `preguntas` (with `opciones` and `categoria` loaded), grouped by category."""
    raiz = ET.Element("quiz")
    categoria_actual = None
    for pregunta in sorted(preguntas, key=lambda p: (p.categoria.nombre, p.pk)):
        if pregunta.categoria.nombre != categoria_actual:
            categoria_actual = pregunta.categoria.nombre
            nodo = ET.SubElement(raiz, "question", type="category")
            _campo(nodo, "category", f"$course$/top/{categoria_actual.replace('/', '-')}")
        opciones = sorted(pregunta.opciones.all(), key=lambda o: (o.sort_order or 0, o.pk))
        _exportar_pregunta(raiz, pregunta, opciones)
    ET.indent(raiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(raiz, encoding="unicode") + "\n"
