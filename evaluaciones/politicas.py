"""Who may list, see, change and delete the quiz engine's objects (registered in `lms.alcance`).

An evaluation, a question category and its questions belong to the team of one course
(`curso`): its instructors author, grade and read them; administrators reach all;
the national coordination reads evaluations. Attempts and answers belong to the
person who took them and are open to who grades them (`selectors.intentos_a_cargo`).
Objects without a course (older or general banks) are the administrators' alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from evaluaciones import selectors
from evaluaciones.models import (
    CategoriaPregunta,
    Evaluacion,
    Excepcion,
    Intento,
    Pregunta,
    Recalificacion,
    Respuesta,
)
from lms import alcance as politica
from lms.alcance import Accion, alcance_de, cursos_a_cargo
from lms.models import Rol

AUTORES = frozenset({Rol.ADMINISTRADOR, Rol.INSTRUCTOR})
COORDINACION = frozenset(
    {Rol.ADMINISTRADOR, Rol.COORDINADOR_NACIONAL, Rol.COORDINADOR_ESTATAL, Rol.INSTRUCTOR}
)


@dataclass(frozen=True)
class PoliticaDeCurso:
    """Objects owned by a course's team through the lookup `ruta` to the course page id."""

    ruta: str
    lectores: frozenset[str]  # roles that read every row (besides administrators)

    def accede(self, usuario: Any, accion: Accion) -> bool:
        alcance = alcance_de(usuario)
        if alcance.es_administrador or Rol.INSTRUCTOR in alcance.roles:
            return True
        return accion in (Accion.LISTAR, Accion.VER) and bool(alcance.roles & self.lectores)

    def filtrar(self, usuario: Any, accion: Accion, queryset: QuerySet[Any]) -> QuerySet[Any]:
        alcance = alcance_de(usuario)
        if alcance.es_administrador:
            return queryset
        if accion in (Accion.LISTAR, Accion.VER) and alcance.roles & self.lectores:
            return queryset
        if Rol.INSTRUCTOR not in alcance.roles:
            return queryset.none()
        return queryset.filter(**{f"{self.ruta}__in": sorted(cursos_a_cargo(usuario))})

    def puede_crear(self, usuario: Any) -> bool:
        return bool(alcance_de(usuario).roles & AUTORES)


@dataclass(frozen=True)
class PoliticaDeIntentos:
    """Attempts (or rows of them through `ruta`): their person reads; graders grade.

    Nobody deletes an attempt or an answer: they are the record of an evaluation.
    """

    ruta: str  # lookup from the model to the attempt ("" for Intento itself)

    def accede(self, usuario: Any, accion: Accion) -> bool:
        return accion is not Accion.BORRAR and alcance_de(usuario).usuario_id is not None

    def filtrar(self, usuario: Any, accion: Accion, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.accede(usuario, accion):
            return queryset.none()
        prefijo = f"{self.ruta}__" if self.ruta else ""
        condicion = Q(**{f"{prefijo}pk__in": selectors.intentos_a_cargo(usuario).values("pk")})
        if accion is not Accion.CAMBIAR:
            condicion |= Q(**{f"{prefijo}usuario_id": alcance_de(usuario).usuario_id})
        return queryset.filter(condicion)

    def puede_crear(self, usuario: Any) -> bool:
        return False


@dataclass(frozen=True)
class PoliticaDeExcepciones:
    """Per-person extras: `selectors.excepciones_a_cargo` for every action."""

    def accede(self, usuario: Any, accion: Accion) -> bool:
        return bool(alcance_de(usuario).roles & COORDINACION)

    def filtrar(self, usuario: Any, accion: Accion, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(pk__in=selectors.excepciones_a_cargo(usuario).values("pk"))

    def puede_crear(self, usuario: Any) -> bool:
        return self.accede(usuario, Accion.CAMBIAR)


def registrar() -> None:
    """Declare the quiz engine's policies to `lms.alcance` and Wagtail."""
    from lms.wagtail_alcance import registrar_en_wagtail

    politica.registrar_politica(
        Evaluacion, PoliticaDeCurso(ruta="curso_id", lectores=frozenset({Rol.COORDINADOR_NACIONAL}))
    )
    politica.registrar_politica(
        CategoriaPregunta, PoliticaDeCurso(ruta="curso_id", lectores=frozenset())
    )
    politica.registrar_politica(
        Pregunta, PoliticaDeCurso(ruta="categoria__curso_id", lectores=frozenset())
    )
    politica.registrar_politica(Excepcion, PoliticaDeExcepciones())
    politica.registrar_politica(Intento, PoliticaDeIntentos(ruta=""))
    politica.registrar_politica(Respuesta, PoliticaDeIntentos(ruta="intento"))
    politica.registrar_politica(
        Recalificacion, PoliticaDeCurso(ruta="pregunta__categoria__curso_id", lectores=frozenset())
    )
    for modelo in (Evaluacion, CategoriaPregunta, Pregunta, Excepcion):
        registrar_en_wagtail(modelo)
