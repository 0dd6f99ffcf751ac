"""Reads of the programme layer: manifestaciones de interés, the padrón and the commitments.

Enrolment in a programme that requires a manifestación opens for a state when the
national coordination accepts that state's manifestación for the edition's year
(`motivo_sin_manifestacion`); the national view compares each state's targets with
its people enrolled and accredited, read from the stored enrolment columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from cursos.models import CursoPage, Edicion, Inscripcion, ManifestacionInteres, ProgramaPage
from lms.alcance import Accion, alcance_de, filtrar_por_alcance, permitidos
from lms.models import EntidadFederativa, Organizacion, Usuario


def sujetos_del_padron(entidad_id: int) -> QuerySet[Organizacion]:
    """The obligated subjects of a state that a manifestación may name (active ones)."""
    return Organizacion.objects.filter(
        clase=Organizacion.Clase.SUJETO_OBLIGADO, entidad_id=entidad_id, activa=True
    )


def padron(entidad_id: int) -> int:
    """How many obligated subjects the state has: the ceiling of its targets."""
    return sujetos_del_padron(entidad_id).count()


def puede_decidir(usuario: Any) -> bool:
    """Only the national coordination (and administrators) accepts or asks for changes."""
    return alcance_de(usuario).nacional


def _programa_exigente(edicion: Edicion) -> QuerySet[ProgramaPage]:
    """The edition's programme, when it requires a manifestación (at most one row).

    A programme's path is a prefix of its courses' paths; asked inside the query, so
    the edition's course need not be loaded.
    """
    del_curso = CursoPage.objects.filter(pk=edicion.curso_id, path__startswith=OuterRef("path"))
    return ProgramaPage.objects.filter(Exists(del_curso), requiere_manifestacion=True).order_by()


def motivo_sin_manifestacion(*, edicion: Edicion, usuario: Usuario) -> str | None:
    """Why `usuario`'s state may not enrol yet in `edicion` of its programme, or None.

    One query: the programme (only if it requires a manifestación) with whether the
    person's state has an accepted one for the year the edition starts.
    """
    aceptada = ManifestacionInteres.objects.filter(
        programa=OuterRef("pk"),
        anio=edicion.fecha_inicio.year,
        entidad_id=usuario.entidad_id,
        estado=ManifestacionInteres.Estado.ACEPTADA,
    )
    fila = (
        _programa_exigente(edicion)
        .annotate(abierta=Exists(aceptada))
        .values_list("abierta", flat=True)
    )
    abierta = fila.first()
    if abierta is None or abierta:
        return None
    if usuario.entidad_id is None:
        return _(
            "La inscripción a este programa se abre por entidad federativa: registre su "
            "entidad en su perfil."
        )
    return _(
        "La inscripción para su entidad federativa se abrirá cuando la coordinación "
        "nacional acepte la manifestación de interés de su órgano garante."
    )


def entidades_abiertas(edicion: Edicion) -> frozenset[int] | None:
    """States whose people may enrol in `edicion` by manifestación; None if not required."""
    programa = _programa_exigente(edicion).values_list("pk", flat=True).first()
    if programa is None:
        return None
    return frozenset(
        ManifestacionInteres.objects.filter(
            programa_id=programa,
            anio=edicion.fecha_inicio.year,
            estado=ManifestacionInteres.Estado.ACEPTADA,
        ).values_list("entidad_id", flat=True)
    )


def manifestaciones_visibles(usuario: Any) -> QuerySet[ManifestacionInteres]:
    """The manifestaciones `usuario` may list, with what a listing prints."""
    return permitidos(usuario, Accion.LISTAR, ManifestacionInteres).select_related(
        "programa", "entidad"
    )


# --- The national view: targets against people enrolled and accredited -----------------


@dataclass(frozen=True)
class FilaCompromiso:
    """One state's commitment and what it has reached."""

    entidad_id: int
    clave: str
    nombre: str
    manifestacion: ManifestacionInteres | None
    padron: int
    inscritas: int
    acreditadas: int
    sujetos_con_inscritas: int

    @property
    def meta_inscritas(self) -> int:
        return self.manifestacion.meta_personas_teorica if self.manifestacion else 0

    @property
    def meta_acreditadas(self) -> int:
        return self.manifestacion.meta_personas_practica if self.manifestacion else 0

    @property
    def meta_sujetos(self) -> int:
        return self.manifestacion.meta_sujetos_teorica if self.manifestacion else 0

    @staticmethod
    def _porcentaje(logrado: int, meta: int) -> int | None:
        return None if meta <= 0 else logrado * 100 // meta

    @property
    def porcentaje_inscritas(self) -> int | None:
        return self._porcentaje(self.inscritas, self.meta_inscritas)

    @property
    def porcentaje_acreditadas(self) -> int | None:
        return self._porcentaje(self.acreditadas, self.meta_acreditadas)

    @property
    def porcentaje_sujetos(self) -> int | None:
        return self._porcentaje(self.sujetos_con_inscritas, self.meta_sujetos)


@dataclass(frozen=True)
class Compromisos:
    filas: tuple[FilaCompromiso, ...]

    def total(self, campo: str) -> int:
        return sum(getattr(f, campo) for f in self.filas)


def inscripciones_del_programa(programa: ProgramaPage, anio: int) -> QuerySet[Inscripcion]:
    """Active enrolments in the editions of `programa`'s courses that start in `anio`."""
    return Inscripcion.objects.filter(
        edicion__curso__path__startswith=programa.path,
        edicion__fecha_inicio__year=anio,
        estado=Inscripcion.Estado.ACTIVA,
    )


def compromisos(usuario: Any, *, programa: ProgramaPage, anio: int) -> Compromisos:
    """Every state in `usuario`'s scope with its manifestación, padrón and people reached.

    Four queries whatever the number of states or people: the states, their
    manifestaciones, their padrones and one aggregate of the enrolments (distinct people,
    so a person in two courses of the programme counts once).
    """
    entidades = list(
        filtrar_por_alcance(usuario, EntidadFederativa.objects.all(), ruta_entidad="pk")
    )
    ids = [e.pk for e in entidades]
    manifestaciones = {
        m.entidad_id: m
        for m in permitidos(usuario, Accion.VER, ManifestacionInteres).filter(
            programa=programa, anio=anio, entidad_id__in=ids
        )
    }
    padrones = dict(
        Organizacion.objects.filter(
            clase=Organizacion.Clase.SUJETO_OBLIGADO, activa=True, entidad_id__in=ids
        )
        .values("entidad_id")
        .annotate(n=Count("pk"))
        .values_list("entidad_id", "n")
    )
    avance = {
        fila["usuario__entidad_id"]: fila
        for fila in inscripciones_del_programa(programa, anio)
        .filter(usuario__entidad_id__in=ids)
        .values("usuario__entidad_id")
        .annotate(
            inscritas=Count("usuario_id", distinct=True),
            acreditadas=Count("usuario_id", distinct=True, filter=Q(completada_en__isnull=False)),
            sujetos=Count("usuario__organizacion_id", distinct=True),
        )
        .order_by()
    }
    filas = []
    for entidad in entidades:
        logrado = avance.get(entidad.pk, {})
        filas.append(
            FilaCompromiso(
                entidad_id=entidad.pk,
                clave=entidad.clave_inegi,
                nombre=entidad.nombre,
                manifestacion=manifestaciones.get(entidad.pk),
                padron=padrones.get(entidad.pk, 0),
                inscritas=logrado.get("inscritas", 0),
                acreditadas=logrado.get("acreditadas", 0),
                sujetos_con_inscritas=logrado.get("sujetos", 0),
            )
        )
    return Compromisos(filas=tuple(filas))
