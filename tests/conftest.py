import importlib
import os
import sys
from pathlib import Path

import pytest

from django.apps import apps
from django.conf import settings as ajustes
from django.core.cache import cache
from django.core.signals import got_request_exception

from lms.models import ConfiguracionSitio


def vaciar_cache() -> None:
    """Empty the cache of this test process.

    Parallel workers (pytest-xdist) on a real Redis share one database, each with its
    own key prefix (lms.settings.test): `cache.clear()` would flush the other workers'
    keys mid-test too, so there only this worker's keys are deleted.
    """
    configuracion = ajustes.CACHES["default"]
    if os.environ.get("PYTEST_XDIST_WORKER") and "redis" in configuracion["BACKEND"].lower():
        cliente = cache._cache.get_client(write=True)  # Django's own Redis client
        claves = list(cliente.scan_iter(match=f"{configuracion['KEY_PREFIX']}:*"))
        if claves:
            cliente.delete(*claves)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _media_y_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "privado": {**settings.STORAGES["privado"], "OPTIONS": {"location": tmp_path / "privado"}},
    }
    vaciar_cache()
    yield
    vaciar_cache()


@pytest.fixture
def carpeta_privada(settings) -> Path:
    """This test's folder of the private storage (constancias, exports, deliverables)."""
    return Path(settings.STORAGES["privado"]["OPTIONS"]["location"])


def sembrar_datos_base() -> None:
    """Recreate what the data migrations seed (the 32 entidades, Wagtail's root and home page).

    A transactional test starts from whatever the previous transactional test left: Django
    flushes the tables after each one, and the migrations' seed data goes with them.
    """
    from django.contrib.contenttypes.models import ContentType

    from wagtail.models import Locale, Page, Site

    from cursos.models import HomePage

    # The flush recreated content types under new ids; the in-process cache still has the old.
    ContentType.objects.clear_cache()
    entidades = importlib.import_module("lms.migrations.0002_cargar_entidades")
    entidades.cargar(apps, None)
    if HomePage.objects.exists():
        return
    Locale.objects.get_or_create(language_code="es-mx")
    raiz = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    inicio = raiz.add_child(
        instance=HomePage(title="Capacitación en Transparencia Proactiva", slug="inicio")
    )
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": inicio}
    )


@pytest.fixture(autouse=True)
def _datos_base_en_pruebas_transaccionales(request):
    marcador = request.node.get_closest_marker("django_db")
    transaccional = marcador is not None and (
        marcador.kwargs.get("transaction") or (marcador.args and marcador.args[0])
    )
    serializada = marcador is not None and marcador.kwargs.get("serialized_rollback")
    if transaccional and not serializada:
        request.getfixturevalue("transactional_db")
        sembrar_datos_base()


@pytest.fixture
def configuracion(db):
    return ConfiguracionSitio.objects.get_or_create(pk=1)[0]


@pytest.fixture
def excepciones():
    """Exceptions raised inside views (a 500 without the test client raising it)."""
    vistas: list[BaseException] = []

    def anotar(sender, request=None, **kwargs):
        vistas.append(sys.exc_info()[1])

    got_request_exception.connect(anotar)
    yield vistas
    got_request_exception.disconnect(anotar)
