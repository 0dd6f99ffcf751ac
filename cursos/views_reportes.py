"""Coordination dashboard, exports of completion records and the participant record.

Every view starts from `cursos.reportes.inscripciones_filtradas` or
`lms.alcance.personas_visibles`; filter choices are limited to the user's scope,
so a tampered id is an invalid choice with a Spanish message and no rows, never a
wider view. Objects outside the scope (a person, an export) are 404.
"""

from __future__ import annotations

import datetime
import tempfile
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from cursos import graficas, reportes, services_reportes
from cursos.models import CursoPage, Edicion, ExportacionSolicitada, FasePage, ProgramaPage
from lms.alcance import Accion, alcance_de, filtrar_por_alcance, permitidos, personas_visibles
from lms.archivos import descargar_privado
from lms.entrada import FiltroChoiceField
from lms.models import EntidadFederativa, Organizacion, RegistroAuditoria, Usuario
from lms.services import registrar_auditoria
from lms.views_coordinacion import OrganizacionChoiceField

FECHA_MINIMA = datetime.date(2000, 1, 1)
TIPOS_EXPORTACION: dict[str, str] = {
    ExportacionSolicitada.Formato.CSV: "text/csv; charset=utf-8",
    ExportacionSolicitada.Formato.XLSX: (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
}
ESTADOS = [
    ("", _("Todos")),
    (reportes.ESTADO_ACTIVA, _("Inscripción activa")),
    (reportes.ESTADO_EN_CURSO, _("En curso (activa, sin acreditar)")),
    (reportes.ESTADO_ACREDITADA, _("Acreditado")),
    (reportes.ESTADO_RETIRADA, _("Retirada")),
]


def _eleccion(mensaje: Any) -> dict[str, Any]:
    return {"invalid_choice": mensaje, "invalid_pk_value": mensaje}


class FiltroReporteForm(forms.Form):
    """GET filters of the dashboard and the exports; choices limited to the user's scope."""

    programa = FiltroChoiceField(
        label=_("Programa"),
        queryset=ProgramaPage.objects.none(),
        required=False,
        empty_label=_("Todos"),
        error_messages=_eleccion(_("El programa elegido no existe.")),
    )
    curso = FiltroChoiceField(
        label=_("Curso"),
        queryset=CursoPage.objects.none(),
        required=False,
        empty_label=_("Todos"),
        error_messages=_eleccion(_("El curso elegido no existe.")),
    )
    edicion = FiltroChoiceField(
        label=_("Edición"),
        queryset=Edicion.objects.none(),
        required=False,
        empty_label=_("Todas"),
        error_messages=_eleccion(_("La edición elegida no existe.")),
    )
    fase = FiltroChoiceField(
        label=_("Fase"),
        queryset=FasePage.objects.none(),
        required=False,
        empty_label=_("Todas"),
        help_text=_("Limita a las ediciones del curso de esa fase."),
        error_messages=_eleccion(_("La fase elegida no existe.")),
    )
    entidad = FiltroChoiceField(
        label=_("Entidad federativa"),
        queryset=EntidadFederativa.objects.none(),
        required=False,
        empty_label=_("Todas las de mi alcance"),
        error_messages=_eleccion(_("Elija una entidad de las que usted coordina.")),
    )
    organo_garante = OrganizacionChoiceField(
        label=_("Órgano garante"),
        queryset=Organizacion.objects.none(),
        required=False,
        empty_label=_("Todos"),
        error_messages=_eleccion(_("Elija un órgano garante de la lista.")),
    )
    organizacion = OrganizacionChoiceField(
        label=_("Sujeto obligado"),
        queryset=Organizacion.objects.none(),
        required=False,
        empty_label=_("Todos"),
        error_messages=_eleccion(_("Elija un sujeto obligado de la lista.")),
    )
    ambito = forms.ChoiceField(
        label=_("Ámbito"),
        required=False,
        choices=[("", _("Todos")), *Organizacion.Ambito.choices],
        error_messages={"invalid_choice": _("Elija un ámbito de la lista.")},
    )
    tipo = forms.ChoiceField(
        label=_("Tipo de sujeto obligado"),
        required=False,
        choices=[("", _("Todos")), *Organizacion.Tipo.choices],
        error_messages={"invalid_choice": _("Elija un tipo de la lista.")},
    )
    estado = forms.ChoiceField(
        label=_("Estado"),
        required=False,
        choices=ESTADOS,
        error_messages={"invalid_choice": _("Elija un estado de la lista.")},
    )
    desde = forms.DateField(
        label=_("Inscritas desde"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Escriba una fecha válida (AAAA-MM-DD).")},
    )
    hasta = forms.DateField(
        label=_("Inscritas hasta"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Escriba una fecha válida (AAAA-MM-DD).")},
    )

    def __init__(self, *args: Any, usuario: Usuario, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campos = self.fields
        # These are ModelChoiceFields; django-stubs types form fields as Field.
        campos["programa"].queryset = ProgramaPage.objects.order_by("title")  # type: ignore[attr-defined]
        campos["curso"].queryset = CursoPage.objects.order_by("title")  # type: ignore[attr-defined]
        campos["edicion"].queryset = Edicion.objects.select_related("curso")  # type: ignore[attr-defined]
        campos["fase"].queryset = FasePage.objects.order_by("path")  # type: ignore[attr-defined]
        campos["entidad"].queryset = filtrar_por_alcance(  # type: ignore[attr-defined]
            usuario, EntidadFederativa.objects.all(), ruta_entidad="pk"
        )
        organizaciones = Organizacion.objects.select_related("entidad").order_by(
            F("entidad__clave_inegi").asc(nulls_first=True), "nombre"
        )
        campos["organo_garante"].queryset = filtrar_por_alcance(  # type: ignore[attr-defined]
            usuario, organizaciones.filter(clase=Organizacion.Clase.ORGANO_GARANTE)
        )
        campos["organizacion"].queryset = filtrar_por_alcance(  # type: ignore[attr-defined]
            usuario, organizaciones.filter(clase=Organizacion.Clase.SUJETO_OBLIGADO)
        )

    def clean(self) -> dict[str, Any]:
        datos = super().clean() or {}
        hoy = timezone.localdate()
        for campo in ("desde", "hasta"):
            fecha = datos.get(campo)
            if fecha and not (FECHA_MINIMA <= fecha <= hoy + datetime.timedelta(days=366)):
                self.add_error(
                    campo,
                    _t("La fecha debe estar entre %(minima)s y el próximo año.")
                    % {"minima": date_format(FECHA_MINIMA, "SHORT_DATE_FORMAT")},
                )
        desde, hasta = datos.get("desde"), datos.get("hasta")
        if desde and hasta and desde > hasta:
            self.add_error("hasta", _t("La fecha final no puede ser anterior a la inicial."))
        return datos

    def filtros(self) -> reportes.Filtros:
        d = self.cleaned_data

        def pk(campo: str) -> int | None:
            return d[campo].pk if d.get(campo) else None

        return reportes.Filtros(
            programa_id=pk("programa"),
            curso_id=pk("curso"),
            edicion_id=pk("edicion"),
            fase_id=pk("fase"),
            entidad_id=pk("entidad"),
            organo_garante_id=pk("organo_garante"),
            organizacion_id=pk("organizacion"),
            ambito=d.get("ambito") or "",
            tipo=d.get("tipo") or "",
            estado=d.get("estado") or "",
            desde=d.get("desde"),
            hasta=d.get("hasta"),
        )


def _coordinador(request: HttpRequest) -> Usuario:
    """The requesting coordinator; anyone else gets a 404 (the area does not exist for them)."""
    usuario = cast(Usuario, request.user)
    if not alcance_de(usuario).coordina:
        raise Http404
    return usuario


def _formulario(request: HttpRequest, usuario: Usuario) -> FiltroReporteForm:
    return FiltroReporteForm(request.GET or None, usuario=usuario)


def _filtros_validos(form: FiltroReporteForm) -> reportes.Filtros | None:
    if not form.is_bound:
        return reportes.Filtros()
    return form.filtros() if form.is_valid() else None


def _mapa(datos: reportes.Tablero) -> graficas.Mapa | None:
    """The tile map of the states, when the view spans several of them."""
    if len([f for f in datos.por_entidad if f.entidad_id is not None]) < 2:
        return None
    nombres = dict(EntidadFederativa.objects.values_list("clave_inegi", "nombre"))
    return graficas.mapa_mosaicos(
        nombres,
        {f.clave: (f.inscritas, f.porcentaje) for f in datos.por_entidad if f.clave},
        sin_inscripciones=_t("sin inscripciones"),
    )


def _graficas(datos: reportes.Tablero) -> dict[str, Any]:
    cifras = datos.cifras
    etapas = [(_t("Inscritas"), cifras.inscritas)]
    for numero, completadas in enumerate(cifras.fases_completadas, start=1):
        etapas.append((_t("Fase %(numero)d completa") % {"numero": numero}, completadas))
    etapas.append((_t("Acreditadas"), cifras.acreditadas))
    ancho = reportes.ANCHO_INTERVALO
    intervalos = [
        (f"{i * ancho}–{i * ancho + ancho - (0 if i == len(datos.puntajes) - 1 else 1)}", n)
        for i, n in enumerate(datos.puntajes)
    ]
    meses = [(date_format(mes, "M Y"), n) for mes, n in datos.por_mes]
    return {
        "por_entidad": graficas.barras_horizontales(
            [(f.nombre or _t("Sin entidad"), f.inscritas, f.acreditadas) for f in datos.por_entidad]
        ),
        "leyenda_entidad": (_t("Inscritas"), _t("Acreditadas")),
        "embudo": graficas.barras_horizontales([(e, n, None) for e, n in etapas]),
        "puntajes": graficas.columnas(intervalos),
        "por_mes": graficas.linea(meses),
        "mapa": _mapa(datos),
    }


@login_required
@require_GET
def tablero(request: HttpRequest) -> HttpResponse:
    usuario = _coordinador(request)
    form = _formulario(request, usuario)
    filtros = _filtros_validos(form)
    datos = reportes.tablero(usuario, filtros) if filtros is not None else None
    consulta = request.GET.urlencode() if filtros is not None else ""
    return render(
        request,
        "cursos/reportes/tablero.html",
        {
            "form": form,
            "datos": datos,
            "graficas": _graficas(datos) if datos is not None else None,
            "consulta": consulta,
            "alcance": alcance_de(usuario),
        },
    )


@login_required
@require_GET
def exportar(request: HttpRequest, formato: str) -> HttpResponseBase:
    usuario = _coordinador(request)
    if formato not in ExportacionSolicitada.Formato.values:
        raise Http404
    form = _formulario(request, usuario)
    filtros = _filtros_validos(form)
    if filtros is None:
        return render(
            request, "cursos/reportes/exportacion_invalida.html", {"form": form}, status=400
        )
    qs = reportes.inscripciones_filtradas(usuario, filtros)
    filas = qs.count()
    if filas > services_reportes.MAX_FILAS_DIRECTAS[formato]:
        exportacion = services_reportes.solicitar_exportacion(
            usuario=usuario, filtros=filtros, formato=formato, filas=filas
        )
        return HttpResponseRedirect(reverse("cursos:exportacion", args=[exportacion.uid]))
    registrar_auditoria(
        usuario=usuario,
        accion=RegistroAuditoria.Accion.EXPORTACION,
        filtros={**filtros.como_json(), "formato": formato},
        filas=filas,
    )
    con_curp = reportes.puede_ver_curp(usuario)
    nombre = services_reportes.nombre_archivo(formato)
    if formato == ExportacionSolicitada.Formato.CSV:
        respuesta = StreamingHttpResponse(
            services_reportes.csv_en_partes(qs, con_curp=con_curp),
            content_type=TIPOS_EXPORTACION[ExportacionSolicitada.Formato.CSV],
        )
        respuesta["Content-Disposition"] = f'attachment; filename="{nombre}"'
        return respuesta
    # XLSX is a zip whose directory is written last, so it is built in a temporary file.
    temporal = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    services_reportes.escribir_xlsx(qs, temporal, con_curp=con_curp)
    temporal.seek(0)
    return FileResponse(
        temporal,
        as_attachment=True,
        filename=nombre,
        content_type=TIPOS_EXPORTACION[ExportacionSolicitada.Formato.XLSX],
    )


def _exportacion_propia(request: HttpRequest, uid: Any) -> ExportacionSolicitada:
    """The requester's export while their scope still covers it (asked on every request)."""
    return get_object_or_404(permitidos(request.user, Accion.VER, ExportacionSolicitada), uid=uid)


@login_required
@require_GET
def exportacion(request: HttpRequest, uid: Any) -> HttpResponse:
    exportacion = _exportacion_propia(request, uid)
    return render(
        request,
        "cursos/reportes/exportacion.html",
        {"exportacion": exportacion, "vencida": exportacion.vencida()},
    )


@login_required
@require_GET
def exportacion_descargar(request: HttpRequest, uid: Any) -> HttpResponseBase:
    exportacion = _exportacion_propia(request, uid)
    if (
        exportacion.vencida()
        or exportacion.estado != ExportacionSolicitada.Estado.LISTA
        or not exportacion.archivo
    ):
        raise Http404
    registrar_auditoria(
        usuario=cast(Usuario, request.user),
        accion=RegistroAuditoria.Accion.DESCARGA,
        filtros=exportacion.filtros,
        filas=exportacion.total_filas,
        objeto=str(exportacion.uid),
    )
    return descargar_privado(
        exportacion.archivo,
        nombre=services_reportes.nombre_archivo(exportacion.formato),
        content_type=TIPOS_EXPORTACION[exportacion.formato],
    )


@login_required
@require_GET
def kardex(request: HttpRequest, pk: int) -> HttpResponse:
    usuario = _coordinador(request)
    persona = get_object_or_404(
        personas_visibles(usuario).select_related("organizacion", "entidad"), pk=pk
    )
    datos = reportes.kardex(usuario, persona)
    registrar_auditoria(
        usuario=usuario,
        accion=RegistroAuditoria.Accion.CONSULTA_KARDEX,
        filtros={"persona": persona.pk},
        filas=len(datos.inscripciones),
        objeto=str(persona.pk),
    )
    return render(
        request,
        "cursos/reportes/kardex.html",
        {
            "persona": persona,
            "datos": datos,
            "curp": persona.curp
            if reportes.puede_ver_curp(usuario)
            else reportes.enmascarar_curp(persona.curp),
            "impresion": request.GET.get("impresion") == "1",
            "generado_en": timezone.now(),
        },
    )
