from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = _("Personas y organizaciones")

    def ready(self) -> None:
        # red and direcciones register their checks on import.
        from lms import direcciones, politicas, receivers, red  # noqa: F401

        politicas.registrar()
        from lms.exportaciones_admin import proteger_exportaciones_de_wagtail

        proteger_exportaciones_de_wagtail()
