"""The protocol every question type implements, and the pieces most of them share.

A type module says, for its type: which fields its author form shows and what makes
a question of it unanswerable (`validar`); what an attempt freezes of it (`vista`
for the page, `clave` for scoring and the review); how a posted answer is read
(`interpretar`) and stored answers fed to scoring (`valor`, `calificable`); and how
the review names what was right (`correctas`). `tipos.REGISTRO` holds one module per
`TipoPregunta` and a system check refuses to start when one is missing.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from evaluaciones import scoring
from evaluaciones.respuestas import DatosFormulario, RespuestaInvalida, nombre_campo
from evaluaciones.scoring import TipoPregunta

if TYPE_CHECKING:
    from evaluaciones.models import OpcionPregunta, Pregunta

Item = dict[str, Any]
Fila = Mapping[str, Any]


def fraccion_texto(valor: Fraction) -> str:
    return f"{valor.numerator}/{valor.denominator}"


def credito_de(opcion: OpcionPregunta, automatica: Fraction) -> Fraction:
    """An option's exact credit: the one written, or what the type gives by default."""
    return scoring.credito_exacto(opcion.fraccion) if opcion.fraccion is not None else automatica


def con_texto(filas: Sequence[Fila]) -> list[Fila]:
    return [f for f in filas if (f.get("texto") or "").strip()]


def credito_fila(fila: Fila) -> Fraction:
    """A form row's exact credit, as scoring will read it: its own, or 100 % if correct."""
    if fila.get("fraccion") is not None:
        return scoring.credito_exacto(fila["fraccion"])
    return Fraction(1) if fila.get("correcta") else Fraction(0)


def exigir_respuesta_completa(filas: Sequence[Fila]) -> None:
    """Refuse answers none of which is worth 100 %, as Moodle does."""
    if max((credito_fila(f) for f in filas), default=Fraction(0)) < 1:
        raise forms.ValidationError(
            _(
                "Una de las respuestas debe valer 100 %: con los créditos escritos nadie "
                "podría obtener la calificación completa."
            )
        )


def uno(datos: DatosFormulario, nombre: str) -> str | None:
    valores = datos.get(nombre) or []
    if len(valores) > 1:
        raise RespuestaInvalida(_("Se recibió más de una respuesta para una pregunta de una sola."))
    return valores[0] if valores else None


def sin_campos_ajenos(datos: DatosFormulario, clave: str, ids: Sequence[str]) -> None:
    validos = {nombre_campo(clave, i) for i in ids}
    prefijo = nombre_campo(clave) + "-"
    if any(n.startswith(prefijo) and n not in validos for n in datos):
        raise RespuestaInvalida(_("La respuesta menciona elementos que no son de esta pregunta."))


def barajar(elementos: list[Item], azar: random.Random, *, evitar_orden_original: bool) -> None:
    original = list(elementos)
    azar.shuffle(elementos)
    if evitar_orden_original and len(elementos) > 1 and elementos == original:
        elementos.append(elementos.pop(0))


def porcentaje_legible(fraccion: str | Fraction) -> str:
    """A frozen credit as a trainer reads it: "33.33333 %"."""
    return f"{scoring.porcentaje_moodle(Fraction(fraccion))} %"


def textos_de(item: Mapping[str, Any]) -> dict[str, str]:
    return {o["id"]: o["texto"] for o in item["vista"].get("opciones", [])}


class EscritorMoodle(Protocol):
    """What a type module needs to write its Moodle XML elements."""

    def sub(self, padre: Any, etiqueta: str, texto: str) -> Any: ...

    def campo(self, padre: Any, etiqueta: str, texto: str, formato: str | None = None) -> Any: ...

    def respuesta(
        self, nodo: Any, texto: str, credito: Fraction, retro: str, formato: str = "plain_text"
    ) -> Any: ...


class ModuloTipo:
    """One question type. Subclasses set the class attributes and override the methods."""

    tipo: ClassVar[TipoPregunta]
    # Graded by a person: scoring leaves it pending until a grade is given.
    manual: ClassVar[bool] = False
    # Pregunta fields its author form shows, besides those every type has.
    campos_pregunta: ClassVar[tuple[str, ...]] = ()
    # Fields of each option row its author form shows; () means it has no rows.
    campos_opcion: ClassVar[tuple[str, ...]] = ()
    # What the rows are called in its author form.
    titulo_opciones: ClassVar[str | Promise] = ""
    # Labels of those row fields where the model's generic ones would mislead.
    etiquetas_opcion: ClassVar[Mapping[str, str | Promise]] = {}
    # Options the attempt shows and a regrade may re-key (ids frozen in `vista`).
    opciones_en_vista: ClassVar[bool] = False
    # Item analysis counts how often each option was chosen (`elegidas`, `ids_correctos`).
    elige_opciones: ClassVar[bool] = False
    # Item analysis lists the most frequent typed answers (`respuesta_analizada`).
    respuestas_escritas: ClassVar[bool] = False

    @property
    def plantilla(self) -> str:
        """The participant's widget for this type."""
        return f"evaluaciones/tipos/{self.tipo.value}.html"

    def validar(self, datos: Mapping[str, Any], filas: Sequence[Fila]) -> None:
        """Raise forms.ValidationError if no answer could get full credit."""

    def creditos(self, opciones: Sequence[OpcionPregunta]) -> list[Fraction]:
        """Each option row's exact credit as scoring reads it (written or automatic)."""
        return [credito_de(o, Fraction(1)) for o in opciones]

    # Moodle XML: the question type Moodle calls it, its "penalty", and the type-specific
    # elements (the caller writes name, statement, general feedback, grade and tags).
    tipo_moodle: ClassVar[str] = ""
    penalizacion_moodle: ClassVar[str] = "0.3333333"

    def exportar_moodle(
        self,
        xml: EscritorMoodle,
        nodo: Any,
        pregunta: Pregunta,
        opciones: Sequence[OpcionPregunta],
    ) -> None:
        raise NotImplementedError(self.tipo)

    def clave(self, pregunta: Pregunta, opciones: Sequence[OpcionPregunta]) -> Item:
        """What is right, frozen in the attempt (feedback is added by the caller)."""
        return {}

    def vista(
        self,
        pregunta: Pregunta,
        opciones: Sequence[OpcionPregunta],
        *,
        barajar_opciones: bool,
        azar: random.Random,
    ) -> Item:
        """What the attempt page shows besides the statement."""
        return {}

    def calificable(self, clave: Mapping[str, Any]) -> Any:
        """The scoring key (a dataclass of `scoring` with a registered rule)."""
        raise NotImplementedError(self.tipo)

    def valor(self, guardado: Any) -> scoring.ValorRespuesta:
        """A stored JSON answer as scoring reads it."""
        return guardado if isinstance(guardado, str) else None

    def interpretar(self, item: Mapping[str, Any], datos: DatosFormulario) -> Any:
        """The JSON value to store from the posted fields; None when empty."""
        raise NotImplementedError(self.tipo)

    def correctas(self, item: Mapping[str, Any]) -> list[str]:
        """What was right, as lines of text for the review."""
        return []

    def respuesta_elegida(self, clave: Mapping[str, Any], valor: str) -> str | None:
        """Id of the accepted answer `valor` matched, whose feedback the review shows."""
        return None

    def describir(self, clave: Mapping[str, Any], textos: Mapping[str, str]) -> list[str]:
        """A key as lines a trainer can read (regrade history), options named by `textos`.

        Options with no credit are left out; feedback is not part of what is right.
        """
        return [
            f"{textos.get(ident, ident)}: {porcentaje_legible(fraccion)}"
            for ident, fraccion in clave.get("fracciones", {}).items()
            if Fraction(fraccion) != 0
        ]

    # Item analysis: which options a stored answer chose and which are right (types
    # with options to choose), or a typed answer as scoring compares it (the rest).

    def elegidas(self, guardado: Any) -> frozenset[str]:
        """Ids of the options a stored answer chose; empty for types without them."""
        return frozenset()

    def ids_correctos(self, item: Mapping[str, Any]) -> frozenset[str]:
        """Ids of the options the review names as right (`correctas`)."""
        return frozenset()

    def respuesta_analizada(self, clave: Mapping[str, Any], guardado: Any) -> str | None:
        """A typed answer as scoring compares it, so equal ones are counted together.

        None for types whose answers are not typed text, and for empty answers.
        """
        return None

    def ajustar_clave_nueva(
        self, item: Mapping[str, Any], nueva: Item, opciones: Sequence[OpcionPregunta]
    ) -> Item:
        """A regrade's new key, made to speak of what the attempt showed (ids in `vista`)."""
        return nueva
