"""Reads other apps use to learn evaluation results, without knowing the engine's internals."""

from __future__ import annotations

import datetime
import html
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, assert_never

from django.db import models
from django.db.models import F, Max, Q, QuerySet
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluaciones import analisis, scoring, tipos
from evaluaciones.models import (
    CategoriaPregunta,
    Evaluacion,
    Excepcion,
    Intento,
    Momento,
    Pregunta,
    Respuesta,
)
from evaluaciones.revision import revision_permitida
from lms.alcance import (
    alcance_de,
    cursos_a_cargo,
    cursos_inscritos,
    personas_inscritas,
    personas_visibles,
)
from lms.models import Rol, Usuario


def puede_presentar(usuario: Any, evaluacion: Evaluacion) -> bool:
    """Whether `usuario` may take `evaluacion` at all; the only gate of who may.

    A published evaluation is open to the people actively enrolled in an edition of
    its course (the courses app declares who, through `lms.alcance`), to its course's
    team and to the national coordination, who may try it as participants would.
    Dates, time and attempt limits are checked by the services.
    """
    if not (
        usuario is not None
        and getattr(usuario, "is_authenticated", False)
        and usuario.is_active
        and evaluacion.publicada
    ):
        return False
    if alcance_de(usuario).nacional:
        return True
    curso_id = evaluacion.curso_id
    return curso_id is not None and (
        curso_id in cursos_inscritos(usuario) or curso_id in cursos_a_cargo(usuario)
    )


def excepcion_de(*, evaluacion: Evaluacion, usuario_id: int) -> Excepcion | None:
    return Excepcion.objects.filter(evaluacion=evaluacion, usuario_id=usuario_id).first()


def cierre_efectivo(
    evaluacion: Evaluacion, excepcion: Excepcion | None
) -> datetime.datetime | None:
    """The close date for one person: a personal later date wins over the evaluation's."""
    if excepcion is not None and excepcion.cierra_en is not None:
        if evaluacion.cierra_en is None:
            return None
        return max(evaluacion.cierra_en, excepcion.cierra_en)
    return evaluacion.cierra_en


def intentos_permitidos(evaluacion: Evaluacion, excepcion: Excepcion | None) -> int | None:
    """How many attempts the person has; None when unlimited."""
    if evaluacion.intentos_permitidos == 0:
        return None
    extra = excepcion.intentos_extra if excepcion is not None else 0
    return evaluacion.intentos_permitidos + extra


def vencimiento(
    evaluacion: Evaluacion,
    excepcion: Excepcion | None,
    iniciado_en: datetime.datetime,
) -> datetime.datetime | None:
    """When an attempt started at `iniciado_en` must end: time limit or close date, earliest."""
    limites = []
    if evaluacion.limite_minutos:
        extra = excepcion.minutos_extra if excepcion is not None else 0
        limites.append(iniciado_en + datetime.timedelta(minutes=evaluacion.limite_minutos + extra))
    cierre = cierre_efectivo(evaluacion, excepcion)
    if cierre is not None:
        limites.append(cierre)
    return min(limites) if limites else None


def cierre_para_revision(evaluacion: Evaluacion) -> datetime.datetime | None:
    """The latest close date anyone has; review "after closing" waits for it."""
    return cierres_para_revision([evaluacion])[evaluacion.pk]


def cierres_para_revision(
    evaluaciones: Iterable[Evaluacion],
) -> dict[int, datetime.datetime | None]:
    """`cierre_para_revision` of several evaluations, in one query."""
    cierres = {e.pk: e.cierra_en for e in evaluaciones}
    con_cierre = [pk for pk, cierre in cierres.items() if cierre is not None]
    if con_cierre:
        ultimas = (
            Excepcion.objects.filter(evaluacion_id__in=con_cierre, cierra_en__isnull=False)
            .values("evaluacion_id")
            .annotate(ultima=Max("cierra_en"))
            .values_list("evaluacion_id", "ultima")
        )
        for pk, ultima in ultimas:
            propio = cierres[pk]
            cierres[pk] = max(propio, ultima) if propio is not None else None
    return cierres


@dataclass(frozen=True)
class Situacion:
    """Where one person stands with one evaluation, for the start page."""

    intentos: list[Intento]
    usados: int
    permitidos: int | None
    en_curso: Intento | None
    cierre: datetime.datetime | None
    motivo_bloqueo: str

    @property
    def puede_iniciar(self) -> bool:
        return not self.motivo_bloqueo

    @property
    def restantes(self) -> int | None:
        return None if self.permitidos is None else max(self.permitidos - self.usados, 0)


def situacion(*, evaluacion: Evaluacion, usuario: Any, ahora: datetime.datetime) -> Situacion:
    """Attempts used, the limit, and why a new attempt cannot start (empty when it can)."""
    excepcion = excepcion_de(evaluacion=evaluacion, usuario_id=usuario.pk)
    intentos = list(
        Intento.objects.filter(evaluacion=evaluacion, usuario=usuario).order_by("numero")
    )
    return _situacion_de(
        evaluacion,
        intentos,
        excepcion,
        presentable=puede_presentar(usuario, evaluacion),
        ahora=ahora,
    )


def _situacion_de(
    evaluacion: Evaluacion,
    intentos: list[Intento],
    excepcion: Excepcion | None,
    *,
    presentable: bool,
    ahora: datetime.datetime,
) -> Situacion:
    """`situacion` from the person's attempts (by number) and extras, already read."""
    en_curso = next((i for i in intentos if i.estado == Intento.Estado.EN_CURSO), None)
    permitidos = intentos_permitidos(evaluacion, excepcion)
    cierre = cierre_efectivo(evaluacion, excepcion)
    motivo = ""
    if not presentable:
        motivo = _("Esta evaluación no está disponible para usted.")
    elif evaluacion.abre_en is not None and ahora < evaluacion.abre_en:
        motivo = _("La evaluación todavía no abre.")
    elif cierre is not None and ahora >= cierre:
        motivo = _("La evaluación ya cerró.")
    elif en_curso is None and permitidos is not None and len(intentos) >= permitidos:
        motivo = _("Ya usó todos sus intentos.")
    return Situacion(
        intentos=intentos,
        usados=len(intentos),
        permitidos=permitidos,
        en_curso=en_curso,
        cierre=cierre,
        motivo_bloqueo=motivo,
    )


class EstadoParticipante(models.TextChoices):
    """Where a person stands with one evaluation, as their list of evaluations shows it."""

    SIN_INICIAR = "sin_iniciar", gettext_lazy("Sin iniciar")
    EN_CURSO = "en_curso", gettext_lazy("En curso")
    POR_CALIFICAR = "por_calificar", gettext_lazy("Por calificar")
    APROBADA = "aprobada", gettext_lazy("Aprobada")
    NO_APROBADA = "no_aprobada", gettext_lazy("No aprobada")
    # Scored, but the evaluation does not let the person see their score yet.
    ENVIADA = "enviada", gettext_lazy("Enviada; resultado pendiente de publicar")


@dataclass(frozen=True)
class EvaluacionPropia:
    """One row of a participant's list of evaluations."""

    evaluacion: Evaluacion
    situacion: Situacion
    estado: EstadoParticipante
    # The final grade by the evaluation's method; None before one exists or while the
    # evaluation's review options do not let the person see their score yet.
    calificacion: Decimal | None
    # The latest submitted attempt, whose result page the row links to.
    ultimo_enviado: Intento | None


def _calificados(intentos: Iterable[Intento]) -> list[scoring.IntentoCalificado]:
    return [
        scoring.IntentoCalificado(i.numero, i.porcentaje, i.calificado_en)
        for i in intentos
        if i.estado == Intento.Estado.CALIFICADO
        and i.porcentaje is not None
        and i.calificado_en is not None
    ]


def estado_participante(
    evaluacion: Evaluacion, intentos: Iterable[Intento], *, ve_puntaje: bool
) -> EstadoParticipante:
    """The person's state from their attempts; passing is decided by `scoring`, as for progress.

    Passed or not is told only when the evaluation lets the person see their score.
    """
    intentos = list(intentos)
    estados = {i.estado for i in intentos}
    if Intento.Estado.EN_CURSO in estados:
        return EstadoParticipante.EN_CURSO
    metodo = scoring.MetodoCalificacion(evaluacion.metodo_calificacion)
    aprobada = (
        scoring.fecha_aprobacion(metodo, _calificados(intentos), evaluacion.puntaje_aprobatorio)
        is not None
    )
    if aprobada and ve_puntaje:
        return EstadoParticipante.APROBADA
    if Intento.Estado.POR_CALIFICAR in estados:
        return EstadoParticipante.POR_CALIFICAR
    if not intentos:
        return EstadoParticipante.SIN_INICIAR
    return EstadoParticipante.NO_APROBADA if ve_puntaje else EstadoParticipante.ENVIADA


def evaluaciones_propias(usuario: Any, *, ahora: datetime.datetime) -> list[EvaluacionPropia]:
    """The published evaluations of the courses `usuario` is actively enrolled in, and their state.

    The list holds exactly what `puede_presentar` opens to an enrolled person, in a
    fixed number of queries whatever the number of evaluations and attempts. The grade,
    and whether it passes, only once the evaluation's review options let the person
    see their score.
    """
    cursos = cursos_inscritos(usuario)
    if not (cursos and getattr(usuario, "is_active", False)):
        return []
    evaluaciones = list(
        Evaluacion.objects.filter(publicada=True, curso_id__in=sorted(cursos))
        .select_related("curso")
        .order_by("curso__path", F("abre_en").asc(nulls_first=True), "titulo", "pk")
    )
    ids = [e.pk for e in evaluaciones]
    intentos: dict[int, list[Intento]] = defaultdict(list)
    for intento in (
        Intento.objects.filter(usuario_id=usuario.pk, evaluacion_id__in=ids)
        .defer("instantanea")
        .order_by("evaluacion_id", "numero")
    ):
        intentos[intento.evaluacion_id].append(intento)
    excepciones = {
        e.evaluacion_id: e
        for e in Excepcion.objects.filter(usuario_id=usuario.pk, evaluacion_id__in=ids)
    }
    cierres = cierres_para_revision(evaluaciones)
    filas = []
    for evaluacion in evaluaciones:
        propios = intentos[evaluacion.pk]
        enviados = [i for i in propios if i.enviado_en is not None]
        calificacion = calificacion_participante(
            evaluacion=evaluacion, intentos=propios, cierre=cierres[evaluacion.pk], ahora=ahora
        )
        estado = estado_participante(evaluacion, propios, ve_puntaje=calificacion.visible)
        filas.append(
            EvaluacionPropia(
                evaluacion=evaluacion,
                situacion=_situacion_de(
                    evaluacion,
                    propios,
                    excepciones.get(evaluacion.pk),
                    presentable=True,
                    ahora=ahora,
                ),
                estado=estado,
                calificacion=calificacion.final,
                ultimo_enviado=enviados[-1] if enviados else None,
            )
        )
    return filas


def calificaciones_finales(
    *, evaluacion: Evaluacion, usuario_ids: Iterable[int]
) -> dict[int, Decimal]:
    """Each person's final grade in `evaluacion` (its grading method), in one query.

    People without a scored attempt are absent. The same rule as the participant's own
    page (`scoring.calificacion_final` over the scored attempts).
    """
    por_persona: dict[int, list[scoring.IntentoCalificado]] = defaultdict(list)
    for usuario_id, numero, valor, calificado_en in Intento.objects.filter(
        evaluacion=evaluacion,
        usuario_id__in=list(usuario_ids),
        estado=Intento.Estado.CALIFICADO,
        porcentaje__isnull=False,
        calificado_en__isnull=False,
    ).values_list("usuario_id", "numero", "porcentaje", "calificado_en"):
        if valor is None or calificado_en is None:
            continue  # never: the filter excludes them, but the columns are nullable
        por_persona[usuario_id].append(scoring.IntentoCalificado(numero, valor, calificado_en))
    metodo = scoring.MetodoCalificacion(evaluacion.metodo_calificacion)
    finales = {u: scoring.calificacion_final(metodo, i) for u, i in por_persona.items()}
    return {u: f for u, f in finales.items() if f is not None}


def aprobaciones(
    *, usuario_ids: Iterable[int], evaluacion_ids: Iterable[int]
) -> dict[tuple[int, int], datetime.datetime]:
    """Map (usuario_id, evaluacion_id) to when that person passed that evaluation.

    Only passed evaluations appear. The date is the moment of the fact that made the
    person pass (submission, manual grade or regrade), so completion dates derive from it.
    """
    usuario_ids = list(usuario_ids)
    evaluacion_ids = list(evaluacion_ids)
    if not usuario_ids or not evaluacion_ids:
        return {}
    reglas: dict[int, tuple[scoring.MetodoCalificacion, Any]] = {}
    por_persona: dict[tuple[int, int], list[scoring.IntentoCalificado]] = defaultdict(list)
    # One query: each attempt carries its evaluation's grading rule (an evaluation
    # without scored attempts has nobody to approve).
    filas = Intento.objects.filter(
        usuario_id__in=usuario_ids,
        evaluacion_id__in=evaluacion_ids,
        estado=Intento.Estado.CALIFICADO,
        porcentaje__isnull=False,
        calificado_en__isnull=False,
    ).values_list(
        "usuario_id",
        "evaluacion_id",
        "numero",
        "porcentaje",
        "calificado_en",
        "evaluacion__metodo_calificacion",
        "evaluacion__puntaje_aprobatorio",
    )
    for usuario_id, evaluacion_id, numero, porcentaje, calificado_en, metodo, minimo in filas:
        if porcentaje is None or calificado_en is None:
            continue
        reglas[evaluacion_id] = (scoring.MetodoCalificacion(metodo), minimo)
        por_persona[(usuario_id, evaluacion_id)].append(
            scoring.IntentoCalificado(numero, porcentaje, calificado_en)
        )
    resultado: dict[tuple[int, int], datetime.datetime] = {}
    for llave, intentos in por_persona.items():
        metodo, aprobatorio = reglas[llave[1]]
        fecha = scoring.fecha_aprobacion(metodo, intentos, aprobatorio)
        if fecha is not None:
            resultado[llave] = fecha
    return resultado


def calificacion_final(*, evaluacion: Evaluacion, usuario_id: int) -> Decimal | None:
    """The person's grade on the evaluation by its grading method; None before any score."""
    filas = Intento.objects.filter(
        evaluacion=evaluacion,
        usuario_id=usuario_id,
        estado=Intento.Estado.CALIFICADO,
        porcentaje__isnull=False,
        calificado_en__isnull=False,
    ).values_list("numero", "porcentaje", "calificado_en")
    intentos = [
        scoring.IntentoCalificado(n, p, c) for n, p, c in filas if p is not None and c is not None
    ]
    return scoring.calificacion_final(
        scoring.MetodoCalificacion(evaluacion.metodo_calificacion), intentos
    )


def explicar_metodo(metodo: scoring.MetodoCalificacion) -> str:
    """The grading method as a sentence addressed to the participant."""
    match metodo:
        case scoring.MetodoCalificacion.MAS_ALTA:
            return _("Se toma la calificación más alta de sus intentos.")
        case scoring.MetodoCalificacion.ULTIMA:
            return _("Se toma la calificación de su último intento calificado.")
        case scoring.MetodoCalificacion.PRIMERA:
            return _("Se toma la calificación de su primer intento calificado.")
        case scoring.MetodoCalificacion.PROMEDIO:
            return _("Se toma el promedio de las calificaciones de sus intentos.")
        case otro:
            assert_never(otro)


@dataclass(frozen=True)
class IntentoConPuntaje:
    """One of the person's attempts, with its score only when they may see it."""

    intento: Intento
    porcentaje: Decimal | None


@dataclass(frozen=True)
class CalificacionParticipante:
    """What a participant may know of their grade on one evaluation, and how it is reached.

    `final` and `aprobada` are None while the evaluation's review options hide the
    score (`visible` is False) or before any attempt is scored.
    """

    metodo: str
    aprobatorio: Decimal
    enviado: bool
    visible: bool
    nunca: bool
    muestra_desde: datetime.datetime | None
    final: Decimal | None
    aprobada: bool | None
    por_calificar: bool
    intentos: list[IntentoConPuntaje]


def calificacion_participante(
    *,
    evaluacion: Evaluacion,
    intentos: Iterable[Intento],
    cierre: datetime.datetime | None,
    ahora: datetime.datetime,
) -> CalificacionParticipante:
    """The person's final grade from their attempts (already read), as they may see it now.

    The grade is `scoring.calificacion_final` over the scored attempts and passing is
    `scoring.fecha_aprobacion`, the rules progress and the list of evaluations use;
    both, and each attempt's score, stay hidden until `revision_puntaje` allows them
    (`cierre` is `cierre_para_revision`). No queries.
    """
    intentos = sorted(intentos, key=lambda i: i.numero)
    enviado = any(i.enviado_en is not None for i in intentos)
    visible = revision_permitida(
        puntaje=evaluacion.revision_puntaje,
        respuestas=evaluacion.revision_respuestas,
        correctas=evaluacion.revision_correctas,
        retroalimentacion=evaluacion.revision_retroalimentacion,
        enviado=enviado,
        cierre=cierre,
        ahora=ahora,
    ).puntaje
    metodo = scoring.MetodoCalificacion(evaluacion.metodo_calificacion)
    calificados = _calificados(intentos)
    final = scoring.calificacion_final(metodo, calificados) if visible else None
    aprobada = (
        scoring.fecha_aprobacion(metodo, calificados, evaluacion.puntaje_aprobatorio) is not None
        if final is not None
        else None
    )
    return CalificacionParticipante(
        metodo=explicar_metodo(metodo),
        aprobatorio=evaluacion.puntaje_aprobatorio,
        enviado=enviado,
        visible=visible,
        nunca=evaluacion.revision_puntaje == Momento.NUNCA,
        muestra_desde=cierre if evaluacion.revision_puntaje == Momento.AL_CIERRE else None,
        final=final,
        aprobada=aprobada,
        por_calificar=any(i.estado == Intento.Estado.POR_CALIFICAR for i in intentos),
        intentos=[
            IntentoConPuntaje(
                intento=i,
                porcentaje=i.porcentaje
                if visible and i.estado == Intento.Estado.CALIFICADO
                else None,
            )
            for i in intentos
        ],
    )


# --- Staff: grading queue and results -----------------------------------------------


def puede_revisar(usuario: Any) -> bool:
    """Whether `usuario` may grade and read results: instructors and coordinators."""
    alcance = alcance_de(usuario)
    return Rol.INSTRUCTOR in alcance.roles or alcance.coordina


def evaluaciones_del_equipo(usuario: Any) -> QuerySet[Evaluacion]:
    """Evaluations whose course's published team includes `usuario`.

    What an instructor may touch follows from who owns the evaluation, never from a
    page that references it: a phase (even a draft) pointing at another course's
    evaluation grants nothing.
    """
    return Evaluacion.objects.filter(curso_id__in=sorted(cursos_a_cargo(usuario)))


def intentos_a_cargo(usuario: Any) -> QuerySet[Intento]:
    """Attempts `usuario` may grade and see results of.

    National coordinators and administrators see every attempt; an instructor only
    those of their courses' evaluations; a state coordinator only those of people of
    their states. Nobody grades their own attempts, except who sees everything.
    """
    alcance = alcance_de(usuario)
    if alcance.nacional:
        return Intento.objects.all()
    condicion = Q(pk__in=[])
    if Rol.INSTRUCTOR in alcance.roles:
        condicion |= Q(evaluacion__curso_id__in=sorted(cursos_a_cargo(usuario)))
    if alcance.entidades:
        condicion |= Q(usuario__entidad__in=sorted(alcance.entidades))
    intentos = Intento.objects.filter(condicion)
    if alcance.usuario_id is None:
        return intentos  # no account, so no attempts of one's own (usuario is required)
    return intentos.exclude(usuario_id=alcance.usuario_id)


def excepciones_a_cargo(usuario: Any) -> QuerySet[Excepcion]:
    """Per-person extras `usuario` may see and change.

    National coordinators and administrators see all; an instructor those of their
    courses' evaluations; a state coordinator those of people of their states; anyone
    those they granted.
    """
    alcance = alcance_de(usuario)
    if alcance.nacional:
        return Excepcion.objects.all()
    condicion = Q(otorgada_por_id=alcance.usuario_id) if alcance.usuario_id else Q(pk__in=[])
    if Rol.INSTRUCTOR in alcance.roles:
        condicion |= Q(evaluacion__curso_id__in=sorted(cursos_a_cargo(usuario)))
    if alcance.entidades:
        condicion |= Q(usuario__entidad__in=sorted(alcance.entidades))
    return Excepcion.objects.filter(condicion)


def evaluaciones_a_cargo(usuario: Any) -> QuerySet[Evaluacion]:
    """Evaluations whose results `usuario` may open and grant extras on.

    Every one for coordinators (who see only their people's attempts in them); their
    courses' for an instructor; none for anyone else.
    """
    alcance = alcance_de(usuario)
    if alcance.coordina:
        return Evaluacion.objects.all()
    if Rol.INSTRUCTOR in alcance.roles:
        return evaluaciones_del_equipo(usuario)
    return Evaluacion.objects.none()


def personas_a_cargo(usuario: Any) -> QuerySet[Any]:
    """People `usuario` may grant extras to.

    Coordinators: the people of their scope (`lms.alcance`); an instructor: the
    people enrolled in the courses they teach.
    """
    alcance = alcance_de(usuario)
    if alcance.coordina:
        return personas_visibles(usuario)
    if Rol.INSTRUCTOR in alcance.roles:
        return personas_inscritas(cursos_a_cargo(usuario))
    return Usuario.objects.none()


def respuestas_por_calificar(
    usuario: Any, *, evaluacion_id: int | None = None
) -> QuerySet[Respuesta]:
    """Essay and deliverable answers waiting for a grade, oldest submission first.

    In an attempt awaiting manual grading, automatic answers already carry points;
    only the hand-graded ones are left without them.
    """
    intentos = intentos_a_cargo(usuario).filter(estado=Intento.Estado.POR_CALIFICAR)
    if evaluacion_id is not None:
        intentos = intentos.filter(evaluacion_id=evaluacion_id)
    return (
        Respuesta.objects.filter(
            intento__in=intentos, calificada_en__isnull=True, puntos__isnull=True
        )
        .select_related(
            "intento__evaluacion", "intento__usuario__organizacion", "intento__usuario__entidad"
        )
        .order_by("intento__enviado_en", "intento_id", "pk")
    )


# Characters of a statement's plain text that name a question in results and exports.
LARGO_EXTRACTO = 120


def extracto(enunciado: str, largo: int = LARGO_EXTRACTO) -> str:
    """A statement's plain text, on one line and cut at `largo` characters."""
    texto = " ".join(html.unescape(strip_tags(enunciado)).split())
    return Truncator(texto).chars(largo)


def titulos_de_preguntas(ids: Iterable[int]) -> dict[int, str]:
    """Bank id -> internal name (`Pregunta.titulo`) of the questions still in the bank."""
    return dict(Pregunta.objects.filter(pk__in=sorted(set(ids))).values_list("pk", "titulo"))


@dataclass(frozen=True)
class OpcionAnalizada:
    texto: str
    veces: int
    correcta: bool


@dataclass(frozen=True)
class PreguntaAnalizada:
    """Item analysis of one question with what the screen needs to name it and its options."""

    numero: int
    clave: str
    # The question's internal name in the bank; empty once it is no longer there.
    titulo: str
    extracto: str
    tipo: str
    # Its answers are typed (item analysis lists the most frequent ones).
    escrita: bool
    analisis: analisis.AnalisisPregunta
    opciones: list[OpcionAnalizada]  # in the order the first attempt showed them
    sin_respuesta: int


def analisis_de_preguntas(intentos: QuerySet[Intento]) -> list[PreguntaAnalizada]:
    """Item analysis over the graded attempts of `intentos`, in three queries.

    Attempts and their answers are each read in one streamed pass, and the questions'
    names in one more; nothing grows with the number of questions or attempts but
    memory for the per-item numbers and the distinct typed answers.
    """
    calificados = intentos.filter(estado=Intento.Estado.CALIFICADO)
    items_de: dict[int, dict[str, analisis.ItemIntento]] = {}
    vistas: dict[str, dict[str, Any]] = {}
    for intento_id, instantanea in calificados.values_list("pk", "instantanea").iterator(
        chunk_size=500
    ):
        items = {}
        for item in instantanea.get("preguntas", []):
            vistas.setdefault(item["clave"], item)
            items[item["clave"]] = analisis.ItemIntento(
                0.0, float(item["puntos"]), respondida=False
            )
        items_de[intento_id] = items
    filas = Respuesta.objects.filter(intento__in=calificados).values_list(
        "intento_id", "clave", "valor", "puntos"
    )
    for intento_id, clave, valor, puntos in filas.iterator(chunk_size=2000):
        previo = items_de.get(intento_id, {}).get(clave)
        if previo is None:
            continue
        item = vistas[clave]
        modulo = tipos.modulo(item["tipo"])
        items_de[intento_id][clave] = analisis.ItemIntento(
            float(puntos or 0),
            previo.posibles,
            modulo.elegidas(valor),
            respondida=valor is not None,
            texto=modulo.respuesta_analizada(item["clave_correcta"], valor),
        )
    lista = [analisis.IntentoAnalizado(i, items) for i, items in items_de.items()]
    titulos = titulos_de_preguntas(v["pregunta_id"] for v in vistas.values())
    resultado = []
    for numero, resultado_item in enumerate(analisis.analizar(lista), start=1):
        item = vistas[resultado_item.clave]
        modulo = tipos.modulo(item["tipo"])
        opciones = []
        if modulo.elige_opciones:
            correctas = modulo.ids_correctos(item)
            opciones = [
                OpcionAnalizada(
                    o["texto"], resultado_item.frecuencias.get(o["id"], 0), o["id"] in correctas
                )
                for o in item["vista"].get("opciones", [])
            ]
        resultado.append(
            PreguntaAnalizada(
                numero=numero,
                clave=resultado_item.clave,
                titulo=titulos.get(item["pregunta_id"], ""),
                extracto=extracto(item["vista"].get("enunciado", "")),
                tipo=item["tipo"],
                escrita=modulo.respuestas_escritas,
                analisis=resultado_item,
                opciones=opciones,
                sin_respuesta=resultado_item.frecuencias.get(analisis.SIN_RESPUESTA, 0),
            )
        )
    return resultado


# --- The question bank's category tree and an evaluation's points --------------------


def descendientes_de_categorias(ids: Iterable[int]) -> set[int]:
    """Every category hanging below `ids` (not `ids` themselves), one query per level."""
    raices = set(ids)
    encontradas: set[int] = set()
    frontera = set(raices)
    while frontera:
        hijas = (
            set(
                CategoriaPregunta.objects.filter(padre_id__in=frontera).values_list("pk", flat=True)
            )
            - encontradas
            - raices
        )
        encontradas |= hijas
        frontera = hijas
    return encontradas


@dataclass(frozen=True)
class FilaPuntos:
    """One row of an evaluation as the points total reads it."""

    pregunta_id: int | None = None
    categoria_id: int | None = None
    cantidad: int | None = None
    incluir_subcategorias: bool = False


@dataclass(frozen=True)
class PuntosTotales:
    minimo: Decimal
    maximo: Decimal

    @property
    def texto(self) -> str:
        def numero(valor: Decimal) -> str:
            return format(valor.normalize(), "f")

        if self.minimo == self.maximo:
            return _("Puntos totales: %(puntos)s") % {"puntos": numero(self.maximo)}
        return _(
            "Puntos totales: entre %(minimo)s y %(maximo)s (las preguntas al azar no valen "
            "lo mismo)"
        ) % {"minimo": numero(self.minimo), "maximo": numero(self.maximo)}


def puntos_totales(filas: Iterable[FilaPuntos]) -> PuntosTotales:
    """What an attempt of these rows is worth: fixed points plus each random draw's range.

    A draw of N from a category is worth at least its N cheapest questions and at most
    its N dearest (fixed questions are never drawn, as in `services._preguntas_de`).
    """
    filas = list(filas)
    fijas = {f.pregunta_id for f in filas if f.pregunta_id}
    total = sum(Pregunta.objects.filter(pk__in=fijas).values_list("puntos", flat=True), Decimal(0))
    minimo = maximo = total
    for fila in filas:
        if fila.pregunta_id or not fila.categoria_id or not fila.cantidad:
            continue
        categorias = {fila.categoria_id}
        if fila.incluir_subcategorias:
            categorias |= descendientes_de_categorias(categorias)
        puntos = sorted(
            Pregunta.objects.filter(categoria_id__in=categorias)
            .exclude(pk__in=fijas)
            .values_list("puntos", flat=True)
        )
        n = min(fila.cantidad, len(puntos))
        minimo += sum(puntos[:n], Decimal(0))
        maximo += sum(puntos[len(puntos) - n :], Decimal(0))
    return PuntosTotales(minimo, maximo)


def filas_de_evaluacion(evaluacion: Evaluacion) -> list[FilaPuntos]:
    return [
        FilaPuntos(s.pregunta_id, s.categoria_id, s.cantidad, s.incluir_subcategorias)
        for s in evaluacion.secciones.all()
    ]
