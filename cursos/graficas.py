"""Geometry of the dashboard's server-rendered SVG charts.

Pure functions: they take labels and numbers and return the coordinates the
templates draw, so charts need no JavaScript, print as vectors and come with
the same numbers as a data table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ANCHO = 640
MARGEN_IZQ = 170
MARGEN_DER = 60
ALTO_BARRA = 18
SEPARACION = 6


@dataclass(frozen=True)
class Barra:
    etiqueta: str
    valor: int
    x: float
    y: float
    ancho: float
    alto: float
    texto_x: float
    texto_y: float
    secundario: int | None = None
    ancho_secundario: float = 0


@dataclass(frozen=True)
class Grafica:
    ancho: int
    alto: int
    barras: tuple[Barra, ...]
    puntos: str = ""
    ejes: tuple[tuple[float, float, str], ...] = ()


def barras_horizontales(
    datos: Sequence[tuple[str, int, int | None]],
) -> Grafica:
    """One horizontal bar per label; an optional second value is drawn inside the first."""
    maximo = max((valor for _, valor, _s in datos), default=0) or 1
    util = ANCHO - MARGEN_IZQ - MARGEN_DER
    barras = []
    for i, (etiqueta, valor, secundario) in enumerate(datos):
        y = SEPARACION + i * (ALTO_BARRA + SEPARACION)
        ancho = util * valor / maximo
        barras.append(
            Barra(
                etiqueta=etiqueta,
                valor=valor,
                x=MARGEN_IZQ,
                y=y,
                ancho=round(ancho, 1),
                alto=ALTO_BARRA,
                texto_x=round(MARGEN_IZQ + ancho + 4, 1),
                texto_y=y + ALTO_BARRA - 5,
                secundario=secundario,
                ancho_secundario=round(util * (secundario or 0) / maximo, 1),
            )
        )
    alto = SEPARACION + len(datos) * (ALTO_BARRA + SEPARACION)
    return Grafica(ancho=ANCHO, alto=max(alto, 40), barras=tuple(barras))


ALTO_COLUMNAS = 220
BASE_COLUMNAS = 190


def columnas(datos: Sequence[tuple[str, int]]) -> Grafica:
    """Vertical columns (the score histogram), labels under each column."""
    maximo = max((valor for _, valor in datos), default=0) or 1
    n = max(len(datos), 1)
    paso = (ANCHO - 40) / n
    barras = []
    for i, (etiqueta, valor) in enumerate(datos):
        alto = (BASE_COLUMNAS - 20) * valor / maximo
        x = 20 + i * paso + 4
        barras.append(
            Barra(
                etiqueta=etiqueta,
                valor=valor,
                x=round(x, 1),
                y=round(BASE_COLUMNAS - alto, 1),
                ancho=round(paso - 8, 1),
                alto=round(alto, 1),
                texto_x=round(x + (paso - 8) / 2, 1),
                texto_y=round(BASE_COLUMNAS - alto - 4, 1),
            )
        )
    return Grafica(ancho=ANCHO, alto=ALTO_COLUMNAS, barras=tuple(barras))


def linea(datos: Sequence[tuple[str, int]]) -> Grafica:
    """A line through the values (enrolments over time), one point per label."""
    maximo = max((valor for _, valor in datos), default=0) or 1
    n = len(datos)
    paso = (ANCHO - 80) / max(n - 1, 1)
    barras = []
    puntos = []
    for i, (etiqueta, valor) in enumerate(datos):
        x = 40 + i * paso
        y = BASE_COLUMNAS - (BASE_COLUMNAS - 20) * valor / maximo
        puntos.append(f"{x:.1f},{y:.1f}")
        barras.append(
            Barra(
                etiqueta=etiqueta,
                valor=valor,
                x=round(x, 1),
                y=round(y, 1),
                ancho=0,
                alto=0,
                texto_x=round(x, 1),
                texto_y=round(y - 6, 1),
            )
        )
    # Label at most about eight months on the axis so the text never overlaps.
    cada = max(1, -(-n // 8))
    ejes = tuple(
        (b.x, BASE_COLUMNAS + 16, b.etiqueta) for i, b in enumerate(barras) if i % cada == 0
    )
    return Grafica(
        ancho=ANCHO, alto=ALTO_COLUMNAS, barras=tuple(barras), puntos=" ".join(puntos), ejes=ejes
    )
