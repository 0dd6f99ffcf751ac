"""Who may list, see, change and delete the courses app's objects (registered in `lms.alcance`).

The courses app also declares to `lms.alcance` which courses a person teaches (the
published team of a course page) and is enrolled in, so that lower apps (the quiz
engine) can give an evaluation's course team its rights without importing courses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from cursos.models import (
    Asistencia,
    CursoPage,
    Edicion,
    ExportacionSolicitada,
    FormatoLista,
    Inscripcion,
    ManifestacionInteres,
    ProgresoLeccion,
    SesionEnVivo,
)
from lms import alcance as politica
from lms.alcance import Accion, Cursos, alcance_de, cursos_a_cargo
from lms.models import EntidadFederativa, Rol, Usuario

GESTION = frozenset({Rol.ADMINISTRADOR, Rol.COORDINADOR_NACIONAL})


def _a_cargo(usuario_id: int) -> frozenset[int]:
    return frozenset(
        CursoPage.instructores.through.objects.filter(usuario_id=usuario_id).values_list(
            "cursopage_id", flat=True
        )
    )


def _inscritos(usuario_id: int) -> frozenset[int]:
    return frozenset(
        Inscripcion.objects.filter(
            usuario_id=usuario_id, estado=Inscripcion.Estado.ACTIVA
        ).values_list("edicion__curso_id", flat=True)
    )


def _todos() -> frozenset[int]:
    return frozenset(CursoPage.objects.values_list("pk", flat=True))


def _personas(cursos: frozenset[int]) -> QuerySet[Usuario]:
    inscritas = Inscripcion.objects.filter(
        edicion__curso_id__in=sorted(cursos), estado=Inscripcion.Estado.ACTIVA
    ).values("usuario_id")
    return Usuario.objects.filter(pk__in=inscritas)


@dataclass(frozen=True)
class PoliticaDeEdiciones:
    """Editions and their sessions: coordination manages; a course's team follows its own.

    `ruta` leads from the model to the course page id.
    """

    ruta: str

    def accede(self, usuario: Any, accion: Accion) -> bool:
        alcance = alcance_de(usuario)
        if alcance.roles & GESTION:
            return True
        lee = accion in (Accion.LISTAR, Accion.VER)
        return lee and (alcance.coordina or Rol.INSTRUCTOR in alcance.roles)

    def filtrar(self, usuario: Any, accion: Accion, queryset: QuerySet[Any]) -> QuerySet[Any]:
        alcance = alcance_de(usuario)
        if alcance.roles & GESTION or (alcance.coordina and accion in (Accion.LISTAR, Accion.VER)):
            return queryset
        if accion in (Accion.LISTAR, Accion.VER) and Rol.INSTRUCTOR in alcance.roles:
            return queryset.filter(**{f"{self.ruta}__in": sorted(cursos_a_cargo(usuario))})
        return queryset.none()

    def puede_crear(self, usuario: Any) -> bool:
        return bool(alcance_de(usuario).roles & GESTION)


@dataclass(frozen=True)
class PoliticaDeRegistrosPersonales:
    """Records about one person in one course: the person, their coordinators, the team.

    The person sees their own rows; a coordinator the rows of people of their states
    (all, if national); the course's team reads those of its courses. Changing is for
    coordinators in scope (enrolling, withdrawing, correcting attendance); nobody deletes.
    """

    ruta_persona: str
    ruta_curso: str

    def accede(self, usuario: Any, accion: Accion) -> bool:
        alcance = alcance_de(usuario)
        if accion is Accion.BORRAR:
            return False
        if accion is Accion.CAMBIAR:
            return alcance.coordina
        return alcance.usuario_id is not None

    def filtrar(self, usuario: Any, accion: Accion, queryset: QuerySet[Any]) -> QuerySet[Any]:
        alcance = alcance_de(usuario)
        if not self.accede(usuario, accion):
            return queryset.none()
        if alcance.nacional:
            return queryset
        condicion = Q(**{f"{self.ruta_persona}__entidad__in": sorted(alcance.entidades)})
        if accion is not Accion.CAMBIAR:
            condicion |= Q(**{f"{self.ruta_persona}_id": alcance.usuario_id})
            if Rol.INSTRUCTOR in alcance.roles:
                condicion |= Q(**{f"{self.ruta_curso}__in": sorted(cursos_a_cargo(usuario))})
        return queryset.filter(condicion)

    def puede_crear(self, usuario: Any) -> bool:
        return alcance_de(usuario).coordina


@dataclass(frozen=True)
class PoliticaDeExportaciones:
    """A coordination export: only who asked for it, while their scope still covers it.

    The export records the scope it was built with (national, or its states). A state
    coordinator moved to another state, or a national coordinator who became a state
    one, no longer reaches what the file holds; nor does anyone left without a role.
    """

    def accede(self, usuario: Any, accion: Accion) -> bool:
        return accion is not Accion.CAMBIAR and alcance_de(usuario).coordina

    def filtrar(self, usuario: Any, accion: Accion, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.accede(usuario, accion):
            return queryset.none()
        alcance = alcance_de(usuario)
        propias = queryset.filter(solicitante_id=alcance.usuario_id)
        if alcance.nacional:
            return propias
        ajenas = EntidadFederativa.objects.exclude(pk__in=sorted(alcance.entidades))
        return propias.filter(nacional=False).exclude(entidades=None).exclude(entidades__in=ajenas)

    def puede_crear(self, usuario: Any) -> bool:
        return alcance_de(usuario).coordina


@dataclass(frozen=True)
class PoliticaDeFormatosDeLista:
    """How a coordinator's enrolment lists are laid out: theirs alone, while they enrol."""

    def accede(self, usuario: Any, accion: Accion) -> bool:
        alcance = alcance_de(usuario)
        return alcance.coordina or alcance.es_administrador

    def filtrar(self, usuario: Any, accion: Accion, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.accede(usuario, accion):
            return queryset.none()
        return queryset.filter(usuario_id=alcance_de(usuario).usuario_id)

    def puede_crear(self, usuario: Any) -> bool:
        return self.accede(usuario, Accion.CAMBIAR)


@dataclass(frozen=True)
class PoliticaDeManifestaciones:
    """A state's manifestación de interés: its state coordinators and the national coordination.

    Both read and edit it (the national coordination also accepts it or asks for
    changes, see `cursos.manifestaciones.puede_decidir`); nobody deletes it, so its
    history stays.
    """

    def accede(self, usuario: Any, accion: Accion) -> bool:
        return accion is not Accion.BORRAR and alcance_de(usuario).coordina

    def filtrar(self, usuario: Any, accion: Accion, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.accede(usuario, accion):
            return queryset.none()
        alcance = alcance_de(usuario)
        if alcance.nacional:
            return queryset
        return queryset.filter(entidad_id__in=sorted(alcance.entidades))

    def puede_crear(self, usuario: Any) -> bool:
        return alcance_de(usuario).coordina


def registrar() -> None:
    """Declare the courses app's policies and course memberships to `lms.alcance`."""
    from lms.wagtail_alcance import registrar_en_wagtail

    politica.registrar_cursos(
        Cursos(a_cargo=_a_cargo, inscritos=_inscritos, todos=_todos, personas=_personas)
    )
    politica.registrar_politica(Edicion, PoliticaDeEdiciones(ruta="curso_id"))
    politica.registrar_politica(SesionEnVivo, PoliticaDeEdiciones(ruta="edicion__curso_id"))
    politica.registrar_politica(
        Inscripcion,
        PoliticaDeRegistrosPersonales(ruta_persona="usuario", ruta_curso="edicion__curso_id"),
    )
    politica.registrar_politica(
        Asistencia,
        PoliticaDeRegistrosPersonales(
            ruta_persona="usuario", ruta_curso="sesion__edicion__curso_id"
        ),
    )
    politica.registrar_politica(
        ProgresoLeccion,
        PoliticaDeRegistrosPersonales(
            ruta_persona="inscripcion__usuario", ruta_curso="inscripcion__edicion__curso_id"
        ),
    )
    politica.registrar_politica(ExportacionSolicitada, PoliticaDeExportaciones())
    politica.registrar_politica(FormatoLista, PoliticaDeFormatosDeLista())
    politica.registrar_politica(ManifestacionInteres, PoliticaDeManifestaciones())
    registrar_en_wagtail(Edicion)
