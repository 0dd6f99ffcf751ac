"""Reads other apps use to learn evaluation results, without knowing the engine's internals."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _

from evaluaciones import scoring
from evaluaciones.models import Evaluacion, Excepcion, Intento


def puede_presentar(usuario: Any, evaluacion: Evaluacion) -> bool:
    """Whether `usuario` may take `evaluacion` at all; the only gate of who may.

    The courses app narrows this to people enrolled in the edition that hands the
    evaluation over. Dates, time and attempt limits are checked by the services.
    """
    return bool(
        usuario is not None
        and getattr(usuario, "is_authenticated", False)
        and usuario.is_active
        and evaluacion.publicada
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
    if evaluacion.cierra_en is None:
        return None
    ultima = evaluacion.excepciones.aggregate(ultima=Max("cierra_en"))["ultima"]
    return max(evaluacion.cierra_en, ultima) if ultima else evaluacion.cierra_en


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
    en_curso = next((i for i in intentos if i.estado == Intento.Estado.EN_CURSO), None)
    permitidos = intentos_permitidos(evaluacion, excepcion)
    cierre = cierre_efectivo(evaluacion, excepcion)
    motivo = ""
    if not puede_presentar(usuario, evaluacion):
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
    reglas = {
        e["pk"]: (scoring.MetodoCalificacion(e["metodo_calificacion"]), e["puntaje_aprobatorio"])
        for e in Evaluacion.objects.filter(pk__in=evaluacion_ids).values(
            "pk", "metodo_calificacion", "puntaje_aprobatorio"
        )
    }
    por_persona: dict[tuple[int, int], list[scoring.IntentoCalificado]] = defaultdict(list)
    filas = Intento.objects.filter(
        usuario_id__in=usuario_ids,
        evaluacion_id__in=list(reglas),
        estado=Intento.Estado.CALIFICADO,
        porcentaje__isnull=False,
        calificado_en__isnull=False,
    ).values_list("usuario_id", "evaluacion_id", "numero", "porcentaje", "calificado_en")
    for usuario_id, evaluacion_id, numero, porcentaje, calificado_en in filas:
        if porcentaje is None or calificado_en is None:
            continue
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
