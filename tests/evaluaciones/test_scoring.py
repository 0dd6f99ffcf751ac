"""Scoring rules, database-free: tables for the contested cases, properties for the rest."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluaciones.scoring import (
    ClaveCorta,
    ClaveManual,
    ClaveNumerica,
    ClaveOpciones,
    ClaveOrdenar,
    ClaveRelacionar,
    IntentoCalificado,
    MetodoCalificacion,
    OpcionClave,
    PreguntaCalificable,
    RespuestaAceptada,
    RespuestaNumerica,
    TipoPregunta,
    calificacion_final,
    calificar_intento,
    calificar_pregunta,
    fecha_aprobacion,
    fracciones_multiples,
    interpretar_numero,
    normalizar_texto,
    porcentaje,
)

D = Decimal


def _unica(correcta="b", puntos="2"):
    opciones = tuple(
        OpcionClave(i, Fraction(1) if i == correcta else Fraction(0)) for i in ("a", "b", "c")
    )
    return PreguntaCalificable("p1", TipoPregunta.OPCION_UNICA, D(puntos), ClaveOpciones(opciones))


def _multiple(correctas=(True, True, False, False), puntos="4"):
    ids = [f"o{i}" for i in range(len(correctas))]
    fracciones = fracciones_multiples(correctas)
    opciones = tuple(OpcionClave(i, f) for i, f in zip(ids, fracciones, strict=True))
    return PreguntaCalificable(
        "p2", TipoPregunta.OPCION_MULTIPLE, D(puntos), ClaveOpciones(opciones)
    )


@pytest.mark.parametrize(
    ("valor", "esperado"),
    [("b", D("2.00")), ("a", D("0.00")), ("zz", D("0.00")), (None, D("0.00")), ("", D("0.00"))],
)
def test_opcion_unica(valor, esperado):
    assert calificar_pregunta(_unica(), valor).obtenidos == esperado


def test_opcion_unica_con_credito_parcial():
    opciones = (OpcionClave("a", Fraction(1)), OpcionClave("b", Fraction(1, 2)))
    pregunta = PreguntaCalificable("p", TipoPregunta.OPCION_UNICA, D("3"), ClaveOpciones(opciones))
    assert calificar_pregunta(pregunta, "b").obtenidos == D("1.50")


def test_opcion_unica_ignora_una_lista_en_lugar_de_un_id():
    assert calificar_pregunta(_unica(), frozenset({"b"})).obtenidos == D("0.00")


@pytest.mark.parametrize(
    ("elegidas", "esperado"),
    [
        ({"o0", "o1"}, D("4.00")),
        ({"o0"}, D("2.00")),
        ({"o0", "o2"}, D("0.00")),
        ({"o0", "o1", "o2"}, D("2.00")),
        ({"o0", "o1", "o2", "o3"}, D("0.00")),
        ({"o2", "o3"}, D("0.00")),
        (set(), D("0.00")),
        ({"o0", "otra"}, D("2.00")),
    ],
)
def test_opcion_multiple_credito_parcial_y_penalizacion_sin_negativos(elegidas, esperado):
    assert calificar_pregunta(_multiple(), frozenset(elegidas)).obtenidos == esperado


def test_opcion_multiple_con_fracciones_que_suman_mas_de_uno_no_pasa_del_maximo():
    opciones = (OpcionClave("a", Fraction(1)), OpcionClave("b", Fraction(1)))
    pregunta = PreguntaCalificable(
        "p", TipoPregunta.OPCION_MULTIPLE, D("1"), ClaveOpciones(opciones)
    )
    assert calificar_pregunta(pregunta, frozenset({"a", "b"})).obtenidos == D("1.00")


def test_fracciones_multiples_todas_marcadas_da_cero():
    assert sum(fracciones_multiples([True, False, True, False, False])) == 0
    assert fracciones_multiples([True, True]) == (Fraction(1, 2), Fraction(1, 2))
    assert fracciones_multiples([]) == ()


def test_verdadero_falso():
    pregunta = PreguntaCalificable(
        "p",
        TipoPregunta.VERDADERO_FALSO,
        D("1"),
        ClaveOpciones((OpcionClave("verdadero", Fraction(0)), OpcionClave("falso", Fraction(1)))),
    )
    assert calificar_pregunta(pregunta, "falso").correcta
    assert not calificar_pregunta(pregunta, "verdadero").correcta


@pytest.mark.parametrize(
    ("valor", "esperado"),
    [
        ("Artículo 70", D("1.00")),
        ("  articulo   70 ", D("1.00")),
        ("ARTÍCULO 70", D("1.00")),
        ("art. 70", D("0.50")),
        ("Artículo 71", D("0.00")),
        ("", D("0.00")),
        ("   ", D("0.00")),
        (None, D("0.00")),
    ],
)
def test_respuesta_corta_sin_mayusculas_acentos_ni_espacios(valor, esperado):
    clave = ClaveCorta(
        (RespuestaAceptada("artículo 70"), RespuestaAceptada("Art. 70", Fraction(1, 2))),
        ignorar_acentos=True,
    )
    pregunta = PreguntaCalificable("p", TipoPregunta.RESPUESTA_CORTA, D("1"), clave)
    assert calificar_pregunta(pregunta, valor).obtenidos == esperado


def test_normalizar_texto():
    assert normalizar_texto("  Órgano   GARANTE ") == "organo garante"


@pytest.mark.parametrize(
    ("valor", "esperado"),
    [
        ("3.14", D("1.00")),
        ("3,1", D("1.00")),
        ("3.2", D("1.00")),
        ("3.21", D("0.00")),
        (" 3 ", D("0.00")),
        ("tres", D("0.00")),
        ("1e400", D("0.00")),
        ("NaN", D("0.00")),
        ("Infinity", D("0.00")),
        ("", D("0.00")),
    ],
)
def test_numerica_con_tolerancia(valor, esperado):
    pregunta = PreguntaCalificable(
        "p",
        TipoPregunta.NUMERICA,
        D("1"),
        ClaveNumerica((RespuestaNumerica(D("3.14"), D("0.06")),)),
    )
    assert calificar_pregunta(pregunta, valor).obtenidos == esperado


@pytest.mark.parametrize(
    ("texto", "numero"),
    [
        ("2", D(2)),
        ("-2,5", D("-2.5")),
        (".5", D("0.5")),
        ("1 000", D(1000)),
        ("1.2.3", None),
        # es-MX: point for decimals, comma grouping thousands.
        ("3,145", D(3145)),
        ("3.145", D("3.145")),
        ("1,234.5", D("1234.5")),
        ("12,345,678", D(12345678)),
        ("1,23,4", None),
        # Only one reading possible: a decimal comma, or points grouping before one.
        ("3,14", D("3.14")),
        ("3,1415", D("3.1415")),
        ("1.234,5", D("1234.5")),
        ("1.234.567", D(1234567)),
        ("1\u202f000", D(1000)),
        (".", None),
        (",", None),
    ],
)
def test_interpretar_numero(texto, numero):
    assert interpretar_numero(texto) == numero


@pytest.mark.parametrize(
    ("valor", "esperado"),
    [
        ({"a": "1", "b": "2", "c": "3"}, D("3.00")),
        ({"a": "1", "b": "3", "c": "2"}, D("1.00")),
        ({"a": "1"}, D("1.00")),
        ({}, D("0.00")),
        ({"a": "x", "z": "1"}, D("0.00")),
    ],
)
def test_relacionar_credito_por_par(valor, esperado):
    clave = ClaveRelacionar((("a", "1"), ("b", "2"), ("c", "3")))
    pregunta = PreguntaCalificable("p", TipoPregunta.RELACIONAR, D("3"), clave)
    assert calificar_pregunta(pregunta, valor).obtenidos == esperado


@pytest.mark.parametrize(
    ("valor", "esperado"),
    [
        ({"x": 1, "y": 2, "z": 3, "w": 4}, D("4.00")),
        ({"x": 2, "y": 1, "z": 3, "w": 4}, D("2.00")),
        ({"x": 1, "y": 1, "z": 1, "w": 1}, D("0.00")),  # one position for all: nothing
        ({"x": 1, "y": 2, "z": 2, "w": 4}, D("2.00")),  # the repeated position earns nothing
        ({"x": 4, "y": 3, "z": 2, "w": 1}, D("0.00")),
        (None, D("0.00")),
    ],
)
def test_ordenar_credito_por_posicion(valor, esperado):
    pregunta = PreguntaCalificable(
        "p", TipoPregunta.ORDENAR, D("4"), ClaveOrdenar(("x", "y", "z", "w"))
    )
    assert calificar_pregunta(pregunta, valor).obtenidos == esperado


@pytest.mark.parametrize(
    ("manual", "esperado"),
    [(None, None), (D("3"), D("3")), (D("-1"), D("0")), (D("99"), D("5"))],
)
def test_ensayo_queda_pendiente_hasta_la_nota_manual_acotada(manual, esperado):
    pregunta = PreguntaCalificable("p", TipoPregunta.ENSAYO, D("5"), ClaveManual())
    resultado = calificar_pregunta(pregunta, "texto", manual=manual)
    assert resultado.obtenidos == esperado
    assert resultado.pendiente == (manual is None)


def test_calificar_intento_suma_ignora_preguntas_ajenas_y_marca_pendiente():
    ensayo = PreguntaCalificable("e", TipoPregunta.ENSAYO, D("2"), ClaveManual())
    resultado = calificar_intento([_unica(), ensayo], {"p1": "b", "ajena": "x"})
    assert resultado.obtenidos == D("2.00")
    assert resultado.posibles == D("4")
    assert resultado.porcentaje == D("50.00")
    assert resultado.pendiente
    final = calificar_intento([_unica(), ensayo], {"p1": "b"}, manuales={"e": D("1")})
    assert final.porcentaje == D("75.00")
    assert not final.pendiente


def test_porcentaje_sin_puntos_posibles_es_cero():
    assert porcentaje(D("0"), D("0")) == D("0.00")
    assert porcentaje(D("1"), D("3")) == D("33.33")


# --- Grading methods ----------------------------------------------------------

T0 = datetime.datetime(2026, 11, 1, 10, 0, tzinfo=datetime.UTC)


def _intentos(*porcentajes):
    return [
        IntentoCalificado(n, D(p), T0 + datetime.timedelta(days=n))
        for n, p in enumerate(porcentajes, start=1)
    ]


@pytest.mark.parametrize(
    ("metodo", "esperado"),
    [
        (MetodoCalificacion.MAS_ALTA, D("90")),
        (MetodoCalificacion.PRIMERA, D("60")),
        (MetodoCalificacion.ULTIMA, D("75")),
        (MetodoCalificacion.PROMEDIO, D("75.00")),
    ],
)
def test_metodos_de_calificacion(metodo, esperado):
    assert calificacion_final(metodo, _intentos("60", "90", "75")) == esperado


def test_sin_intentos_no_hay_calificacion():
    assert calificacion_final(MetodoCalificacion.MAS_ALTA, []) is None


@pytest.mark.parametrize(
    ("metodo", "dia"),
    [
        (MetodoCalificacion.MAS_ALTA, 2),
        (MetodoCalificacion.ULTIMA, 3),
        (MetodoCalificacion.PROMEDIO, 3),
        (MetodoCalificacion.PRIMERA, None),
    ],
)
def test_fecha_de_aprobacion_segun_metodo(metodo, dia):
    fecha = fecha_aprobacion(metodo, _intentos("60", "90", "80"), D("70"))
    assert fecha == (None if dia is None else T0 + datetime.timedelta(days=dia))


def test_fecha_de_aprobacion_mas_alta_es_el_primer_intento_aprobado():
    fecha = fecha_aprobacion(MetodoCalificacion.MAS_ALTA, _intentos("71", "95"), D("70"))
    assert fecha == T0 + datetime.timedelta(days=1)


# --- Properties ---------------------------------------------------------------

# Timing varies under parallel runs; the properties are about values, not speed.
SIN_PLAZO = settings(deadline=None)

fracciones = st.fractions(min_value=-1, max_value=1, max_denominator=12)
puntos = st.decimals(min_value=0, max_value=1000, places=2)


@st.composite
def preguntas_de_opciones(draw):
    n = draw(st.integers(min_value=1, max_value=8))
    ids = [f"o{i}" for i in range(n)]
    tipo = draw(st.sampled_from([TipoPregunta.OPCION_UNICA, TipoPregunta.OPCION_MULTIPLE]))
    opciones = tuple(OpcionClave(i, draw(fracciones)) for i in ids)
    pregunta = PreguntaCalificable("p", tipo, draw(puntos), ClaveOpciones(opciones))
    if tipo == TipoPregunta.OPCION_MULTIPLE:
        valor = frozenset(draw(st.lists(st.sampled_from([*ids, "ajena"]), max_size=10)))
    else:
        valor = draw(st.one_of(st.none(), st.sampled_from([*ids, "ajena"])))
    return pregunta, valor


@SIN_PLAZO
@given(preguntas_de_opciones())
def test_puntaje_siempre_entre_cero_y_el_maximo(caso):
    pregunta, valor = caso
    resultado = calificar_pregunta(pregunta, valor)
    assert D(0) <= resultado.obtenidos <= pregunta.puntos


@SIN_PLAZO
@given(preguntas_de_opciones(), st.randoms(use_true_random=False))
def test_reordenar_las_opciones_no_cambia_el_puntaje(caso, aleatorio):
    pregunta, valor = caso
    opciones = list(pregunta.clave.opciones)
    aleatorio.shuffle(opciones)
    reordenada = PreguntaCalificable(
        pregunta.clave_pregunta, pregunta.tipo, pregunta.puntos, ClaveOpciones(tuple(opciones))
    )
    assert calificar_pregunta(reordenada, valor) == calificar_pregunta(pregunta, valor)


@SIN_PLAZO
@given(st.lists(st.booleans(), min_size=1, max_size=10), st.data())
def test_marcar_mas_opciones_incorrectas_nunca_sube_el_puntaje(correctas, data):
    pregunta = _multiple(tuple(correctas), puntos="10")
    ids = [o.id for o in pregunta.clave.opciones]
    elegidas = frozenset(data.draw(st.lists(st.sampled_from(ids))))
    incorrectas = [i for i, c in zip(ids, correctas, strict=True) if not c]
    extra = frozenset(data.draw(st.lists(st.sampled_from(incorrectas)))) if incorrectas else set()
    antes = calificar_pregunta(pregunta, elegidas).obtenidos
    despues = calificar_pregunta(pregunta, elegidas | extra).obtenidos
    assert despues <= antes


@SIN_PLAZO
@given(st.lists(st.booleans(), min_size=1, max_size=10))
def test_marcar_todas_las_correctas_y_ninguna_incorrecta_da_el_maximo(correctas):
    if not any(correctas):
        return
    pregunta = _multiple(tuple(correctas), puntos="10")
    elegidas = frozenset(o.id for o, c in zip(pregunta.clave.opciones, correctas, strict=True) if c)
    assert calificar_pregunta(pregunta, elegidas).obtenidos == D("10.00")


@SIN_PLAZO
@given(
    st.lists(st.text(max_size=8), min_size=1, max_size=6, unique=True),
    st.dictionaries(st.text(max_size=8), st.integers(min_value=-3, max_value=9)),
    puntos,
)
def test_ordenar_entre_cero_y_maximo(orden, valor, pts):
    pregunta = PreguntaCalificable("p", TipoPregunta.ORDENAR, pts, ClaveOrdenar(tuple(orden)))
    assert D(0) <= calificar_pregunta(pregunta, valor).obtenidos <= pts


@SIN_PLAZO
@given(st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=1, max_size=8))
def test_calificacion_final_entre_el_minimo_y_el_maximo_de_los_intentos(porcentajes):
    intentos = _intentos(*porcentajes)
    for metodo in MetodoCalificacion:
        final = calificacion_final(metodo, intentos)
        assert min(porcentajes) <= final <= max(porcentajes)


@SIN_PLAZO
@given(st.text(max_size=30))
def test_normalizar_es_idempotente(texto):
    assert normalizar_texto(normalizar_texto(texto)) == normalizar_texto(texto)


@SIN_PLAZO
@given(st.text(max_size=50))
def test_interpretar_numero_nunca_falla(texto):
    resultado = interpretar_numero(texto)
    assert resultado is None or resultado.is_finite()
