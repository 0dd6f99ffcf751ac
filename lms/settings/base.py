"""Settings shared by every mode; each value can be overridden from the environment."""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_EVAL, UNSAFE_INLINE

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("LMS_DATA_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "si", "sí", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
# Which kind of settings are loaded: "produccion", "desarrollo" or "pruebas". Anything that
# must never run on a real installation (the demo accounts) asks this, not DEBUG alone.
LMS_ENTORNO = "produccion"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "lms",
    "cursos",
    "evaluaciones",
    "constancias",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "lms.apps_wagtail.UsuariosWagtailConfig",  # wagtail.users with our Users viewset
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "django_celery_results",
    "django_celery_beat",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (lms/politica_contenido.py).
    "lms.politica_contenido.PoliticaContenidoMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lms.entrada.CaracteresNulosMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before anything reads a body: each endpoint's upload limit, see lms.subidas.
    "lms.subidas.LimiteSubidaMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Wagtail's redirects, skipped for a 404 that is the answer (an unknown verification code).
    "lms.middleware.RedireccionesMiddleware",
    "lms.middleware.AvisoPrivacidadMiddleware",
    "lms.wagtail_alcance.AdminConAlcanceMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "lms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "lms.context_processors.navegacion",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{DATA_DIR / 'lms.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while one of them writes;
    # IMMEDIATE transactions make concurrent writers queue instead of failing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "lms.Usuario"

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "lms",
        }
    }
else:
    # A database cache is shared by every process of the embedded mode, so
    # login rate limits hold across the web server and the worker.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "lms_cache",
        }
    }

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "es-mx"
LANGUAGES = [("es-mx", _("Español (México)"))]
# locale_paquetes/ turns Wagtail's and allauth's "tú" messages into "usted" (see its header).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_paquetes"]
TIME_ZONE = "America/Mexico_City"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", DATA_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", DATA_DIR / "media"))

# Private files (constancia PDFs, coordination exports, deliverables) have their own
# storage: a folder outside MEDIA_ROOT that no URL reaches, or a private S3 bucket or
# prefix read through URLs signed for a few seconds. Views hand them out after checking
# who asks (lms/archivos.py); see docs/despliegue.md.
PRIVATE_ROOT = Path(os.environ.get("DJANGO_PRIVATE_ROOT", DATA_DIR / "privado"))

STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "privado": {
        "BACKEND": "lms.archivos.AlmacenPrivadoLocal",
        "OPTIONS": {"location": PRIVATE_ROOT},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    _S3 = {
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_S3,
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "default_acl": None,
        },
    }
    STORAGES["privado"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_S3,
            "bucket_name": os.environ.get("AWS_PRIVATE_BUCKET_NAME")
            or os.environ["AWS_STORAGE_BUCKET_NAME"],
            "location": os.environ.get("AWS_PRIVATE_LOCATION", "privado"),
            # Buckets with ACLs disabled (S3's default "bucket owner enforced") refuse any
            # ACL but bucket-owner-full-control: AWS_PRIVATE_DEFAULT_ACL="" sends none.
            "default_acl": os.environ.get("AWS_PRIVATE_DEFAULT_ACL", "private") or None,
            "querystring_expire": int(os.environ.get("AWS_PRIVATE_URL_SECONDS", "60")),
            # SigV4: the relative expiry S3 enforces (SigV2 is retired in newer regions).
            "signature_version": "s3v4",
            "custom_domain": None,
        },
    }

# Uploads larger than this are refused before they reach a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("LMS_MAX_POST_BYTES", 5 * 1024 * 1024))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
LMS_MAX_UPLOAD_BYTES = int(os.environ.get("LMS_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- Email -----------------------------------------------------------------
# Messages are handed to Celery so a slow mail server never slows a request.
EMAIL_BACKEND = "lms.correo.CeleryEmailBackend"
LMS_EMAIL_BACKEND_REAL = os.environ.get(
    "LMS_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Capacitación en Transparencia Proactiva <no-responder@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Accounts (allauth) ----------------------------------------------------
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Transparencia Proactiva] "
ACCOUNT_SIGNUP_FORM_CLASS = "lms.forms.RegistroForm"
# allauth's form with the same work for a registered address as for a new one.
ACCOUNT_FORMS = {"signup": "lms.registro.RegistroCuentaForm"}
ACCOUNT_ADAPTER = "lms.adapters.CuentaAdapter"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "5/5m/key,20/15m/ip",
    "signup": "20/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    # Profile lookups of whether a CURP is taken (lms.forms.PerfilForm).
    "curp": "10/h/user,30/h/ip",
}

# --- Wagtail ---------------------------------------------------------------
WAGTAIL_SITE_NAME = "Capacitación en Transparencia Proactiva"
# The one public address of the site (lms/direcciones.py): the QR and printed URL of
# constancias and every link in an e-mail start with it. Wagtail reads it under this name.
WAGTAILADMIN_BASE_URL = os.environ.get("LMS_BASE_URL", "http://localhost:8000").strip().rstrip("/")
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# Wagtail's database backend, with user terms quoted safely for SQLite's FTS5.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "lms.busqueda"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "odt", "ods", "csv", "txt", "zip"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# One language for every user of the administration, whatever their browser asks for; with
# a single language Wagtail's account settings offer no choice (lms.receivers ignores a
# preference stored before).
WAGTAILADMIN_PERMITTED_LANGUAGES = [("es-mx", "Español (México)")]
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False

# --- Celery ----------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = DATA_DIR / "broker"
    # kombu's filesystem transport does not create its folders.
    for _carpeta in ("out", "processed", "control"):
        (_broker_dir / _carpeta).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # Broadcast/pidbox exchanges; kombu's default is ./control.
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "django-db")
CELERY_RESULT_EXTENDED = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Queues by kind of work, so each can get its own workers (docs/despliegue.md).
CELERY_TASK_ROUTES = {
    "lms.tasks.enviar_correo_task": {"queue": "correo"},
    "constancias.tasks.emitir_constancia_task": {"queue": "pdf"},
    "constancias.tasks.procesar_trabajo_emision_task": {"queue": "pdf"},
    "cursos.tasks.exportar_registros_task": {"queue": "exportaciones"},
}
CELERY_TASK_DEFAULT_QUEUE = "default"

# --- Client address ---------------------------------------------------------
# Reverse proxies (IP addresses or CIDR networks) whose X-Forwarded-For is believed when
# they are the peer: rate limits and verification records then key on the visitor, not on
# the proxy (lms/red.py, docs/despliegue.md). Empty: REMOTE_ADDR, the header ignored.
LMS_PROXIES_CONFIABLES = env_list("LMS_PROXIES_CONFIABLES")

# --- Content-Security-Policy (django-csp; lms/politica_contenido.py) ---------
# Where lesson images and documents are served from when they are not on this origin
# (S3): LMS_CSP_ORIGENES_ARCHIVOS, or the bucket's address derived from the S3 settings.
LMS_CSP_ORIGENES_ARCHIVOS = env_list("LMS_CSP_ORIGENES_ARCHIVOS")
if not LMS_CSP_ORIGENES_ARCHIVOS and os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    _bucket = os.environ["AWS_STORAGE_BUCKET_NAME"]
    _endpoint = os.environ.get("AWS_S3_ENDPOINT_URL", "").rstrip("/")
    if _endpoint:
        _esquema, _separador, _anfitrion = _endpoint.partition("://")
        LMS_CSP_ORIGENES_ARCHIVOS = [_endpoint, f"{_esquema}://{_bucket}.{_anfitrion}"]
    else:
        _region = os.environ.get("AWS_S3_REGION_NAME", "")
        LMS_CSP_ORIGENES_ARCHIVOS = [f"https://{_bucket}.s3.amazonaws.com"] + (
            [f"https://{_bucket}.s3.{_region}.amazonaws.com"] if _region else []
        )
# Lesson videos (cursos.blocks.VideoBlock: YouTube or Vimeo embeds).
LMS_CSP_ORIGENES_VIDEO = env_list(
    "LMS_CSP_ORIGENES_VIDEO",
    "https://www.youtube.com,https://www.youtube-nocookie.com,https://player.vimeo.com",
)
# Public site and participants: no inline script or style without the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *LMS_CSP_ORIGENES_ARCHIVOS],
        "media-src": [SELF, *LMS_CSP_ORIGENES_ARCHIVOS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF, *LMS_CSP_ORIGENES_VIDEO],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [SELF],
        "form-action": [SELF],
    }
}
# The administration: Wagtail 8 writes inline scripts (date widgets, inline panels) and
# style attributes, and its bundled template engine uses `new Function`, so scripts and
# styles need 'unsafe-inline' and 'unsafe-eval' there; everything else stays as strict.
LMS_CSP_RUTAS_ADMINISTRACION = ("/admin/", "/django-admin/")
LMS_CSP_ADMINISTRACION = {
    **CONTENT_SECURITY_POLICY["DIRECTIVES"],
    "script-src": [SELF, UNSAFE_INLINE, UNSAFE_EVAL],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:", *LMS_CSP_ORIGENES_ARCHIVOS],
    "worker-src": [SELF, "blob:"],
}

# --- Security headers common to every mode ---------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"datos_sensibles": {"()": "lms.logging.FiltroDatosSensibles"}},
    "formatters": {
        # Masks the whole line, traceback included (lms/logging.py).
        "simple": {
            "()": "lms.logging.FormateadorEnmascarado",
            "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "simple",
            "filters": ["datos_sensibles"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LMS_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers (runserver's request lines, the debug console, e-mails to
        # ADMINS with the traceback) would write unmasked: everything goes to the root's.
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}

# Health checks (lms/salud.py): seconds the public answer is reused by each process, the
# token that opens the detail for monitoring, and the bounded wait for a worker's ping.
LMS_SALUD_CACHE_SEGUNDOS = float(os.environ.get("LMS_SALUD_CACHE_SEGUNDOS", "5"))
LMS_SALUD_TOKEN = os.environ.get("LMS_SALUD_TOKEN", "")
LMS_SALUD_TIMEOUT = os.environ.get("LMS_SALUD_TIMEOUT", "5")
CSRF_FAILURE_VIEW = "lms.views.csrf_failure"

# --- Constancias -----------------------------------------------------------
# PAdES signature of every constancia PDF when both paths are set (docs/constancias.md).
CONSTANCIAS_FIRMA_CERT = os.environ.get("CONSTANCIAS_FIRMA_CERT", "")
CONSTANCIAS_FIRMA_KEY = os.environ.get("CONSTANCIAS_FIRMA_KEY", "")
CONSTANCIAS_FIRMA_CLAVE = os.environ.get("CONSTANCIAS_FIRMA_CLAVE", "")
CONSTANCIAS_FIRMA_CADENA = env_list("CONSTANCIAS_FIRMA_CADENA")
# Public verification lookups wait in a Redis list and are written every minute in batches
# (constancias.verificacion); without Redis each one is written at once.
CONSTANCIAS_CONSULTAS_EN_LOTE = env_bool("CONSTANCIAS_CONSULTAS_EN_LOTE", True)
# How long a verification page stays cached at most (each revocation drops them all).
CONSTANCIAS_VERIFICACION_SEGUNDOS = int(os.environ.get("CONSTANCIAS_VERIFICACION_SEGUNDOS", 900))
