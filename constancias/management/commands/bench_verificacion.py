"""Benchmark of the public verification page (the QR's target) against gunicorn (not a test).

Issues a few real constancias in a database whose name contains "bench", starts gunicorn
with the production settings on 127.0.0.1 (with --iniciar-gunicorn), and for a fixed time
requests /constancias/verificar/<code>/ from many keep-alive connections, as a reverse
proxy would: each request names its visitor in X-Forwarded-For (gunicorn trusts
127.0.0.1 as the proxy), a new visitor every few requests so the per-address limit is
not what is measured. By default 90 % of the requests carry a valid code, 10 % an
unknown one (--invalidos).
Reports requests per second, latency percentiles, errors and the CPU time per request
of gunicorn, PostgreSQL and this generator, then flushes the buffered lookup log and
checks that every answered request has its row.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone

from constancias import services
from constancias.management.commands.bench_constancias import (
    _borrar_escenario,
    _crear_escenario,
    _diseno_de_prueba,
    _modelo_cpu,
)
from constancias.models import ReglaConstancia, VerificacionConsulta
from cursos.management.commands.bench_evaluaciones import MedidorCPU
from lms.carga.medicion import Medicion

PETICIONES_POR_VISITANTE = 20


class Command(BaseCommand):
    help = (
        "Mide la página pública de verificación de constancias (la que abre el QR) contra "
        "gunicorn con los ajustes de producción, PostgreSQL y Redis (no es una prueba)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--constancias", type=int, default=50)
        parser.add_argument("--segundos", type=float, default=20.0)
        parser.add_argument("--calentamiento", type=float, default=3.0)
        parser.add_argument("--conexiones", type=int, default=64)
        parser.add_argument(
            "--invalidos", type=float, default=10.0, help="Porcentaje de códigos inexistentes."
        )
        parser.add_argument("--url", default="http://127.0.0.1:8766")
        parser.add_argument("--iniciar-gunicorn", action="store_true")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument(
            "--pid-gunicorn",
            type=int,
            default=None,
            help="Sin --iniciar-gunicorn: PID del maestro de gunicorn, para medir su CPU.",
        )
        parser.add_argument(
            "--sin-cache",
            action="store_true",
            help="gunicorn sin la página guardada ni el registro en lote (para comparar).",
        )

    def handle(self, *args: Any, **opciones: Any) -> None:
        nombre_bd = str(settings.DATABASES["default"]["NAME"])
        if connection.vendor != "postgresql" or "bench" not in nombre_bd:
            raise CommandError(
                "Use PostgreSQL y una base de datos cuyo nombre contenga 'bench' "
                "(DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench)."
            )
        if not settings.REDIS_URL:
            raise CommandError("Defina REDIS_URL: la producción guarda la caché en Redis.")
        url = opciones["url"].rstrip("/")
        partes = urllib.parse.urlsplit(url)
        if partes.scheme != "http" or partes.hostname not in ("127.0.0.1", "localhost"):
            raise CommandError("Solo se permite medir contra la interfaz local (127.0.0.1).")
        segundos = min(max(opciones["segundos"], 1.0), 300.0)
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        logging.getLogger("fontTools").setLevel(logging.WARNING)

        with tempfile.TemporaryDirectory(prefix="bench-verificacion-") as temporal:
            almacenes = {
                **settings.STORAGES,
                "privado": {
                    "BACKEND": "lms.archivos.AlmacenPrivadoLocal",
                    "OPTIONS": {"location": temporal},
                },
            }
            with override_settings(STORAGES=almacenes):
                escenario = self._preparar(Path(temporal), opciones["constancias"])
            try:
                self._medir(url, partes, escenario, segundos, opciones)
            finally:
                with override_settings(STORAGES=almacenes):
                    _borrar_escenario(escenario)

    def _preparar(self, temporal: Path, cantidad: int) -> dict[str, Any]:
        """A text-only template, an edition and `cantidad` constancias really issued."""
        cantidad = max(1, min(cantidad, 2000))
        diseno = _diseno_de_prueba(temporal)
        diseno["fondo"], diseno["logos"] = None, []
        diseno["firmantes"] = [dict(f, firma=None) for f in diseno["firmantes"]]
        t0 = time.monotonic()
        escenario = _crear_escenario(diseno, cantidad, 0)
        regla = ReglaConstancia.objects.select_related(
            "plantilla", "edicion", "edicion__curso", "fase"
        ).get(pk=escenario["regla"])
        emitidas = services.emitir_constancias(
            regla=regla, inscripcion_ids=escenario["inscripciones"], notificar=False
        ).emitidas
        escenario["codigos"] = [c.codigo_verificacion for c in emitidas]
        escenario["ids"] = [c.pk for c in emitidas]
        self.stdout.write(f"{len(emitidas)} constancias emitidas en {time.monotonic() - t0:.1f} s")
        return escenario

    def _medir(
        self,
        url: str,
        partes: urllib.parse.SplitResult,
        escenario: dict[str, Any],
        segundos: float,
        opciones: dict[str, Any],
    ) -> None:
        antes_log = VerificacionConsulta.objects.count()
        escenario["inicio"] = timezone.now()
        servidor = None
        if opciones["iniciar_gunicorn"]:
            servidor = self._iniciar_gunicorn(partes, opciones)
        try:
            medidor = MedidorCPU(servidor.pid if servidor else opciones["pid_gunicorn"])
            codigos = escenario["codigos"]
            # Warm-up: every code once (fills the cache), then a few seconds of load.
            asyncio.run(self._carga(url, codigos, opciones["calentamiento"], opciones, 1))
            medidor.iniciar()
            cpu_antes = medidor.total()
            medicion, estados = asyncio.run(
                self._carga(url, codigos, segundos, opciones, 2 + int(time.time()) % 200)
            )
            cpu_despues = medidor.total()
            medidor.detener()
        finally:
            if servidor is not None:
                servidor.terminate()
                try:
                    servidor.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    servidor.kill()
        self._informar(medicion, estados, cpu_antes, cpu_despues, opciones)
        self._comprobar_registro(escenario, antes_log, estados, opciones)

    async def _carga(
        self,
        url: str,
        codigos: list[str],
        segundos: float,
        opciones: dict[str, Any],
        red: int,
    ) -> tuple[Medicion, dict[int, int]]:
        import aiohttp

        medicion = Medicion()
        estados: dict[int, int] = {}
        azar = random.Random(red)  # noqa: S311 - load shape, not security
        fin = time.perf_counter() + segundos
        visitante = [0]

        def siguiente_ip() -> str:
            n = visitante[0]
            visitante[0] += 1
            return f"10.{red}.{n // 250 % 250}.{n % 250 + 1}"

        async def conexion(cliente: Any) -> None:
            ip = siguiente_ip()
            hechas = 0
            while time.perf_counter() < fin:
                if hechas == PETICIONES_POR_VISITANTE:
                    ip, hechas = siguiente_ip(), 0
                hechas += 1
                valido = azar.random() * 100 >= opciones["invalidos"]
                codigo = azar.choice(codigos) if valido else secrets.token_urlsafe(16)
                cabeceras = {"X-Forwarded-For": ip, "X-Forwarded-Proto": "https"}
                t0 = time.perf_counter()
                try:
                    async with cliente.get(
                        f"{url}/constancias/verificar/{codigo}/",
                        headers=cabeceras,
                        allow_redirects=False,
                    ) as respuesta:
                        await respuesta.read()
                        estado = respuesta.status
                except (TimeoutError, aiohttp.ClientError, OSError) as error:
                    medicion.registrar(t0, time.perf_counter(), type(error).__name__)
                    continue
                estados[estado] = estados.get(estado, 0) + 1
                esperado = 200 if valido else 404
                medicion.registrar(
                    t0, time.perf_counter(), None if estado == esperado else f"HTTP {estado}"
                )

        conector = aiohttp.TCPConnector(limit=opciones["conexiones"])
        tiempo = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(
            connector=conector, timeout=tiempo, cookie_jar=aiohttp.DummyCookieJar()
        ) as cliente:
            await asyncio.gather(*(conexion(cliente) for _ in range(opciones["conexiones"])))
        return medicion, estados

    def _iniciar_gunicorn(
        self, partes: urllib.parse.SplitResult, opciones: dict[str, Any]
    ) -> subprocess.Popen[bytes]:
        entorno = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "lms.settings.production",
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(60),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # gunicorn plays the part of the app server behind one proxy on this machine.
            "LMS_PROXIES_CONFIABLES": "127.0.0.1",
        }
        if opciones["sin_cache"]:
            entorno["CONSTANCIAS_VERIFICACION_SEGUNDOS"] = "0"
            entorno["CONSTANCIAS_CONSULTAS_EN_LOTE"] = "0"
        # The production settings serve static files from a manifest: build it once.
        estaticos = Path(settings.DATA_DIR) / "bench-static"
        entorno["DJANGO_STATIC_ROOT"] = str(estaticos)
        if not (estaticos / "staticfiles.json").exists():
            self.stdout.write(f"collectstatic en {estaticos} (una sola vez)…")
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                env=entorno,
                cwd=settings.BASE_DIR,
                check=True,
            )
        comando = [
            str(Path(sys.executable).with_name("gunicorn")),
            "lms.wsgi:application",
            "--bind",
            f"{partes.hostname}:{partes.port or 80}",
            "--workers",
            str(opciones["workers"]),
            "--worker-class",
            "gthread",
            "--threads",
            str(opciones["threads"]),
            "--keep-alive",
            "30",
            "--backlog",
            "4096",
            "--log-level",
            "warning",
        ]
        self.stdout.write("Iniciando: " + " ".join(comando))
        servidor = subprocess.Popen(comando, env=entorno, cwd=settings.BASE_DIR)  # noqa: S603
        limite = time.monotonic() + 60
        while time.monotonic() < limite:
            if servidor.poll() is not None:
                raise CommandError("gunicorn terminó al iniciar.")
            try:
                urllib.request.urlopen(f"{partes.scheme}://{partes.netloc}/salud/", timeout=2)  # noqa: S310 - loopback
                return servidor
            except OSError:
                time.sleep(0.5)
        servidor.terminate()
        raise CommandError("gunicorn no respondió en 60 s.")

    def _informar(
        self,
        medicion: Medicion,
        estados: dict[int, int],
        cpu_antes: dict[str, float],
        cpu_despues: dict[str, float],
        opciones: dict[str, Any],
    ) -> None:
        n = medicion.total
        gasto = {k: cpu_despues[k] - cpu_antes[k] for k in cpu_despues}
        servidor = gasto["gunicorn"] + gasto["postgresql"]
        nucleos = os.cpu_count() or 1
        self.stdout.write(
            f"Máquina: {_modelo_cpu()}, {nucleos} núcleos; carga media "
            f"{os.getloadavg()[0]:.1f}; gunicorn {opciones['workers']} procesos × "
            f"{opciones['threads']} hilos; {opciones['conexiones']} conexiones; "
            f"{opciones['invalidos']:.0f} % de códigos inexistentes; "
            + ("SIN caché ni registro en lote" if opciones["sin_cache"] else "con caché")
        )
        self.stdout.write(medicion.linea("verificación por QR"))
        self.stdout.write(f"Respuestas por estado: {dict(sorted(estados.items()))}")
        if n:
            self.stdout.write(
                f"CPU por solicitud: gunicorn={gasto['gunicorn'] / n * 1000:.2f} ms "
                f"postgresql={gasto['postgresql'] / n * 1000:.2f} ms "
                f"generador={gasto['generador'] / n * 1000:.2f} ms; techo por CPU del "
                f"servidor con {nucleos} núcleos libres: "
                f"{n * nucleos / servidor if servidor else 0:.0f}/s"
            )

    def _comprobar_registro(
        self,
        escenario: dict[str, Any],
        antes: int,
        estados: dict[int, int],
        opciones: dict[str, Any],
    ) -> None:
        """Every answered lookup (200 or 404) has its row once the buffer is flushed."""
        t0 = time.monotonic()
        with override_settings(CONSTANCIAS_CONSULTAS_EN_LOTE=not opciones["sin_cache"]):
            guardadas = services.guardar_consultas()
        self.stdout.write(
            f"Vaciado del registro: {guardadas} consultas en {time.monotonic() - t0:.2f} s"
        )
        registradas = VerificacionConsulta.objects.count() - antes
        respondidas = estados.get(200, 0) + estados.get(404, 0)
        # The warm-up's requests are logged too: compare with at least the measured ones.
        self.stdout.write(
            f"Registro: {registradas} filas nuevas para {respondidas} respuestas medidas "
            "(más las del calentamiento)"
        )
        validas = VerificacionConsulta.objects.filter(constancia_id__in=escenario["ids"]).count()
        if registradas < respondidas or validas < estados.get(200, 0):
            raise CommandError("Faltan consultas en el registro.")
        VerificacionConsulta.objects.filter(
            Q(constancia_id__in=escenario["ids"])
            | Q(constancia__isnull=True, consultada_en__gte=escenario["inicio"])
        ).delete()
