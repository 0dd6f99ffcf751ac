"""Recompute and store every enrolment's progress from its facts (after deploying 0007)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cursos import services
from cursos.models import Inscripcion


class Command(BaseCommand):
    help = (
        "Recalcula desde los hechos el avance guardado de las inscripciones (fases, avance, "
        "asistencia, calificación, horas y acreditación). Es idempotente."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--pendientes",
            action="store_true",
            help="Solo las inscripciones cuyo avance nunca se ha calculado.",
        )
        parser.add_argument("--edicion", type=int, help="Solo las inscripciones de esta edición.")
        parser.add_argument("--bloque", type=int, default=500)

    def handle(self, *args: Any, **opciones: Any) -> None:
        inscripciones = Inscripcion.objects.all()
        if opciones["pendientes"]:
            inscripciones = inscripciones.filter(avance_calculado_en__isnull=True)
        if opciones["edicion"]:
            inscripciones = inscripciones.filter(edicion_id=opciones["edicion"])

        def al_avanzar(hechas: int, total: int) -> None:
            if opciones["verbosity"] > 1:
                self.stdout.write(f"  {hechas}/{total}")

        cambiadas = services.recalcular_avances(
            inscripciones=inscripciones, bloque=opciones["bloque"], al_avanzar=al_avanzar
        )
        self.stdout.write(f"Inscripciones con avance actualizado: {cambiadas}")
