"""GIFT (Moodle's plain-text question format) parser with a per-question error report.

It reads questions as Moodle's GIFT importer does (question/format/gift): single and
multiple choice (`=`, `~`, `~%50%` weights; no `=` at all makes it multiple response),
true/false with feedback for a wrong and a right answer (`{T#wrong#right}`), short
answer (`=` answers, `%n%` weights), numeric (`#value`, `#value:tolerance`,
`#min..max`, several weighted answers, `~#feedback` for any other number), matching
(`=a -> b`), essay (`{}`), missing word, `::titles::`, `$CATEGORY:` paths, feedback
(`#`, general `####`), escapes (\\~ \\= \\# \\{ \\} \\: \\n and \\\\ for a backslash)
and the [html]/[plain]/[markdown]/[moodle] markers of every text.

One deliberate difference: `\\\\` is read as one backslash (Moodle keeps both), so a
backslash survives a round trip.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.utils.translation import gettext as _

from evaluaciones import scoring
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
    texto_del_archivo,
    texto_plano,
    titulo_de,
)
from evaluaciones.scoring import TipoPregunta

MAX_PREGUNTAS = 1000
# Escaped characters hide behind control characters (the file has none left) while
# the text is split at the unescaped ones; a doubled backslash goes first, so `\\~`
# is a backslash followed by a real `~`.
_ESCAPES = {
    "\\\\": "\x07",
    "\\~": "\x01",
    "\\=": "\x02",
    "\\#": "\x03",
    "\\{": "\x04",
    "\\}": "\x05",
    "\\:": "\x06",
    "\\n": "\x08",
}
_RESTAURAR = {"\x07": "\\", "\x01": "~", "\x02": "=", "\x03": "#", "\x04": "{", "\x05": "}"}
_RESTAURAR |= {"\x06": ":", "\x08": "\n"}
_PESO = re.compile(r"^%(-?\d+(?:\.\d*)?)%")
_FORMATO = re.compile(r"^\[(html|plain|markdown|moodle)\]")
_VERDADERO = {"T", "TRUE"}
_FALSO = {"F", "FALSE"}
CIEN = Decimal(100)


class _ErrorPregunta(ValueError):
    pass


def _proteger(texto: str) -> str:
    for origen, marca in _ESCAPES.items():
        texto = texto.replace(origen, marca)
    return texto


def _restaurar(texto: str) -> str:
    for marca, original in _RESTAURAR.items():
        texto = texto.replace(marca, original)
    return texto.strip()


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
    limpio = _restaurar(texto)
    try:
        if "_" in limpio:
            raise InvalidOperation
        valor = Decimal(limpio)
    except InvalidOperation:
        raise _ErrorPregunta(_("«%(texto)s» no es un número.") % {"texto": limpio}) from None
    if not valor.is_finite():
        raise _ErrorPregunta(_("«%(texto)s» no es un número.") % {"texto": limpio})
    return valor


def _con_formato(texto: str, defecto: str) -> tuple[str, str]:
    """A text and its format: its own [marker], else the question's, as Moodle reads it."""
    limpio = texto.strip()
    marcador = _FORMATO.match(limpio)
    if marcador:
        return _restaurar(limpio[marcador.end() :]), marcador.group(1)
    return _restaurar(limpio), defecto


def _partes(contenido: str, separadores: str) -> list[tuple[str, str]]:
    """Split an answer block into (marker, text) pairs at the unescaped separators."""
    partes: list[tuple[str, str]] = []
    marcador = ""
    actual: list[str] = []
    for caracter in contenido:
        if caracter in separadores:
            if marcador or "".join(actual).strip():
                partes.append((marcador, "".join(actual)))
            marcador = caracter
            actual = []
        else:
            actual.append(caracter)
    if marcador or "".join(actual).strip():
        partes.append((marcador, "".join(actual)))
    return partes


def _peso(texto: str) -> tuple[Decimal | None, str]:
    """The `%n%` weight that starts an answer, if any, and the rest of it."""
    texto = texto.strip()
    coincidencia = _PESO.match(texto)
    if not coincidencia:
        return None, texto
    peso = Decimal(coincidencia.group(1))
    if not -CIEN <= peso <= CIEN:
        raise _ErrorPregunta(_("Los porcentajes deben estar entre -100 y 100."))
    return peso, texto[coincidencia.end() :]


class _Lector:
    """Reads one question's texts in its format and collects what cannot be kept."""

    def __init__(self, formato: str) -> None:
        self.formato = formato
        self.avisos: list[str] = []

    def plano(self, crudo: str, que: str) -> str:
        texto, formato = _con_formato(crudo, self.formato)
        return texto_plano(texto, formato, self.avisos, que)

    def respuesta(self, crudo: str) -> tuple[str, str]:
        """(answer, feedback) of `answer#feedback`, each in its own format."""
        texto, _almohadilla, retro = crudo.partition("#")
        respuesta = self.plano(texto, _("Una respuesta"))
        return respuesta, self.plano(retro, _("La retroalimentación de «%(r)s»") % {"r": respuesta})

    def credito(self, porcentaje: Decimal, texto: str) -> Decimal:
        """The credit as stored (thirds exact), noting it when Moodle would refuse it."""
        exacto = porcentaje_exacto(porcentaje)
        if not moodle_acepta(exacto):
            self.avisos.append(aviso_de_credito(exacto, texto))
        return exacto


def _interpretar(numero: int, bloque: str, categoria: RutaCategoria) -> PreguntaImportada:
    texto = _proteger(bloque).strip()
    titulo = ""
    if texto.startswith("::") and "::" in texto[2:]:
        titulo_crudo, _sep, texto = texto[2:].partition("::")
        titulo = " ".join(_restaurar(titulo_crudo).split())
    apertura = texto.find("{")
    cierre = texto.find("}", apertura + 1)
    if apertura < 0 and "}" not in texto:
        raise _ErrorPregunta(
            _(
                "Falta el bloque de respuestas entre llaves { }. Un texto sin respuestas es "
                "una «descripción» de Moodle, que no se importa."
            )
        )
    if apertura < 0:
        raise _ErrorPregunta(_("Falta la llave de apertura {."))
    if cierre < 0:
        raise _ErrorPregunta(_("Falta la llave de cierre }."))
    if texto.find("{", apertura + 1, cierre) >= 0 or "{" in texto[cierre + 1 :]:
        raise _ErrorPregunta(
            _("Hay más de un bloque de respuestas; separe las preguntas con una línea en blanco.")
        )
    antes, contenido, despues = texto[:apertura], texto[apertura + 1 : cierre], texto[cierre + 1 :]
    # As in Moodle, answers inside the text leave a blank where they were.
    enunciado_crudo = f"{antes}_____{despues}" if despues.strip() else antes
    enunciado_texto, formato = _con_formato(enunciado_crudo, "moodle")
    if not enunciado_texto:
        raise _ErrorPregunta(_("La pregunta no tiene enunciado."))
    lector = _Lector(formato)
    contenido = contenido.strip()
    general = ""
    if "####" in contenido:
        contenido, _sep, general = contenido.rpartition("####")
        contenido = contenido.strip()
    enunciado = enunciado_html(enunciado_texto, formato)
    base = PreguntaImportada(
        numero=numero,
        titulo=titulo[:255] or titulo_de(enunciado),
        tipo=TipoPregunta.ENSAYO,
        enunciado=enunciado,
        retroalimentacion=lector.plano(general, _("La retroalimentación general")),
        categoria=categoria,
    )
    pregunta = _por_tipo(contenido, base, lector)
    return replace(pregunta, avisos=tuple(dict.fromkeys(lector.avisos)))


def _por_tipo(contenido: str, base: PreguntaImportada, lector: _Lector) -> PreguntaImportada:
    """The question the answer block describes, detected in Moodle's order."""
    if not contenido:
        return base
    if contenido.startswith("#"):
        return _numerica(contenido[1:], base, lector)
    if "~" in contenido:
        return _eleccion(contenido, base, lector)
    if "=" in contenido and "->" in contenido:
        return _relacionar(contenido, base, lector)
    cabeza = contenido.partition("#")[0].strip()
    if cabeza in _VERDADERO | _FALSO:
        return _verdadero_falso(contenido, base, lector)
    return _corta(contenido, base, lector)


def _exigir_cien(creditos: list[Decimal]) -> None:
    # Moodle refuses a question no answer of which gives full marks.
    if max(creditos, default=Decimal(0)) < CIEN:
        raise _ErrorPregunta(_("Ninguna respuesta vale 100 %: nadie podría obtener todo."))


def _verdadero_falso(contenido: str, base: PreguntaImportada, lector: _Lector) -> PreguntaImportada:
    cabeza, _s, resto = contenido.partition("#")
    # `{T#feedback for a wrong answer#feedback for a right answer}`.
    incorrecta, _s2, correcta = resto.partition("#")
    verdadera = cabeza.strip() in _VERDADERO
    si_falla = lector.plano(incorrecta, _("La retroalimentación de la respuesta incorrecta"))
    si_acierta = lector.plano(correcta, _("La retroalimentación de la respuesta correcta"))
    return replace(
        base,
        tipo=TipoPregunta.VERDADERO_FALSO,
        es_verdadera=verdadera,
        retroalimentacion_verdadero=si_acierta if verdadera else si_falla,
        retroalimentacion_falso=si_falla if verdadera else si_acierta,
    )


def _eleccion(contenido: str, base: PreguntaImportada, lector: _Lector) -> PreguntaImportada:
    # As in Moodle, text before the first marker is one more answer, worth nothing.
    partes = [(marcador or "~", texto) for marcador, texto in _partes(contenido, "=~")]
    if len(partes) < 2:
        raise _ErrorPregunta(_("Una pregunta de opciones necesita al menos dos respuestas."))
    # Moodle: with no `=`, more than one answer may be chosen.
    unica = any(marcador == "=" for marcador, _t in partes)
    filas: list[tuple[Decimal, str, str]] = []
    for marcador, crudo in partes:
        if marcador == "=":
            credito, resto = CIEN, crudo
        else:
            peso, resto = _peso(crudo)
            credito = peso if peso is not None else Decimal(0)
        texto, retro = lector.respuesta(resto)
        if not texto:
            raise _ErrorPregunta(_("Hay una respuesta vacía."))
        filas.append((lector.credito(credito, texto), texto, retro))
    if unica:
        _exigir_cien([c for c, *_resto in filas])
    else:
        positivas = sum((scoring.credito_exacto(c) for c, *_r in filas if c > 0), Fraction(0))
        if positivas == 0:
            raise _ErrorPregunta(_("Ninguna respuesta es correcta: marque una con =."))
        if positivas != 1:
            raise _ErrorPregunta(
                _(
                    "Las respuestas con crédito suman %(suma)s %%; en respuesta múltiple deben "
                    "sumar 100 %%, como pide Moodle."
                )
                % {"suma": scoring.porcentaje_moodle(positivas)}
            )
    return replace(
        base,
        tipo=TipoPregunta.OPCION_UNICA if unica else TipoPregunta.OPCION_MULTIPLE,
        opciones=tuple(
            OpcionImportada(
                texto=texto,
                correcta=credito == CIEN if unica else credito > 0,
                # Single choice: 100 and 0 are what "correcta" says; every other credit,
                # and every credit of multiple response (0 too: no penalty), is written.
                fraccion=None if unica and credito in (0, CIEN) else credito,
                retroalimentacion=retro,
            )
            for credito, texto, retro in filas
        ),
    )


def _corta(contenido: str, base: PreguntaImportada, lector: _Lector) -> PreguntaImportada:
    opciones = []
    for _marcador, crudo in _partes(contenido, "="):
        peso, resto = _peso(crudo)
        texto, retro = lector.respuesta(resto)
        if not texto:
            raise _ErrorPregunta(_("Hay una respuesta vacía."))
        credito = lector.credito(peso if peso is not None else CIEN, texto)
        opciones.append(
            OpcionImportada(
                texto=texto,
                correcta=credito > 0,
                fraccion=None if credito == CIEN else credito,
                retroalimentacion=retro,
            )
        )
    _exigir_cien([o.fraccion if o.fraccion is not None else CIEN for o in opciones])
    return replace(base, tipo=TipoPregunta.RESPUESTA_CORTA, opciones=tuple(opciones))


def _valor_y_tolerancia(texto: str) -> tuple[str, Decimal]:
    """`value`, `value:tolerance` or `min..max` as Moodle reads them ("*" is any number)."""
    texto = texto.strip()
    if texto == "*":
        return "*", Decimal(0)
    if texto.find("..") > 0:
        minimo, maximo = (_numero(x) for x in texto.split("..", 1))
        if minimo > maximo:
            raise _ErrorPregunta(_("El rango numérico está invertido."))
        valor = (minimo + maximo) / 2
        return format(valor.normalize(), "f"), maximo - valor
    if texto.find(":") > 0:
        valor_texto, margen = texto.split(":", 1)
        return format(_numero(valor_texto).normalize(), "f"), abs(_numero(margen))
    return format(_numero(texto).normalize(), "f"), Decimal(0)


def _numerica(cuerpo: str, base: PreguntaImportada, lector: _Lector) -> PreguntaImportada:
    # `~#feedback` after the answers is what any other number gets.
    cuerpo, tilde, otra = cuerpo.partition("~")
    opciones = []
    for _marcador, crudo in _partes(cuerpo, "="):
        peso, resto = _peso(crudo)
        valor_crudo, _s, retro_cruda = resto.partition("#")
        valor, tolerancia = _valor_y_tolerancia(valor_crudo)
        credito = lector.credito(peso if peso is not None else CIEN, valor)
        opciones.append(
            OpcionImportada(
                texto=valor,
                correcta=credito > 0,
                fraccion=None if credito == CIEN else credito,
                tolerancia=tolerancia,
                retroalimentacion=lector.plano(
                    retro_cruda, _("La retroalimentación de «%(r)s»") % {"r": valor}
                ),
            )
        )
    if not opciones:
        raise _ErrorPregunta(_("Falta la respuesta numérica."))
    _exigir_cien([o.fraccion if o.fraccion is not None else CIEN for o in opciones])
    if tilde:
        retro = lector.plano(otra.partition("#")[2], _("La retroalimentación de otro número"))
        opciones.append(
            OpcionImportada(
                texto="*", fraccion=Decimal(0), tolerancia=Decimal(0), retroalimentacion=retro
            )
        )
    return replace(base, tipo=TipoPregunta.NUMERICA, opciones=tuple(opciones))


def _relacionar(contenido: str, base: PreguntaImportada, lector: _Lector) -> PreguntaImportada:
    opciones = []
    for _marcador, crudo in _partes(contenido, "="):
        if "->" not in crudo:
            raise _ErrorPregunta(_("En relacionar, cada par se escribe =premisa -> pareja."))
        premisa, _flecha, pareja = crudo.partition("->")
        opciones.append(
            OpcionImportada(
                texto=lector.plano(premisa, _("Una premisa")), pareja=_restaurar(pareja)
            )
        )
    if sum(1 for o in opciones if o.texto) < 2:
        raise _ErrorPregunta(_("Relacionar necesita al menos dos pares."))
    if any(not o.pareja for o in opciones):
        raise _ErrorPregunta(_("En relacionar, cada premisa necesita su pareja."))
    return replace(base, tipo=TipoPregunta.RELACIONAR, opciones=tuple(opciones))


def interpretar_gift(texto: str) -> ResultadoImportacion:
    """Parse a GIFT file; every question either parses or gets an error with its line."""
    preguntas: list[PreguntaImportada] = []
    errores: list[ErrorImportacion] = []
    categoria: RutaCategoria = ()
    aviso_categoria: str | None = None
    numero = 0
    for linea, bloque in _bloques(texto_del_archivo(texto)):
        limpio = bloque.strip()
        if limpio.startswith("$CATEGORY:"):
            primera, _salto, resto = limpio.partition("\n")
            categoria, contexto = ruta_de_categoria(primera.split(":", 1)[1])
            aviso_categoria = aviso_de_contexto(contexto, categoria)
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
            pregunta = _interpretar(numero, limpio, categoria)
        except _ErrorPregunta as error:
            errores.append(ErrorImportacion(numero, linea, limpio[:80], str(error)))
            continue
        if aviso_categoria:
            pregunta = replace(pregunta, avisos=(aviso_categoria, *pregunta.avisos))
        preguntas.append(pregunta)
    return ResultadoImportacion(tuple(preguntas), tuple(errores))
