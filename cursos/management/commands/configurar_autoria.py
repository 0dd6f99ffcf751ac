from typing import Any

from django.core.management.base import BaseCommand

from cursos import autoria


class Command(BaseCommand):
    help = (
        "Configura los permisos de autoría de cursos y el flujo de revisión "
        "(idempotente; ejecútelo tras cada despliegue)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        flujo = autoria.configurar_autoria()
        if flujo is None:
            self.stdout.write(self.style.WARNING("No hay página de inicio; nada que configurar."))
            return
        self.stdout.write(self.style.SUCCESS(f"Flujo de revisión listo: {flujo.name}."))
