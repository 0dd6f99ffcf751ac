from celery import shared_task

from evaluaciones import services


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=3)
def cerrar_intentos_vencidos_task() -> int:
    """Periodic: close and score attempts whose time or close date has passed."""
    return services.cerrar_intentos_vencidos()
