"""Admin registration: constancia templates as a snippet with drafts, revisions and preview."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from constancias import views
from constancias.models import PlantillaConstancia, ReglaConstancia


class PlantillaConstanciaViewSet(SnippetViewSet):
    model = PlantillaConstancia
    icon = "doc-full"
    menu_label = _("Plantillas de constancia")
    menu_name = "plantillas_constancia"
    add_to_admin_menu = True
    menu_order = 300
    list_display = ["nombre", "tamano", "orientacion", "live", "actualizada_en"]
    search_fields = ["nombre"]


register_snippet(PlantillaConstanciaViewSet)


@hooks.register("register_admin_urls")
def urls_constancias():
    return [
        path(
            "constancias/plantillas/<int:pk>/muestra.pdf",
            views.muestra_plantilla,
            name="constancias_muestra_plantilla",
        )
    ]


class ReglaConstanciaViewSet(SnippetViewSet):
    """Per-edition issuance rules, edited next to the templates."""

    model = ReglaConstancia
    icon = "list-ul"
    menu_label = _("Reglas de constancia")
    menu_name = "reglas_constancia"
    add_to_admin_menu = True
    menu_order = 301
    list_display = ["edicion", "tipo", "alcance", "fase", "plantilla", "automatica", "activa"]
    list_filter = ["tipo", "alcance", "activa"]


register_snippet(ReglaConstanciaViewSet)
