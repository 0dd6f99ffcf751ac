from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CursosConfig(AppConfig):
    name = "cursos"
    verbose_name = _("Cursos")

    def ready(self) -> None:
        from cursos import datos_personales, politicas, receivers  # noqa: F401

        politicas.registrar()
        datos_personales.registrar()
