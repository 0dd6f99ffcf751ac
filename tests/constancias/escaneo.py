"""A constancia's first page as a 150 dpi scan would see it, and what zbar reads from it."""

import os
import shutil
import subprocess
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image

PPP_ESCANEO = 150


def pagina_escaneada(contenido: bytes, ppp: int = PPP_ESCANEO) -> Image.Image:
    """The first page rendered in greyscale at `ppp` dots per inch (anti-aliased, like a scan)."""
    documento = pypdfium2.PdfDocument(contenido)
    try:
        return documento[0].render(scale=ppp / 72, grayscale=True).to_pil().convert("L")
    finally:
        documento.close()


def leer_qr_escaneado(contenido: bytes, carpeta: Path, ppp: int = PPP_ESCANEO) -> list[str]:
    """The QR payloads zbarimg decodes from the whole first page scanned at `ppp`."""
    if shutil.which("zbarimg") is None:
        if os.environ.get("CI"):
            pytest.fail("zbarimg (paquete zbar-tools de Debian) es necesario en CI.")
        pytest.skip("zbarimg no está instalado (apt-get install zbar-tools).")
    ruta = carpeta / f"pagina-{ppp}ppp.png"
    pagina_escaneada(contenido, ppp).save(ruta)
    salida = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(ruta)],
        capture_output=True,
        text=True,
        check=False,
    )
    return [linea for linea in salida.stdout.splitlines() if linea]


def banda_vacia_mm(imagen: Image.Image, margen_mm: float = 12.0, ppp: int = PPP_ESCANEO) -> float:
    """The tallest horizontal band with no ink inside the page's margins, in millimetres."""
    px_por_mm = ppp / 25.4
    margen = round(margen_mm * px_por_mm)
    recorte = imagen.convert("L").crop(
        (margen, margen, imagen.width - margen, imagen.height - margen)
    )
    # A row has ink when its darkest pixel is darker than very light grey: the thin gold
    # rule under the name counts, the paper does not.
    tinta = [minimo < 235 for minimo, _maximo in _extremos_por_fila(recorte)]
    mayor = actual = 0
    for con_tinta in tinta:
        actual = 0 if con_tinta else actual + 1
        mayor = max(mayor, actual)
    return mayor / px_por_mm


def _extremos_por_fila(imagen: Image.Image) -> list[tuple[int, int]]:
    return [imagen.crop((0, y, imagen.width, y + 1)).getextrema() for y in range(imagen.height)]
