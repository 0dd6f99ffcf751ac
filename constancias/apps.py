from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConstanciasConfig(AppConfig):
    name = "constancias"
    verbose_name = _("Constancias")
