from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from constancias import demo as demo_constancias
from cursos import demo as demo_cursos
from lms import demo as demo_lms


class Command(BaseCommand):
    help = "Carga el contenido de demostración (idempotente: ejecutarlo dos veces no duplica nada)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--forzar",
            action="store_true",
            help="Permite cargarlo con DEBUG desactivado, nunca con los ajustes de producción.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo accounts share a password published in the source: never on production
        # settings, whatever the flags say.
        if settings.LMS_ENTORNO == "produccion":
            raise CommandError(
                _(
                    "El contenido de demostración crea cuentas con una contraseña pública y no "
                    "se carga con los ajustes de producción. Para probar la plataforma en su "
                    "equipo use `make run` (DJANGO_SETTINGS_MODULE=lms.settings.dev)."
                )
            )
        if not settings.DEBUG and not options["forzar"]:
            raise CommandError(
                _("El contenido de demostración solo se carga con DEBUG; use --forzar.")
            )
        demo_lms.cargar()
        demo_cursos.cargar()
        demo_constancias.cargar()
        self.stdout.write(self.style.SUCCESS(_("Contenido de demostración cargado.")))
