"""Accounts that never accepted the privacy notice accept it before anything else.

People who sign up accept the notice in the sign-up form. Accounts created for
them by someone else (a coordinator's bulk enrolment) have not: whoever created
such an account marks the session at login (see `marcar_aviso_pendiente`, called
by cursos.receivers), and this middleware then sends every request of that
session to the notice until the person accepts it. Checking a session flag costs
no query on the requests of everyone else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from wagtail.contrib.redirects.middleware import RedirectMiddleware as WagtailRedirectMiddleware

from lms import services
from lms.models import ConfiguracionSitio, Usuario

CLAVE_SESION = "lms_aviso_pendiente"
# Paths a person with a pending notice may still reach (the notice itself, leaving, assets).
RUTAS_LIBRES = ("/static/", "/media/", "/salud/")
NOMBRES_LIBRES = ("aceptar_aviso", "aviso_privacidad", "account_logout")


def marcar_aviso_pendiente(request: HttpRequest | None) -> None:
    """Ask the person signed in on `request` to accept the notice before going on."""
    if request is not None and hasattr(request, "session"):
        request.session[CLAVE_SESION] = True


class AvisoPrivacidadMiddleware:
    """Redirect a session marked by `marcar_aviso_pendiente` to the notice until accepted."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._libres: tuple[str, ...] | None = None

    def _rutas_libres(self) -> tuple[str, ...]:
        if self._libres is None:
            self._libres = RUTAS_LIBRES + tuple(reverse(nombre) for nombre in NOMBRES_LIBRES)
        return self._libres

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if CLAVE_SESION in request.session:
            usuario = request.user
            if not usuario.is_authenticated or usuario.aviso_privacidad_aceptado_en is not None:
                del request.session[CLAVE_SESION]
            elif not request.path.startswith(self._rutas_libres()):
                destino = reverse("aceptar_aviso")
                if request.method == "GET":
                    destino += "?" + urlencode({"next": request.get_full_path()})
                return redirect(destino)
        return self.get_response(request)


class AceptarAvisoForm(forms.Form):
    acepto = forms.BooleanField(
        label=gettext_lazy("He leído el aviso de privacidad y acepto el tratamiento de mis datos."),
        error_messages={
            "required": gettext_lazy("Para continuar debe aceptar el aviso de privacidad.")
        },
    )


@login_required
@never_cache
def aceptar_aviso(request: HttpRequest) -> HttpResponse:
    """The privacy notice with an accept button; accepting records it and goes on."""
    usuario = cast(Usuario, request.user)
    configuracion = ConfiguracionSitio.load(request_or_site=request)
    siguiente = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        siguiente, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        siguiente = ""
    form = AceptarAvisoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if usuario.aviso_privacidad_aceptado_en is None:
            services.registrar_aceptacion_aviso(
                usuario=usuario, version=configuracion.aviso_privacidad_version
            )
            messages.success(request, _("Gracias. Su aceptación del aviso quedó registrada."))
        request.session.pop(CLAVE_SESION, None)
        if siguiente:
            return redirect(siguiente)
        return redirect("perfil" if not usuario.perfil_completo else "/")
    contexto: dict[str, Any] = {
        "configuracion": configuracion,
        "form": form,
        "siguiente": siguiente,
    }
    return render(request, "lms/aceptar_aviso.html", contexto)


class RedireccionesMiddleware(WagtailRedirectMiddleware):
    """Wagtail's redirects, except for a 404 that is itself the answer.

    The public verification of an unknown code answers 404 on purpose; looking up a
    redirect for it costs the site and two redirect queries on every invented code.
    Such responses carry `respuesta_definitiva = True`.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(response, "respuesta_definitiva", False):
            return response
        return super().process_response(request, response)
