from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.models import EntidadFederativa, Organizacion


class AsistenciaForm(forms.Form):
    codigo = forms.CharField(
        label=_("Código de la sesión"),
        max_length=12,
        help_text=_("Lo comparte quien imparte la sesión mientras está en curso."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class FiltroParticipantesForm(forms.Form):
    entidad = forms.ModelChoiceField(
        label=_("Entidad federativa"),
        queryset=EntidadFederativa.objects.none(),
        required=False,
        empty_label=_("Todas"),
    )
    organizacion = forms.ModelChoiceField(
        label=_("Institución"),
        queryset=Organizacion.objects.none(),
        required=False,
        empty_label=_("Todas"),
    )

    def __init__(self, *args: Any, entidades: Any, organizaciones: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["entidad"]).queryset = entidades
        cast(forms.ModelChoiceField, self.fields["organizacion"]).queryset = organizaciones


class BusquedaForm(forms.Form):
    q = forms.CharField(label=_("Buscar en los cursos"), max_length=200, required=False)
