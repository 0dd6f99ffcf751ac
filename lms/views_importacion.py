"""Wagtail admin import of obligated subjects: upload, preview, confirm."""

from __future__ import annotations

import secrets
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms import importacion, services
from lms.alcance import alcance_de
from lms.models import Organizacion, Usuario


def _exigir_administrador(request: HttpRequest) -> None:
    if not alcance_de(request.user).es_administrador:
        raise PermissionDenied


CLAVE_SESION_IMPORTACIONES = "lms_importaciones"
MAX_IMPORTACIONES_EN_SESION = 3


class ArchivoImportacionForm(forms.Form):
    archivo = forms.FileField(
        label=gettext_lazy("Archivo CSV o Excel (.xlsx)"),
        help_text=gettext_lazy(
            "Primera fila con los nombres de las columnas: nombre, siglas, entidad, ambito, "
            "tipo y, si quiere, organo_garante."
        ),
        error_messages={
            "required": gettext_lazy("Elija el archivo que va a importar."),
            "empty": gettext_lazy("El archivo está vacío."),
        },
    )
    nombre_archivo = ""

    def clean_archivo(self) -> list[importacion.FilaCruda]:
        archivo = self.cleaned_data["archivo"]
        self.nombre_archivo = str(archivo.name)
        maximo = settings.LMS_MAX_UPLOAD_BYTES
        if archivo.size > maximo:
            raise ValidationError(
                _("El archivo pesa más de %(max)s MB; divídalo en partes más pequeñas.")
                % {"max": f"{maximo / (1024 * 1024):.0f}"}
            )
        try:
            return importacion.leer_archivo(archivo.name, archivo.read(), max_bytes=maximo)
        except importacion.ArchivoInvalido as error:
            raise ValidationError(error.mensaje) from error


def _importaciones(request: HttpRequest) -> dict[str, Any]:
    return request.session.get(CLAVE_SESION_IMPORTACIONES, {})


def _guardar_importacion(request: HttpRequest, nombre: str, filas: list[Any]) -> str:
    """Keep the parsed rows server-side, under a random token only this session knows."""
    token = secrets.token_urlsafe(16)
    pendientes = _importaciones(request)
    for viejo in sorted(pendientes, key=lambda t: pendientes[t]["creada"])[
        : max(0, len(pendientes) - MAX_IMPORTACIONES_EN_SESION + 1)
    ]:
        del pendientes[viejo]
    pendientes[token] = {
        "archivo": nombre,
        "creada": timezone.now().isoformat(),
        "filas": [[f.numero, f.datos] for f in filas],
        "aplicada": False,
    }
    request.session[CLAVE_SESION_IMPORTACIONES] = pendientes
    return token


def _filas_de(entrada: dict[str, Any]) -> list[importacion.FilaCruda]:
    return [importacion.FilaCruda(numero=n, datos=d) for n, d in entrada["filas"]]


class ImportarBaseView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "upload"
    page_title = gettext_lazy("Importar sujetos obligados")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        _exigir_administrador(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("organizacion:index"), "label": _("Organizaciones")},
            {"url": "", "label": _("Importar sujetos obligados")},
        ]


class ImportarSubirView(ImportarBaseView):
    """Step 1: upload the file; it is read and checked, never written yet."""

    template_name = "lms/admin/importacion/subir.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        contexto = super().get_context_data(**kwargs)
        contexto.setdefault("form", ArchivoImportacionForm())
        contexto["columnas"] = importacion.ENCABEZADOS
        contexto["ambitos"] = Organizacion.Ambito.choices
        contexto["tipos"] = Organizacion.Tipo.choices
        return contexto

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ArchivoImportacionForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("No se pudo leer el archivo; revise el mensaje."))
            return self.render_to_response(self.get_context_data(form=form))
        token = _guardar_importacion(request, form.nombre_archivo, form.cleaned_data["archivo"])
        return redirect("organizacion:importar_revisar", token)


class ImportarRevisarView(ImportarBaseView):
    """Step 2: every row as new, update or rejected; confirming writes the accepted ones."""

    template_name = "lms/admin/importacion/revisar.html"

    def _entrada(self) -> dict[str, Any] | None:
        return _importaciones(self.request).get(self.kwargs["token"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        entrada = self._entrada()
        if entrada is None:
            messages.error(
                request, _("Esa importación ya no está disponible; suba el archivo de nuevo.")
            )
            return redirect("organizacion:importar")
        filas = importacion.revisar_filas(
            _filas_de(entrada), catalogo=importacion.cargar_catalogo()
        )
        return self.render_to_response(
            self.get_context_data(
                entrada=entrada,
                filas=filas,
                resumen=importacion.resumen(filas),
                token=self.kwargs["token"],
            )
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = self.kwargs["token"]
        entrada = self._entrada()
        if entrada is None or entrada["aplicada"]:
            messages.error(
                request, _("Esta importación ya se aplicó o expiró; no se hizo ningún cambio.")
            )
            return redirect("organizacion:index")
        # Two submits of the same confirmation can arrive at once (double click,
        # two tabs); only the one that takes this lock writes.
        candado = f"lms:importacion:{token}"
        if not cache.add(candado, "1", timeout=15 * 60):
            messages.error(request, _("Esta importación ya se está aplicando; espere un momento."))
            return redirect("organizacion:index")
        try:
            filas = importacion.revisar_filas(
                _filas_de(entrada), catalogo=importacion.cargar_catalogo()
            )
            try:
                resultado = services.importar_sujetos_obligados(
                    filas=filas, usuario=cast(Usuario, request.user)
                )
            except IntegrityError:
                messages.error(
                    request,
                    _(
                        "Otra persona cambió las organizaciones mientras revisaba el archivo; "
                        "no se hizo ningún cambio. Revise la vista previa de nuevo."
                    ),
                )
                return redirect("organizacion:importar_revisar", token)
            pendientes = _importaciones(request)
            if token in pendientes:
                pendientes[token]["aplicada"] = True
                request.session[CLAVE_SESION_IMPORTACIONES] = pendientes
        finally:
            cache.delete(candado)
        rechazadas = importacion.resumen(filas)[importacion.RECHAZADA]
        messages.success(
            request,
            _(
                "Importación aplicada: %(nuevas)s nuevas, %(actualizadas)s actualizadas, "
                "%(rechazadas)s rechazadas."
            )
            % {**resultado, "rechazadas": rechazadas},
        )
        return redirect("organizacion:index")


class ImportarReporteView(ImportarBaseView):
    """The rejected rows and their reasons as a CSV Excel opens with accents intact."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        entrada = _importaciones(request).get(kwargs["token"])
        if entrada is None:
            messages.error(
                request, _("Esa importación ya no está disponible; suba el archivo de nuevo.")
            )
            return redirect("organizacion:importar")
        filas = importacion.revisar_filas(
            _filas_de(entrada), catalogo=importacion.cargar_catalogo()
        )
        respuesta = HttpResponse(
            importacion.reporte_rechazadas(filas), content_type="text/csv; charset=utf-8"
        )
        fecha = timezone.localdate().isoformat()
        respuesta["Content-Disposition"] = f'attachment; filename="rechazadas-{fecha}.csv"'
        respuesta["Cache-Control"] = "no-store"
        return respuesta
