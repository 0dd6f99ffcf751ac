"""The courses app's part of the personal-data download (registered in CursosConfig.ready).

Each function reads only the rows of the person it is given, in a fixed number of
queries however many records they have.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from cursos.models import (
    Asistencia,
    AvanceFase,
    CursoPage,
    ExportacionSolicitada,
    Inscripcion,
    ProgresoLeccion,
)
from lms.models import Usuario
from lms.selectors import fecha_json, numero_json, registrar_proveedor_datos


def inscripciones(usuario: Usuario) -> list[dict[str, Any]]:
    """Every enrolment, withdrawn ones too, with its derived progress per phase."""
    consulta = (
        Inscripcion.objects.filter(usuario=usuario)
        .select_related("edicion__curso", "fase_actual")
        .prefetch_related(
            Prefetch(
                "avances_fase",
                queryset=AvanceFase.objects.select_related("fase").order_by("orden"),
            )
        )
        .order_by("inscrita_en", "pk")
    )
    return [
        {
            "curso": i.edicion.curso.title,
            "edicion": i.edicion.nombre,
            "modalidad": i.edicion.get_modalidad_display(),
            "fecha_inicio": fecha_json(i.edicion.fecha_inicio),
            "fecha_fin": fecha_json(i.edicion.fecha_fin),
            "estado": i.get_estado_display(),
            "origen": i.get_origen_display(),
            "inscrita_en": fecha_json(i.inscrita_en),
            "retirada_en": fecha_json(i.retirada_en),
            "avance_porcentaje": i.avance,
            "fases_completadas": i.fases_completadas,
            "fases_total": i.fases_total,
            "fase_actual": i.fase_actual.title if i.fase_actual else None,
            "asistencia_porcentaje": i.asistencia,
            "calificacion": numero_json(i.calificacion),
            "horas_acreditadas": i.horas_acreditadas,
            "curso_acreditado_en": fecha_json(i.completada_en),
            "avance_por_fase": [
                {
                    "fase": a.fase.title,
                    "numero": a.orden,
                    "avance_porcentaje": a.porcentaje,
                    "lecciones_completadas": a.lecciones,
                    "lecciones_obligatorias": a.lecciones_total,
                    "sesiones_asistidas": a.asistencias,
                    "sesiones_requeridas": a.sesiones_requeridas,
                    "calificacion": numero_json(a.calificacion),
                    "completada_en": fecha_json(a.completada_en),
                }
                for a in i.avances_fase.all()
            ],
        }
        for i in consulta
    ]


def lecciones_completadas(usuario: Usuario) -> list[dict[str, Any]]:
    consulta = (
        ProgresoLeccion.objects.filter(inscripcion__usuario=usuario)
        .select_related("leccion", "inscripcion__edicion__curso")
        .order_by("completada_en", "pk")
    )
    return [
        {
            "leccion": p.leccion.title,
            "curso": p.inscripcion.edicion.curso.title,
            "edicion": p.inscripcion.edicion.nombre,
            "completada_en": fecha_json(p.completada_en),
        }
        for p in consulta
    ]


def asistencias(usuario: Usuario) -> list[dict[str, Any]]:
    consulta = (
        Asistencia.objects.filter(usuario=usuario)
        .select_related("sesion__edicion__curso")
        .order_by("sesion__inicio", "pk")
    )
    return [
        {
            "sesion": a.sesion.titulo,
            "curso": a.sesion.edicion.curso.title,
            "edicion": a.sesion.edicion.nombre,
            "inicio": fecha_json(a.sesion.inicio),
            "origen": a.get_origen_display(),
            "minutos": a.minutos,
            "registrada_en": fecha_json(a.registrada_en),
        }
        for a in consulta
    ]


def cursos_que_imparte(usuario: Usuario) -> list[str]:
    return list(
        CursoPage.objects.filter(instructores=usuario)
        .order_by("title")
        .values_list("title", flat=True)
    )


def exportaciones_solicitadas(usuario: Usuario) -> list[dict[str, Any]]:
    consulta = (
        ExportacionSolicitada.objects.filter(solicitante=usuario)
        .only("formato", "filtros", "estado", "total_filas", "creada_en", "expira_en")
        .order_by("creada_en", "pk")
    )
    return [
        {
            "formato": e.get_formato_display(),
            "filtros": e.filtros,
            "estado": e.get_estado_display(),
            "filas": e.total_filas,
            "solicitada_en": fecha_json(e.creada_en),
            "expira_en": fecha_json(e.expira_en),
        }
        for e in consulta
    ]


def registrar() -> None:
    registrar_proveedor_datos("inscripciones", inscripciones)
    registrar_proveedor_datos("lecciones_completadas", lecciones_completadas)
    registrar_proveedor_datos("asistencias", asistencias)
    registrar_proveedor_datos("cursos_que_imparte", cursos_que_imparte)
    registrar_proveedor_datos("exportaciones_solicitadas", exportaciones_solicitadas)
