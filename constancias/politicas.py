"""Who may list, see, change and delete constancias and their machinery (in `lms.alcance`).

A constancia is seen by its holder and by the coordinators whose scope holds the
holder; only the national coordination and administrators revoke or replace one, and
nobody deletes it (a revoked constancia stays on record). A bulk issuance job is its
requester's (and the national coordination's) while they still coordinate. Templates
and rules are the national coordination's; state coordinators read the rules to issue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from constancias.models import (
    Constancia,
    PlantillaConstancia,
    ReglaConstancia,
    TrabajoEmision,
    VerificacionConsulta,
)
from lms import alcance as politica
from lms.alcance import Accion, PoliticaPorRol, alcance_de
from lms.models import Rol

GESTION = frozenset({Rol.ADMINISTRADOR, Rol.COORDINADOR_NACIONAL})
COORDINACION = GESTION | {Rol.COORDINADOR_ESTATAL}


@dataclass(frozen=True)
class PoliticaDeConstancias:
    """The holder reads; coordinators in scope read; national coordination revokes."""

    def accede(self, usuario: Any, accion: Accion) -> bool:
        alcance = alcance_de(usuario)
        if accion is Accion.BORRAR:
            return False
        if accion is Accion.CAMBIAR:
            return bool(alcance.roles & GESTION)
        return alcance.usuario_id is not None

    def filtrar(self, usuario: Any, accion: Accion, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.accede(usuario, accion):
            return queryset.none()
        alcance = alcance_de(usuario)
        if alcance.nacional:
            return queryset
        condicion = Q(usuario__entidad__in=sorted(alcance.entidades))
        if accion is not Accion.CAMBIAR:
            condicion |= Q(usuario_id=alcance.usuario_id)
        return queryset.filter(condicion)

    def puede_crear(self, usuario: Any) -> bool:
        return alcance_de(usuario).coordina


@dataclass(frozen=True)
class PoliticaDeTrabajos:
    """A bulk issuance job: its requester's while they coordinate, and the nation's."""

    def accede(self, usuario: Any, accion: Accion) -> bool:
        return accion in (Accion.LISTAR, Accion.VER) and alcance_de(usuario).coordina

    def filtrar(self, usuario: Any, accion: Accion, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.accede(usuario, accion):
            return queryset.none()
        alcance = alcance_de(usuario)
        if alcance.nacional:
            return queryset
        # Still in scope: a coordinator moved to another state loses the old state's jobs
        # (a job without a state covers the requester's scope when its files are read).
        return queryset.filter(
            Q(entidad__in=sorted(alcance.entidades)) | Q(entidad__isnull=True),
            solicitada_por_id=alcance.usuario_id,
        )

    def puede_crear(self, usuario: Any) -> bool:
        return alcance_de(usuario).coordina


def registrar() -> None:
    """Declare the constancias app's policies to `lms.alcance` and Wagtail."""
    from lms.wagtail_alcance import registrar_en_wagtail

    politica.registrar_politica(Constancia, PoliticaDeConstancias())
    politica.registrar_politica(TrabajoEmision, PoliticaDeTrabajos())
    todo_gestion = dict.fromkeys(Accion, GESTION)
    politica.registrar_politica(
        PlantillaConstancia, PoliticaPorRol(acciones=todo_gestion, crear=GESTION)
    )
    politica.registrar_politica(
        ReglaConstancia,
        PoliticaPorRol(
            acciones={
                Accion.LISTAR: COORDINACION,
                Accion.VER: COORDINACION,
                Accion.CAMBIAR: GESTION,
                Accion.BORRAR: GESTION,
            },
            crear=GESTION,
        ),
    )
    politica.registrar_politica(
        VerificacionConsulta,
        PoliticaPorRol(acciones={Accion.LISTAR: GESTION, Accion.VER: GESTION}),
    )
    for modelo in (PlantillaConstancia, ReglaConstancia):
        registrar_en_wagtail(modelo)
