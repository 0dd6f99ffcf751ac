"""Geometry of the dashboard's tile map (pure functions, no database)."""

from cursos import graficas


def _mapa(datos):
    return graficas.mapa_mosaicos({}, datos, sin_inscripciones="sin inscripciones")


def test_un_mosaico_por_entidad_sin_encimarse():
    mapa = _mapa({})
    assert len(mapa.mosaicos) == 32
    assert {m.clave for m in mapa.mosaicos} == {f"{n:02d}" for n in range(1, 33)}
    assert len({(m.x, m.y) for m in mapa.mosaicos}) == 32
    assert all(0 <= m.x < mapa.ancho and 0 <= m.y < mapa.alto for m in mapa.mosaicos)


def test_color_por_porcentaje_y_gris_sin_inscripciones():
    mapa = _mapa({"14": (10, 0), "09": (10, 19), "15": (10, 20), "31": (4, 100)})
    por_clave = {m.clave: m for m in mapa.mosaicos}
    assert por_clave["14"].relleno == por_clave["09"].relleno == graficas.CLASES_MAPA[0][2]
    assert por_clave["15"].relleno == graficas.CLASES_MAPA[1][2]
    assert por_clave["31"].relleno == graficas.CLASES_MAPA[-1][2]
    assert por_clave["31"].texto == "#ffffff"
    assert por_clave["02"].relleno == graficas.SIN_DATOS[0]
    assert por_clave["02"].porcentaje is None
    # The legend lists the five classes and the "no data" grey.
    assert [c.texto for c in mapa.leyenda][-1] == "sin inscripciones"
    assert len(mapa.leyenda) == 6
