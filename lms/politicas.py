"""Who may list, see, change and delete the people model and Wagtail's own content.

People are seen by whoever's scope holds them (`alcance.personas_visibles`) and
changed by administrators. Organizations, entities, role assignments and the audit
log are administrators' (the national coordination reads some). Pages, images and
documents keep Wagtail's own mechanisms (page permissions per course subtree, a
collection per course; set up by `cursos.autoria.sincronizar_equipo_docente`): their
policies here read Wagtail's permission policies, so `lms.alcance` answers for them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.permissions import policy_registry

from lms import alcance as politica
from lms.alcance import Accion, PoliticaPorRol, alcance_de, personas_visibles
from lms.models import (
    AsignacionRol,
    EntidadFederativa,
    Organizacion,
    RegistroAuditoria,
    Rol,
    Usuario,
)

ADMIN = frozenset({Rol.ADMINISTRADOR})
GESTION = frozenset({Rol.ADMINISTRADOR, Rol.COORDINADOR_NACIONAL})


@dataclass(frozen=True)
class PoliticaDePersonas:
    """A person's account: seen within scope; changed and deleted by administrators."""

    def accede(self, usuario: Any, accion: Accion) -> bool:
        alcance = alcance_de(usuario)
        if accion in (Accion.LISTAR, Accion.VER):
            return alcance.usuario_id is not None
        return alcance.es_administrador

    def filtrar(self, usuario: Any, accion: Accion, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.accede(usuario, accion):
            return queryset.none()
        if accion in (Accion.LISTAR, Accion.VER):
            return queryset.filter(pk__in=personas_visibles(usuario).values("pk"))
        return queryset

    def puede_crear(self, usuario: Any) -> bool:
        return alcance_de(usuario).es_administrador


# Wagtail's action names for each of ours, for content governed by Wagtail's policies.
ACCIONES_WAGTAIL = {
    Accion.LISTAR: ("choose", "change", "publish"),
    Accion.VER: ("choose", "change", "publish"),
    Accion.CAMBIAR: ("change", "publish"),
    Accion.BORRAR: ("delete",),
}


@dataclass(frozen=True)
class PoliticaDeWagtail:
    """Pages, images and documents in the admin: what Wagtail's own policy of the model grants.

    Reading a published page on the site is not governed here (the page's `serve`
    decides, with the course's access rules); this is who may find and work on it.
    """

    modelo: type[Model]

    def _politica(self) -> Any:
        return policy_registry.get_by_type(self.modelo)

    def accede(self, usuario: Any, accion: Accion) -> bool:
        if alcance_de(usuario).usuario_id is None:
            return False
        acciones = ACCIONES_WAGTAIL[accion]
        if self.modelo is Page:
            return (
                self._politica()
                .instances_user_has_any_permission_for(usuario, ["add", *acciones])
                .exists()
            )
        return self._politica().user_has_any_permission(usuario, ["add", *acciones])

    def filtrar(self, usuario: Any, accion: Accion, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if alcance_de(usuario).usuario_id is None:
            return queryset.none()
        acciones = ACCIONES_WAGTAIL[accion]
        if self.modelo is Page and accion in (Accion.LISTAR, Accion.VER):
            permitidas = self._politica().explorable_instances(usuario)
        else:
            permitidas = self._politica().instances_user_has_any_permission_for(usuario, acciones)
        return queryset.filter(pk__in=permitidas.values("pk"))

    def puede_crear(self, usuario: Any) -> bool:
        return self._politica().user_has_permission(usuario, "add")


def registrar() -> None:
    """Declare the people model's and Wagtail content's policies to `lms.alcance`."""
    from lms.wagtail_alcance import registrar_en_wagtail

    politica.registrar_politica(Usuario, PoliticaDePersonas())
    politica.registrar_politica(
        Organizacion,
        PoliticaPorRol(
            acciones={
                Accion.LISTAR: GESTION,
                Accion.VER: GESTION,
                Accion.CAMBIAR: ADMIN,
            },
            crear=ADMIN,
        ),
    )
    politica.registrar_politica(
        EntidadFederativa,
        PoliticaPorRol(
            acciones={Accion.LISTAR: GESTION, Accion.VER: GESTION, Accion.CAMBIAR: ADMIN}
        ),
    )
    # An assignment is replaced, not edited: delete it and assign the new role.
    politica.registrar_politica(
        AsignacionRol,
        PoliticaPorRol(
            acciones={Accion.LISTAR: ADMIN, Accion.VER: ADMIN, Accion.BORRAR: ADMIN}, crear=ADMIN
        ),
    )
    # Entries are written only by lms.services.registrar_auditoria; nobody edits them.
    politica.registrar_politica(
        RegistroAuditoria, PoliticaPorRol(acciones={Accion.LISTAR: ADMIN, Accion.VER: ADMIN})
    )
    for modelo in (Organizacion, EntidadFederativa, AsignacionRol, RegistroAuditoria):
        registrar_en_wagtail(modelo)
    for modelo in (Page, get_image_model(), get_document_model()):
        politica.registrar_politica(modelo, PoliticaDeWagtail(modelo))
