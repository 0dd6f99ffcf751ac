"""Scoring against Moodle's documented semantics, and exact credits.

Short answer (qtype_shortanswer): answers are tried in order and the first that
matches counts; `*` stands for any text and `\\*` is a star; case counts only with
"usecase"; Moodle never folds accents, here an option of each question does.
Numeric (qtype_numerical): accepted values tried in order, each with its tolerance
and credit; `*` accepts any number. Credits are exact fractions: 33.33333 % is 1/3.
"""

from decimal import Decimal
from fractions import Fraction

import pytest

from evaluaciones import instantaneas
from evaluaciones.scoring import (
    ClaveCorta,
    ClaveNumerica,
    PreguntaCalificable,
    RespuestaAceptada,
    RespuestaNumerica,
    TipoPregunta,
    calificar_pregunta,
    credito_exacto,
    porcentaje_moodle,
)

D = Decimal


def _corta(aceptadas, **opciones):
    clave = ClaveCorta(tuple(RespuestaAceptada(t, f) for t, f in aceptadas), **opciones)
    return PreguntaCalificable("p", TipoPregunta.RESPUESTA_CORTA, D("10"), clave)


# Moodle's documentation example: "*ing" style patterns and a catch-all last answer.
ACEPTADAS = [
    ("Benito Juárez", Fraction(1)),
    ("*Juárez", Fraction(1, 2)),
    ("Benito *", Fraction(1, 4)),
    ("*", Fraction(0)),
]


@pytest.mark.parametrize(
    ("respuesta", "opciones", "puntos"),
    [
        ("Benito Juárez", {}, D("10.00")),
        ("benito juárez", {}, D("10.00")),  # case folds without usecase
        ("Benito Juarez", {}, D("2.50")),  # accents count: only "Benito *" matches
        ("Benito Juarez", {"ignorar_acentos": True}, D("10.00")),
        ("Pablo Juárez", {}, D("5.00")),
        ("Juárez", {}, D("5.00")),  # * matches the empty text
        ("  Benito   Juárez ", {}, D("10.00")),  # spaces at the ends and runs of spaces
        ("Morelos", {}, D("0.00")),  # the catch-all answer gives 0 %
        ("", {}, D("0.00")),
    ],
)
def test_respuesta_corta_primera_coincidencia_comodin_mayusculas_y_acentos(
    respuesta, opciones, puntos
):
    assert calificar_pregunta(_corta(ACEPTADAS, **opciones), respuesta).obtenidos == puntos


def test_distinguir_mayusculas_juarez():
    pregunta = _corta(ACEPTADAS, distinguir_mayusculas=True)
    assert calificar_pregunta(pregunta, "benito juárez").obtenidos == D("0.00")
    assert calificar_pregunta(pregunta, "Benito juárez").obtenidos == D("2.50")


def test_la_primera_coincidencia_gana_aunque_otra_valga_mas():
    """Moodle stops at the first matching answer, even when a later one is worth more."""
    pregunta = _corta([("*", Fraction(0)), ("INAI", Fraction(1))])
    assert calificar_pregunta(pregunta, "INAI").obtenidos == D("0.00")


@pytest.mark.parametrize(
    ("respuesta", "puntos"),
    [("2*3", D("10.00")), ("2x3", D("0.00")), ("2**3", D("0.00"))],
)
def test_estrella_escapada_es_literal(respuesta, puntos):
    assert calificar_pregunta(_corta([("2\\*3", Fraction(1))]), respuesta).obtenidos == puntos


def test_ano_y_ano_sin_tilde_son_distintas_salvo_que_la_pregunta_lo_permita():
    estricta = _corta([("año", Fraction(1))])
    assert calificar_pregunta(estricta, "ano").obtenidos == D("0.00")
    assert calificar_pregunta(estricta, "AÑO").obtenidos == D("10.00")
    flexible = _corta([("año", Fraction(1))], ignorar_acentos=True)
    assert calificar_pregunta(flexible, "ano").obtenidos == D("10.00")


def test_clave_congelada_antes_de_las_opciones_se_califica_como_entonces():
    """Attempts frozen before this change fold accents and take the best match."""
    item = {
        "clave": "p1",
        "tipo": "respuesta_corta",
        "puntos": "10",
        "clave_correcta": {"aceptadas": [["año", "1/2"], ["Año", "1/1"]]},
    }
    pregunta = instantaneas.calificable(item)
    assert calificar_pregunta(pregunta, "ano").obtenidos == D("10.00")
    assert calificar_pregunta(pregunta, "a*").obtenidos == D("0.00")


def _numerica(*respuestas):
    clave = ClaveNumerica(tuple(RespuestaNumerica(*r) for r in respuestas))
    return PreguntaCalificable("p", TipoPregunta.NUMERICA, D("4"), clave)


@pytest.mark.parametrize(
    ("respuesta", "puntos"),
    [
        ("3145", D("4.00")),
        ("3,145", D("4.00")),  # comma groups thousands in Mexico
        ("3,150", D("4.00")),  # within ±5
        ("3,160", D("2.00")),  # second value, half credit
        ("3,200", D("1.00")),  # third value, ±100: a quarter
        ("10", D("0.00")),  # only the catch-all "*" (0 %) matches
        ("diez", D("0.00")),
    ],
)
def test_numerica_varios_valores_en_orden(respuesta, puntos):
    pregunta = _numerica(
        (D("3145"), D("5"), Fraction(1)),
        (D("3160"), D("2"), Fraction(1, 2)),
        (D("3200"), D("100"), Fraction(1, 4)),
        (None, D("0"), Fraction(0)),
    )
    assert calificar_pregunta(pregunta, respuesta).obtenidos == puntos


def test_numerica_clave_congelada_con_un_solo_valor():
    item = {
        "clave": "p1",
        "tipo": "numerica",
        "puntos": "1",
        "clave_correcta": {"valor": "25", "tolerancia": "0.5"},
    }
    pregunta = instantaneas.calificable(item)
    assert calificar_pregunta(pregunta, "25.4").obtenidos == D("1.00")
    assert calificar_pregunta(pregunta, "26").obtenidos == D("0.00")


@pytest.mark.parametrize(
    ("escrito", "exacto", "moodle"),
    [
        ("33.33", Fraction(1, 3), "33.33333"),
        ("33.33333", Fraction(1, 3), "33.33333"),
        ("66.67", Fraction(2, 3), "66.66667"),
        ("-33.33333", Fraction(-1, 3), "-33.33333"),
        ("14.28571", Fraction(1, 7), "14.28571"),
        ("16.66667", Fraction(1, 6), "16.66667"),
        ("12.5", Fraction(1, 8), "12.5"),
        ("35", Fraction(7, 20), "35"),
        ("100", Fraction(1), "100"),
        ("0", Fraction(0), "0"),
        ("33.3", Fraction(333, 1000), "33.3"),  # not close enough to a third
    ],
)
def test_creditos_exactos_y_como_los_escribe_moodle(escrito, exacto, moodle):
    assert credito_exacto(D(escrito)) == exacto
    assert porcentaje_moodle(exacto) == moodle


def test_tres_tercios_suman_exactamente_la_pregunta():
    tercio = credito_exacto(D("33.33"))
    assert tercio * 3 == 1
