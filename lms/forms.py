from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.models import Organizacion, Usuario
from lms.validators import normalizar_curp, validar_curp

MAX_NOMBRE = 120


def _limpiar_nombre(valor: str, etiqueta: str) -> str:
    valor = " ".join((valor or "").split())
    if not valor:
        raise forms.ValidationError(_("Escriba su %(campo)s.") % {"campo": etiqueta})
    if len(valor) > MAX_NOMBRE:
        raise forms.ValidationError(_("Use como máximo %(max)d caracteres.") % {"max": MAX_NOMBRE})
    if any(c.isdigit() or c in "<>{}[]@#$%^*_=+|\\/" for c in valor):
        raise forms.ValidationError(
            _("Escriba el %(campo)s como debe aparecer en su constancia, sin números ni símbolos.")
            % {"campo": etiqueta}
        )
    return valor


class RegistroForm(forms.Form):
    """Extra sign-up fields: names as printed on constancias and the privacy notice."""

    first_name = forms.CharField(
        label=_("Nombre(s)"),
        max_length=150,
        help_text=_("Tal como debe aparecer en su constancia, con acentos y ñ."),
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Apellidos"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    acepta_aviso = forms.BooleanField(
        label=_("He leído y acepto el aviso de privacidad."),
        required=True,
        error_messages={"required": _("Para registrarse debe aceptar el aviso de privacidad.")},
    )

    def clean_first_name(self) -> str:
        return _limpiar_nombre(self.cleaned_data.get("first_name", ""), _("nombre"))

    def clean_last_name(self) -> str:
        return _limpiar_nombre(self.cleaned_data.get("last_name", ""), _("apellido"))

    def signup(self, request: Any, user: Usuario) -> None:
        # The adapter records the acceptance; allauth requires this hook to exist.
        return None


class PerfilForm(forms.ModelForm):
    organizacion = forms.ModelChoiceField(
        label=_("Organización"),
        queryset=Organizacion.objects.filter(activa=True).select_related("entidad"),
        help_text=_("El órgano garante o sujeto obligado donde trabaja."),
        error_messages={
            "invalid_choice": _("Elija una organización de la lista."),
            "required": _("Elija la organización donde trabaja."),
        },
    )

    class Meta:
        model = Usuario
        fields = ["first_name", "last_name", "cargo", "organizacion", "curp"]
        labels = {"curp": _("CURP (opcional)")}
        help_texts = {
            "curp": _("Solo se usa para identificarle en registros oficiales; nunca se publica."),
            "first_name": _("Tal como debe aparecer en su constancia."),
        }
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "cargo": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "curp": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        self.fields["cargo"].required = True

    def clean_first_name(self) -> str:
        return _limpiar_nombre(self.cleaned_data.get("first_name", ""), _("nombre"))

    def clean_last_name(self) -> str:
        return _limpiar_nombre(self.cleaned_data.get("last_name", ""), _("apellido"))

    def clean_curp(self) -> str:
        curp = normalizar_curp(self.cleaned_data.get("curp", ""))
        if not curp:
            return ""
        validar_curp(curp)
        if Usuario.objects.filter(curp=curp).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _(
                    "Esta CURP ya está registrada en otra cuenta. "
                    "Si es suya, contacte a su coordinación."
                )
            )
        return curp
