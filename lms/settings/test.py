"""Settings for the pytest suite; DATABASE_URL and REDIS_URL switch to real services."""

from .base import *
from .base import CACHES, STORAGES

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
LMS_ENTORNO = "pruebas"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LMS_EMAIL_BACKEND_REAL = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_ROOT = DATA_DIR / "test-media"
PRIVATE_ROOT = DATA_DIR / "test-privado"
if STORAGES["privado"]["BACKEND"] == "lms.archivos.AlmacenPrivadoLocal":
    STORAGES["privado"] = {**STORAGES["privado"], "OPTIONS": {"location": PRIVATE_ROOT}}
if not os.environ.get("CELERY_BROKER_URL"):
    CELERY_BROKER_URL = "memory://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "cache+memory://")
if not REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif os.environ.get("PYTEST_XDIST_WORKER"):
    # Parallel workers share one Redis database: without a prefix of their own, one worker
    # clearing a cached value (Wagtail's site root paths, say) changes another's query counts.
    CACHES["default"]["KEY_PREFIX"] = os.environ["PYTEST_XDIST_WORKER"]
WAGTAILADMIN_BASE_URL = "http://testserver"
# Tests read verification lookups right after the request; those about the buffer turn it on.
CONSTANCIAS_CONSULTAS_EN_LOTE = False
