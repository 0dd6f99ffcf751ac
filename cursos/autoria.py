"""Authoring rights and moderation: who edits which course pages and files, who publishes.

Each course's instructors form a group that edits only the course's subtree and its own
collection of images and documents (`sincronizar_equipo_docente`); the national
coordination approves and publishes through the moderation workflow (`configurar_autoria`).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cursos.models import CursoPage

NOMBRE_FLUJO = "Revisión de contenidos de cursos"
NOMBRE_TAREA = "Aprobación de la Coordinación nacional"


def _permiso(app_label: str, codename: str) -> Any:
    from django.contrib.auth.models import Permission

    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


PERMISOS_DE_COLECCION = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
)


@transaction.atomic
def sincronizar_equipo_docente(*, curso: CursoPage) -> Any:
    """Give the course's instructors edit rights on its subtree and its files only; idempotent.

    Each course has its own group holding add/change page permissions on the course
    page and add/change/choose permissions on the course's own collection of images
    and documents; its members are exactly the course's (published) instructors.
    Without the publish permission, their changes go through the moderation workflow,
    and nobody outside the team finds the course's files in a chooser.
    """
    from django.contrib.auth.models import Group

    from wagtail.models import GroupCollectionPermission, GroupPagePermission

    grupo, _creado = Group.objects.get_or_create(name=f"Equipo docente del curso {curso.pk}")
    for codename in ("add_page", "change_page"):
        GroupPagePermission.objects.get_or_create(
            group=grupo, page_id=curso.pk, permission=_permiso("wagtailcore", codename)
        )
    coleccion = coleccion_del_curso(curso=curso)
    for app_label, codename in PERMISOS_DE_COLECCION:
        GroupCollectionPermission.objects.get_or_create(
            group=grupo, collection=coleccion, permission=_permiso(app_label, codename)
        )
    grupo.user_set.set(curso.instructores.all())
    return grupo


def coleccion_del_curso(*, curso: CursoPage) -> Any:
    """The collection holding the course's images and documents, created on first use."""
    from wagtail.models import Collection

    nombre = f"Curso {curso.pk}: {curso.title}"[:255]
    raiz = Collection.get_first_root_node()
    coleccion = Collection.objects.child_of(raiz).filter(name__startswith=f"Curso {curso.pk}: ")
    existente = coleccion.first()
    if existente is None:
        return raiz.add_child(name=nombre)
    if existente.name != nombre:
        existente.name = nombre
        existente.save(update_fields=["name"])
    return existente


@transaction.atomic
def configurar_autoria() -> Any:
    """Set up groups' authoring rights and the moderation workflow; idempotent.

    Instructors edit only their courses and upload and choose images and documents
    only in their courses' collections; the national coordination approves and
    publishes everything under the home page, and manages editions and sessions.
    """
    from wagtail.models import (
        Collection,
        GroupApprovalTask,
        GroupCollectionPermission,
        GroupPagePermission,
        Workflow,
        WorkflowPage,
        WorkflowTask,
    )

    from cursos.models import HomePage
    from lms.models import Rol
    from lms.services import asegurar_grupos

    grupos = asegurar_grupos()
    instructores = grupos[Rol.INSTRUCTOR]
    coordinacion = grupos[Rol.COORDINADOR_NACIONAL]
    raiz = Collection.get_first_root_node()
    # Instructors reach files only through their courses' collections (per-course groups);
    # the national coordination works with every collection.
    GroupCollectionPermission.objects.filter(group=instructores).delete()
    for app_label, codename in PERMISOS_DE_COLECCION:
        GroupCollectionPermission.objects.get_or_create(
            group=coordinacion, collection=raiz, permission=_permiso(app_label, codename)
        )
    for codename in ("add", "change", "view", "delete"):
        for modelo in ("edicion", "sesionenvivo"):
            coordinacion.permissions.add(_permiso("cursos", f"{codename}_{modelo}"))
    inicio = HomePage.objects.first()
    if inicio is None:
        return None
    for codename in ("add_page", "change_page", "publish_page", "lock_page", "unlock_page"):
        GroupPagePermission.objects.get_or_create(
            group=coordinacion, page_id=inicio.pk, permission=_permiso("wagtailcore", codename)
        )
    flujo, _creado = Workflow.objects.get_or_create(name=NOMBRE_FLUJO)
    tarea = GroupApprovalTask.objects.filter(name=NOMBRE_TAREA).first()
    if tarea is None:
        tarea = GroupApprovalTask.objects.create(name=NOMBRE_TAREA)
    tarea.groups.add(coordinacion)
    WorkflowTask.objects.get_or_create(workflow=flujo, task=tarea, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=inicio, defaults={"workflow": flujo})
    for curso in CursoPage.objects.all():
        sincronizar_equipo_docente(curso=curso)
    return flujo
