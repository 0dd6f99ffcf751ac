"""Receivers that keep completion in step with facts stored by other apps."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from wagtail.signals import page_published, page_unpublished, post_page_move, pre_page_move

from cursos import autoria, services
from cursos.models import CursoPage, Edicion, FasePage, Inscripcion, LeccionPage, SesionEnVivo
from cursos.selectors import PASO_RUTA as PASO
from evaluaciones.models import Evaluacion
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


def _curso_de(pagina: Any) -> CursoPage | None:
    if isinstance(pagina, CursoPage):
        return pagina
    return CursoPage.objects.ancestor_of(pagina).first()


def _paginas_de_curso(instance: Any) -> bool:
    return isinstance(instance, (CursoPage, FasePage, LeccionPage))


@receiver(page_published)
def al_publicar_pagina(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, CursoPage):
        autoria.sincronizar_equipo_docente(curso=instance)
    if _paginas_de_curso(instance) and (curso := _curso_de(instance)) is not None:
        services.reglas_cambiaron(curso_id=curso.pk)


@receiver(page_unpublished)
def al_despublicar_pagina(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, (FasePage, LeccionPage)) and (curso := _curso_de(instance)):
        services.reglas_cambiaron(curso_id=curso.pk)


@receiver(pre_delete)
def al_borrar_pagina(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Before the row goes: afterwards the page has no place in the tree to find its course.
    if isinstance(instance, (FasePage, LeccionPage)) and (curso := _curso_de(instance)):
        services.reglas_cambiaron(curso_id=curso.pk)


@receiver(pre_page_move)
def antes_de_mover_pagina(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, (FasePage, LeccionPage)) and (curso := _curso_de(instance)):
        services.reglas_cambiaron(curso_id=curso.pk)


@receiver(post_page_move)
def al_mover_pagina(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, (FasePage, LeccionPage)) and (curso := _curso_de(instance)):
        services.reglas_cambiaron(curso_id=curso.pk)


@receiver(post_save, sender=Evaluacion)
def al_guardar_evaluacion(sender: Any, instance: Evaluacion, **kwargs: Any) -> None:
    """A changed pass mark or grading method changes who has passed a phase."""
    rutas = FasePage.objects.filter(
        Q(evaluacion_id=instance.pk) | Q(actividad_practica_id=instance.pk)
    ).values_list("path", flat=True)
    for curso in {c for ruta in rutas if (c := _curso_por_ruta(ruta)) is not None}:
        services.reglas_cambiaron(curso_id=curso)


def _curso_por_ruta(ruta: str) -> int | None:
    return (
        CursoPage.objects.filter(path__in=[ruta[:i] for i in range(PASO, len(ruta), PASO)])
        .values_list("pk", flat=True)
        .first()
    )


@receiver(post_save, sender=SesionEnVivo)
@receiver(post_delete, sender=SesionEnVivo)
def al_cambiar_sesion(sender: Any, instance: SesionEnVivo, **kwargs: Any) -> None:
    """Sessions added or removed change how many a phase's attendance minimum asks for."""
    services.reglas_cambiaron(edicion_id=instance.edicion_id)


@receiver(post_save, sender=FasePage)
@receiver(post_save, sender=LeccionPage)
def al_crear_alias(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """An alias of a phase or lesson is live from its creation, without a publish."""
    es_alias = created and instance.alias_of_id is not None and instance.live
    if es_alias and (curso := _curso_de(instance)) is not None:
        services.reglas_cambiaron(curso_id=curso.pk)


@receiver(pre_save, sender=Edicion)
def al_cambiar_curso_de_edicion(sender: Any, instance: Edicion, **kwargs: Any) -> None:
    """An edition moved to another course asks for that course's phases (the recompute
    runs after commit, on the saved course)."""
    if instance.pk is None:
        return
    anterior = Edicion.objects.filter(pk=instance.pk).values_list("curso_id", flat=True).first()
    if anterior is not None and anterior != instance.curso_id:
        services.reglas_cambiaron(edicion_id=instance.pk)
