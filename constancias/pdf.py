"""PDF rendering of constancias; the only module that imports WeasyPrint.

A constancia is drawn from two frozen dicts taken from its snapshot:

``diseno`` holds what every constancia of one template and edition shares: ``tamano``
("letter", "A4", "legal"), ``orientacion`` ("landscape", "portrait"), ``fondo``, ``sello``
and ``logos`` (image URLs, ``file://`` or ``http(s)://``; logos go half left, half right of
the issuers, the seal between the signatories), ``emisores`` (names of the issuing
institutions), ``titulo``, ``texto_previo``, ``cuerpo`` (text with placeholders such as
``{curso}``), ``firmantes`` (up to four dicts with ``nombre``, ``cargo`` and ``firma``),
and the optional back page: ``reverso``, ``reverso_titulo`` and ``contenidos``.

``datos`` holds what is personal: ``nombre``, ``curso``, ``fase``, ``horas``,
``fecha_inicio``, ``fecha_fin``, ``modalidad``, ``lugar_emision``, ``fecha_emision``
(ISO dates), ``folio``, ``url_verificacion`` and optionally ``emitida_en`` (ISO
datetime written as the PDF's creation date; noon UTC of ``fecha_emision`` otherwise).

The template ``constancias/pdf/constancia.html`` is the one source of layout and typography.
``renderizar_constancias`` is the issuing path. WeasyPrint lays the template out once per
design: without personal data it renders the shared part (background, logos, institutions,
signatories, back page) to a PDF, and with measuring probes in the personal slots it reports,
through its public anchors, each slot's box and the size range, line height, baseline,
alignment, weight and colour the CSS gives that text. Each constancia's text (name, body,
place and date, folio and address) and QR code are then drawn by ReportLab at those places,
in the template's TrueType fonts (subset into each file; a glyph the font lacks prints as its
missing-glyph box), and that page is laid over the shared one with pikepdf, which also writes
the document information (title, author, subject, dates).

``renderizar_constancia_weasyprint`` lays out the whole page with WeasyPrint at the sizes the
issuing path chooses. It issues nothing: it is the benchmark's baseline and the reference
that tests/constancias/test_render_visual.py compares the issuing path against, pixel by pixel.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import itertools
import json
import logging
import math
import operator
import re
import string
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import segno
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from django.conf import settings
from django.core import checks
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from lms.direcciones import url_publica

FUENTES_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
PRODUCTOR = "Plataforma de Capacitación en Transparencia Proactiva"
MESES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
# Placeholders that a template body may use; each is filled from the constancia's data.
MARCADORES = (
    "nombre",
    "curso",
    "fase",
    "horas",
    "fecha_inicio",
    "fecha_fin",
    "periodo",
    "modalidad",
    "lugar",
    "fecha_emision",
    "folio",
)
TAMANOS_MM = {"letter": (215.9, 279.4), "legal": (215.9, 355.6), "A4": (210.0, 297.0)}
PT_POR_PX = 0.75
# The QR is sized for a 150 dpi scan of the printed page: at that resolution a module of
# 0.5 mm is 3 pixels, which zbar and phone cameras read. LADO_QR_MM (quiet zone included)
# is the one declaration of the QR's size: the template sizes the QR's slot with it.
LADO_QR_MM = 28.0
MODULO_QR_MIN_MM = 0.5
# Any of the eight QR masks is valid; fixing one skips segno's scoring of all eight,
# which is most of the encoding time. The tests decode the result with zbarimg.
MASCARA_QR = 2


# fontTools (inside WeasyPrint) logs every glyph list at INFO and WeasyPrint every layout
# step: one design would flood the worker's log.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
# pikepdf announces its logging bridge at INFO once per process.
logging.getLogger("pikepdf._core").setLevel(logging.WARNING)


class PlantillaInvalida(ValueError):
    """A template that cannot produce a correct constancia; the message is for the editor."""


# --- Data that both renderers share ------------------------------------------------


def fecha_es(valor: datetime.date | str | None) -> str:
    """A date written the Spanish way: "27 de noviembre de 2026"."""
    if not valor:
        return ""
    if isinstance(valor, str):
        valor = datetime.date.fromisoformat(valor[:10])
    return f"{valor.day} de {MESES[valor.month - 1]} de {valor.year}"


def periodo_es(inicio: datetime.date | str | None, fin: datetime.date | str | None) -> str:
    """ "del 3 de marzo al 27 de noviembre de 2026", or one date when both are equal."""
    if not inicio or not fin:
        return fecha_es(inicio or fin)
    if str(inicio)[:10] == str(fin)[:10]:
        return _("el %(fecha)s") % {"fecha": fecha_es(inicio)}
    return _("del %(inicio)s al %(fin)s") % {"inicio": fecha_es(inicio), "fin": fecha_es(fin)}


def validar_cuerpo(texto: str) -> None:
    """Raise PlantillaInvalida when `texto` has a malformed or unknown placeholder."""
    try:
        partes = list(string.Formatter().parse(texto))
    except ValueError as error:
        raise PlantillaInvalida(
            _(
                "El texto tiene una llave sin cerrar o sin abrir. Use marcadores como "
                "{nombre} y escriba {{ o }} para mostrar una llave. Detalle: %(detalle)s"
            )
            % {"detalle": error}
        ) from error
    campos = [campo for _, campo, _, _ in partes if campo is not None]
    for _literal, campo, formato, conversion in partes:
        if campo is not None and (formato or conversion):
            raise PlantillaInvalida(
                _("El marcador {%(campo)s} lleva un formato que no se admite; escríbalo solo.")
                % {"campo": campo.split("!")[0].split(":")[0]}
            )
    desconocidos = sorted({campo for campo in campos if campo not in MARCADORES})
    if "" in desconocidos:
        raise PlantillaInvalida(_("El texto tiene un marcador vacío: {}."))
    if desconocidos:
        raise PlantillaInvalida(
            _("Marcadores desconocidos: %(desconocidos)s. Los válidos son: %(validos)s.")
            % {
                "desconocidos": ", ".join(f"{{{c}}}" for c in desconocidos),
                "validos": ", ".join(f"{{{c}}}" for c in MARCADORES),
            }
        )


def valores_marcadores(datos: dict[str, Any]) -> dict[str, str]:
    """The printed text of every placeholder for one constancia."""
    return {
        "nombre": str(datos.get("nombre", "")),
        "curso": str(datos.get("curso", "")),
        "fase": str(datos.get("fase", "")),
        "horas": str(datos.get("horas", "")),
        "fecha_inicio": fecha_es(datos.get("fecha_inicio")),
        "fecha_fin": fecha_es(datos.get("fecha_fin")),
        "periodo": periodo_es(datos.get("fecha_inicio"), datos.get("fecha_fin")),
        "modalidad": str(datos.get("modalidad", "")),
        "lugar": str(datos.get("lugar_emision", "")),
        "fecha_emision": fecha_es(datos.get("fecha_emision")),
        "folio": str(datos.get("folio", "")),
    }


def tramos_cuerpo(cuerpo: str, datos: dict[str, Any]) -> list[tuple[str, bool]]:
    """The body as (text, bold) runs: literal text is regular, filled-in values bold."""
    validar_cuerpo(cuerpo)
    valores = valores_marcadores(datos)
    tramos: list[tuple[str, bool]] = []
    for literal, campo, _spec, _conv in string.Formatter().parse(cuerpo):
        if literal:
            tramos.append((literal, False))
        if campo:
            tramos.append((valores[campo], True))
    return tramos


def lugar_y_fecha(datos: dict[str, Any]) -> str:
    lugar = str(datos.get("lugar_emision", "")).strip()
    fecha = fecha_es(datos.get("fecha_emision"))
    if not lugar:
        return fecha
    return _("%(lugar)s, a %(fecha)s") % {"lugar": lugar, "fecha": fecha}


def lineas_pie(datos: dict[str, Any]) -> list[str]:
    """The footer beside the QR: folio, and the verification URL on a line of its own."""
    return [
        _("Folio: %(folio)s") % {"folio": datos.get("folio", "")},
        _("Verifique su autenticidad en:"),
        str(datos.get("url_verificacion", "")),
    ]


def metadatos(diseno: dict[str, Any], datos: dict[str, Any]) -> dict[str, str]:
    """Title, author and subject written into the PDF's metadata."""
    return {
        "titulo": _("Constancia %(folio)s") % {"folio": datos.get("folio", "")},
        "autor": "; ".join(diseno.get("emisores") or []) or PRODUCTOR,
        "asunto": _("Constancia de %(curso)s otorgada a %(nombre)s")
        % {"curso": datos.get("curso", ""), "nombre": datos.get("nombre", "")},
    }


def rutas_fuentes() -> tuple[Path, Path]:
    """Regular and bold TrueType files, from settings or Debian's fonts-dejavu-core."""
    regular = getattr(settings, "CONSTANCIAS_FUENTE_REGULAR", None)
    negrita = getattr(settings, "CONSTANCIAS_FUENTE_NEGRITA", None)
    return (
        Path(regular or FUENTES_DEJAVU / "DejaVuSerif.ttf"),
        Path(negrita or FUENTES_DEJAVU / "DejaVuSerif-Bold.ttf"),
    )


def verificar_diseno(diseno: dict[str, Any]) -> None:
    """Raise PlantillaInvalida for a body, page size or image that cannot be printed."""
    validar_cuerpo(diseno.get("cuerpo", ""))
    if diseno.get("tamano") not in TAMANOS_MM:
        raise PlantillaInvalida(_("Tamaño de página no válido."))
    if diseno.get("orientacion") not in ("landscape", "portrait"):
        raise PlantillaInvalida(_("Orientación de página no válida."))
    if len(diseno.get("firmantes") or []) > 4:
        raise PlantillaInvalida(_("Una constancia admite como máximo cuatro firmantes."))
    for regular_o_negrita in rutas_fuentes():
        if not regular_o_negrita.is_file():
            raise PlantillaInvalida(
                _("No se encontró la fuente %(ruta)s (paquete fonts-dejavu-core).")
                % {"ruta": regular_o_negrita}
            )
    imagenes = [("fondo", diseno.get("fondo")), ("sello", diseno.get("sello"))]
    imagenes += [("logotipo", url) for url in diseno.get("logos") or []]
    imagenes += [("firma", f.get("firma")) for f in diseno.get("firmantes") or []]
    for clase, url in imagenes:
        if url and not _imagen_disponible(url):
            raise PlantillaInvalida(
                _("No se pudo leer la imagen de %(clase)s (%(url)s). Vuelva a subirla.")
                % {"clase": clase, "url": url}
            )


def _imagen_disponible(url: str) -> bool:
    partes = urllib.parse.urlparse(url)
    if partes.scheme == "file":
        return Path(urllib.request.url2pathname(partes.path)).is_file()
    if partes.scheme == "data":
        return True
    if partes.scheme in ("http", "https"):
        try:
            with urllib.request.urlopen(url, timeout=10) as respuesta:  # noqa: S310
                return respuesta.status == 200
        except OSError:
            return False
    return False


def modulo_qr_mm(url: str) -> float:
    """The printed side of one QR module of `url`, in millimetres."""
    return LADO_QR_MM / len(qr_matriz(url))


@checks.register()
def revisar_tamano_qr(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The QR of a verification URL at the public address must read from a 150 dpi scan."""
    # A verification code is 128 bits in base64url: 22 characters.
    muestra = url_publica(reverse("constancias:verificar", args=["A" * 22]))
    modulo = modulo_qr_mm(muestra)
    if modulo >= MODULO_QR_MIN_MM:
        return []
    return [
        checks.Warning(
            f"Con LMS_BASE_URL así de larga, el QR de las constancias tendría módulos de "
            f"{modulo:.2f} mm (mínimo {MODULO_QR_MIN_MM} mm) y podría no leerse de una "
            "copia escaneada a 150 dpi.",
            hint="Use una dirección pública más corta.",
            id="constancias.W001",
        )
    ]


def qr_matriz(url: str) -> list[list[bool]]:
    """The QR modules of `url` (True = dark) with the 4-module quiet zone around them."""
    qr = segno.make(url, error="m", micro=False, mask=MASCARA_QR)
    blanco = [False] * (len(qr.matrix) + 8)
    filas = [[False] * 4 + [bool(v) for v in fila] + [False] * 4 for fila in qr.matrix]
    return [blanco] * 4 + filas + [blanco] * 4


# --- Geometry and typography, read from the laid-out template -----------------------

Tramo = tuple[str, bool]  # text, and whether it is a filled-in (bold) value


@dataclass(frozen=True)
class _Texto:
    """How the engine fills one personal slot of the template.

    With `envolver`, lines break at spaces and the text shrinks (in 0.1 pt steps, down to
    the size of its CSS class with ``.minimo``) until the lines fit the slot's height;
    otherwise every line stays whole and shrinks until the widest fits the slot's width.
    With `centrar` the lines are centred vertically in the slot.
    """

    envolver: bool
    centrar: bool


TEXTOS = {
    "nombre": _Texto(envolver=True, centrar=True),
    "cuerpo": _Texto(envolver=True, centrar=True),
    "lugar": _Texto(envolver=True, centrar=False),
    "folio": _Texto(envolver=False, centrar=False),
}
# The word the measuring probes print to tell the regular face from the bold one.
MUESTRA_MEDIDA = "Constancia"


@dataclass(frozen=True)
class _Caja:
    x: float  # points, PDF user space (origin bottom left)
    arriba: float
    ancho: float
    alto: float


@dataclass(frozen=True)
class _Estilo:
    """The typography the template's CSS computes for one personal text."""

    tam: float  # points
    tam_minimo: float
    interlinea: float  # line height / font size
    base: float  # baseline below the top of its line / font size
    alineacion: float  # 0 left, 0.5 centre, 1 right
    color: tuple[float, float, float]
    fuente: str  # ReportLab font names: plain text and <strong>
    fuente_negrita: str

    def de(self, negrita: bool) -> str:
        return self.fuente_negrita if negrita else self.fuente

    def ancho(self, tramos: Iterable[Tramo], tam: float) -> float:
        return sum(stringWidth(texto, self.de(negrita), tam) for texto, negrita in tramos)


@dataclass(frozen=True)
class _Geometria:
    """Page size, every personal slot's box and its text's typography, in points."""

    ancho: float
    alto: float
    cajas: dict[str, _Caja]
    estilos: dict[str, _Estilo]


@lru_cache(maxsize=4)
def _fuentes_cache(regular: Path, negrita: Path) -> tuple[str, str]:
    nombres = []
    for ruta in (regular, negrita):
        huella = hashlib.md5(str(ruta).encode(), usedforsecurity=False).hexdigest()[:8]
        nombre = f"{ruta.stem}-{huella}"
        # ReportLab embeds a subset of the used glyphs in every file; a character the font
        # lacks prints as its missing-glyph box.
        pdfmetrics.registerFont(TTFont(nombre, str(ruta)))
        nombres.append(nombre)
    return nombres[0], nombres[1]


@lru_cache(maxsize=4)
def _cubiertos(regular: Path, negrita: Path) -> frozenset[int]:
    # ReportLab's reading of each font's character map (the cmap table).
    return frozenset(TTFont("cmap-r", str(regular)).face.charToGlyph) & frozenset(
        TTFont("cmap-n", str(negrita)).face.charToGlyph
    )


def caracteres_sin_glifo(texto: str) -> list[str]:
    """The characters of `texto` the constancia's fonts cannot print, each once, in order.

    A constancia printed anyway would show them as empty boxes; issuance refuses it with
    this list instead (`constancias.selectors.elegibilidad`).
    """
    cubiertos = _cubiertos(*rutas_fuentes())
    faltan: list[str] = []
    for caracter in texto:
        if not caracter.isspace() and ord(caracter) not in cubiertos and caracter not in faltan:
            faltan.append(caracter)
    return faltan


def _fuentes() -> tuple[str, str]:
    """ReportLab names of the regular and bold fonts that the template also uses."""
    return _fuentes_cache(*rutas_fuentes())


def _mitades(elementos: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    """Split logos or signatories between the left and right of the page, left first."""
    mitad = (len(elementos) + 1) // 2
    return list(elementos[:mitad]), list(elementos[mitad:])


def contexto_html(
    diseno: dict[str, Any], datos: dict[str, Any] | None, *, medir: bool = False
) -> dict[str, Any]:
    regular, negrita = rutas_fuentes()
    ancho, alto = TAMANOS_MM[diseno["tamano"]]
    if diseno["orientacion"] == "landscape":
        ancho, alto = alto, ancho
    logos_izquierda, logos_derecha = _mitades(diseno.get("logos") or [])
    firmantes_izquierda, firmantes_derecha = _mitades(diseno.get("firmantes") or [])
    contexto: dict[str, Any] = {
        "diseno": diseno,
        "datos": datos,
        "medir": medir,
        "muestra_medida": MUESTRA_MEDIDA,
        "fuente_regular": regular.as_uri(),
        "fuente_negrita": negrita.as_uri(),
        "ancho_mm": f"{ancho:.2f}",
        "alto_mm": f"{alto:.2f}",
        "lado_qr_mm": f"{LADO_QR_MM:.2f}",
        "logos_en_fila": len(diseno.get("logos") or []) > 2,
        "logos_izquierda": logos_izquierda,
        "logos_derecha": logos_derecha,
        "firmantes_izquierda": firmantes_izquierda,
        "firmantes_derecha": firmantes_derecha,
        "titulo_documento": diseno.get("titulo", ""),
    }
    if datos is not None:
        # Sized and centred exactly as the bulk path draws them, from the same geometry;
        # a nested flexbox would centre the text too, but makes WeasyPrint lay the page
        # out several times over.
        geometria = _geometria(diseno)
        ajustes = {}
        for hueco, parrafos in _textos_personales(diseno, datos).items():
            tam, lineas = _ajustar(geometria, hueco, parrafos)
            ajustes[hueco] = {
                "tam": f"{tam:.1f}",
                "sangria": f"{_sangria(geometria, hueco, tam, len(lineas)):.2f}",
            }
        contexto.update(
            {
                "ajustes": ajustes,
                "tramos": tramos_cuerpo(diseno.get("cuerpo", ""), datos),
                "lugar_fecha": lugar_y_fecha(datos),
                "lineas_pie": lineas_pie(datos),
                "qr_uri": segno.make(
                    datos.get("url_verificacion", ""), error="m", micro=False, mask=MASCARA_QR
                ).png_data_uri(scale=8, border=4),
                "titulo_documento": metadatos(diseno, datos)["titulo"],
            }
        )
    return contexto


def _weasyprint_html(contexto: dict[str, Any]) -> Any:
    from weasyprint import HTML

    html = render_to_string("constancias/pdf/constancia.html", contexto)
    return HTML(string=html, base_url=str(FUENTES_DEJAVU))


def _medir(diseno: dict[str, Any]) -> _Geometria:
    """Lay the template out with measuring probes in its personal slots and read them.

    Only WeasyPrint's public anchors (the top-left point of every element with an id) are
    read: zero-sized corners give each slot's box, and 1 em squares, a sample word in the
    plain and the bold face and a second line give the size, weight, line height,
    baseline and alignment of its text. The colour is sampled from the squares, which
    are painted in the text's colour, on the page rasterised by PDFium.
    """
    import pypdfium2

    verificar_diseno(diseno)
    documento = _weasyprint_html(contexto_html(diseno, None, medir=True)).render()
    pagina = documento.pages[0]
    ancho, alto = pagina.width * PT_POR_PX, pagina.height * PT_POR_PX
    anclas = pagina.anchors

    def punto(nombre: str) -> tuple[float, float]:
        """An element's top-left corner in points from the top-left of the page."""
        if nombre not in anclas:
            raise PlantillaInvalida(_("La plantilla no tiene el espacio %(id)s.") % {"id": nombre})
        x, y = anclas[nombre][:2]
        return x * PT_POR_PX, y * PT_POR_PX

    cajas = {}
    for hueco in (*TEXTOS, "qr"):
        (x0, y0), (x1, y1) = punto(f"medida-{hueco}-inicio"), punto(f"medida-{hueco}-fin")
        cajas[hueco] = _Caja(x=x0, arriba=alto - y0, ancho=x1 - x0, alto=y1 - y0)

    escala = 2.0
    pdfium = pypdfium2.PdfDocument(documento.write_pdf())
    try:
        imagen = pdfium[0].render(scale=escala).to_pil().convert("RGB")
    finally:
        pdfium.close()
    regular, negrita = _fuentes()
    estilos = {}
    for hueco in TEXTOS:
        x_em, y_em = punto(f"medida-{hueco}-em")
        x_texto, _y = punto(f"medida-{hueco}-texto")
        x_negrita, _y = punto(f"medida-{hueco}-negrita")
        x_cierre, _y = punto(f"medida-{hueco}-cierre")
        _x, y_linea2 = punto(f"medida-{hueco}-linea2")
        _x, y_parrafo = punto(f"medida-{hueco}-parrafo")
        x_minimo, _y = punto(f"medida-{hueco}-minimo")
        x_minimo_fin, _y = punto(f"medida-{hueco}-minimo-fin")
        tam = x_texto - x_em

        def cara(ancho_medido: float, tam: float = tam) -> str:
            return min(
                (regular, negrita),
                key=lambda f: abs(stringWidth(MUESTRA_MEDIDA, f, tam) - ancho_medido),
            )

        caja = cajas[hueco]
        ancho_linea = x_cierre + tam - x_em
        holgura = caja.ancho - ancho_linea
        alineacion = (x_em - caja.x) / holgura if holgura > 1 else 0.0
        # The square is half an em tall and sits on the baseline; its middle is the colour.
        rojo, verde, azul = imagen.getpixel(
            (round((x_em + tam / 2) * escala), round((y_em + tam / 4) * escala))
        )
        estilos[hueco] = _Estilo(
            tam=round(tam, 2),
            tam_minimo=round(x_minimo_fin - x_minimo, 2),
            interlinea=(y_linea2 - y_em) / tam,
            base=(y_em + tam / 2 - y_parrafo) / tam,
            alineacion=min(1.0, max(0.0, round(alineacion * 2) / 2)),
            color=(rojo / 255, verde / 255, azul / 255),
            fuente=cara(x_negrita - x_texto),
            fuente_negrita=cara(x_cierre - x_negrita),
        )
    return _Geometria(ancho=ancho, alto=alto, cajas=cajas, estilos=estilos)


@lru_cache(maxsize=16)
def _geometria_cache(clave: str) -> _Geometria:
    return _medir(json.loads(clave))


def _clave(diseno: dict[str, Any]) -> str:
    return json.dumps(diseno, sort_keys=True, ensure_ascii=False, default=str)


def _geometria(diseno: dict[str, Any]) -> _Geometria:
    return _geometria_cache(_clave(diseno))


# --- Text layout shared by both renderers ------------------------------------------


def _textos_personales(
    diseno: dict[str, Any], datos: dict[str, Any]
) -> dict[str, list[list[Tramo]]]:
    """Each personal slot's paragraphs, as runs."""
    return {
        "nombre": [[(str(datos.get("nombre", "")), False)]],
        "cuerpo": [tramos_cuerpo(diseno.get("cuerpo", ""), datos)],
        "lugar": [[(lugar_y_fecha(datos), False)]],
        "folio": [[(linea, False)] for linea in lineas_pie(datos)],
    }


# Where a line may break inside a word: after a hyphen that a letter follows, as the Unicode
# line breaking rules (and so WeasyPrint) allow ("Hernández-|Villaseñor", not "TP-2026").
CORTE_EN_GUION = re.compile(r"(?<=-)(?=[^\W\d_])")
Pieza = tuple[list[Tramo], float, bool]  # runs, width at 1 pt, whether a space precedes it


def _piezas(estilo: _Estilo, tramos: Iterable[Tramo]) -> list[Pieza]:
    """The text cut where lines may break: at spaces and after hyphens."""
    piezas: list[tuple[list[Tramo], bool]] = [([], False)]
    for texto, negrita in tramos:
        for numero, palabra in enumerate(texto.split(" ")):
            if numero > 0:
                piezas.append(([], True))
            for parte, trozo in enumerate(CORTE_EN_GUION.split(palabra)):
                if parte > 0:
                    piezas.append(([], False))
                if trozo:
                    piezas[-1][0].append((trozo, negrita))
    # A space before an empty piece (two spaces in a row) still separates the next one.
    resultado: list[Pieza] = []
    espacio_pendiente = False
    for tramos_pieza, con_espacio in piezas:
        espacio_pendiente = espacio_pendiente or con_espacio
        if tramos_pieza:
            resultado.append((tramos_pieza, estilo.ancho(tramos_pieza, 1.0), espacio_pendiente))
            espacio_pendiente = False
    return resultado


def _partir(piezas: list[Pieza], espacio: float, ancho: float, tam: float) -> list[list[Tramo]]:
    """Greedy line breaking at `tam` points; a piece never splits."""
    lineas: list[list[Tramo]] = []
    actual: list[Tramo] = []
    ancho_actual = 0.0
    limite = ancho / tam
    for pieza, ancho_pieza, con_espacio in piezas:
        separacion = espacio if actual and con_espacio else 0.0
        if actual and ancho_actual + separacion + ancho_pieza > limite:
            lineas.append(actual)
            actual, ancho_actual, separacion = [], 0.0, 0.0
        if separacion:
            actual.append((" ", actual[-1][1] and pieza[0][1]))
            ancho_actual += separacion
        actual.extend(pieza)
        ancho_actual += ancho_pieza
    if actual:
        lineas.append(actual)
    return lineas


def _ajustar(
    geometria: _Geometria, hueco: str, parrafos: list[list[Tramo]]
) -> tuple[float, list[list[Tramo]]]:
    """The largest size (0.1 pt steps, within the CSS's range) at which the text fits."""
    estilo, caja, texto = geometria.estilos[hueco], geometria.cajas[hueco], TEXTOS[hueco]
    decimas = math.floor(estilo.tam * 10 + 1e-6)
    minimo = math.ceil(estilo.tam_minimo * 10 - 1e-6)
    piezas = [_piezas(estilo, parrafo) for parrafo in parrafos]
    espacio = estilo.ancho([(" ", False)], 1.0)
    # What never breaks (a piece, or a whole line without wrapping) must fit the width: its
    # width at 1 pt gives the largest size at which it does.
    if texto.envolver:
        mas_ancha = max((ancho for parrafo in piezas for _p, ancho, _e in parrafo), default=0.0)
    else:
        mas_ancha = max((estilo.ancho(p, 1.0) for p in parrafos), default=0.0)
    if mas_ancha:
        decimas = max(minimo, min(decimas, math.floor(caja.ancho / mas_ancha * 10)))
    while True:
        tam = decimas / 10
        if texto.envolver:
            lineas = [
                linea for parrafo in piezas for linea in _partir(parrafo, espacio, caja.ancho, tam)
            ]
        else:
            lineas = [list(parrafo) for parrafo in parrafos]
        if len(lineas) * tam * estilo.interlinea <= caja.alto + 0.01 or decimas <= minimo:
            return tam, lineas
        decimas -= 1


def _sangria(geometria: _Geometria, hueco: str, tam: float, lineas: int) -> float:
    """The space above the first line: half the free height when the slot centres it."""
    if not TEXTOS[hueco].centrar:
        return 0.0
    alto = lineas * tam * geometria.estilos[hueco].interlinea
    return max(0.0, (geometria.cajas[hueco].alto - alto) / 2)


# --- Reference path: the whole page through WeasyPrint -----------------------------


def renderizar_constancia_weasyprint(diseno: dict[str, Any], datos: dict[str, Any]) -> bytes:
    """One constancia laid out entirely by WeasyPrint, at the sizes the bulk path chooses.

    Not used for issuing: it is the benchmark's baseline and the reference the visual
    test compares the bulk path against.
    """
    verificar_diseno(diseno)
    meta = metadatos(diseno, datos)
    documento = _weasyprint_html(contexto_html(diseno, datos)).render()
    documento.metadata.title = meta["titulo"]
    documento.metadata.authors = [meta["autor"]]
    documento.metadata.description = meta["asunto"]
    documento.metadata.generator = PRODUCTOR
    documento.metadata.created = _momento(datos).isoformat()
    return documento.write_pdf()


# --- Bulk path: the shared pages once, a personal layer per constancia --------------


@dataclass(frozen=True)
class _Capa:
    """The shared part of one design, laid out and rendered once."""

    geometria: _Geometria
    comun: bytes  # the shared pages as a PDF, without personal text


def _construir_capa(diseno: dict[str, Any]) -> _Capa:
    geometria = _geometria(diseno)
    documento = _weasyprint_html(contexto_html(diseno, None)).render()
    if len(documento.pages) != (2 if diseno.get("reverso") else 1):
        raise PlantillaInvalida(
            _("El diseño no cabe en una hoja: reduzca los textos, logotipos o firmantes.")
        )
    return _Capa(geometria=geometria, comun=documento.write_pdf())


@lru_cache(maxsize=16)
def _capa_cache(clave: str) -> _Capa:
    return _construir_capa(json.loads(clave))


def _capa(diseno: dict[str, Any]) -> _Capa:
    return _capa_cache(_clave(diseno))


def _imagen_qr(url: str) -> Image.Image:
    """The QR as a greyscale image, four pixels per module so no viewer blurs it."""
    matriz = qr_matriz(url)
    lado = len(matriz)
    pixeles = bytes(0 if oscuro else 255 for fila in matriz for oscuro in fila)
    imagen = Image.frombytes("L", (lado, lado), pixeles)
    return imagen.resize((lado * 4, lado * 4), Image.Resampling.NEAREST)


def _capa_personal(geometria: _Geometria, diseno: dict[str, Any], datos: dict[str, Any]) -> bytes:
    """A one-page PDF with this constancia's text and QR, drawn by ReportLab."""
    salida = io.BytesIO()
    lienzo = canvas.Canvas(
        salida, pagesize=(geometria.ancho, geometria.alto), pageCompression=1, invariant=True
    )
    for hueco, parrafos in _textos_personales(diseno, datos).items():
        estilo, caja = geometria.estilos[hueco], geometria.cajas[hueco]
        tam, lineas = _ajustar(geometria, hueco, parrafos)
        arriba = caja.arriba - _sangria(geometria, hueco, tam, len(lineas))
        texto = lienzo.beginText()
        texto.setFillColorRGB(*estilo.color)
        for numero, linea in enumerate(lineas):
            x = caja.x + (caja.ancho - estilo.ancho(linea, tam)) * estilo.alineacion
            base = arriba - (numero * estilo.interlinea + estilo.base) * tam
            texto.setTextOrigin(x, base)
            for negrita, trozos in itertools.groupby(linea, key=operator.itemgetter(1)):
                texto.setFont(estilo.de(negrita), tam)
                texto.textOut("".join(trozo for trozo, _negrita in trozos))
        lienzo.drawText(texto)
    qr = geometria.cajas["qr"]
    lienzo.drawImage(
        ImageReader(_imagen_qr(str(datos.get("url_verificacion", "")))),
        qr.x,
        qr.arriba - qr.alto,
        qr.ancho,
        qr.alto,
    )
    lienzo.showPage()
    lienzo.save()
    return salida.getvalue()


def _fecha_pdf(momento: datetime.datetime) -> str:
    return momento.astimezone(datetime.UTC).strftime("D:%Y%m%d%H%M%S+00'00'")


def _momento(datos: dict[str, Any]) -> datetime.datetime:
    emitida = datos.get("emitida_en")
    if emitida:
        return datetime.datetime.fromisoformat(emitida)
    fecha = datetime.date.fromisoformat(str(datos.get("fecha_emision"))[:10])
    return datetime.datetime(fecha.year, fecha.month, fecha.day, 12, tzinfo=datetime.UTC)


def _componer(capa: _Capa, diseno: dict[str, Any], datos: dict[str, Any]) -> bytes:
    """The shared pages with this constancia's layer over the first, its link and metadata."""
    import pikepdf  # like WeasyPrint, loaded by the processes that render, when they do

    personal = _capa_personal(capa.geometria, diseno, datos)
    meta = metadatos(diseno, datos)
    fecha = _fecha_pdf(_momento(datos))
    qr = capa.geometria.cajas["qr"]
    with (
        pikepdf.open(io.BytesIO(capa.comun)) as documento,
        pikepdf.open(io.BytesIO(personal)) as encima,
    ):
        pagina = documento.pages[0]
        # What Page.add_overlay does, with a fixed resource name (it draws a random one,
        # which would make equal input give different bytes) and without merging the
        # shared content streams into one (which would store them uncompressed).
        capa_personal = documento.copy_foreign(encima.pages[0].as_form_xobject())
        nombre = pagina.add_resource(capa_personal, pikepdf.Name.XObject, pikepdf.Name.Personal)
        colocacion = pagina.calc_form_xobject_placement(
            capa_personal, nombre, pikepdf.Rectangle(pagina.mediabox)
        )
        pagina.contents_add(b"q\n", prepend=True)
        pagina.contents_add(b"Q\n" + colocacion, prepend=False)
        # The QR is also a link to the verification page, as in the WeasyPrint path.
        enlace = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Link,
            Rect=[qr.x, qr.arriba - qr.alto, qr.x + qr.ancho, qr.arriba],
            Border=[0, 0, 0],
            F=4,
            A=pikepdf.Dictionary(
                S=pikepdf.Name.URI, URI=pikepdf.String(str(datos.get("url_verificacion", "")))
            ),
        )
        pagina.obj.Annots = documento.make_indirect(
            pikepdf.Array([documento.make_indirect(enlace)])
        )
        documento.docinfo = documento.make_indirect(
            pikepdf.Dictionary(
                Title=pikepdf.String(meta["titulo"]),
                Author=pikepdf.String(meta["autor"]),
                Subject=pikepdf.String(meta["asunto"]),
                Creator=pikepdf.String(PRODUCTOR),
                Producer=pikepdf.String(PRODUCTOR),
                CreationDate=pikepdf.String(fecha),
                ModDate=pikepdf.String(fecha),
            )
        )
        salida = io.BytesIO()
        # Both inputs arrive compressed: their streams are copied as they are (asking qpdf
        # to compress would recompress ReportLab's font subsets, tripling the cost). The
        # file identifier is derived from the content: equal input gives equal bytes.
        documento.save(
            salida,
            compress_streams=False,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            deterministic_id=True,
        )
    return salida.getvalue()


def renderizar_constancias(diseno: dict[str, Any], lote: Sequence[dict[str, Any]]) -> list[bytes]:
    """One standalone PDF per item of `lote`, in order.

    Raises PlantillaInvalida before producing anything if the design cannot be printed.
    """
    capa = _capa(diseno)
    return [_componer(capa, diseno, datos) for datos in lote]


def renderizar_constancia(diseno: dict[str, Any], datos: dict[str, Any]) -> bytes:
    """One standalone PDF for one constancia."""
    return renderizar_constancias(diseno, [datos])[0]
