"""Admin registration for the people model: organizations, entities and roles."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from lms.models import AsignacionRol, EntidadFederativa, Organizacion
from lms.views_admin import (
    PersonasViewSetGroup,
    politica_asignaciones,
    politica_entidades,
    politica_organizaciones,
    usuario_chooser_viewset,
)

# Policies must be registered before anything asks the registry for these models.
register_permission_policy(Organizacion, politica_organizaciones, exact_class=True)
register_permission_policy(EntidadFederativa, politica_entidades, exact_class=True)
register_permission_policy(AsignacionRol, politica_asignaciones, exact_class=True)


@hooks.register("register_admin_viewset")
def registrar_personas_y_organizaciones() -> PersonasViewSetGroup:
    return PersonasViewSetGroup()


@hooks.register("register_admin_viewset")
def registrar_selector_de_personas() -> Any:
    return usuario_chooser_viewset


@hooks.register("register_log_actions")
def registrar_acciones_de_bitacora(acciones: Any) -> None:
    acciones.register_action(
        "lms.fusionar", _("Fusionar organización"), _("Fusionada en otra organización")
    )
