"""Multiple response: several options may be ticked; wrong ones take credit away."""

from __future__ import annotations

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
from evaluaciones.tipos.base import Fila
from evaluaciones.tipos.opcion_unica import OpcionUnica, exigir_opciones, exportar_opciones

if TYPE_CHECKING:
    from evaluaciones.models import OpcionPregunta, Pregunta


class OpcionMultiple(OpcionUnica):
    """Single choice's options, key and view; several ticks, and credits that must add up."""

    tipo = TipoPregunta.OPCION_MULTIPLE
    titulo_opciones = gettext_lazy("Opciones (marque todas las correctas)")

    def validar(self, datos: Mapping[str, Any], filas: Sequence[Fila]) -> None:
        con_texto = exigir_opciones(filas)
        # Written positive credits must add up to exactly 100 % (33.33 is a third).
        # Correct options left without a credit share what remains: not summed.
        positivas = [f for f in con_texto if f.get("correcta") or (f.get("fraccion") or 0) > 0]
        if not positivas or any(f.get("fraccion") is None for f in positivas):
            return
        suma = sum((base.credito_fila(f) for f in positivas), Fraction(0))
        # A hundredth of a point either way is how 33.33 + 33.33 + 33.34 is written.
        if abs(suma - 1) > Fraction(1, 10000):
            raise forms.ValidationError(
                _(
                    "En respuesta múltiple, los créditos positivos deben sumar 100 %%; suman "
                    "%(suma)s %%."
                )
                % {"suma": scoring.porcentaje_moodle(suma)}
            )

    def creditos(self, opciones: Sequence[OpcionPregunta]) -> list[Fraction]:
        automaticas = scoring.fracciones_multiples([o.correcta for o in opciones])
        return [base.credito_de(o, a) for o, a in zip(opciones, automaticas, strict=True)]

    def exportar_moodle(
        self,
        xml: base.EscritorMoodle,
        nodo: Any,
        pregunta: Pregunta,
        opciones: Sequence[OpcionPregunta],
    ) -> None:
        exportar_opciones(self, xml, nodo, opciones, unica=False)

    def valor(self, guardado: Any) -> scoring.ValorRespuesta:
        return frozenset(str(v) for v in guardado) if isinstance(guardado, list) else None

    def interpretar(self, item: Mapping[str, Any], datos: DatosFormulario) -> Any:
        elegidas = [v for v in datos.get(nombre_campo(item["clave"])) or [] if v]
        ids = base.textos_de(item)
        if any(v not in ids for v in elegidas):
            raise RespuestaInvalida(_("Una de las opciones elegidas no pertenece a esta pregunta."))
        return sorted(set(elegidas)) or None

    def correctas(self, item: Mapping[str, Any]) -> list[str]:
        """Every option that earns credit."""
        textos = base.textos_de(item)
        return [textos.get(i, "") for i in _con_credito(item)]

    def elegidas(self, guardado: Any) -> frozenset[str]:
        return frozenset(str(v) for v in guardado) if isinstance(guardado, list) else frozenset()

    def ids_correctos(self, item: Mapping[str, Any]) -> frozenset[str]:
        return frozenset(_con_credito(item))


def _con_credito(item: Mapping[str, Any]) -> list[str]:
    """Ids of the options that earn credit, in the key's order."""
    return [i for i, f in item["clave_correcta"].get("fracciones", {}).items() if Fraction(f) > 0]


MODULO = OpcionMultiple()
