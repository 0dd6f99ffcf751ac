"""GIFT (Moodle's plain-text question format) parser with a per-question error report.

Supported: single choice (one `=`), multiple response (`~%n%` weights), true/false,
short answer (all `=`), numeric (`#value:tolerance`, `#min..max`), matching
(`=a -> b`), essay (`{}`), missing word, titles, `$CATEGORY:`, feedback (`#`, `####`),
escapes (\\~ \\= \\# \\{ \\} \\:) and the [html]/[plain]/[markdown]/[moodle] markers.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from evaluaciones.importers import (
    ErrorImportacion,
    OpcionImportada,
    PreguntaImportada,
    ResultadoImportacion,
    texto_a_html,
    texto_del_archivo,
)
from evaluaciones.scoring import TipoPregunta

MAX_PREGUNTAS = 1000
_ESCAPES = {
    "\\~": "\x01",
    "\\=": "\x02",
    "\\#": "\x03",
    "\\{": "\x04",
    "\\}": "\x05",
    "\\:": "\x06",
}
_RESTAURAR = {v: k[1] for k, v in _ESCAPES.items()}
_PESO = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_FORMATO = re.compile(r"^\[(html|plain|markdown|moodle)\]", re.IGNORECASE)
_VERDADERO = {"T", "TRUE", "V", "VERDADERO"}
_FALSO = {"F", "FALSE", "FALSO"}


class _ErrorPregunta(ValueError):
    pass


def _proteger(texto: str) -> str:
    for origen, marca in _ESCAPES.items():
        texto = texto.replace(origen, marca)
    return texto


def _restaurar(texto: str) -> str:
    for marca, original in _RESTAURAR.items():
        texto = texto.replace(marca, original)
    return texto.replace("\\n", "\n").strip()


def _bloques(texto: str) -> list[tuple[int, str]]:
    """Question blocks separated by blank lines, with the line each starts on; comments dropped."""
    bloques: list[tuple[int, str]] = []
    actual: list[str] = []
    inicio = 0
    for numero, linea in enumerate(texto.splitlines(), start=1):
        if linea.lstrip().startswith("//"):
            continue
        if not linea.strip():
            # As in Moodle, a blank line always ends a question, so one broken
            # question cannot swallow the ones after it.
            if actual:
                bloques.append((inicio, "\n".join(actual)))
                actual = []
            continue
        if not actual:
            inicio = numero
        actual.append(linea)
    if actual:
        bloques.append((inicio, "\n".join(actual)))
    return bloques


def _numero(texto: str) -> Decimal:
    try:
        valor = Decimal(texto.strip())
    except InvalidOperation:
        raise _ErrorPregunta(_("«%(texto)s» no es un número.") % {"texto": texto.strip()}) from None
    if not valor.is_finite():
        raise _ErrorPregunta(_("«%(texto)s» no es un número.") % {"texto": texto.strip()})
    return valor


def _partes_respuesta(contenido: str) -> list[tuple[str, str]]:
    """Split an answer block into (marker, text) pairs at unescaped = and ~."""
    partes: list[tuple[str, str]] = []
    marcador = ""
    actual: list[str] = []
    for caracter in contenido:
        if caracter in "=~":
            if marcador or "".join(actual).strip():
                partes.append((marcador, "".join(actual)))
            marcador = caracter
            actual = []
        else:
            actual.append(caracter)
    if marcador or "".join(actual).strip():
        partes.append((marcador, "".join(actual)))
    return partes


def _peso_y_retro(texto: str) -> tuple[Decimal | None, str, str]:
    peso = None
    coincidencia = _PESO.match(texto.strip())
    if coincidencia:
        peso = Decimal(coincidencia.group(1))
        texto = texto.strip()[coincidencia.end() :]
    retro = ""
    if "#" in texto:
        texto, retro = texto.split("#", 1)
    return peso, _restaurar(texto), _restaurar(retro)


def _interpretar(numero: int, bloque: str, categoria: str) -> PreguntaImportada:
    texto = _proteger(bloque)
    titulo = ""
    coincidencia = re.match(r"^\s*::(.*?)::", texto, re.DOTALL)
    if coincidencia:
        titulo = _restaurar(coincidencia.group(1))
        texto = texto[coincidencia.end() :]
    apertura = texto.find("{")
    cierre = texto.find("}", apertura + 1)
    if apertura < 0:
        raise _ErrorPregunta(_("Falta el bloque de respuestas entre llaves { }."))
    if cierre < 0:
        raise _ErrorPregunta(_("Falta la llave de cierre }."))
    if texto.find("{", apertura + 1, cierre) >= 0 or "{" in texto[cierre + 1 :]:
        raise _ErrorPregunta(
            _("Hay más de un bloque de respuestas; separe las preguntas con una línea en blanco.")
        )
    antes, contenido, despues = texto[:apertura], texto[apertura + 1 : cierre], texto[cierre + 1 :]
    formato = _FORMATO.match(antes.strip())
    es_html = bool(formato and formato.group(1).lower() == "html")
    if formato:
        antes = antes.strip()[formato.end() :]
    enunciado = _restaurar(antes)
    if despues.strip():
        enunciado = f"{enunciado} _____ {_restaurar(despues)}"
    if not enunciado:
        raise _ErrorPregunta(_("La pregunta no tiene enunciado."))
    general = ""
    if "####" in contenido:
        contenido, general = contenido.split("####", 1)
        general = _restaurar(general)
    base = PreguntaImportada(
        numero=numero,
        titulo=(titulo or enunciado)[:255],
        tipo=TipoPregunta.ENSAYO,
        enunciado=texto_a_html(enunciado, es_html=es_html),
        retroalimentacion=general,
        categoria=categoria,
    )
    cuerpo = contenido.strip()
    if not cuerpo:
        return base
    if cuerpo.startswith("#"):
        return _numerica(cuerpo[1:], base)
    cabeza = cuerpo.split("#", 1)[0].strip().upper()
    if cabeza in _VERDADERO | _FALSO:
        return replace(base, tipo=TipoPregunta.VERDADERO_FALSO, es_verdadera=cabeza in _VERDADERO)
    partes = _partes_respuesta(cuerpo)
    if any(m == "" for m, _t in partes):
        raise _ErrorPregunta(_("Cada respuesta debe empezar con = (correcta) o ~ (incorrecta)."))
    if any("->" in t for _m, t in partes):
        return _relacionar(partes, base)
    opciones = []
    for marcador, crudo in partes:
        peso, texto_opcion, retro = _peso_y_retro(crudo)
        if not texto_opcion:
            raise _ErrorPregunta(_("Hay una respuesta vacía."))
        if peso is not None and not Decimal(-100) <= peso <= Decimal(100):
            raise _ErrorPregunta(_("Los porcentajes deben estar entre -100 y 100."))
        opciones.append((marcador, peso, texto_opcion, retro))
    if all(m == "=" for m, *_resto in opciones):
        return replace(
            base,
            tipo=TipoPregunta.RESPUESTA_CORTA,
            opciones=tuple(
                OpcionImportada(texto=t, correcta=True, fraccion=p, retroalimentacion=r)
                for _m, p, t, r in opciones
            ),
        )
    iguales = sum(1 for m, *_resto in opciones if m == "=")
    positivas = sum(1 for m, p, *_resto in opciones if m == "~" and p is not None and p > 0)
    if iguales == 0 and positivas == 0:
        raise _ErrorPregunta(_("Ninguna respuesta es correcta: marque una con =."))
    tipo = (
        TipoPregunta.OPCION_MULTIPLE
        if iguales == 0 and positivas > 1
        else TipoPregunta.OPCION_UNICA
    )
    if iguales > 1:
        raise _ErrorPregunta(
            _("Una pregunta de opción única solo puede tener una respuesta con =.")
        )
    return replace(
        base,
        tipo=tipo,
        opciones=tuple(
            OpcionImportada(
                texto=t,
                correcta=m == "=" or (p is not None and p > 0),
                fraccion=p,
                retroalimentacion=r,
            )
            for m, p, t, r in opciones
        ),
    )


def _numerica(cuerpo: str, base: PreguntaImportada) -> PreguntaImportada:
    primera = cuerpo.strip()
    if primera.startswith("="):
        candidatos = [p for p in primera[1:].split("=") if p.strip()]
        primera = next(
            (c for c in candidatos if not _PESO.match(c.strip())),
            candidatos[0] if candidatos else "",
        )
    valor_texto = primera.split("#", 1)[0].strip()
    if ".." in valor_texto:
        minimo, maximo = (_numero(x) for x in valor_texto.split("..", 1))
        if minimo > maximo:
            raise _ErrorPregunta(_("El rango numérico está invertido."))
        valor, tolerancia = (minimo + maximo) / 2, (maximo - minimo) / 2
    elif ":" in valor_texto:
        valor_base, margen = valor_texto.split(":", 1)
        valor, tolerancia = _numero(valor_base), abs(_numero(margen))
    else:
        valor, tolerancia = _numero(valor_texto), Decimal(0)
    return replace(
        base,
        tipo=TipoPregunta.NUMERICA,
        opciones=(
            OpcionImportada(
                texto=format(valor.normalize(), "f"), correcta=True, tolerancia=tolerancia
            ),
        ),
    )


def _relacionar(partes: list[tuple[str, str]], base: PreguntaImportada) -> PreguntaImportada:
    opciones = []
    for marcador, crudo in partes:
        if marcador != "=" or "->" not in crudo:
            raise _ErrorPregunta(_("En relacionar, cada par se escribe =premisa -> pareja."))
        premisa, pareja = crudo.split("->", 1)
        _peso, pareja_texto, retro = _peso_y_retro(pareja)
        opciones.append(
            OpcionImportada(texto=_restaurar(premisa), pareja=pareja_texto, retroalimentacion=retro)
        )
    if sum(1 for o in opciones if o.texto) < 2:
        raise _ErrorPregunta(_("Relacionar necesita al menos dos pares."))
    return replace(base, tipo=TipoPregunta.RELACIONAR, opciones=tuple(opciones))


def interpretar_gift(texto: str) -> ResultadoImportacion:
    """Parse a GIFT file; every question either parses or gets an error with its line."""
    preguntas: list[PreguntaImportada] = []
    errores: list[ErrorImportacion] = []
    categoria = ""
    numero = 0
    for linea, bloque in _bloques(texto_del_archivo(texto)):
        limpio = bloque.strip()
        if limpio.upper().startswith("$CATEGORY:"):
            primera, _salto, resto = limpio.partition("\n")
            categoria = primera.split(":", 1)[1].strip().split("/")[-1]
            if not resto.strip():
                continue
            limpio = resto.strip()
            linea += 1
        numero += 1
        if numero > MAX_PREGUNTAS:
            errores.append(
                ErrorImportacion(
                    numero,
                    linea,
                    limpio[:80],
                    _("Se importan como máximo %(max)d preguntas por archivo.")
                    % {"max": MAX_PREGUNTAS},
                )
            )
            break
        try:
            preguntas.append(_interpretar(numero, limpio, categoria))
        except _ErrorPregunta as error:
            errores.append(ErrorImportacion(numero, linea, limpio[:80], str(error)))
    return ResultadoImportacion(tuple(preguntas), tuple(errores))
