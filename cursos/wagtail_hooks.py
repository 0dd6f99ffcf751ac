"""Admin registration: editions (with their live sessions) are edited as snippets."""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.models import Page
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from cursos.models import Edicion
from lms.alcance import cursos_a_cargo
from lms.wagtail_alcance import (
    ConAlcanceViewSetMixin,
    SelectorConAlcanceMixin,
    es_gestion,
    listables,
)
from lms.wagtail_mensajes import FEMENINO, MensajesConGeneroMixin


class EdicionChooserViewSet(SelectorConAlcanceMixin, SnippetChooserViewSet):
    pass


class EdicionViewSet(MensajesConGeneroMixin, ConAlcanceViewSetMixin, SnippetViewSet):
    genero = FEMENINO
    model = Edicion
    icon = "date"
    menu_label = _("Ediciones")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["nombre", "curso", "fecha_inicio", "fecha_fin", "modalidad", "cupo"]
    list_filter = ["modalidad"]
    # The model's search index is used; SQLite's full-text backend cannot restrict fields.
    chooser_viewset_class = EdicionChooserViewSet


register_snippet(EdicionViewSet)


@hooks.register("construct_page_chooser_queryset")
def paginas_elegibles(pages: Any, request: Any) -> Any:
    """The page chooser offers published pages, and drafts only of the user's own courses.

    A draft is work in progress of a course's team: another course's instructor must not
    read its title in a chooser. Administrators and the national coordination see all.
    """
    if es_gestion(request.user):
        return pages
    rutas = Page.objects.filter(pk__in=sorted(cursos_a_cargo(request.user))).values_list(
        "path", flat=True
    )
    condicion = Q(live=True)
    for ruta in rutas:
        condicion |= Q(path__startswith=ruta)
    return pages.filter(condicion)


@hooks.register("construct_reports_menu")
def informes_de_gestion(request: Any, menu_items: list[Any]) -> None:
    """Site-wide reports are for the national coordination (`AdminConAlcanceMiddleware`)."""
    if not es_gestion(request.user):
        menu_items[:] = []


class _ApiConAlcance:
    """Admin API endpoints of files: only what the user may list (their courses' collections)."""

    def get_queryset(self) -> Any:
        # A mixin: the class it is mixed into defines this method.
        queryset = super().get_queryset()  # type: ignore[misc]
        # A mixin: the class it is mixed into has this attribute.
        return queryset.filter(pk__in=listables(self.request.user, queryset.model).values("pk"))  # type: ignore[attr-defined]


class ImagenesApiConAlcance(_ApiConAlcance, ImagesAdminAPIViewSet):
    pass


class DocumentosApiConAlcance(_ApiConAlcance, DocumentsAdminAPIViewSet):
    pass


@hooks.register("construct_admin_api", order=100)
def api_de_archivos_con_alcance(router: Any) -> None:
    # After Wagtail's own registrations (order 0), which this replaces.
    router.register_endpoint("images", ImagenesApiConAlcance)
    router.register_endpoint("documents", DocumentosApiConAlcance)
