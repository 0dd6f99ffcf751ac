"""Views of constancias: admin preview, participants, coordinators, public verification."""

from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from constancias import pdf, selectors, services, verificacion
from constancias.forms import (
    ArchivoVerificacionForm,
    MotivoForm,
    TrabajoEmisionForm,
    VerificacionForm,
)
from constancias.models import (
    Constancia,
    PlantillaConstancia,
    ReglaConstancia,
    TrabajoEmision,
    VerificacionConsulta,
)
from lms.alcance import Accion, accede, alcance_de, filtrar_por_alcance, permitidos
from lms.archivos import descargar_privado
from lms.entrada import id_de_consulta
from lms.models import EntidadFederativa, Organizacion, RegistroAuditoria, Usuario
from lms.red import direccion_cliente
from lms.services import registrar_auditoria

if TYPE_CHECKING:
    from cursos.extensiones import SeccionMisCursos
    from cursos.models import Inscripcion

# Public lookups per client address and window (seconds) before answering 429.
LIMITE_VERIFICACION = (30, 300)
MAX_PDF_IMPRESION = 5000
BLOQUE_LECTURA = 64 * 1024


@login_required
def muestra_plantilla(request: HttpRequest, pk: int) -> HttpResponse:
    """The latest draft of a template rendered with sample data (PDF, or the error)."""
    if not request.user.has_perm("constancias.change_plantillaconstancia"):
        raise Http404
    plantilla = get_object_or_404(PlantillaConstancia, pk=pk)
    borrador = plantilla.get_latest_revision_as_object()
    return borrador.serve_preview(request, "pdf")


# --- Participants -------------------------------------------------------------


def seccion_mis_cursos(
    request: HttpRequest, inscripciones: Sequence[Inscripcion]
) -> list[SeccionMisCursos]:
    """The "Mis constancias" panel of the courses' "Mis cursos" page (one query).

    Every constancia of the person is listed, also those of enrolments no longer active.
    """
    constancias = selectors.constancias_de(request.user)
    return [
        {
            "plantilla": "constancias/_seccion_mis_cursos.html",
            "contexto": {"constancias": constancias},
        }
    ]


@login_required
def mis_constancias(request: HttpRequest) -> HttpResponse:
    constancias = list(
        Constancia.objects.filter(usuario=cast(Usuario, request.user))  # login_required
        .select_related("edicion", "edicion__curso", "fase")
        .order_by("-emitida_en")
    )
    return TemplateResponse(
        request, "constancias/mis_constancias.html", {"constancias": constancias}
    )


@login_required
def descargar(request: HttpRequest, folio: str) -> HttpResponseBase:
    """The stored PDF exactly as issued (never re-rendered): owner or coordinators in scope."""
    constancia = get_object_or_404(selectors.constancias_visibles(request.user), folio=folio)
    if constancia.usuario_id != request.user.pk:
        # Staff reading someone else's constancia is audited; the holder's own is not.
        registrar_auditoria(
            usuario=cast(Usuario, request.user),
            accion=RegistroAuditoria.Accion.DESCARGA_CONSTANCIA,
            objeto=constancia.folio,
        )
    return descargar_privado(
        constancia.pdf, nombre=f"{constancia.folio}.pdf", content_type="application/pdf"
    )


# --- Public verification ------------------------------------------------------


def _ip(request: HttpRequest) -> str | None:
    return direccion_cliente(request) or None


def _limite() -> tuple[int, int]:
    return getattr(settings, "CONSTANCIAS_LIMITE_VERIFICACION", LIMITE_VERIFICACION)


def _clave_limite(request: HttpRequest) -> str:
    return f"constancias:verificar:{_ip(request)}"


def _excede_limite(request: HttpRequest) -> bool:
    limite, ventana = _limite()
    clave = _clave_limite(request)
    cache.add(clave, 0, ventana)
    try:
        consultas = cache.incr(clave)
    except ValueError:
        cache.set(clave, 1, ventana)
        consultas = 1
    return consultas > limite


def _demasiadas(request: HttpRequest) -> HttpResponse:
    respuesta = TemplateResponse(request, "constancias/limite.html", status=429)
    respuesta["Retry-After"] = str(
        getattr(settings, "CONSTANCIAS_LIMITE_VERIFICACION", LIMITE_VERIFICACION)[1]
    )
    return respuesta


def _registrar(request: HttpRequest, medio: str, dato: str, constancia_id: int | None) -> None:
    services.registrar_consulta(
        medio=medio,
        constancia_id=constancia_id,
        dato=dato,
        ip=_ip(request),
        agente=request.META.get("HTTP_USER_AGENT", ""),
    )


def _resultado(
    request: HttpRequest, medio: str, dato: str, constancia: Constancia | None, **contexto: Any
) -> TemplateResponse:
    _registrar(request, medio, dato, constancia.pk if constancia else None)
    diseno = constancia.instantanea.get("diseno", {}) if constancia else {}
    datos = constancia.datos if constancia else {}
    contexto.update(
        {
            "consultado": True,
            "constancia": constancia,
            "datos": datos,
            "periodo": pdf.periodo_es(datos.get("fecha_inicio"), datos.get("fecha_fin")),
            "emisores": diseno.get("emisores", []),
            "form": contexto.get("form") or VerificacionForm(),
            "form_archivo": contexto.get("form_archivo") or ArchivoVerificacionForm(),
        }
    )
    return TemplateResponse(
        request, "constancias/verificar.html", contexto, status=200 if constancia else 404
    )


def _publica(codigo: str | None = None, **filtro: Any) -> Constancia | None:
    consulta = Constancia.objects.select_related("reemplazada_por")
    if codigo is not None:
        filtro["codigo_verificacion"] = codigo
    return consulta.filter(**filtro).first()


def _sin_estado(request: HttpRequest) -> bool:
    """A visitor without session or messages: the page is the same for every one of them."""
    return request.method == "GET" and not (
        request.COOKIES.keys() & {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name}
    )


def verificar_codigo(request: HttpRequest, codigo: str) -> HttpResponse:
    """The QR's target: anyone can see whether the constancia is valid.

    A visitor without session or messages gets the page cached for the code
    (`constancias.verificacion`): no database query and no session; with Redis, one
    round trip counts the address, reads the page and logs the lookup. Everyone else,
    and the first visitor of a code, gets it rendered.
    """
    codigo = codigo[:64]
    medio = VerificacionConsulta.Medio.ENLACE
    generacion = ""
    if _sin_estado(request):
        limite, ventana = _limite()
        ip = _ip(request)
        escaneo = verificacion.escanear(
            codigo=codigo,
            clave_limite=f"constancias:verificar:{ip}",
            limite=limite,
            ventana=ventana,
            entrada=lambda: verificacion.prefijo_de_consulta(
                medio=medio, dato=codigo, ip=ip, agente=request.META.get("HTTP_USER_AGENT", "")
            ),
        )
        if escaneo is not None:
            if escaneo.excedido:
                return _demasiadas(request)
            if escaneo.html is not None:
                return _pagina_guardada(escaneo.html, encontrada=escaneo.encontrada)
            generacion = escaneo.generacion
        else:
            if _excede_limite(request):
                return _demasiadas(request)
            guardada, generacion = verificacion.respuesta_guardada(codigo)
            if guardada is not None:
                _registrar(request, medio, codigo, guardada["constancia"])
                return _pagina_guardada(
                    guardada["html"], encontrada=guardada["constancia"] is not None
                )
    elif _excede_limite(request):
        return _demasiadas(request)
    constancia = _publica(codigo)
    if constancia is None and generacion:
        # The page of an unknown code is the same for every code: not rendered again.
        comun = verificacion.pagina_no_encontrada(generacion)
        if comun is not None:
            _registrar(request, medio, codigo, None)
            verificacion.guardar_respuesta(codigo, comun, generacion, constancia_id=None)
            return _pagina_guardada(comun, encontrada=False)
    respuesta = _resultado(request, medio, codigo, constancia, desde_enlace=True)
    respuesta.render()
    # Kept only if nothing in it belongs to this request (no CSRF token was asked for).
    if generacion and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        verificacion.guardar_respuesta(
            codigo,
            respuesta.content.decode(),
            generacion,
            constancia_id=constancia.pk if constancia else None,
        )
    return _sin_registro_de_404(respuesta)


def _pagina_guardada(html: str, *, encontrada: bool) -> HttpResponse:
    return _sin_registro_de_404(HttpResponse(html, status=200 if encontrada else 404))


def _sin_registro_de_404(respuesta: HttpResponse) -> HttpResponse:
    """Vary on the cookie; an unknown code is an answer, already in the lookup log.

    Django would also log every such 404 as a warning ("Not Found"): one log line per
    mistyped or invented code, which a flood of invented codes would turn into noise.
    """
    patch_vary_headers(respuesta, ("Cookie",))
    if respuesta.status_code == 404:
        # Django's private flag (django.utils.log.log_response); not in the stubs.
        respuesta._has_been_logged = True  # type: ignore[attr-defined]
        # Nor is it a missing page that a redirect could fix (lms.middleware).
        # (a flag of this project's own, unknown to the stubs)
        respuesta.respuesta_definitiva = True  # type: ignore[attr-defined]
    return respuesta


def verificar(request: HttpRequest) -> HttpResponse:
    """Verify by folio and code (GET form) or by uploading the PDF (POST)."""
    form = VerificacionForm(request.GET or None)
    form_archivo = ArchivoVerificacionForm()
    if request.method == "POST":
        if _excede_limite(request):
            return _demasiadas(request)
        form = VerificacionForm()
        form_archivo = ArchivoVerificacionForm(request.POST, request.FILES)
        if form_archivo.is_valid():
            resumen = hashlib.sha256()
            for bloque in form_archivo.cleaned_data["archivo"].chunks():
                resumen.update(bloque)
            huella = resumen.hexdigest()
            constancia = _publica(sha256=huella)
            return _resultado(
                request,
                VerificacionConsulta.Medio.ARCHIVO,
                huella,
                constancia,
                form=form,
                form_archivo=form_archivo,
            )
    elif form.is_bound:
        if _excede_limite(request):
            return _demasiadas(request)
        if form.is_valid():
            constancia = _publica(form.cleaned_data["codigo"], folio=form.cleaned_data["folio"])
            return _resultado(
                request,
                VerificacionConsulta.Medio.FORMULARIO,
                form.cleaned_data["folio"],
                constancia,
                form=form,
            )
    return TemplateResponse(
        request,
        "constancias/verificar.html",
        {"form": form, "form_archivo": form_archivo, "consultado": False},
        status=400 if (form.errors or form_archivo.errors) else 200,
    )


# --- Coordinators -------------------------------------------------------------


def _exigir_coordinacion(request: HttpRequest) -> None:
    if not alcance_de(request.user).coordina:
        raise Http404


def _puede_revocar(usuario: Any) -> bool:
    return accede(usuario, Accion.CAMBIAR, Constancia)


@login_required
def coordinacion(request: HttpRequest) -> HttpResponse:
    _exigir_coordinacion(request)
    reglas = ReglaConstancia.objects.select_related(
        "edicion", "edicion__curso", "fase", "plantilla"
    ).order_by("-edicion__fecha_inicio", "edicion__nombre", "tipo")
    trabajos = TrabajoEmision.objects.filter(
        solicitada_por=cast(Usuario, request.user)  # login_required
    ).select_related("regla", "regla__edicion", "entidad")[:20]
    return TemplateResponse(
        request, "constancias/coordinacion.html", {"reglas": reglas, "trabajos": trabajos}
    )


def _entidades_visibles(usuario: Any) -> QuerySet[EntidadFederativa]:
    return filtrar_por_alcance(usuario, EntidadFederativa.objects.all(), ruta_entidad="pk")


@login_required
def regla(request: HttpRequest, pk: int) -> HttpResponse:
    """Each enrolment in scope: eligible or why not, and its constancia; bulk issuance."""
    _exigir_coordinacion(request)
    regla = get_object_or_404(
        ReglaConstancia.objects.select_related("edicion", "edicion__curso", "fase", "plantilla"),
        pk=pk,
    )
    entidades = _entidades_visibles(request.user)
    form = TrabajoEmisionForm(request.POST or None, entidades=entidades)
    if request.method == "POST" and form.is_valid():
        try:
            trabajo = services.crear_trabajo_emision(
                regla=regla, solicitante=request.user, entidad=form.cleaned_data["entidad"]
            )
        except services.ErrorConstancia as error:
            messages.error(request, str(error))
        else:
            return redirect("constancias:trabajo", pk=trabajo.pk)
    pagina = Paginator(selectors.inscripciones_de_regla(request.user, regla), 100).get_page(
        request.GET.get("pagina")
    )
    filas = selectors.elegibilidad(regla=regla, inscripciones=list(pagina.object_list))
    organizaciones = filtrar_por_alcance(
        request.user,
        Organizacion.objects.filter(
            pk__in=selectors.constancias_coordinadas(request.user)
            .filter(regla=regla, estado=Constancia.Estado.VIGENTE)
            .values("usuario__organizacion")
        ),
        ruta_entidad="entidad",
    ).order_by("nombre")
    return TemplateResponse(
        request,
        "constancias/regla.html",
        {
            "regla": regla,
            "filas": filas,
            "pagina": pagina,
            "form": form,
            "entidades": entidades,
            "organizaciones": organizaciones,
            "puede_revocar": _puede_revocar(request.user),
        },
    )


def _trabajo_visible(request: HttpRequest, pk: int) -> TrabajoEmision:
    _exigir_coordinacion(request)
    return get_object_or_404(
        permitidos(request.user, Accion.VER, TrabajoEmision).select_related(
            "regla", "regla__edicion", "entidad"
        ),
        pk=pk,
    )


def _texto_avance(trabajo: TrabajoEmision) -> str:
    """The job's progress in words, for the page and for the status the page polls."""
    return _("%(estado)s: %(revisadas)s, %(emitidas)s.") % {
        "estado": trabajo.get_estado_display(),
        "revisadas": ngettext(
            "%(hechas)s de %(total)s persona revisada",
            "%(hechas)s de %(total)s personas revisadas",
            trabajo.total,
        )
        % {"hechas": trabajo.hechas, "total": trabajo.total},
        "emitidas": ngettext(
            "%(n)s constancia emitida", "%(n)s constancias emitidas", trabajo.emitidas
        )
        % {"n": trabajo.emitidas},
    }


@login_required
def trabajo(request: HttpRequest, pk: int) -> HttpResponse:
    trabajo = _trabajo_visible(request, pk)
    return TemplateResponse(
        request,
        "constancias/trabajo.html",
        {
            "trabajo": trabajo,
            "no_emitidas": selectors.no_emitidas(trabajo),
            "texto_avance": _texto_avance(trabajo),
        },
    )


@login_required
def trabajo_estado(request: HttpRequest, pk: int) -> JsonResponse:
    """The small JSON the progress bar polls."""
    trabajo = _trabajo_visible(request, pk)
    return JsonResponse(
        {
            "estado": trabajo.estado,
            "estado_texto": str(trabajo.get_estado_display()),
            "total": trabajo.total,
            "hechas": trabajo.hechas,
            "emitidas": trabajo.emitidas,
            "no_emitidas": len(trabajo.errores),
            "porcentaje": trabajo.porcentaje,
            "texto": _texto_avance(trabajo),
            "terminado": trabajo.estado
            in (TrabajoEmision.Estado.TERMINADO, TrabajoEmision.Estado.FALLIDO),
        }
    )


def _constancias_para_descarga(request: HttpRequest, regla_id: int) -> tuple[Any, str]:
    """Valid constancias of a rule in scope, optionally of one state or institution."""
    _exigir_coordinacion(request)
    regla = get_object_or_404(ReglaConstancia, pk=regla_id)
    consulta = (
        selectors.constancias_coordinadas(request.user)
        .filter(regla=regla, estado=Constancia.Estado.VIGENTE)
        .select_related("usuario__entidad", "usuario__organizacion")
        .order_by("usuario__entidad__nombre", "folio")
    )
    nombre = slugify(f"constancias-{regla.edicion.nombre}-{regla.tipo}")
    # A malformed id is a 400 that says so; one outside the user's scope does not exist.
    entidad_id = id_de_consulta(request, "entidad")
    organizacion_id = id_de_consulta(request, "organizacion")
    if entidad_id is not None:
        entidad = get_object_or_404(_entidades_visibles(request.user), pk=entidad_id)
        consulta = consulta.filter(usuario__entidad=entidad)
        nombre += "-" + slugify(entidad.abreviatura)
    if organizacion_id is not None:
        organizacion = get_object_or_404(
            filtrar_por_alcance(request.user, Organizacion.objects.all()), pk=organizacion_id
        )
        consulta = consulta.filter(usuario__organizacion=organizacion)
        nombre += "-" + slugify(organizacion.siglas or organizacion.nombre)[:40]
    return consulta, nombre


def _auditar_descarga(request: HttpRequest, regla_id: int, accion: str, filas: int) -> None:
    filtros: dict[str, Any] = {"regla": regla_id}
    for clave in ("entidad", "organizacion"):
        valor = request.GET.get(clave, "")
        if valor:
            filtros[clave] = int(valor) if valor.isdigit() else valor[:20]
    registrar_auditoria(
        usuario=cast(Usuario, request.user),
        accion=accion,
        filtros=filtros,
        filas=filas,
        objeto=str(regla_id),
    )


class _Tubo(io.RawIOBase):
    """A write-only, unseekable sink: zipfile streams into it and the view drains it."""

    def __init__(self) -> None:
        self.trozos: list[bytes] = []
        self.posicion = 0

    def writable(self) -> bool:
        return True

    def write(self, datos: Any) -> int:
        self.trozos.append(bytes(datos))
        self.posicion += len(datos)
        return len(datos)

    def tell(self) -> int:
        return self.posicion

    def vaciar(self) -> bytes:
        datos = b"".join(self.trozos)
        self.trozos.clear()
        return datos


def zip_de_constancias(constancias: Any) -> Iterator[bytes]:
    """A ZIP archive produced piece by piece; memory holds one read block at a time."""
    tubo = _Tubo()
    with zipfile.ZipFile(tubo, "w", compression=zipfile.ZIP_STORED) as archivo:
        for constancia in constancias.iterator(chunk_size=500):
            entidad = constancia.usuario.entidad
            carpeta = slugify(entidad.nombre) if entidad else "sin-entidad"
            with (
                constancia.pdf.open("rb") as origen,
                archivo.open(f"{carpeta}/{constancia.folio}.pdf", "w", force_zip64=True) as destino,
            ):
                while bloque := origen.read(BLOQUE_LECTURA):
                    destino.write(bloque)
                    yield tubo.vaciar()
            yield tubo.vaciar()
    yield tubo.vaciar()


@login_required
def descargar_zip(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    constancias, nombre = _constancias_para_descarga(request, pk)
    _auditar_descarga(
        request, pk, RegistroAuditoria.Accion.DESCARGA_CONSTANCIAS_ZIP, constancias.count()
    )
    respuesta = StreamingHttpResponse(
        (trozo for trozo in zip_de_constancias(constancias) if trozo),
        content_type="application/zip",
    )
    respuesta["Content-Disposition"] = f'attachment; filename="{nombre}.zip"'
    return respuesta


@login_required
def descargar_impresion(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One PDF with every constancia, for printing (spooled to disk, not kept in memory)."""
    from pypdf import PdfWriter

    constancias, nombre = _constancias_para_descarga(request, pk)
    total = constancias.count()
    if total > MAX_PDF_IMPRESION:
        messages.error(
            request,
            _("Son más de %(maximo)d constancias; descárguelas por entidad o institución.")
            % {"maximo": MAX_PDF_IMPRESION},
        )
        return redirect("constancias:regla", pk=pk)
    _auditar_descarga(request, pk, RegistroAuditoria.Accion.DESCARGA_CONSTANCIAS_IMPRESION, total)
    escritor = PdfWriter()
    for constancia in constancias.iterator(chunk_size=500):
        with constancia.pdf.open("rb") as origen:
            escritor.append(io.BytesIO(origen.read()))
    salida = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    escritor.write(salida)
    salida.seek(0)
    return FileResponse(
        salida, as_attachment=True, filename=f"{nombre}.pdf", content_type="application/pdf"
    )


def _constancia_revocable(request: HttpRequest, pk: int) -> Constancia:
    return get_object_or_404(
        permitidos(request.user, Accion.CAMBIAR, Constancia).select_related("usuario", "edicion"),
        pk=pk,
    )


def _accion_con_motivo(request: HttpRequest, pk: int, accion: str) -> HttpResponse:
    constancia = _constancia_revocable(request, pk)
    form = MotivoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if accion == "revocar":
                services.revocar_constancia(
                    constancia=constancia, motivo=form.cleaned_data["motivo"], usuario=request.user
                )
                messages.success(
                    request,
                    _("La constancia %(folio)s quedó revocada.") % {"folio": constancia.folio},
                )
            else:
                nueva = services.reemplazar_constancia(
                    constancia=constancia, motivo=form.cleaned_data["motivo"], usuario=request.user
                )
                messages.success(
                    request,
                    _("Se emitió la constancia %(nueva)s en reemplazo de %(folio)s.")
                    % {"nueva": nueva.folio, "folio": constancia.folio},
                )
        except services.ErrorConstancia as error:
            form.add_error(None, str(error))
        else:
            if constancia.regla_id:
                return redirect("constancias:regla", pk=constancia.regla_id)
            return redirect("constancias:coordinacion")
    return TemplateResponse(
        request,
        "constancias/motivo.html",
        {"constancia": constancia, "form": form, "accion": accion},
        status=400 if form.errors else 200,
    )


@login_required
def revocar(request: HttpRequest, pk: int) -> HttpResponse:
    return _accion_con_motivo(request, pk, "revocar")


@login_required
def reemplazar(request: HttpRequest, pk: int) -> HttpResponse:
    return _accion_con_motivo(request, pk, "reemplazar")
