"""Admin forms of the quiz engine: what an author may pick, and what cannot be answered.

Every choice of a course, a category or a question offers only what `lms.alcance`
lets the author use, and `clean` refuses a tampered POST naming anything else, so an
instructor can never hang their work on, or draw from, another course's bank.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.models import Page

from evaluaciones import scoring
from evaluaciones.instantaneas import valor_numerico
from evaluaciones.scoring import TipoPregunta
from lms import alcance
from lms.alcance import Accion


class _CursoDelAutorMixin:
    """The `curso` field offers the courses the author may hand work to (`lms.alcance`)."""

    def _limitar_curso(self) -> None:
        campo = self.fields["curso"]  # type: ignore[attr-defined]
        usuario = self.for_user  # type: ignore[attr-defined]
        campo.queryset = Page.objects.filter(
            pk__in=sorted(alcance.cursos_asignables(usuario))
        ).order_by("title")
        campo.widget = forms.Select(choices=campo.choices)
        administra = alcance.alcance_de(usuario).es_administrador
        campo.required = not administra
        campo.empty_label = _("— General (solo la administración) —") if administra else None


def _credito(fila: dict[str, Any]) -> Fraction:
    """An option's exact credit, as scoring reads it: its own, or 100 % if marked correct."""
    if fila.get("fraccion") is not None:
        return scoring.credito_exacto(Decimal(fila["fraccion"]))
    return Fraction(1) if fila.get("correcta") else Fraction(0)


def _texto_porcentaje(valor: Fraction) -> str:
    return scoring.porcentaje_moodle(valor)


def _revisar_creditos(tipo: str, filas: list[dict[str, Any]]) -> None:
    """Refuse credits no answer can reach 100 % with, as Moodle does.

    Credits are exact: 33.33 % (or Moodle's 33.33333 %) is a third, so three of them
    make exactly 100 %.
    """
    if tipo in (TipoPregunta.OPCION_UNICA, TipoPregunta.RESPUESTA_CORTA, TipoPregunta.NUMERICA):
        if max((_credito(f) for f in filas), default=Fraction(0)) < 1:
            raise forms.ValidationError(
                _(
                    "Una de las respuestas debe valer 100 %: con los créditos escritos nadie "
                    "podría obtener la calificación completa."
                )
            )
        return
    # Multiple answer: written positive credits must add up to 100 %. Correct options
    # left without a credit share what remains, so only fully written credits are summed.
    positivas = [f for f in filas if f.get("correcta") or (f.get("fraccion") or 0) > 0]
    if not positivas or any(f.get("fraccion") is None for f in positivas):
        return
    suma = sum((_credito(f) for f in positivas), Fraction(0))
    if suma != 1:
        raise forms.ValidationError(
            _(
                "En respuesta múltiple, los créditos positivos deben sumar 100 %%; suman "
                "%(suma)s %%."
            )
            % {"suma": _texto_porcentaje(suma)}
        )


class PreguntaAdminForm(WagtailAdminModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from evaluaciones.models import CategoriaPregunta

        self.fields["categoria"].queryset = alcance.permitidos(  # type: ignore[attr-defined]
            self.for_user, Accion.CAMBIAR, CategoriaPregunta
        )

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
            _revisar_creditos(tipo, con_texto)
        elif tipo == TipoPregunta.VERDADERO_FALSO:
            if datos.get("es_verdadera") is None:
                self.add_error("es_verdadera", _("Indique si la afirmación es verdadera o falsa."))
        elif tipo == TipoPregunta.RESPUESTA_CORTA:
            if not con_texto:
                raise forms.ValidationError(
                    _("Agregue al menos una respuesta aceptada (una fila por respuesta).")
                )
            _revisar_creditos(
                tipo,
                [{**f, "correcta": True} if f.get("fraccion") is None else f for f in con_texto],
            )
        elif tipo == TipoPregunta.NUMERICA:
            if not con_texto:
                raise forms.ValidationError(
                    _("Agregue al menos un valor aceptado (una fila por valor, con su tolerancia).")
                )
            no_numeros = [
                f["texto"].strip() for f in con_texto if valor_numerico(f["texto"]) is None
            ]
            if no_numeros:
                raise forms.ValidationError(
                    _(
                        "Cada valor aceptado debe ser un número escrito como en México (punto "
                        "decimal, coma para los miles) o * para cualquier número. No lo son: "
                        "%(valores)s."
                    )
                    % {"valores": ", ".join(f"«{v}»" for v in no_numeros)}
                )
            _revisar_creditos(
                tipo,
                [{**f, "correcta": True} if f.get("fraccion") is None else f for f in con_texto],
            )
        elif tipo == TipoPregunta.RELACIONAR:
            pares = [f for f in con_texto if (f.get("pareja") or "").strip()]
            if len(pares) < 2:
                raise forms.ValidationError(
                    _("Agregue al menos dos filas con premisa y pareja para relacionar.")
                )
        elif tipo == TipoPregunta.ORDENAR and len(con_texto) < 2:
            raise forms.ValidationError(_("Agregue al menos dos elementos para ordenar."))
        return datos


class CategoriaPreguntaAdminForm(_CursoDelAutorMixin, WagtailAdminModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limitar_curso()


class EvaluacionAdminForm(_CursoDelAutorMixin, WagtailAdminModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limitar_curso()

    def _revisar_banco(self, filas: list[dict[str, Any]]) -> None:
        """Refuse questions and categories outside the user's reach or the evaluation's course."""
        from evaluaciones.models import CategoriaPregunta, Pregunta

        curso = self.cleaned_data.get("curso")
        preguntas = {f["pregunta"].pk: f["pregunta"] for f in filas if f.get("pregunta")}
        categorias = {f["categoria"].pk: f["categoria"] for f in filas if f.get("categoria")}
        visibles_p = set(
            alcance.permitidos(self.for_user, Accion.VER, Pregunta)
            .filter(pk__in=list(preguntas))
            .values_list("pk", flat=True)
        )
        visibles_c = set(
            alcance.permitidos(self.for_user, Accion.VER, CategoriaPregunta)
            .filter(pk__in=list(categorias))
            .values_list("pk", flat=True)
        )
        curso_id = curso.pk if curso is not None else None
        ajenas = [
            p.titulo
            for pk, p in preguntas.items()
            if pk not in visibles_p or (curso_id and p.categoria.curso_id != curso_id)
        ] + [
            c.nombre
            for pk, c in categorias.items()
            if pk not in visibles_c or (curso_id and c.curso_id != curso_id)
        ]
        if ajenas:
            raise forms.ValidationError(
                _(
                    "Use solo preguntas y categorías del banco del curso de esta evaluación. "
                    "No pertenecen a él: %(nombres)s."
                )
                % {"nombres": ", ".join(f"«{n}»" for n in sorted(ajenas))}
            )

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
        self._revisar_banco(filas)
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
                    ngettext(
                        "La categoría «%(categoria)s» tiene %(disponibles)d pregunta disponible "
                        "y se piden %(cantidad)d.",
                        "La categoría «%(categoria)s» tiene %(disponibles)d preguntas disponibles "
                        "y se piden %(cantidad)d.",
                        disponibles,
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
