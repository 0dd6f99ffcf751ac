"""Phase and course completion, derived from stored facts by pure functions.

Nothing here touches the database: selectors gather the rules (`ReglaFase`) and a
person's facts (`Hechos`), and these functions decide what is complete, since when,
and what is still missing. A completion's date is the date of the fact that
completed it, never the date on which it was computed.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Missing items listed one by one up to this many; beyond it they are counted.
MAX_DETALLE = 3


@dataclass(frozen=True)
class LeccionRegla:
    id: int
    titulo: str
    obligatoria: bool = True


@dataclass(frozen=True)
class SesionRegla:
    id: int
    titulo: str


@dataclass(frozen=True)
class ReglaFase:
    """What a phase asks for: its rule set as configured by the trainer."""

    id: int
    titulo: str
    lecciones: tuple[LeccionRegla, ...] = ()
    sesiones: tuple[SesionRegla, ...] = ()
    asistencia_minima: int = 0
    evaluacion_id: int | None = None
    evaluacion_titulo: str = ""
    actividad_id: int | None = None
    actividad_titulo: str = ""
    # What the stored progress reports beside completion: the hours a completed phase
    # credits and how the phase's evaluation turns attempts into one grade.
    horas: int = 0
    metodo_calificacion: str = ""

    @property
    def sesiones_requeridas(self) -> int:
        """How many of the phase's sessions must be attended to reach the minimum percentage."""
        if not self.sesiones or self.asistencia_minima <= 0:
            return 0
        return math.ceil(len(self.sesiones) * self.asistencia_minima / 100 - 1e-9)


@dataclass(frozen=True)
class Hechos:
    """One enrolled person's facts: each maps an id to the moment the fact happened."""

    lecciones: Mapping[int, datetime.datetime] = field(default_factory=dict)
    asistencias: Mapping[int, datetime.datetime] = field(default_factory=dict)
    aprobaciones: Mapping[int, datetime.datetime] = field(default_factory=dict)
    # A phase that asks for nothing is complete from the moment of enrolment.
    inscrita_en: datetime.datetime | None = None


@dataclass(frozen=True)
class EstadoFase:
    fase_id: int
    titulo: str
    completa: bool
    fecha: datetime.datetime | None
    faltantes: tuple[str, ...]
    lecciones_completadas: int
    lecciones_total: int
    asistencias: int
    sesiones_requeridas: int

    @property
    def porcentaje(self) -> int:
        """Share of the phase's requirements met, for a progress bar."""
        partes = self.lecciones_total + self.sesiones_requeridas
        hechas = self.lecciones_completadas + min(self.asistencias, self.sesiones_requeridas)
        if partes == 0:
            return 100 if self.completa else 0
        porcentaje = round(100 * hechas / partes)
        # Evaluations still pending keep the bar below full.
        return 100 if self.completa else min(porcentaje, 99)


@dataclass(frozen=True)
class EstadoCurso:
    fases: tuple[EstadoFase, ...]
    completo: bool
    fecha: datetime.datetime | None

    @property
    def faltantes(self) -> tuple[str, ...]:
        return tuple(
            f"{fase.titulo}: {faltante}"
            for fase in self.fases
            if not fase.completa
            for faltante in fase.faltantes
        )

    @property
    def porcentaje(self) -> int:
        if not self.fases:
            return 0
        return round(sum(f.porcentaje for f in self.fases) / len(self.fases))


def _lista(titulos: Sequence[str]) -> str:
    return ", ".join(f"«{t}»" for t in titulos)


def evaluar_fase(regla: ReglaFase, hechos: Hechos) -> EstadoFase:
    """Whether `hechos` complete the phase, when, and what is missing."""
    faltantes: list[str] = []
    fechas: list[datetime.datetime] = []

    obligatorias = [leccion for leccion in regla.lecciones if leccion.obligatoria]
    pendientes = [leccion for leccion in obligatorias if leccion.id not in hechos.lecciones]
    fechas.extend(hechos.lecciones[lec.id] for lec in obligatorias if lec.id in hechos.lecciones)
    if pendientes:
        if len(pendientes) <= MAX_DETALLE:
            faltantes.append(
                ngettext(
                    "completar la lección %(lecciones)s",
                    "completar las lecciones %(lecciones)s",
                    len(pendientes),
                )
                % {"lecciones": _lista([lec.titulo for lec in pendientes])}
            )
        else:
            faltantes.append(
                ngettext(
                    "completar %(n)d lección obligatoria",
                    "completar %(n)d lecciones obligatorias",
                    len(pendientes),
                )
                % {"n": len(pendientes)}
            )

    requeridas = regla.sesiones_requeridas
    fechas_asistencia = sorted(
        hechos.asistencias[s.id] for s in regla.sesiones if s.id in hechos.asistencias
    )
    if requeridas:
        if len(fechas_asistencia) >= requeridas:
            # The attendance that reached the minimum is the fact that met this requirement.
            fechas.append(fechas_asistencia[requeridas - 1])
        else:
            faltan = requeridas - len(fechas_asistencia)
            faltantes.append(
                ngettext(
                    "asistir a %(n)d sesión en vivo más (mínimo %(minimo)d %%)",
                    "asistir a %(n)d sesiones en vivo más (mínimo %(minimo)d %%)",
                    faltan,
                )
                % {"n": faltan, "minimo": regla.asistencia_minima}
            )

    for evaluacion_id, titulo, mensaje in (
        (regla.evaluacion_id, regla.evaluacion_titulo, _("aprobar la evaluación «%(titulo)s»")),
        (
            regla.actividad_id,
            regla.actividad_titulo,
            _("obtener la aprobación de la actividad práctica «%(titulo)s»"),
        ),
    ):
        if evaluacion_id is None:
            continue
        if evaluacion_id in hechos.aprobaciones:
            fechas.append(hechos.aprobaciones[evaluacion_id])
        else:
            faltantes.append(mensaje % {"titulo": titulo})

    completa = not faltantes
    return EstadoFase(
        fase_id=regla.id,
        titulo=regla.titulo,
        completa=completa,
        fecha=(max(fechas) if fechas else hechos.inscrita_en) if completa else None,
        faltantes=tuple(faltantes),
        lecciones_completadas=len(obligatorias) - len(pendientes),
        lecciones_total=len(obligatorias),
        asistencias=len(fechas_asistencia),
        sesiones_requeridas=requeridas,
    )


def evaluar_curso(reglas: Sequence[ReglaFase], hechos: Hechos) -> EstadoCurso:
    """A course is complete when every phase is; its date is that of the last phase completed.

    A course without phases is never complete.
    """
    fases = tuple(evaluar_fase(regla, hechos) for regla in reglas)
    completo = bool(fases) and all(fase.completa for fase in fases)
    fechas = [fase.fecha for fase in fases if fase.fecha is not None]
    return EstadoCurso(
        fases=fases,
        completo=completo,
        fecha=max(fechas) if completo and fechas else None,
    )


def siguiente_leccion(reglas: Sequence[ReglaFase], hechos: Hechos) -> LeccionRegla | None:
    """Where to resume: the first lesson not done after the last one completed.

    When everything after it is done, the first lesson still pending anywhere;
    None when every lesson is complete.
    """
    orden = [leccion for regla in reglas for leccion in regla.lecciones]
    hechas = [i for i, leccion in enumerate(orden) if leccion.id in hechos.lecciones]
    if hechas:
        ultima = max(hechas, key=lambda i: (hechos.lecciones[orden[i].id], i))
        for leccion in orden[ultima + 1 :]:
            if leccion.id not in hechos.lecciones:
                return leccion
    for leccion in orden:
        if leccion.id not in hechos.lecciones:
            return leccion
    return None
