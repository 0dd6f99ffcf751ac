"""Content-Security-Policy on every response, through django-csp.

The public site and the participants' pages get CONTENT_SECURITY_POLICY: scripts and
styles only from this origin or with the request's nonce, so markup that slipped into a
question's text cannot run. The administration (Wagtail's and Django's) gets
LMS_CSP_ADMINISTRACION instead: Wagtail 8 still writes inline scripts (date widgets,
inline panels) and compiles templates with `new Function`, which a strict policy blocks.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase


def es_administracion(request: HttpRequest) -> bool:
    return request.path_info.startswith(tuple(settings.LMS_CSP_RUTAS_ADMINISTRACION))


class PoliticaContenidoMiddleware(CSPMiddleware):
    """django-csp's middleware with the administration's own policy under its paths."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        partes = super().get_policy_parts(request, response, report_only=report_only)
        # A view's own @csp_override still wins; report-only policies stay as configured.
        if not report_only and partes.config is None and es_administracion(request):
            partes.config = default_config(settings.LMS_CSP_ADMINISTRACION)
        return partes
