from typing import Any

from django.core.management.base import BaseCommand

from lms.demo import CONTRASENA_DEMO, CUENTAS_DEMO


class Command(BaseCommand):
    help = "Muestra las cuentas de demostración, una por rol."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"  Cuentas de demostración (contraseña: {CONTRASENA_DEMO}):")
        for cuenta in CUENTAS_DEMO:
            rol = cuenta.rol.label if cuenta.rol else "Participante"
            self.stdout.write(f"    {rol:<22} {cuenta.email}")
