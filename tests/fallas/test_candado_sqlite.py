"""An SQLite write lock held for seconds (another connection's BEGIN IMMEDIATE) while saves arrive.

The embedded mode's SQLite waits up to 20 s for a lock (`OPTIONS["timeout"]`) and opens
every transaction IMMEDIATE, so saves that arrive while someone else writes queue and then
succeed. When the lock outlives the timeout (tried with a settings module whose timeout is
one second), the save fails whole: the participant gets the Spanish error page, nothing is
half-written, and the same save succeeds once the lock is gone.

The database is a file of the test's own, served by gunicorn, whatever backend the suite
itself runs on: the lock is a property of SQLite files.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.fallas.conftest import guardar, iniciar_gunicorn, preparar_base, sesion_http

pytestmark = pytest.mark.fallas

CANDADO_SEGUNDOS = 3
GUARDADOS = 6


def _respuestas(archivo, intento_id: int) -> dict[str, object]:
    conexion = sqlite3.connect(archivo, timeout=30)
    try:
        filas = conexion.execute(
            "SELECT clave, valor, version FROM evaluaciones_respuesta WHERE intento_id = ?",
            (intento_id,),
        ).fetchall()
    finally:
        conexion.close()
    return {clave: (json.loads(valor), version) for clave, valor, version in filas}


class _Candado:
    """Another process's write transaction, held in a thread of this one."""

    def __init__(self, archivo) -> None:
        self.conexion = sqlite3.connect(
            archivo, timeout=30, isolation_level=None, check_same_thread=False
        )

    def tomar(self) -> None:
        self.conexion.execute("BEGIN IMMEDIATE")

    def soltar(self) -> None:
        self.conexion.execute("COMMIT")
        self.conexion.close()


def _en_paralelo(sesion, base, intento, valores: dict[str, str]) -> dict[str, object]:
    with ThreadPoolExecutor(max_workers=len(valores)) as grupo:
        futuros = {
            clave: grupo.submit(guardar, sesion, base, intento, clave, valor)
            for clave, valor in valores.items()
        }
        return {clave: futuro.result() for clave, futuro in futuros.items()}


def test_guardados_esperan_un_candado_de_escritura_de_unos_segundos(procesos, tmp_path):
    archivo = tmp_path / "lms.sqlite3"
    url = f"sqlite:///{archivo}"
    (intento,) = preparar_base(url, tmp_path, preguntas=GUARDADOS)["intentos"]
    _gunicorn, base = iniciar_gunicorn(procesos, url=url, datos=tmp_path, workers=3)
    sesion = sesion_http(intento)
    assert guardar(sesion, base, intento, intento["claves"][0], "antes").status_code == 200

    candado = _Candado(archivo)
    candado.tomar()
    threading.Timer(CANDADO_SEGUNDOS, candado.soltar).start()
    inicio = time.monotonic()
    valores = {clave: f"respuesta {clave}" for clave in intento["claves"]}
    respuestas = _en_paralelo(sesion, base, intento, valores)
    tardo = time.monotonic() - inicio

    assert {c: r.status_code for c, r in respuestas.items()} == dict.fromkeys(valores, 200)
    assert tardo >= CANDADO_SEGUNDOS - 0.5, "los guardados no esperaron al candado"
    guardadas = _respuestas(archivo, intento["id"])
    assert {c: v for c, (v, _version) in guardadas.items()} == valores
    assert guardadas[intento["claves"][0]][1] == 2


def test_candado_mas_largo_que_el_timeout_falla_entero_con_mensaje_y_se_reintenta(
    procesos, tmp_path
):
    archivo = tmp_path / "lms.sqlite3"
    url = f"sqlite:///{archivo}"
    (intento,) = preparar_base(url, tmp_path, preguntas=GUARDADOS)["intentos"]
    _gunicorn, base = iniciar_gunicorn(
        procesos,
        url=url,
        datos=tmp_path,
        workers=3,
        ajustes="tests.fallas.ajustes_sqlite_impaciente",
    )
    sesion = sesion_http(intento)
    primera = intento["claves"][0]
    assert guardar(sesion, base, intento, primera, "confirmada").status_code == 200

    candado = _Candado(archivo)
    candado.tomar()
    try:
        valores = {clave: f"nueva {clave}" for clave in intento["claves"]}
        respuestas = _en_paralelo(sesion, base, intento, valores)
    finally:
        candado.soltar()

    for clave, respuesta in respuestas.items():
        assert respuesta.status_code == 500, (clave, respuesta.status_code)
        assert "Algo salió mal de nuestro lado" in respuesta.text
        assert "Sus datos guardados no se perdieron" in respuesta.text
    # Nothing half-written: the confirmed answer is intact, the refused ones absent.
    assert _respuestas(archivo, intento["id"]) == {primera: ("confirmada", 1)}

    respuestas = _en_paralelo(sesion, base, intento, valores)
    assert {c: r.status_code for c, r in respuestas.items()} == dict.fromkeys(valores, 200)
    guardadas = _respuestas(archivo, intento["id"])
    assert {c: v for c, (v, _version) in guardadas.items()} == valores
