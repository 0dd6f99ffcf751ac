import importlib

import pytest

from django.apps import apps
from django.core.cache import cache

from lms.models import ConfiguracionSitio


@pytest.fixture(autouse=True)
def _media_y_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


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
