from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ConstanciasConfig(AppConfig):
    name = "constancias"
    verbose_name = _("Constancias")

    def ready(self) -> None:
        from constancias import receivers

        post_migrate.connect(receivers.permisos_despues_de_migrar)
