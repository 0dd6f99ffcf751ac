"""Browser journeys: the Django app on pytest-django's live server, driven by Debian's Chromium.

One Chromium process serves each run of consecutive e2e tests (marked
@pytest.mark.e2e; every test in this folder is) and is stopped before a
non-e2e test runs; each test gets a fresh browser context
(cookies, storage) and a database restored to the migrated state (serialized
rollback), so the seeded entities and the Wagtail home page exist. A failed
test leaves a screenshot and the page's HTML in artifacts/e2e/.

Fixtures: `pagina` (a Playwright Page whose relative URLs go to the live
server, 1280x800), `navegador`, `sitio` (the base URL),
`revisar_accesibilidad(pagina, rutas=None)` (axe, WCAG 2.1 A/AA, desktop and
phone widths) and `celery_inmediato` (Celery tasks run eagerly, in the live server's
thread). `tests/e2e/pasos.py` holds shared steps (`entrar`, `guardar_descarga`).
Journeys in other folders import these names, plus
`pytest_runtest_makereport` for the failure artifacts, into their conftest.
Test code may use the ORM directly (factories, assertions): the live server
runs in a thread of this process, and email goes to django.core.mail.outbox.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

CHROMIUM = os.environ.get("LMS_E2E_CHROMIUM", "/usr/bin/chromium")
ARGUMENTOS_CHROMIUM = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ESCRITORIO = {"width": 1280, "height": 800}
TELEFONO = {"width": 390, "height": 844}
ARTEFACTOS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
ESPERA_MS = 10_000


CARPETA = Path(__file__).parent

# expect() waits as long as actions do: CI machines and shared ones are slow.
expect.set_options(timeout=ESPERA_MS)


def _es_e2e(item: pytest.Item | None) -> bool:
    return item is not None and item.get_closest_marker("e2e") is not None


def _siguiente(item: pytest.Item) -> pytest.Item | None:
    items = item.session.items
    try:
        return items[items.index(item) + 1]
    except (ValueError, IndexError):
        return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test in this folder is an e2e test."""
    for item in items:
        if CARPETA in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


class _Chromium:
    """Playwright and Chromium, started on demand and stopped between blocks of e2e tests.

    Playwright's sync API keeps an asyncio loop marked as running in this thread.
    While it does, Django would refuse ORM calls from the test code
    (DJANGO_ALLOW_ASYNC_UNSAFE lifts that) and would hand out a second set of
    database connections kept per async context; `_compartir_conexiones` makes
    that context use the very connections the test database was set up on, so
    serialized rollback and the in-memory SQLite database keep working.
    """

    def __init__(self) -> None:
        self.playwright: Playwright | None = None
        self.navegador: Browser | None = None

    def iniciar(self) -> Playwright:
        if self.playwright is None:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            self.playwright = sync_playwright().start()
            _compartir_conexiones()
        return self.playwright

    def obtener(self) -> Browser:
        if self.navegador is None:
            if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
                pytest.fail(
                    f"No se encontró Chromium en {CHROMIUM}. Instálelo con "
                    "`apt-get install chromium` (nunca se descarga un navegador propio)."
                )
            self.navegador = self.iniciar().chromium.launch(
                executable_path=CHROMIUM, args=ARGUMENTOS_CHROMIUM
            )
        return self.navegador

    def cerrar(self) -> None:
        if self.navegador is not None:
            self.navegador.close()
            self.navegador = None
        if self.playwright is not None:
            self.playwright.stop()
            self.playwright = None
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _compartir_conexiones() -> None:
    from django.db import connections

    local = connections._connections  # asgiref Local: thread storage, or a contextvar in async
    sincronas = local._storage
    for alias in connections:
        conexion = getattr(sincronas, alias, None)
        if conexion is not None:
            setattr(local, alias, conexion)


_CHROMIUM = _Chromium()


def _restaurar_sobre_base_vacia() -> None:
    """Make serialized rollback start from an empty database, as Django assumes it does.

    A transactional test without serialized rollback ends with a flush whose
    post_migrate handlers recreate content types, permissions and groups under
    new ids; loading the migrated snapshot on top of them then breaks unique
    constraints. Emptying the tables first restores exactly the migrated state.
    """
    from django.core.management import call_command
    from django.db.backends.base.creation import BaseDatabaseCreation

    original = BaseDatabaseCreation.deserialize_db_from_string
    if getattr(original, "_vacia_antes", False):
        return

    @functools.wraps(original)
    def deserializar(self: BaseDatabaseCreation, data: str) -> None:
        call_command(
            "flush",
            database=self.connection.alias,
            interactive=False,
            inhibit_post_migrate=True,
            verbosity=0,
        )
        original(self, data)
        _reiniciar_secuencias(self.connection)
        # The restored content types have their migrated ids again; the cache may not.
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()

    deserializar._vacia_antes = True  # type: ignore[attr-defined]
    BaseDatabaseCreation.deserialize_db_from_string = deserializar  # type: ignore[method-assign]


def _reiniciar_secuencias(conexion: Any) -> None:
    """Point PostgreSQL's id sequences past the restored rows, as loaddata does.

    The flush above restarts them at 1 and the snapshot's rows carry explicit ids, so
    without this the next insert would reuse id 1. SQLite needs nothing (no SQL returned).
    """
    from django.apps import apps
    from django.core.management.color import no_style

    sentencias = conexion.ops.sequence_reset_sql(
        no_style(), apps.get_models(include_auto_created=True)
    )
    if sentencias:
        with conexion.cursor() as cursor:
            for sentencia in sentencias:
                cursor.execute(sentencia)


_restaurar_sobre_base_vacia()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    informe = yield
    if informe.when == "call" and informe.failed:
        pagina = getattr(item, "funcargs", {}).get("pagina")
        if pagina is not None and not pagina.is_closed():
            rutas = _guardar_artefactos(pagina, item.nodeid)
            texto = "\n".join(str(ruta) for ruta in rutas)
            informe.sections.append(("artefactos e2e", texto))
            print(f"\nArtefactos e2e de {item.nodeid}:\n{texto}")  # noqa: T201
    return informe


def _guardar_artefactos(pagina: Page, nodeid: str) -> list[Path]:
    ARTEFACTOS.mkdir(parents=True, exist_ok=True)
    nombre = re.sub(r"[^A-Za-z0-9_-]+", "_", nodeid)[-150:]
    rutas = []
    try:
        captura = ARTEFACTOS / f"{nombre}.png"
        pagina.screenshot(path=str(captura), full_page=True)
        rutas.append(captura)
        html = ARTEFACTOS / f"{nombre}.html"
        html.write_text(pagina.content(), encoding="utf-8")
        rutas.append(html)
    except Exception as error:  # noqa: BLE001 - a broken page must not hide the real failure
        rutas.append(Path(f"(no se pudo guardar: {error})"))
    return rutas


@pytest.fixture
def playwright_sesion(
    request: pytest.FixtureRequest, django_db_setup: None
) -> Iterator[Playwright]:
    """Playwright, started after the test database exists and stopped before a non-e2e test."""
    yield _CHROMIUM.iniciar()
    if not _es_e2e(_siguiente(request.node)):
        _CHROMIUM.cerrar()


@pytest.fixture
def navegador(playwright_sesion: Playwright) -> Browser:
    return _CHROMIUM.obtener()


@pytest.fixture
def sitio(live_server: Any, django_db_serialized_rollback: None, settings: Any) -> str:
    """The live server's base URL, with Wagtail's default Site pointing at it."""
    from wagtail.models import Site

    from tests.conftest import vaciar_cache

    settings.WAGTAILADMIN_BASE_URL = live_server.url
    host, _sep, puerto = live_server.url.removeprefix("http://").partition(":")
    Site.objects.filter(is_default_site=True).update(hostname=host, port=int(puerto or 80))
    vaciar_cache()
    return live_server.url


@pytest.fixture
def pagina(navegador: Browser, sitio: str) -> Iterator[Page]:
    contexto = navegador.new_context(
        base_url=sitio, viewport=ESCRITORIO, locale="es-MX", timezone_id="America/Mexico_City"
    )
    contexto.set_default_timeout(ESPERA_MS)
    pagina = contexto.new_page()
    yield pagina
    contexto.close()


@pytest.fixture
def revisar_accesibilidad() -> Any:
    """A function that fails the test on serious or critical WCAG 2.1 A/AA violations."""
    from tests.e2e.accesibilidad import revisar

    return revisar


@pytest.fixture
def celery_inmediato() -> Iterator[None]:
    """Run Celery tasks in-process when enqueued (eager), as a worker would right after commit.

    The live server runs in a thread of this process, so a task enqueued by a view runs
    there, after its transaction commits. Tests that must watch a queued task advance
    (the bulk issuance's progress bar) leave this off and run the task themselves.
    """
    from lms.celery import app

    antes = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = antes
