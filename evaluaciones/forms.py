"""Admin forms of the quiz engine: what an author may pick, and what cannot be answered.

Every choice of a course, a category or a question offers only what `lms.alcance`
lets the author use, and `clean` refuses a tampered POST naming anything else, so an
instructor can never hang their work on, or draw from, another course's bank.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.models import Page

from evaluaciones import autoria, tipos
from lms import alcance
from lms.alcance import Accion


class _CursoDelAutorMixin:
    """The `curso` field offers the courses the author may hand work to (`lms.alcance`)."""

    def _limitar_curso(self) -> None:
        # A mixin: the class it is mixed into has this attribute.
        campo = self.fields["curso"]  # type: ignore[attr-defined]
        usuario = self.for_user  # type: ignore[attr-defined]  # mixin: its host class has it
        campo.queryset = Page.objects.filter(
            pk__in=sorted(alcance.cursos_asignables(usuario))
        ).order_by("title")
        campo.widget = forms.Select(choices=campo.choices)
        administra = alcance.alcance_de(usuario).es_administrador
        campo.required = not administra
        campo.empty_label = _("— General (solo la administración) —") if administra else None


class PreguntaAdminForm(WagtailAdminModelForm):
    """One form for every type, showing and storing only what the chosen type uses."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Rows the type does not use are dropped from the POST before anything reads them.
        if args and args[0] is not None:
            args = (
                autoria.depurar_datos(args[0], self._meta.model, kwargs.get("prefix")),
                *args[1:],
            )
        elif kwargs.get("data") is not None:
            kwargs["data"] = autoria.depurar_datos(
                kwargs["data"], self._meta.model, kwargs.get("prefix")
            )
        super().__init__(*args, **kwargs)
        from evaluaciones.models import CategoriaPregunta

        self.fields["categoria"].queryset = alcance.permitidos(
            self.for_user, Accion.CAMBIAR, CategoriaPregunta
        )
        campo_tipo = self.fields[autoria.CAMPO_TIPO]
        campo_tipo.widget = autoria.SelectorTipo(choices=campo_tipo.choices)
        nombres_tipo = dict(campo_tipo.choices)
        for nombre, campo in self.fields.items():
            if nombre in autoria.campos_especificos():
                campo.help_text = autoria.ayuda_con_tipos(campo.help_text, nombre, nombres_tipo)

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
        if tipo:
            autoria.restablecer_campos(self, tipo, self._meta.model)
        filas = self._filas()
        if tipo:
            # Each type's module knows what makes its questions unanswerable.
            tipos.modulo(tipo).validar(datos, filas)
        return datos


class CategoriaPreguntaAdminForm(_CursoDelAutorMixin, WagtailAdminModelForm):
    """A category hangs from one the author may change, of its own course, never below itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limitar_curso()
        from evaluaciones.models import CategoriaPregunta

        padres = alcance.permitidos(self.for_user, Accion.CAMBIAR, CategoriaPregunta)
        if self.instance.pk:
            padres = padres.exclude(pk=self.instance.pk)
        self.fields["padre"].queryset = padres.order_by("nombre")

    def clean(self) -> dict[str, Any]:
        datos = super().clean()
        padre = datos.get("padre")
        if padre is None:
            return datos
        curso = datos.get("curso")
        if padre.curso_id != (curso.pk if curso is not None else None):
            self.add_error(
                "padre",
                _(
                    "La categoría superior debe ser del mismo curso: «%(padre)s» es de otro "
                    "banco de preguntas."
                )
                % {"padre": padre.nombre},
            )
        # Walking up from the new parent must never reach this category.
        vistas: set[int] = set()
        ancestro = padre
        while ancestro is not None and ancestro.pk not in vistas:
            if self.instance.pk and ancestro.pk == self.instance.pk:
                self.add_error(
                    "padre",
                    _(
                        "«%(padre)s» está dentro de esta categoría: una categoría no puede "
                        "colgar de sí misma ni de sus subcategorías."
                    )
                    % {"padre": padre.nombre},
                )
                break
            vistas.add(ancestro.pk)
            ancestro = ancestro.padre
        return datos


class EvaluacionAdminForm(_CursoDelAutorMixin, WagtailAdminModelForm):
    """Fixed questions need no draw count; a random row needs one of at least 1."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and args[0] is not None:
            args = (_sin_sorteo_en_filas_fijas(args[0], kwargs.get("prefix")), *args[1:])
        elif kwargs.get("data") is not None:
            kwargs["data"] = _sin_sorteo_en_filas_fijas(kwargs["data"], kwargs.get("prefix"))
        super().__init__(*args, **kwargs)
        self._limitar_curso()
        formset = self.formsets.get("secciones")
        if self.is_bound and formset is not None:
            for fila in formset.forms:
                sorteo = fila.data.get(fila.add_prefix("categoria")) and not fila.data.get(
                    fila.add_prefix("pregunta")
                )
                if sorteo:
                    campo = fila.fields["cantidad"]
                    campo.required = True
                    campo.error_messages["required"] = _(
                        "Indique cuántas preguntas sacar al azar de la categoría (al menos 1)."
                    )

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
        # selectors and models import this module: they are read once it has loaded.
        from evaluaciones import selectors
        from evaluaciones.models import Pregunta

        fijas = {f["pregunta"].pk for f in filas if f.get("pregunta")}
        pedidas: dict[Any, int] = {}
        for fila in filas:
            if fila.get("categoria") and not fila.get("pregunta"):
                pedidas[fila["categoria"]] = pedidas.get(fila["categoria"], 0) + (
                    fila.get("cantidad") or 0
                )
        subcategorias = {
            f["categoria"] for f in filas if f.get("categoria") and f.get("incluir_subcategorias")
        }
        for categoria, cantidad in pedidas.items():
            categorias = {categoria.pk}
            if categoria in subcategorias:
                categorias |= selectors.descendientes_de_categorias(categorias)
            disponibles = (
                Pregunta.objects.filter(categoria_id__in=categorias).exclude(pk__in=fijas).count()
            )
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


def _sin_sorteo_en_filas_fijas(datos: Any, prefijo: str | None) -> Any:
    """POST data without a draw count or subcategory choice on rows with a fixed question."""
    inicio = f"{prefijo}-secciones" if prefijo else "secciones"
    try:
        total = int(datos.get(f"{inicio}-TOTAL_FORMS") or 0)
    except ValueError:
        return datos
    datos = datos.copy()
    for i in range(min(total, 1000)):
        if datos.get(f"{inicio}-{i}-pregunta"):
            datos.pop(f"{inicio}-{i}-cantidad", None)
            datos.pop(f"{inicio}-{i}-incluir_subcategorias", None)
    return datos


class _CorreoPersonaField(forms.ModelChoiceField):
    """A person chosen by typing their email (lists of every account do not scale)."""

    def to_python(self, value: Any) -> Any:
        correo = (value or "").strip()
        if not correo:
            return None
        encontradas = (
            list(self.queryset.filter(email__iexact=correo)[:2])
            if self.queryset is not None
            else []
        )
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
        self.fields["evaluacion"].queryset = selectors.evaluaciones_a_cargo(usuario)
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
