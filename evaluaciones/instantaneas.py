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
import functools
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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
        scoring.credito_exacto(o.fraccion) if o.fraccion is not None else automatica
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
        clave["retroalimentacion_opciones"] = {
            ident: texto
            for ident, texto in (
                ("verdadero", pregunta.retroalimentacion_verdadero),
                ("falso", pregunta.retroalimentacion_falso),
            )
            if texto
        }
    elif tipo == TipoPregunta.RESPUESTA_CORTA:
        fracciones = _fracciones_opciones(tipo, opciones)
        # [text, credit, option id], tried in order.
        clave["aceptadas"] = [
            [o.texto, _fraccion_texto(f if o.fraccion is not None else Fraction(1)), str(o.pk)]
            for o, f in zip(opciones, fracciones, strict=True)
            if o.texto.strip()
        ]
        clave["distinguir_mayusculas"] = pregunta.distinguir_mayusculas
        clave["ignorar_acentos"] = pregunta.ignorar_acentos
    elif tipo == TipoPregunta.NUMERICA:
        # [value or "*", tolerance, credit, option id], tried in order.
        clave["respuestas"] = [
            [
                valor_numerico(o.texto),
                str(o.tolerancia or 0),
                _fraccion_texto(
                    scoring.credito_exacto(o.fraccion) if o.fraccion is not None else Fraction(1)
                ),
                str(o.pk),
            ]
            for o in opciones
            if valor_numerico(o.texto) is not None
        ]
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


def valor_numerico(texto: str) -> str | None:
    """An accepted numeric value as the key stores it: "*" (any number), or a plain decimal."""
    texto = texto.strip()
    if texto == "*":
        return "*"
    numero = scoring.interpretar_numero(texto)
    return None if numero is None else format(numero.normalize(), "f")


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
            tuple(
                scoring.RespuestaAceptada(t, _fraccion(f)) for t, f, *_id in clave_item["aceptadas"]
            ),
            distinguir_mayusculas=bool(clave_item.get("distinguir_mayusculas", False)),
            ignorar_acentos=bool(clave_item.get("ignorar_acentos", True)),
            # Keys frozen before the options existed keep the rules they were graded with.
            heredada="ignorar_acentos" not in clave_item,
        )
    elif tipo == TipoPregunta.NUMERICA:
        clave = scoring.ClaveNumerica(respuestas_numericas(clave_item))
    elif tipo == TipoPregunta.RELACIONAR:
        clave = scoring.ClaveRelacionar(tuple((p, m) for p, m in clave_item["pares"]))
    elif tipo == TipoPregunta.ORDENAR:
        clave = scoring.ClaveOrdenar(tuple(clave_item["orden"]))
    else:
        clave = scoring.ClaveManual()
    return scoring.PreguntaCalificable(item["clave"], tipo, Decimal(item["puntos"]), clave)


def respuestas_numericas(clave_item: Mapping[str, Any]) -> tuple[scoring.RespuestaNumerica, ...]:
    """The accepted values of a numeric key; keys frozen with one value read as before."""
    if "respuestas" not in clave_item:
        return (
            scoring.RespuestaNumerica(
                Decimal(clave_item["valor"]), Decimal(clave_item.get("tolerancia", "0"))
            ),
        )
    return tuple(
        scoring.RespuestaNumerica(
            None if valor == "*" else Decimal(valor), Decimal(tolerancia), _fraccion(fraccion)
        )
        for valor, tolerancia, fraccion, *_resto in clave_item["respuestas"]
    )


def respuesta_elegida(item: Mapping[str, Any], valor: Any) -> str | None:
    """Id of the accepted short or numeric answer `valor` matched, for its feedback."""
    clave = item["clave_correcta"]
    if not isinstance(valor, str):
        return None
    if item["tipo"] == TipoPregunta.RESPUESTA_CORTA and "ignorar_acentos" in clave:
        for texto, _credito, *ident in clave.get("aceptadas", []):
            if ident and scoring.coincide_respuesta_corta(
                valor,
                texto,
                distinguir_mayusculas=bool(clave.get("distinguir_mayusculas")),
                ignorar_acentos=bool(clave.get("ignorar_acentos")),
            ):
                return str(ident[0])
        return None
    if item["tipo"] == TipoPregunta.NUMERICA and "respuestas" in clave:
        numero = scoring.interpretar_numero(valor)
        if numero is None:
            return None
        for (*_datos, ident), respuesta in zip(
            clave["respuestas"], respuestas_numericas(clave), strict=True
        ):
            if respuesta.valor is None or abs(numero - respuesta.valor) <= respuesta.tolerancia:
                return str(ident)
    return None


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


def _porcentaje(fraccion: str) -> str:
    valor = Fraction(fraccion) * 100
    texto = f"{float(valor):.5f}".rstrip("0").rstrip(".")
    return f"{texto} %"


def describir_clave(clave: Mapping[str, Any], textos: Mapping[str, str]) -> list[str]:
    """A key as lines a trainer can read, naming options by `textos` (id -> text).

    Options with no credit are left out; feedback is not part of what is right.
    """
    lineas: list[str] = []
    for ident, fraccion in clave.get("fracciones", {}).items():
        if Fraction(fraccion) != 0:
            lineas.append(f"{textos.get(ident, ident)}: {_porcentaje(fraccion)}")
    for texto, fraccion, *_id in clave.get("aceptadas", []):
        lineas.append(f"«{texto}»: {_porcentaje(fraccion)}")
    if "valor" in clave or "respuestas" in clave:
        for respuesta in respuestas_numericas(clave):
            valor = _("cualquier número") if respuesta.valor is None else str(respuesta.valor)
            linea = _("%(valor)s (± %(tolerancia)s)") % {
                "valor": valor,
                "tolerancia": respuesta.tolerancia,
            }
            lineas.append(f"{linea}: {_porcentaje(str(respuesta.fraccion))}")
    for premisa, pareja in clave.get("pares", []):
        lineas.append(f"{textos.get(premisa, premisa)} → {textos.get(pareja, pareja)}")
    for posicion, ident in enumerate(clave.get("orden", []), start=1):
        lineas.append(f"{posicion}. {textos.get(ident, ident)}")
    return lineas


@dataclass(frozen=True)
class CambioDeClave:
    """One recorded change of key of one question of an attempt, as its review shows it."""

    numero: int
    enunciado: str
    fecha: datetime.datetime
    motivo: str
    estado_intento: str
    puntos_antes: Decimal | None
    puntos_despues: Decimal | None
    puntos: Decimal


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
                    enunciado=item["vista"].get("enunciado", ""),
                    fecha=datetime.datetime.fromisoformat(registro["fecha"]),
                    motivo=registro.get("motivo", ""),
                    estado_intento=registro.get("estado_intento", ""),
                    puntos_antes=_decimal(registro.get("puntos_antes")),
                    puntos_despues=_decimal(registro.get("puntos_despues")),
                    puntos=Decimal(item["puntos"]),
                )
            )
    return cambios
