"""Signal receivers of constancias; each only calls a service."""

from typing import Any

from django.apps import apps

from constancias import services


def permisos_despues_de_migrar(sender: Any, **kwargs: Any) -> None:
    # post_migrate is sent once per app with models, in INSTALLED_APPS order; by the last
    # one's turn every permission (including Wagtail's snippet "publish") exists.
    con_modelos = [config for config in apps.get_app_configs() if config.models_module]
    if con_modelos and sender is con_modelos[-1]:
        services.asegurar_permisos_plantillas()
