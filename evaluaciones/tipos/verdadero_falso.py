"""True or false: a statement the participant judges, with feedback for each answer."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext as _

from evaluaciones import scoring
from evaluaciones.respuestas import DatosFormulario
from evaluaciones.scoring import TipoPregunta
from evaluaciones.tipos import base
from evaluaciones.tipos.base import Fila, Item
from evaluaciones.tipos.opcion_unica import (
    calificable_de_opciones,
    completas,
    ids_completos,
    una_elegida,
    una_opcion,
)

if TYPE_CHECKING:
    from evaluaciones.models import OpcionPregunta, Pregunta


class VerdaderoFalso(base.ModuloTipo):
    tipo = TipoPregunta.VERDADERO_FALSO
    elige_opciones = True
    campos_pregunta = ("es_verdadera", "retroalimentacion_verdadero", "retroalimentacion_falso")

    def validar(self, datos: Mapping[str, Any], filas: Sequence[Fila]) -> None:
        if datos.get("es_verdadera") is None:
            raise forms.ValidationError(
                {"es_verdadera": _("Indique si la afirmación es verdadera o falsa.")}
            )

    tipo_moodle = "truefalse"
    # Moodle allows one try at a true/false question.
    penalizacion_moodle = "1.0000000"

    def exportar_moodle(
        self,
        xml: base.EscritorMoodle,
        nodo: Any,
        pregunta: Pregunta,
        opciones: Sequence[OpcionPregunta],
    ) -> None:
        for valor, retro in (
            ("true", pregunta.retroalimentacion_verdadero),
            ("false", pregunta.retroalimentacion_falso),
        ):
            correcta = (valor == "true") == bool(pregunta.es_verdadera)
            xml.respuesta(nodo, valor, Fraction(int(correcta)), retro, "moodle_auto_format")

    def clave(self, pregunta: Pregunta, opciones: Sequence[OpcionPregunta]) -> Item:
        return {
            "fracciones": {
                "verdadero": "1/1" if pregunta.es_verdadera else "0/1",
                "falso": "0/1" if pregunta.es_verdadera else "1/1",
            },
            # Shown with the answer the participant gave, as Moodle's true/false does.
            "retroalimentacion_opciones": {
                ident: texto
                for ident, texto in (
                    ("verdadero", pregunta.retroalimentacion_verdadero),
                    ("falso", pregunta.retroalimentacion_falso),
                )
                if texto
            },
        }

    def vista(
        self,
        pregunta: Pregunta,
        opciones: Sequence[OpcionPregunta],
        *,
        barajar_opciones: bool,
        azar: random.Random,
    ) -> Item:
        return {
            "opciones": [
                {"id": "verdadero", "texto": _("Verdadero")},
                {"id": "falso", "texto": _("Falso")},
            ]
        }

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


MODULO = VerdaderoFalso()
