"""The one place that decides which people and records a user may see.

Every coordinator screen, export and chart filters through `filtrar_por_alcance`;
no view filters by state by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, Q, QuerySet

from lms.models import Rol

if TYPE_CHECKING:
    from lms.models import Usuario

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
    from lms.models import Usuario as UsuarioModel

    return filtrar_por_alcance(
        usuario, UsuarioModel.objects.all(), ruta_entidad="entidad", ruta_persona="pk"
    )
