import logging

from celery import shared_task

from cursos import services
from cursos.models import CursoPage

registro = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def recalcular_curso_task(curso_id: int) -> int:
    """Recompute every active enrolment of a course after its rules were republished."""
    curso = CursoPage.objects.filter(pk=curso_id).first()
    if curso is None:
        return 0
    return services.recalcular_curso(curso=curso)


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def recalcular_pendientes_task(curso_id: int | None = None, edicion_id: int | None = None) -> int:
    """Recompute the enrolments `services.reglas_cambiaron` marked stale."""
    return services.recalcular_pendientes(curso_id=curso_id, edicion_id=edicion_id)


@shared_task(acks_late=True, max_retries=0)
def reconciliar_avances_task() -> int:
    """Periodic: repair drift between stored and derived progress; logs how much it found."""
    cambiadas = services.reconciliar_avances()
    if cambiadas:
        registro.warning("Reconciliación del avance: %d inscripciones tenían deriva", cambiadas)
    else:
        registro.info("Reconciliación del avance: sin deriva")
    return cambiadas


# Coordination reports (cursos/services_reportes.py).
@shared_task(acks_late=True, max_retries=0)
def exportar_registros_task(exportacion_id: int) -> int:
    """Build one requested export file; returns its rows."""
    from cursos import services_reportes

    exportacion = services_reportes.construir_exportacion(exportacion_id=exportacion_id)
    return exportacion.total_filas if exportacion is not None else 0


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=3)
def enviar_reportes_semanales_task() -> int:
    """Weekly email of each state's key figures to its coordinators."""
    from cursos import services_reportes

    services_reportes.borrar_exportaciones_vencidas()
    return services_reportes.enviar_reportes_semanales()


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=3)
def notificar_manifestacion_task(manifestacion_id: int) -> int:
    """E-mail who acts next on a manifestación de interés (sent, accepted, changes asked)."""
    from cursos import services_manifestaciones

    return services_manifestaciones.notificar_manifestacion(manifestacion_id=manifestacion_id)
