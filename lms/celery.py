"""Celery application shared by every app of the platform."""

import logging
import os
from typing import Any

from celery import Celery, signals

from lms.logging import enmascarar_manejadores

# Same safe default as manage.py: production unless DJANGO_SETTINGS_MODULE says otherwise.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.production")

app = Celery("lms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def enmascarar_registro_del_worker(logger: logging.Logger, **kwargs: Any) -> None:
    # The worker replaces Django's handlers with its own (its format, -l and --logfile
    # stay); they mask like Django's, so a task's traceback cannot leak a CURP.
    enmascarar_manejadores(logger)
