"""Numeric: a number read as es-MX writes it, compared with accepted values in order.

Each accepted value has a tolerance, a credit and feedback; `*` accepts any number
(for the feedback of a wrong answer), as in Moodle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluaciones import scoring
from evaluaciones.respuestas import (
    MAX_NUMERO,
    NUMERO_ILEGIBLE,
    DatosFormulario,
    RespuestaInvalida,
    nombre_campo,
    numero_mx,
)
from evaluaciones.scoring import TipoPregunta
from evaluaciones.tipos import base
from evaluaciones.tipos.base import Fila, Item

if TYPE_CHECKING:
    from evaluaciones.models import OpcionPregunta, Pregunta


def valor_numerico(texto: str) -> str | None:
    """An accepted value as the key stores it: "*" (any number) or a plain decimal."""
    texto = texto.strip()
    if texto == "*":
        return "*"
    numero = scoring.interpretar_numero(texto)
    return None if numero is None else format(numero.normalize(), "f")


def respuestas_numericas(clave: Mapping[str, Any]) -> tuple[scoring.RespuestaNumerica, ...]:
    """The accepted values of a numeric key; keys frozen with one value read as before."""
    if "respuestas" not in clave:
        return (
            scoring.RespuestaNumerica(
                Decimal(clave["valor"]), Decimal(clave.get("tolerancia", "0"))
            ),
        )
    return tuple(
        scoring.RespuestaNumerica(
            None if valor == "*" else Decimal(valor),
            Decimal(tolerancia),
            scoring.fraccion_de_texto(fraccion),
        )
        for valor, tolerancia, fraccion, *_id in clave["respuestas"]
    )


class Numerica(base.ModuloTipo):
    tipo = TipoPregunta.NUMERICA
    respuestas_escritas = True
    campos_opcion = ("texto", "tolerancia", "fraccion", "retroalimentacion")
    etiquetas_opcion = {
        "texto": gettext_lazy("Valor"),
        "tolerancia": gettext_lazy("Tolerancia (±)"),
        "fraccion": gettext_lazy("Crédito (%)"),
        "retroalimentacion": gettext_lazy("Retroalimentación"),
    }
    titulo_opciones = gettext_lazy(
        "Valores aceptados (uno por fila, con su tolerancia; * acepta cualquier número)"
    )

    def validar(self, datos: Mapping[str, Any], filas: Sequence[Fila]) -> None:
        con_texto = base.con_texto(filas)
        if not con_texto:
            raise forms.ValidationError(
                _("Agregue al menos un valor aceptado (una fila por valor, con su tolerancia).")
            )
        no_numeros = [f["texto"].strip() for f in con_texto if valor_numerico(f["texto"]) is None]
        if no_numeros:
            raise forms.ValidationError(
                _(
                    "Cada valor aceptado debe ser un número escrito como en México (punto "
                    "decimal, coma para los miles) o * para cualquier número. No lo son: "
                    "%(valores)s."
                )
                % {"valores": ", ".join(f"«{v}»" for v in no_numeros)}
            )
        base.exigir_respuesta_completa([{**f, "correcta": True} for f in con_texto])

    tipo_moodle = "numerical"

    def exportar_moodle(
        self,
        xml: base.EscritorMoodle,
        nodo: Any,
        pregunta: Pregunta,
        opciones: Sequence[OpcionPregunta],
    ) -> None:
        for opcion, credito in zip(opciones, self.creditos(opciones), strict=True):
            respuesta = xml.respuesta(
                nodo, opcion.texto.strip(), credito, opcion.retroalimentacion, "moodle_auto_format"
            )
            tolerancia = format((opcion.tolerancia or Decimal(0)).normalize(), "f")
            xml.sub(respuesta, "tolerance", "0" if tolerancia in ("-0", "0") else tolerancia)

    def clave(self, pregunta: Pregunta, opciones: Sequence[OpcionPregunta]) -> Item:
        # [value or "*", tolerance, credit, option id], tried in order.
        return {
            "respuestas": [
                [valor_numerico(o.texto), str(o.tolerancia or 0), base.fraccion_texto(c), str(o.pk)]
                for o, c in zip(opciones, self.creditos(opciones), strict=True)
                if valor_numerico(o.texto) is not None
            ]
        }

    def calificable(self, clave: Mapping[str, Any]) -> scoring.ClaveNumerica:
        return scoring.ClaveNumerica(respuestas_numericas(clave))

    def interpretar(self, item: Mapping[str, Any], datos: DatosFormulario) -> Any:
        texto = (base.uno(datos, nombre_campo(item["clave"])) or "").strip()
        if not texto:
            return None
        if len(texto) > MAX_NUMERO or scoring.interpretar_numero(texto) is None:
            raise RespuestaInvalida(str(NUMERO_ILEGIBLE))
        return texto

    def respuesta_elegida(self, clave: Mapping[str, Any], valor: str) -> str | None:
        numero = scoring.interpretar_numero(valor)
        if numero is None or "respuestas" not in clave:
            return None
        elegida = scoring.respuesta_numerica_elegida(self.calificable(clave), numero)
        if elegida is None:
            return None
        posicion = self.calificable(clave).respuestas.index(elegida)
        return str(clave["respuestas"][posicion][3])

    def describir(self, clave: Mapping[str, Any], textos: Mapping[str, str]) -> list[str]:
        lineas = []
        for respuesta in respuestas_numericas(clave):
            valor = _("cualquier número") if respuesta.valor is None else str(respuesta.valor)
            linea = _("%(valor)s (± %(tolerancia)s)") % {
                "valor": valor,
                "tolerancia": respuesta.tolerancia,
            }
            lineas.append(f"{linea}: {base.porcentaje_legible(respuesta.fraccion)}")
        return lineas

    def correctas(self, item: Mapping[str, Any]) -> list[str]:
        return [
            _("%(valor)s (± %(tolerancia)s)") % {"valor": r.valor, "tolerancia": r.tolerancia}
            for r in respuestas_numericas(item["clave_correcta"])
            if r.valor is not None and r.fraccion == 1
        ]

    def respuesta_analizada(self, clave: Mapping[str, Any], guardado: Any) -> str | None:
        """The number as read, without grouping ("3,145" and "3145.0" are both "3145")."""
        if not isinstance(guardado, str) or not guardado.strip():
            return None
        numero = scoring.interpretar_numero(guardado)
        if numero is None:
            return " ".join(guardado.split())
        return numero_mx(numero.normalize(), agrupar=False)


MODULO = Numerica()
