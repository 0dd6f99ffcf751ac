"""Conformance: imported questions score each answer as Moodle's documented semantics say.

Each row is (file, question title, answer, share of the points Moodle gives). Answers
name options by their text; scoring goes through the attempt snapshot
(`instantaneas.clave_correcta`, `calificable`) and `scoring.calificar_pregunta`.
Semantics checked: first matching short answer wins, `*` wildcard and `\\*` literal,
`usecase`, accents never folded on import; numeric tolerance, ranges, several weighted
answers (first match), `*` for any other number and es-MX number reading; multiple
response credits summed and clamped at 0, unweighted wrong options without penalty;
matching by pairs (distractors included) and ordering by absolute position.
"""

import random
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from evaluaciones import instantaneas, scoring
from evaluaciones.scoring import TipoPregunta
from tests.evaluaciones.conformidad.lectura import cargadas, importar, interpretar, opciones_de
from tests.factories import CategoriaPreguntaFactory, CursoPageFactory

GIFT = "todos_los_tipos.gift"
ESCAPES = "escapes_y_formatos.gift"
XML = "todos_los_tipos.xml"
OTRO = "no_conservable.xml"
TERCIOS = ["El directorio", "Las remuneraciones", "Los contratos"]
DOMICILIO = "El domicilio particular de las personas servidoras públicas"
CONTRASENAS = "Las contraseñas de los sistemas"
COMUNES = ["Directorio", "Remuneraciones", "Contratos"]
LEGISLATIVO = [
    "La agenda legislativa",
    "La gaceta parlamentaria",
    "Las iniciativas",
    "Las votaciones",
]
PARES = {"INAI": "Nacional", "ITEI": "Jalisco", "InfoCDMX": "Ciudad de México"}
PASOS = ["Presentar la solicitud", "Turnar al área", "Responder"]

TABLA = [
    # Single choice, partial credit.
    (GIFT, "Opción única", "El INAI", "1"),
    (GIFT, "Opción única", "Un órgano garante", "1/2"),
    (GIFT, "Opción única", "La Secretaría de la Función Pública", "0"),
    (GIFT, "Opción única", None, "0"),
    (GIFT, "Hueco", "en línea", "1"),
    (GIFT, "Varias líneas", "El derecho de acceso a la información", "1"),
    (XML, "Opción única", "Un órgano garante", "1/2"),
    (XML, "Opción única", "El órgano garante & su pleno", "1"),
    # Multiple response: thirds add up to exactly 100 %; penalties clamp at 0.
    (GIFT, "Respuesta múltiple en tercios", TERCIOS, "1"),
    (GIFT, "Respuesta múltiple en tercios", TERCIOS[:2], "2/3"),
    (GIFT, "Respuesta múltiple en tercios", [*TERCIOS, DOMICILIO], "1/2"),
    (GIFT, "Respuesta múltiple en tercios", [TERCIOS[0], DOMICILIO, CONTRASENAS], "0"),
    (XML, "Múltiple en tercios", COMUNES, "1"),
    (XML, "Múltiple en tercios", [*COMUNES, "Contraseñas"], "1/2"),
    (GIFT, "Pesos en octavos", LEGISLATIVO, "1"),
    (GIFT, "Pesos en octavos", [*LEGISLATIVO, "Los laudos"], "7/8"),
    (XML, "Múltiple en octavos", ["A", "B", "E", "F"], "1/4"),
    (XML, "Múltiple en octavos", ["A", "B", "C", "D", "E", "F", "G", "H"], "1/2"),
    # Moodle gives an unweighted ~ option 0 %: no penalty for ticking it.
    (GIFT, "Sin penalización", ["Primera", "Tercera"], "1/2"),
    (GIFT, "Sin penalización", ["Primera", "Segunda", "Tercera", "Cuarta"], "1"),
    # True/false.
    (GIFT, "Verdadero con retroalimentación", "verdadero", "1"),
    (GIFT, "Verdadero con retroalimentación", "falso", "0"),
    (GIFT, "Falso con retroalimentación", "falso", "1"),
    (GIFT, "Verdadero sin más", "verdadero", "1"),
    (XML, "Verdadero o falso", "verdadero", "1"),
    # Short answer: case folds unless usecase, first match wins, * is any text.
    (GIFT, "Corta con pesos", "lgtaip", "1"),
    (GIFT, "Corta con pesos", "Ley General", "1/2"),
    (GIFT, "Corta con pesos", "LFTAIP", "0"),
    (GIFT, "Corta con pesos", "Ley", "0"),
    (GIFT, "Comodín", "la Plataforma Nacional de Transparencia", "1"),
    (GIFT, "Comodín", "pnt", "1"),
    (GIFT, "Comodín", "Plataforma", "0"),
    (GIFT, "Primera coincidencia", "Ley General de Transparencia", "1/2"),
    (GIFT, "Primera coincidencia", "ley federal", "1/2"),
    (GIFT, "Primera coincidencia", "Reglamento", "0"),
    (XML, "Corta con mayúsculas", "LGTAIP", "1"),
    (XML, "Corta con mayúsculas", "lgtaip", "0"),
    (XML, "Corta con mayúsculas", "Ley General de Transparencia", "1/2"),
    (XML, "Corta con mayúsculas", "ley general", "0"),
    (XML, "Corta con acentos", "año 2002", "1"),
    (XML, "Corta con acentos", "AÑO 2002", "1"),
    (XML, "Corta con acentos", "ano 2002", "0"),
    (XML, "Corta con acentos", "2002", "1"),
    (OTRO, "Crédito fuera de la lista", "ifai", "7/20"),
    (ESCAPES, "Escapes: todos", "Verdadero {sí} = igual", "1"),
    (ESCAPES, "Barra invertida", "c:\\DATOS", "1"),
    (ESCAPES, "Barra invertida", "C:datos", "0"),
    (ESCAPES, "Signos en respuestas", "De 9:00 a 15:00", "1"),
    (ESCAPES, "Texto suelto", "Ninguno", "0"),
    (ESCAPES, "Texto suelto", "El INAI", "1"),
    # Numeric: tolerance, ranges, several answers (first match), es-MX numbers.
    (GIFT, "Numérica simple", "2015", "1"),
    (GIFT, "Numérica simple", "2,015", "1"),
    (GIFT, "Numérica simple", "2016", "0"),
    (GIFT, "Numérica simple", "dos mil quince", "0"),
    (GIFT, "Numérica con tolerancia", "20", "1"),
    (GIFT, "Numérica decimal", "3.15", "1"),
    (GIFT, "Numérica decimal", "3.13", "1"),
    (GIFT, "Numérica decimal", "3.16", "0"),
    (GIFT, "Rango", "1", "1"),
    (GIFT, "Rango", "5", "1"),
    (GIFT, "Rango", "5.01", "0"),
    (GIFT, "Rango", "0.99", "0"),
    (GIFT, "Varias numéricas", "1806", "1"),
    (GIFT, "Varias numéricas", "1808", "1/2"),
    (GIFT, "Varias numéricas", "1809", "0"),
    (XML, "Numérica con varias respuestas", "1806", "1"),
    (XML, "Numérica con varias respuestas", "1805", "1/2"),
    (XML, "Numérica con varias respuestas", "1700", "0"),
    # A comma before two digits can only be a decimal comma; before three it groups thousands.
    (XML, "Numérica decimal", "3,14", "1"),
    (XML, "Numérica decimal", "3.14", "1"),
    # Matching: each pair weighs the same; a distractor match is simply wrong.
    (GIFT, "Relacionar", PARES, "1"),
    (GIFT, "Relacionar", {**PARES, "ITEI": "Ciudad de México", "InfoCDMX": "Jalisco"}, "1/3"),
    (XML, "Relacionar con distractor", {**PARES, "ITEI": "Oaxaca"}, "2/3"),
    # Ordering by absolute position.
    (XML, "Ordenar el procedimiento", PASOS, "1"),
    (XML, "Ordenar el procedimiento", [PASOS[1], PASOS[0], PASOS[2]], "1/3"),
    # Essays wait for a person.
    (GIFT, "Ensayo", "Es publicar sin que lo pidan.", None),
    (XML, "Entregable", None, None),
]  # fmt: skip


@pytest.fixture(scope="module")
def banco(django_db_setup, django_db_blocker):
    """Every corpus file imported once into one course; dropped when the module ends."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            curso = CursoPageFactory()
            preguntas = {}
            for nombre in {fila[0] for fila in TABLA}:
                categoria = CategoriaPreguntaFactory(curso=curso)
                for pregunta in cargadas(importar(interpretar(nombre), categoria)):
                    preguntas[nombre, pregunta.titulo] = pregunta
            yield preguntas
            transaction.set_rollback(True)


def _item(pregunta):
    opciones = opciones_de(pregunta)
    item = instantaneas.instantanea_de_pregunta(
        pregunta, opciones, barajar_opciones=False, azar=random.Random(0)
    )
    assert item["clave_correcta"] == instantaneas.clave_correcta(pregunta, opciones)
    return item


def _valor(pregunta, item, respuesta):
    """The answer as the attempt page posts it, options named by their text."""
    if respuesta is None:
        return None
    tipo = TipoPregunta(pregunta.tipo)
    por_texto = {o["texto"]: o["id"] for o in item["vista"]["opciones"]}
    if tipo == TipoPregunta.OPCION_MULTIPLE:
        return frozenset(por_texto[t] for t in respuesta)
    if tipo == TipoPregunta.OPCION_UNICA:
        return por_texto[respuesta]
    if tipo == TipoPregunta.RELACIONAR:
        parejas = {p["texto"]: p["id"] for p in item["vista"]["parejas"]}
        return {por_texto[premisa]: parejas[pareja] for premisa, pareja in respuesta.items()}
    if tipo == TipoPregunta.ORDENAR:
        return {por_texto[t]: posicion for posicion, t in enumerate(respuesta, start=1)}
    return respuesta


@pytest.mark.django_db
@pytest.mark.parametrize(("archivo", "titulo", "respuesta", "credito"), TABLA)
def test_puntaje_como_en_moodle(banco, archivo, titulo, respuesta, credito):
    pregunta = banco[archivo, titulo]
    item = _item(pregunta)
    resultado = scoring.calificar_pregunta(
        instantaneas.calificable(item), _valor(pregunta, item, respuesta)
    )
    if credito is None:
        assert resultado.pendiente
        return
    esperado = (
        Decimal(pregunta.puntos) * Fraction(credito).numerator / Fraction(credito).denominator
    )
    assert resultado.obtenidos == esperado.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
