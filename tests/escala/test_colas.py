"""Scale-out: two real Celery workers on separate queues, as in docs/despliegue.md.

Worker "web-correo" consumes `default,correo`; worker "pdf-exportaciones" consumes
`pdf,exportaciones`. Each task is published the way production publishes it and must be
run by the worker of its queue, and only by it (read from each worker's own log, where
`-l info` names every task id it received). The broker is Redis database 8 when the run
has Redis (the PostgreSQL + Redis stage of .ci/run exports REDIS_URL), else kombu's
filesystem transport in a temporary folder; the workers share the test database.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest

from django.db import connection

from constancias.tasks import emitir_constancia_task
from cursos.tasks import exportar_registros_task
from lms.correo import serializar_mensaje
from lms.tasks import enviar_correo_task, ping_task

RAIZ = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PROPIAS = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "CELERY_", "LMS_")
WORKERS = {"web-correo": "default,correo", "pdf-exportaciones": "pdf,exportaciones"}


def _broker(tmp_path: Path) -> tuple[str, dict]:
    redis = os.environ.get("REDIS_URL", "")
    if redis.startswith("redis://"):
        partes = urllib.parse.urlsplit(redis)
        url = f"redis://{partes.netloc}/8"
        import redis as cliente_redis

        cliente_redis.Redis.from_url(url).flushdb()  # database 8 belongs to these tests
        return url, {}
    carpeta = tmp_path / "datos" / "broker"
    opciones = {
        "data_folder_in": str(carpeta / "out"),
        "data_folder_out": str(carpeta / "out"),
        "control_folder": str(carpeta / "control"),
        "store_processed": False,
    }
    for sub in ("out", "processed", "control"):
        (carpeta / sub).mkdir(parents=True, exist_ok=True)
    return "filesystem://", opciones


def _base_para_workers(tmp_path: Path) -> str:
    """The test database as the workers reach it (a file copy when it lives in memory).

    Needs no open transaction: SQLite's backup of a shared in-memory database waits
    forever on a write transaction of the same database.
    """
    datos = connection.settings_dict
    if connection.vendor == "sqlite":
        archivo = tmp_path / "escala.sqlite3"
        connection.ensure_connection()
        destino = sqlite3.connect(archivo)
        try:
            connection.connection.backup(destino)
        finally:
            destino.close()
        return f"sqlite:///{archivo}"
    clave = f":{datos['PASSWORD']}" if datos.get("PASSWORD") else ""
    return (
        f"postgres://{datos['USER']}{clave}@{datos['HOST'] or '127.0.0.1'}:"
        f"{datos['PORT'] or 5432}/{datos['NAME']}"
    )


def _esperar(condicion, segundos: float, que: str) -> None:
    limite = time.monotonic() + segundos
    while not condicion():
        if time.monotonic() > limite:
            pytest.fail(f"Tiempo agotado ({segundos:.0f} s) esperando {que}")
        time.sleep(0.3)


@pytest.fixture
def dos_workers(transactional_db, tmp_path):
    broker, opciones = _broker(tmp_path)
    entorno = {k: v for k, v in os.environ.items() if not k.startswith(PROPIAS)}
    entorno.update(
        DJANGO_SETTINGS_MODULE="lms.settings.test",
        PYTHONUNBUFFERED="1",
        DATABASE_URL=_base_para_workers(tmp_path),
        CELERY_BROKER_URL=broker,
        CELERY_RESULT_BACKEND="cache+memory://",
        LMS_DATA_DIR=str(tmp_path / "datos"),
    )
    sufijo = uuid.uuid4().hex[:6]
    procesos: dict[str, tuple[subprocess.Popen, Path]] = {}
    try:
        for nombre, colas in WORKERS.items():
            bitacora = tmp_path / f"{nombre}.log"
            with bitacora.open("wb") as salida:
                procesos[nombre] = (
                    subprocess.Popen(
                        [
                            str(BIN / "celery"),
                            "-A",
                            "lms",
                            "worker",
                            "-l",
                            "info",
                            "-Q",
                            colas,
                            "-n",
                            f"{nombre}-{sufijo}@%h",
                            "--concurrency",
                            "1",
                            "--without-gossip",
                            "--without-mingle",
                            "--without-heartbeat",
                        ],
                        cwd=RAIZ,
                        env=entorno,
                        stdout=salida,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        start_new_session=True,
                    ),
                    bitacora,
                )
        for nombre, (proceso, bitacora) in procesos.items():
            _esperar(
                lambda p=proceso, b=bitacora: " ready." in b.read_text() or p.poll() is not None,
                90,
                f"que arranque el worker {nombre}",
            )
            assert proceso.poll() is None, bitacora.read_text()[-3000:]
        yield broker, opciones, {n: b for n, (_p, b) in procesos.items()}
    finally:
        for proceso, _bitacora in procesos.values():
            if proceso.poll() is None:
                os.killpg(proceso.pid, signal.SIGTERM)
        for proceso, _bitacora in procesos.values():
            try:
                proceso.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proceso.pid, signal.SIGKILL)
                proceso.wait(timeout=10)


def test_cada_tarea_la_atiende_el_worker_de_su_cola(dos_workers):
    from django.core.mail import EmailMessage

    from lms.celery import app

    broker, opciones, bitacoras = dos_workers
    correo = serializar_mensaje(
        EmailMessage("Prueba de colas", "Cuerpo", "no-responder@localhost", ["a@ejemplo.invalid"])
    )
    with app.connection_for_write(broker, transport_options=opciones) as conexion:
        enviadas = {
            # Routed by CELERY_TASK_ROUTES (settings) and by the default queue.
            "web-correo": [
                ping_task.apply_async(args=["escala"], connection=conexion).id,
                enviar_correo_task.apply_async(args=[correo], connection=conexion).id,
            ],
            # Routed to the `pdf` and `exportaciones` queues by CELERY_TASK_ROUTES.
            "pdf-exportaciones": [
                exportar_registros_task.apply_async(args=[0], connection=conexion).id,
                emitir_constancia_task.apply_async(args=[0], connection=conexion).id,
            ],
        }

    def terminadas() -> bool:
        textos = {n: b.read_text() for n, b in bitacoras.items()}
        return all(
            f"[{tarea}] succeeded" in textos[nombre]
            for nombre, tareas in enviadas.items()
            for tarea in tareas
        )

    _esperar(terminadas, 120, "que cada worker termine sus tareas")
    for nombre, tareas in enviadas.items():
        otro = next(n for n in bitacoras if n != nombre)
        texto_otro = bitacoras[otro].read_text()
        for tarea in tareas:
            assert tarea not in texto_otro, f"{otro} atendió {tarea}, que era de {nombre}"
    # Each worker's banner lists the queues it consumes: its own and no others.
    for nombre, colas in WORKERS.items():
        banner = bitacoras[nombre].read_text()
        for cola in ("default", "correo", "pdf", "exportaciones"):
            assert (f".> {cola} " in banner) == (cola in colas.split(",")), (nombre, cola)
