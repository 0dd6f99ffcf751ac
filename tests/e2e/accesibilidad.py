"""axe-core checks (the copy shipped by axe-playwright-python) for the browser journeys."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

ETIQUETAS_WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
IMPACTOS_QUE_FALLAN = {"serious", "critical"}
ANCHOS = {
    "escritorio": {"width": 1280, "height": 800},
    "teléfono": {"width": 390, "height": 844},
}
OPCIONES = {
    "runOnly": {"type": "tag", "values": ETIQUETAS_WCAG},
    "resultTypes": ["violations"],
}

_axe = Axe()


def violaciones_graves(pagina: Page) -> list[dict]:
    """Serious and critical WCAG 2.1 A/AA violations on the page as it is now.

    axe-core (about half a megabyte of script) is injected once per document, not once
    per scan: the second width of the same page reuses it.
    """
    if not pagina.evaluate("() => typeof window.axe === 'object'"):
        pagina.evaluate(_axe.axe_script)
    respuesta = pagina.evaluate("opciones => window.axe.run(document, opciones)", OPCIONES)
    return [v for v in respuesta["violations"] if v.get("impact") in IMPACTOS_QUE_FALLAN]


def _describir(violaciones: list[dict]) -> str:
    lineas = []
    for v in violaciones:
        lineas.append(f"- {v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for nodo in v["nodes"][:5]:
            lineas.append(f"    {', '.join(map(str, nodo['target']))}: {nodo['html'][:160]}")
    return "\n".join(lineas)


def revisar(pagina: Page, rutas: str | list[str] | None = None) -> None:
    """Load each of `rutas` (or keep the current page) at desktop and phone widths and run axe.

    Fails the test listing every serious or critical violation found on any of them.
    """
    if isinstance(rutas, str):
        rutas = [rutas]
    original = pagina.viewport_size
    problemas = []
    try:
        for nombre, tamano in ANCHOS.items():
            pagina.set_viewport_size(tamano)
            for ruta in rutas or [None]:
                if ruta is not None:
                    pagina.goto(ruta)
                pagina.wait_for_load_state("load")
                graves = violaciones_graves(pagina)
                if graves:
                    problemas.append(
                        f"{pagina.url} a {nombre} ({tamano['width']} px):\n" + _describir(graves)
                    )
    finally:
        if original:
            pagina.set_viewport_size(original)
    if problemas:
        pytest.fail("Violaciones de accesibilidad WCAG 2.1 AA:\n" + "\n".join(problemas))
