"""Anonymous visitors: reaching sign-up, accessible public pages, keyboard and phone navigation."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TELEFONO

pytestmark = pytest.mark.e2e

PAGINAS_PUBLICAS = [
    "/",
    "/cuentas/login/",
    "/cuentas/signup/",
    "/aviso-de-privacidad/",
    "/esta-pagina-no-existe/",
]


def test_anonimo_llega_al_registro_con_etiquetas_en_espanol(pagina):
    pagina.goto("/")
    expect(pagina).to_have_title("Capacitación en Transparencia Proactiva")
    menu = pagina.get_by_role("navigation", name="Navegación principal")
    expect(menu.get_by_role("link", name="Iniciar sesión")).to_be_visible()
    menu.get_by_role("link", name="Registrarse").click()
    expect(pagina).to_have_url("/cuentas/signup/")
    expect(pagina.locator("html")).to_have_attribute("lang", "es-MX")
    expect(pagina.get_by_label("Nombre(s)")).to_be_visible()
    expect(pagina.get_by_label("Apellidos")).to_be_visible()
    expect(pagina.get_by_label("Correo electrónico")).to_be_visible()
    expect(pagina.get_by_label("He leído y acepto el aviso de privacidad.")).to_be_visible()
    expect(menu.get_by_role("link", name="Registrarse")).to_have_attribute("aria-current", "page")


def test_paginas_publicas_sin_violaciones_graves_de_accesibilidad(pagina, revisar_accesibilidad):
    revisar_accesibilidad(pagina, PAGINAS_PUBLICAS)


def test_teclado_salta_al_contenido_y_abre_el_menu_en_telefono(pagina, navegador, sitio):
    pagina.goto("/")
    pagina.keyboard.press("Tab")
    salto = pagina.get_by_role("link", name="Saltar al contenido")
    expect(salto).to_be_focused()
    expect(salto).to_be_in_viewport()
    pagina.keyboard.press("Enter")
    expect(pagina.locator("main#contenido")).to_be_focused()

    # On a phone the menu collapses behind a button that works from the keyboard.
    pagina.set_viewport_size(TELEFONO)
    boton = pagina.get_by_role("button", name="Menú")
    iniciar = pagina.get_by_role("navigation").get_by_role("link", name="Iniciar sesión")
    expect(boton).to_have_attribute("aria-expanded", "false")
    expect(iniciar).to_be_hidden()
    boton.focus()
    pagina.keyboard.press("Enter")
    expect(boton).to_have_attribute("aria-expanded", "true")
    expect(iniciar).to_be_visible()
    pagina.keyboard.press("Tab")
    expect(iniciar).to_be_focused()
    pagina.keyboard.press("Escape")
    expect(boton).to_have_attribute("aria-expanded", "false")
    expect(boton).to_be_focused()
    expect(iniciar).to_be_hidden()

    # Without JavaScript there is no button and the menu stays open.
    contexto = navegador.new_context(base_url=sitio, viewport=TELEFONO, java_script_enabled=False)
    try:
        sin_js = contexto.new_page()
        sin_js.goto("/")
        expect(sin_js.get_by_role("button", name="Menú")).to_be_hidden()
        expect(sin_js.get_by_role("link", name="Iniciar sesión").first).to_be_visible()
    finally:
        contexto.close()
