"""The "Personas y organizaciones" area of the Wagtail admin, and the custom Users viewset.

Who may do what is decided by the permission policies below (administrators
manage, national coordinators read organizations, nobody else gets in); the
generic views check them on every request, not only in the menu.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
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
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import chooser
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log
from wagtail.users import forms as wagtail_user_forms
from wagtail.users.views import users as wagtail_users

from lms import alcance, services
from lms.alcance import Accion, alcance_de
from lms.busqueda_texto import BusquedaSinAcentosMixin, campos_persona, filtrar_por_texto
from lms.models import AsignacionRol, EntidadFederativa, Organizacion, Rol, Usuario
from lms.validators import normalizar_curp, validar_curp
from lms.views_importacion import ImportarReporteView, ImportarRevisarView, ImportarSubirView
from lms.wagtail_alcance import ConAlcanceViewSetMixin

# --- Permissions -----------------------------------------------------------


def es_administrador(usuario: Any) -> bool:
    return alcance_de(usuario).es_administrador


def _exigir_administrador(request: HttpRequest) -> None:
    if not es_administrador(request.user):
        raise PermissionDenied


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
        if es_administrador(self.request.user):
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


# --- Asignaciones de rol -----------------------------------------------------


class UsuarioBusquedaForm(BaseFilterForm):
    q = forms.CharField(
        label=gettext_lazy("Buscar"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Nombre o correo")}),
    )

    def filter(self, objects: QuerySet[Usuario]) -> QuerySet[Usuario]:
        busqueda = self.cleaned_data.get("q", "").strip()
        objects = filtrar_por_texto(objects, busqueda, campos_persona())
        if busqueda:
            self.is_searching = True
            self.search_query = busqueda
        return objects


class SoloAdministradoresMixin:
    """The people chooser lists names and emails: administrators only."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        _exigir_administrador(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class ColumnasUsuarioMixin:
    @property
    def columns(self) -> list[Any]:
        return [
            *super().columns,  # type: ignore[misc]
            Column("email", label=gettext_lazy("Correo"), accessor="email"),
            Column("entidad", label=gettext_lazy("Entidad"), accessor="entidad"),
        ]


class UsuarioChooseView(SoloAdministradoresMixin, ColumnasUsuarioMixin, chooser.ChooseView):
    filter_form_class = UsuarioBusquedaForm


class UsuarioChooseResultsView(
    SoloAdministradoresMixin, ColumnasUsuarioMixin, chooser.ChooseResultsView
):
    filter_form_class = UsuarioBusquedaForm


class UsuarioChosenView(SoloAdministradoresMixin, chooser.ChosenView):
    pass


class UsuarioChosenMultipleView(SoloAdministradoresMixin, chooser.ChosenMultipleView):
    pass


class UsuarioChooserCreateView(SoloAdministradoresMixin, chooser.CreateView):
    pass


class UsuarioChooserViewSet(ChooserViewSet):
    """A searchable people picker, so assigning a role does not load every account."""

    model = Usuario
    icon = "user"
    choose_one_text = gettext_lazy("Elegir persona")
    choose_another_text = gettext_lazy("Elegir otra persona")
    edit_item_text = gettext_lazy("Editar persona")
    page_title = gettext_lazy("Elegir persona")
    search_tab_label = gettext_lazy("Buscar")
    per_page = 20
    # Only the role form uses it; other forms keep their own widgets.
    register_widget = False
    choose_view_class = UsuarioChooseView
    choose_results_view_class = UsuarioChooseResultsView
    chosen_view_class = UsuarioChosenView
    chosen_multiple_view_class = UsuarioChosenMultipleView
    create_view_class = UsuarioChooserCreateView

    def get_object_list(self) -> QuerySet[Usuario]:
        return Usuario.objects.filter(is_active=True).select_related("entidad")


usuario_chooser_viewset = UsuarioChooserViewSet("usuario_chooser", url_prefix="elegir-persona")


class AsignacionRolForm(WagtailAdminModelForm):
    class Meta:
        model = AsignacionRol
        fields = ["usuario", "rol", "entidad"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["usuario"].queryset = Usuario.objects.filter(is_active=True)
        self.fields["usuario"].error_messages["invalid_choice"] = _(
            "Elija una persona activa de la lista."
        )

    def clean(self) -> dict[str, Any]:
        datos = super().clean()
        rol, entidad, usuario = datos.get("rol"), datos.get("entidad"), datos.get("usuario")
        if rol == Rol.COORDINADOR_ESTATAL and entidad is None:
            self.add_error("entidad", _("Elija la entidad federativa que coordinará."))
        elif rol and rol != Rol.COORDINADOR_ESTATAL and entidad is not None:
            self.add_error(
                "entidad",
                _("Solo el rol de coordinador estatal lleva entidad; deje este campo vacío."),
            )
        elif usuario and rol:
            repetida = AsignacionRol.objects.filter(usuario=usuario, rol=rol, entidad=entidad)
            if repetida.exists():
                # On "rol", so Django skips the model's own (English-named) check.
                self.add_error("rol", _("Esta persona ya tiene ese rol."))
        return datos


class AsignacionRolIndexView(BusquedaSinAcentosMixin, generic.IndexView):
    def get_base_queryset(self) -> QuerySet[AsignacionRol]:
        return super().get_base_queryset().select_related("usuario", "entidad")


class AsignacionRolCreateView(generic.CreateView):
    def save_instance(self) -> AsignacionRol:
        datos = self.form.cleaned_data
        entidad = datos.get("entidad")
        asignacion = services.asignar_rol(
            usuario=datos["usuario"], rol=datos["rol"], entidad_id=entidad.pk if entidad else None
        )
        log(asignacion, "wagtail.create", user=self.request.user)
        return asignacion


class AsignacionRolDeleteView(generic.DeleteView):
    def delete_action(self) -> None:
        asignacion = self.object
        with transaction.atomic():
            log(asignacion, "wagtail.delete", user=self.request.user)
            services.retirar_rol(
                usuario=asignacion.usuario, rol=asignacion.rol, entidad_id=asignacion.entidad_id
            )


class AsignacionRolViewSet(ConAlcanceViewSetMixin, ModelViewSet):
    model = AsignacionRol
    icon = "key"
    menu_label = gettext_lazy("Asignaciones de rol")
    add_to_admin_menu = False
    index_view_class = AsignacionRolIndexView
    add_view_class = AsignacionRolCreateView
    delete_view_class = AsignacionRolDeleteView
    form_fields = ["usuario", "rol", "entidad"]
    list_display = [
        "usuario",
        Column("correo", label=gettext_lazy("Correo"), accessor=lambda a: a.usuario.email),
        "rol",
        "entidad",
        DateColumn("asignado_en", label=gettext_lazy("Asignado en"), sort_key="asignado_en"),
    ]
    list_filter = ["rol", "entidad"]
    list_per_page = 50
    search_fields = campos_persona("usuario")
    search_backend_name = None
    copy_view_enabled = False
    ordering = "-asignado_en"
    panels = [
        FieldPanel("usuario", widget=usuario_chooser_viewset.widget_class),
        FieldPanel("rol"),
        FieldPanel("entidad"),
    ]

    def get_edit_handler(self) -> Any:
        return ObjectList(self.panels, base_form_class=AsignacionRolForm).bind_to_model(self.model)


class PersonasViewSetGroup(ModelViewSetGroup):
    menu_label = gettext_lazy("Personas y organizaciones")
    menu_icon = "group"
    menu_order = 250
    items = (
        OrganizacionViewSet("organizacion", url_prefix="organizaciones"),
        EntidadViewSet("entidad", url_prefix="entidades"),
        AsignacionRolViewSet("asignacion", url_prefix="asignaciones-de-rol"),
    )


# --- Usuarios (Wagtail's Users section with our user model) ----------------


class UsuarioFormMixin(forms.ModelForm):
    """Wagtail's user form fields plus ours; email is the login, CURP only for administrators."""

    cargo = forms.CharField(label=gettext_lazy("Cargo"), max_length=200, required=False)
    organizacion = forms.ModelChoiceField(
        label=gettext_lazy("Organización"),
        queryset=Organizacion.objects.none(),
        required=False,
        help_text=gettext_lazy("La entidad federativa de la persona sigue a su organización."),
    )
    curp = forms.CharField(label=gettext_lazy("CURP"), max_length=18, required=False)

    def __init__(self, *args: Any, ver_curp: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organizaciones = Organizacion.objects.filter(activa=True)
        if self.instance.organizacion_id:
            organizaciones = organizaciones | Organizacion.objects.filter(
                pk=self.instance.organizacion_id
            )
        campo = cast(forms.ModelChoiceField, self.fields["organizacion"])
        campo.queryset = organizaciones.select_related("entidad")
        if not ver_curp:
            del self.fields["curp"]
        # Groups and superuser status follow role assignments
        # (`services.sincronizar_grupos`) and course teams; editing them here
        # would be undone at the next sync, so they are shown but not editable.
        for nombre in ("groups", "is_superuser"):
            if nombre in self.fields:
                self.fields[nombre].disabled = True
        if "groups" in self.fields:
            self.fields["groups"].help_text = _(
                "Los grupos siguen a los roles asignados y a los equipos docentes de cada curso. "
                "Para cambiarlos, use «Personas y organizaciones → Asignaciones de rol»."
            )

    def clean_email(self) -> str:
        correo = self.cleaned_data["email"].strip().lower()
        if Usuario.objects.filter(email__iexact=correo).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Ya existe una cuenta con ese correo electrónico."))
        return correo

    def clean_curp(self) -> str:
        curp = normalizar_curp(self.cleaned_data.get("curp", ""))
        if not curp:
            return ""
        validar_curp(curp)
        if Usuario.objects.filter(curp=curp).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Esta CURP ya está registrada en otra cuenta."))
        return curp

    def clean_cargo(self) -> str:
        return " ".join(self.cleaned_data.get("cargo", "").split())

    def save(self, commit: bool = True) -> Usuario:
        usuario = super().save(commit=False)
        # Scoping reads the person's entity; this form declares none: it follows the organization.
        usuario.entidad_id = services.entidad_de_persona(
            organizacion=usuario.organizacion, entidad_declarada=None
        )
        if commit:
            usuario.save()
            self.save_m2m()
        return usuario


CAMPOS_USUARIO = {"cargo", "organizacion", "curp"}


class UsuarioCreationForm(UsuarioFormMixin, wagtail_user_forms.UserCreationForm):
    class Meta(wagtail_user_forms.UserCreationForm.Meta):
        model = Usuario
        fields = wagtail_user_forms.UserCreationForm.Meta.fields | CAMPOS_USUARIO


class UsuarioEditForm(UsuarioFormMixin, wagtail_user_forms.UserEditForm):
    class Meta(wagtail_user_forms.UserEditForm.Meta):
        model = Usuario
        fields = wagtail_user_forms.UserEditForm.Meta.fields | CAMPOS_USUARIO


class UsuarioCreateView(wagtail_users.CreateView):
    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "ver_curp": es_administrador(self.request.user)}


class UsuarioEditView(wagtail_users.EditView):
    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "ver_curp": es_administrador(self.request.user)}

    def save_instance(self) -> Usuario:
        usuario = super().save_instance()
        if "email" in self.form.changed_data:
            services.sincronizar_correo_cuenta(usuario=usuario)
        return usuario


class UsuarioIndexView(BusquedaSinAcentosMixin, wagtail_users.IndexView):
    pass


class UsuarioViewSet(wagtail_users.UserViewSet):
    """Wagtail's Users section, with the people fields of our user model."""

    index_view_class = UsuarioIndexView
    search_fields = campos_persona()
    search_backend_name = None
    add_view_class = UsuarioCreateView
    edit_view_class = UsuarioEditView
    create_template_name = "lms/admin/usuarios/create.html"
    edit_template_name = "lms/admin/usuarios/edit.html"

    def get_form_class(self, for_update: bool = False) -> type[forms.ModelForm]:
        return UsuarioEditForm if for_update else UsuarioCreationForm
