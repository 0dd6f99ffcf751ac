"""Moodle XML: import with a per-question error report, and export of bank questions.

Parsing goes through defusedxml, so entity expansion and external entities are refused.
Supported types, read as Moodle's XML importer reads them (question/format/xml):
multichoice (single and multiple), truefalse, shortanswer, numerical, matching,
ordering (the qtype_ordering plugin) and essay (with attachments and no text box it is
a practical deliverable). Category pseudo-questions (`$course$/top/A/B`) set the
category path of the questions after them. What a question has that the bank cannot
keep (penalty, hints, combined feedback, units…) is named in its `avisos`.

The export writes what Moodle's importer accepts: credits from its grade list with
five decimals ("33.33333"), the category tree, tags and every option both keep;
`avisos_de_exportacion` names what Moodle would refuse or cannot hold.
"""

from __future__ import annotations

import math
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

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from evaluaciones import scoring, tipos
from evaluaciones.importers import (
    ErrorImportacion,
    OpcionImportada,
    PreguntaImportada,
    ResultadoImportacion,
    RutaCategoria,
    aviso_de_contexto,
    aviso_de_credito,
    enunciado_html,
    moodle_acepta,
    porcentaje_exacto,
    ruta_de_categoria,
    texto_de_ruta,
    texto_del_archivo,
    texto_plano,
    titulo_de,
)
from evaluaciones.models import CategoriaPregunta
from evaluaciones.scoring import TipoPregunta, fracciones_multiples
from lms import subidas

if TYPE_CHECKING:
    from evaluaciones.models import OpcionPregunta, Pregunta

MAX_PREGUNTAS = 1000
CIEN = Decimal(100)
# Moodle's default penalty for another try (interactive behaviours), and true/false's.
_PENALIZACION_MOODLE = Decimal("0.3333333")
_FORMATOS = {
    "html": "html",
    "moodle_auto_format": "moodle",
    "plain_text": "plain",
    "markdown": "markdown",
    "wiki_like": "plain",
}
_IMAGEN_INTERNA = re.compile(r"<img\b[^>]*@@PLUGINFILE@@[^>]*>", re.IGNORECASE)
_CALIFICACION_ABSOLUTA = {"ABSOLUTE_POSITION", "ABSOLUTE", "ABS"}
_TIPOS_SIN_EQUIVALENTE = {
    "description": _lazy("descripción, un texto sin respuesta"),
    "calculated": _lazy("calculada"),
    "calculatedsimple": _lazy("calculada simple"),
    "calculatedmulti": _lazy("calculada de opción múltiple"),
    "cloze": _lazy("respuestas incrustadas, cloze"),
    "multianswer": _lazy("respuestas incrustadas, cloze"),
    "ddwtos": _lazy("arrastrar y soltar sobre texto"),
    "gapselect": _lazy("seleccionar palabras faltantes"),
    "ddimageortext": _lazy("arrastrar y soltar sobre una imagen"),
    "ddmarker": _lazy("arrastrar y soltar marcadores"),
    "randomsamatch": _lazy("emparejamiento aleatorio de respuestas cortas"),
    "random": _lazy("aleatoria"),
}


class _ErrorPregunta(ValueError):
    pass


def _texto(nodo: ET.Element | None, ruta: str = "text") -> str:
    if nodo is None:
        return ""
    hijo = nodo.find(ruta)
    return (hijo.text or "") if hijo is not None else ""


def _formato(nodo: ET.Element | None, defecto: str) -> str:
    """A text field's format as the importers name it; unknown ones are HTML, as in Moodle."""
    if nodo is None or nodo.get("format") is None:
        return defecto
    return _FORMATOS.get((nodo.get("format") or "").strip(), "html")


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


def _fraccion(nodo: ET.Element) -> Decimal:
    try:
        valor = Decimal(nodo.get("fraction", "0").strip() or "0")
    except InvalidOperation:
        raise _ErrorPregunta(_("Una respuesta tiene un porcentaje que no es un número.")) from None
    if not valor.is_finite() or not -CIEN <= valor <= CIEN:
        raise _ErrorPregunta(_("Los porcentajes deben estar entre -100 y 100."))
    return valor


def _verdad(texto: str | None, defecto: bool) -> bool:
    if texto is None or not texto.strip():
        return defecto
    return texto.strip().lower() not in ("false", "0", "no")


class _Lector:
    """Reads one question's fields in their formats and collects what cannot be kept."""

    def __init__(self, nodo: ET.Element, formato: str) -> None:
        self.nodo = nodo
        self.formato = formato
        self.avisos: list[str] = []

    def avisar(self, mensaje: str) -> None:
        if mensaje not in self.avisos:
            self.avisos.append(mensaje)

    def plano(self, campo: ET.Element | None, que: str) -> str:
        """A text field as plain text (options, feedback and notes are plain here)."""
        return texto_plano(_texto(campo), _formato(campo, self.formato), self.avisos, que)

    def credito(self, porcentaje: Decimal, texto: str) -> Decimal:
        """The credit as stored (thirds exact), noting it when Moodle would refuse it."""
        exacto = porcentaje_exacto(porcentaje)
        if not moodle_acepta(exacto):
            self.avisar(aviso_de_credito(exacto, texto))
        return exacto

    def retroalimentacion_combinada(self) -> None:
        campos = ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback")
        if any(_texto(self.nodo.find(c)).strip() for c in campos):
            self.avisar(
                _(
                    "La retroalimentación combinada de Moodle (para respuestas correctas, "
                    "parcialmente correctas e incorrectas) no se conserva."
                )
            )

    def barajar(self) -> None:
        if not _verdad(self.nodo.findtext("shuffleanswers"), True):
            self.avisar(
                _(
                    "«No barajar las opciones» de esta pregunta no se conserva: aquí lo decide "
                    "cada evaluación."
                )
            )


def _cabecera(lector: _Lector, tipo: str) -> None:
    """Warnings for the parts every Moodle question may have that the bank cannot keep."""
    nodo = lector.nodo
    penalizacion = nodo.findtext("penalty")
    if penalizacion and penalizacion.strip():
        try:
            valor = Decimal(penalizacion.strip())
        except InvalidOperation:
            valor = _PENALIZACION_MOODLE
        esperada = Decimal(1) if tipo == "truefalse" else _PENALIZACION_MOODLE
        if valor != 0 and abs(valor - esperada) > Decimal("0.005"):
            lector.avisar(
                _(
                    "La penalización por cada nuevo intento dentro de la pregunta (penalty %(p)s, "
                    "modo interactivo de Moodle) no se conserva."
                )
                % {"p": penalizacion.strip()}
            )
    if _verdad(nodo.findtext("hidden"), False):
        lector.avisar(_("La pregunta estaba oculta en Moodle; aquí queda visible en el banco."))
    identificador = (nodo.findtext("idnumber") or "").strip()
    if identificador:
        lector.avisar(
            _("El número de identificación de Moodle («%(id)s») no se conserva.")
            % {"id": identificador[:40]}
        )
    pistas = [h for h in nodo.findall("hint") if _texto(h).strip()]
    if pistas:
        lector.avisar(
            _("Las pistas de Moodle (%(n)d, modo interactivo) no se conservan.")
            % {"n": len(pistas)}
        )
    if any(True for _archivo in nodo.iter("file")) or "@@PLUGINFILE@@" in ET.tostring(
        nodo, encoding="unicode"
    ):
        lector.avisar(
            _("Las imágenes y archivos incrustados en el archivo de Moodle no se importan.")
        )


def _etiquetas(nodo: ET.Element) -> tuple[str, ...]:
    nombres = [
        _texto(etiqueta).strip()[:100]
        for grupo in ("tags", "coursetags")
        for etiqueta in nodo.findall(f"{grupo}/tag")
    ]
    return tuple(dict.fromkeys(n for n in nombres if n))


def _exigir_cien(creditos: Sequence[Decimal], mensaje: str) -> None:
    # Moodle refuses a question no answer of which gives full marks.
    if max(creditos, default=Decimal(0)) < CIEN:
        raise _ErrorPregunta(mensaje)


def _eleccion(lector: _Lector, base: PreguntaImportada) -> PreguntaImportada:
    nodo = lector.nodo
    unica = _verdad(nodo.findtext("single"), True)
    respuestas = nodo.findall("answer")
    if len(respuestas) < 2:
        raise _ErrorPregunta(_("Una pregunta de opciones necesita al menos dos respuestas."))
    filas = []
    for respuesta in respuestas:
        texto = lector.plano(respuesta, _("Una respuesta"))
        if not texto:
            raise _ErrorPregunta(_("Hay una respuesta vacía."))
        retro = lector.plano(
            respuesta.find("feedback"), _("La retroalimentación de «%(r)s»") % {"r": texto[:40]}
        )
        filas.append((texto, lector.credito(_fraccion(respuesta), texto), retro))
    lector.barajar()
    numeracion = (nodo.findtext("answernumbering") or "abc").strip() or "abc"
    if numeracion != "abc":
        lector.avisar(
            _("La numeración de las opciones («%(n)s») no se conserva.") % {"n": numeracion}
        )
    lector.retroalimentacion_combinada()
    if unica:
        _exigir_cien(
            [f for _t, f, _r in filas], _("Ninguna respuesta vale 100 %: marque la correcta.")
        )
        opciones = tuple(
            OpcionImportada(
                texto=t,
                correcta=f == CIEN,
                fraccion=None if f in (0, CIEN) else f,
                retroalimentacion=r,
            )
            for t, f, r in filas
        )
        return replace(base, tipo=TipoPregunta.OPCION_UNICA, opciones=opciones)
    creditos = [scoring.credito_exacto(f) for _t, f, _r in filas]
    positivas = sum((c for c in creditos if c > 0), Fraction(0))
    if positivas == 0:
        raise _ErrorPregunta(_("Ninguna respuesta da crédito."))
    if positivas != 1:
        raise _ErrorPregunta(
            _(
                "Las respuestas con crédito suman %(suma)s %%; en respuesta múltiple deben "
                "sumar 100 %%, como pide Moodle."
            )
            % {"suma": scoring.porcentaje_moodle(positivas)}
        )
    # Credits equal to the automatic split (each right +1/k, each wrong -1/(n-k)) are
    # left to it, so the author form shows them as automatic.
    automaticas = fracciones_multiples([c > 0 for c in creditos])
    iguales = list(automaticas) == creditos
    opciones = tuple(
        OpcionImportada(
            texto=t, correcta=f > 0, fraccion=None if iguales else f, retroalimentacion=r
        )
        for t, f, r in filas
    )
    return replace(base, tipo=TipoPregunta.OPCION_MULTIPLE, opciones=opciones)


def _verdadero_falso(lector: _Lector, base: PreguntaImportada) -> PreguntaImportada:
    verdadera = None
    retro = {"true": "", "false": ""}
    for indice, respuesta in enumerate(lector.nodo.findall("answer")[:2]):
        texto = _texto(respuesta).strip().lower()
        if texto not in retro:
            # Old exports wrote the answers in the site's language, true first.
            texto = "true" if indice == 0 else "false"
        if _fraccion(respuesta) == CIEN:
            verdadera = texto == "true"
        retro[texto] = lector.plano(
            respuesta.find("feedback"), _("La retroalimentación de una respuesta")
        )
    if verdadera is None:
        raise _ErrorPregunta(_("Falta la respuesta correcta (true o false)."))
    return replace(
        base,
        tipo=TipoPregunta.VERDADERO_FALSO,
        es_verdadera=verdadera,
        retroalimentacion_verdadero=retro["true"],
        retroalimentacion_falso=retro["false"],
    )


def _corta(lector: _Lector, base: PreguntaImportada) -> PreguntaImportada:
    opciones = []
    for respuesta in lector.nodo.findall("answer"):
        # Short answers are plain text in Moodle whatever their format says.
        texto = _texto(respuesta).strip()
        if not texto:
            continue
        credito = lector.credito(_fraccion(respuesta), texto)
        opciones.append(
            OpcionImportada(
                texto=texto,
                correcta=credito > 0,
                fraccion=None if credito == CIEN else credito,
                retroalimentacion=lector.plano(
                    respuesta.find("feedback"),
                    _("La retroalimentación de «%(r)s»") % {"r": texto[:40]},
                ),
            )
        )
    _exigir_cien(
        [o.fraccion if o.fraccion is not None else CIEN for o in opciones],
        _("Ninguna respuesta aceptada vale 100 %."),
    )
    return replace(
        base,
        tipo=TipoPregunta.RESPUESTA_CORTA,
        opciones=tuple(opciones),
        distinguir_mayusculas=_verdad(lector.nodo.findtext("usecase"), False),
        # Moodle never folds accents: "año" and "ano" are different answers there.
        ignorar_acentos=False,
    )


def _numerica(lector: _Lector, base: PreguntaImportada) -> PreguntaImportada:
    opciones = []
    for respuesta in lector.nodo.findall("answer"):
        crudo = _texto(respuesta).strip() or "*"
        valor = "*" if crudo == "*" else format(_decimal(crudo, "answer").normalize(), "f")
        tolerancia = abs(_decimal(respuesta.findtext("tolerance") or "0", "tolerance"))
        credito = lector.credito(_fraccion(respuesta), valor)
        opciones.append(
            OpcionImportada(
                texto=valor,
                correcta=credito > 0,
                fraccion=None if credito == CIEN else credito,
                tolerancia=tolerancia,
                retroalimentacion=lector.plano(
                    respuesta.find("feedback"),
                    _("La retroalimentación de «%(r)s»") % {"r": valor},
                ),
            )
        )
    _exigir_cien(
        [o.fraccion if o.fraccion is not None else CIEN for o in opciones],
        _("Falta la respuesta numérica que vale 100 %."),
    )
    unidades = [(u.findtext("unit_name") or "").strip() for u in lector.nodo.findall("units/unit")]
    if any(unidades):
        lector.avisar(
            _("Las unidades (%(u)s) no se conservan: la respuesta se califica sin unidad.")
            % {"u": ", ".join(u for u in unidades if u)[:80]}
        )
    if _texto(lector.nodo.find("instructions")).strip():
        lector.avisar(_("Las instrucciones sobre unidades no se conservan."))
    return replace(base, tipo=TipoPregunta.NUMERICA, opciones=tuple(opciones))


def _relacionar(lector: _Lector, base: PreguntaImportada) -> PreguntaImportada:
    opciones = []
    for sub in lector.nodo.findall("subquestion"):
        premisa = lector.plano(sub, _("Una premisa"))
        pareja = _texto(sub.find("answer")).strip()
        if not premisa and not pareja:
            continue
        if not pareja:
            raise _ErrorPregunta(_("En relacionar, cada premisa necesita su pareja."))
        # A match with no premise is a distractor, as in Moodle.
        opciones.append(OpcionImportada(texto=premisa, pareja=pareja))
    if sum(1 for o in opciones if o.texto) < 2:
        raise _ErrorPregunta(_("Relacionar necesita al menos dos pares."))
    lector.barajar()
    lector.retroalimentacion_combinada()
    return replace(base, tipo=TipoPregunta.RELACIONAR, opciones=tuple(opciones))


def _ordenar(lector: _Lector, base: PreguntaImportada) -> PreguntaImportada:
    nodo = lector.nodo
    opciones = tuple(
        OpcionImportada(texto=lector.plano(r, _("Un elemento"))) for r in nodo.findall("answer")
    )
    if len(opciones) < 2 or any(not o.texto for o in opciones):
        raise _ErrorPregunta(_("Ordenar necesita al menos dos elementos con texto."))
    # qtype_ordering's defaults when a field is missing: relative grading, six at random.
    calificacion = (nodo.findtext("gradingtype") or "RELATIVE").strip().upper()
    if calificacion not in _CALIFICACION_ABSOLUTA:
        lector.avisar(
            _(
                "Moodle califica esta pregunta con «%(t)s»; aquí cada elemento cuenta si "
                "queda en su posición (ABSOLUTE_POSITION)."
            )
            % {"t": calificacion[:40]}
        )
    seleccion = (nodo.findtext("selecttype") or "RANDOM").strip().upper()
    try:
        cuantos = int((nodo.findtext("selectcount") or "6").strip())
    except ValueError:
        cuantos = 6
    if seleccion != "ALL" and 0 < cuantos < len(opciones):
        lector.avisar(
            _("Moodle mostraba solo %(n)d de los elementos; aquí se muestran todos.")
            % {"n": cuantos}
        )
    lector.retroalimentacion_combinada()
    return replace(base, tipo=TipoPregunta.ORDENAR, opciones=opciones)


def _numero_entero(texto: str | None, defecto: int) -> int:
    try:
        return int((texto or "").strip() or defecto)
    except ValueError:
        return defecto


def _ensayo(lector: _Lector, base: PreguntaImportada) -> PreguntaImportada:
    nodo = lector.nodo
    formato = (nodo.findtext("responseformat") or "editor").strip()
    adjuntos = _numero_entero(nodo.findtext("attachments"), 0)
    pregunta = replace(
        base,
        notas_para_calificar=lector.plano(
            nodo.find("graderinfo"), _("Las notas para quien califica")
        ),
        plantilla_respuesta=lector.plano(
            nodo.find("responsetemplate"), _("La plantilla de respuesta")
        ),
    )
    for campo, nombre in (("minwordlimit", _("mínimo")), ("maxwordlimit", _("máximo"))):
        if _numero_entero(nodo.findtext(campo), 0) > 0:
            lector.avisar(
                _("El %(limite)s de palabras del ensayo no se conserva.") % {"limite": nombre}
            )
    if formato == "noinline" and adjuntos != 0:
        if adjuntos != 1:
            lector.avisar(
                _("Moodle admitía varios archivos; aquí el entregable es un solo archivo.")
            )
        tipos = (nodo.findtext("filetypeslist") or "").replace(";", ",").replace(" ", ",")
        extensiones = ",".join(e.strip().lstrip(".") for e in tipos.split(",") if e.strip())
        tamano = None
        maximo_bytes = _numero_entero(nodo.findtext("maxbytes"), 0)
        if maximo_bytes > 0:
            limite = subidas.MAX_ENTREGABLE // subidas.MB
            tamano = min(max(1, math.ceil(maximo_bytes / subidas.MB)), limite)
            if maximo_bytes > limite * subidas.MB:
                lector.avisar(
                    _("El tamaño máximo de archivo se reduce a %(mb)d MB, el límite de aquí.")
                    % {"mb": limite}
                )
        return replace(
            pregunta, tipo=TipoPregunta.ENTREGABLE, extensiones=extensiones, tamano_maximo_mb=tamano
        )
    if adjuntos != 0:
        lector.avisar(
            _("Los archivos adjuntos del ensayo no se conservan: aquí responde con texto.")
        )
    return pregunta


_LECTORES = {
    "multichoice": _eleccion,
    "truefalse": _verdadero_falso,
    "shortanswer": _corta,
    "numerical": _numerica,
    "matching": _relacionar,
    "match": _relacionar,
    "ordering": _ordenar,
    "essay": _ensayo,
}


def _interpretar(numero: int, nodo: ET.Element, categoria: RutaCategoria) -> PreguntaImportada:
    tipo = nodo.get("type", "")
    lectura = _LECTORES.get(tipo)
    if lectura is None:
        nombre = _TIPOS_SIN_EQUIVALENTE.get(tipo)
        raise _ErrorPregunta(
            _("El tipo de pregunta de Moodle «%(tipo)s»%(nombre)s no se puede importar.")
            % {"tipo": tipo[:40], "nombre": f" ({nombre})" if nombre else ""}
        )
    enunciado_nodo = nodo.find("questiontext")
    enunciado_texto = _texto(enunciado_nodo).strip()
    if not enunciado_texto:
        raise _ErrorPregunta(_("La pregunta no tiene enunciado."))
    formato = _formato(enunciado_nodo, "html")
    # Images stored inside Moodle (@@PLUGINFILE@@) do not travel; a broken one is dropped.
    enunciado = enunciado_html(_IMAGEN_INTERNA.sub("", enunciado_texto), formato)
    puntos = _decimal(nodo.findtext("defaultgrade") or "1", "defaultgrade")
    if puntos < 0 or puntos >= Decimal("10000"):
        raise _ErrorPregunta(_("Los puntos de la pregunta están fuera de rango."))
    lector = _Lector(nodo, formato)
    _cabecera(lector, tipo)
    titulo = " ".join(_texto(nodo.find("name")).split())
    base = PreguntaImportada(
        numero=numero,
        titulo=titulo[:255] or titulo_de(enunciado),
        tipo=TipoPregunta.ENSAYO,
        enunciado=enunciado,
        retroalimentacion=lector.plano(
            nodo.find("generalfeedback"), _("La retroalimentación general")
        ),
        categoria=categoria,
        puntos=puntos.quantize(Decimal("0.01")),
        etiquetas=_etiquetas(nodo),
    )
    if puntos != base.puntos:
        lector.avisar(
            _("Los puntos (%(p)s) se redondean a centésimos.")
            % {"p": format(puntos.normalize(), "f")}
        )
    pregunta = lectura(lector, base)
    return replace(pregunta, avisos=tuple(lector.avisos))


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
    categoria: RutaCategoria = ()
    descripcion = ""
    aviso_categoria: str | None = None
    numero = 0
    for indice, nodo in enumerate(raiz.findall("question")):
        linea = lineas[indice] if indice < len(lineas) else 0
        if nodo.get("type") == "category":
            categoria, contexto = ruta_de_categoria(_texto(nodo.find("category")))
            aviso_categoria = aviso_de_contexto(contexto, categoria)
            info = nodo.find("info")
            descripcion = texto_plano(_texto(info), _formato(info, "moodle"), [], "")
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
            pregunta = _interpretar(numero, nodo, categoria)
        except _ErrorPregunta as error:
            errores.append(ErrorImportacion(numero, linea, extracto, str(error)))
            continue
        if aviso_categoria:
            pregunta = replace(pregunta, avisos=(aviso_categoria, *pregunta.avisos))
        if descripcion and categoria:
            pregunta = replace(pregunta, descripcion_categoria=descripcion)
        preguntas.append(pregunta)
    return ResultadoImportacion(tuple(preguntas), tuple(errores))


# --- Export -------------------------------------------------------------------------


def _campo(padre: ET.Element, etiqueta: str, texto: str, formato: str | None = None) -> ET.Element:
    nodo = ET.SubElement(padre, etiqueta)
    if formato is not None:
        nodo.set("format", formato)
    ET.SubElement(nodo, "text").text = texto
    return nodo


def _creditos(pregunta: Pregunta, opciones: Sequence[OpcionPregunta]) -> list[Fraction]:
    """Each option's exact credit, as scoring reads it (its type's module decides)."""
    return tipos.modulo(pregunta.tipo).creditos(opciones)


def _respuesta(
    nodo: ET.Element, texto: str, credito: Fraction, retro: str, formato: str = "plain_text"
) -> ET.Element:
    respuesta = _campo(nodo, "answer", texto, formato)
    respuesta.set("fraction", scoring.porcentaje_moodle(credito))
    _campo(respuesta, "feedback", retro, "plain_text")
    return respuesta


class _Escritor:
    """The XML helpers a type module writes its elements with (tipos.base.EscritorMoodle)."""

    def sub(self, padre: ET.Element, etiqueta: str, texto: str) -> ET.Element:
        nodo = ET.SubElement(padre, etiqueta)
        nodo.text = texto
        return nodo

    def campo(
        self, padre: ET.Element, etiqueta: str, texto: str, formato: str | None = None
    ) -> ET.Element:
        return _campo(padre, etiqueta, texto, formato)

    def respuesta(
        self,
        nodo: ET.Element,
        texto: str,
        credito: Fraction,
        retro: str,
        formato: str = "plain_text",
    ) -> ET.Element:
        return _respuesta(nodo, texto, credito, retro, formato)


def _exportar_pregunta(
    raiz: ET.Element, pregunta: Pregunta, opciones: Sequence[OpcionPregunta]
) -> None:
    modulo = tipos.modulo(pregunta.tipo)
    nodo = ET.SubElement(raiz, "question", type=modulo.tipo_moodle)
    _campo(nodo, "name", pregunta.titulo)
    _campo(nodo, "questiontext", pregunta.enunciado, "html")
    _campo(nodo, "generalfeedback", pregunta.retroalimentacion, "plain_text")
    ET.SubElement(nodo, "defaultgrade").text = f"{pregunta.puntos:.7f}"
    ET.SubElement(nodo, "penalty").text = modulo.penalizacion_moodle
    ET.SubElement(nodo, "hidden").text = "0"
    ET.SubElement(nodo, "idnumber")
    modulo.exportar_moodle(_Escritor(), nodo, pregunta, opciones)
    etiquetas = sorted(e.name for e in pregunta.etiquetas.all())
    if etiquetas:
        grupo = ET.SubElement(nodo, "tags")
        for nombre in etiquetas:
            _campo(grupo, "tag", nombre)


def rutas_de_categorias(categorias: Iterable[CategoriaPregunta]) -> dict[int, RutaCategoria]:
    """Each category's path of names from its course's top level, parents read in bulk."""
    por_id = {c.pk: c for c in categorias}
    faltan = {c.padre_id for c in por_id.values() if c.padre_id and c.padre_id not in por_id}
    while faltan:
        nuevas = CategoriaPregunta.objects.in_bulk(faltan)
        if not nuevas:
            break
        por_id.update(nuevas)
        faltan = {c.padre_id for c in nuevas.values() if c.padre_id and c.padre_id not in por_id}
    rutas: dict[int, RutaCategoria] = {}
    for pk in list(por_id):
        nombres: list[str] = []
        actual: CategoriaPregunta | None = por_id[pk]
        while actual is not None and len(nombres) <= len(por_id):
            nombres.append(actual.nombre)
            actual = por_id.get(actual.padre_id) if actual.padre_id else None
        rutas[pk] = tuple(reversed(nombres))
    return rutas


def _ordenadas(preguntas: Iterable[Pregunta]) -> tuple[list[Pregunta], dict[int, RutaCategoria]]:
    lista = list(preguntas)
    rutas = rutas_de_categorias({p.categoria_id: p.categoria for p in lista}.values())
    lista.sort(key=lambda p: (rutas[p.categoria_id], p.pk))
    return lista, rutas


def _opciones(pregunta: Pregunta) -> list[OpcionPregunta]:
    return sorted(pregunta.opciones.all(), key=lambda o: (o.sort_order or 0, o.pk))


def exportar_moodle_xml(preguntas: Iterable[Pregunta]) -> str:
    """Moodle XML of `preguntas` (with `opciones` and `categoria` loaded), by category path."""
    raiz = ET.Element("quiz")
    ruta_actual: RutaCategoria | None = None
    lista, rutas = _ordenadas(preguntas)
    for pregunta in lista:
        ruta = rutas[pregunta.categoria_id]
        if ruta != ruta_actual:
            ruta_actual = ruta
            nodo = ET.SubElement(raiz, "question", type="category")
            _campo(nodo, "category", texto_de_ruta(ruta))
            _campo(nodo, "info", pregunta.categoria.descripcion, "plain_text")
        _exportar_pregunta(raiz, pregunta, _opciones(pregunta))
    ET.indent(raiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(raiz, encoding="unicode") + "\n"


def avisos_de_exportacion(preguntas: Iterable[Pregunta]) -> list[str]:
    """What Moodle would refuse or cannot hold in the export of `preguntas`, in words."""
    avisos: list[str] = []
    for pregunta in preguntas:
        opciones = _opciones(pregunta)
        tipo = TipoPregunta(pregunta.tipo)
        datos = {"titulo": pregunta.titulo[:80]}
        if tipo in (
            TipoPregunta.OPCION_UNICA,
            TipoPregunta.OPCION_MULTIPLE,
            TipoPregunta.RESPUESTA_CORTA,
            TipoPregunta.NUMERICA,
        ):
            for opcion, credito in zip(opciones, _creditos(pregunta, opciones), strict=True):
                if not moodle_acepta(credito):
                    avisos.append(
                        _(
                            "«%(titulo)s»: el crédito de %(credito)s %% de «%(opcion)s» no está en "
                            "la lista de Moodle; Moodle rechazará esta pregunta al importarla."
                        )
                        % {
                            **datos,
                            "credito": scoring.porcentaje_moodle(credito),
                            "opcion": opcion.texto[:60],
                        }
                    )
        if tipo == TipoPregunta.RESPUESTA_CORTA and pregunta.ignorar_acentos:
            avisos.append(
                _(
                    "«%(titulo)s»: Moodle no tiene «aceptar sin acentos»; allí «año» y «ano» "
                    "serán respuestas distintas."
                )
                % datos
            )
        if pregunta.criterios.all():
            avisos.append(_("«%(titulo)s»: Moodle no guarda la rúbrica de la pregunta.") % datos)
    return avisos
