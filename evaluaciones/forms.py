"""Admin form of bank questions: refuses a question that could not be answered or scored."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm

from evaluaciones.scoring import TipoPregunta


class PreguntaAdminForm(WagtailAdminModelForm):
    def _filas(self) -> list[dict[str, Any]]:
        formset = self.formsets.get("opciones")
        if formset is None or not formset.is_valid():
            return []
        return [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]

    def clean(self) -> dict[str, Any]:
        datos = super().clean()
        tipo = datos.get("tipo")
        filas = self._filas()
        con_texto = [f for f in filas if (f.get("texto") or "").strip()]
        correctas = [f for f in con_texto if f.get("correcta")]
        if tipo in (TipoPregunta.OPCION_UNICA, TipoPregunta.OPCION_MULTIPLE):
            if len(con_texto) < 2:
                raise forms.ValidationError(_("Agregue al menos dos opciones con texto."))
            if not correctas and not any(f.get("fraccion") for f in con_texto):
                raise forms.ValidationError(_("Marque al menos una opción correcta."))
        elif tipo == TipoPregunta.VERDADERO_FALSO:
            if datos.get("es_verdadera") is None:
                self.add_error("es_verdadera", _("Indique si la afirmación es verdadera o falsa."))
        elif tipo == TipoPregunta.RESPUESTA_CORTA:
            if not con_texto:
                raise forms.ValidationError(
                    _("Agregue al menos una respuesta aceptada (una fila por respuesta).")
                )
        elif tipo == TipoPregunta.NUMERICA:
            if datos.get("respuesta_numerica") is None:
                self.add_error("respuesta_numerica", _("Escriba la respuesta numérica."))
        elif tipo == TipoPregunta.RELACIONAR:
            pares = [f for f in con_texto if (f.get("pareja") or "").strip()]
            if len(pares) < 2:
                raise forms.ValidationError(
                    _("Agregue al menos dos filas con premisa y pareja para relacionar.")
                )
        elif tipo == TipoPregunta.ORDENAR and len(con_texto) < 2:
            raise forms.ValidationError(_("Agregue al menos dos elementos para ordenar."))
        return datos


class EvaluacionAdminForm(WagtailAdminModelForm):
    def clean(self) -> dict[str, Any]:
        datos = super().clean()
        formset = self.formsets.get("secciones")
        if formset is None or not formset.is_valid():
            return datos
        filas = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        fijas = {f["pregunta"].pk for f in filas if f.get("pregunta")}
        pedidas: dict[Any, int] = {}
        for fila in filas:
            if fila.get("categoria") and not fila.get("pregunta"):
                pedidas[fila["categoria"]] = pedidas.get(fila["categoria"], 0) + (
                    fila.get("cantidad") or 0
                )
        for categoria, cantidad in pedidas.items():
            disponibles = categoria.preguntas.exclude(pk__in=fijas).count()
            if cantidad > disponibles:
                raise forms.ValidationError(
                    _(
                        "La categoría «%(categoria)s» tiene %(disponibles)d preguntas disponibles "
                        "y se piden %(cantidad)d."
                    )
                    % {"categoria": categoria, "disponibles": disponibles, "cantidad": cantidad}
                )
        return datos


class _CorreoPersonaField(forms.ModelChoiceField):
    """A person chosen by typing their email (lists of every account do not scale)."""

    def to_python(self, value: Any) -> Any:
        correo = (value or "").strip()
        if not correo:
            return None
        encontradas = list(self.queryset.filter(email__iexact=correo)[:2])
        if len(encontradas) != 1:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return encontradas[0]


class ExcepcionAdminForm(WagtailAdminModelForm):
    """Per-person extras: only evaluations and people the author is in charge of."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from evaluaciones import selectors

        usuario = self.for_user
        self.fields["evaluacion"].queryset = selectors.evaluaciones_a_cargo(usuario)  # type: ignore[attr-defined]
        self.fields["usuario"] = _CorreoPersonaField(
            label=_("Correo electrónico de la persona"),
            queryset=selectors.personas_a_cargo(usuario),
            to_field_name="email",
            widget=forms.EmailInput(attrs={"autocomplete": "off"}),
            error_messages={
                "invalid_choice": _("No hay ninguna persona a su cargo con ese correo electrónico.")
            },
        )
        if self.instance.pk and self.instance.usuario_id:
            self.initial["usuario"] = self.instance.usuario.email
