"""The organizations side of the admin's "Personas y organizaciones": entities, bodies, merges.

Who may do what is decided by `lms.alcance` (administrators manage, national
coordinators read organizations, nobody else gets in); the generic views ask it on
every request, not only in the menu. Importing sujetos obligados is
`lms.views_importacion`, mounted under this viewset's URLs.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log

from lms import alcance, services
from lms.alcance import Accion, alcance_de
from lms.busqueda_texto import BusquedaSinAcentosMixin
from lms.models import EntidadFederativa, Organizacion, Usuario
from lms.views_importacion import ImportarReporteView, ImportarRevisarView, ImportarSubirView
from lms.wagtail_alcance import ConAlcanceViewSetMixin

# --- Entidades federativas -------------------------------------------------


class EntidadIndexView(BusquedaSinAcentosMixin, generic.IndexView):
    pass


class EntidadViewSet(ConAlcanceViewSetMixin, ModelViewSet):
    model = EntidadFederativa
    icon = "site"
    index_view_class = EntidadIndexView
    menu_label = gettext_lazy("Entidades federativas")
    add_to_admin_menu = False
    list_display = ["nombre", "clave_inegi", "abreviatura"]
    ordering = "clave_inegi"
    list_per_page = 40
    search_fields = ["nombre", "abreviatura", "clave_inegi"]
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = ["clave_inegi", "nombre", "abreviatura"]


# --- Organizaciones ----------------------------------------------------------


def _estado_organizacion(organizacion: Organizacion) -> str:
    if organizacion.fusionada_en is not None:
        return _("Fusionada en %(destino)s") % {"destino": organizacion.fusionada_en.nombre}
    return _("Activa") if organizacion.activa else _("Inactiva")


class OrganizacionForm(WagtailAdminModelForm):
    """An organization's data; a new name is recorded in its history with the reason given."""

    motivo_cambio = forms.CharField(
        label=gettext_lazy("Motivo del cambio de nombre"),
        required=False,
        max_length=255,
        help_text=gettext_lazy(
            "Opcional. Si cambia el nombre o las siglas, el nombre anterior queda en el "
            "historial con este motivo (p. ej., «Reforma a la ley orgánica de 2024»)."
        ),
    )

    class Meta:
        model = Organizacion
        fields = [
            "clase",
            "nombre",
            "siglas",
            "entidad",
            "organo_garante",
            "ambito",
            "tipo",
            "activa",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields.pop("motivo_cambio", None)
        if "organo_garante" in self.fields:
            garantes = Organizacion.objects.filter(
                clase=Organizacion.Clase.ORGANO_GARANTE, activa=True
            ).select_related("entidad")
            if self.instance.pk:
                garantes = garantes.exclude(pk=self.instance.pk) | Organizacion.objects.filter(
                    pk=self.instance.organo_garante_id
                )
            cast(forms.ModelChoiceField, self.fields["organo_garante"]).queryset = garantes
        if self.instance.fusionada_en_id and "activa" in self.fields:
            self.fields["activa"].disabled = True
            self.fields["activa"].help_text = _(
                "Fusionada en %(destino)s; no puede reactivarse."
            ) % {"destino": self.instance.fusionada_en}

    def clean_nombre(self) -> str:
        nombre = " ".join(self.cleaned_data.get("nombre", "").split())
        if not nombre:
            raise ValidationError(_("Escriba el nombre de la organización."))
        return nombre

    def clean_siglas(self) -> str:
        return " ".join(self.cleaned_data.get("siglas", "").split())

    def clean(self) -> dict[str, Any]:
        datos = super().clean()
        clase = datos.get("clase")
        ambito = datos.get("ambito")
        entidad = datos.get("entidad")
        if clase == Organizacion.Clase.SUJETO_OBLIGADO and not ambito:
            self.add_error(
                "ambito", _("Elija el ámbito del sujeto obligado (federal, estatal o municipal).")
            )
        if ambito in {Organizacion.Ambito.ESTATAL, Organizacion.Ambito.MUNICIPAL} and not entidad:
            self.add_error(
                "entidad",
                _("Un sujeto obligado estatal o municipal necesita su entidad federativa."),
            )
        garante = datos.get("organo_garante")
        if garante is not None and self.instance.pk and garante.pk == self.instance.pk:
            self.add_error("organo_garante", _("Una organización no es su propio órgano garante."))
        nombre = datos.get("nombre")
        if clase and nombre:
            repetidas = Organizacion.objects.filter(
                clase=clase, entidad=entidad, nombre__iexact=nombre
            ).exclude(pk=self.instance.pk)
            if repetidas.exists():
                self.add_error(
                    "nombre",
                    _("Ya existe una organización de esa clase con ese nombre en esa entidad."),
                )
        return datos


class OrganizacionIndexView(BusquedaSinAcentosMixin, generic.IndexView):
    def get_base_queryset(self) -> QuerySet[Organizacion]:
        return super().get_base_queryset().select_related("entidad", "fusionada_en")

    @cached_property
    def header_more_buttons(self) -> list[Any]:
        botones = list(super().header_more_buttons)
        if alcance_de(self.request.user).es_administrador:
            botones.append(
                Button(
                    _("Importar sujetos obligados"),
                    url=reverse("organizacion:importar"),
                    icon_name="upload",
                    priority=20,
                )
            )
        return botones

    def get_list_more_buttons(self, instance: Organizacion) -> list[Any]:
        botones = super().get_list_more_buttons(instance)
        if instance.fusionada_en_id is None and self.user_has_permission("change"):
            botones.append(
                MenuItem(
                    _("Fusionar en otra"),
                    url=reverse("organizacion:fusionar", args=[instance.pk]),
                    icon_name="resubmit",
                    priority=40,
                )
            )
        return botones


def _datos_organizacion(form: forms.ModelForm) -> dict[str, Any]:
    datos = form.cleaned_data
    return {
        "clase": datos["clase"],
        "nombre": datos["nombre"],
        "siglas": datos.get("siglas", ""),
        "entidad": datos.get("entidad"),
        "organo_garante": datos.get("organo_garante"),
        "ambito": datos.get("ambito", ""),
        "tipo": datos.get("tipo", ""),
        "activa": datos.get("activa", False),
    }


class OrganizacionCreateView(generic.CreateView):
    def save_instance(self) -> Organizacion:
        organizacion = services.crear_organizacion(**_datos_organizacion(self.form))
        log(organizacion, "wagtail.create", user=self.request.user)
        return organizacion


class OrganizacionEditView(generic.EditView):
    template_name = "lms/admin/organizaciones/edit.html"

    def save_instance(self) -> Organizacion:
        datos = _datos_organizacion(self.form)
        if self.object.fusionada_en_id:
            datos["activa"] = False
        organizacion = services.actualizar_organizacion(
            organizacion=self.object,
            motivo=self.form.cleaned_data.get("motivo_cambio", ""),
            **datos,
        )
        log(organizacion, "wagtail.edit", user=self.request.user)
        return organizacion

    def form_valid(self, form: forms.ModelForm) -> HttpResponse:
        try:
            return super().form_valid(form)
        except ValidationError as error:
            form.add_error(None, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    @cached_property
    def header_more_buttons(self) -> list[Any]:
        botones = list(super().header_more_buttons)
        if self.object.fusionada_en_id is None:
            botones.append(
                Button(
                    _("Fusionar en otra organización"),
                    url=reverse("organizacion:fusionar", args=[self.object.pk]),
                    icon_name="resubmit",
                    priority=40,
                )
            )
        return botones

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        contexto = super().get_context_data(**kwargs)
        contexto["nombres_historicos"] = self.object.nombres_historicos.all()
        contexto["fusionadas"] = self.object.fusionadas.select_related("entidad")
        return contexto


class FusionForm(forms.Form):
    destino = forms.ModelChoiceField(
        label=gettext_lazy("Fusionar en"),
        queryset=Organizacion.objects.none(),
        help_text=gettext_lazy("La organización que continúa; recibe a las personas de esta."),
        error_messages={
            "required": gettext_lazy("Elija la organización en la que se fusiona."),
            "invalid_choice": gettext_lazy("Elija una organización activa de la lista."),
        },
    )
    motivo = forms.CharField(
        label=gettext_lazy("Motivo"),
        required=False,
        max_length=255,
        help_text=gettext_lazy("Opcional; queda en el historial de la organización."),
    )
    confirmado = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, origen: Organizacion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["destino"]).queryset = (
            Organizacion.objects.filter(clase=origen.clase, activa=True, fusionada_en=None)
            .exclude(pk=origen.pk)
            .select_related("entidad")
        )


class FusionarOrganizacionView(WagtailAdminTemplateMixin, FormView):
    """Merge one body into another, after showing what will move and asking to confirm."""

    template_name = "lms/admin/organizaciones/fusionar.html"
    page_title = gettext_lazy("Fusionar organización")
    header_icon = "resubmit"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(Organizacion, pk=kwargs["pk"])

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not alcance.accede(request.user, Accion.CAMBIAR, Organizacion):
            raise PermissionDenied
        if self.object.fusionada_en_id is not None:
            messages.error(
                request,
                _("«%(origen)s» ya se fusionó en «%(destino)s».")
                % {"origen": self.object.nombre, "destino": self.object.fusionada_en},
            )
            return redirect("organizacion:edit", self.object.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self) -> str:
        return str(self.object)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("organizacion:index"), "label": _("Organizaciones")},
            {"url": reverse("organizacion:edit", args=[self.object.pk]), "label": str(self.object)},
            {"url": "", "label": _("Fusionar")},
        ]

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "origen": self.object}

    def get_form_class(self) -> type[FusionForm]:
        return FusionForm

    def form_valid(self, form: FusionForm) -> HttpResponse:
        destino = form.cleaned_data["destino"]
        if not form.cleaned_data["confirmado"]:
            confirmacion = FusionForm(
                initial={**form.cleaned_data, "confirmado": True}, origen=self.object
            )
            for campo in ("destino", "motivo"):
                confirmacion.fields[campo].widget = forms.HiddenInput()
            return self.render_to_response(
                self.get_context_data(
                    form=confirmacion,
                    confirmar=True,
                    destino=destino,
                    motivo=form.cleaned_data["motivo"],
                    personas=self.object.personas.count(),
                    sujetos=self.object.sujetos_obligados.count(),
                )
            )
        try:
            services.fusionar_organizaciones(
                origen=self.object,
                destino=destino,
                motivo=form.cleaned_data["motivo"],
                usuario=cast(Usuario, self.request.user),
            )
        except ValidationError as error:
            for mensaje in error.messages:
                messages.error(self.request, mensaje)
            return redirect("organizacion:edit", self.object.pk)
        messages.success(
            self.request,
            _("«%(origen)s» se fusionó en «%(destino)s».")
            % {"origen": self.object.nombre, "destino": destino.nombre},
        )
        return redirect("organizacion:edit", self.object.pk)


class OrganizacionViewSet(ConAlcanceViewSetMixin, ModelViewSet):
    model = Organizacion
    icon = "group"
    menu_label = gettext_lazy("Organizaciones")
    add_to_admin_menu = False
    index_view_class = OrganizacionIndexView
    add_view_class = OrganizacionCreateView
    edit_view_class = OrganizacionEditView
    list_display = [
        "nombre",
        "siglas",
        "clase",
        "entidad",
        "ambito",
        "tipo",
        Column("estado", label=gettext_lazy("Estado"), accessor=_estado_organizacion),
    ]
    list_filter = ["clase", "entidad", "ambito", "tipo", "activa"]
    list_per_page = 50
    search_fields = ["busqueda"]  # name and acronym
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "clase",
        "nombre",
        "siglas",
        "entidad",
        "organo_garante",
        "ambito",
        "tipo",
        "activa",
        "fusionada_en",
    ]
    panels = [
        FieldPanel("clase"),
        FieldPanel("nombre"),
        FieldPanel("siglas"),
        FieldPanel("motivo_cambio"),
        FieldPanel("entidad"),
        FieldPanel("organo_garante"),
        FieldPanel("ambito"),
        FieldPanel("tipo"),
        FieldPanel("activa"),
    ]

    def get_edit_handler(self) -> Any:
        return ObjectList(self.panels, base_form_class=OrganizacionForm).bind_to_model(self.model)

    def get_urlpatterns(self) -> list[Any]:
        return [
            *super().get_urlpatterns(),
            path("fusionar/<int:pk>/", FusionarOrganizacionView.as_view(), name="fusionar"),
            path("importar/", ImportarSubirView.as_view(), name="importar"),
            path("importar/<str:token>/", ImportarRevisarView.as_view(), name="importar_revisar"),
            path(
                "importar/<str:token>/rechazadas.csv",
                ImportarReporteView.as_view(),
                name="importar_reporte",
            ),
        ]
