from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = _("Personas y organizaciones")

    def ready(self) -> None:
        from lms import politicas, receivers, red  # noqa: F401 - red registers its check

        politicas.registrar()
        from lms.exportaciones_admin import proteger_exportaciones_de_wagtail

        proteger_exportaciones_de_wagtail()
