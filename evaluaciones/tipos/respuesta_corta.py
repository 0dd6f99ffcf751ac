"""Short answer: typed text compared with accepted answers, in order, as Moodle does.

`*` in an accepted answer stands for any text; case and accents count unless the
question says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluaciones import scoring
from evaluaciones.respuestas import MAX_CORTA, DatosFormulario, RespuestaInvalida, nombre_campo
from evaluaciones.scoring import TipoPregunta
from evaluaciones.tipos import base
from evaluaciones.tipos.base import Fila, Item

if TYPE_CHECKING:
    from evaluaciones.models import OpcionPregunta, Pregunta


class RespuestaCorta(base.ModuloTipo):
    tipo = TipoPregunta.RESPUESTA_CORTA
    respuestas_escritas = True
    campos_pregunta = ("distinguir_mayusculas", "ignorar_acentos")
    campos_opcion = ("texto", "fraccion", "retroalimentacion")
    etiquetas_opcion = {
        "texto": gettext_lazy("Respuesta aceptada"),
        "fraccion": gettext_lazy("Crédito (%)"),
        "retroalimentacion": gettext_lazy("Retroalimentación"),
    }
    titulo_opciones = gettext_lazy(
        "Respuestas aceptadas (una por fila; * vale por cualquier texto; sin crédito: 100 %)"
    )

    def validar(self, datos: Mapping[str, Any], filas: Sequence[Fila]) -> None:
        con_texto = base.con_texto(filas)
        if not con_texto:
            raise forms.ValidationError(
                _("Agregue al menos una respuesta aceptada (una fila por respuesta).")
            )
        # A row without a credit is accepted for the full points.
        base.exigir_respuesta_completa([{**f, "correcta": True} for f in con_texto])

    tipo_moodle = "shortanswer"

    def exportar_moodle(
        self,
        xml: base.EscritorMoodle,
        nodo: Any,
        pregunta: Pregunta,
        opciones: Sequence[OpcionPregunta],
    ) -> None:
        xml.sub(nodo, "usecase", "1" if pregunta.distinguir_mayusculas else "0")
        for opcion, credito in zip(opciones, self.creditos(opciones), strict=True):
            xml.respuesta(
                nodo, opcion.texto, credito, opcion.retroalimentacion, "moodle_auto_format"
            )

    def clave(self, pregunta: Pregunta, opciones: Sequence[OpcionPregunta]) -> Item:
        return {
            # [text, credit, option id], tried in order.
            "aceptadas": [
                [o.texto, base.fraccion_texto(c), str(o.pk)]
                for o, c in zip(opciones, self.creditos(opciones), strict=True)
                if o.texto.strip()
            ],
            "distinguir_mayusculas": pregunta.distinguir_mayusculas,
            "ignorar_acentos": pregunta.ignorar_acentos,
        }

    def calificable(self, clave: Mapping[str, Any]) -> scoring.ClaveCorta:
        return scoring.ClaveCorta(
            tuple(
                scoring.RespuestaAceptada(t, scoring.fraccion_de_texto(f))
                for t, f, *_id in clave["aceptadas"]
            ),
            distinguir_mayusculas=bool(clave.get("distinguir_mayusculas", False)),
            ignorar_acentos=bool(clave.get("ignorar_acentos", True)),
            # Keys frozen before these options existed keep the rules they were graded with.
            heredada="ignorar_acentos" not in clave,
        )

    def interpretar(self, item: Mapping[str, Any], datos: DatosFormulario) -> Any:
        texto = base.uno(datos, nombre_campo(item["clave"])) or ""
        if len(texto) > MAX_CORTA:
            raise RespuestaInvalida(
                _("La respuesta corta admite como máximo %(max)d caracteres.") % {"max": MAX_CORTA}
            )
        return texto.strip() or None

    def respuesta_elegida(self, clave: Mapping[str, Any], valor: str) -> str | None:
        if "ignorar_acentos" not in clave:
            return None
        for texto, _credito, *ident in clave.get("aceptadas", []):
            if ident and scoring.coincide_respuesta_corta(
                valor,
                texto,
                distinguir_mayusculas=bool(clave.get("distinguir_mayusculas")),
                ignorar_acentos=bool(clave.get("ignorar_acentos")),
            ):
                return str(ident[0])
        return None

    def describir(self, clave: Mapping[str, Any], textos: Mapping[str, str]) -> list[str]:
        return [
            f"«{texto}»: {base.porcentaje_legible(fraccion)}"
            for texto, fraccion, *_id in clave.get("aceptadas", [])
        ]

    def correctas(self, item: Mapping[str, Any]) -> list[str]:
        return [t for t, f, *_id in item["clave_correcta"].get("aceptadas", []) if f == "1/1"]

    def respuesta_analizada(self, clave: Mapping[str, Any], guardado: Any) -> str | None:
        if not isinstance(guardado, str) or not guardado.strip():
            return None
        if "ignorar_acentos" not in clave:
            # Keys frozen before the options existed fold case and accents (`calificable`).
            return scoring.normalizar_texto(guardado)
        return scoring.normalizar_texto(
            guardado,
            distinguir_mayusculas=bool(clave.get("distinguir_mayusculas")),
            ignorar_acentos=bool(clave.get("ignorar_acentos")),
        )


MODULO = RespuestaCorta()
