"""Forms for accounts and profiles; they parse and validate, services write."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import Any, cast

from allauth.core import ratelimit

from django import forms
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lms.models import Organizacion, Usuario
from lms.validators import normalizar_curp, validar_curp

MAX_NOMBRE = 120
# Characters that never belong to a person's name as printed on a constancia.
_CARACTERES_PROHIBIDOS = set('<>{}[]()@#$%^*_=+|\\/:;"?!¡¿&~`')


def _limpiar_nombre(valor: str, etiqueta: str) -> str:
    valor = " ".join((valor or "").split())
    if not valor:
        raise forms.ValidationError(_("Escriba su %(campo)s.") % {"campo": etiqueta})
    if len(valor) > MAX_NOMBRE:
        raise forms.ValidationError(_("Use como máximo %(max)d caracteres.") % {"max": MAX_NOMBRE})
    if not any(c.isalpha() for c in valor) or any(
        c.isdigit() or c in _CARACTERES_PROHIBIDOS or not c.isprintable() for c in valor
    ):
        raise forms.ValidationError(
            _("Escriba su %(campo)s como debe aparecer en su constancia, sin números ni símbolos.")
            % {"campo": etiqueta}
        )
    return valor


class RegistroForm(forms.Form):
    """Extra sign-up fields: names as printed on constancias and the privacy notice."""

    # allauth adds email and passwords; this is the order people read them in.
    field_order = ["first_name", "last_name", "email", "password1", "password2", "acepta_aviso"]

    first_name = forms.CharField(
        label=_("Nombre(s)"),
        max_length=150,
        help_text=_("Tal como debe aparecer en su constancia, con acentos y ñ."),
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Apellidos"),
        max_length=150,
        help_text=_("Ambos apellidos si los tiene, tal como deben aparecer en su constancia."),
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    acepta_aviso = forms.BooleanField(
        label=_("He leído y acepto el aviso de privacidad."),
        required=True,
        error_messages={"required": _("Para registrarse debe aceptar el aviso de privacidad.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["acepta_aviso"].help_text = format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("aviso_privacidad"),
            gettext("Leer el aviso de privacidad (se abre en otra pestaña)"),
        )

    def clean_first_name(self) -> str:
        return _limpiar_nombre(self.cleaned_data.get("first_name", ""), gettext("nombre"))

    def clean_last_name(self) -> str:
        return _limpiar_nombre(self.cleaned_data.get("last_name", ""), gettext("apellido"))

    def signup(self, request: Any, user: Usuario) -> None:
        # The adapter records the acceptance; allauth requires this hook to exist.
        return None


class OrganizacionesPorEntidadIterator(forms.models.ModelChoiceIterator):
    """Yields the organizations grouped by entity, so the select shows one <optgroup> each."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for entidad, grupo in groupby(self.queryset.iterator(), key=lambda o: o.entidad):
            etiqueta = entidad.nombre if entidad else gettext("Nacional y federal")
            yield (etiqueta, [self.choice(organizacion) for organizacion in grupo])


class OrganizacionChoiceField(forms.ModelChoiceField):
    iterator = OrganizacionesPorEntidadIterator

    def label_from_instance(self, obj: Organizacion) -> str:
        if obj.siglas and obj.siglas.lower() not in obj.nombre.lower():
            return f"{obj.nombre} ({obj.siglas})"
        return obj.nombre


def organizaciones_elegibles() -> QuerySet[Organizacion]:
    """Active organizations, national and federal ones first, then by entity and name."""
    return (
        Organizacion.objects.filter(activa=True)
        .select_related("entidad")
        .order_by(F("entidad__clave_inegi").asc(nulls_first=True), "clase", "nombre")
    )


class PerfilForm(forms.Form):
    """The profile a person keeps: names as printed, optional CURP, job and organization.

    Saying that a CURP belongs to another account helps its owner and tells anyone else
    who is registered, so that lookup is rate limited (ACCOUNT_RATE_LIMITS["curp"], per
    account and per client address); saving one's own CURP again looks nothing up.
    """

    first_name = forms.CharField(
        label=_("Nombre(s)"),
        max_length=150,
        help_text=_("Tal como debe aparecer en su constancia, con acentos y ñ."),
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Apellidos"),
        max_length=150,
        help_text=_("Tal como deben aparecer en su constancia."),
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    cargo = forms.CharField(
        label=_("Cargo"),
        max_length=200,
        help_text=_("Su puesto actual, por ejemplo «Titular de la Unidad de Transparencia»."),
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    organizacion = OrganizacionChoiceField(
        label=_("Organización"),
        queryset=Organizacion.objects.none(),
        empty_label=_("Elija su organización"),
        help_text=_(
            "El órgano garante o sujeto obligado donde trabaja, agrupados por entidad federativa. "
            "Si no aparece, comuníquese con la coordinación de su estado."
        ),
        error_messages={
            "invalid_choice": _("Elija una organización de la lista."),
            "required": _("Elija la organización donde trabaja."),
        },
        widget=forms.Select(attrs={"autocomplete": "organization"}),
    )
    curp = forms.CharField(
        label=_("CURP (opcional)"),
        required=False,
        max_length=18,
        help_text=_(
            "18 caracteres. Solo se usa para identificarle en registros oficiales; "
            "nunca se publica."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )

    def __init__(self, *args: Any, usuario: Usuario, request: HttpRequest, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "first_name": usuario.first_name,
                "last_name": usuario.last_name,
                "cargo": usuario.cargo,
                "organizacion": usuario.organizacion_id,
                "curp": usuario.curp,
            },
        )
        super().__init__(*args, **kwargs)
        self.usuario = usuario
        self.request = request
        campo = cast(OrganizacionChoiceField, self.fields["organizacion"])
        campo.queryset = organizaciones_elegibles()

    def clean_first_name(self) -> str:
        return _limpiar_nombre(self.cleaned_data.get("first_name", ""), gettext("nombre"))

    def clean_last_name(self) -> str:
        return _limpiar_nombre(self.cleaned_data.get("last_name", ""), gettext("apellido"))

    def clean_cargo(self) -> str:
        cargo = " ".join(self.cleaned_data.get("cargo", "").split())
        if not cargo:
            raise forms.ValidationError(_("Escriba su cargo."))
        return cargo

    def clean_curp(self) -> str:
        curp = normalizar_curp(self.cleaned_data.get("curp", ""))
        if not curp:
            return ""
        validar_curp(curp)
        if curp == self.usuario.curp:
            return curp
        if not ratelimit.consume(self.request, action="curp", user=self.usuario):
            raise forms.ValidationError(CURP_LIMITE, code="curp_limite")
        if Usuario.objects.filter(curp=curp).exclude(pk=self.usuario.pk).exists():
            raise forms.ValidationError(CURP_DUPLICADA)
        return curp


CURP_LIMITE = _(
    "Ha revisado demasiadas veces si una CURP está registrada. Inténtelo de nuevo más tarde; "
    "sus datos no se guardaron."
)
CURP_DUPLICADA = _(
    "Esta CURP ya está registrada en otra cuenta. Si es suya, comuníquese con la coordinación "
    "de su estado."
)
