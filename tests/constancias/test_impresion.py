"""The printed constancia: a QR read from a 150 dpi scan, extremes that fit, no empty band."""

import io
import re

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from pypdf import PdfReader

from constancias import demo as demo_constancias
from constancias import demo_imagenes, pdf
from constancias.muestras import CONTENIDOS_MUESTRA, DATOS_MUESTRA
from tests.constancias.escaneo import banda_vacia_mm, leer_qr_escaneado, pagina_escaneada
from tests.factories.constancias import NOMBRE_DIFICIL, datos, diseno

NOMBRE_LARGO = "María de los Ángeles Guadalupe Hernández-Villaseñor de la Cruz y Zúñiga"
# A name with no break opportunity, wider than its slot at the largest size.
NOMBRE_SIN_ESPACIOS = "Wolfeschlegelsteinhausenbergerdorff-Ñúñez-Villaseñor-Castañeda"
CURSO_LARGO = (
    "Diplomado en transparencia proactiva, gobierno abierto y protección de datos personales "
    "para sujetos obligados de los tres órdenes de gobierno: publicación de información útil, "
    "focalizada y de interés público en formatos abiertos, accesibles, reutilizables y gratuitos"
)[:255]
assert len(CURSO_LARGO) == 255  # the longest title a Wagtail page can have
# A public address as long as a real one, and a 22-character verification code.
URL_REAL = "https://capacitacion.transparencia.gob.mx/constancias/verificar/q3Xv8T0pZkA1bC2dE3fG4h/"
EMISOR_LARGO = (
    "Instituto de Transparencia, Información Pública y Protección de Datos Personales del "
    "Estado de Jalisco"
)
PT_POR_MM = 72 / 25.4
# Inside the double frame drawn 6 to 7.6 mm from the edge.
MARGEN_MM = 8.0
# The tallest blank band a balanced page may have; the layout before issue 13 left 35 mm
# (two logos) to 69 mm (none) between the date line and the signatures.
BANDA_MAXIMA_MM = 20.0

RENDERIZADORES = {
    "emision": lambda d, x: pdf.renderizar_constancias(d, [x])[0],
    "weasyprint": pdf.renderizar_constancia_weasyprint,
}


@pytest.fixture(scope="module")
def arte(tmp_path_factory):
    """The demo artwork as files, the way a template's images reach the PDF engine."""
    carpeta = tmp_path_factory.mktemp("arte")
    piezas = {
        "organo": demo_imagenes.logo_organo(("Transparencia", "para el Pueblo")),
        "programa": demo_imagenes.logo_programa(("Capacitación en", "Transparencia Proactiva")),
        "sello": demo_imagenes.sello("TRANSPARENCIA PARA EL PUEBLO · CAPACITACIÓN · ", ("A", "B")),
        "firma1": demo_imagenes.firma(1),
        "firma2": demo_imagenes.firma(2),
    }
    rutas = {}
    for nombre, contenido in piezas.items():
        ruta = carpeta / f"{nombre}.png"
        ruta.write_bytes(contenido)
        rutas[nombre] = ruta.as_uri()
    return rutas


def diseno_oficial(arte, *, logos=2, firmantes=2, **cambios):
    """The demo's look: issuer logos, a seal between signatures, signed signatories."""
    todos_logos = [arte["organo"], arte["programa"]] * 2
    todos_firmantes = [
        {
            "nombre": "Mtra. Ana Peña Ibáñez",
            "cargo": "Comisionada Presidenta",
            "firma": arte["firma1"],
        },
        {
            "nombre": "Lic. José Núñez Güemes",
            "cargo": "Secretario Ejecutivo",
            "firma": arte["firma2"],
        },
    ] * 2
    partes = {
        "logos": todos_logos[:logos],
        "sello": arte["sello"],
        "emisores": ["Transparencia para el Pueblo"],
        "firmantes": todos_firmantes[:firmantes],
    }
    return diseno(**{**partes, **cambios})


def _plano(texto: str) -> str:
    # WeasyPrint may break a line after a hyphen: "Hernández-" / "Villaseñor".
    return re.sub(r"-\s+", "-", " ".join(texto.split()))


def _cajas(contenido: bytes) -> tuple[tuple[float, float], list[tuple], list[tuple]]:
    """Page size, every visible glyph (text, box, reading index) and every image's box.

    Boxes are (left, bottom, right, top) in points.
    """
    documento = pypdfium2.PdfDocument(contenido)
    try:
        pagina = documento[0]
        texto = pagina.get_textpage()
        glifos = [
            (texto.get_text_range(i, 1), *texto.get_charbox(i), i)
            for i in range(texto.count_chars())
        ]
        glifos = [g for g in glifos if g[0].strip()]
        imagenes = [
            tuple(objeto.get_bounds())
            for objeto in pagina.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,))
        ]
        return pagina.get_size(), glifos, imagenes
    finally:
        documento.close()


def _se_cruzan(a: tuple, b: tuple, holgura: float = 0.4) -> bool:
    izq_a, abajo_a, der_a, arriba_a = a
    izq_b, abajo_b, der_b, arriba_b = b
    return (
        izq_a + holgura < der_b - holgura
        and izq_b + holgura < der_a - holgura
        and abajo_a + holgura < arriba_b - holgura
        and abajo_b + holgura < arriba_a - holgura
    )


def _encimados(glifos: list[tuple]) -> list[tuple[str, str]]:
    """Pairs of glyphs whose ink boxes overlap: text drawn over other text.

    Neighbours in reading order may touch (kerning tucks "á" under "Y"); anything else
    overlapping means a line ran into another line or box.
    """
    ordenados = sorted(glifos, key=lambda g: g[1])
    pares = []
    for i, a in enumerate(ordenados):
        for b in ordenados[i + 1 :]:
            if b[1] >= a[3]:
                break
            if abs(a[5] - b[5]) > 1 and _se_cruzan(a[1:5], b[1:5]):
                pares.append((a[0], b[0]))
    return pares


# --- QR ---------------------------------------------------------------------------


@pytest.mark.parametrize("renderizador", RENDERIZADORES)
def test_qr_se_lee_de_la_pagina_escaneada_a_150_ppp(renderizador, arte, tmp_path):
    contenido = RENDERIZADORES[renderizador](diseno_oficial(arte), datos(url_verificacion=URL_REAL))
    assert leer_qr_escaneado(contenido, tmp_path) == [URL_REAL]


def test_qr_impreso_mide_lo_declarado_y_sus_modulos_al_menos_medio_milimetro(arte):
    (contenido,) = pdf.renderizar_constancias(
        diseno_oficial(arte), [datos(url_verificacion=URL_REAL)]
    )
    _tamano, _glifos, imagenes = _cajas(contenido)
    cuadradas = [c for c in imagenes if abs((c[2] - c[0]) - (c[3] - c[1])) < 0.5]
    lados_mm = [(c[2] - c[0]) / PT_POR_MM for c in cuadradas]
    assert any(abs(lado - pdf.LADO_QR_MM) < 0.1 for lado in lados_mm), lados_mm
    assert pdf.modulo_qr_mm(URL_REAL) >= pdf.MODULO_QR_MIN_MM
    # At 150 dpi a 0.5 mm module is three pixels wide.
    assert pdf.MODULO_QR_MIN_MM * 150 / 25.4 >= 2.9


def test_aviso_cuando_la_direccion_publica_haria_el_qr_ilegible(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://capacitacion.transparencia.gob.mx"
    assert pdf.revisar_tamano_qr() == []
    settings.WAGTAILADMIN_BASE_URL = "https://" + "capacitacion-en-transparencia-" * 3 + "x.gob.mx"
    [aviso] = pdf.revisar_tamano_qr()
    assert aviso.id == "constancias.W001"
    assert "150 dpi" in aviso.msg


# --- Extremes: long names and course titles still fit --------------------------------


@pytest.mark.parametrize("renderizador", RENDERIZADORES)
@pytest.mark.parametrize(
    ("tamano", "orientacion", "nombre", "logos", "firmantes"),
    [
        ("letter", "landscape", NOMBRE_LARGO, 2, 2),
        ("letter", "landscape", NOMBRE_DIFICIL, 4, 4),
        ("A4", "portrait", NOMBRE_LARGO, 4, 4),
        ("A4", "portrait", NOMBRE_SIN_ESPACIOS, 2, 2),
    ],
)
def test_nombre_y_curso_largos_caben_en_una_hoja_sin_encimarse(
    renderizador, tamano, orientacion, nombre, logos, firmantes, arte
):
    diseno_extremo = diseno_oficial(
        arte,
        logos=logos,
        firmantes=firmantes,
        tamano=tamano,
        orientacion=orientacion,
        emisores=[EMISOR_LARGO, "Transparencia para el Pueblo"],
    )
    contenido = RENDERIZADORES[renderizador](
        diseno_extremo, datos(nombre=nombre, curso=CURSO_LARGO, url_verificacion=URL_REAL)
    )

    lector = PdfReader(io.BytesIO(contenido))
    assert len(lector.pages) == 1
    texto = _plano(lector.pages[0].extract_text())
    assert _plano(nombre) in texto
    assert _plano(CURSO_LARGO) in texto
    assert URL_REAL in texto

    (ancho, alto), glifos, imagenes = _cajas(contenido)
    margen = MARGEN_MM * PT_POR_MM
    fuera = [g[0] for g in glifos if g[1] < margen or g[3] > ancho - margen]
    fuera += [g[0] for g in glifos if g[2] < margen or g[4] > alto - margen]
    assert fuera == []
    assert _encimados(glifos) == []
    sobre_imagen = [g[0] for g in glifos for caja in imagenes if _se_cruzan(g[1:5], caja)]
    assert sobre_imagen == []


def test_la_prueba_de_encimado_detecta_texto_sobre_texto():
    glifos = [
        ("a", 10, 10, 20, 20, 0),
        ("b", 15, 12, 25, 22, 40),  # another line's glyph over "a"
        ("c", 30, 10, 40, 20, 1),
        ("d", 38, 10, 48, 20, 2),  # kerned against its neighbour "c"
    ]
    assert _encimados(glifos) == [("a", "b")]


# --- Balance: no empty band --------------------------------------------------------


@pytest.mark.parametrize("renderizador", RENDERIZADORES)
@pytest.mark.parametrize(
    ("cambios", "nombre"),
    [
        ({}, "Lucía Hernández Ortega"),
        ({}, NOMBRE_LARGO),
        ({"logos": 0, "firmantes": 1, "sello": None}, "Lucía Hernández Ortega"),
    ],
)
def test_la_hoja_no_deja_una_banda_vacia(renderizador, cambios, nombre, arte):
    contenido = RENDERIZADORES[renderizador](diseno_oficial(arte, **cambios), datos(nombre=nombre))
    assert banda_vacia_mm(pagina_escaneada(contenido)) < BANDA_MAXIMA_MM


# --- The demo template ---------------------------------------------------------------


@pytest.mark.django_db
def test_plantilla_de_demostracion_con_logotipos_sello_y_firmas(tmp_path):
    plantilla = demo_constancias.plantilla_predeterminada()

    assert plantilla.logotipos.count() == 2
    assert plantilla.sello is not None
    assert all(f.firma is not None for f in plantilla.firmantes.all())
    diseno_demo = plantilla.diseno(contenidos=CONTENIDOS_MUESTRA)
    datos_demo = dict(
        DATOS_MUESTRA, nombre=NOMBRE_LARGO, curso=CURSO_LARGO, url_verificacion=URL_REAL
    )
    contenido = pdf.renderizar_constancia(diseno_demo, datos_demo)
    assert len(PdfReader(io.BytesIO(contenido)).pages) == 1
    _tamano, _glifos, imagenes = _cajas(contenido)
    assert len(imagenes) == 2 + 1 + 2 + 1  # logos, seal, signatures, QR
    assert banda_vacia_mm(pagina_escaneada(contenido)) < BANDA_MAXIMA_MM
    assert leer_qr_escaneado(contenido, tmp_path) == [URL_REAL]
