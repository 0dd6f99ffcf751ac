from typing import Any

from celery import shared_task

from lms import services


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=8,
)
def enviar_correo_task(self: Any, datos: dict[str, Any]) -> int:
    return services.enviar_correo(datos=datos)


@shared_task
def ping_task(marca: str) -> str:
    """Echo used by the health check and the CI smoke test to prove a worker is alive."""
    return services.responder_ping(marca=marca)
