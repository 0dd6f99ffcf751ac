from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter

from django.http import HttpRequest
from django.urls import reverse

from lms import services
from lms.models import ConfiguracionSitio, Usuario


class CuentaAdapter(DefaultAccountAdapter):
    """Records the privacy-notice acceptance and sends new people to their profile."""

    def save_user(
        self, request: HttpRequest, user: Usuario, form: Any, commit: bool = True
    ) -> Usuario:
        user = super().save_user(request, user, form, commit=False)
        datos = form.cleaned_data
        user.first_name = " ".join(datos.get("first_name", "").split())
        user.last_name = " ".join(datos.get("last_name", "").split())
        user.email = user.email.strip().lower()
        if commit:
            user.save()
            if datos.get("acepta_aviso"):
                version = ConfiguracionSitio.load(request_or_site=request).aviso_privacidad_version
                services.registrar_aceptacion_aviso(usuario=user, version=version)
        return user

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user = request.user
        if isinstance(user, Usuario) and not user.perfil_completo:
            return reverse("perfil")
        return super().get_login_redirect_url(request)
