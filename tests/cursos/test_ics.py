from cursos.ics import _escapar, _plegar


def test_lineas_largas_se_pliegan_a_75_octetos_sin_partir_caracteres():
    linea = "SUMMARY:" + "Sesión de transparencia proactiva ñ " * 5
    plegada = _plegar(linea)
    partes = plegada.split("\r\n")
    assert len(partes) > 1
    assert all(len(p.encode()) <= 75 for p in partes)
    assert "".join(p[1:] if i else p for i, p in enumerate(partes)) == linea


def test_texto_se_escapa():
    assert _escapar("a, b; c\\d\ne") == "a\\, b\\; c\\\\d\\ne"
