"""How much each upload endpoint accepts, enforced while the request is read.

`limites()` is the one declaration: every view that takes files is listed by URL
name (or by Wagtail's namespace) with the bytes of files it accepts, and any
other URL accepts none. `LimiteSubidaMiddleware` answers 413 to a request whose
Content-Length is over its endpoint's limit before a byte of the body is read;
otherwise it puts `LimiteSubidaHandler` first among the upload handlers, which
stops a multipart body as soon as its files pass the limit (a body whose
Content-Length lies, or any body a server hands over without one), and parses
the form there and then, so no view runs on a cut body. Forms read the same
constants for their own messages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.files.uploadhandler import FileUploadHandler
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

MB = 1024 * 1024
# A constancia is tens of KiB; a signed one with images well under 2 MiB.
MAX_PDF_VERIFICACION = 10 * MB
# GIFT, Moodle XML and Aiken files of a question bank.
MAX_PREGUNTAS = 2 * MB
# One deliverable of an evaluation; a question may ask for less (`tamano_maximo_mb`).
MAX_ENTREGABLE = 20 * MB
# The full-page form of an attempt posts every deliverable again when it is submitted.
MAX_ENTREGABLES_POR_ENVIO = 5 * MAX_ENTREGABLE
# Lesson documents in the Wagtail admin (manuals, presentations, zips).
MAX_DOCUMENTO = 50 * MB
# Form fields and multipart framing of an upload form: a CSRF token and a few choices.
CAMPOS_DE_FORMULARIO = 64 * 1024
# Framing around the fields of a larger form (part headers, boundaries).
MARGEN_MULTIPART = 512 * 1024


@dataclass(frozen=True)
class LimiteSubida:
    """What one endpoint accepts: bytes of files, bytes of everything else, and how it answers.

    `campos` None means Django's own limit for form fields
    (`DATA_UPLOAD_MAX_MEMORY_SIZE`), which also applies while parsing.
    """

    archivos: int
    campos: int | None = None
    json: bool = False

    @property
    def cuerpo(self) -> int:
        """The largest body the endpoint can legitimately receive."""
        campos = self.campos
        if campos is None:
            campos = (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) + MARGEN_MULTIPART
        return self.archivos + campos


def _tablas() -> int:
    return int(settings.LMS_MAX_UPLOAD_BYTES)


def limites() -> dict[str, LimiteSubida]:
    """Every upload endpoint and its limit: the one declaration, read on each request."""
    tablas = LimiteSubida(archivos=_tablas(), campos=CAMPOS_DE_FORMULARIO)
    imagenes = LimiteSubida(
        archivos=int(getattr(settings, "WAGTAILIMAGES_MAX_UPLOAD_SIZE", 10 * MB))
    )
    documentos = LimiteSubida(
        archivos=int(getattr(settings, "WAGTAILDOCS_MAX_UPLOAD_SIZE", None) or MAX_DOCUMENTO)
    )
    return {
        # Anyone may verify a constancia by uploading its PDF.
        "constancias:verificar_formulario": LimiteSubida(
            archivos=MAX_PDF_VERIFICACION, campos=CAMPOS_DE_FORMULARIO
        ),
        # Bulk enrolment, attendance reports and organizations: CSV or XLSX.
        "cursos:inscribir_subir": tablas,
        "cursos:asistencia_subir": tablas,
        "organizacion:importar": tablas,
        "wagtailredirects:start_import": tablas,
        # Question import; the preview posts the file's text back as a field.
        "evaluaciones_importar_gift": LimiteSubida(archivos=MAX_PREGUNTAS),
        # Deliverables: autosave sends one file and reads JSON; the full form sends all.
        "evaluaciones:guardar": LimiteSubida(archivos=MAX_ENTREGABLE, json=True),
        "evaluaciones:enviar": LimiteSubida(archivos=MAX_ENTREGABLES_POR_ENVIO),
        # Wagtail's images and documents, each namespace with its chooser's upload.
        "wagtailimages": imagenes,
        "wagtailimages_chooser": imagenes,
        "wagtaildocs": documentos,
        "wagtaildocs_chooser": documentos,
    }


SIN_ARCHIVOS = LimiteSubida(archivos=0)


def limite_de(request: HttpRequest) -> tuple[LimiteSubida, bool]:
    """The limit of the endpoint `request` goes to, and whether it parses its own body.

    An endpoint is found by its URL name, else by its namespace; any other
    accepts no files. A view exempt from CSRF may set its own upload handlers,
    so, like Django's CSRF check, the middleware never parses its body.
    """
    try:
        coincidencia = resolve(request.path_info, getattr(request, "urlconf", None))
    except Http404:
        return SIN_ARCHIVOS, False
    declarados = limites()
    limite = declarados.get(coincidencia.view_name) or declarados.get(coincidencia.namespace)
    propio = bool(getattr(coincidencia.func, "csrf_exempt", False))
    return limite or SIN_ARCHIVOS, propio


class SubidaExcedida(RequestDataTooBig):
    """The files of a request passed its endpoint's limit while it was being read."""


class LimiteSubidaHandler(FileUploadHandler):
    """Counts the bytes of every file of a request and stops reading past `limite`.

    First among the handlers, it sees each chunk as it leaves the network, before
    anything is kept in memory or on disk. Raising (rather than `StopUpload`, which
    would hand the view a form without its file) aborts the whole parse.
    """

    def __init__(self, request: HttpRequest | None = None, *, limite: int) -> None:
        super().__init__(request)
        self.limite = limite
        self.recibidos = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.recibidos += len(raw_data)
        if self.recibidos > self.limite:
            raise SubidaExcedida(f"Upload exceeded {self.limite} bytes")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _mensaje(limite: LimiteSubida, motivo: str) -> str:
    """What to tell the person; `motivo` is what passed the limit: archivo, texto or cuerpo."""
    if motivo == "texto":
        return _(
            "Lo que envió es demasiado grande: esta página recibe hasta %(max)s de texto. No se "
            "guardó nada; acorte el texto e inténtelo de nuevo."
        ) % {"max": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}
    if limite.archivos == 0:
        if motivo == "archivo":
            return _("Esta página no recibe archivos. No se guardó nada.")
        return _(
            "Lo que envió es demasiado grande: esta página recibe hasta %(max)s. No se guardó nada."
        ) % {"max": filesizeformat(limite.cuerpo)}
    return _(
        "Lo que envió es demasiado grande: esta página recibe archivos de hasta %(max)s. No "
        "se guardó nada; elija un archivo más pequeño e inténtelo de nuevo."
    ) % {"max": filesizeformat(limite.archivos)}


def respuesta_demasiado_grande(
    request: HttpRequest, limite: LimiteSubida, *, motivo: str = "cuerpo"
) -> HttpResponse:
    """413 with a Spanish message: JSON for a script that reads JSON, a page otherwise."""
    mensaje = _mensaje(limite, motivo)
    if limite.json:
        return JsonResponse({"ok": False, "mensaje": mensaje}, status=413)
    origen = request.META.get("HTTP_REFERER", "")
    volver = (
        origen
        if url_has_allowed_host_and_scheme(
            origen, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        else ""
    )
    return render(request, "413.html", {"mensaje": mensaje, "volver": volver}, status=413)


def _longitud_declarada(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


class LimiteSubidaMiddleware:
    """Refuse a request too big for its endpoint before or while its body is read.

    Place it after the session, authentication and messages middleware (the
    error page shows who is signed in) and before anything that reads the body;
    CsrfViewMiddleware reads it only when the view is called, after this runs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declarada = _longitud_declarada(request) or 0
        # A POST without Content-Length still gets the handler: the server may pass a
        # chunked body on.
        if declarada or request.method == "POST":
            respuesta = self._limitar(request, declarada)
            if respuesta is not None:
                return respuesta
        return self.get_response(request)

    def _limitar(self, request: HttpRequest, declarada: int) -> HttpResponse | None:
        limite, propio = limite_de(request)
        if declarada > limite.cuerpo:
            logger.warning(
                "Request body of %s bytes refused unread (limit %s) for %s",
                declarada,
                limite.cuerpo,
                request.path,
            )
            return respuesta_demasiado_grande(request, limite)
        if request.method != "POST" or propio:
            return None
        if request.content_type == "multipart/form-data":
            manejador = LimiteSubidaHandler(request, limite=limite.archivos)
            request.upload_handlers = [manejador, *request.upload_handlers]
        elif request.content_type != "application/x-www-form-urlencoded":
            return None
        try:
            request.POST  # noqa: B018  (parse now, under the handler, before any view)
        except SubidaExcedida:
            motivo = "archivo"
        except (RequestDataTooBig, TooManyFieldsSent):
            motivo = "texto"
        else:
            return None
        logger.warning(
            "Request body cut while read (%s over the limit) for %s", motivo, request.path
        )
        return respuesta_demasiado_grande(request, limite, motivo=motivo)
