"""`manage.py servir`: the serving part of `make run`, the web server and a Celery worker.

The worker runs with an embedded beat (`-B`), so it forks a beat process and a prefork
pool; the development server forks its autoreloading child. Each of the two runs in a
process group of its own, and this supervisor is the only one that signals them:

- Ctrl-C (SIGINT to the terminal's foreground group, which holds `make` and this process
  but not the children), SIGTERM (`make` forwards it to its recipe) or SIGHUP make it send
  SIGTERM to both groups, wait up to `--espera` seconds and SIGKILL whatever is left. A
  second Ctrl-C skips the wait. Tasks are acknowledged late, so a task cut short by the
  SIGKILL is delivered again on the next start.
- When one of the two exits by itself, the other is stopped too and the command fails:
  half a stack never keeps running unnoticed.
- Should this process die without cleaning up (SIGKILL), Linux sends each child SIGTERM
  (PR_SET_PDEATHSIG) and each stops its own children.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

COLAS = "default,correo,pdf,exportaciones"
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
# After SIGKILL the kernel frees a process at once; this only bounds a stuck wait.
ESPERA_TRAS_SIGKILL = 5.0
SENALES_DE_PARADA = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _prctl(opcion: int, valor: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(opcion, valor)


def _terminar_con_el_padre() -> None:
    """In the child, before exec: receive SIGTERM when the supervisor dies."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _recoger_huerfanos(propios: set[int]) -> None:
    """Reap exited descendants re-parented to us (we are their subreaper), not our leaders."""
    for entrada in Path("/proc").iterdir():
        if not entrada.name.isdigit() or int(entrada.name) in propios:
            continue
        try:
            estado = (entrada / "stat").read_text()
        except OSError:
            continue
        # "pid (name) state ppid ...": the name may hold spaces or parentheses.
        campos = estado.rsplit(")", 1)[-1].split()
        if campos[0] == "Z" and int(campos[1]) == os.getpid():
            with contextlib.suppress(ChildProcessError):
                os.waitpid(int(entrada.name), os.WNOHANG)


@dataclass
class Hijo:
    """One child command, leader of its own process group."""

    nombre: str
    args: list[str]
    popen: subprocess.Popen[bytes] | None = None

    def iniciar(self) -> None:
        self.popen = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            self.args,
            start_new_session=True,
            preexec_fn=_terminar_con_el_padre,
        )

    @property
    def vivo(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def grupo_vacio(self) -> bool:
        """Whether no process of the group remains (the leader reaped, its children gone)."""
        if self.popen is None:
            return True
        if self.popen.poll() is None:
            return False
        try:
            os.killpg(self.popen.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # the group id was reused by someone else's process
            return True
        return False

    def detener(self) -> None:
        """SIGTERM to the leader alone: Celery and runserver each stop their own children."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)

    def matar(self) -> None:
        """SIGKILL to the whole group, so no child of the leader survives it."""
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=ESPERA_TRAS_SIGKILL)


class Command(BaseCommand):
    help = _(
        "Sirve el sitio con el servidor de desarrollo y un worker de Celery (con beat). "
        "Ctrl-C o SIGTERM detienen ambos en segundos, sin dejar procesos."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--espera",
            type=float,
            default=15.0,
            help=_("Segundos de gracia antes de forzar la salida (SIGKILL)."),
        )

    def handle(self, *args: Any, **opciones: Any) -> None:
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        hijos = [
            Hijo("web", [python, manage, "runserver", f"{opciones['host']}:{opciones['port']}"]),
            Hijo(
                "worker",
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "lms",
                    "worker",
                    "-B",
                    "-l",
                    "warning",
                    "-Q",
                    COLAS,
                    "--concurrency",
                    "2",
                    "--schedule",
                    str(settings.DATA_DIR / "celerybeat-schedule"),
                ],
            ),
        ]
        recibidas: list[int] = []

        def al_recibir(numero: int, _marco: FrameType | None) -> None:
            recibidas.append(numero)

        for senal in SENALES_DE_PARADA:
            signal.signal(senal, al_recibir)
        # A grandchild whose parent died is re-parented to us, not to init: we reap it,
        # so an empty process group really means nothing is left.
        _prctl(PR_SET_CHILD_SUBREAPER, 1)

        for hijo in hijos:
            hijo.iniciar()
        caido = None
        while not recibidas and caido is None:
            caido = next((h for h in hijos if not h.vivo), None)
            time.sleep(0.1)

        self.stderr.write(_("Deteniendo el servidor y el worker…"))
        if not self._detener(hijos, opciones["espera"], recibidas):
            raise CommandError(_("Algunos procesos no terminaron ni con SIGKILL."))
        if caido is not None and not recibidas:
            codigo = caido.popen.returncode if caido.popen is not None else None
            raise CommandError(
                _("El proceso «%(nombre)s» terminó solo (código %(codigo)s); se detuvo todo.")
                % {"nombre": caido.nombre, "codigo": codigo}
            )
        self.stderr.write(_("Listo: no quedó ningún proceso."))

    def _detener(self, hijos: list[Hijo], espera: float, recibidas: list[int]) -> bool:
        """Whether every process of both groups is gone: SIGTERM to each leader, then
        SIGKILL to each group after `espera` s or at a second Ctrl-C or SIGTERM."""
        senales_antes = len(recibidas)
        for hijo in hijos:
            hijo.detener()
        propios = {h.popen.pid for h in hijos if h.popen is not None}
        limite = time.monotonic() + espera
        forzado = False
        while not all(h.grupo_vacio() for h in hijos):
            if not forzado and (time.monotonic() > limite or len(recibidas) > senales_antes):
                for hijo in hijos:
                    hijo.matar()
                forzado, limite = True, time.monotonic() + ESPERA_TRAS_SIGKILL
            elif forzado and time.monotonic() > limite:
                return False
            _recoger_huerfanos(propios)
            time.sleep(0.05)
        return True
