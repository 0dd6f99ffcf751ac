"""Start and stop the stack under test: gunicorn and one Celery worker, on loopback only."""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

COLAS = "default,correo,pdf,exportaciones"


class PilaError(RuntimeError):
    pass


def _responde(url: str, token: str) -> bool:
    cabeceras = {"Authorization": f"Bearer {token}"}
    solicitud = urllib.request.Request(url, headers=cabeceras)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(solicitud, timeout=20) as respuesta:  # noqa: S310 - loopback
            return respuesta.status == 200 and b'"worker": "ok"' in respuesta.read()
    except (OSError, urllib.error.URLError):
        return False


def _terminar(proceso: subprocess.Popen[bytes]) -> None:
    if proceso.poll() is None:
        proceso.terminate()
        try:
            proceso.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proceso.kill()
            proceso.wait(timeout=10)


@contextlib.contextmanager
def pila(
    url: str, *, workers: int, threads: int, bitacora: Path, espera: float = 120.0
) -> Iterator[None]:
    """gunicorn on `url` and a worker on every queue, ready (a real task answered) on entry.

    Both inherit this process's environment, so they see the same database, broker and
    secret key as the command that prepared the data.
    """
    partes = urllib.parse.urlsplit(url)
    bin_dir = Path(sys.executable).parent
    # The health detail (a worker's ping) needs a token: one for this run only.
    token = os.environ.get("LMS_SALUD_TOKEN") or secrets.token_urlsafe(32)
    entorno = {**os.environ, "PYTHONUNBUFFERED": "1", "LMS_SALUD_TOKEN": token}
    bitacora.mkdir(parents=True, exist_ok=True)
    comandos = {
        "gunicorn": [
            str(bin_dir / "gunicorn"),
            "lms.wsgi:application",
            "--bind",
            f"{partes.hostname}:{partes.port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--timeout",
            "120",
            "--backlog",
            "2048",
            # Like a load balancer's upstream keep-alive: idle client connections are not
            # closed under the load generator's feet (a reset would count as an error).
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        "worker": [
            str(bin_dir / "celery"),
            "-A",
            "lms",
            "worker",
            "-Q",
            COLAS,
            "--concurrency",
            "1",
            "-n",
            "carga@%h",
            "-l",
            "warning",
        ],
    }
    procesos: list[subprocess.Popen[bytes]] = []
    try:
        for nombre, comando in comandos.items():
            salida = (bitacora / f"{nombre}.log").open("ab")
            procesos.append(
                subprocess.Popen(  # noqa: S603 - fixed argv, our own binaries
                    comando, env=entorno, cwd=settings.BASE_DIR, stdout=salida, stderr=salida
                )
            )
        limite = time.monotonic() + espera
        salud = f"{partes.scheme}://{partes.netloc}/salud/detalle/?worker=1"
        while not _responde(salud, token):
            if any(p.poll() is not None for p in procesos):
                raise PilaError(f"gunicorn o el worker terminaron al iniciar; vea {bitacora}.")
            if time.monotonic() > limite:
                raise PilaError(f"La pila no respondió en {espera:.0f} s; vea {bitacora}.")
            time.sleep(1)
        yield
    finally:
        for proceso in reversed(procesos):
            _terminar(proceso)
