"""Load test of the deadline scenario plus a browsing mix, against a stack on this machine.

Refuses any address other than loopback and any database whose name lacks "carga".
Prints throughput and p50/p95/p99 per kind of request, waits (bounded) for the worker to
issue the constancias, then checks the database: no lost answers, no duplicate attempts,
no duplicate constancias, every stored PDF matching its SHA-256. See docs/despliegue.md.
"""

from __future__ import annotations

import asyncio
import logging
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from constancias.carga import cliente
from constancias.carga.escenario import preparar_escenario
from constancias.carga.revision import esperar_constancias, revisar_base
from lms.carga.pila import PilaError, pila

LIMITE_PARTICIPANTES = 5000
LIMITE_SEGUNDOS = 1800


def _cpu() -> str:
    try:
        for linea in Path("/proc/cpuinfo").read_text().splitlines():
            if linea.startswith("model name"):
                return linea.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "desconocido"


class Command(BaseCommand):
    help = (
        "Prueba de carga acotada (solo 127.0.0.1): cierre de una evaluación con envío masivo "
        "más navegación y verificación de constancias; revisa la base al terminar."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--participantes", type=int, default=200)
        parser.add_argument("--preguntas", type=int, default=10)
        parser.add_argument("--concurrencia", type=int, default=50)
        parser.add_argument(
            "--ventana", type=float, default=10.0, help="Segundos en que todos envían."
        )
        parser.add_argument(
            "--verificaciones",
            type=int,
            default=None,
            help="Consultas anónimas a la verificación (por omisión, la mitad de participantes).",
        )
        parser.add_argument("--previas", type=int, default=10, help="Constancias ya emitidas.")
        parser.add_argument("--url", default="http://127.0.0.1:18100")
        parser.add_argument(
            "--iniciar-pila",
            action="store_true",
            help="Inicia gunicorn y un worker de Celery con el entorno actual.",
        )
        parser.add_argument("--workers", type=int, default=3)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--limite-segundos", type=int, default=900)
        parser.add_argument(
            "--espera-constancias",
            type=int,
            default=600,
            help="Segundos máximos para que el worker emita las constancias.",
        )
        parser.add_argument(
            "--sin-origenes-propios",
            action="store_true",
            help="Todas las verificaciones desde 127.0.0.1 (el límite por IP responde 429).",
        )

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            url = cliente.exigir_local(o["url"])
        except ValueError as error:
            raise CommandError(
                "Solo se permite medir contra esta máquina: http://127.0.0.1:<puerto>."
            ) from error
        nombre_bd = str(connection.settings_dict["NAME"])
        # pytest's throwaway databases ("test_…", in-memory SQLite) are allowed too.
        desechable = Path(nombre_bd).name.startswith("test_") or "memorydb" in nombre_bd
        if "carga" not in nombre_bd and not desechable:
            raise CommandError(
                "Use una base de datos propia cuyo nombre contenga 'carga' "
                "(p. ej. DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_carga, o "
                "LMS_DATA_DIR=var/carga para SQLite); esta es "
                f"{Path(nombre_bd).name!r}."
            )
        n = o["participantes"]
        if not 1 <= n <= LIMITE_PARTICIPANTES:
            raise CommandError(f"--participantes debe estar entre 1 y {LIMITE_PARTICIPANTES}.")
        limite = min(max(o["limite_segundos"], 10), LIMITE_SEGUNDOS)
        preguntas = min(max(o["preguntas"], 4), 50)
        verificaciones = o["verificaciones"]
        if verificaciones is None:
            verificaciones = max(10, n // 2)
        verificaciones = min(max(verificaciones, 0), 10 * LIMITE_PARTICIPANTES)

        self.stdout.write(
            f"Máquina: {_cpu()}, {os.cpu_count()} núcleos; base: {connection.vendor} "
            f"({Path(nombre_bd).name}); broker: {settings.CELERY_BROKER_URL.split('://')[0]}; "
            f"caché: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}"
        )
        self.stdout.write(f"Preparando {n} participantes, {preguntas} preguntas…")
        t0 = time.monotonic()
        # Wagtail logs every page and revision it creates; the run's own lines matter here.
        logging.getLogger("wagtail").setLevel(logging.WARNING)
        escenario = preparar_escenario(participantes=n, preguntas=preguntas, previas=o["previas"])
        self.stdout.write(f"Preparado en {time.monotonic() - t0:.1f} s ({escenario.marca}).")
        opciones = cliente.Opciones(
            concurrencia=max(1, o["concurrencia"]),
            ventana=max(0.0, o["ventana"]),
            verificaciones=verificaciones,
            origenes_propios=not o["sin_origenes_propios"],
            # Production settings trust X-Forwarded-Proto from the proxy; the others see http.
            esquema="https" if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) else "http",
        )
        with tempfile.TemporaryDirectory(prefix="carga-") as temporal:
            bitacora = Path(temporal)
            try:
                if o["iniciar_pila"]:
                    self.stdout.write(
                        f"Iniciando gunicorn ({o['workers']}x{o['threads']} hilos) y un worker "
                        f"en {url}…"
                    )
                    with pila(url, workers=o["workers"], threads=o["threads"], bitacora=bitacora):
                        self._correr(url, escenario, opciones, limite, o["espera_constancias"])
                else:
                    self._correr(url, escenario, opciones, limite, o["espera_constancias"])
            except PilaError as error:
                for archivo in sorted(bitacora.glob("*.log")):
                    self.stderr.write(f"--- {archivo.name}\n{archivo.read_text()[-3000:]}")
                raise CommandError(str(error)) from error
        self._revisar(escenario)

    def _correr(self, url: str, escenario: Any, opciones: Any, limite: int, espera: int) -> None:
        self.stdout.write(
            f"Carga: {len(escenario.participantes)} participantes, concurrencia "
            f"{opciones.concurrencia}, ventana de envío {opciones.ventana:.0f} s, "
            f"{opciones.verificaciones} verificaciones; límite {limite} s."
        )
        try:
            resultado = asyncio.run(
                asyncio.wait_for(cliente.ejecutar_carga(url, escenario, opciones), limite)
            )
        except TimeoutError as error:
            raise CommandError(f"La carga no terminó en {limite} s.") from error
        total = sum(m.total for m in resultado.mediciones.values())
        self.stdout.write(
            f"Solicitudes: {total} en {resultado.segundos:.1f} s = "
            f"{total / max(resultado.segundos, 1e-9):.1f}/s"
        )
        for tipo, medicion in resultado.mediciones.items():
            self.stdout.write("  " + medicion.linea(tipo))
        segundos = esperar_constancias(escenario, segundos=espera)
        self.stdout.write(
            f"Constancias emitidas por el worker; espera tras la carga: {segundos:.1f} s"
        )

    def _revisar(self, escenario: Any) -> None:
        revision = revisar_base(escenario)
        self.stdout.write(
            "Revisión de la base: " + ", ".join(f"{k}={v}" for k, v in revision.cifras.items())
        )
        if revision.problemas:
            for problema in revision.problemas:
                self.stderr.write(f"  PROBLEMA: {problema}")
            raise CommandError("La revisión de la base encontró problemas.")
        self.stdout.write(
            self.style.SUCCESS(
                "Sin respuestas perdidas, sin intentos ni constancias duplicados; "
                "cada PDF coincide con su SHA-256."
            )
        )
