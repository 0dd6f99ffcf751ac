"""Matching: each premise gets one of the matches; rows without a premise are distractors."""

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


def parejas(opciones: Sequence[OpcionPregunta]) -> dict[str, str]:
    """Distinct match texts -> a stable id (the first row that uses the text)."""
    ids: dict[str, str] = {}
    for opcion in opciones:
        texto = opcion.pareja.strip()
        if texto and texto not in ids:
            ids[texto] = f"m{opcion.pk}"
    return ids


class Relacionar(base.ModuloTipo):
    tipo = TipoPregunta.RELACIONAR
    campos_opcion = ("texto", "pareja")
    etiquetas_opcion = {
        "texto": gettext_lazy("Premisa"),
        "pareja": gettext_lazy("Pareja"),
    }
    titulo_opciones = gettext_lazy(
        "Pares (premisa y su pareja; una fila sin premisa es un distractor)"
    )
    opciones_en_vista = True

    def validar(self, datos: Mapping[str, Any], filas: Sequence[Fila]) -> None:
        pares = [f for f in base.con_texto(filas) if (f.get("pareja") or "").strip()]
        if len(pares) < 2:
            raise forms.ValidationError(
                _("Agregue al menos dos filas con premisa y pareja para relacionar.")
            )

    tipo_moodle = "matching"

    def exportar_moodle(
        self,
        xml: base.EscritorMoodle,
        nodo: Any,
        pregunta: Pregunta,
        opciones: Sequence[OpcionPregunta],
    ) -> None:
        xml.sub(nodo, "shuffleanswers", "true")
        for opcion in opciones:
            sub = xml.campo(nodo, "subquestion", opcion.texto, "plain_text")
            xml.campo(sub, "answer", opcion.pareja)

    def clave(self, pregunta: Pregunta, opciones: Sequence[OpcionPregunta]) -> Item:
        ids = parejas(opciones)
        return {
            "pares": [
                [str(o.pk), ids[o.pareja.strip()]]
                for o in opciones
                if o.texto.strip() and o.pareja.strip()
            ]
        }

    def vista(
        self,
        pregunta: Pregunta,
        opciones: Sequence[OpcionPregunta],
        *,
        barajar_opciones: bool,
        azar: random.Random,
    ) -> Item:
        premisas = [{"id": str(o.pk), "texto": o.texto} for o in opciones if o.texto]
        mostradas = [{"id": i, "texto": t} for t, i in parejas(opciones).items()]
        base.barajar(mostradas, azar, evitar_orden_original=True)
        if barajar_opciones:
            base.barajar(premisas, azar, evitar_orden_original=False)
        return {"opciones": premisas, "parejas": mostradas}

    def calificable(self, clave: Mapping[str, Any]) -> scoring.ClaveRelacionar:
        return scoring.ClaveRelacionar(tuple((p, m) for p, m in clave["pares"]))

    def valor(self, guardado: Any) -> scoring.ValorRespuesta:
        return dict(guardado) if isinstance(guardado, dict) else None

    def interpretar(self, item: Mapping[str, Any], datos: DatosFormulario) -> Any:
        clave = item["clave"]
        ids = list(base.textos_de(item))
        validas = {p["id"] for p in item["vista"].get("parejas", [])}
        elegidas: dict[str, str] = {}
        for premisa in ids:
            valor = base.uno(datos, nombre_campo(clave, premisa))
            if not valor:
                continue
            if valor not in validas:
                raise RespuestaInvalida(
                    _("Una de las parejas elegidas no pertenece a esta pregunta.")
                )
            elegidas[premisa] = valor
        base.sin_campos_ajenos(datos, clave, ids)
        return elegidas or None

    def ajustar_clave_nueva(
        self, item: Mapping[str, Any], nueva: Item, opciones: Sequence[OpcionPregunta]
    ) -> Item:
        # Match ids are those the attempt showed, found again by their text.
        por_texto = {p["texto"].strip(): p["id"] for p in item["vista"].get("parejas", [])}
        por_id_nuevo = {v: k for k, v in parejas(opciones).items()}
        return {
            **nueva,
            "pares": [
                [premisa, por_texto.get(por_id_nuevo.get(pareja, ""), "")]
                for premisa, pareja in nueva["pares"]
            ],
        }

    def describir(self, clave: Mapping[str, Any], textos: Mapping[str, str]) -> list[str]:
        return [
            f"{textos.get(premisa, premisa)} → {textos.get(pareja, pareja)}"
            for premisa, pareja in clave.get("pares", [])
        ]

    def correctas(self, item: Mapping[str, Any]) -> list[str]:
        textos = base.textos_de(item)
        nombres = {p["id"]: p["texto"] for p in item["vista"].get("parejas", [])}
        return [
            f"{textos.get(p, '')} → {nombres.get(m, '')}"
            for p, m in item["clave_correcta"].get("pares", [])
        ]


MODULO = Relacionar()
