"""Admin registration: editions (with their live sessions) are edited as snippets."""

from django.utils.translation import gettext_lazy as _

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from cursos.models import Edicion
from lms.wagtail_alcance import ConAlcanceViewSetMixin, SelectorConAlcanceMixin


class EdicionChooserViewSet(SelectorConAlcanceMixin, SnippetChooserViewSet):
    pass


class EdicionViewSet(ConAlcanceViewSetMixin, SnippetViewSet):
    model = Edicion
    icon = "date"
    menu_label = _("Ediciones")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["nombre", "curso", "fecha_inicio", "fecha_fin", "modalidad", "cupo"]
    list_filter = ["modalidad"]
    search_fields = ["nombre"]
    chooser_viewset_class = EdicionChooserViewSet


register_snippet(EdicionViewSet)
