"""The snapshot an attempt takes of its questions, and its translation into scoring keys.

Each snapshot item has two halves: `vista`, the only part the attempt page ever
renders (statement, options in the order this attempt shows them), and `clave`,
what is right plus feedback, read only by scoring and by the review once allowed.
A regrade replaces `clave_correcta` and never touches `vista`; it appends what it
changed to the item's `recalificaciones` (date, motive, previous key, points before
and after, null while the attempt was open), a list older snapshots lack.
"""

from __future__ import annotations

import datetime
import html
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.html import strip_tags
from django.utils.text import Truncator

from wagtail.rich_text import expand_db_html

from evaluaciones import scoring, tipos

if TYPE_CHECKING:
    from evaluaciones.models import OpcionPregunta, Pregunta

Item = dict[str, Any]


def clave_de_pregunta(pregunta_id: int) -> str:
    return f"p{pregunta_id}"


def clave_correcta(pregunta: Pregunta, opciones: Sequence[OpcionPregunta]) -> Item:
    """What is right for `pregunta` now, and its feedback (the type's module decides)."""
    clave: Item = {
        "retroalimentacion": pregunta.retroalimentacion,
        "retroalimentacion_opciones": {
            str(o.pk): o.retroalimentacion for o in opciones if o.retroalimentacion
        },
    }
    clave.update(tipos.modulo(pregunta.tipo).clave(pregunta, opciones))
    return clave


def instantanea_de_pregunta(
    pregunta: Pregunta,
    opciones: Sequence[OpcionPregunta],
    *,
    barajar_opciones: bool,
    azar: random.Random,
) -> Item:
    """Freeze one bank question as this attempt will show and score it."""
    tipo = pregunta.tipo
    # Links and images are expanded now, so rendering the attempt needs no queries.
    vista: Item = {"enunciado": expand_db_html(pregunta.enunciado), "opciones": [], "parejas": []}
    vista.update(
        tipos.modulo(tipo).vista(pregunta, opciones, barajar_opciones=barajar_opciones, azar=azar)
    )
    return {
        "clave": clave_de_pregunta(pregunta.pk),
        "pregunta_id": pregunta.pk,
        "revision_id": pregunta.latest_revision_id,
        "tipo": tipo,
        "puntos": str(pregunta.puntos),
        "vista": vista,
        "clave_correcta": clave_correcta(pregunta, opciones),
    }


def calificable(item: Mapping[str, Any]) -> scoring.PreguntaCalificable:
    """The scoring view of one snapshot item."""
    modulo = tipos.modulo(item["tipo"])
    clave = modulo.calificable(item["clave_correcta"])
    return scoring.PreguntaCalificable(item["clave"], modulo.tipo, Decimal(item["puntos"]), clave)


def respuesta_elegida(item: Mapping[str, Any], valor: Any) -> str | None:
    """Id of the accepted answer `valor` matched (short and numeric), for its feedback."""
    if not isinstance(valor, str):
        return None
    return tipos.modulo(item["tipo"]).respuesta_elegida(item["clave_correcta"], valor)


def valor_calificable(tipo: str, valor: Any) -> scoring.ValorRespuesta:
    """Stored JSON answer -> the value scoring expects."""
    if valor is None:
        return None
    return tipos.modulo(tipo).valor(valor)


def items_por_clave(instantanea: Mapping[str, Any]) -> dict[str, Item]:
    return {item["clave"]: item for item in instantanea.get("preguntas", [])}


def actualizar_clave(item: Item, pregunta: Pregunta, opciones: Iterable[OpcionPregunta]) -> Item:
    """A copy of `item` whose key is rebuilt from the question as it is now (for a regrade).

    Only options the attempt showed count; options added since are ignored and
    options deleted since keep no credit.
    """
    mostradas = {o["id"] for o in item["vista"].get("opciones", [])}
    lista = list(opciones)
    if tipos.modulo(item["tipo"]).opciones_en_vista:
        lista = [o for o in lista if str(o.pk) in mostradas]
    nueva = tipos.modulo(item["tipo"]).ajustar_clave_nueva(
        item, clave_correcta(pregunta, lista), lista
    )
    return {**item, "clave_correcta": nueva}


def describir_clave(clave: Mapping[str, Any], textos: Mapping[str, str], tipo: str) -> list[str]:
    """A key as lines a trainer can read, naming options by `textos` (id -> text)."""
    return tipos.modulo(tipo).describir(clave, textos)


@dataclass(frozen=True)
class CambioDeClave:
    """One recorded change of key of one question of an attempt, as its review shows it."""

    numero: int
    enunciado: str  # plain text, the start of the statement
    fecha: datetime.datetime
    motivo: str
    estado_intento: str
    puntos_antes: Decimal | None
    puntos_despues: Decimal | None
    puntos: Decimal


def _texto_breve(html_enunciado: str) -> str:
    return Truncator(html.unescape(strip_tags(html_enunciado)).strip()).words(12)


def _decimal(texto: str | None) -> Decimal | None:
    return Decimal(texto) if texto is not None else None


def cambios_de_clave(instantanea: Mapping[str, Any]) -> list[CambioDeClave]:
    """Every recorded regrade of the attempt's questions, in question order then date.

    Snapshots taken before regrades were recorded per item have none.
    """
    cambios = []
    for numero, item in enumerate(instantanea.get("preguntas", []), start=1):
        for registro in item.get("recalificaciones", []):
            cambios.append(
                CambioDeClave(
                    numero=numero,
                    enunciado=_texto_breve(item["vista"].get("enunciado", "")),
                    fecha=datetime.datetime.fromisoformat(registro["fecha"]),
                    motivo=registro.get("motivo", ""),
                    estado_intento=registro.get("estado_intento", ""),
                    puntos_antes=_decimal(registro.get("puntos_antes")),
                    puntos_despues=_decimal(registro.get("puntos_despues")),
                    puntos=Decimal(item["puntos"]),
                )
            )
    return cambios
