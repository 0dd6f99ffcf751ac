"""The question form per type, derived from `tipos.REGISTRO` and nothing else.

A question form shows the fields every type has and, of the type-specific ones, those
its type's module lists (`campos_pregunta`; `campos_opcion` for the rows). For the type
being edited the server marks the rest `hidden` and names the row columns as the type
does; `static/evaluaciones/autoria.js` does the same while the author changes the type,
reading `datos_para_el_navegador()` (never a list of its own). Without the script a new
question shows every field, each saying which types use it. Whatever the browser
posts, what does not apply to the saved type is reset before saving, so nothing hidden
is stored (`depurar_datos`, `restablecer_campos`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from wagtail.admin.panels import FieldPanel, InlinePanel, Panel

from evaluaciones import tipos

# The inline of option rows: shown when the type has row fields.
FILAS = "opciones"
CAMPO_TIPO = "tipo"
ID_DATOS = "autoria-tipos-datos"


@functools.cache
def campos_especificos() -> frozenset[str]:
    """Question fields (and inlines) some types show and others do not."""
    return frozenset(c for m in tipos.MODULOS for c in m.campos_pregunta) | {FILAS}


@functools.cache
def columnas() -> tuple[str, ...]:
    """Every option-row field some type shows, in the order the modules name them."""
    return tuple(dict.fromkeys(c for m in tipos.MODULOS for c in m.campos_opcion))


def tipo_valido(valor: Any) -> str | None:
    return valor if valor in {t.value for t in tipos.REGISTRO} else None


def aplica(tipo: str | None, campo: str) -> bool:
    """Whether a question of `tipo` uses `campo`; with no type chosen, every field may."""
    if tipo is None or campo not in campos_especificos():
        return True
    modulo = tipos.modulo(tipo)
    if campo == FILAS:
        return bool(modulo.campos_opcion)
    return campo in modulo.campos_pregunta


def columna_aplica(tipo: str | None, columna: str) -> bool:
    return tipo is None or columna in tipos.modulo(tipo).campos_opcion


def tipos_que_usan(campo: str, *, columna: bool = False) -> list[str]:
    return [
        m.tipo.value
        for m in tipos.MODULOS
        if (columna_aplica(m.tipo.value, campo) if columna else aplica(m.tipo.value, campo))
    ]


def tipo_del_formulario(form: Any) -> str | None:
    """The type a question form is about: the one posted, else the saved or copied one."""
    if form is None:
        return None
    if form.is_bound:
        return tipo_valido(form.data.get(form.add_prefix(CAMPO_TIPO)))
    return tipo_valido(form.initial.get(CAMPO_TIPO) or getattr(form.instance, CAMPO_TIPO, None))


def datos_para_el_navegador() -> dict[str, Any]:
    """What the editor script needs to show one type's fields (rendered as JSON)."""
    return {
        "campos": sorted(campos_especificos()),
        "columnas": list(columnas()),
        "tipos": {
            m.tipo.value: {
                "campos": sorted(c for c in campos_especificos() if aplica(m.tipo.value, c)),
                "columnas": list(m.campos_opcion),
                "etiquetas": {k: str(v) for k, v in m.etiquetas_opcion.items()},
                "titulo": str(m.titulo_opciones),
            }
            for m in tipos.MODULOS
        },
    }


def texto_aplica(campo: str, nombres_tipo: Mapping[str, str], *, columna: bool = False) -> str:
    """The help line naming the types a field is for (hidden by the script once one is chosen)."""
    nombres = [str(nombres_tipo.get(t, t)) for t in tipos_que_usan(campo, columna=columna)]
    return format_html(
        '<span class="autoria-aplica" data-aplica-a>{}</span>',
        _("Solo para: %(tipos)s.") % {"tipos": ", ".join(nombres)},
    )


def ayuda_con_tipos(ayuda: str, campo: str, nombres_tipo: Mapping[str, str], **kw: Any) -> str:
    return format_html("{} {}", texto_aplica(campo, nombres_tipo, **kw), ayuda)


# --- What is stored --------------------------------------------------------------


def _relacion(modelo: type[models.Model], campo: str) -> models.Field | Any | None:
    try:
        return modelo._meta.get_field(campo)
    except FieldDoesNotExist:
        return None


def depurar_datos(
    datos: QueryDict, modelo: type[models.Model], prefijo: str | None = None
) -> QueryDict:
    """POST data whose rows say nothing the question's type does not use.

    Rows of inlines the type does not use are marked deleted (so a half-filled hidden
    row neither blocks saving nor is stored) and the row fields it does not use are
    blanked, before anything validates them or the type's rules read them.
    """

    def nombre(campo: str) -> str:
        return f"{prefijo}-{campo}" if prefijo else campo

    tipo = tipo_valido(datos.get(nombre(CAMPO_TIPO)))
    if tipo is None:
        return datos
    datos = datos.copy()
    for campo in campos_especificos():
        relacion = _relacion(modelo, campo)
        if relacion is None or not relacion.one_to_many:
            continue
        try:
            total = int(datos.get(nombre(f"{campo}-TOTAL_FORMS")) or 0)
        except ValueError:
            continue
        for i in range(min(total, 1000)):
            if not aplica(tipo, campo):
                datos[nombre(f"{campo}-{i}-DELETE")] = "on"
            elif campo == FILAS:
                for columna in columnas():
                    if not columna_aplica(tipo, columna):
                        datos.pop(nombre(f"{campo}-{i}-{columna}"), None)
    return datos


def restablecer_campos(form: Any, tipo: str, modelo: type[models.Model]) -> None:
    """Give the question's fields its type does not use their defaults, ignoring their errors."""
    for campo in campos_especificos():
        relacion = _relacion(modelo, campo)
        if relacion is None or not getattr(relacion, "concrete", False) or aplica(tipo, campo):
            continue
        form.cleaned_data[campo] = relacion.get_default()
        if form._errors is not None:
            form._errors.pop(campo, None)


# --- Panels ------------------------------------------------------------------------


def _atributos(base: Mapping[str, Any], extra: Mapping[str, Any], oculto: bool) -> dict[str, Any]:
    atributos = {**base, **extra}
    if oculto:
        atributos["hidden"] = True
    return atributos


class CampoPorTipo(FieldPanel):
    """A question field shown only for the types whose module lists it."""

    class BoundPanel(FieldPanel.BoundPanel):
        @property
        def attrs(self) -> dict[str, Any]:
            oculto = not aplica(tipo_del_formulario(self.form), self.field_name)
            return _atributos(super().attrs, {"data-campo-por-tipo": self.field_name}, oculto)


class ColumnaPorTipo(FieldPanel):
    """A field of an option row: shown and named as the question's type says."""

    class BoundPanel(FieldPanel.BoundPanel):
        tipo_pregunta: str | None = None
        etiqueta_base: str = ""

        @property
        def attrs(self) -> dict[str, Any]:
            extra = {
                "data-columna-por-tipo": self.field_name,
                "data-etiqueta-base": self.etiqueta_base or self.heading,
            }
            oculto = not columna_aplica(self.tipo_pregunta, self.field_name)
            return _atributos(super().attrs, extra, oculto)


def _paneles(panel: Any) -> Iterable[Any]:
    yield panel
    for hijo in getattr(panel, "children", None) or []:
        yield from _paneles(hijo)


class FilasPorTipo(InlinePanel):
    """An inline of the question (option rows, rubric) shown only for the types that use it."""

    class BoundPanel(InlinePanel.BoundPanel):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.tipo_pregunta = tipo_del_formulario(self.form)
            self.titulo_base: str = str(self.panel.heading)
            if self.form is None or self.panel.relation_name != FILAS:
                return
            tipo = self.tipo_pregunta
            modulo = tipos.modulo(tipo) if tipo else None
            if modulo is not None and modulo.titulo_opciones:
                self.heading = modulo.titulo_opciones
            nombres_tipo = dict(self.form.fields[CAMPO_TIPO].choices)
            for fila in [*self.children, self.empty_child]:
                for panel in _paneles(fila):
                    if not isinstance(panel, ColumnaPorTipo.BoundPanel):
                        continue
                    panel.tipo_pregunta = tipo
                    panel.etiqueta_base = str(panel.heading)
                    if modulo is not None and panel.field_name in modulo.etiquetas_opcion:
                        panel.heading = modulo.etiquetas_opcion[panel.field_name]
                    panel.help_text = ayuda_con_tipos(
                        panel.help_text or "", panel.field_name, nombres_tipo, columna=True
                    )

        @property
        def attrs(self) -> dict[str, Any]:
            nombre = self.panel.relation_name
            extra = {"data-campo-por-tipo": nombre, "data-titulo-base": self.titulo_base}
            return _atributos(super().attrs, extra, not aplica(self.tipo_pregunta, nombre))


class SelectorTipo(forms.Select):
    """The question type's select, carrying what each type shows for the editor script."""

    class Media:
        js = ["evaluaciones/autoria.js"]

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        html = super().render(name, value, {**(attrs or {}), "data-autoria-tipo": True}, renderer)
        return format_html("{}{}", html, json_script(datos_para_el_navegador(), ID_DATOS))


# --- An evaluation's total points --------------------------------------------------


class PuntosTotalesPanel(Panel):
    """What the evaluation is worth, rendered by the server and kept current by a script."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "evaluaciones/admin/puntos_totales.html"

        class Media:
            js = ["evaluaciones/puntos_totales.js"]

        def _filas(self) -> list[Any]:
            # selectors imports the models, which import this module.
            from evaluaciones import selectors

            formset = self.form.formsets.get("secciones") if self.form is not None else None
            if self.form is not None and self.form.is_bound:
                if formset is None or not formset.is_valid():
                    return []
                return [
                    selectors.FilaPuntos(
                        getattr(d.get("pregunta"), "pk", None),
                        getattr(d.get("categoria"), "pk", None),
                        d.get("cantidad"),
                        bool(d.get("incluir_subcategorias")),
                    )
                    for d in (f.cleaned_data for f in formset.forms)
                    if d and not d.get("DELETE")
                ]
            return selectors.filas_de_evaluacion(self.instance)

        def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
            from evaluaciones import selectors

            contexto = super().get_context_data(parent_context)
            contexto["total"] = selectors.puntos_totales(self._filas())
            contexto["url"] = reverse("evaluaciones_puntos_totales")
            return contexto
