"""Wagtail's account settings without its own name and e-mail form.

Wagtail's "Name and Email" panel saves names without the check the profile applies
(names are printed on constancias) and replaces the login e-mail without verifying
it. Its panels are built inside `AccountView.get_panels` and the
`register_account_settings_panel` hook can only add panels, so the view is
subclassed and served at Wagtail's own URL; the panel is replaced by links to the
profile and to allauth's e-mail page, which verifies a new address before it is used.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wagtail.admin.views.account import AccountView, BaseSettingsPanel, NameEmailSettingsPanel


class PerfilYCorreoPanel(BaseSettingsPanel):
    """Shows the name and login e-mail, and where each one is changed."""

    name = "perfil_y_correo"
    title = _("Nombre y correo electrónico")
    order = NameEmailSettingsPanel.order
    template_name = "lms/admin/cuenta/perfil_y_correo.html"

    def get_form(self) -> forms.Form:
        # Nothing to save here; an unbound form is skipped by AccountView.post.
        return forms.Form(prefix=self.name)

    def get_context_data(self) -> dict[str, Any]:
        return {
            "usuario": self.user,
            "url_perfil": reverse("perfil"),
            "url_correos": reverse("account_email"),
        }


class CuentaAdminView(AccountView):
    """Wagtail's account settings with the name and e-mail panel replaced by links."""

    def get_panels(self) -> list[BaseSettingsPanel]:
        return [
            PerfilYCorreoPanel(panel.request, panel.user, panel.profile)
            if isinstance(panel, NameEmailSettingsPanel)
            else panel
            for panel in super().get_panels()
        ]
