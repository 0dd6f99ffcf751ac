"""Writes of the quiz engine: attempts, answers, grading, regrades and per-person extras.

Every result change sends `resultado_evaluacion_cambiado` once the transaction commits.
"""

from __future__ import annotations

import datetime
import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Model, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluaciones import instantaneas, respuestas, scoring, selectors
from evaluaciones.models import (
    CriterioRubrica,
    Evaluacion,
    Excepcion,
    Intento,
    OpcionPregunta,
    Pregunta,
    Recalificacion,
    Respuesta,
)
from evaluaciones.respuestas import DatosFormulario, RespuestaInvalida
from evaluaciones.signals import resultado_evaluacion_cambiado
from lms.direcciones import url_publica

logger = logging.getLogger(__name__)
M = TypeVar("M", bound=Model)


class ErrorEvaluacion(Exception):
    """A refused request; `mensaje` is the Spanish text to show the participant."""

    def __init__(self, mensaje: str) -> None:
        super().__init__(mensaje)
        self.mensaje = mensaje


def _unico(consulta: QuerySet[M]) -> M | None:
    """The row of a lookup by a unique key, or None.

    Unlike `first()` it adds no ORDER BY and LIMIT to compile and run, which counts on
    the autosave and submit paths.
    """
    return next(iter(consulta), None)


class IntentoNoEncontrado(ErrorEvaluacion):
    """The attempt does not exist or belongs to someone else."""

    def __init__(self) -> None:
        super().__init__(_("No se encontró el intento."))


def _avisar_resultado(*, usuario_id: int, evaluacion_id: int) -> None:
    def enviar() -> None:
        resultado_evaluacion_cambiado.send(
            sender=Intento, usuario_id=usuario_id, evaluacion_id=evaluacion_id
        )

    transaction.on_commit(enviar)


# --- Starting -----------------------------------------------------------------


def _preguntas_de(evaluacion: Evaluacion, azar: random.Random) -> list[Pregunta]:
    """The questions one attempt gets: fixed ones, plus N drawn at random per category."""
    secciones = list(evaluacion.secciones.select_related("pregunta").order_by("sort_order"))
    fijas = {s.pregunta_id for s in secciones if s.pregunta_id}
    # A draw "with its subcategories" takes from the category and all it holds.
    fuentes: dict[int, list[int]] = {}
    for seccion in secciones:
        if seccion.categoria_id is None or seccion.pregunta_id is not None:
            continue
        categorias = {seccion.categoria_id}
        if seccion.incluir_subcategorias:
            categorias |= selectors.descendientes_de_categorias(categorias)
        fuentes[seccion.pk] = sorted(categorias)
    banco: dict[int, list[Pregunta]] = {c: [] for ids in fuentes.values() for c in ids}
    if banco:
        for pregunta in Pregunta.objects.filter(categoria_id__in=banco).exclude(pk__in=fijas):
            banco[pregunta.categoria_id].append(pregunta)
    elegidas: list[Pregunta] = []
    usadas: set[int] = set()
    for seccion in secciones:
        if seccion.pregunta is not None:
            if seccion.pregunta.pk not in usadas:
                elegidas.append(seccion.pregunta)
                usadas.add(seccion.pregunta.pk)
            continue
        disponibles = [
            p for c in fuentes.get(seccion.pk, []) for p in banco[c] if p.pk not in usadas
        ]
        for pregunta in azar.sample(disponibles, min(seccion.cantidad or 0, len(disponibles))):
            elegidas.append(pregunta)
            usadas.add(pregunta.pk)
    return elegidas


def _instantanea(evaluacion: Evaluacion, azar: random.Random) -> tuple[dict[str, Any], list[int]]:
    preguntas = _preguntas_de(evaluacion, azar)
    opciones: dict[int, list[OpcionPregunta]] = {p.pk: [] for p in preguntas}
    for opcion in OpcionPregunta.objects.filter(pregunta_id__in=opciones).order_by(
        "pregunta_id", "sort_order", "pk"
    ):
        opciones[opcion.pregunta_id].append(opcion)
    items = [
        instantaneas.instantanea_de_pregunta(
            p, opciones[p.pk], barajar_opciones=evaluacion.barajar_opciones, azar=azar
        )
        for p in preguntas
    ]
    if evaluacion.barajar_preguntas:
        azar.shuffle(items)
    return {"version": 1, "preguntas": items}, [p.pk for p in preguntas]


def iniciar_intento(
    *, evaluacion: Evaluacion, usuario: Any, ahora: datetime.datetime | None = None
) -> Intento:
    """Start an attempt, or return the one already in progress.

    An expired attempt of the person is closed first, in its own transaction, so it
    stays closed even when no new attempt may start.
    """
    ahora = ahora or timezone.now()
    cerrar_intentos_vencidos(ahora=ahora, evaluacion_id=evaluacion.pk, usuario_id=usuario.pk)
    return _iniciar_intento(evaluacion=evaluacion, usuario=usuario, ahora=ahora)


@transaction.atomic
def _iniciar_intento(*, evaluacion: Evaluacion, usuario: Any, ahora: datetime.datetime) -> Intento:
    """Create the attempt with its snapshot, or return the one in progress.

    The attempt number is unique per person and evaluation, so two concurrent
    starts cannot both take the last attempt: the loser resumes the winner's.
    """
    en_curso = Intento.objects.filter(
        evaluacion=evaluacion, usuario=usuario, estado=Intento.Estado.EN_CURSO
    ).first()
    if en_curso is not None:
        return en_curso
    situacion = selectors.situacion(evaluacion=evaluacion, usuario=usuario, ahora=ahora)
    if not situacion.puede_iniciar:
        raise ErrorEvaluacion(situacion.motivo_bloqueo)
    numero = (
        Intento.objects.filter(evaluacion=evaluacion, usuario=usuario).aggregate(n=Max("numero"))[
            "n"
        ]
        or 0
    ) + 1
    instantanea, pregunta_ids = _instantanea(evaluacion, random.SystemRandom())
    if not pregunta_ids:
        raise ErrorEvaluacion(_("Esta evaluación todavía no tiene preguntas."))
    excepcion = selectors.excepcion_de(evaluacion=evaluacion, usuario_id=usuario.pk)
    try:
        with transaction.atomic():
            intento = Intento.objects.create(
                evaluacion=evaluacion,
                usuario=usuario,
                numero=numero,
                iniciado_en=ahora,
                vence_en=selectors.vencimiento(evaluacion, excepcion, ahora),
                puntaje_maximo=sum(
                    (Decimal(i["puntos"]) for i in instantanea["preguntas"]), Decimal(0)
                ),
                instantanea=instantanea,
            )
    except IntegrityError:
        intento_paralelo = Intento.objects.filter(
            evaluacion=evaluacion, usuario=usuario, estado=Intento.Estado.EN_CURSO
        ).first()
        if intento_paralelo is None:
            raise ErrorEvaluacion(
                _("Otro intento se registró al mismo tiempo. Recargue la página.")
            ) from None
        return intento_paralelo
    intento.preguntas.add(*pregunta_ids)
    return intento


# --- Answering ----------------------------------------------------------------


def _intento_abierto(intento_id: int, usuario: Any, ahora: datetime.datetime) -> Intento:
    intento = _unico(
        Intento.objects.select_for_update().filter(pk=intento_id, usuario_id=usuario.pk).order_by()
    )
    if intento is None:
        raise IntentoNoEncontrado
    if intento.estado != Intento.Estado.EN_CURSO:
        raise ErrorEvaluacion(_("Este intento ya fue enviado; su respuesta no se guardó."))
    if intento.vence_en is not None and ahora >= intento.vence_en:
        raise ErrorEvaluacion(_("El tiempo terminó; su respuesta no se guardó."))
    return intento


def _guardar_archivo(
    intento: Intento, item: Mapping[str, Any], archivo: UploadedFile, ahora: datetime.datetime
) -> Respuesta:
    respuestas.revisar_archivo(item, archivo)
    respuesta, creada = Respuesta.objects.get_or_create(
        intento=intento, clave=item["clave"], defaults={"guardada_en": ahora}
    )
    anterior = respuesta.archivo.name if respuesta.archivo else ""
    respuesta.archivo.save(archivo.name or "entregable", archivo, save=False)
    respuesta.archivo_nombre = (archivo.name or "")[:255]
    respuesta.valor = {"archivo": respuesta.archivo_nombre}
    respuesta.guardada_en = ahora
    respuesta.version = 1 if creada else respuesta.version + 1
    respuesta.save()
    if anterior:
        nombre = anterior
        transaction.on_commit(lambda: respuesta.archivo.storage.delete(nombre))
    return respuesta


@transaction.atomic
def guardar_respuesta(
    *,
    intento_id: int,
    usuario: Any,
    clave: str,
    datos: DatosFormulario,
    archivo: UploadedFile | None = None,
    ahora: datetime.datetime | None = None,
) -> Respuesta:
    """Autosave one answer as the participant gives it; refused after the deadline.

    Refuses questions that are not in the attempt, options of another question and
    anything the question's form could not have sent; nothing is stored then.
    """
    ahora = ahora or timezone.now()
    intento = _intento_abierto(intento_id, usuario, ahora)
    item = instantaneas.items_por_clave(intento.instantanea).get(clave)
    if item is None:
        raise ErrorEvaluacion(_("Esa pregunta no forma parte de este intento."))
    if respuestas.claves_enviadas(datos) - {clave}:
        raise ErrorEvaluacion(_("Se recibieron respuestas de otra pregunta."))
    try:
        if item["tipo"] == scoring.TipoPregunta.ENTREGABLE:
            if archivo is None:
                raise RespuestaInvalida(_("Elija un archivo para entregar."))
            return _guardar_archivo(intento, item, archivo, ahora)
        valor = respuestas.interpretar(item, datos)
    except RespuestaInvalida as error:
        raise ErrorEvaluacion(error.mensaje) from None
    puntos = _puntos_automaticos(item, valor)
    # Every writer of an attempt's answers holds the attempt's row lock (taken above),
    # so a plain read then UPDATE or INSERT cannot race: two statements, no savepoint.
    respuesta = _unico(
        Respuesta.objects.filter(intento=intento, clave=clave).only(
            "pk", "intento_id", "clave", "version"
        )
    )
    if respuesta is None:
        respuesta = Respuesta(
            intento=intento, clave=clave, valor=valor, guardada_en=ahora, puntos=puntos
        )
        respuesta.save(force_insert=True)
    else:
        respuesta.intento = intento
        respuesta.valor = valor
        respuesta.guardada_en = ahora
        respuesta.version += 1
        respuesta.puntos = puntos
        respuesta.save(update_fields=["valor", "guardada_en", "version", "puntos"])
    return respuesta


def _puntos_automaticos(item: Mapping[str, Any], valor: Any) -> Decimal | None:
    """Points of one automatically scored answer, from the attempt's snapshot.

    Autosave stores them with the answer so that the submit, which scores the whole
    attempt again in memory, usually finds nothing to write. They are never shown
    before the attempt is submitted; hand-graded types stay None.
    """
    if item["tipo"] in scoring.TIPOS_MANUALES:
        return None
    return scoring.calificar_pregunta(
        instantaneas.calificable(item), instantaneas.valor_calificable(item["tipo"], valor)
    ).obtenidos


def _guardar_formulario(
    intento: Intento,
    datos: DatosFormulario,
    archivos: Mapping[str, UploadedFile],
    versiones: Mapping[str, int],
    ahora: datetime.datetime,
    *,
    guardadas: dict[str, Respuesta] | None = None,
    escribir: bool = True,
) -> tuple[dict[str, Respuesta], list[Respuesta], list[str]]:
    """Merge every answer of a full-page post into the saved ones.

    Returns all the attempt's answers as they stand after the post (`clave` -> row),
    the rows that changed and, in Spanish, what could not be read (naming the
    question): one unreadable answer never costs the others. Only answers that differ
    from what is saved are written, in one statement (with `escribir=False` the caller
    writes them, e.g. together with their points). An answer saved meanwhile from
    another tab or device (a higher version than the page saw) is newer than this page
    and is kept.
    """
    items = instantaneas.items_por_clave(intento.instantanea)
    ajenas = (respuestas.claves_enviadas(datos) | {_clave_archivo(n) for n in archivos}) - set(
        items
    )
    if ajenas:
        raise ErrorEvaluacion(_("Se recibieron respuestas a preguntas que no son de este intento."))
    if guardadas is None:
        guardadas = {r.clave: r for r in Respuesta.objects.filter(intento=intento)}
    cambiadas: list[Respuesta] = []
    errores: list[str] = []
    for numero, (clave, item) in enumerate(items.items(), start=1):
        if item["tipo"] == scoring.TipoPregunta.ENTREGABLE:
            continue
        previa = guardadas.get(clave)
        if previa is not None and previa.version > versiones.get(clave, 0):
            continue
        try:
            valor = respuestas.interpretar(item, datos)
        except RespuestaInvalida as error:
            errores.append(
                _("Pregunta %(n)d: %(mensaje)s") % {"n": numero, "mensaje": error.mensaje}
            )
            continue
        if previa is None:
            if valor is None:
                continue
            previa = Respuesta(intento=intento, clave=clave, valor=valor, guardada_en=ahora)
            guardadas[clave] = previa
        elif previa.valor == valor:
            continue
        else:
            previa.valor = valor
            previa.guardada_en = ahora
            previa.version += 1
        previa.puntos = _puntos_automaticos(item, valor)
        cambiadas.append(previa)
    if escribir:
        _escribir_respuestas(intento, cambiadas)
    for nombre, archivo in archivos.items():
        item = items[_clave_archivo(nombre)]
        if item["tipo"] != scoring.TipoPregunta.ENTREGABLE:
            raise ErrorEvaluacion(_("Esa pregunta no admite archivos."))
        try:
            guardadas[item["clave"]] = _guardar_archivo(intento, item, archivo, ahora)
        except RespuestaInvalida as error:
            errores.append(error.mensaje)
    return guardadas, cambiadas, errores


def _escribir_respuestas(intento: Intento, filas: Sequence[Respuesta]) -> None:
    """Insert or update `filas` (answers and their points) in one statement."""
    if not filas:
        return
    Respuesta.objects.bulk_create(
        [
            Respuesta(
                intento=intento,
                clave=r.clave,
                valor=r.valor,
                guardada_en=r.guardada_en,
                version=r.version,
                puntos=r.puntos,
            )
            for r in filas
        ],
        update_conflicts=True,
        unique_fields=["intento", "clave"],
        update_fields=["valor", "guardada_en", "version", "puntos"],
    )


def _clave_archivo(nombre: str) -> str:
    return nombre.removeprefix(respuestas.PREFIJO).split("-", 1)[0]


@transaction.atomic
def guardar_respuestas(
    *,
    intento_id: int,
    usuario: Any,
    datos: DatosFormulario,
    archivos: Mapping[str, UploadedFile] | None = None,
    versiones: Mapping[str, int] | None = None,
    ahora: datetime.datetime | None = None,
) -> list[str]:
    """Save a whole page of answers without submitting (the no-JavaScript path).

    Returns what could not be saved, one Spanish line per question; the rest is saved.
    """
    ahora = ahora or timezone.now()
    intento = _intento_abierto(intento_id, usuario, ahora)
    return _guardar_formulario(intento, datos, archivos or {}, versiones or {}, ahora)[2]


# --- Submitting and scoring -----------------------------------------------------


def _calificar(intento: Intento, ahora: datetime.datetime) -> None:
    """Score `intento` from its snapshot and saved answers; store per-answer points."""
    guardadas = {r.clave: r for r in Respuesta.objects.filter(intento=intento)}
    cambiadas = _puntuar(intento, guardadas, ahora)
    if cambiadas:
        Respuesta.objects.bulk_update(cambiadas, ["puntos"])


def _puntuar(
    intento: Intento, guardadas: Mapping[str, Respuesta], ahora: datetime.datetime
) -> list[Respuesta]:
    """Score `intento` from its snapshot and the answers in `guardadas`, in memory.

    Sets the attempt's score fields and each answer's points; returns the answers
    whose points changed (the caller stores them). Runs no query.
    """
    items = intento.instantanea.get("preguntas", [])
    preguntas = [instantaneas.calificable(i) for i in items]
    tipos = {i["clave"]: i["tipo"] for i in items}
    valores = {
        clave: instantaneas.valor_calificable(tipos.get(clave, ""), r.valor)
        for clave, r in guardadas.items()
    }
    manuales = {
        clave: r.puntos
        for clave, r in guardadas.items()
        if r.calificada_en is not None and r.puntos is not None
    }
    # An essay or deliverable left blank has nothing to grade by hand: it scores zero.
    for clave, tipo in tipos.items():
        guardada = guardadas.get(clave)
        if (
            tipo in scoring.TIPOS_MANUALES
            and clave not in manuales
            and (guardada is None or (guardada.valor is None and not guardada.archivo))
        ):
            manuales[clave] = Decimal(0)
    resultado = scoring.calificar_intento(preguntas, valores, manuales=manuales)
    cambiadas = []
    for r in resultado.preguntas:
        respuesta = guardadas.get(r.clave_pregunta)
        if respuesta is not None and not r.pendiente and respuesta.puntos != r.obtenidos:
            respuesta.puntos = r.obtenidos
            cambiadas.append(respuesta)
    intento.puntaje = resultado.obtenidos
    intento.puntaje_maximo = resultado.posibles
    if resultado.pendiente:
        intento.estado = Intento.Estado.POR_CALIFICAR
        intento.porcentaje = None
        intento.calificado_en = None
    else:
        intento.estado = Intento.Estado.CALIFICADO
        intento.porcentaje = resultado.porcentaje
        intento.calificado_en = ahora
    return cambiadas


# Attempt fields that submitting and scoring change (the snapshot is not rewritten).
CAMPOS_CIERRE = [
    "estado",
    "enviado_en",
    "calificado_en",
    "puntaje",
    "puntaje_maximo",
    "porcentaje",
    "cerrado_por_sistema",
]

# Submitted attempts, the ones that hold a score (or wait for one by hand).
ESTADOS_ENVIADOS = (Intento.Estado.CALIFICADO, Intento.Estado.POR_CALIFICAR)

# How far back a regrade looks in a question's revisions for its previous key.
REVISIONES_CONSULTADAS = 10


def _cerrar(intento: Intento, *, ahora: datetime.datetime, por_sistema: bool) -> None:
    intento.enviado_en = ahora if not por_sistema else (intento.vence_en or ahora)
    intento.cerrado_por_sistema = por_sistema
    if por_sistema and not Respuesta.objects.filter(intento=intento).exists():
        intento.estado = Intento.Estado.ABANDONADO
        intento.puntaje = None
        intento.porcentaje = None
    else:
        _calificar(intento, ahora)
    intento.save(update_fields=CAMPOS_CIERRE)
    _avisar_resultado(usuario_id=intento.usuario_id, evaluacion_id=intento.evaluacion_id)


@dataclass(frozen=True)
class ResultadoEnvio:
    intento: Intento
    mensaje: str
    ya_enviado: bool = False
    vencido: bool = False
    # Some answer could not be read: nothing was submitted, the readable ones were saved.
    rechazado: bool = False


@transaction.atomic
def enviar_intento(
    *,
    intento_id: int,
    usuario: Any,
    datos: DatosFormulario | None = None,
    archivos: Mapping[str, UploadedFile] | None = None,
    versiones: Mapping[str, int] | None = None,
    ahora: datetime.datetime | None = None,
) -> ResultadoEnvio:
    """Submit and score an attempt exactly once.

    The attempt row is locked, so a double or concurrent submit finds it already
    submitted and changes nothing. After the deadline the posted answers are
    refused and the attempt is closed with what was saved before it.
    """
    ahora = ahora or timezone.now()
    intento = _unico(
        Intento.objects.select_for_update().filter(pk=intento_id, usuario_id=usuario.pk).order_by()
    )
    if intento is None:
        raise IntentoNoEncontrado
    if intento.estado != Intento.Estado.EN_CURSO:
        return ResultadoEnvio(
            intento, _("Este intento ya se había enviado; no cambió nada."), ya_enviado=True
        )
    if intento.vence_en is not None and ahora >= intento.vence_en:
        _cerrar(intento, ahora=ahora, por_sistema=True)
        return ResultadoEnvio(
            intento,
            _(
                "El tiempo terminó antes del envío: se calificaron las respuestas guardadas "
                "hasta el vencimiento."
            ),
            vencido=True,
        )
    if datos is None and not archivos:
        _cerrar(intento, ahora=ahora, por_sistema=False)
        return ResultadoEnvio(intento, _("Su intento se envió."))
    # The posted page is merged into the saved answers and scored in memory; changed
    # answers and points go out in one statement, then the attempt row.
    guardadas, cambiadas, errores = _guardar_formulario(
        intento, datos or {}, archivos or {}, versiones or {}, ahora, escribir=False
    )
    if errores:
        # Not submitted: what could be read is saved, the person fixes the rest.
        _escribir_respuestas(intento, cambiadas)
        return ResultadoEnvio(intento, " ".join(errores), rechazado=True)
    intento.enviado_en = ahora
    intento.cerrado_por_sistema = False
    puntuadas = _puntuar(intento, guardadas, ahora)
    _escribir_respuestas(intento, list({id(r): r for r in [*cambiadas, *puntuadas]}.values()))
    intento.save(update_fields=CAMPOS_CIERRE)
    _avisar_resultado(usuario_id=intento.usuario_id, evaluacion_id=intento.evaluacion_id)
    return ResultadoEnvio(intento, _("Su intento se envió."))


def cerrar_intentos_vencidos(
    *,
    ahora: datetime.datetime | None = None,
    evaluacion_id: int | None = None,
    usuario_id: int | None = None,
) -> int:
    """Close every attempt past its deadline, scoring what was saved before it. Idempotent.

    Each attempt closes in its own transaction, so one failure does not undo the rest.
    """
    ahora = ahora or timezone.now()
    cerrados = 0
    vencidos = Intento.objects.filter(estado=Intento.Estado.EN_CURSO, vence_en__lte=ahora)
    if evaluacion_id is not None:
        vencidos = vencidos.filter(evaluacion_id=evaluacion_id)
    if usuario_id is not None:
        vencidos = vencidos.filter(usuario_id=usuario_id)
    ids = list(vencidos.values_list("pk", flat=True))
    for intento_id in ids:
        with transaction.atomic():
            intento = (
                Intento.objects.select_for_update()
                .filter(pk=intento_id, estado=Intento.Estado.EN_CURSO)
                .first()
            )
            if intento is None:
                continue
            _cerrar(intento, ahora=ahora, por_sistema=True)
            cerrados += 1
    return cerrados


# --- Grading by hand, regrades, extras ------------------------------------------


@transaction.atomic
def calificar_manual(
    *,
    respuesta_id: int,
    puntos: Decimal | None = None,
    comentario: str,
    calificador: Any,
    criterios: Mapping[int, Decimal] | None = None,
    ahora: datetime.datetime | None = None,
) -> Intento:
    """Grade an essay or deliverable; the attempt is scored once nothing is left pending.

    With `criterios` (rubric criterion id -> points) every criterion of the question's
    rubric must be graded within its maximum, and the points are their sum.
    """
    ahora = ahora or timezone.now()
    respuesta = Respuesta.objects.select_related("intento").filter(pk=respuesta_id).first()
    if respuesta is None:
        raise ErrorEvaluacion(_("No se encontró la respuesta."))
    intento = Intento.objects.select_for_update().get(pk=respuesta.intento_id)
    item = instantaneas.items_por_clave(intento.instantanea).get(respuesta.clave)
    if item is None or item["tipo"] not in scoring.TIPOS_MANUALES:
        raise ErrorEvaluacion(_("Esta respuesta se califica automáticamente."))
    if intento.estado in (Intento.Estado.EN_CURSO, Intento.Estado.ABANDONADO):
        raise ErrorEvaluacion(_("El intento todavía no se ha enviado."))
    detalle: list[dict[str, str]] = []
    if criterios is not None:
        puntos, detalle = _puntos_de_rubrica(item, criterios)
    if puntos is None:
        raise ErrorEvaluacion(_("Indique los puntos."))
    maximo = Decimal(item["puntos"])
    if not Decimal(0) <= puntos <= maximo:
        raise ErrorEvaluacion(
            _("Los puntos deben estar entre 0 y %(max)s.") % {"max": maximo.normalize()}
        )
    respuesta.puntos = puntos
    respuesta.comentario = comentario.strip()
    respuesta.calificada_por = calificador
    respuesta.calificada_en = ahora
    respuesta.rubrica = detalle
    respuesta.save(
        update_fields=["puntos", "comentario", "calificada_por", "calificada_en", "rubrica"]
    )
    _calificar(intento, ahora)
    intento.save()
    _avisar_resultado(usuario_id=intento.usuario_id, evaluacion_id=intento.evaluacion_id)
    if intento.estado == Intento.Estado.CALIFICADO:
        _notificar_calificacion(intento)
    return intento


def _puntos_de_rubrica(
    item: Mapping[str, Any], criterios: Mapping[int, Decimal]
) -> tuple[Decimal, list[dict[str, str]]]:
    """Sum the points given per rubric criterion, each checked against its maximum."""
    rubrica = list(
        CriterioRubrica.objects.filter(pregunta_id=item.get("pregunta_id")).order_by(
            "sort_order", "pk"
        )
    )
    if not rubrica:
        raise ErrorEvaluacion(_("Esta pregunta no tiene rúbrica; indique los puntos directamente."))
    if set(criterios) != {c.pk for c in rubrica}:
        raise ErrorEvaluacion(_("Califique cada criterio de la rúbrica, y solo esos."))
    detalle = []
    total = Decimal(0)
    for criterio in rubrica:
        obtenidos = criterios[criterio.pk]
        if not Decimal(0) <= obtenidos <= criterio.puntos:
            raise ErrorEvaluacion(
                _("Los puntos de «%(criterio)s» deben estar entre 0 y %(max)s.")
                % {"criterio": criterio.descripcion, "max": criterio.puntos.normalize()}
            )
        total += obtenidos
        detalle.append(
            {
                "criterio": criterio.descripcion,
                "maximo": str(criterio.puntos),
                "obtenidos": str(obtenidos),
            }
        )
    return total, detalle


def _notificar_calificacion(intento: Intento) -> None:
    correo = getattr(intento.usuario, "email", "")
    titulo = intento.evaluacion.titulo
    if not correo:
        return
    enlace = url_publica(reverse("evaluaciones:resultado", args=[intento.pk]))

    def enviar() -> None:
        send_mail(
            _("Su evaluación «%(titulo)s» ya está calificada") % {"titulo": titulo},
            _(
                "Su intento de la evaluación «%(titulo)s» ya fue calificado. "
                "Puede consultar el resultado en: %(enlace)s"
            )
            % {"titulo": titulo, "enlace": enlace},
            None,
            [correo],
        )

    transaction.on_commit(enviar)


def _clave_anterior(
    pregunta: Pregunta, clave_nueva: Mapping[str, Any], intentos: Sequence[Intento], clave: str
) -> dict[str, Any]:
    """The key in force before a regrade.

    The newest attempt holding the question carries the key participants were last
    scored or about to be scored with. With no attempt, it is the key of the newest
    saved revision of the question whose key differs from the current one.
    """
    for intento in sorted(intentos, key=lambda i: (i.iniciado_en, i.pk), reverse=True):
        item = instantaneas.items_por_clave(intento.instantanea).get(clave)
        if item is not None:
            return dict(item["clave_correcta"])
    for revision in pregunta.revisions.order_by("-created_at", "-pk")[:REVISIONES_CONSULTADAS]:
        anterior = revision.as_object()
        opciones = sorted(anterior.opciones.all(), key=lambda o: (o.sort_order or 0, o.pk or 0))
        previa = instantaneas.clave_correcta(anterior, opciones)
        if previa != clave_nueva:
            return previa
    return {}


def _texto_puntos(valor: Decimal | None) -> str | None:
    return str(valor) if valor is not None else None


@transaction.atomic
def recalificar_pregunta(
    *, pregunta: Pregunta, realizada_por: Any, motivo: str = ""
) -> Recalificacion:
    """Put the question's current key into every attempt that holds it, and rescore the sent.

    Attempts in progress get the new key too, so they are scored with it whenever they
    are submitted (by the person or on expiry); their answers and what they show stay
    as they are. Abandoned attempts (closed on expiry with no answer) get the key but
    no score: they have nothing to rescore, and scoring them would turn "abandoned"
    into a graded zero. Every snapshot item whose key or points change keeps a record
    of the change (date, motive, previous key, points before and after), and the
    `Recalificacion` row keeps both keys and the counts.

    The attempt rows are locked in id order, so a submit or autosave of the same attempt
    waits for the regrade to commit and then reads the new key (and a regrade waits for
    a submit under way, then rescores what it stored).
    """
    pregunta = Pregunta.objects.prefetch_related(
        Prefetch("opciones", queryset=OpcionPregunta.objects.order_by("sort_order", "pk"))
    ).get(pk=pregunta.pk)
    opciones = list(pregunta.opciones.all())
    clave = instantaneas.clave_de_pregunta(pregunta.pk)
    motivo = motivo[:255]
    intentos = list(
        Intento.objects.select_for_update(of=("self",)).filter(preguntas=pregunta).order_by("pk")
    )
    clave_nueva = instantaneas.clave_correcta(pregunta, opciones)
    registro = Recalificacion.objects.create(
        pregunta=pregunta,
        realizada_por=realizada_por,
        motivo=motivo,
        clave_anterior=_clave_anterior(pregunta, clave_nueva, intentos, clave),
        clave_nueva=clave_nueva,
    )
    ahora = registro.realizada_en
    guardadas: dict[int, dict[str, Respuesta]] = {i.pk: {} for i in intentos}
    for respuesta in Respuesta.objects.filter(
        intento_id__in=[i.pk for i in intentos if i.estado in ESTADOS_ENVIADOS]
    ):
        guardadas[respuesta.intento_id][respuesta.clave] = respuesta
    revisados = en_curso = 0
    cambios = []
    for intento in intentos:
        items = list(intento.instantanea.get("preguntas", []))
        posicion = next((n for n, i in enumerate(items) if i["clave"] == clave), None)
        if posicion is None:
            continue
        viejo = items[posicion]
        estado_antes = intento.estado
        nuevo = instantaneas.actualizar_clave(viejo, pregunta, opciones)
        items[posicion] = nuevo
        intento.instantanea = {**intento.instantanea, "preguntas": items}
        puntos_antes = puntos_despues = None
        if intento.estado in ESTADOS_ENVIADOS:
            revisados += 1
            respuestas = guardadas[intento.pk]
            guardada = respuestas.get(clave)
            # An unanswered question scored zero; a pending hand-graded one has no points.
            puntos_antes = guardada.puntos if guardada is not None else Decimal(0)
            antes = (intento.porcentaje, intento.puntaje, intento.estado)
            fecha_anterior = intento.calificado_en
            movidas = _puntuar(intento, respuestas, ahora)
            if movidas:
                Respuesta.objects.bulk_update(movidas, ["puntos"])
            puntos_despues = guardada.puntos if guardada is not None else Decimal(0)
            if (intento.porcentaje, intento.puntaje, intento.estado) == antes:
                # Keep the date of the fact that set the score when nothing moved.
                intento.calificado_en = fecha_anterior
            if (intento.porcentaje, intento.puntaje) != antes[:2]:
                cambios.append(
                    {
                        "intento": intento.pk,
                        "usuario": intento.usuario_id,
                        "evaluacion": intento.evaluacion_id,
                        "antes": _texto_puntos(antes[0]),
                        "despues": _texto_puntos(intento.porcentaje),
                    }
                )
                _avisar_resultado(
                    usuario_id=intento.usuario_id, evaluacion_id=intento.evaluacion_id
                )
        elif intento.estado == Intento.Estado.EN_CURSO:
            en_curso += 1
        if nuevo["clave_correcta"] != viejo["clave_correcta"] or puntos_antes != puntos_despues:
            nuevo["recalificaciones"] = [
                *viejo.get("recalificaciones", []),
                {
                    "recalificacion": registro.pk,
                    "fecha": ahora.isoformat(),
                    "motivo": motivo,
                    "estado_intento": estado_antes,
                    "clave_anterior": viejo["clave_correcta"],
                    "puntos_antes": _texto_puntos(puntos_antes),
                    "puntos_despues": _texto_puntos(puntos_despues),
                },
            ]
        enviado = estado_antes in ESTADOS_ENVIADOS
        intento.save(update_fields=["instantanea", *CAMPOS_CIERRE] if enviado else ["instantanea"])
    registro.intentos_revisados = revisados
    registro.intentos_en_curso = en_curso
    registro.cambios = cambios
    registro.save(update_fields=["intentos_revisados", "intentos_en_curso", "cambios"])
    return registro


@transaction.atomic
def conceder_excepcion(
    *,
    evaluacion: Evaluacion,
    usuario: Any,
    otorgada_por: Any,
    minutos_extra: int = 0,
    intentos_extra: int = 0,
    cierra_en: datetime.datetime | None = None,
    motivo: str = "",
) -> Excepcion:
    """Give one person extras; an attempt already in progress gets the new deadline at once."""
    if minutos_extra < 0 or intentos_extra < 0:
        raise ErrorEvaluacion(_("Los minutos e intentos adicionales no pueden ser negativos."))
    excepcion, _creada = Excepcion.objects.update_or_create(
        evaluacion=evaluacion,
        usuario=usuario,
        defaults={
            "minutos_extra": minutos_extra,
            "intentos_extra": intentos_extra,
            "cierra_en": cierra_en,
            "motivo": motivo[:255],
            "otorgada_por": otorgada_por,
        },
    )
    aplicar_excepcion(excepcion=excepcion)
    return excepcion


@transaction.atomic
def aplicar_excepcion(*, excepcion: Excepcion) -> None:
    """Recompute the deadline of the person's attempt in progress after their extras change."""
    for intento in Intento.objects.select_for_update().filter(
        evaluacion_id=excepcion.evaluacion_id,
        usuario_id=excepcion.usuario_id,
        estado=Intento.Estado.EN_CURSO,
    ):
        intento.vence_en = selectors.vencimiento(
            excepcion.evaluacion, excepcion, intento.iniciado_en
        )
        intento.save(update_fields=["vence_en"])
