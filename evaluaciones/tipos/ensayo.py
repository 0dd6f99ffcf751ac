"""Essay: free text a person grades, optionally with a rubric and notes for the grader."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from evaluaciones import scoring
from evaluaciones.respuestas import DatosFormulario, RespuestaInvalida, nombre_campo
from evaluaciones.scoring import TipoPregunta
from evaluaciones.tipos import base
from evaluaciones.tipos.base import Item

if TYPE_CHECKING:
    from evaluaciones.models import OpcionPregunta, Pregunta


class Ensayo(base.ModuloTipo):
    tipo = TipoPregunta.ENSAYO
    manual = True
    campos_pregunta = (
        "longitud_maxima",
        "plantilla_respuesta",
        "notas_para_calificar",
        "criterios",
    )

    tipo_moodle = "essay"

    def exportar_moodle(
        self,
        xml: base.EscritorMoodle,
        nodo: Any,
        pregunta: Pregunta,
        opciones: Sequence[OpcionPregunta],
    ) -> None:
        xml.sub(nodo, "responseformat", "editor")
        xml.sub(nodo, "responserequired", "1")
        xml.sub(nodo, "responsefieldlines", "15")
        xml.sub(nodo, "attachments", "0")
        xml.sub(nodo, "attachmentsrequired", "0")
        xml.campo(nodo, "graderinfo", pregunta.notas_para_calificar, "plain_text")
        xml.campo(nodo, "responsetemplate", pregunta.plantilla_respuesta, "plain_text")

    def vista(
        self,
        pregunta: Pregunta,
        opciones: Sequence[OpcionPregunta],
        *,
        barajar_opciones: bool,
        azar: random.Random,
    ) -> Item:
        vista: Item = {"longitud_maxima": pregunta.longitud_maxima}
        if pregunta.plantilla_respuesta:
            vista["plantilla_respuesta"] = pregunta.plantilla_respuesta
        return vista

    def calificable(self, clave: Mapping[str, Any]) -> scoring.ClaveManual:
        return scoring.ClaveManual()

    def interpretar(self, item: Mapping[str, Any], datos: DatosFormulario) -> Any:
        texto = base.uno(datos, nombre_campo(item["clave"])) or ""
        maximo = int(item["vista"].get("longitud_maxima", 10000))
        if len(texto) > maximo:
            raise RespuestaInvalida(
                _("El ensayo admite como máximo %(max)d caracteres; el suyo tiene %(n)d.")
                % {"max": maximo, "n": len(texto)}
            )
        plantilla = item["vista"].get("plantilla_respuesta", "")
        # The untouched template is no answer.
        if not texto.strip() or (plantilla and texto.strip() == plantilla.strip()):
            return None
        return texto


MODULO = Ensayo()
