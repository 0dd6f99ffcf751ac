"""Receivers that keep completion in step with facts stored by other apps."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver

from wagtail.signals import page_published

from cursos import services
from cursos.models import CursoPage, FasePage, Inscripcion, LeccionPage
from evaluaciones.signals import resultado_evaluacion_cambiado
from lms.middleware import marcar_aviso_pendiente


@receiver(resultado_evaluacion_cambiado)
def al_cambiar_resultado(
    sender: Any, *, usuario_id: int, evaluacion_id: int, **kwargs: Any
) -> None:
    services.recalcular_por_evaluacion(usuario_id=usuario_id, evaluacion_id=evaluacion_id)


@receiver(user_logged_in)
def al_iniciar_sesion(sender: Any, *, request: Any, user: Any, **kwargs: Any) -> None:
    """An account a coordinator created in bulk accepts the privacy notice at its first login."""
    if getattr(user, "aviso_privacidad_aceptado_en", True) is not None:
        return
    if Inscripcion.objects.filter(usuario=user, origen=Inscripcion.Origen.CARGA_MASIVA).exists():
        marcar_aviso_pendiente(request)


@receiver(page_published)
def al_publicar_pagina(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, CursoPage):
        services.sincronizar_equipo_docente(curso=instance)
    elif isinstance(instance, (FasePage, LeccionPage)):
        curso = CursoPage.objects.ancestor_of(instance).first()
        if (
            curso is not None
            and Inscripcion.objects.filter(
                edicion__curso=curso, estado=Inscripcion.Estado.ACTIVA
            ).exists()
        ):
            from cursos.tasks import recalcular_curso_task

            curso_id = curso.pk
            transaction.on_commit(lambda: recalcular_curso_task.delay(curso_id))
