from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from wagtail.admin.views.chooser import ExternalLinkView

from lms import salud as lms_salud
from lms import selectors, services
from lms.entrada import EntradaInvalida, respuesta_400
from lms.forms import CURP_DUPLICADA, PerfilForm
from lms.models import ConfiguracionSitio, Usuario


@login_required
@never_cache
def perfil(request: HttpRequest) -> HttpResponse:
    usuario = cast(Usuario, request.user)  # login_required
    form = PerfilForm(request.POST or None, usuario=usuario, request=request)
    siguiente = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        siguiente, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        siguiente = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.actualizar_perfil(
                usuario=usuario,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                curp=form.cleaned_data["curp"],
                cargo=form.cleaned_data["cargo"],
                organizacion=form.cleaned_data["organizacion"],
            )
        except IntegrityError:
            # Another account took the same CURP between validation and saving.
            usuario.refresh_from_db()
            form.add_error("curp", CURP_DUPLICADA)
        else:
            messages.success(request, _("Sus datos se guardaron."))
            return redirect(siguiente or "perfil")
    return render(request, "lms/perfil.html", {"form": form, "siguiente": siguiente})


@login_required
@require_GET
def descargar_mis_datos(request: HttpRequest) -> HttpResponse:
    datos = selectors.datos_personales(usuario=cast(Usuario, request.user))
    respuesta = HttpResponse(
        json.dumps(datos, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    fecha = timezone.localdate().isoformat()
    respuesta["Content-Disposition"] = f'attachment; filename="mis-datos-{fecha}.json"'
    respuesta["Cache-Control"] = "no-store"
    return respuesta


def _login_de_administracion(
    request: HttpRequest, *, tiene_acceso: Callable[[Any], bool], inicio: str
) -> HttpResponse:
    """Where an admin sends people to log in; nobody authenticates here.

    Visitors go to the allauth login (rate limited), people with access go on,
    and signed-in people without access get a 403 instead of a redirect loop.
    """
    siguiente = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        siguiente, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        siguiente = ""
    if not request.user.is_authenticated:
        return redirect_to_login(siguiente or reverse(inicio))
    if request.user.is_active and tiene_acceso(request.user):
        return redirect(siguiente or inicio)
    return render(request, "403.html", status=403)


def login_admin_django(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """Replaces the Django admin's login form, which would skip allauth's rate limits."""
    return _login_de_administracion(
        request, tiene_acceso=lambda usuario: usuario.is_staff, inicio="admin:index"
    )


def login_admin_wagtail(request: HttpRequest) -> HttpResponse:
    """Replaces the Wagtail admin's login form, which would skip allauth's rate limits."""
    return _login_de_administracion(
        request,
        tiene_acceso=lambda usuario: usuario.has_perm("wagtailadmin.access_admin"),
        inicio="wagtailadmin_home",
    )


def aviso_privacidad(request: HttpRequest) -> HttpResponse:
    configuracion = ConfiguracionSitio.load(request_or_site=request)
    return render(request, "lms/aviso_privacidad.html", {"configuracion": configuracion})


@never_cache
@require_GET
def salud(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when this host can serve, 503 when not, nothing more."""
    ok = lms_salud.sano()
    return JsonResponse({"estado": "ok" if ok else "error"}, status=200 if ok else 503)


@never_cache
@require_GET
def salud_detalle(request: HttpRequest) -> JsonResponse:
    """For monitoring: each service's state; ?worker=1 also pings a worker (bounded, one at a time).

    Needs `Authorization: Bearer <LMS_SALUD_TOKEN>` or an administrator's session.
    """
    if not lms_salud.puede_ver_detalle(request):
        return JsonResponse(
            {
                "estado": "no_autorizado",
                "mensaje": _("Se necesita el token de monitoreo o una sesión de administración."),
            },
            status=403,
        )
    estado = lms_salud.detalle(con_worker=request.GET.get("worker") == "1")
    ok = all(valor != lms_salud.ERROR for valor in estado.values())
    return JsonResponse({"estado": "ok" if ok else "error", **estado}, status=200 if ok else 503)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, EntradaInvalida):
        return respuesta_400(request, exception.mensaje)
    return render(request, "400.html", status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: no context processors, so it works when the database is down.
    from django.template.loader import render_to_string

    # The request's CSP nonce lets the page's own <style> through the policy (str() makes
    # django-csp's lazy nonce real, so its middleware then writes it in the header).
    nonce = getattr(request, "csp_nonce", None)
    contexto = {"csp_nonce": str(nonce) if nonce is not None else ""}
    return HttpResponse(render_to_string("500.html", contexto), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


class EnlaceExternoView(ExternalLinkView):
    """Wagtail's external-link chooser, refusing a post without a URL.

    Wagtail's view accepts a form with no URL and then fails (500) while trying to
    match it to a page; a clear 400 is given instead.
    """

    def post(self, request: HttpRequest) -> HttpResponse:
        if not (request.POST.get(f"{self.form_prefix}-url") or "").strip():
            return HttpResponseBadRequest(_("Escriba la dirección del enlace."))
        return super().post(request)
