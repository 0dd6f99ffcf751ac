"""Embedded mode for `make run`: SQLite, a filesystem broker, console email."""

from django.core.exceptions import ImproperlyConfigured

from .base import *

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-use-in-production"
LMS_ENTORNO = "desarrollo"
INTERNAL_IPS = ["127.0.0.1"]

# DEBUG and a published key must never reach a real database: only SQLite or a server on
# this machine, unless LMS_DEV_PERMITIR_BASE_REMOTA=1 says the remote one is a throwaway copy.
_HOSTS_LOCALES = {"", "localhost", "127.0.0.1", "::1", "[::1]"}
if (
    DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3"
    and str(DATABASES["default"].get("HOST") or "") not in _HOSTS_LOCALES
    and not env_bool("LMS_DEV_PERMITIR_BASE_REMOTA")
):
    raise ImproperlyConfigured(
        "Los ajustes de desarrollo (lms.settings.dev: DEBUG y una clave pública) no se usan "
        "con una base de datos en otro servidor. Use DJANGO_SETTINGS_MODULE="
        "lms.settings.production o, si esa base es una copia desechable, "
        "LMS_DEV_PERMITIR_BASE_REMOTA=1."
    )

DATA_DIR.mkdir(parents=True, exist_ok=True)
