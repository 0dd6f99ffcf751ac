"""The registry of question types: one module each, checked at start-up, no fall-through."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from django.core import checks

from evaluaciones import instantaneas, tipos
from evaluaciones.scoring import PreguntaCalificable, TipoPregunta, calificar_pregunta


def test_cada_tipo_tiene_su_modulo_plantilla_y_regla():
    assert tipos.problemas_del_registro() == []
    assert set(tipos.REGISTRO) == set(TipoPregunta)


def test_un_tipo_sin_modulo_detiene_el_arranque(monkeypatch):
    incompleto = {t: m for t, m in tipos.REGISTRO.items() if t != TipoPregunta.NUMERICA}
    monkeypatch.setattr(tipos, "REGISTRO", incompleto)
    errores = [e for e in checks.run_checks() if e.id == "evaluaciones.E001"]
    assert [e.msg for e in errores] == ["El tipo 'numerica' no tiene módulo en evaluaciones.tipos."]


def test_un_modulo_sin_plantilla_detiene_el_arranque(monkeypatch):
    class SinPlantilla(type(tipos.REGISTRO[TipoPregunta.ORDENAR])):
        @property
        def plantilla(self):
            return "evaluaciones/tipos/no_existe.html"

    registro = {**tipos.REGISTRO, TipoPregunta.ORDENAR: SinPlantilla()}
    assert tipos.problemas_del_registro(registro) == [
        "'ordenar': falta la plantilla evaluaciones/tipos/no_existe.html."
    ]


def test_un_tipo_desconocido_falla_en_voz_alta_y_no_se_califica_a_mano():
    item = {"clave": "p1", "tipo": "calculada", "puntos": "1", "clave_correcta": {}}
    with pytest.raises(tipos.TipoSinModulo):
        instantaneas.calificable(item)
    with pytest.raises(tipos.TipoSinModulo):
        tipos.modulo("calculada")


def test_una_clave_sin_regla_no_cae_en_otra_regla():
    @dataclass(frozen=True)
    class ClaveNueva:
        pass

    pregunta = PreguntaCalificable("p", TipoPregunta.ORDENAR, Decimal(1), ClaveNueva())
    with pytest.raises(TypeError, match="ClaveNueva"):
        calificar_pregunta(pregunta, {"a": 1})


def test_un_modulo_sin_correspondencia_con_moodle_detiene_el_arranque():
    class SinMoodle(type(tipos.REGISTRO[TipoPregunta.RELACIONAR])):
        tipo_moodle = ""

    registro = {**tipos.REGISTRO, TipoPregunta.RELACIONAR: SinMoodle()}
    assert tipos.problemas_del_registro(registro) == [
        "'relacionar': falta su correspondencia con Moodle XML."
    ]


def test_los_creditos_de_la_exportacion_son_los_de_la_calificacion():
    """One truth: Moodle XML writes the credits each type's key scores with."""
    from types import SimpleNamespace

    modulo = tipos.REGISTRO[TipoPregunta.OPCION_MULTIPLE]
    opciones = [
        SimpleNamespace(pk=i, correcta=c, fraccion=None) for i, c in enumerate([1, 1, 0, 0])
    ]
    clave = modulo.clave(None, opciones)
    assert [str(c) for c in modulo.creditos(opciones)] == list(clave["fracciones"].values())
