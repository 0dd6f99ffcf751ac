"""Wagtail's admin asks `lms.alcance`: one permission policy and one viewset mixin per model.

`PoliticaWagtail` is what `wagtail.permissions.register_permission_policy` holds for a
model, so menus, listing buttons, the delete and copy views and choosers answer from
the project's policy. `ConAlcanceViewSetMixin` (for snippet and model viewsets) and
`SelectorConAlcanceMixin` (for chooser viewsets) make every view the viewset builds
refuse an object outside the user's reach before the view touches it, and every
listing, search and chooser offer only what the user may list. A refused object is a
404, so a pk says nothing about whether the object exists.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.functional import cached_property

from wagtail.admin.views import generic
from wagtail.admin.views.generic import workflow
from wagtail.permission_policies import BasePermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

from lms import alcance
from lms.alcance import Accion
from lms.models import Rol, Usuario

# Wagtail's action names, as the project's.
ACCION_DE_WAGTAIL: dict[str, Accion] = {
    "view": Accion.VER,
    "choose": Accion.LISTAR,
    "change": Accion.CAMBIAR,
    "publish": Accion.CAMBIAR,
    "unpublish": Accion.CAMBIAR,
    "lock": Accion.CAMBIAR,
    "unlock": Accion.CAMBIAR,
    "delete": Accion.BORRAR,
}


class PoliticaWagtail(BasePermissionPolicy):
    """Wagtail's permission-policy interface, answered by `lms.alcance` for one model."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action == "add":
            return alcance.puede_crear(user, self.model)
        accion = ACCION_DE_WAGTAIL.get(action)
        return accion is not None and alcance.accede(user, accion, self.model)

    def user_has_any_permission(self, user: Any, actions: Any) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions: Any) -> QuerySet[Usuario]:
        # Whom Wagtail would notify (workflow tasks): the staff roles that work in the admin.
        personal = [Rol.ADMINISTRADOR, Rol.COORDINADOR_NACIONAL, Rol.INSTRUCTOR]
        return Usuario.objects.filter(
            Q(is_superuser=True) | Q(asignaciones__rol__in=personal), is_active=True
        ).distinct()

    def user_has_permission_for_instance(self, user: Any, action: str, instance: Model) -> bool:
        if action == "add":
            return alcance.puede_crear(user, self.model)
        accion = ACCION_DE_WAGTAIL.get(action)
        return accion is not None and alcance.puede(user, accion, instance)

    def user_has_any_permission_for_instance(
        self, user: Any, actions: Any, instance: Model
    ) -> bool:
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_permission_for(self, user: Any, action: str) -> QuerySet[Any]:
        accion = ACCION_DE_WAGTAIL.get(action)
        if accion is None:
            return self.model._default_manager.none()
        return alcance.permitidos(user, accion, self.model)

    def instances_user_has_any_permission_for(self, user: Any, actions: Any) -> QuerySet[Any]:
        resultado = self.model._default_manager.none()
        for action in actions:
            resultado = resultado | self.instances_user_has_permission_for(user, action)
        return resultado

    def users_with_any_permission_for_instance(self, actions: Any, instance: Model) -> Any:
        return self.users_with_any_permission(actions)


def registrar_en_wagtail(modelo: type[Model]) -> PoliticaWagtail:
    """Make Wagtail answer `modelo`'s permissions from `lms.alcance`; idempotent."""
    actual = policy_registry.get_by_type(modelo, fallback=False)
    if isinstance(actual, PoliticaWagtail):
        return actual
    politica = PoliticaWagtail(modelo)
    register_permission_policy(modelo, politica, exact_class=True)
    return politica


def _accion_de_vista(view_class: type) -> Accion:
    """What a viewset's view does to the object in its URL, read from Wagtail's own
    declaration of the permission the view needs (history and usage need "change")."""
    if issubclass(view_class, generic.DeleteView):
        return Accion.BORRAR
    if issubclass(
        view_class,
        (
            workflow.WorkflowAction,
            workflow.CollectWorkflowActionData,
            workflow.ConfirmWorkflowCancellation,
        ),
    ):
        return Accion.CAMBIAR  # workflow steps declare no permission of their own
    requeridas = {getattr(view_class, "permission_required", None)} | set(
        getattr(view_class, "any_permission_required", None) or ()
    )
    if "view" in requeridas or not requeridas - {None}:
        return Accion.VER
    if requeridas <= {"add", None}:
        return Accion.VER  # a copy: seeing the original is enough, adding is checked apart
    if "delete" in requeridas and not requeridas & {"add", "change"}:
        return Accion.BORRAR
    return Accion.CAMBIAR


def listables(usuario: Any, modelo: type[Model]) -> QuerySet[Any]:
    """What `usuario` may list, as a filter on the primary key only.

    Wagtail's search backends accept only filters on declared `FilterField`s; the
    policy's lookups (through a question's category to its course, say) are not, so
    listings and choosers filter by `pk` (declared as a `FilterField` on indexed models).
    """
    permitidos = alcance.permitidos(usuario, Accion.LISTAR, modelo)
    return modelo._default_manager.filter(pk__in=permitidos.values("pk"))


class _ObjetoConAlcance:
    """Refuse an object the user may not act on, before the view loads it.

    Someone whose roles never allow the action is refused as Wagtail refuses (a
    redirect with "no tiene permiso"); someone who may act on some objects but not on
    this one gets a 404, as if it did not exist.
    """

    accion_alcance: Accion = Accion.VER
    modelo_alcance: type[Model]

    def setup(self, request: Any, *args: Any, **kwargs: Any) -> None:
        pk = kwargs.get("pk")
        if pk is not None:
            if not alcance.accede(request.user, self.accion_alcance, self.modelo_alcance):
                raise PermissionDenied
            permitidos = alcance.permitidos(request.user, self.accion_alcance, self.modelo_alcance)
            if not permitidos.filter(pk=unquote(str(pk))).exists():
                raise Http404
        # A mixin: the class it is mixed into defines this method.
        super().setup(request, *args, **kwargs)  # type: ignore[misc]


class _ListadoConAlcance:
    """Listings (index and results, exports included) show what the user may list.

    Their filters too: a filter by a related object (an evaluation, a category, a course)
    offers only the objects the user may list, so a choice list never names another
    course's evaluation, and a tampered filter value is simply invalid.
    """

    modelo_alcance: type[Model]

    def get_base_queryset(self) -> QuerySet[Any]:
        # A mixin: the class it is mixed into defines this method.
        queryset = super().get_base_queryset()  # type: ignore[misc]
        # A mixin: the class it is mixed into has this attribute.
        permitidos = listables(self.request.user, self.modelo_alcance)  # type: ignore[attr-defined]
        return queryset.filter(pk__in=permitidos.values("pk"))

    @cached_property
    def filters(self) -> Any:
        filtros = super().filters  # type: ignore[misc]  # mixin: its host class defines it
        if filtros is not None:
            # A mixin: the class it is mixed into has this attribute.
            limitar_opciones(filtros.form, self.request.user)  # type: ignore[attr-defined]
        return filtros


def limitar_opciones(form: Any, usuario: Any) -> None:
    """Every choice of a related object in `form` offers only what `usuario` may list.

    A choice of pages (an evaluation's course, say) offers only course pages.
    """
    from wagtail.models import Page

    for campo in form.fields.values():
        queryset = getattr(campo, "queryset", None)
        if queryset is None:
            continue
        modelo = queryset.model
        if issubclass(modelo, Page):
            campo.queryset = queryset.filter(pk__in=sorted(alcance.todos_los_cursos())).filter(
                pk__in=listables(usuario, Page).values("pk")
            )
            continue
        try:
            alcance.politica_de(modelo)
        except LookupError:
            continue
        campo.queryset = queryset.filter(pk__in=listables(usuario, modelo).values("pk"))


class ConAlcanceViewSetMixin:
    """For a SnippetViewSet or ModelViewSet whose model has a policy in `lms.alcance`.

    The listing (and its search, filters and exports) shows what the user may list;
    every view with an object in its URL answers 404 for an object out of reach.
    """

    model: type[Model]

    def get_queryset(self, request: Any) -> QuerySet[Any]:
        return listables(request.user, self.model)

    def construct_view(self, view_class: type, **kwargs: Any) -> Any:
        bases: tuple[type, ...] = (_ObjetoConAlcance, view_class)
        if issubclass(view_class, generic.IndexView):
            # Only the model's own listing: history and usage list other rows (log entries).
            bases = (_ListadoConAlcance, *bases)
        envuelta = type(
            view_class.__name__,
            bases,
            {"accion_alcance": _accion_de_vista(view_class), "modelo_alcance": self.model},
        )
        # A mixin: the class it is mixed into defines this method.
        return super().construct_view(envuelta, **kwargs)  # type: ignore[misc]


class _ListaConAlcance:
    """Chooser views: only what the user may list, and a chosen pk out of reach is 404."""

    model_class: type[Model]

    def _permitidos(self) -> QuerySet[Any]:
        # A mixin: the class it is mixed into has this attribute.
        return listables(self.request.user, self.model_class)  # type: ignore[attr-defined]

    def get_object_list(self, *args: Any, **kwargs: Any) -> QuerySet[Any]:
        # A mixin: the class it is mixed into defines this method.
        lista = super().get_object_list(*args, **kwargs)  # type: ignore[misc]
        return lista.filter(pk__in=self._permitidos().values("pk"))

    def get_object(self, pk: Any) -> Model:
        return self._permitidos().get(pk=pk)

    def get_objects(self, pks: Any) -> QuerySet[Any]:
        return self._permitidos().filter(pk__in=pks)


class SelectorConAlcanceMixin:
    """For a ChooserViewSet (snippet choosers included) of a model with a policy."""

    def construct_view(self, view_class: type, **kwargs: Any) -> Any:
        envuelta = type(view_class.__name__, (_ListaConAlcance, view_class), {})
        # A mixin: the class it is mixed into defines this method.
        return super().construct_view(envuelta, **kwargs)  # type: ignore[misc]


# --- Admin screens that show the whole site, and pages' own screens ------------------

# Reports list every page, every editor and every workflow of the site; the page-type
# usage listing names every page of a type, drafts included. They are the national
# coordination's and administrators' tools; to anyone else they answer 404.
ESPACIOS_DE_GESTION = frozenset({"wagtailadmin_reports"})
VISTAS_DE_GESTION = frozenset(
    {"wagtailadmin_pages:type_use", "wagtailadmin_pages:type_use_results"}
)
# Page screens answer 404 for a page outside the user's reach (`lms.politicas`: the
# pages Wagtail lets them explore). Wagtail checks finer permissions afterwards, but
# some of its page screens (the workflow-cancellation dialog) check none.
ESPACIOS_DE_PAGINAS = frozenset({"wagtailadmin_pages"})
VISTAS_DE_PAGINAS = frozenset({"wagtailadmin_explore", "wagtailadmin_explore_results"})
PARAMETROS_DE_PAGINA = ("page_id", "parent_page_id", "page_to_move_id")


def es_gestion(usuario: Any) -> bool:
    """Administrators and the national coordination, who oversee the whole site."""
    roles = alcance.alcance_de(usuario).roles
    return bool(roles & {Rol.ADMINISTRADOR, Rol.COORDINADOR_NACIONAL})


class AdminConAlcanceMiddleware:
    """404 for site-wide admin screens and for page screens of pages out of reach."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        return self.get_response(request)

    def process_view(self, request: Any, view_func: Any, args: Any, kwargs: Any) -> None:
        coincidencia = request.resolver_match
        if coincidencia is None:
            return None
        espacios = set(coincidencia.namespaces)
        nombre = coincidencia.view_name
        if (nombre in VISTAS_DE_GESTION or ESPACIOS_DE_GESTION & espacios) and not es_gestion(
            request.user
        ):
            raise Http404
        if nombre in VISTAS_DE_PAGINAS or ESPACIOS_DE_PAGINAS & espacios:
            from wagtail.models import Page

            ids = [kwargs[p] for p in PARAMETROS_DE_PAGINA if p in kwargs]
            if ids and request.user.is_authenticated:
                visibles = alcance.permitidos(request.user, Accion.VER, Page)
                if visibles.filter(pk__in=ids).count() != len(set(ids)):
                    raise Http404
        return None
