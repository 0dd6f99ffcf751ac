"""Fault tests: real processes (Celery worker, Redis, PostgreSQL, gunicorn) killed mid-work.

Every process a test starts runs in its own session and is stopped by its process-group
id in a `finally` (the `procesos` fixture): nothing outlives the test, and nothing that
the test did not start is ever signalled. Everything listens on 127.0.0.1 only, on ports
16390-16399 (Redis), 15433-15439 (PostgreSQL) and 18000-18099 (HTTP).

A worker needs the test's database: on PostgreSQL it is pytest-django's test database
itself (the tests are transactional, so the worker sees committed rows); on SQLite, whose
test database lives in memory, `base_compartida` copies it to a file with SQLite's backup
API before the worker starts and copies the file back afterwards.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

RAIZ = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PUERTOS_REDIS = range(16390, 16400)
PUERTOS_POSTGRES = range(15433, 15440)
PUERTOS_HTTP = range(18000, 18100)
# Bound on starting a process (Django's start-up); generous because CI machines are shared.
# On an idle machine every test here takes well under a minute.
ARRANQUE = float(os.environ.get("LMS_FALLAS_ARRANQUE", "150"))
VARIABLES_PROPIAS = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "CELERY_", "LMS_", "CONSTANCIAS_")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fallas: fault tests with real processes (Celery worker, Redis, PostgreSQL, gunicorn)",
    )


def puerto_libre(rango: range) -> int:
    """The first port of `rango` nobody listens on at 127.0.0.1."""
    for puerto in rango:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as prueba:
            prueba.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                prueba.bind(("127.0.0.1", puerto))
            except OSError:
                continue
            return puerto
    pytest.fail(f"No hay puerto libre en {rango.start}-{rango.stop - 1}.")


def esperar(condicion: Callable[[], Any], *, segundos: float, que: str, paso: float = 0.2) -> Any:
    """Poll `condicion` until it returns something truthy; fail with `que` after `segundos`."""
    limite = time.monotonic() + segundos
    while True:
        try:
            valor = condicion()
        except Exception:  # noqa: BLE001 - the service may be starting or down on purpose
            valor = None
        if valor:
            return valor
        if time.monotonic() > limite:
            pytest.fail(f"Tiempo agotado ({segundos:.0f} s) esperando: {que}")
        time.sleep(paso)


def entorno(**variables: str) -> dict[str, str]:
    """This process's environment without the project's settings, plus `variables`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(VARIABLES_PROPIAS)}
    base.update({"DJANGO_SETTINGS_MODULE": "lms.settings.test", "PYTHONUNBUFFERED": "1"})
    base.update(variables)
    return base


def _morir_con_pytest() -> None:
    """Ask Linux to SIGKILL the child when pytest dies, even by SIGKILL (no finally runs)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _preparar_hijo(usuario: str | None) -> Callable[[], None]:
    def preparar() -> None:
        if usuario is not None:
            import pwd

            cuenta = pwd.getpwnam(usuario)
            os.setgid(cuenta.pw_gid)
            os.setuid(cuenta.pw_uid)
        # After setuid: a change of credentials clears the parent-death signal.
        _morir_con_pytest()

    return preparar


@dataclass
class Proceso:
    """A child process in its own session, signalled only through its own group id."""

    nombre: str
    args: list[str]
    env: dict[str, str]
    bitacora: Path
    usuario: str | None = None
    popen: subprocess.Popen[bytes] | None = None

    def iniciar(self) -> Proceso:
        with self.bitacora.open("ab") as salida:
            self.popen = subprocess.Popen(
                self.args,
                cwd=RAIZ,
                env=self.env,
                stdout=salida,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_preparar_hijo(self.usuario),
            )
        return self

    @property
    def vivo(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def senal(self, senal: int) -> None:
        if self.vivo:
            assert self.popen is not None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, senal)

    def matar(self) -> None:
        """SIGKILL to the whole group (a crash: no cleanup runs), then reap it."""
        self.senal(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait(timeout=20)

    def detener(self, espera: float = 15) -> None:
        """SIGTERM, then SIGKILL if it does not exit within `espera` seconds."""
        if not self.vivo:
            return
        self.senal(signal.SIGTERM)
        assert self.popen is not None
        try:
            self.popen.wait(timeout=espera)
        except subprocess.TimeoutExpired:
            self.matar()
        # A group leader that exited may leave children (a prefork pool) behind.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)

    def registro(self) -> str:
        return self.bitacora.read_text(errors="replace") if self.bitacora.exists() else ""


@dataclass
class Procesos:
    carpeta: Path
    iniciados: list[Proceso] = field(default_factory=list)

    def iniciar(
        self, nombre: str, args: list[str], env: dict[str, str], usuario: str | None = None
    ) -> Proceso:
        proceso = Proceso(nombre, args, env, self.carpeta / f"{nombre}.log", usuario)
        self.iniciados.append(proceso)
        return proceso.iniciar()

    def registros(self) -> str:
        return "\n".join(f"--- {p.nombre} ---\n{p.registro()[-4000:]}" for p in self.iniciados)


@pytest.fixture(autouse=True)
def _sin_broker_del_entorno(monkeypatch: pytest.MonkeyPatch) -> None:
    """Celery prefers the CELERY_BROKER_URL environment variable over any configured URL.

    `.ci/run` exports it for its PostgreSQL + Redis stage; left in place, this process
    would publish to that broker instead of the test's own Redis. The workers these tests
    start get their broker explicitly.
    """
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)


@pytest.fixture
def procesos(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Procesos]:
    """Start processes through this; every one is stopped when the test ends, pass or fail."""
    registro = Procesos(tmp_path / "procesos")
    registro.carpeta.mkdir()
    try:
        yield registro
    finally:
        for proceso in reversed(registro.iniciados):
            proceso.detener(espera=10)
        informe = getattr(request.node, "rep_call", None)
        if informe is not None and informe.failed:
            print(registro.registros())  # noqa: T201 - shown by pytest on failure


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    informe = yield
    setattr(item, f"rep_{informe.when}", informe)
    return informe


# --- Redis of our own -----------------------------------------------------------------


@dataclass
class RedisPropio:
    puerto: int
    carpeta: Path
    procesos: Procesos
    proceso: Proceso | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.puerto}/0"

    def responde(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(host="127.0.0.1", port=self.puerto, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def iniciar(self) -> None:
        self.proceso = self.procesos.iniciar(
            f"redis-{time.monotonic_ns()}",
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.puerto),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.carpeta),
            ],
            entorno(),
        )
        esperar(self.responde, segundos=15, que=f"redis-server en el puerto {self.puerto}")

    def tirar(self) -> None:
        """Kill the broker as a crash would (everything in it is lost: --save '')."""
        assert self.proceso is not None
        self.proceso.matar()
        esperar(lambda: not self.responde(), segundos=5, que="que Redis deje de responder")


@pytest.fixture
def redis_propio(procesos: Procesos, tmp_path: Path) -> RedisPropio:
    if shutil.which("redis-server") is None:
        pytest.skip("No está instalado redis-server (apt-get install redis-server).")
    carpeta = tmp_path / "redis"
    carpeta.mkdir()
    servidor = RedisPropio(puerto_libre(PUERTOS_REDIS), carpeta, procesos)
    servidor.iniciar()
    return servidor


@contextmanager
def broker_de_la_app(url: str) -> Iterator[None]:
    """Point this process's Celery app (what `.delay()` uses) at `url` for a while."""
    from lms.celery import app

    anterior = app.conf.broker_url

    def olvidar_conexiones() -> None:
        # Dropped, not closed: kombu keeps pools in a process-wide registry by URL, and a
        # closed one would be handed to the next client of the same broker.
        app._pool = None
        if "amqp" in app.__dict__:
            app.amqp._producer_pool = None

    olvidar_conexiones()
    app.conf.broker_url = url
    try:
        yield
    finally:
        olvidar_conexiones()
        app.conf.broker_url = anterior


def enviar_tarea(url_broker: str, nombre: str, *args: Any) -> None:
    """Send a task by name through `url_broker`, as celery beat or another host would."""
    from celery import Celery

    cliente = Celery("fallas", broker=url_broker)
    with cliente.connection_for_write() as conexion:
        cliente.send_task(nombre, args=list(args), queue="default", connection=conexion)


# --- The test database, shared with other processes ----------------------------------


@dataclass
class BaseCompartida:
    url: str
    archivo: Path | None  # SQLite: the file copy the other processes use

    def publicar(self) -> None:
        """Make what this process wrote visible to the other processes."""
        if self.archivo is None:
            return
        from django.db import connection

        connection.ensure_connection()
        self.archivo.unlink(missing_ok=True)
        destino = sqlite3.connect(self.archivo)
        try:
            connection.connection.backup(destino)
        finally:
            destino.close()

    def recoger(self) -> None:
        """Bring what the other processes wrote back into this process's database."""
        if self.archivo is None:
            return
        from django.db import connection

        connection.close()
        connection.ensure_connection()
        fuente = sqlite3.connect(self.archivo)
        try:
            fuente.backup(connection.connection)
        finally:
            fuente.close()

    def valor(self, sql: str, *parametros: Any) -> Any:
        """The first column of the first row of `sql`, read as the other processes see it."""
        if self.archivo is not None:
            conexion = sqlite3.connect(self.archivo, timeout=20)
            try:
                fila = conexion.execute(sql.replace("%s", "?"), parametros).fetchone()
            finally:
                conexion.close()
        else:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute(sql, parametros)
                fila = cursor.fetchone()
        return None if fila is None else fila[0]

    def ejecutar(self, sql: str, *parametros: Any) -> None:
        """Run a write as another process would, committed at once."""
        if self.archivo is not None:
            conexion = sqlite3.connect(self.archivo, timeout=20)
            try:
                with conexion:
                    conexion.execute(sql.replace("%s", "?"), parametros)
            finally:
                conexion.close()
        else:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute(sql, parametros)


@pytest.fixture
def base_compartida(transactional_db: None, tmp_path: Path) -> BaseCompartida:
    from django.db import connection

    datos = connection.settings_dict
    if connection.vendor == "sqlite":
        archivo = tmp_path / "compartida.sqlite3"
        return BaseCompartida(url=f"sqlite:///{archivo}", archivo=archivo)
    clave = f":{datos['PASSWORD']}" if datos.get("PASSWORD") else ""
    url = (
        f"postgres://{datos['USER']}{clave}@{datos['HOST'] or '127.0.0.1'}:"
        f"{datos['PORT'] or 5432}/{datos['NAME']}"
    )
    return BaseCompartida(url=url, archivo=None)


def iniciar_worker(
    procesos: Procesos,
    *,
    base: BaseCompartida,
    broker: str,
    datos: Path,
    nombre: str = "worker",
    **variables: str,
) -> Proceso:
    """A real `celery -A lms worker` (prefork, one child) on the four queues."""
    worker = procesos.iniciar(
        nombre,
        [
            str(BIN / "celery"),
            "-A",
            "lms",
            "worker",
            "-l",
            "info",
            "-Q",
            "default,correo,pdf,exportaciones",
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"fallas-{uuid.uuid4().hex[:8]}@%h",
        ],
        entorno(
            DATABASE_URL=base.url,
            CELERY_BROKER_URL=broker,
            CELERY_RESULT_BACKEND="cache+memory://",
            LMS_DATA_DIR=str(datos),
            **variables,
        ),
    )
    esperar(
        lambda: " ready." in worker.registro() or not worker.vivo,
        segundos=ARRANQUE,
        que=f"que el worker {nombre} arranque",
    )
    assert worker.vivo, f"El worker no arrancó:\n{worker.registro()[-3000:]}"
    return worker


# --- A brand-new database of a test's own, served by gunicorn --------------------------

SEMILLA = """
import json
from django.test import Client
from evaluaciones.models import Pregunta
from tests.conftest import sembrar_datos_base
from tests.factories import PreguntaFactory, UsuarioFactory
from tests.factories.evaluaciones import evaluacion_con
from tests.factories.evaluaciones_cursos import iniciar

sembrar_datos_base()
salida = {"intentos": []}
for _i in range(%(personas)d):
    persona = UsuarioFactory(organizacion=None)
    preguntas = [PreguntaFactory(tipo=Pregunta.Tipo.RESPUESTA_CORTA) for _j in range(%(preguntas)d)]
    intento = iniciar(evaluacion_con(*preguntas), persona)  # enrolled in its course first
    cliente = Client()
    cliente.force_login(persona)
    salida["intentos"].append({
        "id": intento.pk,
        "claves": [p["clave"] for p in intento.instantanea["preguntas"]],
        "sesion": cliente.cookies["sessionid"].value,
    })
print("SEMILLA=" + json.dumps(salida))
"""
CSRF = "f" * 32  # an unmasked token: the cookie and the header must match


def preparar_base(url: str, datos: Path, *, personas: int = 1, preguntas: int = 30) -> dict:
    """Create the schema from the models (seconds, not the minutes of every migration) and
    seed `personas` people, each with an open attempt of `preguntas` short questions."""
    import json

    variables = entorno(
        DJANGO_SETTINGS_MODULE="tests.fallas.ajustes_sin_migraciones",
        DATABASE_URL=url,
        LMS_DATA_DIR=str(datos),
    )
    manage = [sys.executable, str(RAIZ / "manage.py")]
    for orden in (
        [*manage, "migrate", "--run-syncdb", "--noinput", "-v0"],
        [*manage, "createcachetable"],
        [*manage, "shell", "-c", SEMILLA % {"personas": personas, "preguntas": preguntas}],
    ):
        resultado = subprocess.run(
            orden, cwd=RAIZ, env=variables, capture_output=True, text=True, timeout=5 * ARRANQUE
        )
        assert resultado.returncode == 0, resultado.stdout[-2000:] + resultado.stderr[-3000:]
    linea = next(x for x in resultado.stdout.splitlines() if x.startswith("SEMILLA="))
    return json.loads(linea.removeprefix("SEMILLA="))


def iniciar_gunicorn(
    procesos: Procesos,
    *,
    url: str,
    datos: Path,
    nombre: str = "gunicorn",
    workers: int = 2,
    ajustes: str = "lms.settings.test",
) -> tuple[Proceso, str]:
    puerto = puerto_libre(PUERTOS_HTTP)
    proceso = procesos.iniciar(
        nombre,
        [
            str(BIN / "gunicorn"),
            "lms.wsgi:application",
            "--bind",
            f"127.0.0.1:{puerto}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
        ],
        entorno(
            DJANGO_SETTINGS_MODULE=ajustes,
            DATABASE_URL=url,
            LMS_DATA_DIR=str(datos),
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
        ),
    )
    base = f"http://127.0.0.1:{puerto}"
    import requests

    esperar(
        lambda: requests.get(f"{base}/aviso-de-privacidad/", timeout=5).status_code == 200,
        segundos=ARRANQUE,
        que=f"que {nombre} responda",
    )
    return proceso, base


def sesion_http(intento: dict) -> Any:
    """A requests session signed in as the attempt's owner, with a CSRF token."""
    import requests

    sesion = requests.Session()
    sesion.cookies.set("sessionid", intento["sesion"], domain="127.0.0.1")
    sesion.cookies.set("csrftoken", CSRF, domain="127.0.0.1")
    sesion.headers["X-CSRFToken"] = CSRF
    return sesion


def guardar(sesion: Any, base: str, intento: dict, clave: str, valor: str, timeout: float = 60):
    """One autosave, as the attempt page's script sends it."""
    return sesion.post(
        f"{base}/evaluaciones/intentos/{intento['id']}/guardar/",
        data={"pregunta": clave, f"p-{clave}": valor},
        timeout=timeout,
    )
