"""Admin registration for the people model: organizations, entities and roles."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSetGroup

from lms.admin_organizaciones import EntidadViewSet, OrganizacionViewSet
from lms.admin_personas import AsignacionRolViewSet, usuario_chooser_viewset

# The permission policies of these models are `lms.alcance`'s (lms.politicas, at ready()).
# Wagtail's Users section is `lms.admin_personas.UsuarioViewSet` (lms.apps_wagtail).


class PersonasViewSetGroup(ModelViewSetGroup):
    menu_label = _("Personas y organizaciones")
    menu_icon = "group"
    menu_order = 250
    items = (
        OrganizacionViewSet("organizacion", url_prefix="organizaciones"),
        EntidadViewSet("entidad", url_prefix="entidades"),
        AsignacionRolViewSet("asignacion", url_prefix="asignaciones-de-rol"),
    )


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


# --- Audit log (read only, administrators) ----------------------------------
from wagtail.admin.viewsets.model import ModelViewSet  # noqa: E402

from lms.models import RegistroAuditoria  # noqa: E402
from lms.wagtail_alcance import ConAlcanceViewSetMixin  # noqa: E402


class RegistroAuditoriaViewSet(ConAlcanceViewSetMixin, ModelViewSet):
    model = RegistroAuditoria
    icon = "list-ul"
    menu_label = _("Bitácora de auditoría")
    add_to_settings_menu = True
    list_display = ["registrado_en", "usuario_email", "accion", "filas", "objeto"]
    list_filter = ["accion"]
    ordering = "-registrado_en"
    search_fields = ["usuario_email", "objeto"]
    search_backend_name = None
    copy_view_enabled = False
    # The add and edit views exist but the policy refuses them; no field is editable.
    form_fields: list[str] = []
    inspect_view_enabled = True
    inspect_view_fields = [
        "registrado_en",
        "usuario_email",
        "accion",
        "filtros",
        "filas",
        "objeto",
    ]


@hooks.register("register_admin_viewset")
def registrar_bitacora_de_auditoria() -> RegistroAuditoriaViewSet:
    return RegistroAuditoriaViewSet("bitacora_auditoria")
