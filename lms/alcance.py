"""The one door: who may list, see, change and delete each kind of object.

Two parts. The *scope* of a user (`alcance_de`): national, some states, or only
their own records; every coordinator screen, export and chart filters people through
`filtrar_por_alcance`, and no view filters by state by hand. The *policy registry*:
each app registers, at start-up, one `Politica` per model it owns, saying which rows
a user may list, see, change or delete (`permitidos`, `puede`); views, Wagtail
viewsets and choosers (`lms.wagtail_alcance`), listings and exports ask it. This
module sits in the lowest app and imports no other: the courses app declares which
courses a person teaches or is enrolled in through `registrar_cursos`, so the quiz
engine can say "the team of the evaluation's course" without knowing what a course is.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django.db.models import Model, Q, QuerySet

from lms.models import Rol, Usuario

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Alcance:
    """What a user may see: everything, some entities, or only their own records."""

    usuario_id: int | None
    nacional: bool
    entidades: frozenset[int]
    roles: frozenset[str]

    @property
    def coordina(self) -> bool:
        return self.nacional or bool(self.entidades)

    @property
    def es_instructor(self) -> bool:
        return Rol.INSTRUCTOR in self.roles or self.nacional

    @property
    def es_administrador(self) -> bool:
        return Rol.ADMINISTRADOR in self.roles


SIN_ALCANCE = Alcance(usuario_id=None, nacional=False, entidades=frozenset(), roles=frozenset())


def alcance_de(usuario: Any) -> Alcance:
    """The scope of `usuario`, read once per request object and cached on it."""
    if usuario is None or not getattr(usuario, "is_authenticated", False) or not usuario.is_active:
        return SIN_ALCANCE
    cached = getattr(usuario, "_alcance_cache", None)
    if cached is not None:
        return cached
    asignaciones = list(usuario.asignaciones.values_list("rol", "entidad_id"))
    roles = {rol for rol, _ in asignaciones}
    if usuario.is_superuser:
        roles.add(Rol.ADMINISTRADOR)
    nacional = bool(roles & {Rol.ADMINISTRADOR, Rol.COORDINADOR_NACIONAL})
    entidades = frozenset(
        entidad_id
        for rol, entidad_id in asignaciones
        if rol == Rol.COORDINADOR_ESTATAL and entidad_id is not None
    )
    alcance = Alcance(
        usuario_id=usuario.pk,
        nacional=nacional,
        entidades=entidades,
        roles=frozenset(roles),
    )
    usuario._alcance_cache = alcance
    return alcance


def filtrar_por_alcance(
    usuario: Usuario | Any,
    queryset: QuerySet[M],
    *,
    ruta_entidad: str = "entidad",
    ruta_persona: str | None = None,
) -> QuerySet[M]:
    """Keep the rows of `queryset` that `usuario` may see.

    `ruta_entidad` is the lookup path from the model to its entidad federativa
    (e.g. "usuario__entidad"); `ruta_persona` the path to the person the row is
    about, so that anyone sees their own rows. National coordinators and
    administrators see everything; a state coordinator sees the rows of their
    entities; everyone else sees only their own rows, or nothing.
    """
    alcance = alcance_de(usuario)
    if alcance.nacional:
        return queryset
    condicion = Q(pk__in=[])
    if alcance.entidades:
        condicion |= Q(**{f"{ruta_entidad}__in": sorted(alcance.entidades)})
    if ruta_persona is not None and alcance.usuario_id is not None:
        condicion |= Q(**{ruta_persona: alcance.usuario_id})
    return queryset.filter(condicion)


def personas_visibles(usuario: Usuario | Any) -> QuerySet[Usuario]:
    """People whose records `usuario` may see (themselves included)."""
    return filtrar_por_alcance(
        usuario, Usuario.objects.all(), ruta_entidad="entidad", ruta_persona="pk"
    )


# --- The policy registry ---------------------------------------------------------------


class Accion(enum.StrEnum):
    """What a person may want to do with an object."""

    LISTAR = "listar"  # find it in a listing, a chooser or a search
    VER = "ver"  # open it, read it, download it, export it
    CAMBIAR = "cambiar"  # edit it, grade it, regrade it, publish it
    BORRAR = "borrar"  # delete it (or revoke, for records that are never deleted)


class Politica(Protocol):
    """Who may do what with the rows of one model.

    `filtrar` narrows a queryset of the model to the rows `usuario` may act on with
    `accion`; it must not evaluate the queryset. `accede` answers, without a query,
    whether the user's roles could ever allow `accion` on some row (menus and buttons
    ask it). `puede_crear` says whether the user may add new rows at all (the form then
    limits where they may hang them).
    """

    def accede(self, usuario: Any, accion: Accion) -> bool:
        """Whether `usuario`'s roles can allow `accion` on some row of the model."""
        ...

    def filtrar(self, usuario: Any, accion: Accion, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The rows of `queryset` open to `usuario` for `accion`."""
        ...

    def puede_crear(self, usuario: Any) -> bool:
        """Whether `usuario` may create rows of the model."""
        ...


_POLITICAS: dict[type[Model], Politica] = {}


def registrar_politica(modelo: type[Model], politica: Politica) -> None:
    """Declare the policy of `modelo`; called once per model from its app's `ready()`."""
    _POLITICAS[modelo] = politica


def politica_de(modelo: type[Model]) -> Politica:
    """The registered policy of `modelo` (or of a parent class); refuses unknown models.

    A model without a policy is a programming error, not "everyone may": the
    ownership matrix test checks that every model the admin exposes has one.
    """
    for clase in modelo.__mro__:
        if clase in _POLITICAS:
            return _POLITICAS[clase]
    raise LookupError(f"No access policy registered for {modelo.__name__}")


def modelos_con_politica() -> frozenset[type[Model]]:
    return frozenset(_POLITICAS)


def permitidos(usuario: Any, accion: Accion, objetos: type[M] | QuerySet[M]) -> QuerySet[M]:
    """The objects (a model or a queryset of it) `usuario` may act on with `accion`."""
    queryset = objetos if isinstance(objetos, QuerySet) else objetos._default_manager.all()
    return politica_de(queryset.model).filtrar(usuario, accion, queryset)


def puede(usuario: Any, accion: Accion, objeto: Model) -> bool:
    """Whether `usuario` may act on `objeto` with `accion` (one query)."""
    if objeto.pk is None:
        return puede_crear(usuario, type(objeto))
    return permitidos(usuario, accion, type(objeto)).filter(pk=objeto.pk).exists()


def puede_crear(usuario: Any, modelo: type[Model]) -> bool:
    """Whether `usuario` may create objects of `modelo` at all."""
    return politica_de(modelo).puede_crear(usuario)


def accede(usuario: Any, accion: Accion, modelo: type[Model]) -> bool:
    """Whether `usuario`'s roles can allow `accion` on some object of `modelo` (menus, buttons)."""
    return politica_de(modelo).accede(usuario, accion)


@dataclass(frozen=True)
class PoliticaPorRol:
    """A policy for records only staff roles touch, with no owner of their own.

    Each action lists the roles allowed (administrators are `Rol.ADMINISTRADOR`,
    superusers included). Everyone else gets nothing.
    """

    acciones: Mapping[Accion, frozenset[str]]
    crear: frozenset[str] = frozenset()

    def accede(self, usuario: Any, accion: Accion) -> bool:
        return bool(alcance_de(usuario).roles & self.acciones.get(accion, frozenset()))

    def filtrar(self, usuario: Any, accion: Accion, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset if self.accede(usuario, accion) else queryset.none()

    def puede_crear(self, usuario: Any) -> bool:
        return bool(alcance_de(usuario).roles & self.crear)


# --- Courses a person teaches or takes, declared by the courses app ---------------------

FuncionCursos = Callable[[int], frozenset[int]]


@dataclass(frozen=True)
class Cursos:
    """What the courses app declares about courses, for policies of lower apps.

    `a_cargo(usuario_id)` and `inscritos(usuario_id)` return the course page ids a
    person teaches (published team membership only, so a draft never grants rights)
    and holds an active enrolment in; `todos()` every course page id; `personas(ids)`
    the people actively enrolled in those courses.
    """

    a_cargo: FuncionCursos
    inscritos: FuncionCursos
    todos: Callable[[], frozenset[int]]
    personas: Callable[[frozenset[int]], QuerySet[Any]]


_CURSOS: list[Cursos] = []


def registrar_cursos(cursos: Cursos) -> None:
    """Called once by the courses app at start-up."""
    _CURSOS[:] = [cursos]


def _cursos(usuario: Any, clave: str) -> frozenset[int]:
    alcance = alcance_de(usuario)
    if alcance.usuario_id is None or not _CURSOS:
        return frozenset()
    atributo = f"_cursos_{clave}_cache"
    cached = getattr(usuario, atributo, None)
    if cached is None:
        cached = getattr(_CURSOS[0], clave)(alcance.usuario_id)
        setattr(usuario, atributo, cached)
    return cached


def cursos_a_cargo(usuario: Any) -> frozenset[int]:
    """Ids of the course pages whose published team includes `usuario` (cached per object)."""
    return _cursos(usuario, "a_cargo")


def cursos_inscritos(usuario: Any) -> frozenset[int]:
    """Ids of the course pages `usuario` holds an active enrolment in (cached per object)."""
    return _cursos(usuario, "inscritos")


def cursos_asignables(usuario: Any) -> frozenset[int]:
    """Courses to which `usuario` may hand new evaluations and question categories."""
    alcance = alcance_de(usuario)
    if alcance.es_administrador:
        return _CURSOS[0].todos() if _CURSOS else frozenset()
    if Rol.INSTRUCTOR in alcance.roles:
        return cursos_a_cargo(usuario)
    return frozenset()


def todos_los_cursos() -> frozenset[int]:
    """Every course page id (declared by the courses app)."""
    return _CURSOS[0].todos() if _CURSOS else frozenset()


def personas_inscritas(cursos: frozenset[int]) -> QuerySet[Any]:
    """People actively enrolled in any of `cursos`."""
    if not _CURSOS or not cursos:
        return Usuario.objects.none()
    return _CURSOS[0].personas(cursos)


def olvidar_cache(usuario: Any) -> None:
    """Drop what this module cached on a user object, after their roles or teams change."""
    for atributo in ("_alcance_cache", "_cursos_a_cargo_cache", "_cursos_inscritos_cache"):
        usuario.__dict__.pop(atributo, None)
