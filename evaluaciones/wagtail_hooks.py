"""Authoring in the Wagtail admin: evaluations, the question bank, per-person extras, regrades."""

from __future__ import annotations

from typing import Any

from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem as AdminMenuItem
from wagtail.admin.widgets.button import HeaderButton, MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from evaluaciones import admin_views, services
from evaluaciones.models import CategoriaPregunta, Evaluacion, Excepcion, Pregunta


class PreguntaIndexView(snippet_views.IndexView):
    @cached_property
    def header_buttons(self) -> list[Any]:
        botones = list(super().header_buttons)
        if self.request.user.has_perm("evaluaciones.add_pregunta"):
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
        if self.request.user.has_perm("evaluaciones.change_pregunta"):
            botones.append(
                MenuItem(
                    _("Recalificar intentos"),
                    url=reverse("evaluaciones_recalificar", args=[instance.pk]),
                    icon_name="resubmit",
                    priority=40,
                )
            )
        return botones


class PreguntaViewSet(SnippetViewSet):
    model = Pregunta
    icon = "help"
    menu_label = _("Banco de preguntas")
    index_view_class = PreguntaIndexView
    list_display = ["titulo", "tipo", "categoria", "puntos", "actualizada_en"]
    list_filter = ["tipo", "categoria"]
    search_fields = ["titulo", "enunciado"]
    copy_view_enabled = True


class CategoriaPreguntaIndexView(snippet_views.IndexView):
    def get_list_more_buttons(self, instance: CategoriaPregunta) -> list[Any]:
        botones = super().get_list_more_buttons(instance)
        if self.request.user.has_perm("evaluaciones.change_pregunta"):
            botones.append(
                MenuItem(
                    _("Exportar a Moodle XML"),
                    url=reverse("evaluaciones_exportar_moodle") + f"?categoria={instance.pk}",
                    icon_name="download",
                    priority=40,
                )
            )
        return botones


class CategoriaPreguntaViewSet(SnippetViewSet):
    model = CategoriaPregunta
    index_view_class = CategoriaPreguntaIndexView
    icon = "folder-open-inverse"
    menu_label = _("Categorías de preguntas")
    list_display = ["nombre", "descripcion"]
    search_fields = ["nombre"]


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
        if self.request.user.has_perm("evaluaciones.change_pregunta"):
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


class EvaluacionViewSet(SnippetViewSet):
    model = Evaluacion
    icon = "tasks"
    index_view_class = EvaluacionIndexView
    menu_label = _("Evaluaciones")
    list_display = ["titulo", "publicada", "abre_en", "cierra_en", "intentos_permitidos"]
    list_filter = ["publicada"]
    search_fields = ["titulo"]
    copy_view_enabled = True


class _GuardarExcepcionMixin:
    """Extras saved in the admin go through the service, so running attempts get the new time."""

    def save_instance(self) -> Excepcion:
        datos = self.form.cleaned_data  # type: ignore[attr-defined]
        return services.conceder_excepcion(
            evaluacion=datos["evaluacion"],
            usuario=datos["usuario"],
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


class ExcepcionViewSet(SnippetViewSet):
    model = Excepcion
    icon = "time"
    menu_label = _("Excepciones por persona")
    add_view_class = ExcepcionCreateView
    edit_view_class = ExcepcionEditView
    list_display = ["usuario", "evaluacion", "minutos_extra", "intentos_extra", "cierra_en"]
    list_filter = ["evaluacion"]
    search_fields = ["usuario__email", "usuario__last_name", "motivo"]


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
            "evaluaciones/preguntas/exportar-moodle/",
            admin_views.exportar_moodle,
            name="evaluaciones_exportar_moodle",
        ),
    ]
