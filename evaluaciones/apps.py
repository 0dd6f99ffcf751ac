from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


def revisar_tipos_de_pregunta(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every question type has its module, template and scoring rule (evaluaciones.tipos)."""
    from evaluaciones import tipos

    return [
        checks.Error(problema, id="evaluaciones.E001")
        for problema in tipos.problemas_del_registro()
    ]


class EvaluacionesConfig(AppConfig):
    name = "evaluaciones"
    verbose_name = _("Evaluaciones")

    def ready(self) -> None:
        from evaluaciones import datos_personales, politicas

        politicas.registrar()
        datos_personales.registrar()
        checks.register(revisar_tipos_de_pregunta)
