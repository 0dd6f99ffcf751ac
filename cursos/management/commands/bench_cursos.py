"""Benchmark of courses at national scale (not a test; see docs/BENCHMARKS.md, "Cursos").

Everything runs in a throwaway database created next to the configured one,
exactly as the test runner does (`test_<name>` on PostgreSQL, a temporary file
on SQLite), and dropped at the end: the configured database is never read or
written. It holds 20,000 participants across the 32 entidades, a course with
200 lessons and 2 editions; the command then measures

* bulk enrolment of 5,000 people from a generated CSV through the same path as
  the coordinator's screens: `cursos.importacion` reads and reviews the file
  (preview), then reviews it again and `cursos.services_importacion` writes it
  (confirmation), invitations included;
* p50/p95 of "Mis cursos" and of a lesson page for enrolled participants, with
  the Django test client in-process and, with --http, over HTTP against a
  gunicorn started on 127.0.0.1 on the same throwaway database.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

CONTRASENA_INUTILIZABLE = "!bench"  # an unusable password hash: nobody logs in with it
TAMANO_LOTE = 2000


def _percentil(valores: list[float], p: float) -> float:
    ordenados = sorted(valores)
    indice = max(0, min(len(ordenados) - 1, round(p / 100 * len(ordenados) + 0.5) - 1))
    return ordenados[indice]


def _cuerpo_leccion(n: int) -> list[tuple[str, Any]]:
    parrafo = (
        "<p>La transparencia proactiva consiste en publicar, sin que medie una solicitud, "
        "información socialmente útil para sectores determinados de la sociedad. Los sujetos "
        "obligados identifican esa información a partir de la demanda ciudadana, las "
        "solicitudes de acceso recurrentes y el diálogo con quienes la usan.</p>"
    )
    return [
        ("encabezado", {"texto": f"Propósito de la lección {n}", "nivel": "h2"}),
        ("texto", parrafo * 3),
        (
            "articulo_legal",
            {
                "ordenamiento": "Ley General de Transparencia y Acceso a la Información Pública",
                "articulo": "Artículo 56",
                "texto": "Los sujetos obligados promoverán la publicación de información "
                "de interés público adicional a la que establece como mínimo la ley.",
                "cita": "LGTAIP, art. 56",
                "enlace": "",
            },
        ),
        ("encabezado", {"texto": "Para practicar", "nivel": "h3"}),
        ("aviso", {"tipo": "info", "titulo": "Recuerde", "texto": parrafo}),
        ("texto", parrafo * 2),
    ]


class Command(BaseCommand):
    help = (
        "Mide la inscripción en bloque de 5 000 personas y la latencia de «Mis cursos» y de "
        "una lección con 20 000 participantes, en una base de datos desechable."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--participantes", type=int, default=20_000)
        parser.add_argument("--lecciones", type=int, default=200)
        parser.add_argument("--filas-csv", type=int, default=5_000)
        parser.add_argument("--peticiones", type=int, default=200)
        parser.add_argument("--semilla", type=int, default=20261127)
        parser.add_argument(
            "--http",
            action="store_true",
            help="Además, mide por HTTP contra gunicorn en 127.0.0.1 (2 procesos).",
        )
        parser.add_argument(
            "--conservar",
            action="store_true",
            help="No borra la base de datos desechable al terminar.",
        )

    def handle(self, *args: Any, **opciones: Any) -> None:
        warnings.filterwarnings("ignore", message="No directory at")
        self.opciones = opciones
        self.azar = random.Random(opciones["semilla"])  # noqa: S311 - reproducible data
        base = connection.settings_dict
        nombre_original = base["NAME"]
        self.carpeta = tempfile.mkdtemp(prefix="bench_cursos_")
        if connection.vendor == "sqlite":
            base.setdefault("TEST", {})["NAME"] = os.path.join(self.carpeta, "bench.sqlite3")
        else:
            base.setdefault("TEST", {})["NAME"] = f"test_{nombre_original}"
        if base["TEST"]["NAME"] == nombre_original:
            raise CommandError("La base de prueba coincide con la configurada; no se continúa.")
        self.stdout.write(
            f"Base desechable ({connection.vendor}): {base['TEST']['NAME']}; "
            "creándola con las migraciones…"
        )
        # Page creation logs one line per page; the figures are what matters here.
        logging.getLogger("wagtail").setLevel(logging.WARNING)
        inicio = time.perf_counter()
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        self.stdout.write(f"  migraciones: {time.perf_counter() - inicio:.1f} s")
        try:
            with override_settings(
                EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
                ALLOWED_HOSTS=["testserver", "127.0.0.1", "localhost"],
                DEBUG=False,
            ):
                self._medir()
        finally:
            if opciones["conservar"]:
                self.stdout.write(f"Base conservada: {connection.settings_dict['NAME']}")
            else:
                connection.creation.destroy_test_db(nombre_original, verbosity=0)
                shutil.rmtree(self.carpeta, ignore_errors=True)

    # --- Data ----------------------------------------------------------------------

    def _cronometro(self, etiqueta: str, funcion: Callable[[], Any]) -> Any:
        inicio = time.perf_counter()
        resultado = funcion()
        self.stdout.write(f"  {etiqueta}: {time.perf_counter() - inicio:.1f} s")
        return resultado

    def _poblar(self) -> None:
        self.stdout.write("Datos:")
        self._cronometro("organizaciones y personas", self._crear_personas)
        self._cronometro("curso, fases y lecciones", self._crear_curso)
        self._cronometro("ediciones, sesiones, inscripciones y avance", self._crear_ediciones)

    def _crear_personas(self) -> None:
        from lms.models import AsignacionRol, EntidadFederativa, Organizacion, Rol, Usuario
        from lms.services import entidad_de_persona

        self.organizaciones: list[Organizacion] = []
        for entidad in EntidadFederativa.objects.order_by("clave_inegi"):
            garante = Organizacion.objects.create(
                clase=Organizacion.Clase.ORGANO_GARANTE,
                nombre=f"Instituto de Transparencia de {entidad.nombre}",
                siglas=f"ITAIP{entidad.clave_inegi}",
                entidad=entidad,
                tipo=Organizacion.Tipo.ORGANO_AUTONOMO,
            )
            self.organizaciones.append(garante)
            for nombre in ("Secretaría de Finanzas", "Secretaría de Salud", "Congreso"):
                self.organizaciones.append(
                    Organizacion.objects.create(
                        clase=Organizacion.Clase.SUJETO_OBLIGADO,
                        nombre=f"{nombre} de {entidad.nombre}",
                        entidad=entidad,
                        organo_garante=garante,
                        ambito=Organizacion.Ambito.ESTATAL,
                        tipo=Organizacion.Tipo.PODER_EJECUTIVO,
                    )
                )
        ahora = timezone.now()
        personas = []
        for i in range(self.opciones["participantes"]):
            org = self.organizaciones[i % len(self.organizaciones)]
            personas.append(
                Usuario(
                    email=f"participante{i}@bench.gob.mx",
                    first_name=self.azar.choice(["María", "José", "Guadalupe", "Juan Pablo"]),
                    last_name=f"Pérez Núñez {i}",
                    cargo="Enlace de transparencia",
                    organizacion_id=org.pk,
                    entidad_id=entidad_de_persona(organizacion=org, entidad_declarada=None),
                    password=CONTRASENA_INUTILIZABLE,
                    aviso_privacidad_aceptado_en=ahora,
                    aviso_privacidad_version="1",
                )
            )
        Usuario.objects.bulk_create(personas, batch_size=TAMANO_LOTE)
        self.personas = list(
            Usuario.objects.filter(email__endswith="@bench.gob.mx").order_by("pk").only("pk")
        )
        self.coordinador = Usuario.objects.create(
            email="coordinacion@bench.gob.mx", password=CONTRASENA_INUTILIZABLE
        )
        AsignacionRol.objects.create(usuario=self.coordinador, rol=Rol.COORDINADOR_NACIONAL)

    def _crear_curso(self) -> None:
        from cursos.models import CursoPage, FasePage, HomePage, LeccionPage, ProgramaPage

        inicio = HomePage.objects.get()
        programa = inicio.add_child(instance=ProgramaPage(title="Jornada Nacional (bench)"))
        self.curso = programa.add_child(
            instance=CursoPage(title="Transparencia proactiva a escala", resumen="Bench.")
        )
        self.fases = [
            self.curso.add_child(
                instance=FasePage(title=titulo, tipo=tipo, horas=10, asistencia_minima=50)
            )
            for titulo, tipo in (("Fase teórica", "teorica"), ("Fase práctica", "practica"))
        ]
        self.lecciones = []
        for n in range(self.opciones["lecciones"]):
            fase = self.fases[0] if n < self.opciones["lecciones"] // 2 else self.fases[1]
            self.lecciones.append(
                fase.add_child(
                    instance=LeccionPage(
                        title=f"Lección {n + 1}",
                        duracion_minutos=20,
                        cuerpo=_cuerpo_leccion(n + 1),
                    )
                )
            )
        self.lecciones = list(LeccionPage.objects.filter(pk__in=[x.pk for x in self.lecciones]))

    def _crear_ediciones(self) -> None:
        import datetime

        from cursos.models import Asistencia, Edicion, Inscripcion, ProgresoLeccion, SesionEnVivo

        ahora = timezone.now()
        hoy = timezone.localdate()
        self.ediciones = [
            Edicion.objects.create(
                curso=self.curso,
                nombre=nombre,
                inscripcion_abre=ahora - datetime.timedelta(days=20),
                inscripcion_cierra=ahora + datetime.timedelta(days=20),
                fecha_inicio=hoy - datetime.timedelta(days=10),
                fecha_fin=hoy + datetime.timedelta(days=50),
            )
            for nombre in ("Grupo nacional 2026-1", "Grupo nacional 2026-2")
        ]
        sesiones = []
        for edicion in self.ediciones:
            for k in range(8):
                sesiones.append(
                    SesionEnVivo.objects.create(
                        edicion=edicion,
                        fase=self.fases[k % 2],
                        titulo=f"Sesión {k + 1}",
                        inicio=ahora + datetime.timedelta(days=k - 4, hours=1),
                        duracion_minutos=90,
                        enlace="https://reuniones.ejemplo.gob.mx/sala",
                    )
                )
        # Three quarters of the participants follow the first edition; the rest, and
        # new people, arrive in the second one through the CSV.
        primera = self.ediciones[0]
        self.inscritas = self.personas[: len(self.personas) * 3 // 4]
        self.no_inscritas = self.personas[len(self.personas) * 3 // 4 :]
        Inscripcion.objects.bulk_create(
            [
                Inscripcion(edicion=primera, usuario_id=p.pk, origen="coordinacion")
                for p in self.inscritas
            ],
            batch_size=TAMANO_LOTE,
        )
        inscripciones = list(
            Inscripcion.objects.filter(edicion=primera).order_by("pk").values_list("pk", flat=True)
        )
        # On average 20 lessons done per person (0 to 40); every 50th person has done all.
        progreso: list[ProgresoLeccion] = []
        for n, inscripcion_id in enumerate(inscripciones):
            hechas = len(self.lecciones) if n % 50 == 0 else n % 41
            progreso.extend(
                ProgresoLeccion(
                    inscripcion_id=inscripcion_id,
                    leccion_id=leccion.pk,
                    completada_en=ahora - datetime.timedelta(minutes=j),
                )
                for j, leccion in enumerate(self.lecciones[:hechas])
            )
            if len(progreso) >= 20_000:
                ProgresoLeccion.objects.bulk_create(progreso, batch_size=TAMANO_LOTE)
                progreso = []
        ProgresoLeccion.objects.bulk_create(progreso, batch_size=TAMANO_LOTE)
        pasadas = [s for s in sesiones if s.edicion_id == primera.pk and s.inicio < ahora]
        Asistencia.objects.bulk_create(
            [
                Asistencia(sesion=s, usuario_id=p.pk, origen="codigo", registrada_en=s.inicio)
                for p in self.inscritas[::2]
                for s in pasadas
            ],
            batch_size=TAMANO_LOTE,
        )
        self.stdout.write(
            f"  {len(self.personas)} participantes, {len(self.organizaciones)} organizaciones, "
            f"{len(self.lecciones)} lecciones, {len(self.ediciones)} ediciones, "
            f"{len(sesiones)} sesiones, {len(self.inscritas)} inscripciones, "
            f"{ProgresoLeccion.objects.count()} lecciones completadas, "
            f"{Asistencia.objects.count()} asistencias"
        )

    # --- Bulk enrolment ------------------------------------------------------------------

    def _csv(self) -> bytes:
        """A messy but valid file: UTF-8 with BOM, semicolons, mixed case, stray spaces."""
        filas = self.opciones["filas_csv"]
        existentes = self.no_inscritas[: filas * 4 // 5]
        salida = io.StringIO()
        escritor = csv.writer(salida, delimiter=";")
        escritor.writerow(
            ["Correo electrónico", "Nombre(s)", "Apellidos", "Cargo", "Institución", "Estado"]
        )
        for persona in existentes:
            correo = f"  Participante{persona.pk}@BENCH.gob.mx "
            escritor.writerow([correo, "", "", "", "", ""])
        for i in range(filas - len(existentes)):
            org = self.organizaciones[(i * 7) % len(self.organizaciones)]
            escritor.writerow(
                [
                    f"nueva.persona{i}@ejemplo.gob.mx",
                    "Ana Sofía",
                    f"Ramírez {i}",
                    "Analista",
                    f" {org.nombre.upper()} ",
                    org.entidad.nombre if org.entidad is not None else "",
                ]
            )
        return ("\ufeff" + salida.getvalue()).encode("utf-8")

    def _medir_inscripcion(self) -> None:
        from django.core import mail

        from cursos import importacion, services_importacion
        from cursos.models import Inscripcion
        from lms.models import Usuario

        # The CSV names people by their real addresses, not by pk: rewrite them.
        correos = dict(
            Usuario.objects.filter(pk__in=[p.pk for p in self.no_inscritas]).values_list(
                "pk", "email"
            )
        )
        contenido = self._csv()
        texto = contenido.decode("utf-8")
        for pk, correo in correos.items():
            texto = texto.replace(f"  Participante{pk}@BENCH.gob.mx ", f"  {correo.upper()} ")
        contenido = texto.encode("utf-8")
        edicion = self.ediciones[1]
        coordinador = Usuario.objects.get(pk=self.coordinador.pk)
        self.stdout.write(
            f"Inscripción en bloque: CSV de {self.opciones['filas_csv']} filas "
            f"({len(contenido) / 1024:.0f} KiB, UTF-8 con BOM, separado por «;»)"
        )
        tiempos: dict[str, float] = {}
        mail.outbox = []

        def revisar() -> list[Any]:
            filas = importacion.leer_inscripciones(
                "inscripciones.csv", contenido, max_bytes=settings.LMS_MAX_UPLOAD_BYTES
            )
            contexto = importacion.cargar_contexto(
                edicion=edicion,
                coordinador=coordinador,
                correos=[f.datos.get("correo", "") for f in filas],
            )
            return importacion.revisar_inscripciones(filas, contexto=contexto)

        inicio = time.perf_counter()
        filas = revisar()
        tiempos["vista previa (leer + revisar)"] = time.perf_counter() - inicio
        resumen = importacion.resumen_inscripciones(filas)
        inicio = time.perf_counter()
        with CaptureQueriesContext(connection) as consultas:
            filas = revisar()
            resultado = services_importacion.inscribir_en_bloque(
                edicion=edicion, filas_revisadas=filas, coordinador=coordinador
            )
        tiempos["confirmación (revisar + escribir + invitaciones)"] = time.perf_counter() - inicio
        for etiqueta, segundos in tiempos.items():
            self.stdout.write(f"  {etiqueta}: {segundos:.2f} s")
        total = sum(tiempos.values())
        self.stdout.write(
            f"  total de punta a punta: {total:.2f} s; resumen {resumen}; resultado {resultado}; "
            f"{len(mail.outbox)} invitaciones; {len(consultas)} consultas en la confirmación"
        )
        inscritas = Inscripcion.objects.filter(edicion=edicion, estado="activa").count()
        if inscritas != self.opciones["filas_csv"]:
            raise CommandError(f"Se esperaban {self.opciones['filas_csv']} inscritas: {inscritas}")
        self.resultados["inscripcion"] = tiempos

    # --- Latency ----------------------------------------------------------------------

    def _muestra(self) -> list[Any]:
        # Every 50th enrolled person has completed all lessons; mix them with others.
        return [self.inscritas[i] for i in range(0, min(len(self.inscritas), 2000), 97)][:20]

    def _urls(self) -> dict[str, Callable[[], str]]:
        lecciones = [leccion.url for leccion in self.lecciones]
        return {
            "Mis cursos": lambda: reverse("cursos:mis_cursos"),
            "Lección": lambda: self.azar.choice(lecciones),
        }

    def _informar(self, etiqueta: str, tiempos: list[float], extra: str = "") -> None:
        ms = [t * 1000 for t in tiempos]
        self.stdout.write(
            f"  {etiqueta}: n={len(ms)} p50={_percentil(ms, 50):.1f} ms "
            f"p95={_percentil(ms, 95):.1f} ms media={statistics.mean(ms):.1f} ms "
            f"máx={max(ms):.1f} ms{extra}"
        )

    def _medir_latencia(self) -> None:
        from lms.models import Usuario

        clientes = []
        for persona in Usuario.objects.filter(pk__in=[p.pk for p in self._muestra()]):
            cliente = Client()
            cliente.force_login(persona)
            clientes.append(cliente)
        self.clientes = clientes
        self.stdout.write(
            f"Latencia en proceso (cliente de pruebas de Django, {len(clientes)} participantes):"
        )
        for etiqueta, url in self._urls().items():
            for cliente in clientes:  # warm-up: templates, URL resolver, caches
                cliente.get(url())
            consultas: list[str] = []

            def contar(
                ejecutar: Any, sql: str, *args: Any, consultas: list[str] = consultas
            ) -> Any:
                consultas.append(sql)
                return ejecutar(sql, *args)

            # The test client closes the connection after each request (CONN_MAX_AGE=0
            # on SQLite), which would empty CaptureQueriesContext's log: count instead.
            with connection.execute_wrapper(contar):
                respuesta = clientes[0].get(url())
            if respuesta.status_code != 200:
                raise CommandError(f"{etiqueta}: respuesta {respuesta.status_code}")
            tiempos = []
            for n in range(self.opciones["peticiones"]):
                cliente = clientes[n % len(clientes)]
                inicio = time.perf_counter()
                respuesta = cliente.get(url())
                tiempos.append(time.perf_counter() - inicio)
                if respuesta.status_code != 200:
                    raise CommandError(f"{etiqueta}: respuesta {respuesta.status_code}")
            self._informar(etiqueta, tiempos, f"; {len(consultas)} consultas por página")
            self.resultados[etiqueta] = tiempos

    def _puerto_libre(self) -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])

    def _url_base_de_datos(self) -> str:
        datos = connection.settings_dict
        if connection.vendor == "sqlite":
            return f"sqlite:///{datos['NAME']}"
        usuario = datos.get("USER") or ""
        clave = f":{datos['PASSWORD']}" if datos.get("PASSWORD") else ""
        anfitrion = datos.get("HOST") or "127.0.0.1"
        puerto = datos.get("PORT") or 5432
        return f"postgres://{usuario}{clave}@{anfitrion}:{puerto}/{datos['NAME']}"

    def _medir_http(self) -> None:
        puerto = self._puerto_libre()
        os.makedirs(os.path.join(self.carpeta, "static"), exist_ok=True)
        entorno = {
            **os.environ,
            "DATABASE_URL": self._url_base_de_datos(),
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "lms.settings.dev"),
            "DJANGO_DEBUG": "0",
            "LMS_DATA_DIR": self.carpeta,
        }
        gunicorn = shutil.which("gunicorn") or os.path.join(
            os.path.dirname(sys.executable), "gunicorn"
        )
        servidor = subprocess.Popen(  # noqa: S603
            [gunicorn, "lms.wsgi", "-b", f"127.0.0.1:{puerto}", "-w", "2", "--log-level", "error"],
            env=entorno,
            cwd=str(settings.BASE_DIR),
        )
        try:
            base = f"http://127.0.0.1:{puerto}"
            for _intento in range(100):
                try:
                    urllib.request.urlopen(base + "/salud/", timeout=2)  # noqa: S310
                    break
                except OSError:
                    time.sleep(0.2)
            cookies = [c.cookies[settings.SESSION_COOKIE_NAME].value for c in self.clientes]
            self.stdout.write(
                f"Latencia por HTTP (gunicorn, 2 procesos, 127.0.0.1:{puerto}, sin concurrencia):"
            )
            for etiqueta, url in self._urls().items():

                def pedir(n: int, url: Callable[[], str] = url, etiqueta: str = etiqueta) -> float:
                    peticion = urllib.request.Request(  # noqa: S310
                        base + url(),
                        headers={
                            "Cookie": f"{settings.SESSION_COOKIE_NAME}={cookies[n % len(cookies)]}"
                        },
                    )
                    inicio = time.perf_counter()
                    with urllib.request.urlopen(peticion, timeout=30) as respuesta:  # noqa: S310
                        respuesta.read()
                        if respuesta.status != 200 or respuesta.url != base + peticion.selector:
                            raise CommandError(f"{etiqueta}: respuesta inesperada {respuesta.url}")
                    return time.perf_counter() - inicio

                for n in range(len(cookies) * 2):
                    pedir(n)
                tiempos = [pedir(n) for n in range(self.opciones["peticiones"])]
                self._informar(etiqueta, tiempos)
        finally:
            servidor.terminate()
            servidor.wait(timeout=30)

    def _medir(self) -> None:
        self.resultados: dict[str, Any] = {}
        self._poblar()
        self._medir_inscripcion()
        self._medir_latencia()
        if self.opciones["http"]:
            self._medir_http()
