"""What the constancias app adds to course screens through `cursos.extensiones`: the
dashboard's count of enrolments holding a valid constancia and the kardex panel listing
each enrolment's constancias."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet

from constancias.models import Constancia
from cursos import extensiones
from cursos.models import Inscripcion


def contar_con_constancia(inscripciones: QuerySet[Inscripcion]) -> int:
    """How many of `inscripciones` hold at least one valid constancia."""
    return (
        Constancia.objects.filter(
            estado=Constancia.Estado.VIGENTE, inscripcion__in=inscripciones.values("pk")
        )
        .values("inscripcion")
        .distinct()
        .count()
    )


def seccion_kardex(
    inscripciones: Sequence[Inscripcion],
) -> dict[int, list[extensiones.SeccionKardex]]:
    """Every constancia of each enrolment (valid, revoked or replaced), newest first."""
    por_inscripcion: dict[int, list[Any]] = defaultdict(list)
    for constancia in Constancia.objects.filter(
        inscripcion_id__in=[i.pk for i in inscripciones]
    ).order_by("-emitida_en", "-pk"):
        por_inscripcion[constancia.inscripcion_id].append(constancia)
    return {
        i.pk: [
            {
                "plantilla": "constancias/_kardex_constancias.html",
                "contexto": {"constancias": por_inscripcion[i.pk]},
            }
        ]
        for i in inscripciones
    }


def registrar() -> None:
    extensiones.registrar_conteo("con_constancia", contar_con_constancia)
    extensiones.registrar_seccion_kardex(seccion_kardex)
