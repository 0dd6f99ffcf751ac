from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lms.demo import CONTRASENA_DEMO, CUENTAS_DEMO


class Command(BaseCommand):
    help = "Muestra las cuentas de demostración, una por rol."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.LMS_ENTORNO == "produccion" or not settings.DEBUG:
            raise CommandError(
                _(
                    "Las cuentas de demostración solo existen en el modo de desarrollo "
                    "(`make run`); no se muestran con DEBUG desactivado ni en producción."
                )
            )
        self.stdout.write(
            _("  Cuentas de demostración (contraseña: %(contrasena)s):")
            % {"contrasena": CONTRASENA_DEMO}
        )
        for cuenta in CUENTAS_DEMO:
            rol = cuenta.rol.label if cuenta.rol else _("Participante")
            self.stdout.write(f"    {rol:<22} {cuenta.email}")
