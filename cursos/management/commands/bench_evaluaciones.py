"""Load benchmark of the quiz engine against a running production-like stack (not a test).

Prepares N participants with logged-in sessions, enrolled in a course of the run's own
that owns a 16-question evaluation (only its enrolled may take it), in a database
whose name contains "bench", then over loopback HTTP: every participant
starts an attempt and saves each answer as they go; then a deadline burst where all
submit inside a window (0 = as fast as the server takes them, to find the ceiling),
10 % of them submitting twice at once. Prints p50/p95/p99, errors and throughput, then
checks the database: no lost or duplicated answers, every attempt scored once and right.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from cursos.models import CursoPage, Edicion, HomePage, Inscripcion, ProgramaPage
from evaluaciones.models import (
    CategoriaPregunta,
    Evaluacion,
    Intento,
    Respuesta,
)
from evaluaciones.preguntas_sinteticas import agregar_preguntas
from lms.carga.sesiones import Participante, abrir_sesiones
from lms.models import ConfiguracionSitio, Usuario

PREFIJO_CORREO = "bench-evaluaciones-"


@dataclass
class Medicion:
    duraciones: list[float] = field(default_factory=list)
    errores: dict[str, int] = field(default_factory=dict)
    inicio: float = 0.0
    fin: float = 0.0

    def error(self, motivo: str) -> None:
        self.errores[motivo] = self.errores.get(motivo, 0) + 1

    def resumen(self, nombre: str) -> str:
        if not self.duraciones:
            return f"{nombre}: sin datos; errores={self.errores}"
        orden = sorted(self.duraciones)
        cuantil = statistics.quantiles(orden, n=100, method="inclusive") if len(orden) > 1 else None

        def p(n: int) -> float:
            return (cuantil[n - 1] if cuantil else orden[0]) * 1000

        lapso = max(self.fin - self.inicio, 1e-9)
        return (
            f"{nombre}: n={len(orden)} p50={p(50):.0f} ms p95={p(95):.0f} ms "
            f"p99={p(99):.0f} ms max={orden[-1] * 1000:.0f} ms "
            f"throughput={len(orden) / lapso:.1f}/s errores={sum(self.errores.values())} "
            f"{self.errores or ''}"
        )


class MedidorCPU:
    """CPU time (user + system) spent by gunicorn and by this database's PostgreSQL backends.

    Reads /proc every half second in a thread and keeps the last value seen per process,
    so processes that start or end during a phase still count (Linux only; without
    /proc it reports nothing). PostgreSQL backends are those of the current database
    only, so other databases on the same server do not count.
    """

    def __init__(self, pid_gunicorn: int | None) -> None:
        self.pid_gunicorn = pid_gunicorn
        self.vistos: dict[tuple[str, int, int], float] = {}
        self.reloj = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self._parar = threading.Event()
        self._hilo = threading.Thread(target=self._ciclo, daemon=True)
        self._lock = threading.Lock()
        self.propio = 0.0
        self.disponible = Path("/proc/self/stat").exists()

    def _stat(self, pid: int) -> tuple[int, int, float] | None:
        try:
            campos = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        # After the name: state(0) ppid(1) ... utime(11) stime(12) ... starttime(19).
        return int(campos[1]), int(campos[19]), (int(campos[11]) + int(campos[12])) / self.reloj

    def _pids_gunicorn(self) -> list[int]:
        if self.pid_gunicorn is None:
            return []
        pids = [self.pid_gunicorn]
        for entrada in Path("/proc").iterdir():
            if entrada.name.isdigit():
                datos = self._stat(int(entrada.name))
                if datos is not None and datos[0] == self.pid_gunicorn:
                    pids.append(int(entrada.name))
        return pids

    def _pids_postgres(self) -> list[int]:
        from django.db import connections

        # A connection of its own: the main one may be in use by the main thread.
        conexion = connections.create_connection("default")
        try:
            with conexion.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                )
                return [fila[0] for fila in cursor.fetchall()]
        finally:
            conexion.close()

    def muestrear(self) -> None:
        inicio = time.thread_time()
        try:
            self._muestrear()
        finally:
            with self._lock:
                self.propio += time.thread_time() - inicio

    def _muestrear(self) -> None:
        if not self.disponible:
            return
        try:
            grupos = [("gunicorn", self._pids_gunicorn()), ("postgresql", self._pids_postgres())]
        except Exception:  # noqa: BLE001 - a failed sample only loses precision
            return
        with self._lock:
            for nombre, pids in grupos:
                for pid in pids:
                    datos = self._stat(pid)
                    if datos is not None:
                        self.vistos[(nombre, pid, datos[1])] = datos[2]

    def total(self) -> dict[str, float]:
        self.muestrear()
        with self._lock:
            totales = {"gunicorn": 0.0, "postgresql": 0.0}
            for (nombre, _pid, _inicio), segundos in self.vistos.items():
                totales[nombre] += segundos
        # The generator's own CPU, without what sampling /proc cost.
        totales["generador"] = time.process_time() - self.propio
        return totales

    def _ciclo(self) -> None:
        while not self._parar.wait(0.5):
            self.muestrear()

    def iniciar(self) -> None:
        self.muestrear()
        self._hilo.start()

    def detener(self) -> None:
        self._parar.set()
        self._hilo.join(timeout=5)


class Command(BaseCommand):
    help = "Benchmark de carga de evaluaciones contra gunicorn + PostgreSQL (no es una prueba)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--participantes", type=int, default=3000)
        parser.add_argument("--preguntas", type=int, default=16)
        parser.add_argument("--concurrencia", type=int, default=100)
        parser.add_argument(
            "--ventana", type=float, default=0.0, help="Segundos del envío masivo; 0 = sin pausa."
        )
        parser.add_argument("--url", default="http://127.0.0.1:8765")
        parser.add_argument("--iniciar-gunicorn", action="store_true")
        parser.add_argument("--workers", type=int, default=4)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--limite-segundos", type=int, default=1800)
        parser.add_argument(
            "--pid-gunicorn",
            type=int,
            default=None,
            help="Sin --iniciar-gunicorn: PID del maestro de gunicorn, para medir su CPU.",
        )

    def handle(self, *args: Any, **opciones: Any) -> None:
        nombre_bd = str(settings.DATABASES["default"]["NAME"])
        if connection.vendor != "postgresql" or "bench" not in nombre_bd:
            raise CommandError(
                "Use PostgreSQL y una base de datos cuyo nombre contenga 'bench' "
                "(DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench)."
            )
        url = opciones["url"].rstrip("/")
        partes = urllib.parse.urlsplit(url)
        if partes.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise CommandError("Solo se permite medir contra la interfaz local (127.0.0.1).")
        n = max(1, min(opciones["participantes"], 20000))
        preguntas = max(1, min(opciones["preguntas"], 100))

        self.stdout.write(f"Preparando {n} participantes y {preguntas} preguntas…")
        t0 = time.monotonic()
        evaluacion, edicion, correctas, incorrectas = self._preparar_evaluacion(preguntas)
        participantes = self._preparar_participantes(n, edicion)
        self.stdout.write(f"Preparado en {time.monotonic() - t0:.1f} s")

        servidor = None
        if opciones["iniciar_gunicorn"]:
            servidor = self._iniciar_gunicorn(partes, opciones["workers"], opciones["threads"])
        medidor = MedidorCPU(servidor.pid if servidor is not None else opciones["pid_gunicorn"])
        medidor.iniciar()
        cortes: dict[str, dict[str, float]] = {"antes": medidor.total()}
        try:
            resultado = asyncio.run(
                asyncio.wait_for(
                    self._carga(
                        url,
                        evaluacion.pk,
                        participantes,
                        correctas,
                        incorrectas,
                        opciones,
                        lambda nombre: cortes.__setitem__(nombre, medidor.total()),
                    ),
                    timeout=opciones["limite_segundos"],
                )
            )
        finally:
            medidor.detener()
            if servidor is not None:
                servidor.terminate()
                try:
                    servidor.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    servidor.kill()
        inicio, guardados, envios, dobles = resultado
        self.stdout.write(inicio.resumen("inicio de intento"))
        self.stdout.write(guardados.resumen("guardado de respuesta"))
        self.stdout.write(envios.resumen("envío"))
        self.stdout.write(dobles.resumen("segundo envío simultáneo"))
        self._resumen_cpu(
            cortes, len(guardados.duraciones), "guardado (con los inicios)", "antes", "envios"
        )
        self._resumen_cpu(
            cortes, len(envios.duraciones) + len(dobles.duraciones), "envío", "envios", "fin"
        )
        self._verificar(evaluacion, participantes, correctas, preguntas)

    def _resumen_cpu(
        self, cortes: dict[str, dict[str, float]], n: int, nombre: str, desde: str, hasta: str
    ) -> None:
        """CPU spent per request in a phase, and the rate that CPU allows on this machine."""
        if desde not in cortes or hasta not in cortes or not n:
            return
        gasto = {k: cortes[hasta][k] - cortes[desde][k] for k in cortes[hasta]}
        servidor = gasto["gunicorn"] + gasto["postgresql"]
        nucleos = os.cpu_count() or 1
        techo = n * nucleos / servidor if servidor else 0.0
        self.stdout.write(
            f"CPU por {nombre}: "
            f"gunicorn={gasto['gunicorn'] / n * 1000:.2f} ms "
            f"postgresql={gasto['postgresql'] / n * 1000:.2f} ms "
            f"generador={gasto['generador'] / n * 1000:.2f} ms; "
            f"techo por CPU del servidor con {nucleos} núcleos libres: {techo:.0f}/s"
        )

    # --- Preparation ----------------------------------------------------------------

    @transaction.atomic
    def _preparar_evaluacion(
        self, cantidad: int
    ) -> tuple[Evaluacion, Edicion, dict[int, int], dict[int, int]]:
        """A course of this run owning the evaluation and its bank, with an open edition."""
        inicio = HomePage.objects.first()
        if inicio is None:
            raise CommandError("No existe la página de inicio; ejecute migrate primero.")
        ahora = timezone.now()
        marca = f"{ahora:%Y-%m-%d %H:%M:%S}"
        programa = inicio.add_child(
            instance=ProgramaPage(
                title=f"Bench evaluaciones {marca}",
                slug=f"bench-evaluaciones-{secrets.token_hex(4)}",
            )
        )
        curso = programa.add_child(
            instance=CursoPage(title="Curso del bench de evaluaciones", slug="curso")
        )
        edicion = Edicion.objects.create(
            curso=curso,
            nombre=f"Bench {marca}",
            inscripcion_abre=ahora - datetime.timedelta(days=1),
            inscripcion_cierra=ahora + datetime.timedelta(days=1),
            fecha_inicio=timezone.localdate(),
            fecha_fin=timezone.localdate() + datetime.timedelta(days=1),
        )
        categoria = CategoriaPregunta.objects.create(nombre="Bench evaluaciones", curso=curso)
        evaluacion = Evaluacion.objects.create(
            titulo=f"Bench {marca}",
            curso=curso,
            publicada=True,
            intentos_permitidos=1,
            limite_minutos=120,
            barajar_opciones=True,
        )
        correctas, incorrectas = agregar_preguntas(
            evaluacion, categoria=categoria, cantidad=cantidad, prefijo=f"Bench {evaluacion.pk}"
        )
        return evaluacion, edicion, correctas, incorrectas

    def _preparar_participantes(self, n: int, edicion: Edicion) -> list[Participante]:
        """The bench accounts (created once, reused by later runs), enrolled in `edicion`."""
        version = ConfiguracionSitio.objects.get_or_create(pk=1)[0].aviso_privacidad_version
        contrasena = make_password(secrets.token_urlsafe(16))
        existentes = set(
            Usuario.objects.filter(email__startswith=PREFIJO_CORREO).values_list("email", flat=True)
        )
        ahora = timezone.now()
        nuevos = [
            Usuario(
                email=f"{PREFIJO_CORREO}{i}@bench.invalid",
                first_name="Bench",
                last_name=str(i),
                password=contrasena,
                aviso_privacidad_aceptado_en=ahora,
                aviso_privacidad_version=version,
            )
            for i in range(n)
            if f"{PREFIJO_CORREO}{i}@bench.invalid" not in existentes
        ]
        Usuario.objects.bulk_create(nuevos, batch_size=1000)
        usuarios = list(
            Usuario.objects.filter(
                email__in=[f"{PREFIJO_CORREO}{i}@bench.invalid" for i in range(n)]
            ).order_by("pk")
        )
        Inscripcion.objects.bulk_create(
            [Inscripcion(edicion=edicion, usuario=usuario) for usuario in usuarios],
            batch_size=1000,
        )
        return abrir_sesiones(usuarios)

    def _iniciar_gunicorn(
        self, partes: urllib.parse.SplitResult, workers: int, threads: int
    ) -> subprocess.Popen[bytes]:
        entorno = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "lms.settings.production",
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(60),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        comando = [
            str(gunicorn),
            "lms.wsgi:application",
            "--bind",
            f"{partes.hostname}:{partes.port or 80}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--timeout",
            "60",
            "--backlog",
            "4096",
            "--log-level",
            "warning",
        ]
        self.stdout.write("Iniciando: " + " ".join(comando))
        servidor = subprocess.Popen(comando, env=entorno, cwd=settings.BASE_DIR)  # noqa: S603
        limite = time.monotonic() + 60
        import urllib.request

        while time.monotonic() < limite:
            if servidor.poll() is not None:
                raise CommandError("gunicorn terminó al iniciar.")
            try:
                urllib.request.urlopen(f"{partes.scheme}://{partes.netloc}/salud/", timeout=2)  # noqa: S310
                return servidor
            except OSError:
                time.sleep(0.5)
        servidor.terminate()
        raise CommandError("gunicorn no respondió en 60 s.")

    # --- Load -----------------------------------------------------------------------

    async def _carga(
        self,
        url: str,
        evaluacion_id: int,
        participantes: list[Participante],
        correctas: dict[int, int],
        incorrectas: dict[int, int],
        opciones: dict[str, Any],
        cortar: Any = lambda nombre: None,
    ) -> tuple[Medicion, Medicion, Medicion, Medicion]:
        import aiohttp

        host = urllib.parse.urlsplit(url).netloc
        inicio, guardados, envios, dobles = Medicion(), Medicion(), Medicion(), Medicion()
        limite = asyncio.Semaphore(opciones["concurrencia"])
        azar = random.Random(4)  # noqa: S311

        def cabeceras(p: Participante) -> dict[str, str]:
            return {
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={p.sesion}; "
                f"{settings.CSRF_COOKIE_NAME}={p.csrf}",
                "X-CSRFToken": p.csrf,
                "X-Forwarded-Proto": "https",
                "Origin": f"https://{host}",
                "Referer": f"https://{host}/",
            }

        # Idle connections are dropped before gunicorn's keep-alive (2 s by default) closes
        # them, so a request never goes out on a socket the server is closing.
        conector = aiohttp.TCPConnector(limit=opciones["concurrencia"] + 20, keepalive_timeout=1.0)
        tiempo = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(connector=conector, timeout=tiempo) as cliente:

            async def post(medicion: Medicion, ruta: str, p: Participante, datos: Any) -> Any:
                t = time.perf_counter()
                try:
                    async with cliente.post(
                        url + ruta, data=datos, headers=cabeceras(p), allow_redirects=False
                    ) as r:
                        cuerpo = await r.read()
                        estado, ubicacion = r.status, r.headers.get("Location", "")
                except (TimeoutError, aiohttp.ClientError) as error:
                    medicion.error(type(error).__name__)
                    return None
                medicion.duraciones.append(time.perf_counter() - t)
                return estado, ubicacion, cuerpo

            async def responder(p: Participante) -> None:
                async with limite:
                    salida = await post(inicio, f"/evaluaciones/{evaluacion_id}/iniciar/", p, {})
                    if salida is None or salida[0] != 302 or "/intentos/" not in salida[1]:
                        inicio.error(f"HTTP {salida[0] if salida else '-'}")
                        return
                    p.intento_id = int(salida[1].rstrip("/").split("/")[-1])
                    for pregunta_id, correcta in correctas.items():
                        opcion = correcta if azar.random() < 0.7 else incorrectas[pregunta_id]
                        clave = f"p{pregunta_id}"
                        salida = await post(
                            guardados,
                            f"/evaluaciones/intentos/{p.intento_id}/guardar/",
                            p,
                            {"pregunta": clave, f"p-{clave}": str(opcion)},
                        )
                        if salida is None:
                            continue
                        if salida[0] != 200:
                            guardados.error(f"HTTP {salida[0]}")
                            continue
                        p.respuestas[clave] = str(opcion)

            inicio.inicio = guardados.inicio = time.perf_counter()
            await asyncio.gather(*(responder(p) for p in participantes))
            inicio.fin = guardados.fin = time.perf_counter()

            ventana = max(float(opciones["ventana"]), 0.0)
            activos = [p for p in participantes if p.intento_id]

            async def enviar(p: Participante, retraso: float, medicion: Medicion) -> None:
                await asyncio.sleep(retraso)
                async with limite:
                    datos = {"accion": "enviar"}
                    for clave, opcion in p.respuestas.items():
                        datos[f"p-{clave}"] = opcion
                        datos[f"v-{clave}"] = "1"
                    salida = await post(
                        medicion, f"/evaluaciones/intentos/{p.intento_id}/enviar/", p, datos
                    )
                    if salida is not None and (salida[0] != 302 or "/resultado/" not in salida[1]):
                        medicion.error(f"HTTP {salida[0]}")

            tareas = []
            for p in activos:
                retraso = azar.uniform(0, ventana) if ventana else 0.0
                tareas.append(enviar(p, retraso, envios))
                if azar.random() < 0.1:
                    tareas.append(enviar(p, retraso, dobles))
            await asyncio.to_thread(cortar, "envios")
            envios.inicio = dobles.inicio = time.perf_counter()
            await asyncio.gather(*tareas)
            envios.fin = dobles.fin = time.perf_counter()
            await asyncio.to_thread(cortar, "fin")
        return inicio, guardados, envios, dobles

    # --- Checks ---------------------------------------------------------------------

    def _verificar(
        self,
        evaluacion: Evaluacion,
        participantes: list[Participante],
        correctas: dict[int, int],
        preguntas: int,
    ) -> None:
        intentos = {i.usuario_id: i for i in Intento.objects.filter(evaluacion=evaluacion)}
        mas_de_un_intento = (
            Intento.objects.filter(evaluacion=evaluacion)
            .values("usuario_id")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .count()
        )
        guardadas: dict[int, dict[str, Any]] = {}
        for intento_id, clave, valor in Respuesta.objects.filter(
            intento__evaluacion=evaluacion
        ).values_list("intento_id", "clave", "valor"):
            guardadas.setdefault(intento_id, {})[clave] = valor
        duplicadas = (
            Respuesta.objects.filter(intento__evaluacion=evaluacion)
            .values("intento_id", "clave")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .count()
        )
        perdidas = distintas = mal_calificados = sin_calificar = 0
        correctas_texto = {f"p{k}": str(v) for k, v in correctas.items()}
        for p in participantes:
            intento = intentos.get(p.usuario_id)
            if intento is None:
                continue
            en_bd = guardadas.get(intento.pk, {})
            for clave, opcion in p.respuestas.items():
                if clave not in en_bd:
                    perdidas += 1
                elif en_bd[clave] != opcion:
                    distintas += 1
            if intento.estado != Intento.Estado.CALIFICADO or intento.calificado_en is None:
                sin_calificar += 1
                continue
            esperado = sum(Decimal(1) for c, v in en_bd.items() if correctas_texto.get(c) == v)
            if intento.puntaje != esperado or intento.calificado_en != intento.enviado_en:
                mal_calificados += 1
        self.stdout.write(
            f"Verificación: intentos={len(intentos)}/{len(participantes)} "
            f"respuestas={sum(len(v) for v in guardadas.values())} "
            f"(esperadas {sum(len(p.respuestas) for p in participantes)}, "
            f"{preguntas} por intento) perdidas={perdidas} distintas={distintas} "
            f"duplicadas={duplicadas} sin_calificar={sin_calificar} "
            f"mal_calificados_o_recalificados={mal_calificados} "
            f"mas_de_un_intento={mas_de_un_intento}"
        )
        if (
            perdidas
            or distintas
            or duplicadas
            or sin_calificar
            or mal_calificados
            or (mas_de_un_intento)
        ):
            raise CommandError("La verificación encontró problemas.")
        self.stdout.write(
            self.style.SUCCESS(
                "Sin respuestas perdidas ni duplicadas; cada intento calificado una vez."
            )
        )
