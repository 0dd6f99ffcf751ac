"""Celery tasks of constancias: thin, take ids, call one idempotent service."""

from typing import Any

from celery import shared_task

from constancias import services

# A worker that dies mid-task leaves its message unacknowledged (acks_late) and the
# broker hands it to another worker; every service below is idempotent.
REINTENTOS = {"autoretry_for": (Exception,), "retry_backoff": 30, "retry_backoff_max": 900}


@shared_task(bind=True, acks_late=True, max_retries=10, **REINTENTOS)
def emitir_constancia_task(self: Any, inscripcion_id: int) -> int:
    """Issue the automatic constancias an enrolment qualifies for."""
    return services.emitir_constancias_de_inscripcion(inscripcion_id=inscripcion_id)


@shared_task(acks_late=True)
def emitir_constancias_pendientes_task() -> int:
    """Periodic sweep (celery beat): issue what lost signals missed, resume stalled jobs."""
    for trabajo_id in services.trabajos_detenidos():
        procesar_trabajo_emision_task.delay(trabajo_id)
    return services.emitir_constancias_pendientes()


@shared_task(bind=True, acks_late=True, max_retries=5, **REINTENTOS)
def procesar_trabajo_emision_task(self: Any, trabajo_id: int) -> int:
    """Run a bulk job to the end; a redelivered or re-queued message resumes it."""
    return services.procesar_trabajo_emision(trabajo_id=trabajo_id).hechas


@shared_task(acks_late=True)
def guardar_consultas_task() -> int:
    """Periodic (celery beat, every minute): write the buffered verification lookups."""
    return services.guardar_consultas()
