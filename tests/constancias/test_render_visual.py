"""The issuing path prints the page the WeasyPrint reference prints, checked on the raster.

Both paths rasterise at 100 dpi in greyscale (PDFium). Each raster is blurred with a
Gaussian of radius 2 px (about 0.5 mm) and thresholded into ink; the difference is the
share of pixels that are ink in one raster and not the other, over the pixels that are ink
in either. Same data give at most about 0.035 (anti-aliasing, and glyph positions that
WeasyPrint rounds and ReportLab does not); the name moved by 1 mm already gives about 0.085
and a missing name 0.16. TOLERANCIA sits between the two, and the negative checks below
prove a misplaced or missing name fails it.
"""

import dataclasses

import pypdfium2
import pytest
from PIL import Image, ImageChops, ImageFilter

from constancias import pdf
from tests.factories.constancias import NOMBRE_DIFICIL, datos, diseno

PPP = 100
RADIO_PX = 2.0
UMBRAL_TINTA = 200  # grey level (0-255) below which a blurred pixel counts as ink
TOLERANCIA = 0.06
PT_POR_MM = 72 / 25.4

NOMBRE_ESPANOL = "José Ángel Ñúñez O'Higgins"
NOMBRE_GRIEGO = "Ζωή Παπαδοπούλου"


def _raster(contenido: bytes) -> Image.Image:
    documento = pypdfium2.PdfDocument(contenido)
    try:
        return documento[0].render(scale=PPP / 72, grayscale=True).to_pil().convert("L")
    finally:
        documento.close()


def _tinta(imagen: Image.Image) -> Image.Image:
    borrosa = imagen.filter(ImageFilter.GaussianBlur(RADIO_PX))
    return borrosa.point(lambda gris: 255 if gris < UMBRAL_TINTA else 0)


def diferencia(a: bytes, b: bytes) -> float:
    """Share of the ink of either page that the other page lacks (0 = same page)."""
    tinta_a, tinta_b = _tinta(_raster(a)), _tinta(_raster(b))
    assert tinta_a.size == tinta_b.size
    distinta = ImageChops.difference(tinta_a, tinta_b).histogram()[255]
    alguna = ImageChops.lighter(tinta_a, tinta_b).histogram()[255]
    return distinta / alguna


@pytest.mark.parametrize(
    ("nombre", "cambios"),
    [
        (NOMBRE_ESPANOL, {}),
        (NOMBRE_GRIEGO, {}),
        # Three lines of name, shrunk to fit, on a portrait page with a back page.
        (NOMBRE_DIFICIL, {"tamano": "A4", "orientacion": "portrait", "reverso": True}),
    ],
)
def test_emision_y_referencia_weasyprint_se_ven_igual(nombre, cambios):
    diseno_prueba, datos_prueba = diseno(**cambios), datos(nombre=nombre)
    emitida = pdf.renderizar_constancia(diseno_prueba, datos_prueba)
    referencia = pdf.renderizar_constancia_weasyprint(diseno_prueba, datos_prueba)
    assert diferencia(emitida, referencia) < TOLERANCIA


def _con_nombre_movido(diseno_prueba: dict, datos_prueba: dict, mm: float) -> bytes:
    """The issuing path with the name's slot read `mm` further right than the template puts it."""
    capa = pdf._capa(diseno_prueba)
    cajas = dict(capa.geometria.cajas)
    cajas["nombre"] = dataclasses.replace(cajas["nombre"], x=cajas["nombre"].x + mm * PT_POR_MM)
    movida = dataclasses.replace(capa, geometria=dataclasses.replace(capa.geometria, cajas=cajas))
    return pdf._componer(movida, diseno_prueba, datos_prueba)


@pytest.mark.parametrize("nombre", [NOMBRE_ESPANOL, NOMBRE_GRIEGO])
def test_la_comparacion_detecta_un_nombre_movido_o_ausente(nombre):
    diseno_prueba, datos_prueba = diseno(), datos(nombre=nombre)
    referencia = pdf.renderizar_constancia_weasyprint(diseno_prueba, datos_prueba)
    correcta = pdf.renderizar_constancia(diseno_prueba, datos_prueba)
    assert diferencia(correcta, referencia) < TOLERANCIA

    movida = _con_nombre_movido(diseno_prueba, datos_prueba, mm=2)
    assert diferencia(movida, referencia) > TOLERANCIA
    sin_nombre = pdf.renderizar_constancia(diseno_prueba, datos(nombre=""))
    assert diferencia(sin_nombre, referencia) > TOLERANCIA
