from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class ConstanciasConfig(AppConfig):
    name = "constancias"
    verbose_name = _("Constancias")

    def ready(self) -> None:
        from constancias import datos_personales, exportacion, paneles, politicas, receivers

        politicas.registrar()
        datos_personales.registrar()
        exportacion.registrar()
        paneles.registrar()
        from cursos.signals import completitud_cambiada

        post_migrate.connect(receivers.permisos_despues_de_migrar)
        from lms.models import ConfiguracionSitio

        post_save.connect(
            receivers.al_cambiar_configuracion_sitio,
            sender=ConfiguracionSitio,
            dispatch_uid="constancias_al_cambiar_configuracion_sitio",
        )
        completitud_cambiada.connect(
            receivers.al_cambiar_completitud, dispatch_uid="constancias_al_cambiar_completitud"
        )
        try:
            from cursos import extensiones
        except ImportError:  # the courses app has not published the extension point yet
            return
        from constancias import views

        extensiones.registrar_seccion_mis_cursos(views.seccion_mis_cursos)
