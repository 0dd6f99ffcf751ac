"""Deliverable: a file a person grades; its value is the file, checked on upload."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from evaluaciones import scoring
from evaluaciones.respuestas import DatosFormulario
from evaluaciones.scoring import TipoPregunta
from evaluaciones.tipos import base
from evaluaciones.tipos.base import Item
from lms import subidas

if TYPE_CHECKING:
    from evaluaciones.models import OpcionPregunta, Pregunta


def extensiones(texto: str) -> list[str]:
    return sorted({e.strip().lower().lstrip(".") for e in texto.split(",") if e.strip()})


class Entregable(base.ModuloTipo):
    tipo = TipoPregunta.ENTREGABLE
    manual = True
    campos_pregunta = (
        "extensiones_permitidas",
        "tamano_maximo_mb",
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
        # A Moodle essay that asks for a file and no text.
        xml.sub(nodo, "responseformat", "noinline")
        xml.sub(nodo, "responserequired", "0")
        xml.sub(nodo, "responsefieldlines", "15")
        xml.sub(nodo, "attachments", "1")
        xml.sub(nodo, "attachmentsrequired", "1")
        xml.sub(nodo, "maxbytes", str(int(pregunta.tamano_maximo_mb) * subidas.MB))
        xml.sub(
            nodo,
            "filetypeslist",
            ",".join(
                f".{e.strip().lstrip('.')}"
                for e in pregunta.extensiones_permitidas.split(",")
                if e.strip()
            ),
        )
        xml.campo(nodo, "graderinfo", pregunta.notas_para_calificar, "plain_text")
        xml.campo(nodo, "responsetemplate", "", "plain_text")

    def vista(
        self,
        pregunta: Pregunta,
        opciones: Sequence[OpcionPregunta],
        *,
        barajar_opciones: bool,
        azar: random.Random,
    ) -> Item:
        return {
            "extensiones": extensiones(pregunta.extensiones_permitidas),
            "max_bytes": int(pregunta.tamano_maximo_mb) * 1024 * 1024,
        }

    def calificable(self, clave: Mapping[str, Any]) -> scoring.ClaveManual:
        return scoring.ClaveManual()

    def interpretar(self, item: Mapping[str, Any], datos: DatosFormulario) -> Any:
        # A deliverable's value is its file, checked by respuestas.revisar_archivo.
        return None


MODULO = Entregable()
