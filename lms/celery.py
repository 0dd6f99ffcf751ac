"""Celery application shared by every app of the platform."""

import os

from celery import Celery

# Same safe default as manage.py: production unless DJANGO_SETTINGS_MODULE says otherwise.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.production")

app = Celery("lms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
