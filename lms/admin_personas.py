"""The people side of the admin: Users with our fields, the people chooser, role assignments.

Who may do what is decided by `lms.alcance`; the generic views ask it on every
request, not only in the menu. The people chooser lists names and emails, so only
administrators get in. Groups and superuser status follow role assignments
(`lms.services.sincronizar_grupos`), never the Users form.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import chooser
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log
from wagtail.users import forms as wagtail_user_forms
from wagtail.users.views import users as wagtail_users

from lms import services
from lms.alcance import alcance_de
from lms.busqueda_texto import BusquedaSinAcentosMixin, campos_persona, filtrar_por_texto
from lms.models import AsignacionRol, Organizacion, Rol, Usuario
from lms.validators import normalizar_curp, validar_curp
from lms.wagtail_alcance import ConAlcanceViewSetMixin

# --- People chooser and role assignments ------------------------------------


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
        if not alcance_de(request.user).es_administrador:
            raise PermissionDenied
        # A mixin: the class it is mixed into defines this method.
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class ColumnasUsuarioMixin:
    @property
    def columns(self) -> list[Any]:
        return [
            *super().columns,  # type: ignore[misc]  # mixin: its host class defines it
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
        return {
            **super().get_form_kwargs(),
            "ver_curp": alcance_de(self.request.user).es_administrador,
        }


class UsuarioEditView(wagtail_users.EditView):
    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "ver_curp": alcance_de(self.request.user).es_administrador,
        }

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
