"""Reuse the browser fixtures of tests/e2e for the quiz journeys."""

from tests.e2e.conftest import (  # noqa: F401
    navegador,
    pagina,
    playwright_sesion,
    revisar_accesibilidad,
    sitio,
)
