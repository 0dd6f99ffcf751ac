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
