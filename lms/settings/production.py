"""Production: refuses to start without a secret key and allowed hosts."""

from django.core.exceptions import ImproperlyConfigured

from .base import *

DEBUG = False
LMS_ENTORNO = "produccion"

# Settings load before translations: these messages stay plain Spanish text.
if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY debe estar definida y tener al menos 50 caracteres. "
        "Estos son los ajustes de producción (los que se usan si DJANGO_SETTINGS_MODULE "
        "no está definida); para trabajar en su equipo use `make run` o "
        "DJANGO_SETTINGS_MODULE=lms.settings.dev."
    )
if not os.environ.get("DJANGO_ALLOWED_HOSTS"):
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS debe estar definida (lista separada por comas)."
    )

STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# Balancers and monitors reach each host over the private network, without TLS.
SECURE_REDIRECT_EXEMPT = [r"^salud/$", r"^salud/detalle/$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

# Wagtail's page preview renders the page in a same-origin iframe, so frames stay
# allowed for this origin (X_FRAME_OPTIONS = "SAMEORIGIN" in base) and the check that
# asks for DENY is silenced on purpose.
SILENCED_SYSTEM_CHECKS = ["security.W019"]

# Sessions are read on every request. With Redis, `cached_db` serves them from the
# cache and keeps the database row as the durable copy (sessions survive a Redis
# flush and existing ones stay valid): one PostgreSQL query less per request. See
# docs/BENCHMARKS.md, "Evaluaciones".
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
