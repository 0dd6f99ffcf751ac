"""Reading the conformance corpus, importing it, and what a stored question means.

The corpus files are written from Moodle's documented GIFT and XML formats. `huella`
is everything a question keeps that a round trip must not lose: type, texts, answers
with their exact credits and feedback, options, category path and tags.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from evaluaciones import services_importacion
from evaluaciones.importers import ResultadoImportacion
from evaluaciones.importers.gift import interpretar_gift
from evaluaciones.importers.moodle_xml import interpretar_moodle_xml
from evaluaciones.models import CategoriaPregunta, Pregunta
from evaluaciones.scoring import TipoPregunta, credito_exacto, fracciones_multiples

CARPETA = Path(__file__).parent / "corpus"
ARCHIVOS = sorted(p.name for p in CARPETA.iterdir() if p.suffix in (".gift", ".xml"))


def leer(nombre: str) -> str:
    return (CARPETA / nombre).read_text(encoding="utf-8")


def interpretar(nombre: str, texto: str | None = None) -> ResultadoImportacion:
    texto = leer(nombre) if texto is None else texto
    return interpretar_gift(texto) if nombre.endswith(".gift") else interpretar_moodle_xml(texto)


def importar(resultado: ResultadoImportacion, categoria: CategoriaPregunta) -> list[Pregunta]:
    return services_importacion.importar_preguntas(
        preguntas=resultado.preguntas, categoria=categoria, importada_por=None
    )


def cargadas(preguntas: list[Pregunta]) -> list[Pregunta]:
    return list(
        Pregunta.objects.filter(pk__in=[p.pk for p in preguntas])
        .select_related("categoria")
        .prefetch_related("opciones", "etiquetas", "criterios")
        .order_by("pk")
    )


def opciones_de(pregunta: Pregunta) -> list[Any]:
    return sorted(pregunta.opciones.all(), key=lambda o: (o.sort_order or 0, o.pk))


def creditos(pregunta: Pregunta) -> list[Fraction]:
    """Each option's exact share of the points, as scoring reads it."""
    opciones = opciones_de(pregunta)
    if pregunta.tipo == TipoPregunta.OPCION_MULTIPLE:
        automaticas = list(fracciones_multiples([o.correcta for o in opciones]))
    elif pregunta.tipo in (TipoPregunta.RESPUESTA_CORTA, TipoPregunta.NUMERICA):
        automaticas = [Fraction(1)] * len(opciones)
    else:
        automaticas = [Fraction(1 if o.correcta else 0) for o in opciones]
    return [
        credito_exacto(o.fraccion) if o.fraccion is not None else a
        for o, a in zip(opciones, automaticas, strict=True)
    ]


def ruta(categoria: CategoriaPregunta) -> tuple[str, ...]:
    """A category's names from its course's top level down."""
    nombres = []
    while categoria is not None:
        nombres.append(categoria.nombre)
        categoria = categoria.padre
    return tuple(reversed(nombres))


def _normal(valor: Decimal | None) -> str | None:
    return None if valor is None else format(valor.normalize(), "f")


def huella(pregunta: Pregunta) -> dict[str, Any]:
    """What a stored question means, independent of ids and of how credits were written."""
    tipo = TipoPregunta(pregunta.tipo)
    entregable = tipo == TipoPregunta.ENTREGABLE
    return {
        "tipo": tipo,
        "titulo": pregunta.titulo,
        "enunciado": pregunta.enunciado,
        "puntos": pregunta.puntos,
        "categoria": ruta(pregunta.categoria),
        "descripcion_categoria": pregunta.categoria.descripcion,
        "retroalimentacion": pregunta.retroalimentacion,
        "es_verdadera": pregunta.es_verdadera if tipo == TipoPregunta.VERDADERO_FALSO else None,
        "retroalimentacion_verdadero": pregunta.retroalimentacion_verdadero,
        "retroalimentacion_falso": pregunta.retroalimentacion_falso,
        "distinguir_mayusculas": pregunta.distinguir_mayusculas,
        "ignorar_acentos": pregunta.ignorar_acentos,
        "notas_para_calificar": pregunta.notas_para_calificar,
        "plantilla_respuesta": pregunta.plantilla_respuesta,
        "extensiones": pregunta.extensiones_permitidas if entregable else "",
        "tamano_maximo_mb": pregunta.tamano_maximo_mb if entregable else None,
        "etiquetas": sorted(e.name for e in pregunta.etiquetas.all()),
        "opciones": [
            (o.texto, o.pareja, o.retroalimentacion, _normal(o.tolerancia), credito)
            for o, credito in zip(opciones_de(pregunta), creditos(pregunta), strict=True)
        ],
    }
