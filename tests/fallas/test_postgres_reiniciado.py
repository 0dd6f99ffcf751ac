"""PostgreSQL restarted (immediate shutdown, as a crash) while gunicorn serves saves.

The cluster is the test's own: `initdb` in a temporary folder, `postgres` on a port of
15433-15439 listening on 127.0.0.1 only, run as the `postgres` system user when the
suite runs as root (PostgreSQL refuses to run as root). The PostgreSQL of the machine
(5432) is never touched.

Two participants save answers through gunicorn without pause. Mid-way the server dies
and comes back. Requests during the outage get the Spanish error page (and /salud/ a
503); every save that was answered 200 is in the database afterwards; and once the
server accepts connections again the same gunicorn processes serve saves again without
a restart of the application: a persistent connection broken by the restart is noticed
before use (`CONN_HEALTH_CHECKS`, lms/settings/base.py) instead of failing a request.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.fallas.conftest import (
    PUERTOS_POSTGRES,
    Procesos,
    entorno,
    esperar,
    guardar,
    iniciar_gunicorn,
    preparar_base,
    puerto_libre,
    sesion_http,
)

pytestmark = pytest.mark.fallas


def _binarios() -> Path | None:
    preferido = Path("/usr/lib/postgresql/15/bin")
    if (preferido / "initdb").exists():
        return preferido
    otros = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(otros[-1]).parent if otros else None


@dataclass
class ClusterPropio:
    binarios: Path
    carpeta: Path
    puerto: int
    procesos: Procesos
    usuario: str | None
    proceso: object = None

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.puerto}/lms"

    def _como_dueno(self):
        if self.usuario is None:
            return None
        cuenta = pwd.getpwnam(self.usuario)

        def cambiar() -> None:
            os.setgid(cuenta.pw_gid)
            os.setuid(cuenta.pw_uid)

        return cambiar

    def _psql(self, sql: str, base: str = "postgres") -> str:
        resultado = subprocess.run(
            [str(self.binarios / "psql"), "-h", "127.0.0.1", "-p", str(self.puerto), "-U",
             "postgres", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql, base],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert resultado.returncode == 0, resultado.stderr
        return resultado.stdout

    def crear(self) -> None:
        resultado = subprocess.run(
            [str(self.binarios / "initdb"), "-D", str(self.carpeta / "datos"), "-U", "postgres",
             "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C.UTF-8"],
            capture_output=True, text=True, timeout=120, check=False,
            preexec_fn=self._como_dueno(),
        )  # fmt: skip
        assert resultado.returncode == 0, resultado.stderr

    def iniciar(self, *ajustes: str) -> None:
        argumentos = [
            str(self.binarios / "postgres"), "-D", str(self.carpeta / "datos"),
            "-p", str(self.puerto), "-c", "listen_addresses=127.0.0.1",
            "-c", f"unix_socket_directories={self.carpeta}",
        ]  # fmt: skip
        for ajuste in ajustes:
            argumentos += ["-c", ajuste]
        self.proceso = self.procesos.iniciar(
            f"postgres-{time.monotonic_ns()}", argumentos, entorno(), usuario=self.usuario
        )
        esperar(self.responde, segundos=60, que="que el PostgreSQL propio acepte conexiones")

    def responde(self) -> bool:
        orden = [
            str(self.binarios / "pg_isready"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.puerto),
            "-U",
            "postgres",
        ]
        return subprocess.run(orden, capture_output=True, check=False).returncode == 0

    def tirar(self) -> None:
        """Immediate shutdown: backends die, no checkpoint; recovery replays the WAL."""
        import signal

        self.proceso.senal(signal.SIGQUIT)
        self.proceso.popen.wait(timeout=60)


@pytest.fixture
def cluster(procesos):
    binarios = _binarios()
    if binarios is None:
        pytest.skip("No está instalado PostgreSQL (/usr/lib/postgresql/*/bin/initdb).")
    usuario = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("Como root hace falta el usuario de sistema postgres para initdb.")
        usuario = "postgres"
    # Not under pytest's tmp_path: its parents are private to root.
    carpeta = Path(tempfile.mkdtemp(prefix="fallas-pg-", dir="/tmp"))
    try:
        if usuario is not None:
            cuenta = pwd.getpwnam(usuario)
            os.chown(carpeta, cuenta.pw_uid, cuenta.pw_gid)
        cluster = ClusterPropio(
            binarios, carpeta, puerto_libre(PUERTOS_POSTGRES), procesos, usuario
        )
        cluster.crear()
        yield cluster
    finally:
        for proceso in reversed(procesos.iniciados):  # gunicorn before its database
            proceso.detener()
        shutil.rmtree(carpeta, ignore_errors=True)


@dataclass
class Registro:
    confirmadas: dict[str, str] = field(default_factory=dict)
    fallidas: list[tuple[float, int, str]] = field(default_factory=list)
    exitos: list[float] = field(default_factory=list)


def _guardar_sin_parar(sesion, base, intento, registro: Registro, alto: threading.Event) -> None:
    n = 0
    while not alto.is_set():
        clave = intento["claves"][n % len(intento["claves"])]
        valor = f"{intento['id']}-{n}"
        n += 1
        try:
            respuesta = guardar(sesion, base, intento, clave, valor, timeout=30)
        except requests.RequestException as error:
            registro.fallidas.append((time.monotonic(), 0, str(error)))
            continue
        if respuesta.status_code == 200:
            registro.confirmadas[clave] = valor
            registro.exitos.append(time.monotonic())
        else:
            registro.fallidas.append((time.monotonic(), respuesta.status_code, respuesta.text))
        time.sleep(0.05)


def test_postgres_reiniciado_bajo_carga_no_pierde_lo_confirmado_y_se_recupera_solo(
    cluster, procesos, tmp_path
):
    # Durability is off only while the schema is built, then on for the test itself.
    cluster.iniciar("fsync=off", "synchronous_commit=off")
    cluster._psql("CREATE DATABASE lms")
    datos = preparar_base(cluster.url, tmp_path, personas=2, preguntas=40)
    cluster.tirar()
    cluster.iniciar()
    gunicorn, base = iniciar_gunicorn(procesos, url=cluster.url, datos=tmp_path, workers=2)
    maestro = gunicorn.popen.pid

    registros = [Registro() for _i in datos["intentos"]]
    alto = threading.Event()
    hilos = [
        threading.Thread(
            target=_guardar_sin_parar, args=(sesion_http(i), base, i, r, alto), daemon=True
        )
        for i, r in zip(datos["intentos"], registros, strict=True)
    ]
    for hilo in hilos:
        hilo.start()
    try:
        esperar(lambda: all(len(r.exitos) >= 5 for r in registros), segundos=60, que="carga")
        caida = time.monotonic()
        cluster.tirar()
        # The public check says only that this host cannot serve (each process may reuse
        # its last answer for LMS_SALUD_CACHE_SEGUNDOS, so it is polled).
        # A Response is falsy when its status is an error: wrap it so `esperar` sees it.
        (salud,) = esperar(
            lambda: (r := requests.get(f"{base}/salud/", timeout=30)).status_code == 503 and (r,),
            segundos=30,
            que="/salud/ 503 durante la caída",
        )
        assert salud.json() == {"estado": "error"}
        esperar(
            lambda: all(any(t > caida for t, *_ in r.fallidas) for r in registros),
            segundos=60,
            que="guardados rechazados durante la caída",
        )
        cluster.iniciar()
        de_vuelta = time.monotonic()
        esperar(
            lambda: all(sum(t > de_vuelta for t in r.exitos) >= 5 for r in registros),
            segundos=60,
            que="que los guardados vuelvan a funcionar",
        )
    finally:
        alto.set()
        for hilo in hilos:
            hilo.join(timeout=40)

    assert gunicorn.vivo, "gunicorn se cayó"
    assert gunicorn.popen.pid == maestro, "gunicorn se reinició"
    for registro in registros:
        # Every refusal is the Spanish error page, never a dropped connection.
        for _t, estado, texto in registro.fallidas:
            assert estado == 500, (estado, texto[:300])
            assert "Algo salió mal de nuestro lado" in texto
            assert "Sus datos guardados no se perdieron" in texto
        # Once the server was back, no request failed for a stale connection.
        assert not [f for f in registro.fallidas if f[0] > de_vuelta + 1]

    filas = cluster._psql(
        "SELECT intento_id, clave, valor FROM evaluaciones_respuesta", base="lms"
    ).splitlines()
    guardadas = {}
    for fila in filas:
        intento_id, clave, valor = fila.split("|", 2)
        guardadas[(int(intento_id), clave)] = json.loads(valor)
    for intento, registro in zip(datos["intentos"], registros, strict=True):
        for clave, valor in registro.confirmadas.items():
            assert guardadas[(intento["id"], clave)] == valor, "se perdió un guardado confirmado"
