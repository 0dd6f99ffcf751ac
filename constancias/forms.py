"""Forms of constancias: public verification, reasons, bulk issuance."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from lms import subidas
from lms.models import EntidadFederativa


class VerificacionForm(forms.Form):
    folio = forms.CharField(
        label=_("Folio"),
        max_length=30,
        help_text=_("Como aparece impreso, por ejemplo TP-2026-000123."),
    )
    codigo = forms.CharField(
        label=_("Código de verificación"),
        max_length=64,
        help_text=_("La última parte de la dirección impresa bajo el código QR."),
    )

    def clean_folio(self) -> str:
        return self.cleaned_data["folio"].strip().upper()

    def clean_codigo(self) -> str:
        codigo = self.cleaned_data["codigo"].strip()
        return codigo.rstrip("/").rsplit("/", 1)[-1]


class ArchivoVerificacionForm(forms.Form):
    archivo = forms.FileField(
        label=_("Archivo PDF de la constancia"),
        help_text=_("Se compara su huella SHA-256 con la del archivo emitido; no se guarda."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_archivo(self) -> Any:
        archivo = self.cleaned_data["archivo"]
        # LimiteSubidaMiddleware already cut anything larger while it was read.
        if archivo.size > subidas.MAX_PDF_VERIFICACION:
            raise forms.ValidationError(
                _("El archivo es demasiado grande (máximo %(max)s).")
                % {"max": filesizeformat(subidas.MAX_PDF_VERIFICACION)}
            )
        inicio = archivo.read(5)
        archivo.seek(0)
        if inicio != b"%PDF-":
            raise forms.ValidationError(_("El archivo no es un PDF."))
        return archivo


class MotivoForm(forms.Form):
    motivo = forms.CharField(
        label=_("Motivo"),
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Queda registrado junto con su nombre y la fecha."),
    )


class TrabajoEmisionForm(forms.Form):
    entidad = forms.ModelChoiceField(
        label=_("Entidad federativa"),
        queryset=EntidadFederativa.objects.none(),
        required=False,
        empty_label=_("Todas las de mi alcance"),
    )

    def __init__(self, *args: Any, entidades: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["entidad"]).queryset = entidades
