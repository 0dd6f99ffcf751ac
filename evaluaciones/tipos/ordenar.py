"""Ordering: each item gets a position; the rows are written in the right order."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
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


class Ordenar(base.ModuloTipo):
    tipo = TipoPregunta.ORDENAR
    campos_opcion = ("texto",)
    etiquetas_opcion = {
        "texto": gettext_lazy("Elemento"),
    }
    titulo_opciones = gettext_lazy("Elementos, en el orden correcto")
    opciones_en_vista = True

    def validar(self, datos: Mapping[str, Any], filas: Sequence[Fila]) -> None:
        if len(base.con_texto(filas)) < 2:
            raise forms.ValidationError(_("Agregue al menos dos elementos para ordenar."))

    tipo_moodle = "ordering"

    def exportar_moodle(
        self,
        xml: base.EscritorMoodle,
        nodo: Any,
        pregunta: Pregunta,
        opciones: Sequence[OpcionPregunta],
    ) -> None:
        # Without these, qtype_ordering shows six items at random and grades relatively.
        xml.sub(nodo, "layouttype", "VERTICAL")
        xml.sub(nodo, "selecttype", "ALL")
        xml.sub(nodo, "selectcount", str(len(opciones)))
        xml.sub(nodo, "gradingtype", "ABSOLUTE_POSITION")
        xml.sub(nodo, "showgrading", "SHOW")
        for opcion in opciones:
            xml.campo(nodo, "answer", opcion.texto, "plain_text").set("fraction", "1")

    def clave(self, pregunta: Pregunta, opciones: Sequence[OpcionPregunta]) -> Item:
        return {"orden": [str(o.pk) for o in opciones]}

    def vista(
        self,
        pregunta: Pregunta,
        opciones: Sequence[OpcionPregunta],
        *,
        barajar_opciones: bool,
        azar: random.Random,
    ) -> Item:
        elementos = [{"id": str(o.pk), "texto": o.texto} for o in opciones]
        # The right order must never be the order shown.
        base.barajar(elementos, azar, evitar_orden_original=True)
        return {"opciones": elementos}

    def calificable(self, clave: Mapping[str, Any]) -> scoring.ClaveOrdenar:
        return scoring.ClaveOrdenar(tuple(clave["orden"]))

    def valor(self, guardado: Any) -> scoring.ValorRespuesta:
        return dict(guardado) if isinstance(guardado, dict) else None

    def interpretar(self, item: Mapping[str, Any], datos: DatosFormulario) -> Any:
        clave = item["clave"]
        ids = list(base.textos_de(item))
        posiciones: dict[str, int] = {}
        for elemento in ids:
            valor = base.uno(datos, nombre_campo(clave, elemento))
            if not valor:
                continue
            # ASCII digits only: "²" passes str.isdigit() and then breaks int().
            if not (valor.isascii() and valor.isdigit()) or not 1 <= int(valor) <= len(ids):
                raise RespuestaInvalida(
                    _("Cada posición debe ser un número del 1 al %(n)d.") % {"n": len(ids)}
                )
            posiciones[elemento] = int(valor)
        usadas = list(posiciones.values())
        repetidas = sorted({p for p in usadas if usadas.count(p) > 1})
        if repetidas:
            raise RespuestaInvalida(
                _("La posición %(n)d está repetida: cada elemento va en un lugar distinto.")
                % {"n": repetidas[0]}
            )
        base.sin_campos_ajenos(datos, clave, ids)
        return posiciones or None

    def describir(self, clave: Mapping[str, Any], textos: Mapping[str, str]) -> list[str]:
        return [
            f"{posicion}. {textos.get(ident, ident)}"
            for posicion, ident in enumerate(clave.get("orden", []), start=1)
        ]

    def correctas(self, item: Mapping[str, Any]) -> list[str]:
        textos = base.textos_de(item)
        return [textos.get(i, "") for i in item["clave_correcta"].get("orden", [])]


MODULO = Ordenar()
