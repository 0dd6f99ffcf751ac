from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from constancias import demo as demo_constancias
from cursos import demo as demo_cursos
from lms import demo as demo_lms


class Command(BaseCommand):
    help = "Carga el contenido de demostración (idempotente: ejecutarlo dos veces no duplica nada)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--forzar",
            action="store_true",
            help="Permite cargarlo con DEBUG desactivado (nunca en producción real).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["forzar"]:
            raise CommandError(
                "El contenido de demostración solo se carga con DEBUG; use --forzar."
            )
        demo_lms.cargar()
        demo_cursos.cargar()
        demo_constancias.cargar()
        self.stdout.write(self.style.SUCCESS("Contenido de demostración cargado."))
