"""Signal receivers of constancias; each only calls a service or enqueues a task."""

import logging
from typing import Any

from django.apps import apps
from django.db import transaction

from constancias import services

logger = logging.getLogger(__name__)


def permisos_despues_de_migrar(sender: Any, **kwargs: Any) -> None:
    # post_migrate is sent once per app with models, in INSTALLED_APPS order; by the last
    # one's turn every permission (including Wagtail's snippet "publish") exists.
    con_modelos = [config for config in apps.get_app_configs() if config.models_module]
    if con_modelos and sender is con_modelos[-1]:
        services.asegurar_permisos_plantillas()


def _encolar(inscripcion_id: int) -> None:
    from constancias.tasks import emitir_constancia_task

    try:
        emitir_constancia_task.delay(inscripcion_id)
    except Exception:
        # The periodic sweep (emitir_constancias_pendientes_task) issues it later.
        logger.exception("No se pudo encolar la emisión de la inscripción %s.", inscripcion_id)


def al_cambiar_completitud(
    sender: Any, *, inscripcion_id: int, completada: bool, **kwargs: Any
) -> None:
    """A completion change may make someone eligible: queue the issuing task.

    Sent for any change (not only completions): an attendance-based participación may be
    due even when the course is not complete; the service decides.
    """
    transaction.on_commit(lambda: _encolar(inscripcion_id))


def al_cambiar_configuracion_sitio(sender: Any, **kwargs: Any) -> None:
    """The site's name appears on every cached verification page."""
    transaction.on_commit(services.invalidar_paginas_de_verificacion)
