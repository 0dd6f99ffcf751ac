"""Embedded mode for `make run`: SQLite, a filesystem broker, console email."""

from .base import *

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-use-in-production"
INTERNAL_IPS = ["127.0.0.1"]

DATA_DIR.mkdir(parents=True, exist_ok=True)
