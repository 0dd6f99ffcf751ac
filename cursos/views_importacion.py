"""Bulk enrolment from a file and attendance from a meeting report: upload, preview, confirm.

The parsed rows never travel through the browser: they stay in the shared
cache under a random token, bound to the user and the edition (or session)
that uploaded them. The preview and the confirmation re-check them against the
database; confirming twice applies once.
"""

from __future__ import annotations

import secrets
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from cursos import importacion, selectors, services_importacion
from cursos.importacion import ArchivoInvalido, FilaCruda
from cursos.models import Edicion, SesionEnVivo
from lms.alcance import alcance_de
from lms.models import Usuario

VIGENCIA = 60 * 60 * 2  # seconds a preview stays available
PREFIJO = "cursos:importacion:"


# --- Server-side storage of an upload ------------------------------------------------


def _guardar(datos: dict[str, Any]) -> str:
    token = secrets.token_urlsafe(24)
    cache.set(PREFIJO + token, {**datos, "aplicada": False, "creada": timezone.now()}, VIGENCIA)
    return token


def _entrada(request: HttpRequest, token: str, *, tipo: str, objeto_id: int) -> dict[str, Any]:
    """The stored upload, only for the user and object it belongs to; otherwise 404."""
    entrada = cache.get(PREFIJO + token) if len(token) < 100 else None
    if (
        not isinstance(entrada, dict)
        or entrada.get("tipo") != tipo
        or entrada.get("usuario_id") != request.user.pk
        or entrada.get("objeto_id") != objeto_id
    ):
        raise Http404
    return entrada


def _actualizar(token: str, entrada: dict[str, Any]) -> None:
    cache.set(PREFIJO + token, entrada, VIGENCIA)


# --- Bulk enrolment ------------------------------------------------------------------


class ArchivoInscripcionForm(forms.Form):
    archivo = forms.FileField(
        label=gettext_lazy("Archivo CSV o Excel (.xlsx)"),
        help_text=gettext_lazy(
            "Primera fila con los nombres de las columnas: correo (obligatoria), nombre, "
            "apellidos, cargo, organizacion (nombre o siglas) u organizacion_id, y entidad."
        ),
        error_messages={
            "required": gettext_lazy("Elija el archivo que va a importar."),
            "empty": gettext_lazy("El archivo está vacío."),
        },
    )

    def clean_archivo(self) -> list[FilaCruda]:
        archivo = self.cleaned_data["archivo"]
        self.nombre_archivo = str(archivo.name)
        maximo = settings.LMS_MAX_UPLOAD_BYTES
        if archivo.size > maximo:
            raise forms.ValidationError(
                _("El archivo pesa más de %(max)s MB; divídalo en partes más pequeñas.")
                % {"max": f"{maximo / (1024 * 1024):.0f}"}
            )
        try:
            return importacion.leer_inscripciones(archivo.name, archivo.read(), max_bytes=maximo)
        except ArchivoInvalido as error:
            raise forms.ValidationError(error.mensaje) from error


def _edicion_coordinada(request: HttpRequest, pk: int) -> Edicion:
    """An edition the user coordinates; 404 for anyone else (instructors included)."""
    alcance = alcance_de(request.user)
    if not (alcance.coordina or alcance.es_administrador):
        raise Http404
    return get_object_or_404(
        selectors.ediciones_gestionables(request.user).select_related("curso"), pk=pk
    )


def _filas(entrada: dict[str, Any]) -> list[FilaCruda]:
    return [FilaCruda(numero=n, datos=d) for n, d in entrada["filas"]]


def _revisar(edicion: Edicion, usuario: Any, entrada: dict[str, Any]) -> list[Any]:
    filas = _filas(entrada)
    contexto = importacion.cargar_contexto(
        edicion=edicion, coordinador=usuario, correos=[f.datos.get("correo", "") for f in filas]
    )
    return importacion.revisar_inscripciones(filas, contexto=contexto)


def _huella(filas: list[Any]) -> list[list[Any]]:
    return [[f.numero, f.estado, f.usuario_id, f.organizacion_id] for f in filas]


@login_required
@require_http_methods(["GET", "POST"])
def inscribir_subir(request: HttpRequest, pk: int) -> HttpResponse:
    edicion = _edicion_coordinada(request, pk)
    form = (
        ArchivoInscripcionForm(request.POST, request.FILES)
        if request.method == "POST"
        else ArchivoInscripcionForm()
    )
    if request.method == "POST":
        if form.is_valid():
            token = _guardar(
                {
                    "tipo": "inscripcion",
                    "usuario_id": request.user.pk,
                    "objeto_id": edicion.pk,
                    "archivo": form.nombre_archivo,
                    "filas": [[f.numero, f.datos] for f in form.cleaned_data["archivo"]],
                }
            )
            return redirect("cursos:inscribir_revisar", pk=edicion.pk, token=token)
        messages.error(request, _("No se pudo leer el archivo; revise el mensaje."))
    return render(
        request,
        "cursos/importacion/inscribir_subir.html",
        {"edicion": edicion, "form": form, "columnas": importacion.COLUMNAS},
    )


@login_required
@require_http_methods(["GET", "POST"])
def inscribir_revisar(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    edicion = _edicion_coordinada(request, pk)
    entrada = _entrada(request, token, tipo="inscripcion", objeto_id=edicion.pk)
    if entrada["aplicada"]:
        if request.method == "POST":
            messages.info(request, _("Esta importación ya se aplicó; no se hizo ningún cambio."))
        return redirect("cursos:inscribir_resultado", pk=edicion.pk, token=token)
    if request.method == "POST":
        return _confirmar_inscripcion(request, edicion, token, entrada)
    filas = _revisar(edicion, request.user, entrada)
    # What the coordinator saw; confirming applies exactly this or nothing.
    entrada["vista"] = _huella(filas)
    _actualizar(token, entrada)
    return render(
        request,
        "cursos/importacion/inscribir_revisar.html",
        {
            "edicion": edicion,
            "entrada": entrada,
            "filas": filas,
            "resumen": importacion.resumen_inscripciones(filas),
            "aceptadas": sum(f.aceptada for f in filas),
            "token": token,
        },
    )


def _confirmar_inscripcion(
    request: HttpRequest, edicion: Edicion, token: str, entrada: dict[str, Any]
) -> HttpResponse:
    # Two submits of the same confirmation can arrive at once (double click, two
    # tabs); only the one that takes this lock writes, the other changes nothing.
    candado = f"{PREFIJO}candado:{token}"
    if not cache.add(candado, "1", timeout=15 * 60):
        messages.info(request, _("Esta importación ya se está aplicando; espere un momento."))
        return redirect("cursos:inscribir_resultado", pk=edicion.pk, token=token)
    try:
        entrada = _entrada(request, token, tipo="inscripcion", objeto_id=edicion.pk)
        if entrada["aplicada"]:
            messages.info(request, _("Esta importación ya se aplicó; no se hizo ningún cambio."))
            return redirect("cursos:inscribir_resultado", pk=edicion.pk, token=token)
        filas = _revisar(edicion, request.user, entrada)
        if entrada.get("vista") != _huella(filas):
            messages.error(
                request,
                _(
                    "Las inscripciones o las cuentas cambiaron desde la vista previa; "
                    "no se hizo ningún cambio. Revise la vista previa actualizada."
                ),
            )
            return redirect("cursos:inscribir_revisar", pk=edicion.pk, token=token)
        try:
            resultado = services_importacion.inscribir_en_bloque(
                edicion=edicion, filas_revisadas=filas, coordinador=cast(Usuario, request.user)
            )
        except services_importacion.ImportacionError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("cursos:inscribir_revisar", pk=edicion.pk, token=token)
        except IntegrityError:
            messages.error(
                request,
                _(
                    "Otra persona cambió las cuentas o inscripciones mientras revisaba el "
                    "archivo; no se hizo ningún cambio. Revise la vista previa de nuevo."
                ),
            )
            return redirect("cursos:inscribir_revisar", pk=edicion.pk, token=token)
        resumen = importacion.resumen_inscripciones(filas)
        entrada["aplicada"] = True
        entrada["resultado"] = {
            **resultado,
            "ya_inscritas": resumen[importacion.YA_INSCRITA],
            "rechazadas": resumen[importacion.RECHAZADA],
        }
        # The report of rejected rows is the one computed at confirmation time.
        entrada["reporte"] = importacion.reporte_rechazadas(filas)
        _actualizar(token, entrada)
    finally:
        cache.delete(candado)
    messages.success(request, _("La inscripción en bloque se aplicó."))
    return redirect("cursos:inscribir_resultado", pk=edicion.pk, token=token)


@login_required
@require_GET
def inscribir_resultado(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    edicion = _edicion_coordinada(request, pk)
    entrada = _entrada(request, token, tipo="inscripcion", objeto_id=edicion.pk)
    if not entrada["aplicada"]:
        return redirect("cursos:inscribir_revisar", pk=edicion.pk, token=token)
    return render(
        request,
        "cursos/importacion/inscribir_resultado.html",
        {"edicion": edicion, "resultado": entrada["resultado"], "token": token},
    )


@login_required
@require_GET
def inscribir_rechazadas(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    edicion = _edicion_coordinada(request, pk)
    entrada = _entrada(request, token, tipo="inscripcion", objeto_id=edicion.pk)
    contenido = entrada.get("reporte")
    if contenido is None:
        contenido = importacion.reporte_rechazadas(_revisar(edicion, request.user, entrada))
    respuesta = HttpResponse(contenido, content_type="text/csv; charset=utf-8")
    fecha = timezone.localdate().isoformat()
    respuesta["Content-Disposition"] = f'attachment; filename="rechazadas-{edicion.pk}-{fecha}.csv"'
    respuesta["Cache-Control"] = "no-store"
    return respuesta


# --- Attendance from a meeting report ----------------------------------------------


class ReporteAsistenciaForm(forms.Form):
    archivo = forms.FileField(
        label=gettext_lazy("Reporte de asistencia de la reunión"),
        help_text=gettext_lazy(
            "El CSV que descarga de Zoom (participantes), Microsoft Teams (lista de asistencia) "
            "o Google Meet (asistencia), sin modificar."
        ),
        error_messages={
            "required": gettext_lazy("Elija el reporte que va a importar."),
            "empty": gettext_lazy("El archivo está vacío."),
        },
    )
    minimos_minutos = forms.IntegerField(
        label=gettext_lazy("Minutos mínimos conectada para contar la asistencia"),
        min_value=0,
        max_value=services_importacion.MAX_MINUTOS,
        help_text=gettext_lazy("Se suman los minutos de todas las veces que la persona entró."),
    )

    def clean_archivo(self) -> importacion.ReporteAsistencia:
        archivo = self.cleaned_data["archivo"]
        maximo = settings.LMS_MAX_UPLOAD_BYTES
        if archivo.size > maximo:
            raise forms.ValidationError(
                _("El archivo pesa más de %(max)s MB; divídalo en partes más pequeñas.")
                % {"max": f"{maximo / (1024 * 1024):.0f}"}
            )
        try:
            return importacion.leer_reporte_asistencia(
                archivo.name, archivo.read(), max_bytes=maximo
            )
        except ArchivoInvalido as error:
            raise forms.ValidationError(error.mensaje) from error


def _sesion_gestionable(request: HttpRequest, pk: int) -> SesionEnVivo:
    sesion = get_object_or_404(
        SesionEnVivo.objects.select_related("edicion", "edicion__curso"), pk=pk
    )
    if not selectors.puede_gestionar_edicion(request.user, sesion.edicion):
        raise Http404
    return sesion


def _reporte(entrada: dict[str, Any]) -> importacion.ReporteAsistencia:
    return importacion.ReporteAsistencia(
        formato=entrada["formato"],
        personas=[
            importacion.PersonaReporte(correo=c, nombre=n, minutos=m, lineas=list(lineas))
            for c, n, m, lineas in entrada["personas"]
        ],
        sin_correo=[
            importacion.FilaSinCorreo(numero=num, nombre=n, minutos=m)
            for num, n, m in entrada["sin_correo"]
        ],
    )


@login_required
@require_http_methods(["GET", "POST"])
def asistencia_subir(request: HttpRequest, pk: int) -> HttpResponse:
    sesion = _sesion_gestionable(request, pk)
    inicial = {"minimos_minutos": max(1, (sesion.duracion_minutos * 3) // 4)}
    form = (
        ReporteAsistenciaForm(request.POST, request.FILES, initial=inicial)
        if request.method == "POST"
        else ReporteAsistenciaForm(initial=inicial)
    )
    if request.method == "POST":
        if form.is_valid():
            reporte = form.cleaned_data["archivo"]
            token = _guardar(
                {
                    "tipo": "asistencia",
                    "usuario_id": request.user.pk,
                    "objeto_id": sesion.pk,
                    "formato": reporte.formato,
                    "minimos": form.cleaned_data["minimos_minutos"],
                    "personas": [
                        [p.correo, p.nombre, p.minutos, p.lineas] for p in reporte.personas
                    ],
                    "sin_correo": [[s.numero, s.nombre, s.minutos] for s in reporte.sin_correo],
                }
            )
            return redirect("cursos:asistencia_revisar", pk=sesion.pk, token=token)
        messages.error(request, _("No se pudo leer el reporte; revise el mensaje."))
    return render(
        request, "cursos/importacion/asistencia_subir.html", {"sesion": sesion, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def asistencia_revisar(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    sesion = _sesion_gestionable(request, pk)
    entrada = _entrada(request, token, tipo="asistencia", objeto_id=sesion.pk)
    reporte = _reporte(entrada)
    if request.method == "POST":
        candado = f"{PREFIJO}candado:{token}"
        if entrada["aplicada"] or not cache.add(candado, "1", timeout=15 * 60):
            messages.info(request, _("Este reporte ya se importó; no se hizo ningún cambio."))
            return redirect("cursos:marcar_asistencia", pk=sesion.pk)
        try:
            entrada = _entrada(request, token, tipo="asistencia", objeto_id=sesion.pk)
            if entrada["aplicada"]:
                messages.info(request, _("Este reporte ya se importó; no se hizo ningún cambio."))
                return redirect("cursos:marcar_asistencia", pk=sesion.pk)
            resultado = services_importacion.importar_asistencia(
                sesion=sesion,
                filas=reporte.personas,
                minimos_minutos=entrada["minimos"],
                usuario=cast(Usuario, request.user),
            )
            entrada["aplicada"] = True
            _actualizar(token, entrada)
        finally:
            cache.delete(candado)
        messages.success(
            request,
            _(
                "Asistencia importada: %(marcadas)s personas registradas, %(ya)s ya tenían "
                "registro, %(insuficientes)s con menos minutos del mínimo y %(sin)s sin "
                "coincidencia."
            )
            % {
                "marcadas": resultado["marcadas"],
                "ya": resultado["ya_registradas"],
                "insuficientes": len(resultado["insuficientes"]),
                "sin": len(resultado["sin_coincidencia"]) + len(reporte.sin_correo),
            },
        )
        return redirect("cursos:marcar_asistencia", pk=sesion.pk)
    inscritas, registradas = importacion.inscritas_de_sesion(sesion, request.user)
    filas = importacion.revisar_asistencia(
        reporte, inscritas=inscritas, registradas=registradas, minimos_minutos=entrada["minimos"]
    )
    grupos = {
        estado: [f for f in filas if f.estado == estado]
        for estado in (
            importacion.PRESENTE,
            importacion.YA_REGISTRADA,
            importacion.INSUFICIENTE,
            importacion.SIN_COINCIDENCIA,
        )
    }
    return render(
        request,
        "cursos/importacion/asistencia_revisar.html",
        {
            "sesion": sesion,
            "entrada": entrada,
            "reporte": reporte,
            "presentes": grupos[importacion.PRESENTE],
            "ya_registradas": grupos[importacion.YA_REGISTRADA],
            "insuficientes": grupos[importacion.INSUFICIENTE],
            "sin_coincidencia": grupos[importacion.SIN_COINCIDENCIA],
            "aplicada": entrada["aplicada"],
            "token": token,
        },
    )
