"""The PDF engine: text, metadata, fonts, standalone files, QR payload and bad templates."""

import datetime
import io
import os
import re
import shutil
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader

from constancias import pdf
from tests.factories.constancias import NOMBRE_DIFICIL, datos, diseno


def _texto(contenido: bytes) -> str:
    lector = PdfReader(io.BytesIO(contenido), strict=True)
    return " ".join(" ".join(p.extract_text().split()) for p in lector.pages)


def _plano(texto: str) -> str:
    return " ".join(texto.split())


def _fuentes(contenido: bytes) -> list[dict]:
    """Every font dictionary used by any page, with its descendant fonts resolved."""
    lector = PdfReader(io.BytesIO(contenido))
    fuentes = []
    for pagina in lector.pages:
        recursos = pagina["/Resources"]
        for fuente in recursos.get("/Font", {}).values():
            fuente = fuente.get_object()
            fuentes.append(fuente)
            for descendiente in fuente.get("/DescendantFonts", []):
                fuentes.append(descendiente.get_object())
    return fuentes


def _decodificar_qr(contenido: bytes, tmp_path) -> list[str]:
    """Decode every image of the first page with zbarimg; returns the payloads found."""
    if shutil.which("zbarimg") is None:
        if os.environ.get("CI"):
            pytest.fail("zbarimg (paquete zbar-tools de Debian) es necesario en CI.")
        pytest.skip("zbarimg no está instalado (apt-get install zbar-tools).")
    lector = PdfReader(io.BytesIO(contenido))
    cargas = []
    for numero, imagen in enumerate(lector.pages[0].images):
        pil = imagen.image.convert("L")
        if pil.width < 200:  # one pixel per module: enlarge without blurring
            pil = pil.resize((pil.width * 8, pil.height * 8), Image.NEAREST)
        ruta = tmp_path / f"qr{numero}.png"
        pil.save(ruta)
        salida = subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(ruta)], capture_output=True, text=True, check=False
        )
        cargas += [linea for linea in salida.stdout.splitlines() if linea]
    return cargas


def test_fecha_en_espanol():
    assert pdf.fecha_es("2026-11-27") == "27 de noviembre de 2026"
    assert pdf.fecha_es("2026-01-01") == "1 de enero de 2026"
    assert pdf.periodo_es("2026-03-03", "2026-11-27") == (
        "del 3 de marzo de 2026 al 27 de noviembre de 2026"
    )


def test_texto_extraible_con_nombre_dificil_fecha_y_folio():
    assert len(NOMBRE_DIFICIL) == 120
    (contenido,) = pdf.renderizar_constancias(diseno(), [datos()])
    texto = _texto(contenido)
    assert _plano(NOMBRE_DIFICIL) in texto
    assert "Ciudad de México, a 27 de noviembre de 2026" in texto
    assert "del 3 de marzo de 2026 al 27 de noviembre de 2026" in texto
    assert "Folio: TP-2026-000123" in texto
    assert "Sistema Nacional de Transparencia" in texto


def test_metadatos_titulo_autor_asunto_y_fecha():
    (contenido,) = pdf.renderizar_constancias(
        diseno(), [datos(emitida_en="2026-11-27T18:30:05+00:00")]
    )
    lector = PdfReader(io.BytesIO(contenido), strict=True)
    meta = lector.metadata
    assert meta.title == "Constancia TP-2026-000123"
    assert meta.author == "Instituto de Transparencia del Estado; Sistema Nacional de Transparencia"
    assert NOMBRE_DIFICIL in meta.subject
    assert "Transparencia Proactiva" in meta.subject
    assert meta.creation_date == datetime.datetime(2026, 11, 27, 18, 30, 5, tzinfo=datetime.UTC)
    assert meta.producer == pdf.PRODUCTOR
    assert "/ID" in lector.trailer


def test_no_declara_pdfa():
    """No PDF/A claim: nothing here can validate one (no veraPDF), so none is made."""
    for contenido in (
        pdf.renderizar_constancias(diseno(), [datos()])[0],
        pdf.renderizar_constancia_weasyprint(diseno(), datos()),
    ):
        lector = PdfReader(io.BytesIO(contenido))
        assert "/OutputIntents" not in lector.trailer["/Root"]
        assert b"pdfaid" not in contenido


def test_mismos_datos_dan_los_mismos_bytes():
    assert (
        pdf.renderizar_constancias(diseno(), [datos()] * 2)
        == [pdf.renderizar_constancia(diseno(), datos())] * 2
    )


def test_todas_las_fuentes_estan_incrustadas():
    (contenido,) = pdf.renderizar_constancias(diseno(), [datos()])
    fuentes = _fuentes(contenido)
    descriptores = [f["/FontDescriptor"].get_object() for f in fuentes if "/FontDescriptor" in f]
    assert len(descriptores) >= 2
    for descriptor in descriptores:
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor or "/FontFile" in descriptor


@pytest.mark.parametrize(("reverso", "paginas"), [(False, 1), (True, 2)])
def test_cada_pdf_del_lote_es_independiente(reverso, paginas):
    nombres = ["Lucía Ordóñez", "Íñigo Yáñez O'Connor", "Zoé Güemes"]
    lote = [datos(nombre=n, folio=f"TP-2026-00000{i}") for i, n in enumerate(nombres)]
    contenidos = pdf.renderizar_constancias(diseno(reverso=reverso), lote)
    assert len(contenidos) == 3
    for nombre, contenido in zip(nombres, contenidos, strict=True):
        lector = PdfReader(io.BytesIO(contenido), strict=True)
        assert len(lector.pages) == paginas
        texto = _texto(contenido)
        assert nombre in texto
        assert [otro for otro in nombres if otro != nombre and otro in texto] == []
        if reverso:
            assert "Marco normativo" in lector.pages[1].extract_text()
    assert len(set(contenidos)) == 3


def test_qr_de_la_capa_personal_decodifica_la_url_de_verificacion(tmp_path):
    url = "https://capacitacion.example.mx/constancias/verificar/Zx9_-Qw8Er7Ty6Ui5Op4As"
    (contenido,) = pdf.renderizar_constancias(diseno(), [datos(url_verificacion=url)])
    assert _decodificar_qr(contenido, tmp_path) == [url]


def test_qr_del_camino_weasyprint_decodifica_la_url(tmp_path):
    url = "https://capacitacion.example.mx/constancias/verificar/AAAAbbbbCCCCddddEEEEff"
    contenido = pdf.renderizar_constancia_weasyprint(diseno(), datos(url_verificacion=url))
    assert _decodificar_qr(contenido, tmp_path) == [url]


def test_nombre_griego_o_cirilico_se_imprime_por_el_mismo_camino():
    nombre = "Ζωή Παπαδοπούλου Ñúñez Ольга"
    (contenido,) = pdf.renderizar_constancias(diseno(), [datos(nombre=nombre)])
    assert nombre in _texto(contenido)
    # Written by the issuing path (the WeasyPrint reference says "WeasyPrint" here).
    assert PdfReader(io.BytesIO(contenido)).metadata.producer == pdf.PRODUCTOR


def test_un_caracter_que_la_fuente_no_tiene_no_impide_la_constancia():
    # DejaVu Serif has no CJK glyphs: the character prints as the missing-glyph box and
    # the rest of the name stays readable.
    nombre = "Wang 王 Ñúñez"
    (contenido,) = pdf.renderizar_constancias(diseno(), [datos(nombre=nombre)])
    texto = _texto(contenido)
    assert "Wang" in texto
    assert "Ñúñez" in texto
    assert len(PdfReader(io.BytesIO(contenido)).pages) == 1


def test_capa_personal_y_weasyprint_imprimen_lo_mismo():
    emitido = _texto(pdf.renderizar_constancias(diseno(), [datos()])[0])
    completo = _texto(pdf.renderizar_constancia_weasyprint(diseno(), datos()))
    for fragmento in (_plano(NOMBRE_DIFICIL), "27 de noviembre de 2026", "TP-2026-000123"):
        assert fragmento in emitido
        assert fragmento in completo


@pytest.mark.parametrize(
    ("cuerpo", "esperado"),
    [
        ("por acreditar {curso", "llave"),
        ("por acreditar {cursos} en {horas} horas", "{cursos}"),
        ("por acreditar {} horas", "vacío"),
        ("por acreditar {horas:>5}", "formato"),
        ("por acreditar {nombre.upper}", "{nombre.upper}"),
    ],
)
def test_marcador_roto_da_error_claro_y_ningun_pdf(cuerpo, esperado):
    with pytest.raises(pdf.PlantillaInvalida, match=re.escape(esperado)):
        pdf.renderizar_constancias(diseno(cuerpo=cuerpo), [datos()])
    with pytest.raises(pdf.PlantillaInvalida):
        pdf.renderizar_constancia_weasyprint(diseno(cuerpo=cuerpo), datos())


def test_llaves_dobles_imprimen_una_llave():
    (contenido,) = pdf.renderizar_constancias(diseno(cuerpo="clave {{TP}} de {curso}"), [datos()])
    assert "clave {TP} de Transparencia Proactiva" in _texto(contenido)


def test_imagen_faltante_da_error_claro(tmp_path):
    faltante = (tmp_path / "no-existe.png").as_uri()
    with pytest.raises(pdf.PlantillaInvalida, match="fondo"):
        pdf.renderizar_constancias(diseno(fondo=faltante), [datos()])
    firmantes = [{"nombre": "Ana", "cargo": "Titular", "firma": faltante}]
    with pytest.raises(pdf.PlantillaInvalida, match="firma"):
        pdf.renderizar_constancias(diseno(firmantes=firmantes), [datos()])


def test_mas_de_cuatro_firmantes_se_rechaza():
    firmantes = [{"nombre": f"Persona {i}", "cargo": "Cargo", "firma": None} for i in range(5)]
    with pytest.raises(pdf.PlantillaInvalida, match="cuatro"):
        pdf.renderizar_constancias(diseno(firmantes=firmantes), [datos()])


def test_imagenes_de_la_plantilla_aparecen_en_el_pdf(tmp_path):
    ruta = tmp_path / "logo.png"
    Image.new("RGB", (200, 100), (20, 90, 140)).save(ruta)
    (contenido,) = pdf.renderizar_constancias(
        diseno(fondo=ruta.as_uri(), logos=[ruta.as_uri()]), [datos()]
    )
    lector = PdfReader(io.BytesIO(contenido))
    # The logo, the background (drawn through a pattern) and the QR.
    assert len(lector.pages[0].images) >= 2
    assert _plano(NOMBRE_DIFICIL) in _texto(contenido)


def test_lote_dividido_produce_un_pdf_por_constancia():
    lote = [datos(nombre="Ana Ruiz", folio="TP-1"), datos(nombre="Luis Núñez", folio="TP-2")]
    from constancias.management.commands.bench_constancias import lote_dividido

    contenidos = lote_dividido(diseno(), lote)
    assert [len(PdfReader(io.BytesIO(c)).pages) for c in contenidos] == [1, 1]
    assert "Luis Núñez" in _texto(contenidos[1])
    assert "Ana Ruiz" not in _texto(contenidos[1])
