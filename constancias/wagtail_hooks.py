"""Admin registration: constancia templates as a snippet with drafts, revisions and preview."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from constancias import views
from constancias.models import PlantillaConstancia, ReglaConstancia
from lms.wagtail_alcance import ConAlcanceViewSetMixin, SelectorConAlcanceMixin
from lms.wagtail_mensajes import FEMENINO, MensajesConGeneroMixin


class SelectorConAlcanceViewSet(SelectorConAlcanceMixin, SnippetChooserViewSet):
    pass


class PlantillaConstanciaViewSet(MensajesConGeneroMixin, ConAlcanceViewSetMixin, SnippetViewSet):
    genero = FEMENINO
    model = PlantillaConstancia
    icon = "doc-full"
    menu_label = _("Plantillas de constancia")
    menu_name = "plantillas_constancia"
    add_to_admin_menu = True
    menu_order = 300
    list_display = ["nombre", "tamano", "orientacion", "live", "actualizada_en"]
    # The model's search index is used; SQLite's full-text backend cannot restrict fields.
    chooser_viewset_class = SelectorConAlcanceViewSet


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


class ReglaConstanciaViewSet(MensajesConGeneroMixin, ConAlcanceViewSetMixin, SnippetViewSet):
    genero = FEMENINO
    """Per-edition issuance rules, edited next to the templates."""

    model = ReglaConstancia
    icon = "list-ul"
    menu_label = _("Reglas de constancia")
    menu_name = "reglas_constancia"
    add_to_admin_menu = True
    menu_order = 301
    list_display = ["edicion", "tipo", "alcance", "fase", "plantilla", "automatica", "activa"]
    list_filter = ["tipo", "alcance", "activa"]
    chooser_viewset_class = SelectorConAlcanceViewSet


register_snippet(ReglaConstanciaViewSet)
