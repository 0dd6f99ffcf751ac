"""Reads of courses, editions and progress shared by several screens and services.

Every function here runs a fixed number of queries, whatever the number of
phases, lessons, sessions or people involved.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from django.db.models import Case, Exists, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from cursos.models import (
    Asistencia,
    CursoPage,
    Edicion,
    FasePage,
    Inscripcion,
    LeccionPage,
    ProgresoLeccion,
    SesionEnVivo,
)
from cursos.progreso import (
    EstadoCurso,
    Hechos,
    LeccionRegla,
    ReglaFase,
    SesionRegla,
    evaluar_curso,
)
from evaluaciones import selectors as evaluaciones_selectors
from lms.alcance import Accion, alcance_de, filtrar_por_alcance, permitidos, puede

PASO_RUTA = 4  # treebeard's materialised path step


def _bajo_cursos(cursos: Iterable[CursoPage], profundidad: int) -> Q:
    condicion = Q(pk__in=[])
    for curso in cursos:
        condicion |= Q(path__startswith=curso.path, depth=curso.depth + profundidad)
    return condicion


def fases_de(curso: CursoPage) -> QuerySet[FasePage]:
    """The published phases of `curso`, in the order of the page tree."""
    return FasePage.objects.live().child_of(curso).order_by("path")


def lecciones_de(fase: FasePage) -> QuerySet[LeccionPage]:
    """The published lessons of `fase`, in the order of the page tree (bodies not loaded)."""
    return LeccionPage.objects.live().child_of(fase).defer_streamfields().order_by("path")


Estructura = list[tuple[FasePage, list[LeccionPage]]]


def estructura_de_cursos(cursos: Sequence[CursoPage]) -> dict[int, Estructura]:
    """Each course's published phases with their published lessons (bodies not loaded),
    in tree order: two queries for any number of courses, phases and lessons."""
    cursos = list({c.pk: c for c in cursos}.values())
    if not cursos:
        return {}
    fases = (
        FasePage.objects.live()
        .filter(_bajo_cursos(cursos, 1))
        .select_related("evaluacion", "actividad_practica")
        .order_by("path")
    )
    lecciones = LeccionPage.objects.live().filter(_bajo_cursos(cursos, 2)).defer_streamfields()
    por_fase: dict[str, list[LeccionPage]] = defaultdict(list)
    for leccion in lecciones.order_by("path"):
        por_fase[leccion.path[:-PASO_RUTA]].append(leccion)
    curso_por_ruta = {c.path: c.pk for c in cursos}
    estructura: dict[int, Estructura] = {c.pk: [] for c in cursos}
    for fase in fases:
        estructura[curso_por_ruta[fase.path[:-PASO_RUTA]]].append((fase, por_fase[fase.path]))
    return estructura


def reglas_por_curso(
    cursos: Sequence[CursoPage], *, estructura: dict[int, Estructura] | None = None
) -> dict[int, list[ReglaFase]]:
    """Each course's phase rules (without sessions, which belong to editions).

    With `estructura` (from `estructura_de_cursos`, already loaded) no query is made.
    """
    cursos = list({c.pk: c for c in cursos}.values())
    if not cursos:
        return {}
    lecciones_por_fase: dict[str, list[LeccionRegla]] = defaultdict(list)
    if estructura is not None and all(c.pk in estructura for c in cursos):
        fases = [fase for c in cursos for fase, _lecciones in estructura[c.pk]]
        for c in cursos:
            for fase, lecciones_fase in estructura[c.pk]:
                lecciones_por_fase[fase.path] = [
                    LeccionRegla(x.pk, x.title, x.obligatoria) for x in lecciones_fase
                ]
    else:
        fases = list(
            FasePage.objects.live()
            .filter(_bajo_cursos(cursos, 1))
            .select_related("evaluacion", "actividad_practica")
            .order_by("path")
        )
        lecciones = (
            LeccionPage.objects.live()
            .filter(_bajo_cursos(cursos, 2))
            .order_by("path")
            .values_list("pk", "title", "obligatoria", "path")
        )
        for pk, titulo, obligatoria, ruta in lecciones:
            lecciones_por_fase[ruta[:-PASO_RUTA]].append(LeccionRegla(pk, titulo, obligatoria))
    curso_por_ruta = {c.path: c.pk for c in cursos}
    reglas: dict[int, list[ReglaFase]] = {c.pk: [] for c in cursos}
    for fase in fases:
        reglas[curso_por_ruta[fase.path[:-PASO_RUTA]]].append(
            ReglaFase(
                id=fase.pk,
                titulo=fase.title,
                lecciones=tuple(lecciones_por_fase[fase.path]),
                asistencia_minima=fase.asistencia_minima,
                evaluacion_id=fase.evaluacion_id,
                evaluacion_titulo=fase.evaluacion.titulo if fase.evaluacion else "",
                actividad_id=fase.actividad_practica_id,
                actividad_titulo=(
                    fase.actividad_practica.titulo if fase.actividad_practica else ""
                ),
                horas=fase.horas,
                metodo_calificacion=fase.evaluacion.metodo_calificacion if fase.evaluacion else "",
            )
        )
    return reglas


def reglas_por_edicion(
    ediciones: Sequence[Edicion],
    *,
    estructura: dict[int, Estructura] | None = None,
    sesiones_cargadas: Sequence[SesionEnVivo] | None = None,
) -> dict[int, list[ReglaFase]]:
    """Each edition's phase rules, with the edition's own live sessions in each phase.

    The course structure and the editions' sessions, when the caller already loaded
    them (`estructura_de_cursos`, `sesiones_de`), are not read again.
    """
    ediciones = list({e.pk: e for e in ediciones}.values())
    por_curso = reglas_por_curso([e.curso for e in ediciones], estructura=estructura)
    sesiones: dict[tuple[int, int], list[SesionRegla]] = defaultdict(list)
    if sesiones_cargadas is None:
        filas: Iterable[tuple[int, str, int, int]] = SesionEnVivo.objects.filter(
            edicion__in=[e.pk for e in ediciones]
        ).values_list("pk", "titulo", "edicion_id", "fase_id")
    else:
        filas = [(s.pk, s.titulo, s.edicion_id, s.fase_id) for s in sesiones_cargadas]
    for pk, titulo, edicion_id, fase_id in filas:
        sesiones[(edicion_id, fase_id)].append(SesionRegla(pk, titulo))
    return {
        edicion.pk: [
            _con_sesiones(regla, tuple(sesiones[(edicion.pk, regla.id)]))
            for regla in por_curso[edicion.curso_id]
        ]
        for edicion in ediciones
    }


def _con_sesiones(regla: ReglaFase, sesiones: tuple[SesionRegla, ...]) -> ReglaFase:
    return replace(regla, sesiones=sesiones)


def hechos_de(
    inscripciones: Sequence[Inscripcion], reglas: dict[int, list[ReglaFase]]
) -> dict[int, Hechos]:
    """The stored facts of each enrolment, keyed by enrolment id."""
    if not inscripciones:
        return {}
    ids = [i.pk for i in inscripciones]
    lecciones: dict[int, dict[int, datetime.datetime]] = defaultdict(dict)
    for inscripcion_id, leccion_id, fecha in ProgresoLeccion.objects.filter(
        inscripcion_id__in=ids
    ).values_list("inscripcion_id", "leccion_id", "completada_en"):
        lecciones[inscripcion_id][leccion_id] = fecha
    usuario_ids = sorted({i.usuario_id for i in inscripciones})
    edicion_ids = sorted({i.edicion_id for i in inscripciones})
    asistencias: dict[tuple[int, int], dict[int, datetime.datetime]] = defaultdict(dict)
    for sesion_id, usuario_id, edicion_id, registrada, inicio, minutos in Asistencia.objects.filter(
        sesion__edicion_id__in=edicion_ids, usuario_id__in=usuario_ids
    ).values_list(
        "sesion_id",
        "usuario_id",
        "sesion__edicion_id",
        "registrada_en",
        "sesion__inicio",
        "sesion__duracion_minutos",
    ):
        fin = inicio + datetime.timedelta(minutes=minutos)
        asistencias[(edicion_id, usuario_id)][sesion_id] = min(registrada, fin)
    evaluacion_ids = sorted(
        {
            evaluacion_id
            for reglas_edicion in reglas.values()
            for regla in reglas_edicion
            for evaluacion_id in (regla.evaluacion_id, regla.actividad_id)
            if evaluacion_id is not None
        }
    )
    aprobadas: dict[int, dict[int, datetime.datetime]] = defaultdict(dict)
    if evaluacion_ids:
        for (usuario_id, evaluacion_id), fecha in evaluaciones_selectors.aprobaciones(
            usuario_ids=usuario_ids, evaluacion_ids=evaluacion_ids
        ).items():
            aprobadas[usuario_id][evaluacion_id] = fecha
    return {
        i.pk: Hechos(
            lecciones=lecciones[i.pk],
            asistencias=asistencias[(i.edicion_id, i.usuario_id)],
            aprobaciones=aprobadas[i.usuario_id],
            inscrita_en=i.inscrita_en,
        )
        for i in inscripciones
    }


def estados_derivados(inscripciones: Sequence[Inscripcion]) -> dict[int, EstadoCurso]:
    """Phase-by-phase completion of each enrolment (its edition and course preloaded),
    derived from its facts now.

    Only the writers of the stored progress and the checks that it agrees use this;
    readers show `cursos.services.leer_avances`, the stored projection.
    """
    reglas = reglas_por_edicion([i.edicion for i in inscripciones])
    hechos = hechos_de(inscripciones, reglas)
    return {i.pk: evaluar_curso(reglas[i.edicion_id], hechos[i.pk]) for i in inscripciones}


def estado_derivado(inscripcion: Inscripcion) -> EstadoCurso:
    return estados_derivados([inscripcion])[inscripcion.pk]


def inscripcion_vigente(
    usuario: Any, curso: CursoPage | None = None, *, ruta_curso: str | None = None
) -> Inscripcion | None:
    """The person's active enrolment in an edition of `curso` (or of the course at the
    tree path `ruta_curso`, whose page then comes with the enrolment).

    Of several, the latest one that has already started (its lessons are open),
    else the soonest to start.
    """
    if not getattr(usuario, "is_authenticated", False):
        return None
    hoy = timezone.localdate()
    del_curso = Q(edicion__curso=curso) if curso is not None else Q(edicion__curso__path=ruta_curso)
    return (
        Inscripcion.objects.filter(del_curso, usuario=usuario, estado=Inscripcion.Estado.ACTIVA)
        .select_related("edicion", "edicion__curso")
        .annotate(
            por_comenzar=Case(
                When(edicion__fecha_inicio__gt=hoy, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("por_comenzar", "-edicion__fecha_inicio", "-pk")
        .first()
    )


def mis_inscripciones(usuario: Any) -> list[Inscripcion]:
    """The person's active enrolments, with edition and course.

    Each also says (`imparte`) whether the person teaches any course, so "Mis cursos"
    needs no query of its own for it.
    """
    return list(
        Inscripcion.objects.filter(usuario=usuario, estado=Inscripcion.Estado.ACTIVA)
        .select_related("edicion", "edicion__curso")
        .annotate(
            imparte=Exists(CursoPage.instructores.through.objects.filter(usuario_id=usuario.pk))
        )
        .order_by("-edicion__fecha_inicio", "pk")
    )


def sesiones_de(edicion_ids: Iterable[int]) -> list[SesionEnVivo]:
    """Every live session of these editions, soonest first, with its phase."""
    return list(
        SesionEnVivo.objects.filter(edicion_id__in=list(edicion_ids))
        .select_related("fase")
        .order_by("inicio")
    )


def proximas_sesiones(
    edicion_ids: Iterable[int], *, desde: datetime.datetime | None = None
) -> list[SesionEnVivo]:
    """Sessions of these editions that have not ended yet, soonest first."""
    desde = desde or timezone.now()
    # A session still running counts as upcoming: compare with the longest plausible length.
    return list(
        SesionEnVivo.objects.filter(
            edicion_id__in=list(edicion_ids),
            inicio__gte=desde - datetime.timedelta(hours=12),
        )
        .select_related("edicion", "edicion__curso", "fase")
        .order_by("inicio")
    )


def puede_gestionar_edicion(usuario: Any, edicion: Edicion) -> bool:
    """Coordinators, administrators and the course's instructors follow an edition."""
    return puede(usuario, Accion.VER, edicion)


def ediciones_gestionables(usuario: Any) -> QuerySet[Edicion]:
    """Editions a trainer or coordinator may follow (`cursos.politicas`)."""
    return (
        permitidos(usuario, Accion.LISTAR, Edicion)
        .select_related("curso")
        .order_by("-fecha_inicio", "nombre")
    )


def inscripciones_visibles(usuario: Any, edicion: Edicion) -> QuerySet[Inscripcion]:
    """The enrolments of `edicion` whose people `usuario` may see.

    Coordinators are scoped by the one scoping function. A course's instructors
    see every person enrolled in it: their scope is the course, not a state.
    """
    inscripciones = Inscripcion.objects.filter(edicion=edicion)
    alcance = alcance_de(usuario)
    if not (alcance.coordina or alcance.es_administrador) and puede_gestionar_edicion(
        usuario, edicion
    ):
        return inscripciones
    return filtrar_por_alcance(
        usuario, inscripciones, ruta_entidad="usuario__entidad", ruta_persona="usuario"
    )


# Time zones of the states that do not follow Mexico City's time (by INEGI code).
ZONAS_POR_ENTIDAD = {
    "02": "America/Tijuana",
    "03": "America/Mazatlan",
    "08": "America/Chihuahua",
    "18": "America/Mazatlan",
    "23": "America/Cancun",
    "25": "America/Mazatlan",
    "26": "America/Hermosillo",
}
ZONA_PREDETERMINADA = "America/Mexico_City"


def zona_horaria(usuario: Any) -> zoneinfo.ZoneInfo:
    """The time zone in which to show dates to `usuario`: that of their state."""
    clave = None
    entidad_id = getattr(usuario, "entidad_id", None)
    if entidad_id is not None:
        clave = CLAVES_ENTIDAD.get(entidad_id)
        if clave is None:
            from lms.models import EntidadFederativa

            CLAVES_ENTIDAD.update(EntidadFederativa.objects.values_list("pk", "clave_inegi"))
            clave = CLAVES_ENTIDAD.get(entidad_id)
    return zoneinfo.ZoneInfo(ZONAS_POR_ENTIDAD.get(clave or "", ZONA_PREDETERMINADA))


# Entity ids never change meaning; caching their INEGI codes saves a query per request.
CLAVES_ENTIDAD: dict[int, str] = {}


def lecciones_de_fases(fases: Sequence[FasePage]) -> dict[int, list[LeccionPage]]:
    """The published lessons of each phase, in one query."""
    if not fases:
        return {}
    condicion = Q(pk__in=[])
    for fase in fases:
        condicion |= Q(path__startswith=fase.path, depth=fase.depth + 1)
    fase_por_ruta = {f.path: f.pk for f in fases}
    resultado: dict[int, list[LeccionPage]] = {f.pk: [] for f in fases}
    lecciones = LeccionPage.objects.live().filter(condicion).defer_streamfields()
    for leccion in lecciones.order_by("path"):
        resultado[fase_por_ruta[leccion.path[:-PASO_RUTA]]].append(leccion)
    return resultado


def puede_gestionar_alguna(usuario: Any, *, imparte: bool | None = None) -> bool:
    """Whether `usuario` follows any edition (coordinator, administrator or instructor).

    `imparte`, when the caller already knows whether the person teaches a course.
    """
    alcance = alcance_de(usuario)
    if alcance.coordina or alcance.es_administrador:
        return True
    if alcance.usuario_id is None:
        return False
    if imparte is not None:
        return imparte
    return CursoPage.instructores.through.objects.filter(usuario_id=alcance.usuario_id).exists()
