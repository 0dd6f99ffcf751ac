"""Item analysis as pure functions, checked against hand-computed tables."""

import pytest

from evaluaciones.analisis import (
    SIN_RESPUESTA,
    IntentoAnalizado,
    ItemIntento,
    Problema,
    analizar,
    analizar_pregunta,
    correlacion,
    problemas,
)


def _intentos(tabla):
    """Rows of {clave: (obtenidos, posibles, elegidas)} -> attempts."""
    return [
        IntentoAnalizado(
            n,
            {
                c: ItemIntento(o, p, frozenset(e), respondida=bool(e) or o > 0)
                for c, (o, p, e) in fila.items()
            },
        )
        for n, fila in enumerate(tabla, start=1)
    ]


@pytest.mark.parametrize(
    ("xs", "ys", "esperado"),
    [
        ([0, 1, 0, 1], [0, 1, 0, 1], 1.0),
        ([0, 1, 0, 1], [1, 0, 1, 0], -1.0),
        ([1, 1, 1, 1], [0, 1, 0, 1], None),
        ([0], [1], None),
        ([0, 1, 1], [0.2, 0.5, 0.8], 0.8660254),
    ],
)
def test_correlacion(xs, ys, esperado):
    resultado = correlacion(xs, ys)
    if esperado is None:
        assert resultado is None
    else:
        assert resultado == pytest.approx(esperado, abs=1e-6)


@pytest.mark.parametrize(
    ("facilidad", "discriminacion", "esperado"),
    [
        (0.5, 0.4, ()),
        (0.1, 0.4, (Problema.MUY_DIFICIL,)),
        (0.2, 0.2, ()),
        (0.96, None, (Problema.MUY_FACIL,)),
        (0.95, 0.5, ()),
        (0.5, 0.1, (Problema.DISCRIMINA_POCO,)),
        (0.5, -0.3, (Problema.DISCRIMINACION_NEGATIVA,)),
        (0.1, -0.3, (Problema.MUY_DIFICIL, Problema.DISCRIMINACION_NEGATIVA)),
        (None, None, ()),
    ],
)
def test_problemas(facilidad, discriminacion, esperado):
    assert problemas(facilidad, discriminacion) == esperado


def test_pregunta_buena_discrimina_y_mala_discrimina_al_reves():
    # "a" is answered right by the strong participants, "b" by the weak ones.
    tabla = [
        {"a": (1, 1, "x"), "b": (0, 1, "n"), "c": (1, 1, ""), "d": (1, 1, "")},
        {"a": (1, 1, "x"), "b": (0, 1, "n"), "c": (1, 1, ""), "d": (1, 1, "")},
        {"a": (0, 1, "y"), "b": (1, 1, "m"), "c": (0, 1, ""), "d": (0, 1, "")},
        {"a": (0, 1, ""), "b": (1, 1, "m"), "c": (0, 1, ""), "d": (0, 1, "")},
    ]
    resultado = {r.clave: r for r in analizar(_intentos(tabla))}
    assert resultado["a"].facilidad == pytest.approx(0.5)
    assert resultado["a"].discriminacion == pytest.approx(1.0)
    assert resultado["a"].problemas == ()
    assert resultado["b"].discriminacion == pytest.approx(-1.0)
    assert Problema.DISCRIMINACION_NEGATIVA in resultado["b"].problemas
    assert resultado["a"].frecuencias == {"x": 2, "y": 1, SIN_RESPUESTA: 1}
    assert [r.clave for r in analizar(_intentos(tabla))] == ["a", "b", "c", "d"]


def test_pregunta_que_todos_aciertan_es_muy_facil_sin_discriminacion():
    tabla = [{"a": (2, 2, "x"), "b": (o, 1, "")} for o in (0, 1, 1, 0, 1)]
    resultado = analizar_pregunta("a", _intentos(tabla))
    assert resultado.facilidad == 1.0
    assert resultado.discriminacion is None
    assert resultado.problemas == (Problema.MUY_FACIL,)
    assert resultado.intentos == 5


def test_credito_parcial_cuenta_como_fraccion():
    tabla = [{"a": (0.5, 2, "")}, {"a": (2, 2, "")}, {"b": (1, 1, "")}]
    resultado = analizar_pregunta("a", _intentos(tabla))
    assert resultado.intentos == 2
    assert resultado.facilidad == pytest.approx(0.625)


def test_sin_intentos_no_hay_datos():
    resultado = analizar_pregunta("a", [])
    assert (resultado.intentos, resultado.facilidad, resultado.discriminacion) == (0, None, None)
