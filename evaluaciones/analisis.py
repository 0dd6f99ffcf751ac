"""Item analysis: how hard each question was, whether it separates strong from weak
participants, how often each option was chosen and which answers were typed most.
Pure functions, no ORM.

Facility is the mean fraction of the question's points earned. Discrimination is the
point-biserial (Pearson) correlation between the question's fraction and the rest of
the attempt's score, so a question is not correlated with itself.
"""

from __future__ import annotations

import enum
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

FACILIDAD_MINIMA = 0.2
FACILIDAD_MAXIMA = 0.95
DISCRIMINACION_MINIMA = 0.2
SIN_RESPUESTA = ""
# How many distinct typed answers item analysis lists; the rest are counted together.
RESPUESTAS_FRECUENTES = 10


class Problema(enum.StrEnum):
    MUY_DIFICIL = "muy_dificil"
    MUY_FACIL = "muy_facil"
    DISCRIMINA_POCO = "discrimina_poco"
    DISCRIMINACION_NEGATIVA = "discriminacion_negativa"


@dataclass(frozen=True)
class ItemIntento:
    """One question as one attempt held it: points earned and possible, options chosen."""

    obtenidos: float
    posibles: float
    elegidas: frozenset[str] = frozenset()
    respondida: bool = True
    # A typed answer (short answer, numeric) as scoring compares it; None for the rest.
    texto: str | None = None


@dataclass(frozen=True)
class IntentoAnalizado:
    intento_id: int
    items: Mapping[str, ItemIntento]

    @cached_property
    def obtenidos(self) -> float:
        return sum(i.obtenidos for i in self.items.values())

    @cached_property
    def posibles(self) -> float:
        return sum(i.posibles for i in self.items.values())


@dataclass(frozen=True)
class RespuestaFrecuente:
    """One typed answer, how many attempts gave it and the share of the points it earned.

    `fraccion` is None when the same answer earned different shares in different
    attempts (a key changed without a regrade).
    """

    texto: str
    veces: int
    fraccion: float | None

    @property
    def porcentaje(self) -> float | None:
        return None if self.fraccion is None else round(self.fraccion * 100, 2)


@dataclass(frozen=True)
class AnalisisPregunta:
    clave: str
    intentos: int
    facilidad: float | None
    discriminacion: float | None
    frecuencias: Mapping[str, int] = field(default_factory=dict)
    problemas: tuple[Problema, ...] = ()
    # The most frequent typed answers, most given first, and what the others add up to.
    respuestas: tuple[RespuestaFrecuente, ...] = ()
    otras_veces: int = 0
    otras_distintas: int = 0


def correlacion(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson correlation; None when either side has no spread or fewer than 2 pairs."""
    n = len(xs)
    if n < 2 or n != len(ys):
        return None
    media_x = sum(xs) / n
    media_y = sum(ys) / n
    sxx = sum((x - media_x) ** 2 for x in xs)
    syy = sum((y - media_y) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    sxy = sum((x - media_x) * (y - media_y) for x, y in zip(xs, ys, strict=True))
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def problemas(facilidad: float | None, discriminacion: float | None) -> tuple[Problema, ...]:
    """Why a question does not work; empty when it does (or there is no data)."""
    encontrados = []
    if facilidad is not None:
        if facilidad < FACILIDAD_MINIMA:
            encontrados.append(Problema.MUY_DIFICIL)
        elif facilidad > FACILIDAD_MAXIMA:
            encontrados.append(Problema.MUY_FACIL)
    if discriminacion is not None:
        if discriminacion < 0:
            encontrados.append(Problema.DISCRIMINACION_NEGATIVA)
        elif discriminacion < DISCRIMINACION_MINIMA:
            encontrados.append(Problema.DISCRIMINA_POCO)
    return tuple(encontrados)


def respuestas_frecuentes(
    textos: Counter[str], fracciones: Mapping[str, set[float]], *, limite: int
) -> tuple[tuple[RespuestaFrecuente, ...], int, int]:
    """The `limite` most given answers (ties in text order), and the others' count and number."""
    ordenadas = sorted(textos.items(), key=lambda par: (-par[1], par[0]))
    primeras = tuple(
        RespuestaFrecuente(
            texto,
            veces,
            next(iter(fracciones[texto])) if len(fracciones[texto]) == 1 else None,
        )
        for texto, veces in ordenadas[:limite]
    )
    resto = ordenadas[limite:]
    return primeras, sum(veces for _texto, veces in resto), len(resto)


def analizar_pregunta(clave: str, intentos: Sequence[IntentoAnalizado]) -> AnalisisPregunta:
    """Facility, discrimination, option and typed-answer counts of `clave` over its attempts."""
    fracciones: list[float] = []
    resto: list[float] = []
    frecuencias: Counter[str] = Counter()
    textos: Counter[str] = Counter()
    fracciones_texto: dict[str, set[float]] = {}
    for intento in intentos:
        item = intento.items.get(clave)
        if item is None:
            continue
        fraccion = item.obtenidos / item.posibles if item.posibles > 0 else 0.0
        fracciones.append(fraccion)
        if item.texto is not None:
            textos[item.texto] += 1
            fracciones_texto.setdefault(item.texto, set()).add(round(fraccion, 4))
        posibles = intento.posibles - item.posibles
        resto.append((intento.obtenidos - item.obtenidos) / posibles if posibles > 0 else 0.0)
        frecuencias.update(item.elegidas)
        if not item.respondida:
            frecuencias[SIN_RESPUESTA] += 1
    if not fracciones:
        return AnalisisPregunta(clave, 0, None, None)
    facilidad = sum(fracciones) / len(fracciones)
    discriminacion = correlacion(fracciones, resto)
    respuestas, otras_veces, otras_distintas = respuestas_frecuentes(
        textos, fracciones_texto, limite=RESPUESTAS_FRECUENTES
    )
    return AnalisisPregunta(
        clave=clave,
        intentos=len(fracciones),
        facilidad=facilidad,
        discriminacion=discriminacion,
        frecuencias=dict(frecuencias),
        problemas=problemas(facilidad, discriminacion),
        respuestas=respuestas,
        otras_veces=otras_veces,
        otras_distintas=otras_distintas,
    )


def analizar(intentos: Sequence[IntentoAnalizado]) -> list[AnalisisPregunta]:
    """Analysis of every question any attempt held, in first-seen order."""
    claves: dict[str, None] = {}
    for intento in intentos:
        for clave in intento.items:
            claves.setdefault(clave, None)
    return [analizar_pregunta(clave, intentos) for clave in claves]
