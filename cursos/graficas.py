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


# --- Tile grid map of the 32 states ---------------------------------------------------
#
# One square per state at its approximate place (column, row), drawn from scratch: no
# third-party geometry. Equal squares let small states (Tlaxcala, Mexico City) be read
# as easily as large ones, which a coverage map needs.
MOSAICOS = {
    "02": ("BC", 0, 0),
    "26": ("SON", 1, 0),
    "08": ("CHIH", 2, 0),
    "05": ("COAH", 3, 0),
    "19": ("NL", 4, 0),
    "25": ("SIN", 1, 1),
    "10": ("DGO", 2, 1),
    "32": ("ZAC", 3, 1),
    "24": ("SLP", 4, 1),
    "28": ("TAMPS", 5, 1),
    "03": ("BCS", 0, 2),
    "18": ("NAY", 1, 2),
    "01": ("AGS", 2, 2),
    "11": ("GTO", 3, 2),
    "22": ("QRO", 4, 2),
    "13": ("HGO", 5, 2),
    "30": ("VER", 6, 2),
    "31": ("YUC", 9, 2),
    "14": ("JAL", 1, 3),
    "16": ("MICH", 2, 3),
    "15": ("MEX", 3, 3),
    "09": ("CDMX", 4, 3),
    "29": ("TLAX", 5, 3),
    "21": ("PUE", 6, 3),
    "27": ("TAB", 7, 3),
    "04": ("CAMP", 8, 3),
    "23": ("QROO", 9, 3),
    "06": ("COL", 1, 4),
    "12": ("GRO", 3, 4),
    "17": ("MOR", 4, 4),
    "20": ("OAX", 6, 4),
    "07": ("CHIS", 7, 4),
}
LADO_MOSAICO = 58
SEPARACION_MOSAICO = 4
# Five classes of % passed, light to dark (ColorBrewer "Blues", readable in grey print).
CLASES_MAPA = (
    (0, 20, "#eff3ff", "#1a1a1a"),
    (20, 40, "#bdd7e7", "#1a1a1a"),
    (40, 60, "#6baed6", "#1a1a1a"),
    (60, 80, "#3182bd", "#ffffff"),
    (80, 101, "#08519c", "#ffffff"),
)
SIN_DATOS = ("#f2f2f2", "#595959")
# The legend under the tiles: a title line, then its classes in rows of three, so each
# label has room at the chart's 12 px text.
CLASES_POR_FILA_LEYENDA = 3
ALTO_FILA_LEYENDA = 22
ALTO_LEYENDA = 22 + 2 * ALTO_FILA_LEYENDA


@dataclass(frozen=True)
class Mosaico:
    clave: str
    abreviatura: str
    nombre: str
    x: int
    y: int
    inscritas: int
    porcentaje: int | None
    relleno: str
    texto: str


@dataclass(frozen=True)
class ClaseLeyenda:
    color: str
    texto: str
    x: int
    y: int


@dataclass(frozen=True)
class Mapa:
    ancho: int
    alto: int
    lado: int
    mosaicos: tuple[Mosaico, ...]
    leyenda: tuple[ClaseLeyenda, ...]

    @property
    def alto_total(self) -> int:
        """The tiles plus the legend under them."""
        return self.alto + ALTO_LEYENDA


def mapa_mosaicos(
    nombres: dict[str, str], datos: dict[str, tuple[int, int]], *, sin_inscripciones: str
) -> Mapa:
    """A tile grid map: `nombres` by INEGI code, `datos` maps a code to (enrolled, % passed).

    States without enrolments are drawn grey, so a missing state is visible.
    """
    paso = LADO_MOSAICO + SEPARACION_MOSAICO
    mosaicos = []
    for clave, (abreviatura, columna, fila) in sorted(MOSAICOS.items()):
        inscritas, porcentaje = datos.get(clave, (0, 0))
        relleno, texto = SIN_DATOS
        if inscritas:
            relleno, texto = next(
                (color, tinta) for desde, hasta, color, tinta in CLASES_MAPA if porcentaje < hasta
            )
        mosaicos.append(
            Mosaico(
                clave=clave,
                abreviatura=abreviatura,
                nombre=nombres.get(clave, abreviatura),
                x=columna * paso,
                y=fila * paso,
                inscritas=inscritas,
                porcentaje=porcentaje if inscritas else None,
                relleno=relleno,
                texto=texto,
            )
        )
    columnas = max(c for _a, c, _f in MOSAICOS.values()) + 1
    filas = max(f for _a, _c, f in MOSAICOS.values()) + 1
    textos = [
        (color, f"{desde}–{min(hasta, 100)} %") for desde, hasta, color, _t in CLASES_MAPA
    ] + [(SIN_DATOS[0], sin_inscripciones)]
    ancho_clase = (columnas * paso) // CLASES_POR_FILA_LEYENDA
    return Mapa(
        ancho=columnas * paso,
        alto=filas * paso,
        lado=LADO_MOSAICO,
        mosaicos=tuple(mosaicos),
        leyenda=tuple(
            ClaseLeyenda(
                color=color,
                texto=texto,
                x=(i % CLASES_POR_FILA_LEYENDA) * ancho_clase,
                y=filas * paso + 22 + (i // CLASES_POR_FILA_LEYENDA) * ALTO_FILA_LEYENDA,
            )
            for i, (color, texto) in enumerate(textos)
        ),
    )
