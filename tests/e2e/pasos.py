"""Steps several browser journeys share: logging in and reading downloads."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Download, Page, expect

CONTRASENA_FABRICAS = "contrasena-segura-123"  # tests.factories' password


def entrar(pagina: Page, correo: str, contrasena: str = CONTRASENA_FABRICAS) -> None:
    """Log in through the real form and wait to leave it."""
    pagina.goto("/cuentas/login/")
    pagina.get_by_label("Correo electrónico").fill(correo)
    pagina.get_by_label("Contraseña").fill(contrasena)
    pagina.get_by_role("main").get_by_role("button", name="Iniciar sesión").click()
    expect(pagina).not_to_have_url(re.compile("/cuentas/login/"))


def guardar_descarga(descarga: Download, carpeta: Path) -> Path:
    """Save a finished download under `carpeta` with the server's file name."""
    assert descarga.failure() is None, descarga.failure()
    ruta = carpeta / descarga.suggested_filename
    descarga.save_as(ruta)
    return ruta
