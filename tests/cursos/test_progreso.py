"""Completion rules as pure functions: no database."""

import datetime

import pytest

from cursos.progreso import (
    Hechos,
    LeccionRegla,
    ReglaFase,
    SesionRegla,
    evaluar_curso,
    evaluar_fase,
    siguiente_leccion,
)

T0 = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC)


def dia(n):
    return T0 + datetime.timedelta(days=n)


L1, L2, L3 = LeccionRegla(1, "Uno"), LeccionRegla(2, "Dos"), LeccionRegla(3, "Tres")
OPCIONAL = LeccionRegla(4, "Extra", obligatoria=False)
SESIONES = tuple(SesionRegla(i, f"S{i}") for i in range(10, 14))


def test_fase_completa_con_fecha_de_la_ultima_leccion_obligatoria():
    regla = ReglaFase(1, "Teórica", lecciones=(L1, L2, OPCIONAL))
    estado = evaluar_fase(regla, Hechos(lecciones={1: dia(3), 2: dia(1)}))
    assert estado.completa
    assert estado.fecha == dia(3)
    assert estado.faltantes == ()
    assert estado.porcentaje == 100


def test_leccion_opcional_no_es_requisito():
    regla = ReglaFase(1, "Teórica", lecciones=(L1, OPCIONAL))
    assert evaluar_fase(regla, Hechos(lecciones={1: dia(1)})).completa


def test_faltantes_nombran_las_lecciones_pendientes():
    regla = ReglaFase(1, "Teórica", lecciones=(L1, L2, L3))
    estado = evaluar_fase(regla, Hechos(lecciones={1: dia(1)}))
    assert not estado.completa
    assert estado.fecha is None
    assert estado.faltantes == ("completar las lecciones «Dos», «Tres»",)
    assert estado.porcentaje == 33


def test_muchas_lecciones_pendientes_se_cuentan():
    lecciones = tuple(LeccionRegla(i, f"L{i}") for i in range(1, 7))
    estado = evaluar_fase(ReglaFase(1, "F", lecciones=lecciones), Hechos())
    assert estado.faltantes == ("completar 6 lecciones obligatorias",)


@pytest.mark.parametrize(
    ("minimo", "asistidas", "completa", "fecha"),
    [
        (0, {}, True, None),
        (50, {10: dia(1)}, False, None),
        (50, {10: dia(1), 12: dia(5)}, True, dia(5)),
        (50, {10: dia(1), 12: dia(5), 13: dia(2)}, True, dia(2)),
        (75, {10: dia(1), 11: dia(2)}, False, None),
        (100, {10: dia(1), 11: dia(2), 12: dia(3), 13: dia(4)}, True, dia(4)),
    ],
)
def test_asistencia_minima_y_fecha_de_la_asistencia_que_la_alcanza(
    minimo, asistidas, completa, fecha
):
    regla = ReglaFase(1, "Práctica", sesiones=SESIONES, asistencia_minima=minimo)
    estado = evaluar_fase(regla, Hechos(asistencias=asistidas, inscrita_en=T0))
    assert estado.completa is completa
    assert estado.fecha == (fecha or (T0 if completa else None))


def test_asistencia_faltante_dice_cuantas_sesiones():
    regla = ReglaFase(1, "Práctica", sesiones=SESIONES, asistencia_minima=75)
    estado = evaluar_fase(regla, Hechos(asistencias={10: dia(1)}))
    assert estado.faltantes == ("asistir a 2 sesiones en vivo más (mínimo 75 %)",)


def test_evaluacion_y_actividad_practica_deben_aprobarse():
    regla = ReglaFase(
        1,
        "Práctica",
        lecciones=(L1,),
        evaluacion_id=7,
        evaluacion_titulo="Examen",
        actividad_id=8,
        actividad_titulo="Proyecto",
    )
    sin = evaluar_fase(regla, Hechos(lecciones={1: dia(1)}, aprobaciones={7: dia(2)}))
    assert not sin.completa
    assert sin.faltantes == ("obtener la aprobación de la actividad práctica «Proyecto»",)
    assert sin.porcentaje == 99
    con = evaluar_fase(regla, Hechos(lecciones={1: dia(1)}, aprobaciones={7: dia(2), 8: dia(9)}))
    assert con.completa
    assert con.fecha == dia(9)


def test_curso_completo_cuando_todas_las_fases_con_fecha_de_la_ultima():
    teorica = ReglaFase(1, "Teórica", lecciones=(L1,))
    practica = ReglaFase(2, "Práctica", lecciones=(L2,))
    estado = evaluar_curso([teorica, practica], Hechos(lecciones={1: dia(4), 2: dia(2)}))
    assert estado.completo
    assert estado.fecha == dia(4)
    incompleto = evaluar_curso([teorica, practica], Hechos(lecciones={1: dia(4)}))
    assert not incompleto.completo
    assert incompleto.faltantes == ("Práctica: completar la lección «Dos»",)


def test_curso_sin_fases_nunca_esta_completo():
    assert not evaluar_curso([], Hechos()).completo


@pytest.mark.parametrize(
    ("hechas", "esperada"),
    [
        ({}, 1),
        ({1: dia(1)}, 2),
        ({1: dia(1), 2: dia(2)}, 3),
        ({3: dia(1)}, 1),
        ({2: dia(5), 1: dia(1)}, 3),
        ({1: dia(1), 2: dia(2), 3: dia(3)}, None),
    ],
)
def test_siguiente_leccion_retoma_donde_se_quedo(hechas, esperada):
    reglas = [ReglaFase(1, "A", lecciones=(L1, L2)), ReglaFase(2, "B", lecciones=(L3,))]
    siguiente = siguiente_leccion(reglas, Hechos(lecciones=hechas))
    assert (siguiente.id if siguiente else None) == esperada
