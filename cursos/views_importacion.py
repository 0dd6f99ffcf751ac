"""Bulk enrolment from a file and attendance from a meeting report: upload, preview, confirm.

Both run on the one import wizard (`lms.asistente`): the parsed rows wait in
the shared cache under a token signed for the person and the edition (or live
session), and confirming applies once. The preview and the confirmation
re-check the rows against the database.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Literal, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from cursos import columnas, importacion, importacion_asistencia, selectors, services_importacion
from cursos.models import Edicion, FormatoLista, SesionEnVivo
from lms.alcance import Accion, alcance_de, permitidos, puede_crear
from lms.asistente import (
    ArchivoForm,
    Asistente,
    ConfirmacionRechazada,
    Entrada,
    Estado,
    ImportacionNoDisponible,
    descarga_csv,
    no_disponible,
)
from lms.models import Usuario

# --- Bulk enrolment ------------------------------------------------------------------

# Raise the version when what is stored changes: an older preview is asked for again.
INSCRIPCION = Asistente(tipo="inscripcion", version=3)


class ArchivoInscripcionForm(ArchivoForm):
    archivo = forms.FileField(
        label=gettext_lazy("Archivo de Excel (.xlsx) o CSV"),
        help_text=gettext_lazy(
            "Una fila por persona y, arriba, los nombres de las columnas: correo electrónico "
            "(obligatorio), nombre(s), primer y segundo apellido, CURP, cargo, sujeto obligado "
            "y entidad federativa. Si algún encabezado no se reconoce, se le preguntará qué "
            "contiene esa columna."
        ),
        error_messages={
            "required": gettext_lazy("Elija el archivo que va a importar."),
            "empty": gettext_lazy("El archivo está vacío."),
        },
    )

    def leer(self, nombre: str, contenido: bytes, *, max_bytes: int) -> importacion.Hoja:
        return importacion.leer_hoja(nombre, contenido, max_bytes=max_bytes)


class AsignacionColumnasForm(forms.Form):
    """One choice per column of the list: which field it holds, or none."""

    def __init__(self, *args: Any, hoja: importacion.Hoja, inicial: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.hoja = hoja
        opciones = [("", _("— Elija qué contiene —"))] + [
            (clave, str(etiqueta)) for clave, etiqueta in columnas.OPCIONES.items()
        ]
        for i, _encabezado in enumerate(hoja.encabezados):
            self.fields[f"columna_{i}"] = forms.ChoiceField(
                label=columnas.nombre_columna(hoja.encabezados, i),
                choices=opciones,
                required=True,
                initial=inicial[i] if i < len(inicial) else "",
                error_messages={
                    "required": _("Indique qué contiene esta columna."),
                    "invalid_choice": _("Elija una de las opciones de la lista."),
                },
            )

    def asignacion(self) -> list[str | None]:
        return [
            self.cleaned_data.get(f"columna_{i}") or None for i in range(len(self.hoja.encabezados))
        ]

    def clean(self) -> dict[str, Any]:
        datos = super().clean() or {}
        if not self.errors:
            for error in columnas.errores_asignacion(self.hoja.encabezados, self.asignacion()):
                self.add_error(None, error)
        return datos

    def columnas_con_muestra(self) -> list[dict[str, Any]]:
        """Each column's field with up to three values of the file, to recognise it by."""
        resultado = []
        for i, _encabezado in enumerate(self.hoja.encabezados):
            muestra = []
            for _numero, celdas in self.hoja.filas:
                valor = celdas[i].strip() if i < len(celdas) else ""
                if valor and valor not in muestra:
                    muestra.append(valor[:60])
                if len(muestra) == 3:
                    break
            resultado.append({"campo": self[f"columna_{i}"], "muestra": muestra})
        return resultado


def _edicion_coordinada(request: HttpRequest, pk: int) -> Edicion:
    """An edition the user coordinates; 404 for anyone else (instructors included)."""
    alcance = alcance_de(request.user)
    if not (alcance.coordina or alcance.es_administrador):
        raise Http404
    return get_object_or_404(
        selectors.ediciones_gestionables(request.user).select_related("curso"), pk=pk
    )


VistaInscripcion = Callable[[HttpRequest, Edicion, Entrada], HttpResponse]


def _con_inscripcion(vista: VistaInscripcion) -> Callable[..., HttpResponse]:
    """Resolve the edition (coordinated by the user) and the upload of the URL for `vista`."""

    @wraps(vista)
    def envoltura(request: HttpRequest, pk: int, token: str) -> HttpResponse:
        edicion = _edicion_coordinada(request, pk)
        try:
            entrada = INSCRIPCION.entrada(token=token, usuario=request.user, objeto_id=edicion.pk)
        except ImportacionNoDisponible as error:
            return no_disponible(request, error, reverse("cursos:inscribir_subir", args=[pk]))
        return vista(request, edicion, entrada)

    return envoltura


def _hoja(datos: dict[str, Any]) -> importacion.Hoja:
    return importacion.Hoja(
        encabezados=list(datos["encabezados"]),
        filas=[(n, list(c)) for n, c in datos["filas"]],
        filas_titulo=datos.get("filas_titulo", 0),
    )


def _asignacion_lista(datos: dict[str, Any]) -> bool:
    asignacion = datos.get("asignacion")
    if not asignacion:
        return False
    return not columnas.errores_asignacion(datos["encabezados"], asignacion)


def _revisar(
    edicion: Edicion, usuario: Any, datos: dict[str, Any]
) -> tuple[list[Any], importacion.ContextoInscripcion]:
    filas = importacion.aplicar_asignacion(_hoja(datos), datos["asignacion"])
    contexto = importacion.cargar_contexto(
        edicion=edicion,
        coordinador=usuario,
        correos=[f.datos.get("correo", "") for f in filas],
        curps=[f.datos.get("curp", "") for f in filas],
        resoluciones=datos.get("resoluciones") or {},
    )
    return importacion.revisar_inscripciones(filas, contexto=contexto), contexto


def _huella(filas: list[Any]) -> list[list[Any]]:
    return [
        [f.numero, f.estado, f.usuario_id, f.organizacion_id, f.organizacion_nueva, f.curp]
        for f in filas
    ]


def _formato_guardado(usuario: Any, hoja: importacion.Hoja) -> list[str | None] | None:
    """The assignment this coordinator saved for lists with these headers, if it still fits."""
    encabezados = list(hoja.encabezados)
    # Our own rejected-rows file, corrected and sent back: its layout plus the reason.
    devuelta = bool(encabezados) and columnas.reconocer(encabezados[-1]) == columnas.IGNORAR
    huellas = [columnas.huella(encabezados)]
    if devuelta:
        huellas.append(columnas.huella(encabezados[:-1]))
    formatos = {
        f.huella: f
        for f in permitidos(usuario, Accion.VER, FormatoLista.objects.all()).filter(
            huella__in=huellas
        )
    }
    for huella in huellas:
        formato = formatos.get(huella)
        if formato is None:
            continue
        asignacion = list(formato.asignacion)
        if huella != huellas[0]:
            asignacion.append(columnas.IGNORAR)
        if len(asignacion) == len(encabezados) and all(
            a is None or a in columnas.OPCIONES for a in asignacion
        ):
            return asignacion
    return None


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
            hoja: importacion.Hoja = form.cleaned_data["archivo"]
            guardada = _formato_guardado(request.user, hoja)
            asignacion = guardada or importacion.asignacion_sugerida(hoja)
            token = INSCRIPCION.guardar(
                usuario=request.user,
                objeto_id=edicion.pk,
                datos={
                    "archivo": form.nombre_archivo,
                    "encabezados": hoja.encabezados,
                    "filas": [[n, c] for n, c in hoja.filas],
                    "filas_titulo": hoja.filas_titulo,
                    "asignacion": asignacion,
                    "asignacion_guardada": guardada is not None,
                    "resoluciones": {},
                },
            )
            if columnas.errores_asignacion(hoja.encabezados, asignacion):
                return redirect("cursos:inscribir_columnas", pk=edicion.pk, token=token)
            return redirect("cursos:inscribir_revisar", pk=edicion.pk, token=token)
        messages.error(request, _("No se pudo leer el archivo; revise el mensaje."))
    return render(
        request,
        "cursos/importacion/inscribir_subir.html",
        {"edicion": edicion, "form": form, "campos": columnas.CAMPOS.values()},
    )


@login_required
@require_http_methods(["GET", "POST"])
@_con_inscripcion
def inscribir_columnas(request: HttpRequest, edicion: Edicion, entrada: Entrada) -> HttpResponse:
    """Say what each column holds; remembered for the next list with the same headers."""
    token, datos = entrada.token, entrada.datos
    if entrada.aplicada:
        return redirect("cursos:inscribir_resultado", pk=edicion.pk, token=token)
    hoja = _hoja(datos)
    form = AsignacionColumnasForm(
        request.POST if request.method == "POST" else None,
        hoja=hoja,
        inicial=[a or "" for a in datos.get("asignacion") or []],
    )
    if request.method == "POST" and form.is_valid():
        asignacion = form.asignacion()
        datos["asignacion"] = asignacion
        datos["asignacion_guardada"] = True
        INSCRIPCION.actualizar(entrada)
        if puede_crear(request.user, FormatoLista):
            FormatoLista.objects.update_or_create(
                usuario=request.user,
                huella=columnas.huella(hoja.encabezados),
                defaults={"encabezados": hoja.encabezados, "asignacion": asignacion},
            )
        messages.success(
            request,
            _(
                "Se guardó qué contiene cada columna; la próxima lista con estos mismos "
                "encabezados se leerá igual."
            ),
        )
        return redirect("cursos:inscribir_revisar", pk=edicion.pk, token=token)
    if request.method == "POST":
        messages.error(request, _("Revise qué contiene cada columna; nada se ha guardado."))
    desconocidas = [
        columnas.nombre_columna(hoja.encabezados, i)
        for i, campo in enumerate(importacion.asignacion_sugerida(hoja))
        if campo is None
    ]
    return render(
        request,
        "cursos/importacion/inscribir_columnas.html",
        {
            "edicion": edicion,
            "entrada": datos,
            "form": form,
            "columnas": form.columnas_con_muestra(),
            "desconocidas": desconocidas,
            "avisos": []
            if form.is_bound
            else columnas.errores_asignacion(
                hoja.encabezados, datos.get("asignacion") or [None] * len(hoja.encabezados)
            ),
            "token": token,
        },
    )


def _columnas_leidas(datos: dict[str, Any]) -> list[dict[str, str | bool]]:
    encabezados = datos["encabezados"]
    return [
        {
            "columna": columnas.nombre_columna(encabezados, i),
            "campo": str(columnas.OPCIONES.get(campo or "", "")),
            "usada": campo in columnas.CAMPOS,
        }
        for i, campo in enumerate(datos["asignacion"])
    ]


@login_required
@require_http_methods(["GET", "POST"])
@_con_inscripcion
def inscribir_revisar(request: HttpRequest, edicion: Edicion, entrada: Entrada) -> HttpResponse:
    token, datos = entrada.token, entrada.datos
    if request.method == "POST" and (entrada.aplicada or _asignacion_lista(datos)):
        return _confirmar_inscripcion(request, edicion, entrada)
    if entrada.aplicada:
        return redirect("cursos:inscribir_resultado", pk=edicion.pk, token=token)
    if not _asignacion_lista(datos):
        return redirect("cursos:inscribir_columnas", pk=edicion.pk, token=token)
    filas, contexto = _revisar(edicion, request.user, datos)
    # What the coordinator saw; confirming applies exactly this or nothing.
    datos["vista"] = _huella(filas)
    INSCRIPCION.actualizar(entrada)
    return render(
        request,
        "cursos/importacion/inscribir_revisar.html",
        {
            "edicion": edicion,
            "entrada": datos,
            "filas": filas,
            "resumen": importacion.resumen_inscripciones(filas),
            "aceptadas": sum(f.aceptada for f in filas),
            "columnas_leidas": _columnas_leidas(datos),
            "por_resolver": importacion.organizaciones_por_resolver(filas, contexto),
            "puede_crear_organizacion": contexto.puede_crear_organizacion,
            "entidad_unica": contexto.entidades.get(contexto.entidad_unica or 0, ""),
            "token": token,
        },
    )


@login_required
@require_http_methods(["POST"])
@_con_inscripcion
def inscribir_organizaciones(
    request: HttpRequest, edicion: Edicion, entrada: Entrada
) -> HttpResponse:
    """The coordinator's decision for each institution name the catalogue does not know."""
    token, datos = entrada.token, entrada.datos
    if entrada.aplicada or not _asignacion_lista(datos):
        return redirect("cursos:inscribir_revisar", pk=edicion.pk, token=token)
    filas, contexto = _revisar(edicion, request.user, datos)
    por_resolver = importacion.organizaciones_por_resolver(filas, contexto)
    resoluciones: dict[str, dict[str, Any]] = {}
    for i, pendiente in enumerate(por_resolver):
        valor = str(request.POST.get(f"org_{i}", ""))[:40]
        clave_recibida = str(request.POST.get(f"clave_{i}", ""))
        if clave_recibida != pendiente.clave:
            messages.error(
                request,
                _(
                    "La lista de organizaciones cambió mientras la revisaba; no se guardó "
                    "ninguna decisión. Elija de nuevo."
                ),
            )
            return redirect("cursos:inscribir_revisar", pk=edicion.pk, token=token)
        decision = _decision(valor, pendiente, contexto)
        if decision is False:
            messages.error(
                request,
                _(
                    "La opción elegida para «%(organizacion)s» no es válida; no se guardó "
                    "ninguna decisión."
                )
                % {"organizacion": pendiente.texto},
            )
            return redirect("cursos:inscribir_revisar", pk=edicion.pk, token=token)
        if decision:
            resoluciones[pendiente.clave] = decision
    datos["resoluciones"] = resoluciones
    INSCRIPCION.actualizar(entrada)
    messages.success(
        request,
        ngettext(
            "Se guardó su decisión para %(n)s organización; revise la vista previa.",
            "Se guardaron sus decisiones para %(n)s organizaciones; revise la vista previa.",
            len(resoluciones),
        )
        % {"n": len(resoluciones)},
    )
    return redirect("cursos:inscribir_revisar", pk=edicion.pk, token=token)


def _decision(
    valor: str,
    pendiente: importacion.OrganizacionPorResolver,
    contexto: importacion.ContextoInscripcion,
) -> dict[str, Any] | Literal[False] | None:
    """The decision a form value stands for; None for "decide later", False if not allowed."""
    if valor == "":
        return None
    if valor == importacion.SIN_ORGANIZACION:
        return {"accion": importacion.SIN_ORGANIZACION}
    if valor == importacion.CREAR_ORGANIZACION:
        if not contexto.puede_crear_organizacion:
            return False
        return {"accion": importacion.CREAR_ORGANIZACION}
    accion, _sep, identificador = valor.partition(":")
    org = contexto.organizacion_por_id(identificador) if accion == importacion.USAR else None
    if org is None or not org.activa or org.id not in contexto.organizaciones_en_alcance:
        return False
    return {"accion": importacion.USAR, "organizacion_id": org.id}


def _confirmar_inscripcion(
    request: HttpRequest, edicion: Edicion, entrada: Entrada
) -> HttpResponse:
    token = entrada.token
    usuario = cast(Usuario, request.user)
    try:
        confirmacion = INSCRIPCION.confirmar(
            entrada, lambda actual: _inscribir(actual, edicion, usuario)
        )
    except ImportacionNoDisponible as error:
        return no_disponible(request, error, reverse("cursos:inscribir_subir", args=[edicion.pk]))
    except ConfirmacionRechazada as error:
        messages.error(request, error.mensaje)
        return redirect("cursos:inscribir_revisar", pk=edicion.pk, token=token)
    match confirmacion.estado:
        case Estado.APLICADA:
            messages.success(request, _("La inscripción en bloque se aplicó."))
        case Estado.YA_APLICADA:
            messages.info(request, _("Esta importación ya se aplicó; no se hizo ningún cambio."))
        case Estado.EN_CURSO:
            messages.info(request, _("Esta importación ya se está aplicando; espere un momento."))
    return redirect("cursos:inscribir_resultado", pk=edicion.pk, token=token)


def _inscribir(entrada: Entrada, edicion: Edicion, coordinador: Usuario) -> dict[str, Any]:
    """Enrol exactly what the preview showed, or raise `ConfirmacionRechazada` writing nothing."""
    datos = entrada.datos
    filas, _contexto = _revisar(edicion, coordinador, datos)
    if datos.get("vista") != _huella(filas):
        raise ConfirmacionRechazada(
            _(
                "Las inscripciones o las cuentas cambiaron desde la vista previa; "
                "no se hizo ningún cambio. Revise la vista previa actualizada."
            )
        )
    try:
        resultado = services_importacion.inscribir_en_bloque(
            edicion=edicion, filas_revisadas=filas, coordinador=coordinador
        )
    except services_importacion.ImportacionError as error:
        raise ConfirmacionRechazada(" ".join(error.messages)) from None
    except IntegrityError:
        raise ConfirmacionRechazada(
            _(
                "Otra persona cambió las cuentas o inscripciones mientras revisaba el "
                "archivo; no se hizo ningún cambio. Revise la vista previa de nuevo."
            )
        ) from None
    resumen = importacion.resumen_inscripciones(filas)
    return {
        "cifras": {
            **resultado,
            "ya_inscritas": resumen[importacion.YA_INSCRITA],
            "rechazadas": resumen[importacion.RECHAZADA],
        },
        # The report of rejected rows is the one computed at confirmation time.
        "reporte": importacion.reporte_rechazadas(filas, encabezados=datos["encabezados"]),
    }


@login_required
@require_GET
@_con_inscripcion
def inscribir_resultado(request: HttpRequest, edicion: Edicion, entrada: Entrada) -> HttpResponse:
    if not entrada.aplicada:
        return redirect("cursos:inscribir_revisar", pk=edicion.pk, token=entrada.token)
    return render(
        request,
        "cursos/importacion/inscribir_resultado.html",
        {"edicion": edicion, "resultado": entrada.resultado["cifras"], "token": entrada.token},
    )


@login_required
@require_GET
@_con_inscripcion
def inscribir_rechazadas(request: HttpRequest, edicion: Edicion, entrada: Entrada) -> HttpResponse:
    datos = entrada.datos
    if entrada.aplicada:
        contenido = entrada.resultado["reporte"]
    elif not _asignacion_lista(datos):
        return redirect("cursos:inscribir_columnas", pk=edicion.pk, token=entrada.token)
    else:
        filas, _contexto = _revisar(edicion, request.user, datos)
        contenido = importacion.reporte_rechazadas(filas, encabezados=datos["encabezados"])
    fecha = timezone.localdate().isoformat()
    return descarga_csv(contenido, f"rechazadas-{edicion.pk}-{fecha}.csv")


# --- Attendance from a meeting report ----------------------------------------------

ASISTENCIA = Asistente(tipo="asistencia", version=1)


class ReporteAsistenciaForm(ArchivoForm):
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

    def leer(
        self, nombre: str, contenido: bytes, *, max_bytes: int
    ) -> importacion_asistencia.ReporteAsistencia:
        return importacion_asistencia.leer_reporte_asistencia(
            nombre, contenido, max_bytes=max_bytes
        )


def _sesion_gestionable(request: HttpRequest, pk: int) -> SesionEnVivo:
    sesion = get_object_or_404(
        SesionEnVivo.objects.select_related("edicion", "edicion__curso"), pk=pk
    )
    if not selectors.puede_gestionar_edicion(request.user, sesion.edicion):
        raise Http404
    return sesion


def _reporte(datos: dict[str, Any]) -> importacion_asistencia.ReporteAsistencia:
    return importacion_asistencia.ReporteAsistencia(
        formato=datos["formato"],
        personas=[
            importacion_asistencia.PersonaReporte(
                correo=c, nombre=n, minutos=m, lineas=list(lineas)
            )
            for c, n, m, lineas in datos["personas"]
        ],
        sin_correo=[
            importacion_asistencia.FilaSinCorreo(numero=num, nombre=n, minutos=m)
            for num, n, m in datos["sin_correo"]
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
            token = ASISTENCIA.guardar(
                usuario=request.user,
                objeto_id=sesion.pk,
                datos={
                    "formato": reporte.formato,
                    "minimos": form.cleaned_data["minimos_minutos"],
                    "personas": [
                        [p.correo, p.nombre, p.minutos, p.lineas] for p in reporte.personas
                    ],
                    "sin_correo": [[s.numero, s.nombre, s.minutos] for s in reporte.sin_correo],
                },
            )
            return redirect("cursos:asistencia_revisar", pk=sesion.pk, token=token)
        messages.error(request, _("No se pudo leer el reporte; revise el mensaje."))
    return render(
        request, "cursos/importacion/asistencia_subir.html", {"sesion": sesion, "form": form}
    )


def _asistencia_importada(*, marcadas: int, ya: int, insuficientes: int, sin: int) -> str:
    """The summary of an applied attendance import, each count with its own plural."""
    return _("Asistencia importada: %(marcadas)s, %(ya)s, %(insuficientes)s y %(sin)s.") % {
        "marcadas": ngettext("%(n)s persona registrada", "%(n)s personas registradas", marcadas)
        % {"n": marcadas},
        "ya": ngettext("%(n)s ya tenía registro", "%(n)s ya tenían registro", ya) % {"n": ya},
        "insuficientes": ngettext(
            "%(n)s con menos minutos del mínimo",
            "%(n)s con menos minutos del mínimo",
            insuficientes,
        )
        % {"n": insuficientes},
        "sin": ngettext("%(n)s sin coincidencia", "%(n)s sin coincidencia", sin) % {"n": sin},
    }


@login_required
@require_http_methods(["GET", "POST"])
def asistencia_revisar(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    sesion = _sesion_gestionable(request, pk)
    subir = reverse("cursos:asistencia_subir", args=[sesion.pk])
    try:
        entrada = ASISTENCIA.entrada(token=token, usuario=request.user, objeto_id=sesion.pk)
    except ImportacionNoDisponible as error:
        return no_disponible(request, error, subir)
    reporte = _reporte(entrada.datos)
    if request.method == "POST":
        usuario = cast(Usuario, request.user)
        try:
            confirmacion = ASISTENCIA.confirmar(
                entrada, lambda actual: _registrar_asistencia(actual, sesion, usuario)
            )
        except ImportacionNoDisponible as error:
            return no_disponible(request, error, subir)
        match confirmacion.estado:
            case Estado.APLICADA:
                messages.success(request, _asistencia_importada(**confirmacion.resultado))
            case Estado.YA_APLICADA:
                messages.info(request, _("Este reporte ya se importó; no se hizo ningún cambio."))
                messages.info(request, _asistencia_importada(**confirmacion.resultado))
            case Estado.EN_CURSO:
                messages.info(request, _("Este reporte ya se está importando; espere un momento."))
        return redirect("cursos:marcar_asistencia", pk=sesion.pk)
    datos = entrada.datos
    inscritas, registradas = importacion_asistencia.inscritas_de_sesion(sesion, request.user)
    filas = importacion_asistencia.revisar_asistencia(
        reporte, inscritas=inscritas, registradas=registradas, minimos_minutos=datos["minimos"]
    )
    grupos = {
        estado: [f for f in filas if f.estado == estado]
        for estado in (
            importacion_asistencia.PRESENTE,
            importacion_asistencia.YA_REGISTRADA,
            importacion_asistencia.INSUFICIENTE,
            importacion_asistencia.SIN_COINCIDENCIA,
        )
    }
    return render(
        request,
        "cursos/importacion/asistencia_revisar.html",
        {
            "sesion": sesion,
            "entrada": datos,
            "reporte": reporte,
            "presentes": grupos[importacion_asistencia.PRESENTE],
            "ya_registradas": grupos[importacion_asistencia.YA_REGISTRADA],
            "insuficientes": grupos[importacion_asistencia.INSUFICIENTE],
            "sin_coincidencia": grupos[importacion_asistencia.SIN_COINCIDENCIA],
            "aplicada": entrada.aplicada,
            "token": token,
        },
    )


def _registrar_asistencia(
    entrada: Entrada, sesion: SesionEnVivo, usuario: Usuario
) -> dict[str, int]:
    """Record the report's attendance; the counts the summary message shows."""
    reporte = _reporte(entrada.datos)
    resultado = services_importacion.importar_asistencia(
        sesion=sesion,
        filas=reporte.personas,
        minimos_minutos=entrada.datos["minimos"],
        usuario=usuario,
    )
    return {
        "marcadas": resultado["marcadas"],
        "ya": resultado["ya_registradas"],
        "insuficientes": len(resultado["insuficientes"]),
        "sin": len(resultado["sin_coincidencia"]) + len(reporte.sin_correo),
    }
