"""Single choice: one option is picked; each option gives its credit (100 % if correct)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluaciones import scoring
from evaluaciones.respuestas import DatosFormulario, RespuestaInvalida, nombre_campo
from evaluaciones.scoring import TipoPregunta
from evaluaciones.tipos import base
from evaluaciones.tipos.base import Fila, Item

if TYPE_CHECKING:
    from evaluaciones.models import OpcionPregunta, Pregunta


def automaticas(opciones: Sequence[OpcionPregunta]) -> tuple[Fraction, ...]:
    return tuple(Fraction(1) if o.correcta else Fraction(0) for o in opciones)


def exigir_opciones(filas: Sequence[Fila]) -> list[Fila]:
    """Two options with text and at least one that earns something."""
    con_texto = base.con_texto(filas)
    if len(con_texto) < 2:
        raise forms.ValidationError(_("Agregue al menos dos opciones con texto."))
    if not any(f.get("correcta") for f in con_texto) and not any(
        f.get("fraccion") for f in con_texto
    ):
        raise forms.ValidationError(_("Marque al menos una opción correcta."))
    return con_texto


def vista_de_opciones(
    opciones: Sequence[OpcionPregunta], *, barajar_opciones: bool, azar: random.Random
) -> Item:
    mostradas = [{"id": str(o.pk), "texto": o.texto} for o in opciones]
    if barajar_opciones:
        base.barajar(mostradas, azar, evitar_orden_original=False)
    return {"opciones": mostradas}


def calificable_de_opciones(clave: Mapping[str, Any]) -> scoring.ClaveOpciones:
    return scoring.ClaveOpciones(
        tuple(
            scoring.OpcionClave(i, scoring.fraccion_de_texto(f))
            for i, f in clave["fracciones"].items()
        )
    )


def una_opcion(item: Mapping[str, Any], datos: DatosFormulario) -> str | None:
    valor = base.uno(datos, nombre_campo(item["clave"]))
    if not valor:
        return None
    if valor not in base.textos_de(item):
        raise RespuestaInvalida(_("La opción elegida no pertenece a esta pregunta."))
    return valor


def ids_completos(item: Mapping[str, Any]) -> list[str]:
    """Ids of the options worth the full points, in the key's order."""
    return [i for i, f in item["clave_correcta"].get("fracciones", {}).items() if Fraction(f) == 1]


def exportar_opciones(
    modulo: base.ModuloTipo,
    xml: base.EscritorMoodle,
    nodo: Any,
    opciones: Sequence[OpcionPregunta],
    *,
    unica: bool,
) -> None:
    xml.sub(nodo, "single", "true" if unica else "false")
    xml.sub(nodo, "shuffleanswers", "true")
    xml.sub(nodo, "answernumbering", "abc")
    for opcion, credito in zip(opciones, modulo.creditos(opciones), strict=True):
        xml.respuesta(nodo, opcion.texto, credito, opcion.retroalimentacion)


def completas(item: Mapping[str, Any]) -> list[str]:
    """Options worth the full points."""
    textos = base.textos_de(item)
    return [textos.get(i, "") for i in ids_completos(item)]


def una_elegida(guardado: Any) -> frozenset[str]:
    return frozenset([guardado]) if isinstance(guardado, str) else frozenset()


class OpcionUnica(base.ModuloTipo):
    tipo = TipoPregunta.OPCION_UNICA
    elige_opciones = True
    campos_opcion = ("texto", "correcta", "fraccion", "retroalimentacion")
    etiquetas_opcion = {
        "texto": gettext_lazy("Opción"),
        "fraccion": gettext_lazy("Crédito (%)"),
        "retroalimentacion": gettext_lazy("Retroalimentación"),
    }
    titulo_opciones = gettext_lazy("Opciones (marque la correcta)")
    opciones_en_vista = True

    def validar(self, datos: Mapping[str, Any], filas: Sequence[Fila]) -> None:
        base.exigir_respuesta_completa(exigir_opciones(filas))

    tipo_moodle = "multichoice"

    def creditos(self, opciones: Sequence[OpcionPregunta]) -> list[Fraction]:
        return [base.credito_de(o, a) for o, a in zip(opciones, automaticas(opciones), strict=True)]

    def clave(self, pregunta: Pregunta, opciones: Sequence[OpcionPregunta]) -> Item:
        return {
            "fracciones": {
                str(o.pk): base.fraccion_texto(c)
                for o, c in zip(opciones, self.creditos(opciones), strict=True)
            }
        }

    def exportar_moodle(
        self,
        xml: base.EscritorMoodle,
        nodo: Any,
        pregunta: Pregunta,
        opciones: Sequence[OpcionPregunta],
    ) -> None:
        exportar_opciones(self, xml, nodo, opciones, unica=True)

    def vista(
        self,
        pregunta: Pregunta,
        opciones: Sequence[OpcionPregunta],
        *,
        barajar_opciones: bool,
        azar: random.Random,
    ) -> Item:
        return vista_de_opciones(opciones, barajar_opciones=barajar_opciones, azar=azar)

    def calificable(self, clave: Mapping[str, Any]) -> scoring.ClaveOpciones:
        return calificable_de_opciones(clave)

    def interpretar(self, item: Mapping[str, Any], datos: DatosFormulario) -> Any:
        return una_opcion(item, datos)

    def correctas(self, item: Mapping[str, Any]) -> list[str]:
        return completas(item)

    def elegidas(self, guardado: Any) -> frozenset[str]:
        return una_elegida(guardado)

    def ids_correctos(self, item: Mapping[str, Any]) -> frozenset[str]:
        return frozenset(ids_completos(item))


MODULO = OpcionUnica()
