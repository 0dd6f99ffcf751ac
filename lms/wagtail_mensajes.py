"""Wagtail's create, edit and delete messages with the model's grammatical gender.

Wagtail builds them from one English sentence per case ("%(model_name)s '%(object)s'
created."), so Spanish gets a single form: "Evaluación «X» creado". A viewset that
declares `genero = FEMENINO` gets the feminine sentence ("Evaluación «X» creada.",
"¿Seguro que desea eliminar esta evaluación?"). Scheduled publishing and moderation
messages keep Wagtail's wording.
"""

from __future__ import annotations

from typing import Any

from django.utils.text import capfirst
from django.utils.translation import pgettext_lazy

from wagtail.admin.views import generic

FEMENINO = "femenino"
MASCULINO = "masculino"

MENSAJES = {
    "creado": {
        FEMENINO: pgettext_lazy("femenino", "%(model_name)s «%(object)s» creada."),
        MASCULINO: pgettext_lazy("masculino", "%(model_name)s «%(object)s» creado."),
    },
    "actualizado": {
        FEMENINO: pgettext_lazy("femenino", "%(model_name)s «%(object)s» actualizada."),
        MASCULINO: pgettext_lazy("masculino", "%(model_name)s «%(object)s» actualizado."),
    },
    "creado_publicado": {
        FEMENINO: pgettext_lazy("femenino", "%(model_name)s «%(object)s» creada y publicada."),
        MASCULINO: pgettext_lazy("masculino", "%(model_name)s «%(object)s» creado y publicado."),
    },
    "actualizado_publicado": {
        FEMENINO: pgettext_lazy("femenino", "%(model_name)s «%(object)s» actualizada y publicada."),
        MASCULINO: pgettext_lazy(
            "masculino", "%(model_name)s «%(object)s» actualizado y publicado."
        ),
    },
    "eliminado": {
        FEMENINO: pgettext_lazy("femenino", "%(model_name)s «%(object)s» eliminada."),
        MASCULINO: pgettext_lazy("masculino", "%(model_name)s «%(object)s» eliminado."),
    },
    "confirmar_eliminar": {
        FEMENINO: pgettext_lazy("femenino", "¿Seguro que desea eliminar esta %(model_name)s?"),
        MASCULINO: pgettext_lazy("masculino", "¿Seguro que desea eliminar este %(model_name)s?"),
    },
}


def _clave(vista: Any) -> str | None:
    """Which message a create, edit or delete view shows now, or None to keep Wagtail's."""
    if isinstance(vista, generic.DeleteView):
        return "eliminado"
    nueva = isinstance(vista, generic.CreateView)
    accion = getattr(vista, "action", None)
    if accion == "publish":
        objeto = vista.object
        if getattr(objeto, "go_live_at", None) is not None:
            return None  # scheduled: Wagtail's wording
        return "creado_publicado" if nueva else "actualizado_publicado"
    if accion in (None, "create", "edit"):
        return "creado" if nueva else "actualizado"
    return None


class _VistaConGenero:
    genero = MASCULINO

    def get_success_message(self, *args: Any, **kwargs: Any) -> Any:
        clave = _clave(self)
        if clave is None:
            # A mixin: the class it is mixed into defines this method.
            return super().get_success_message(*args, **kwargs)  # type: ignore[misc]
        # A mixin: the class it is mixed into has this attribute.
        objeto = args[0] if args and args[0] is not None else self.object  # type: ignore[attr-defined]
        return MENSAJES[clave][self.genero] % {
            # A mixin: the class it is mixed into has this attribute.
            "model_name": capfirst(self.model._meta.verbose_name),  # type: ignore[attr-defined]
            "object": objeto,
        }

    @property
    def confirmation_message(self) -> str:
        return MENSAJES["confirmar_eliminar"][self.genero] % {
            # A mixin: the class it is mixed into has this attribute.
            "model_name": self.object._meta.verbose_name  # type: ignore[attr-defined]
        }


class MensajesConGeneroMixin:
    """For a ModelViewSet or SnippetViewSet: its views speak with `genero` (FEMENINO, MASCULINO)."""

    genero = MASCULINO

    def construct_view(self, view_class: type, **kwargs: Any) -> Any:
        if issubclass(view_class, (generic.CreateView, generic.EditView, generic.DeleteView)):
            view_class = type(
                view_class.__name__, (_VistaConGenero, view_class), {"genero": self.genero}
            )
        # A mixin: the class it is mixed into defines this method.
        return super().construct_view(view_class, **kwargs)  # type: ignore[misc]
