from celery import shared_task

from cursos import services
from cursos.models import CursoPage


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def recalcular_curso_task(curso_id: int) -> int:
    """Recompute every active enrolment of a course after its rules were republished."""
    curso = CursoPage.objects.filter(pk=curso_id).first()
    if curso is None:
        return 0
    return services.recalcular_curso(curso=curso)
