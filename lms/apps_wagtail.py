"""Wagtail's Users app, pointed at our Users viewset (email login, people fields)."""

from wagtail.users.apps import WagtailUsersAppConfig


class UsuariosWagtailConfig(WagtailUsersAppConfig):
    user_viewset = "lms.admin_personas.UsuarioViewSet"
