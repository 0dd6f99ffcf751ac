"""Wagtail admin import of obligated subjects: upload, preview, confirm (`lms.asistente`)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import PermissionDenied
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
from lms.asistente import (
    ArchivoForm,
    Asistente,
    ConfirmacionRechazada,
    Entrada,
    Estado,
    ImportacionNoDisponible,
    Motivo,
    descarga_csv,
)
from lms.models import Organizacion, Usuario

# The catalogue is global: an upload belongs to its administrator and to no object.
ASISTENTE = Asistente(tipo="organizaciones", version=1)


def _exigir_administrador(request: HttpRequest) -> None:
    if not alcance_de(request.user).es_administrador:
        raise PermissionDenied


class ArchivoImportacionForm(ArchivoForm):
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

    def leer(self, nombre: str, contenido: bytes, *, max_bytes: int) -> Any:
        return importacion.leer_archivo(nombre, contenido, max_bytes=max_bytes)


def _entrada(request: HttpRequest, token: str) -> Entrada:
    return ASISTENTE.entrada(token=token, usuario=request.user, objeto_id=None)


def _filas_de(entrada: Entrada) -> list[importacion.FilaCruda]:
    return [importacion.FilaCruda(numero=n, datos=d) for n, d in entrada.datos["filas"]]


def _revisadas(entrada: Entrada) -> list[Any]:
    return importacion.revisar_filas(_filas_de(entrada), catalogo=importacion.cargar_catalogo())


def _resumen_aplicada(resultado: dict[str, Any]) -> str:
    return (
        _(
            "Importación aplicada: %(nuevas)s nuevas, %(actualizadas)s actualizadas, "
            "%(rechazadas)s rechazadas."
        )
        % resultado
    )


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

    def _no_disponible(self, error: ImportacionNoDisponible) -> HttpResponse:
        messages.error(self.request, error.mensaje)
        return redirect("organizacion:importar")


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
        filas = form.cleaned_data["archivo"]
        token = ASISTENTE.guardar(
            usuario=request.user,
            objeto_id=None,
            datos={"archivo": form.nombre_archivo, "filas": [[f.numero, f.datos] for f in filas]},
        )
        return redirect("organizacion:importar_revisar", token)


class ImportarRevisarView(ImportarBaseView):
    """Step 2: every row as new, update or rejected; confirming writes the accepted ones."""

    template_name = "lms/admin/importacion/revisar.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            entrada = _entrada(request, self.kwargs["token"])
        except ImportacionNoDisponible as error:
            return self._no_disponible(error)
        filas = _revisadas(entrada)
        return self.render_to_response(
            self.get_context_data(
                entrada={"archivo": entrada.datos["archivo"], "aplicada": entrada.aplicada},
                filas=filas,
                resumen=importacion.resumen(filas),
                token=self.kwargs["token"],
            )
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = self.kwargs["token"]
        ya_aplicada = _("Esta importación ya se aplicó o expiró; no se hizo ningún cambio.")
        try:
            entrada = _entrada(request, token)
            confirmacion = ASISTENTE.confirmar(
                entrada, lambda actual: _aplicar(actual, cast(Usuario, request.user))
            )
        except ImportacionNoDisponible as error:
            mensaje = ya_aplicada if error.motivo is Motivo.AJENA else error.mensaje
            messages.error(request, mensaje)
            return redirect("organizacion:index")
        except ConfirmacionRechazada as error:
            messages.error(request, error.mensaje)
            return redirect("organizacion:importar_revisar", token)
        match confirmacion.estado:
            case Estado.APLICADA:
                messages.success(request, _resumen_aplicada(confirmacion.resultado))
            case Estado.YA_APLICADA:
                messages.error(request, ya_aplicada)
                messages.info(request, _resumen_aplicada(confirmacion.resultado))
            case Estado.EN_CURSO:
                messages.error(
                    request, _("Esta importación ya se está aplicando; espere un momento.")
                )
        return redirect("organizacion:index")


def _aplicar(entrada: Entrada, usuario: Usuario) -> dict[str, Any]:
    filas = _revisadas(entrada)
    try:
        resultado = services.importar_sujetos_obligados(filas=filas, usuario=usuario)
    except IntegrityError:
        raise ConfirmacionRechazada(
            _(
                "Otra persona cambió las organizaciones mientras revisaba el archivo; "
                "no se hizo ningún cambio. Revise la vista previa de nuevo."
            )
        ) from None
    return {**resultado, "rechazadas": importacion.resumen(filas)[importacion.RECHAZADA]}


class ImportarReporteView(ImportarBaseView):
    """The rejected rows and their reasons as a CSV Excel opens with accents intact."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            entrada = _entrada(request, kwargs["token"])
        except ImportacionNoDisponible as error:
            return self._no_disponible(error)
        return descarga_csv(
            importacion.reporte_rechazadas(_revisadas(entrada)),
            f"rechazadas-{timezone.localdate().isoformat()}.csv",
        )
