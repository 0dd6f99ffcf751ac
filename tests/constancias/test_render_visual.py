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
from pathlib import Path

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
NOMBRE_CON_GUIONES = "Ana-Sofía Pérez-Ñúñez Villaseñor-Castañeda de la Cruz-Zúñiga Hernández-Ortega"


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
        # Lines that break after hyphens, where WeasyPrint breaks them.
        (NOMBRE_CON_GUIONES, {"tamano": "A4", "orientacion": "portrait"}),
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


@pytest.fixture
def plantilla_con_css(settings, tmp_path):
    """Install a copy of the constancia template with one CSS rule replaced."""
    original = (
        Path(pdf.__file__).parent / "templates" / "constancias" / "pdf" / "constancia.html"
    ).read_text()

    def instalar(anterior: str, nuevo: str) -> None:
        assert anterior in original
        carpeta = tmp_path / "constancias" / "pdf"
        carpeta.mkdir(parents=True, exist_ok=True)
        (carpeta / "constancia.html").write_text(original.replace(anterior, nuevo))
        motor = dict(settings.TEMPLATES[0])
        motor["DIRS"] = [tmp_path, *motor["DIRS"]]
        settings.TEMPLATES = [motor]
        pdf._geometria_cache.cache_clear()
        pdf._capa_cache.cache_clear()

    yield instalar
    pdf._geometria_cache.cache_clear()
    pdf._capa_cache.cache_clear()


def test_un_cambio_en_el_css_llega_a_la_emision(plantilla_con_css):
    """Size, colour and alignment of the name come from the template's CSS, nowhere else."""
    diseno_prueba, datos_prueba = diseno(), datos(nombre=NOMBRE_ESPANOL)
    antes = pdf.renderizar_constancia(diseno_prueba, datos_prueba)
    plantilla_con_css(
        ".nombre { font-weight: bold; margin: 0; font-size: 24pt; line-height: 1.2; color: #111; }",
        ".nombre { font-weight: normal; margin: 0; font-size: 18pt; line-height: 1.5; "
        "color: #c00000; text-align: left; }",
    )
    despues = pdf.renderizar_constancia(diseno_prueba, datos_prueba)

    estilo = pdf._geometria(diseno_prueba).estilos["nombre"]
    assert (estilo.tam, estilo.interlinea, estilo.alineacion) == (18.0, pytest.approx(1.5), 0.0)
    assert estilo.color == pytest.approx((0xC0 / 255, 0, 0))
    assert estilo.fuente == pdf._fuentes()[0]  # the regular face
    assert diferencia(despues, antes) > TOLERANCIA
    # The issued page shows the red name, and still matches the reference laid out by
    # WeasyPrint from the same changed template.
    documento = pypdfium2.PdfDocument(despues)
    try:
        rojos = documento[0].render(scale=PPP / 72).to_pil().convert("RGB").getcolors(1 << 20)
    finally:
        documento.close()
    assert sum(n for n, (r, g, b) in rojos if r > 150 and g < 60 and b < 60) > 500
    assert diferencia(
        despues, pdf.renderizar_constancia_weasyprint(diseno_prueba, datos_prueba)
    ) < (TOLERANCIA)
