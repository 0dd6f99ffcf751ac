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
