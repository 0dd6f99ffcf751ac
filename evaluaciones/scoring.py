"""Pure scoring of questions, attempts and grading methods.

No ORM, no Wagtail: every function takes frozen dataclasses and plain values and
returns new ones, so the rules can be tested exhaustively without a database.
Arithmetic is exact (fractions); results are rounded once, to cents, at the end.
"""

from __future__ import annotations

import datetime
import enum
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

CENTESIMOS = Decimal("0.01")
CIEN = Decimal("100")


class TipoPregunta(enum.StrEnum):
    OPCION_UNICA = "opcion_unica"
    OPCION_MULTIPLE = "opcion_multiple"
    VERDADERO_FALSO = "verdadero_falso"
    RESPUESTA_CORTA = "respuesta_corta"
    NUMERICA = "numerica"
    RELACIONAR = "relacionar"
    ORDENAR = "ordenar"
    ENSAYO = "ensayo"
    ENTREGABLE = "entregable"


TIPOS_MANUALES = frozenset({TipoPregunta.ENSAYO, TipoPregunta.ENTREGABLE})


class MetodoCalificacion(enum.StrEnum):
    MAS_ALTA = "mas_alta"
    ULTIMA = "ultima"
    PRIMERA = "primera"
    PROMEDIO = "promedio"


# --- Keys (what is right) ----------------------------------------------------


@dataclass(frozen=True)
class OpcionClave:
    """An option and the share of the question's points it gives when chosen (-1 to 1)."""

    id: str
    fraccion: Fraction


@dataclass(frozen=True)
class RespuestaAceptada:
    texto: str
    fraccion: Fraction = Fraction(1)


@dataclass(frozen=True)
class ClaveOpciones:
    """Single choice, true/false (as two options) and multiple response."""

    opciones: tuple[OpcionClave, ...]


@dataclass(frozen=True)
class ClaveCorta:
    """Accepted answers, tried in order as Moodle does: the first that matches counts.

    `comodin`: `*` in an accepted answer stands for any text (`\\*` is a literal star).
    Keys frozen before these options existed (`heredada`) fold case and accents, have
    no wildcard and give the best matching credit, so their grades stay reproducible.
    """

    aceptadas: tuple[RespuestaAceptada, ...]
    distinguir_mayusculas: bool = False
    ignorar_acentos: bool = False
    heredada: bool = False


@dataclass(frozen=True)
class RespuestaNumerica:
    """One accepted value: `valor` None is Moodle's `*`, any number."""

    valor: Decimal | None
    tolerancia: Decimal = Decimal(0)
    fraccion: Fraction = Fraction(1)


@dataclass(frozen=True)
class ClaveNumerica:
    """Accepted values tried in order; the first whose range holds the answer counts."""

    respuestas: tuple[RespuestaNumerica, ...]


@dataclass(frozen=True)
class ClaveRelacionar:
    """premisa id -> id of its right match; distractor matches simply appear nowhere here."""

    pares: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ClaveOrdenar:
    """Item ids in their right order."""

    orden: tuple[str, ...]


@dataclass(frozen=True)
class ClaveManual:
    """Essays and deliverables: a person grades them."""


Clave = ClaveOpciones | ClaveCorta | ClaveNumerica | ClaveRelacionar | ClaveOrdenar | ClaveManual


@dataclass(frozen=True)
class PreguntaCalificable:
    clave_pregunta: str
    tipo: TipoPregunta
    puntos: Decimal
    clave: Clave


# --- Answers (what the participant gave) -------------------------------------

# opcion_unica / verdadero_falso: option id; opcion_multiple: frozenset of ids;
# respuesta_corta / numerica: text; relacionar: premisa -> match id;
# ordenar: item id -> position (1-based); ensayo / entregable: anything (graded by hand).
ValorRespuesta = str | frozenset[str] | Mapping[str, str] | Mapping[str, int] | None


@dataclass(frozen=True)
class ResultadoPregunta:
    clave_pregunta: str
    obtenidos: Decimal | None
    posibles: Decimal

    @property
    def pendiente(self) -> bool:
        return self.obtenidos is None

    @property
    def correcta(self) -> bool:
        return self.obtenidos is not None and self.obtenidos == self.posibles


@dataclass(frozen=True)
class ResultadoIntento:
    obtenidos: Decimal
    posibles: Decimal
    porcentaje: Decimal
    pendiente: bool
    preguntas: tuple[ResultadoPregunta, ...] = field(default=())


# --- Helpers -----------------------------------------------------------------


def _acotar(valor: Fraction) -> Fraction:
    return max(Fraction(0), min(Fraction(1), valor))


def _a_decimal(valor: Fraction) -> Decimal:
    return (Decimal(valor.numerator) / Decimal(valor.denominator)).quantize(
        CENTESIMOS, rounding=ROUND_HALF_UP
    )


def _puntos(puntos: Decimal, fraccion: Fraction) -> Decimal:
    return _a_decimal(Fraction(puntos) * _acotar(fraccion))


def normalizar_texto(
    texto: str, *, distinguir_mayusculas: bool = False, ignorar_acentos: bool = True
) -> str:
    """Text as short answers compare it: spaces collapsed, case and accents as asked.

    By default case and accents fold, so 'Artículo  70 ' equals 'articulo 70'; with
    `ignorar_acentos=False` 'año' and 'ano' stay different words.
    """
    if ignorar_acentos:
        descompuesto = unicodedata.normalize("NFKD", texto)
        texto = "".join(c for c in descompuesto if not unicodedata.combining(c))
    else:
        texto = unicodedata.normalize("NFC", texto)
    if not distinguir_mayusculas:
        texto = texto.casefold()
    return " ".join(texto.split())


# A run of stars not preceded by a backslash is Moodle's wildcard; `\*` is a star.
_COMODIN = re.compile(r"(?<!\\)\*+")


@functools.lru_cache(maxsize=2048)
def _patron(aceptada: str) -> re.Pattern[str]:
    partes = _COMODIN.split(aceptada)
    return re.compile(".*".join(re.escape(p.replace("\\*", "*")) for p in partes), re.DOTALL)


def coincide_respuesta_corta(
    dada: str, aceptada: str, *, distinguir_mayusculas: bool, ignorar_acentos: bool
) -> bool:
    """Whether `dada` matches the accepted answer, `*` standing for any text."""
    opciones = {"distinguir_mayusculas": distinguir_mayusculas, "ignorar_acentos": ignorar_acentos}
    dada = normalizar_texto(dada, **opciones)
    if not dada:
        return False
    return _patron(normalizar_texto(aceptada, **opciones)).fullmatch(dada) is not None


_EXPONENTE = r"([eE][+-]?\d+)?"
# As es-MX writes: point for decimals, comma grouping thousands ("3,145" is 3145).
_NUMERO_MX = re.compile(rf"^[+-]?(\d+|\d{{1,3}}(,\d{{3}})+)?(\.\d*)?{_EXPONENTE}$")
# Forms that can only mean a decimal comma: "3,5", "-2,25", ",5" (never a group of three).
_COMA_DECIMAL = re.compile(rf"^[+-]?\d*,(\d{{1,2}}|\d{{4,}}){_EXPONENTE}$")
# Points grouping thousands with a decimal comma, as written elsewhere: "1.234,5", "1.234.567".
_PUNTOS_DE_MILES = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")


def _texto_decimal(limpio: str) -> str | None:
    """`limpio` as Python's Decimal reads it, or None when it is no number or is ambiguous."""
    if _NUMERO_MX.match(limpio) and any(c.isdigit() for c in limpio.split("e")[0].split("E")[0]):
        return limpio.replace(",", "")
    if _COMA_DECIMAL.match(limpio):
        return limpio.replace(",", ".")
    if _PUNTOS_DE_MILES.match(limpio) and (limpio.count(".") > 1 or "," in limpio):
        return limpio.replace(".", "").replace(",", ".")
    return None


def interpretar_numero(texto: str) -> Decimal | None:
    """Read a number as es-MX writes it; None when it is not one.

    Point for decimals and comma for thousands ("1,234.5", "3,145" = 3145, "3.145" =
    3.145); also the forms that can only mean one thing: a decimal comma with other than
    three digits after it ("3,5", "-2,25") and points grouping thousands before a decimal
    comma ("1.234,5"). Spaces between digits are dropped ("1 000").
    """
    limpio = "".join(texto.split()).replace("\u202f", "").replace("\xa0", "")
    if not limpio or len(limpio) > 40:
        return None
    decimal = _texto_decimal(limpio)
    if decimal is None:
        return None
    try:
        numero = Decimal(decimal)
    except InvalidOperation:
        return None
    return numero if numero.is_finite() else None


# Credits closer than this (in percentage points) to a fraction with a small denominator
# are that fraction: 33.33 and Moodle's 33.33333 are a third, 14.29 a seventh.
_HOLGURA_CREDITO = Fraction(1, 200)
_DENOMINADOR_MAXIMO = 20


def credito_exacto(porcentaje: Decimal) -> Fraction:
    """The exact share of the points a credit in % gives (-1 to 1).

    A third cannot be written in decimals: 33.33 and 33.33333 both mean 1/3, so three
    such options add up to exactly 100 %. Anything farther from every fraction with a
    denominator up to 20 than half a hundredth of a point is taken as written.
    """
    escrito = Fraction(porcentaje)
    for denominador in range(1, _DENOMINADOR_MAXIMO + 1):
        candidata = Fraction(round(escrito / 100 * denominador), denominador)
        if abs(candidata * 100 - escrito) < _HOLGURA_CREDITO:
            return candidata
    return escrito / 100


def porcentaje_moodle(fraccion: Fraction) -> str:
    """A credit as Moodle writes it: percent with up to five decimals ("33.33333")."""
    valor = (Decimal(fraccion.numerator * 100) / Decimal(fraccion.denominator)).quantize(
        Decimal("0.00001"), rounding=ROUND_HALF_UP
    )
    texto = format(valor.normalize(), "f")
    return "0" if texto in ("-0", "0") else texto


def fracciones_multiples(correctas: Sequence[bool]) -> tuple[Fraction, ...]:
    """Default weights for multiple response: each right option +1/k, each wrong one -1/(n-k).

    Ticking every option therefore scores zero, so guessing everything never pays.
    """
    k = sum(1 for c in correctas if c)
    n = len(correctas)
    positivo = Fraction(1, k) if k else Fraction(0)
    negativo = Fraction(-1, n - k) if n - k else Fraction(0)
    return tuple(positivo if c else negativo for c in correctas)


@functools.lru_cache(maxsize=4096)
def fraccion_de_texto(texto: str) -> Fraction:
    """A frozen credit ("1/3") as a Fraction.

    Parsing costs a regular expression; the same few credits recur in every attempt,
    and a Fraction is immutable, so each text is parsed once per process.
    """
    return Fraction(texto)


# --- Question scoring --------------------------------------------------------


def _fraccion_opciones(clave: ClaveOpciones, tipo: TipoPregunta, valor: ValorRespuesta) -> Fraction:
    fracciones = {opcion.id: opcion.fraccion for opcion in clave.opciones}
    if tipo == TipoPregunta.OPCION_MULTIPLE:
        if not isinstance(valor, frozenset):
            return Fraction(0)
        return sum((fracciones.get(i, Fraction(0)) for i in valor), Fraction(0))
    if not isinstance(valor, str):
        return Fraction(0)
    return fracciones.get(valor, Fraction(0))


def _fraccion_corta(clave: ClaveCorta, valor: ValorRespuesta) -> Fraction:
    if not isinstance(valor, str):
        return Fraction(0)
    if clave.heredada:
        dada = normalizar_texto(valor)
        coincidencias = [a.fraccion for a in clave.aceptadas if normalizar_texto(a.texto) == dada]
        return max(coincidencias, default=Fraction(0)) if dada else Fraction(0)
    for aceptada in clave.aceptadas:
        if coincide_respuesta_corta(
            valor,
            aceptada.texto,
            distinguir_mayusculas=clave.distinguir_mayusculas,
            ignorar_acentos=clave.ignorar_acentos,
        ):
            return aceptada.fraccion
    return Fraction(0)


def respuesta_numerica_elegida(clave: ClaveNumerica, numero: Decimal) -> RespuestaNumerica | None:
    """The first accepted value whose range holds `numero`, as Moodle picks it."""
    for respuesta in clave.respuestas:
        if respuesta.valor is None or abs(numero - respuesta.valor) <= abs(respuesta.tolerancia):
            return respuesta
    return None


def _fraccion_numerica(clave: ClaveNumerica, valor: ValorRespuesta) -> Fraction:
    if not isinstance(valor, str):
        return Fraction(0)
    numero = interpretar_numero(valor)
    if numero is None:
        return Fraction(0)
    elegida = respuesta_numerica_elegida(clave, numero)
    return elegida.fraccion if elegida is not None else Fraction(0)


def _fraccion_relacionar(clave: ClaveRelacionar, valor: ValorRespuesta) -> Fraction:
    if not clave.pares or not isinstance(valor, Mapping):
        return Fraction(0)
    aciertos = sum(1 for premisa, pareja in clave.pares if valor.get(premisa) == pareja)
    return Fraction(aciertos, len(clave.pares))


def _fraccion_ordenar(clave: ClaveOrdenar, valor: ValorRespuesta) -> Fraction:
    """Share of items placed in their right position; a position given twice earns nothing."""
    if not clave.orden or not isinstance(valor, Mapping):
        return Fraction(0)
    usos = Counter(valor.values())
    aciertos = sum(
        1
        for posicion, item in enumerate(clave.orden, start=1)
        if valor.get(item) == posicion and usos[posicion] == 1
    )
    return Fraction(aciertos, len(clave.orden))


# Each kind of key and the rule that scores an answer against it (share of the points).
_FRACCION_POR_CLAVE: dict[type, Callable[[Any, TipoPregunta, ValorRespuesta], Fraction]] = {
    ClaveOpciones: _fraccion_opciones,
    ClaveCorta: lambda clave, _tipo, valor: _fraccion_corta(clave, valor),
    ClaveNumerica: lambda clave, _tipo, valor: _fraccion_numerica(clave, valor),
    ClaveRelacionar: lambda clave, _tipo, valor: _fraccion_relacionar(clave, valor),
    ClaveOrdenar: lambda clave, _tipo, valor: _fraccion_ordenar(clave, valor),
}


def registrar_regla(
    clase: type, regla: Callable[[Any, TipoPregunta, ValorRespuesta], Fraction]
) -> None:
    """Teach scoring a new kind of key (a question type module calls this once)."""
    _FRACCION_POR_CLAVE[clase] = regla


def clases_con_regla() -> frozenset[type]:
    return frozenset(_FRACCION_POR_CLAVE)


def calificar_pregunta(
    pregunta: PreguntaCalificable,
    valor: ValorRespuesta,
    *,
    manual: Decimal | None = None,
) -> ResultadoPregunta:
    """Points for one answer, always between 0 and the question's points.

    Penalties of wrong options can take a question to zero, never below; a manual
    grade (essays, deliverables) is clamped the same way, and is None until given.
    """
    posibles = max(pregunta.puntos, Decimal(0))
    clave = pregunta.clave
    if isinstance(clave, ClaveManual) or pregunta.tipo in TIPOS_MANUALES:
        if manual is None:
            return ResultadoPregunta(pregunta.clave_pregunta, None, posibles)
        return ResultadoPregunta(
            pregunta.clave_pregunta, min(max(manual, Decimal(0)), posibles), posibles
        )
    calcular = _FRACCION_POR_CLAVE.get(type(clave))
    if calcular is None:
        # A key no rule knows must never fall through to some other rule.
        raise TypeError(f"Sin regla de calificación para {type(clave).__name__}")
    fraccion = calcular(clave, pregunta.tipo, valor)
    return ResultadoPregunta(pregunta.clave_pregunta, _puntos(posibles, fraccion), posibles)


def calificar_intento(
    preguntas: Sequence[PreguntaCalificable],
    respuestas: Mapping[str, ValorRespuesta],
    *,
    manuales: Mapping[str, Decimal] | None = None,
) -> ResultadoIntento:
    """Score an attempt; answers to questions not in `preguntas` are ignored."""
    manuales = manuales or {}
    resultados = tuple(
        calificar_pregunta(
            p, respuestas.get(p.clave_pregunta), manual=manuales.get(p.clave_pregunta)
        )
        for p in preguntas
    )
    obtenidos = sum((r.obtenidos or Decimal(0) for r in resultados), Decimal(0))
    posibles = sum((r.posibles for r in resultados), Decimal(0))
    return ResultadoIntento(
        obtenidos=obtenidos,
        posibles=posibles,
        porcentaje=porcentaje(obtenidos, posibles),
        pendiente=any(r.pendiente for r in resultados),
        preguntas=resultados,
    )


def porcentaje(obtenidos: Decimal, posibles: Decimal) -> Decimal:
    """Score as a percentage rounded to cents; 0 when nothing can be scored."""
    if posibles <= 0:
        return Decimal("0.00")
    valor = _a_decimal(Fraction(obtenidos) / Fraction(posibles) * 100)
    return min(max(valor, Decimal("0.00")), Decimal("100.00"))


# --- Grading methods over attempts -------------------------------------------


@dataclass(frozen=True)
class IntentoCalificado:
    """A scored attempt: its number, percentage and when that score was set."""

    numero: int
    porcentaje: Decimal
    calificado_en: datetime.datetime


def calificacion_final(
    metodo: MetodoCalificacion, intentos: Sequence[IntentoCalificado]
) -> Decimal | None:
    """The evaluation's grade from the scored attempts; None before any is scored."""
    if not intentos:
        return None
    ordenados = sorted(intentos, key=lambda i: i.numero)
    if metodo == MetodoCalificacion.MAS_ALTA:
        return max(i.porcentaje for i in ordenados)
    if metodo == MetodoCalificacion.PRIMERA:
        return ordenados[0].porcentaje
    if metodo == MetodoCalificacion.ULTIMA:
        return ordenados[-1].porcentaje
    total = sum((Fraction(i.porcentaje) for i in ordenados), Fraction(0))
    return _a_decimal(total / len(ordenados))


def fecha_aprobacion(
    metodo: MetodoCalificacion,
    intentos: Sequence[IntentoCalificado],
    aprobatorio: Decimal,
) -> datetime.datetime | None:
    """When the fact that makes the person pass happened; None if they have not passed.

    With the highest grade it is the earliest attempt that passes; with the first or
    last attempt, when that attempt got its score; with the average, the latest score
    that entered the average.
    """
    final = calificacion_final(metodo, intentos)
    if final is None or final < aprobatorio:
        return None
    ordenados = sorted(intentos, key=lambda i: i.numero)
    if metodo == MetodoCalificacion.MAS_ALTA:
        return min(i.calificado_en for i in ordenados if i.porcentaje >= aprobatorio)
    if metodo == MetodoCalificacion.PRIMERA:
        return ordenados[0].calificado_en
    if metodo == MetodoCalificacion.ULTIMA:
        return ordenados[-1].calificado_en
    return max(i.calificado_en for i in ordenados)
