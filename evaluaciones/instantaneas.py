"""The snapshot an attempt takes of its questions, and its translation into scoring keys.

Each snapshot item has two halves: `vista`, the only part the attempt page ever
renders (statement, options in the order this attempt shows them), and `clave`,
what is right plus feedback, read only by scoring and by the review once allowed.
A regrade replaces `clave` and never touches `vista`.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from wagtail.rich_text import expand_db_html

from evaluaciones import scoring
from evaluaciones.scoring import TipoPregunta

if TYPE_CHECKING:
    from evaluaciones.models import OpcionPregunta, Pregunta

Item = dict[str, Any]

TIPOS_CON_OPCIONES = {
    TipoPregunta.OPCION_UNICA,
    TipoPregunta.OPCION_MULTIPLE,
    TipoPregunta.RELACIONAR,
    TipoPregunta.ORDENAR,
}


def clave_de_pregunta(pregunta_id: int) -> str:
    return f"p{pregunta_id}"


def _fraccion_texto(valor: Fraction) -> str:
    return f"{valor.numerator}/{valor.denominator}"


def _fracciones_opciones(tipo: str, opciones: Sequence[OpcionPregunta]) -> list[Fraction]:
    if tipo == TipoPregunta.OPCION_MULTIPLE:
        automaticas = scoring.fracciones_multiples([o.correcta for o in opciones])
    else:
        automaticas = tuple(Fraction(1) if o.correcta else Fraction(0) for o in opciones)
    return [
        Fraction(o.fraccion) / 100 if o.fraccion is not None else automatica
        for o, automatica in zip(opciones, automaticas, strict=True)
    ]


def _parejas(opciones: Sequence[OpcionPregunta]) -> dict[str, str]:
    """Distinct match texts -> a stable id (the first row that uses the text)."""
    ids: dict[str, str] = {}
    for opcion in opciones:
        texto = opcion.pareja.strip()
        if texto and texto not in ids:
            ids[texto] = f"m{opcion.pk}"
    return ids


def clave_correcta(pregunta: Pregunta, opciones: Sequence[OpcionPregunta]) -> Item:
    """What is right for `pregunta` now, and its feedback."""
    tipo = pregunta.tipo
    clave: Item = {
        "retroalimentacion": pregunta.retroalimentacion,
        "retroalimentacion_opciones": {
            str(o.pk): o.retroalimentacion for o in opciones if o.retroalimentacion
        },
    }
    if tipo in (TipoPregunta.OPCION_UNICA, TipoPregunta.OPCION_MULTIPLE):
        fracciones = _fracciones_opciones(tipo, opciones)
        clave["fracciones"] = {
            str(o.pk): _fraccion_texto(f) for o, f in zip(opciones, fracciones, strict=True)
        }
    elif tipo == TipoPregunta.VERDADERO_FALSO:
        clave["fracciones"] = {
            "verdadero": "1/1" if pregunta.es_verdadera else "0/1",
            "falso": "0/1" if pregunta.es_verdadera else "1/1",
        }
    elif tipo == TipoPregunta.RESPUESTA_CORTA:
        fracciones = _fracciones_opciones(tipo, opciones)
        clave["aceptadas"] = [
            [o.texto, _fraccion_texto(f if o.fraccion is not None else Fraction(1))]
            for o, f in zip(opciones, fracciones, strict=True)
            if o.texto.strip()
        ]
    elif tipo == TipoPregunta.NUMERICA:
        clave["valor"] = str(pregunta.respuesta_numerica)
        clave["tolerancia"] = str(pregunta.tolerancia)
    elif tipo == TipoPregunta.RELACIONAR:
        parejas = _parejas(opciones)
        clave["pares"] = [
            [str(o.pk), parejas[o.pareja.strip()]]
            for o in opciones
            if o.texto.strip() and o.pareja.strip()
        ]
    elif tipo == TipoPregunta.ORDENAR:
        clave["orden"] = [str(o.pk) for o in opciones]
    return clave


def _barajar(elementos: list[Item], azar: random.Random, *, evitar_orden_original: bool) -> None:
    original = list(elementos)
    azar.shuffle(elementos)
    if evitar_orden_original and len(elementos) > 1 and elementos == original:
        elementos.append(elementos.pop(0))


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
    if tipo in (TipoPregunta.OPCION_UNICA, TipoPregunta.OPCION_MULTIPLE):
        vista["opciones"] = [{"id": str(o.pk), "texto": o.texto} for o in opciones]
        if barajar_opciones:
            _barajar(vista["opciones"], azar, evitar_orden_original=False)
    elif tipo == TipoPregunta.VERDADERO_FALSO:
        vista["opciones"] = [
            {"id": "verdadero", "texto": _("Verdadero")},
            {"id": "falso", "texto": _("Falso")},
        ]
    elif tipo == TipoPregunta.RELACIONAR:
        vista["opciones"] = [{"id": str(o.pk), "texto": o.texto} for o in opciones if o.texto]
        vista["parejas"] = [{"id": i, "texto": t} for t, i in _parejas(opciones).items()]
        _barajar(vista["parejas"], azar, evitar_orden_original=True)
        if barajar_opciones:
            _barajar(vista["opciones"], azar, evitar_orden_original=False)
    elif tipo == TipoPregunta.ORDENAR:
        vista["opciones"] = [{"id": str(o.pk), "texto": o.texto} for o in opciones]
        # The right order must never be the order shown.
        _barajar(vista["opciones"], azar, evitar_orden_original=True)
    elif tipo == TipoPregunta.ENSAYO:
        vista["longitud_maxima"] = pregunta.longitud_maxima
    elif tipo == TipoPregunta.ENTREGABLE:
        vista["extensiones"] = extensiones(pregunta.extensiones_permitidas)
        vista["max_bytes"] = int(pregunta.tamano_maximo_mb) * 1024 * 1024
    return {
        "clave": clave_de_pregunta(pregunta.pk),
        "pregunta_id": pregunta.pk,
        "revision_id": pregunta.latest_revision_id,
        "tipo": tipo,
        "puntos": str(pregunta.puntos),
        "vista": vista,
        "clave_correcta": clave_correcta(pregunta, opciones),
    }


def extensiones(texto: str) -> list[str]:
    return sorted({e.strip().lower().lstrip(".") for e in texto.split(",") if e.strip()})


@functools.lru_cache(maxsize=4096)
def _fraccion(texto: str) -> Fraction:
    # Parsing "n/d" costs a regular expression; the same few fractions recur in every
    # attempt, and a Fraction is immutable, so each text is parsed once per process.
    return Fraction(texto)


def calificable(item: Mapping[str, Any]) -> scoring.PreguntaCalificable:
    """The scoring view of one snapshot item."""
    tipo = TipoPregunta(item["tipo"])
    clave_item: Mapping[str, Any] = item["clave_correcta"]
    clave: scoring.Clave
    if tipo in (
        TipoPregunta.OPCION_UNICA,
        TipoPregunta.OPCION_MULTIPLE,
        TipoPregunta.VERDADERO_FALSO,
    ):
        clave = scoring.ClaveOpciones(
            tuple(scoring.OpcionClave(i, _fraccion(f)) for i, f in clave_item["fracciones"].items())
        )
    elif tipo == TipoPregunta.RESPUESTA_CORTA:
        clave = scoring.ClaveCorta(
            tuple(scoring.RespuestaAceptada(t, _fraccion(f)) for t, f in clave_item["aceptadas"])
        )
    elif tipo == TipoPregunta.NUMERICA:
        clave = scoring.ClaveNumerica(
            Decimal(clave_item["valor"]), Decimal(clave_item["tolerancia"])
        )
    elif tipo == TipoPregunta.RELACIONAR:
        clave = scoring.ClaveRelacionar(tuple((p, m) for p, m in clave_item["pares"]))
    elif tipo == TipoPregunta.ORDENAR:
        clave = scoring.ClaveOrdenar(tuple(clave_item["orden"]))
    else:
        clave = scoring.ClaveManual()
    return scoring.PreguntaCalificable(item["clave"], tipo, Decimal(item["puntos"]), clave)


def valor_calificable(tipo: str, valor: Any) -> scoring.ValorRespuesta:
    """Stored JSON answer -> the value scoring expects."""
    if valor is None:
        return None
    if tipo == TipoPregunta.OPCION_MULTIPLE:
        return frozenset(str(v) for v in valor) if isinstance(valor, list) else None
    if tipo in (TipoPregunta.RELACIONAR, TipoPregunta.ORDENAR):
        return dict(valor) if isinstance(valor, dict) else None
    return valor if isinstance(valor, str) else None


def items_por_clave(instantanea: Mapping[str, Any]) -> dict[str, Item]:
    return {item["clave"]: item for item in instantanea.get("preguntas", [])}


def actualizar_clave(item: Item, pregunta: Pregunta, opciones: Iterable[OpcionPregunta]) -> Item:
    """A copy of `item` whose key is rebuilt from the question as it is now (for a regrade).

    Only options the attempt showed count; options added since are ignored and
    options deleted since keep no credit.
    """
    mostradas = {o["id"] for o in item["vista"].get("opciones", [])}
    lista = list(opciones)
    if item["tipo"] in TIPOS_CON_OPCIONES:
        lista = [o for o in lista if str(o.pk) in mostradas]
    nueva = clave_correcta(pregunta, lista)
    if item["tipo"] == TipoPregunta.RELACIONAR:
        # Match ids are those the attempt showed, found again by their text.
        por_texto = {p["texto"].strip(): p["id"] for p in item["vista"].get("parejas", [])}
        por_id_nuevo = {v: k for k, v in _parejas(lista).items()}
        nueva["pares"] = [
            [premisa, por_texto.get(por_id_nuevo.get(pareja, ""), "")]
            for premisa, pareja in nueva["pares"]
        ]
    return {**item, "clave_correcta": nueva}
