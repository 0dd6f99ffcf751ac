import pytest

from django.core.cache import cache

from lms.models import ConfiguracionSitio


@pytest.fixture(autouse=True)
def _media_y_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def configuracion(db):
    return ConfiguracionSitio.objects.get_or_create(pk=1)[0]
