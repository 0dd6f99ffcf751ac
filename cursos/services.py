"""Writes on editions: enrolment, attendance, lesson progress and the completion they derive."""

from __future__ import annotations

import datetime
import logging
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from cursos import manifestaciones, selectors
from cursos.models import (
    Asistencia,
    CursoPage,
    Edicion,
    Inscripcion,
    LeccionPage,
    ProgresoLeccion,
    SesionEnVivo,
)
from cursos.progreso import EstadoCurso, EstadoFase, Hechos, ReglaFase, evaluar_curso
from cursos.signals import completitud_cambiada
from lms.models import Usuario

logger = logging.getLogger(__name__)


class InscripcionError(ValidationError):
    """An enrolment or withdrawal that cannot be done; the message is for the person."""


class AsistenciaError(ValidationError):
    """An attendance that cannot be recorded; the message is for the person."""


class ProgresoError(ValidationError):
    """A lesson that cannot be marked complete; the message is for the person."""


def motivo_no_elegible(*, edicion: Edicion, usuario: Usuario) -> str | None:
    """Why `usuario` may not enrol in `edicion` by state or organization, or None.

    A programme that requires a manifestación de interés opens only to the states whose
    manifestación for the edition's year was accepted.
    """
    entidades = {e.pk for e in edicion.entidades.all()}
    if entidades and usuario.entidad_id not in entidades:
        return _("Esta edición es solo para personas de otras entidades federativas.")
    organizaciones = {o.pk for o in edicion.organizaciones.all()}
    if organizaciones and usuario.organizacion_id not in organizaciones:
        return _("Esta edición es solo para personas de otras organizaciones.")
    return manifestaciones.motivo_sin_manifestacion(edicion=edicion, usuario=usuario)


@transaction.atomic
def inscribir_persona(
    *,
    edicion: Edicion,
    usuario: Usuario,
    origen: str = Inscripcion.Origen.AUTOINSCRIPCION,
    inscrita_por: Usuario | None = None,
    ahora: datetime.datetime | None = None,
) -> Inscripcion:
    """Enrol `usuario` in `edicion` once, within its capacity; the one enrolment service.

    Self-enrolment also needs the edition to allow it and its window to be open;
    coordinators (one by one or in bulk) may enrol outside the window. The edition
    row is locked first, so two requests racing for the last place are served one
    after the other and the second one is refused. A withdrawn enrolment is
    reactivated, keeping its progress.
    """
    ahora = ahora or timezone.now()
    edicion = Edicion.objects.select_for_update().get(pk=edicion.pk)
    existente = Inscripcion.objects.filter(edicion=edicion, usuario=usuario).first()
    if existente is not None and existente.activa:
        raise InscripcionError(_("Ya está inscrita o inscrito en esta edición."), code="duplicada")
    if origen == Inscripcion.Origen.AUTOINSCRIPCION:
        if not edicion.autoinscripcion:
            raise InscripcionError(
                _("En esta edición solo la coordinación puede inscribir personas."),
                code="sin_autoinscripcion",
            )
        if ahora < edicion.inscripcion_abre:
            raise InscripcionError(
                _("La inscripción a esta edición todavía no abre."), code="ventana"
            )
        if ahora >= edicion.inscripcion_cierra:
            raise InscripcionError(_("La inscripción a esta edición ya cerró."), code="ventana")
    motivo = motivo_no_elegible(edicion=edicion, usuario=usuario)
    if motivo:
        raise InscripcionError(motivo, code="no_elegible")
    if edicion.cupo is not None:
        ocupados = Inscripcion.objects.filter(
            edicion=edicion, estado=Inscripcion.Estado.ACTIVA
        ).count()
        if ocupados >= edicion.cupo:
            raise InscripcionError(_("Ya no hay lugares disponibles en esta edición."), code="cupo")
    if existente is not None:
        existente.estado = Inscripcion.Estado.ACTIVA
        existente.retirada_en = None
        existente.origen = origen
        existente.inscrita_por = inscrita_por
        existente.save(update_fields=["estado", "retirada_en", "origen", "inscrita_por"])
        # Rules may have changed while it was withdrawn: its progress is computed now.
        return actualizar_completitud(inscripcion=existente)
    try:
        with transaction.atomic():
            creada = Inscripcion.objects.create(
                edicion=edicion,
                usuario=usuario,
                origen=origen,
                inscrita_por=inscrita_por,
                inscrita_en=ahora,
            )
    except IntegrityError as error:
        raise InscripcionError(
            _("Ya está inscrita o inscrito en esta edición."), code="duplicada"
        ) from error
    # Stored progress exists from the first moment (a course asking nothing is complete).
    return actualizar_completitud(inscripcion=creada)


@transaction.atomic
def retirar_inscripcion(
    *, inscripcion: Inscripcion, ahora: datetime.datetime | None = None
) -> Inscripcion:
    """Withdraw from an edition; the record and its progress are kept."""
    inscripcion = Inscripcion.objects.select_for_update().get(pk=inscripcion.pk)
    if not inscripcion.activa:
        raise InscripcionError(_("Esta inscripción ya estaba retirada."), code="retirada")
    if inscripcion.completada_en is not None:
        raise InscripcionError(
            _("Ya acreditó este curso; la inscripción no puede retirarse."), code="acreditada"
        )
    inscripcion.estado = Inscripcion.Estado.RETIRADA
    inscripcion.retirada_en = ahora or timezone.now()
    inscripcion.save(update_fields=["estado", "retirada_en"])
    return inscripcion


@transaction.atomic
def marcar_leccion_completada(
    *, inscripcion: Inscripcion, leccion: LeccionPage, ahora: datetime.datetime | None = None
) -> ProgresoLeccion:
    """Record that the person completed `leccion` (idempotent) and update completion.

    Progress is recorded only between the edition's first and last day (in the
    platform's time zone, on the date of `ahora`): before, its lessons are not
    open yet; after, they stay readable but the edition is closed.
    """
    if not inscripcion.activa:
        raise ProgresoError(_("Su inscripción en esta edición no está activa."), code="inactiva")
    edicion = inscripcion.edicion
    curso = edicion.curso
    if not (leccion.live and leccion.path.startswith(curso.path)):
        raise ProgresoError(_("Esta lección no pertenece a su curso."), code="ajena")
    hoy = timezone.localdate(ahora) if ahora else timezone.localdate()
    if edicion.por_comenzar(hoy):
        raise ProgresoError(
            _("La edición comienza el %(fecha)s; a partir de ese día podrá registrar su avance.")
            % {"fecha": date_format(edicion.fecha_inicio, "DATE_FORMAT")},
            code="por_comenzar",
        )
    if edicion.terminada(hoy):
        raise ProgresoError(
            _(
                "La edición terminó el %(fecha)s; ya no es posible marcar lecciones como "
                "completadas. Puede seguir consultando el contenido."
            )
            % {"fecha": date_format(edicion.fecha_fin, "DATE_FORMAT")},
            code="terminada",
        )
    progreso, creado = ProgresoLeccion.objects.get_or_create(
        inscripcion=inscripcion,
        leccion=leccion,
        defaults={"completada_en": ahora or timezone.now()},
    )
    if creado:
        actualizar_completitud(inscripcion=inscripcion)
    return progreso


def _codigos_iguales(a: str, b: str) -> bool:
    normal = [("".join(c.split())).upper().encode() for c in (a, b)]
    return secrets.compare_digest(normal[0], normal[1])


@transaction.atomic
def registrar_asistencia(
    *,
    sesion: SesionEnVivo,
    usuario: Usuario,
    codigo: str,
    ahora: datetime.datetime | None = None,
) -> Asistencia:
    """Check in to a live session with its code, during its window; idempotent."""
    ahora = ahora or timezone.now()
    inscripcion = Inscripcion.objects.filter(
        edicion_id=sesion.edicion_id, usuario=usuario, estado=Inscripcion.Estado.ACTIVA
    ).first()
    if inscripcion is None:
        raise AsistenciaError(
            _("Solo las personas inscritas en la edición registran asistencia."),
            code="no_inscrita",
        )
    existente = Asistencia.objects.filter(sesion=sesion, usuario=usuario).first()
    if existente is not None:
        return existente
    if not sesion.registro_abierto(ahora):
        raise AsistenciaError(
            _("El registro de asistencia solo está abierto durante la sesión."), code="ventana"
        )
    if not _codigos_iguales(codigo, sesion.codigo_asistencia):
        raise AsistenciaError(_("El código de asistencia no es correcto."), code="codigo")
    return _guardar_asistencia(
        sesion=sesion,
        usuario=usuario,
        inscripcion=inscripcion,
        origen=Asistencia.Origen.CODIGO,
        registrada_en=ahora,
    )


def _guardar_asistencia(
    *,
    sesion: SesionEnVivo,
    usuario: Usuario,
    inscripcion: Inscripcion,
    origen: str,
    registrada_en: datetime.datetime,
    registrada_por: Usuario | None = None,
    minutos: int | None = None,
) -> Asistencia:
    try:
        with transaction.atomic():
            asistencia = Asistencia.objects.create(
                sesion=sesion,
                usuario=usuario,
                origen=origen,
                registrada_en=registrada_en,
                registrada_por=registrada_por,
                minutos=minutos,
            )
    except IntegrityError:
        # A concurrent request recorded it first: the fact is stored once either way.
        return Asistencia.objects.get(sesion=sesion, usuario=usuario)
    actualizar_completitud(inscripcion=inscripcion)
    return asistencia


@transaction.atomic
def marcar_asistencia(
    *,
    sesion: SesionEnVivo,
    usuario: Usuario,
    presente: bool,
    registrada_por: Usuario | None,
    origen: str = Asistencia.Origen.MANUAL,
    minutos: int | None = None,
    ahora: datetime.datetime | None = None,
) -> Asistencia | None:
    """Set by hand (or from a meeting report) whether `usuario` attended `sesion`.

    Marking someone present twice keeps the first record; marking them absent
    deletes it. Either way completion is recomputed.
    """
    inscripcion = Inscripcion.objects.filter(
        edicion_id=sesion.edicion_id, usuario=usuario, estado=Inscripcion.Estado.ACTIVA
    ).first()
    if inscripcion is None:
        raise AsistenciaError(
            _("La persona no está inscrita en la edición de esta sesión."), code="no_inscrita"
        )
    existente = Asistencia.objects.filter(sesion=sesion, usuario=usuario).first()
    if not presente:
        if existente is not None:
            existente.delete()
            actualizar_completitud(inscripcion=inscripcion)
        return None
    if existente is not None:
        return existente
    return _guardar_asistencia(
        sesion=sesion,
        usuario=usuario,
        inscripcion=inscripcion,
        origen=origen,
        registrada_en=ahora or timezone.now(),
        registrada_por=registrada_por,
        minutos=minutos,
    )


@transaction.atomic
def marcar_asistencias(
    *,
    sesion: SesionEnVivo,
    presentes: set[int],
    consideradas: set[int],
    registrada_por: Usuario | None,
) -> None:
    """Save a trainer's attendance list: among `consideradas`, exactly `presentes` attended."""
    usuarios = {u.pk: u for u in Usuario.objects.filter(pk__in=consideradas)}
    ya = set(
        sesion.asistencias.filter(usuario_id__in=consideradas).values_list("usuario_id", flat=True)
    )
    for usuario_id in sorted((presentes - ya) | ((ya - presentes) & consideradas)):
        marcar_asistencia(
            sesion=sesion,
            usuario=usuarios[usuario_id],
            presente=usuario_id in presentes,
            registrada_por=registrada_por,
        )


@dataclass(frozen=True)
class AvanceDerivado:
    """Everything stored about an enrolment's progress, as derived from its facts now."""

    completada_en: datetime.datetime | None
    fases_completadas: int
    fases_total: int
    fase_actual_id: int | None
    avance: int
    asistencia: int | None
    calificacion: Decimal | None
    horas_acreditadas: int
    # (fase_id, orden, completada_en, porcentaje, lecciones, lecciones_total, asistencias,
    #  sesiones_requeridas, calificacion) per phase, in course order.
    fases: tuple[tuple[Any, ...], ...]

    def columnas(self) -> dict[str, Any]:
        """The values of the `Inscripcion` columns that cache this progress."""
        return {
            "completada_en": self.completada_en,
            "fases_completadas": self.fases_completadas,
            "fases_total": self.fases_total,
            "fase_actual_id": self.fase_actual_id,
            "avance": self.avance,
            "asistencia": self.asistencia,
            "calificacion": self.calificacion,
            "horas_acreditadas": self.horas_acreditadas,
        }


COLUMNAS_AVANCE = (
    "completada_en",
    "fases_completadas",
    "fases_total",
    "fase_actual_id",
    "avance",
    "asistencia",
    "calificacion",
    "horas_acreditadas",
)
CAMPOS_AVANCE_FASE = (
    "orden",
    "completada_en",
    "porcentaje",
    "lecciones",
    "lecciones_total",
    "asistencias",
    "sesiones_requeridas",
    "calificacion",
)


def derivar_avances(inscripciones: Sequence[Inscripcion]) -> dict[int, AvanceDerivado]:
    """The progress of each enrolment (edition and course preloaded), derived from its facts.

    Completion comes from `cursos.progreso.evaluar_curso`, the one rule function;
    this adds what reports show of it (hours, attendance and the final grade of
    each phase's evaluation). A fixed number of queries whatever the number of
    enrolments.
    """
    if not inscripciones:
        return {}
    reglas = selectors.reglas_por_edicion([i.edicion for i in inscripciones])
    hechos = selectors.hechos_de(inscripciones, reglas)
    return {pk: avance for pk, (_estado, avance) in _derivar(inscripciones, reglas, hechos).items()}


def _derivar(
    inscripciones: Sequence[Inscripcion],
    reglas: dict[int, list[ReglaFase]],
    hechos: dict[int, Hechos],
    *,
    textos: bool = False,
) -> dict[int, tuple[EstadoCurso, AvanceDerivado]]:
    """Each enrolment's course state and the progress stored of it, from rules and facts
    already read. `textos` keeps the "what is missing" messages in the active language
    (readers show them; writers skip their catalogue lookups)."""
    from evaluaciones import scoring
    from evaluaciones.models import Intento

    horas: dict[int, int] = {}
    metodos: dict[int, scoring.MetodoCalificacion] = {}
    for regla in (r for lista in reglas.values() for r in lista):
        horas[regla.id] = regla.horas
        if regla.evaluacion_id is not None:
            metodos[regla.evaluacion_id] = scoring.MetodoCalificacion(regla.metodo_calificacion)
    intentos: dict[tuple[int, int], list[scoring.IntentoCalificado]] = defaultdict(list)
    if metodos:
        for usuario_id, evaluacion_id, numero, porcentaje, calificado_en in Intento.objects.filter(
            usuario_id__in={i.usuario_id for i in inscripciones},
            evaluacion_id__in=list(metodos),
            estado=Intento.Estado.CALIFICADO,
            porcentaje__isnull=False,
            calificado_en__isnull=False,
        ).values_list("usuario_id", "evaluacion_id", "numero", "porcentaje", "calificado_en"):
            if porcentaje is None or calificado_en is None:
                continue
            intentos[(usuario_id, evaluacion_id)].append(
                scoring.IntentoCalificado(numero, porcentaje, calificado_en)
            )
    resultado: dict[int, tuple[EstadoCurso, AvanceDerivado]] = {}
    for inscripcion in inscripciones:
        reglas_edicion = reglas[inscripcion.edicion_id]
        if textos:
            estado = evaluar_curso(reglas_edicion, hechos[inscripcion.pk])
        else:
            with override(None):
                estado = evaluar_curso(reglas_edicion, hechos[inscripcion.pk])
        finales = {
            evaluacion_id: scoring.calificacion_final(
                metodo, intentos.get((inscripcion.usuario_id, evaluacion_id), [])
            )
            for evaluacion_id, metodo in metodos.items()
        }
        fases = []
        seguidas = 0
        interrumpida = False
        for orden, (regla, fase) in enumerate(zip(reglas_edicion, estado.fases, strict=True), 1):
            if fase.completa and not interrumpida:
                seguidas += 1
            else:
                interrumpida = True
            fases.append(
                (
                    fase.fase_id,
                    orden,
                    fase.fecha if fase.completa else None,
                    fase.porcentaje,
                    fase.lecciones_completadas,
                    fase.lecciones_total,
                    fase.asistencias,
                    fase.sesiones_requeridas,
                    finales.get(regla.evaluacion_id) if regla.evaluacion_id else None,
                )
            )
        sesiones = sum(len(r.sesiones) for r in reglas_edicion)
        asistidas = sum(f.asistencias for f in estado.fases)
        # The grade shown is that of the last phase that has an evaluation.
        calificacion = next(
            (finales.get(r.evaluacion_id) for r in reversed(reglas_edicion) if r.evaluacion_id),
            None,
        )
        resultado[inscripcion.pk] = (
            estado,
            AvanceDerivado(
                completada_en=estado.fecha if estado.completo else None,
                fases_completadas=seguidas,
                fases_total=len(estado.fases),
                fase_actual_id=next((f.fase_id for f in estado.fases if not f.completa), None),
                avance=estado.porcentaje,
                asistencia=round(100 * asistidas / sesiones) if sesiones else None,
                calificacion=calificacion,
                horas_acreditadas=sum(horas.get(f.fase_id, 0) for f in estado.fases if f.completa),
                fases=tuple(fases),
            ),
        )
    return resultado


def _guardar_avances(inscripciones: Sequence[Inscripcion]) -> int:
    """Store the derived progress of these (locked) enrolments; returns how many changed.

    Writes only what differs, and tells `completitud_cambiada` listeners of each
    changed course completion once the transaction commits.
    """
    from cursos.models import AvanceFase

    derivados = derivar_avances(inscripciones)
    ahora = timezone.now()
    existentes: dict[int, dict[int, Any]] = defaultdict(dict)
    for guardada in AvanceFase.objects.filter(inscripcion__in=[i.pk for i in inscripciones]):
        existentes[guardada.inscripcion_id][guardada.fase_id] = guardada
    crear: list[AvanceFase] = []
    actualizar: list[AvanceFase] = []
    sobrantes: list[int] = []
    cambiadas: list[Inscripcion] = []
    avisos: list[tuple[int, bool]] = []
    for inscripcion in inscripciones:
        avance = derivados[inscripcion.pk]
        cambio = inscripcion.avance_calculado_en is None
        for campo, valor in avance.columnas().items():
            if getattr(inscripcion, campo) != valor:
                cambio = True
                if campo == "completada_en":
                    avisos.append((inscripcion.pk, valor is not None))
                setattr(inscripcion, campo, valor)
        vigentes = set()
        for fase_id, *valores in avance.fases:
            vigentes.add(fase_id)
            fila = existentes[inscripcion.pk].get(fase_id)
            nuevos = dict(zip(CAMPOS_AVANCE_FASE, valores, strict=True))
            if fila is None:
                crear.append(AvanceFase(inscripcion_id=inscripcion.pk, fase_id=fase_id, **nuevos))
            elif any(getattr(fila, c) != v for c, v in nuevos.items()):
                for campo, valor in nuevos.items():
                    setattr(fila, campo, valor)
                actualizar.append(fila)
        # A phase unpublished from the course no longer counts.
        sobrantes.extend(
            a.pk for fase_id, a in existentes[inscripcion.pk].items() if fase_id not in vigentes
        )
        if cambio:
            inscripcion.avance_calculado_en = ahora
            cambiadas.append(inscripcion)
    if sobrantes:
        AvanceFase.objects.filter(pk__in=sobrantes).delete()
    if crear:
        AvanceFase.objects.bulk_create(crear)
    if actualizar:
        _actualizar_filas(AvanceFase, actualizar, CAMPOS_AVANCE_FASE)
    if cambiadas:
        _actualizar_filas(Inscripcion, cambiadas, (*COLUMNAS_AVANCE, "avance_calculado_en"))
    for inscripcion_id, completada in avisos:
        transaction.on_commit(_aviso_completitud(inscripcion_id, completada))
    return len(cambiadas)


def _actualizar_filas(modelo: Any, objetos: Sequence[Any], campos: Sequence[str]) -> None:
    """Write `campos` of `objetos` with one prepared UPDATE run for every row (executemany).

    `bulk_update` builds one `CASE WHEN` per column with a branch per row, which
    costs quadratic time on a block of hundreds of rows; this is one statement
    the database prepares once, and still one query for Django's counters.
    """
    conexion = connections[router.db_for_write(modelo)]
    columnas = [modelo._meta.get_field(campo) for campo in campos]
    nombre = conexion.ops.quote_name
    # Only quoted names of the model's own table and columns are formatted in.
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        nombre(modelo._meta.db_table),
        ", ".join(f"{nombre(campo.column)} = %s" for campo in columnas),
        nombre(modelo._meta.pk.column),
    )
    filas = [
        [campo.get_db_prep_save(getattr(objeto, campo.attname), conexion) for campo in columnas]
        + [objeto.pk]
        for objeto in objetos
    ]
    with conexion.cursor() as cursor:
        cursor.executemany(sql, filas)


def _aviso_completitud(inscripcion_id: int, completada: bool) -> Any:
    def avisar() -> None:
        completitud_cambiada.send(
            sender=Inscripcion, inscripcion_id=inscripcion_id, completada=completada
        )

    return avisar


@transaction.atomic
def actualizar_completitud(*, inscripcion: Inscripcion) -> Inscripcion:
    """Recompute the enrolment's progress and course completion from its facts and store them.

    `Inscripcion.completada_en`, the other progress columns of `Inscripcion` and its
    `AvanceFase` rows are only ever written here (and by `recalcular_avances`, the
    same code for many enrolments), from `cursos.progreso.evaluar_curso`, so the
    cache cannot drift from the facts. Listeners of `completitud_cambiada` hear of
    a changed completion after commit.
    """
    inscripcion = (
        Inscripcion.objects.select_for_update()
        .select_related("edicion", "edicion__curso")
        .get(pk=inscripcion.pk)
    )
    _guardar_avances([inscripcion])
    return inscripcion


def recalcular_avances(
    *, inscripciones: QuerySet[Inscripcion], bloque: int = 500, al_avanzar: Any = None
) -> int:
    """Recompute and store the progress of many enrolments, `bloque` at a time.

    Each block is locked and written in its own transaction with a fixed number of
    queries, so a course with 100,000 enrolments is recomputed in minutes, not
    hours, and a failure keeps the blocks already done. Returns how many changed.
    """
    ids = list(inscripciones.order_by("pk").values_list("pk", flat=True))
    cambiadas = 0
    for desde in range(0, len(ids), bloque):
        with transaction.atomic():
            lote = list(
                Inscripcion.objects.select_for_update(of=("self",))
                .select_related("edicion", "edicion__curso")
                .filter(pk__in=ids[desde : desde + bloque])
                .order_by("pk")
            )
            cambiadas += _guardar_avances(lote)
        if al_avanzar is not None:
            al_avanzar(min(desde + bloque, len(ids)), len(ids))
    return cambiadas


def recalcular_por_evaluacion(*, usuario_id: int, evaluacion_id: int) -> int:
    """Recompute the enrolments an evaluation result may affect; returns how many."""
    from cursos.models import FasePage

    rutas = [
        ruta[: -selectors.PASO_RUTA]
        for ruta in FasePage.objects.filter(
            Q(evaluacion_id=evaluacion_id) | Q(actividad_practica_id=evaluacion_id)
        )
        .order_by()
        .values_list("path", flat=True)
    ]
    if not rutas:
        return 0
    inscripciones = Inscripcion.objects.filter(
        usuario_id=usuario_id,
        estado=Inscripcion.Estado.ACTIVA,
        edicion__curso__path__in=rutas,
    )
    total = 0
    for inscripcion in inscripciones:
        actualizar_completitud(inscripcion=inscripcion)
        total += 1
    return total


def reglas_cambiaron(*, curso_id: int | None = None, edicion_id: int | None = None) -> int:
    """The one entry point for a change of what completing a course asks for.

    Page publish, unpublish, delete and move, a changed evaluation and added or removed
    live sessions all call it. It marks the affected active enrolments stale in the
    same transaction (`avance_calculado_en` = NULL, so the reconciler repairs them even
    if the task is lost) and recomputes them after commit in a task. Returns how many
    enrolments were marked.
    """
    inscripciones = Inscripcion.objects.filter(estado=Inscripcion.Estado.ACTIVA)
    if edicion_id is not None:
        inscripciones = inscripciones.filter(edicion_id=edicion_id)
    elif curso_id is not None:
        inscripciones = inscripciones.filter(edicion__curso_id=curso_id)
    else:
        return 0
    marcadas = inscripciones.update(avance_calculado_en=None)
    if marcadas:
        from cursos.tasks import recalcular_pendientes_task

        transaction.on_commit(
            lambda: recalcular_pendientes_task.delay(curso_id=curso_id, edicion_id=edicion_id)
        )
    return marcadas


def recalcular_pendientes(*, curso_id: int | None = None, edicion_id: int | None = None) -> int:
    """Recompute the stale enrolments (of a course or edition, or all); returns how many changed."""
    inscripciones = Inscripcion.objects.filter(avance_calculado_en__isnull=True)
    if edicion_id is not None:
        inscripciones = inscripciones.filter(edicion_id=edicion_id)
    elif curso_id is not None:
        inscripciones = inscripciones.filter(edicion__curso_id=curso_id)
    return recalcular_avances(inscripciones=inscripciones)


def reconciliar_avances() -> int:
    """Find and repair drift: recompute every active enrolment; returns how many differed.

    Run periodically (beat task "Reconciliar el avance guardado"); a count above zero
    means some change of rules or facts did not reach the stored progress.
    """
    return recalcular_avances(
        inscripciones=Inscripcion.objects.filter(estado=Inscripcion.Estado.ACTIVA)
    )


@dataclass(frozen=True)
class AvanceLeido:
    """What a reader shows of one enrolment's progress.

    `estado` is built from the stored projection (`Inscripcion` columns and `AvanceFase`
    rows); only the "what is missing" texts and the titles come from the rules, since
    they are not stored. `reglas` and `hechos` serve what is not progress: which lessons
    are ticked and where to resume.
    """

    estado: EstadoCurso
    reglas: Sequence[ReglaFase]
    hechos: Hechos


def _coincide(inscripcion: Inscripcion, avance: AvanceDerivado, guardadas: dict[int, Any]) -> bool:
    """Whether everything stored of an enrolment's progress is what its facts give now:
    the `Inscripcion` columns and one `AvanceFase` row per phase, field by field."""
    if inscripcion.avance_calculado_en is None:
        return False
    if any(getattr(inscripcion, campo) != valor for campo, valor in avance.columnas().items()):
        return False
    if len(guardadas) != len(avance.fases):
        return False
    for fase_id, *valores in avance.fases:
        guardada = guardadas.get(fase_id)
        if guardada is None or any(
            getattr(guardada, campo) != valor
            for campo, valor in zip(CAMPOS_AVANCE_FASE, valores, strict=True)
        ):
            return False
    return True


def _estado_guardado(
    inscripcion: Inscripcion, derivado: EstadoCurso, guardadas: dict[int, Any]
) -> EstadoCurso:
    por_fase = {fase.fase_id: fase for fase in derivado.fases}
    fases = []
    for guardada in sorted(guardadas.values(), key=lambda g: g.orden):
        regla = por_fase.get(guardada.fase_id)
        completa = guardada.completada_en is not None
        fases.append(
            EstadoFase(
                fase_id=guardada.fase_id,
                titulo=regla.titulo if regla else "",
                completa=completa,
                fecha=guardada.completada_en,
                faltantes=() if completa or regla is None else regla.faltantes,
                lecciones_completadas=guardada.lecciones,
                lecciones_total=guardada.lecciones_total,
                asistencias=guardada.asistencias,
                sesiones_requeridas=guardada.sesiones_requeridas,
            )
        )
    return EstadoCurso(
        fases=tuple(fases),
        completo=inscripcion.completada_en is not None,
        fecha=inscripcion.completada_en,
    )


def leer_avances(
    inscripciones: Sequence[Inscripcion],
    *,
    estructura: dict[int, selectors.Estructura] | None = None,
    sesiones_cargadas: Sequence[Any] | None = None,
) -> dict[int, AvanceLeido]:
    """The progress every reader shows (Mis cursos, the course page, the kardex, the
    participants list, constancia eligibility): the stored projection.

    The dashboard, the exports and the issuance sweep read the same columns in the
    database. An enrolment marked stale, or whose stored progress no longer says what
    its facts say (drift some event did not report), is recomputed here, through the
    same code as every other write (`recalcular_avances`), before it is read; so what
    a participant sees is what the coordinator's export says. A fixed number of queries
    whatever the number of enrolments, plus a fixed number when some need repair.
    """
    from cursos.models import AvanceFase

    if not inscripciones:
        return {}
    reglas = selectors.reglas_por_edicion(
        [i.edicion for i in inscripciones],
        estructura=estructura,
        sesiones_cargadas=sesiones_cargadas,
    )
    hechos = selectors.hechos_de(inscripciones, reglas)
    derivados = _derivar(inscripciones, reglas, hechos, textos=True)

    def guardadas_de(ids: Sequence[int]) -> dict[int, dict[int, AvanceFase]]:
        filas: dict[int, dict[int, AvanceFase]] = defaultdict(dict)
        for fila in AvanceFase.objects.filter(inscripcion_id__in=ids).order_by():
            filas[fila.inscripcion_id][fila.fase_id] = fila
        return filas

    guardadas = guardadas_de([i.pk for i in inscripciones])
    # A withdrawn enrolment keeps the progress it had (rule changes and the reconciler
    # pass it by); only one never computed is computed.
    desfasadas = [
        i
        for i in inscripciones
        if i.avance_calculado_en is None
        or (
            i.estado == Inscripcion.Estado.ACTIVA
            and not _coincide(i, derivados[i.pk][1], guardadas[i.pk])
        )
    ]
    if desfasadas:
        ids = [i.pk for i in desfasadas]
        sin_aviso = sum(1 for i in desfasadas if i.avance_calculado_en is not None)
        if sin_aviso:
            logger.warning(
                "Avance guardado desfasado sin aviso en %d inscripción(es); se recalcula.",
                sin_aviso,
            )
        recalcular_avances(inscripciones=Inscripcion.objects.filter(pk__in=ids))
        columnas = (*COLUMNAS_AVANCE, "avance_calculado_en")
        frescas = {
            fila["pk"]: fila
            for fila in Inscripcion.objects.filter(pk__in=ids).values("pk", *columnas)
        }
        for inscripcion in desfasadas:
            for campo in columnas:
                setattr(inscripcion, campo, frescas[inscripcion.pk][campo])
        guardadas.update(guardadas_de(ids))
    return {
        i.pk: AvanceLeido(
            estado=_estado_guardado(i, derivados[i.pk][0], guardadas[i.pk]),
            reglas=reglas[i.edicion_id],
            hechos=hechos[i.pk],
        )
        for i in inscripciones
    }


def estados_de(inscripciones: Sequence[Inscripcion]) -> dict[int, EstadoCurso]:
    """The progress readers show of each enrolment (`leer_avances`), by enrolment id."""
    return {pk: leido.estado for pk, leido in leer_avances(inscripciones).items()}


def recalcular_curso(*, curso: CursoPage) -> int:
    """Recompute every active enrolment of `curso` after its rules changed; returns how many."""
    inscripciones = Inscripcion.objects.filter(
        edicion__curso=curso, estado=Inscripcion.Estado.ACTIVA
    )
    total = inscripciones.count()
    recalcular_avances(inscripciones=inscripciones)
    return total
