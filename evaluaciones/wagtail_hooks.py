"""Authoring in the Wagtail admin: evaluations, the question bank, per-person extras, regrades."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem as AdminMenuItem
from wagtail.admin.widgets.button import HeaderButton, MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import chooser as snippet_chooser
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from evaluaciones import admin_views, services, views_autoria
from evaluaciones.models import CategoriaPregunta, Evaluacion, Excepcion, Pregunta
from lms import alcance
from lms.alcance import Accion
from lms.busqueda_texto import BusquedaSinAcentosMixin, campos_persona
from lms.wagtail_alcance import ConAlcanceViewSetMixin, SelectorConAlcanceMixin
from lms.wagtail_mensajes import FEMENINO, MensajesConGeneroMixin


class _AltaDesdeSelectorView(snippet_chooser.SnippetCreateView):
    """Wagtail's chooser 'create' endpoint fails on POST when no creation form is set."""

    def post(self, request: Any) -> HttpResponse:
        if self.get_creation_form_class() is None:
            raise Http404
        return super().post(request)


class SelectorSinAltaViewSet(SelectorConAlcanceMixin, snippet_chooser.SnippetChooserViewSet):
    """Snippet choosers of evaluations: what the user may list; items are created elsewhere."""

    create_view_class = _AltaDesdeSelectorView


class PreguntaIndexView(snippet_views.IndexView):
    @cached_property
    def header_buttons(self) -> list[Any]:
        botones = list(super().header_buttons)
        if alcance.puede_crear(self.request.user, Pregunta):
            botones.append(
                HeaderButton(
                    _("Importar (GIFT, Moodle XML, Aiken)"),
                    url=reverse("evaluaciones_importar_gift"),
                    icon_name="upload",
                )
            )
        return botones

    def get_list_more_buttons(self, instance: Pregunta) -> list[Any]:
        botones = super().get_list_more_buttons(instance)
        if alcance.accede(self.request.user, Accion.CAMBIAR, Pregunta):
            botones.append(
                MenuItem(
                    _("Recalificar intentos"),
                    url=reverse("evaluaciones_recalificar", args=[instance.pk]),
                    icon_name="resubmit",
                    priority=40,
                )
            )
        return botones


class PreguntaViewSet(MensajesConGeneroMixin, ConAlcanceViewSetMixin, SnippetViewSet):
    genero = FEMENINO
    model = Pregunta
    chooser_viewset_class = SelectorSinAltaViewSet
    icon = "help"
    menu_label = _("Banco de preguntas")
    index_view_class = PreguntaIndexView
    list_display = ["titulo", "tipo", "categoria", "puntos", "actualizada_en"]
    list_filter = ["tipo", "categoria"]
    # No `search_fields`: the model's search index (title and statement) is used, since
    # SQLite's full-text backend cannot restrict a search to named fields (it was a 500).
    copy_view_enabled = True


class CategoriaPreguntaIndexView(snippet_views.IndexView):
    def get_list_more_buttons(self, instance: CategoriaPregunta) -> list[Any]:
        botones = super().get_list_more_buttons(instance)
        if alcance.accede(self.request.user, Accion.VER, Pregunta):
            botones.append(
                MenuItem(
                    _("Exportar a Moodle XML"),
                    url=reverse("evaluaciones_exportar_moodle") + f"?categoria={instance.pk}",
                    icon_name="download",
                    priority=40,
                )
            )
        return botones


class CategoriaPreguntaViewSet(MensajesConGeneroMixin, ConAlcanceViewSetMixin, SnippetViewSet):
    genero = FEMENINO
    model = CategoriaPregunta
    chooser_viewset_class = SelectorSinAltaViewSet
    index_view_class = CategoriaPreguntaIndexView
    icon = "folder-open-inverse"
    menu_label = _("Categorías de preguntas")
    list_display = ["ruta", "curso", "descripcion"]
    list_filter = ["curso"]
    search_fields = ["nombre"]

    def get_queryset(self, request: Any) -> Any:
        # The path of categories up to four levels deep is read without a query per row.
        return super().get_queryset(request).select_related("curso", "padre__padre__padre")


class EvaluacionIndexView(snippet_views.IndexView):
    def get_list_more_buttons(self, instance: Evaluacion) -> list[Any]:
        botones = super().get_list_more_buttons(instance)
        botones.append(
            MenuItem(
                _("Resultados y análisis"),
                url=reverse("evaluaciones:resultados", args=[instance.pk]),
                icon_name="table",
                priority=30,
            )
        )
        if alcance.accede(self.request.user, Accion.VER, Pregunta):
            botones.append(
                MenuItem(
                    _("Exportar preguntas a Moodle XML"),
                    url=reverse("evaluaciones_exportar_moodle") + f"?evaluacion={instance.pk}",
                    icon_name="download",
                    priority=50,
                )
            )
        botones.append(
            MenuItem(
                _("Abrir como participante"),
                url=reverse("evaluaciones:detalle", args=[instance.pk]),
                icon_name="view",
                priority=40,
            )
        )
        return botones


class EvaluacionDeleteView(snippet_views.DeleteView):
    """An evaluation with attempts cannot be deleted: say so instead of failing."""

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _(
                    "No se puede borrar: la evaluación ya tiene intentos o la usa una fase. "
                    "Puede despublicarla o cerrarla."
                ),
            )
            return redirect(
                self.get_edit_url() if hasattr(self, "get_edit_url") else self.request.path
            )


class EvaluacionViewSet(MensajesConGeneroMixin, ConAlcanceViewSetMixin, SnippetViewSet):
    genero = FEMENINO
    model = Evaluacion
    chooser_viewset_class = SelectorSinAltaViewSet
    delete_view_class = EvaluacionDeleteView
    icon = "tasks"
    index_view_class = EvaluacionIndexView
    menu_label = _("Evaluaciones")
    list_display = ["titulo", "curso", "publicada", "abre_en", "cierra_en", "intentos_permitidos"]
    list_filter = ["publicada", "curso"]
    search_fields = ["titulo"]
    copy_view_enabled = True


class _GuardarExcepcionMixin:
    """Extras saved in the admin go through the service, so running attempts get the new time."""

    def save_instance(self) -> Excepcion:
        # A mixin: the class it is mixed into has this attribute.
        datos = self.form.cleaned_data  # type: ignore[attr-defined]
        return services.conceder_excepcion(
            evaluacion=datos["evaluacion"],
            usuario=datos["usuario"],
            # A mixin: the class it is mixed into has this attribute.
            otorgada_por=self.request.user,  # type: ignore[attr-defined]
            minutos_extra=datos["minutos_extra"],
            intentos_extra=datos["intentos_extra"],
            cierra_en=datos["cierra_en"],
            motivo=datos["motivo"],
        )


class ExcepcionCreateView(_GuardarExcepcionMixin, snippet_views.CreateView):
    pass


class ExcepcionEditView(_GuardarExcepcionMixin, snippet_views.EditView):
    pass


class ExcepcionIndexView(BusquedaSinAcentosMixin, snippet_views.IndexView):
    pass


class ExcepcionViewSet(MensajesConGeneroMixin, ConAlcanceViewSetMixin, SnippetViewSet):
    genero = FEMENINO
    model = Excepcion
    icon = "time"
    menu_label = _("Excepciones por persona")
    index_view_class = ExcepcionIndexView
    add_view_class = ExcepcionCreateView
    edit_view_class = ExcepcionEditView
    chooser_viewset_class = SelectorSinAltaViewSet
    list_display = ["usuario", "evaluacion", "minutos_extra", "intentos_extra", "cierra_en"]
    list_filter = ["evaluacion"]
    search_fields = [*campos_persona("usuario"), "motivo"]
    search_backend_name = None

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("usuario", "evaluacion")


class EvaluacionesGroup(SnippetViewSetGroup):
    menu_label = _("Evaluaciones")
    menu_icon = "tasks"
    menu_order = 250
    items = (EvaluacionViewSet, PreguntaViewSet, CategoriaPreguntaViewSet, ExcepcionViewSet)


register_snippet(EvaluacionesGroup)


@hooks.register("register_admin_menu_item")
def menu_calificar() -> AdminMenuItem:
    return AdminMenuItem(
        _("Calificar y resultados"),
        reverse("evaluaciones:cola_calificacion"),
        icon_name="edit",
        order=251,
    )


@hooks.register("register_admin_urls")
def urls_evaluaciones() -> list[Any]:
    return [
        path(
            "evaluaciones/preguntas/<int:pk>/recalificar/",
            admin_views.recalificar,
            name="evaluaciones_recalificar",
        ),
        path(
            "evaluaciones/preguntas/importar-gift/",
            admin_views.importar_gift,
            name="evaluaciones_importar_gift",
        ),
        path(
            "evaluaciones/puntos-totales/",
            views_autoria.puntos_totales,
            name="evaluaciones_puntos_totales",
        ),
        path(
            "evaluaciones/preguntas/exportar-moodle/",
            admin_views.exportar_moodle,
            name="evaluaciones_exportar_moodle",
        ),
    ]
