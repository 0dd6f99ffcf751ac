"""Benchmark of coordination reports (not a test; see docs/BENCHMARKS.md, "Coordinación").

Runs in a throwaway database created next to the configured one, as the test
runner does, and dropped at the end. It holds 100,000 enrolments of 100,000
people across the 32 entidades (bulk_create), a two-phase course with lessons,
live sessions and an evaluation, their facts, the stored progress derived from
them by `cursos.services.recalcular_avances` (timed) and a valid constancia per
passed enrolment; then measures the CSV and
XLSX exports of every row (wall time, peak resident memory of one export in a fresh
process above that process at rest, peak Python memory with tracemalloc, queries)
and the dashboard with all filters off, as a national coordinator sees them.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import logging
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

CONTRASENA_INUTILIZABLE = "!bench"  # an unusable password hash: nobody logs in with it
LOTE = 5000
MIB = 1024 * 1024


def _memoria_proceso(campo: str) -> int | None:
    """A memory figure of this process from /proc (VmRSS, VmHWM), in bytes; None elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as estado:
            for linea in estado:
                if linea.startswith(campo + ":"):
                    return int(linea.split()[1]) * 1024
    except OSError:
        return None
    return None


def _pico_residente(funcion: Callable[[], int]) -> int | None:
    """How far the resident set rose above its level before `funcion` (C buffers included).

    Writing 5 to /proc/self/clear_refs resets the peak (VmHWM) to the current size.
    """
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as reinicio:
            reinicio.write("5")
    except OSError:
        return None
    antes = _memoria_proceso("VmRSS")
    funcion()
    pico = _memoria_proceso("VmHWM")
    if antes is None or pico is None:
        return None
    return max(0, pico - antes)


def _exportador(usuario: Any, formato: str) -> Callable[[], int]:
    """The export of every row `usuario` may see, as the download views build it."""
    from cursos import reportes, services_reportes

    qs = reportes.inscripciones_filtradas(usuario, reportes.Filtros())

    def csv() -> int:
        for _parte in services_reportes.csv_en_partes(qs, con_curp=True):
            pass  # bytes go to the socket; nothing is kept
        return qs.count()

    def xlsx() -> int:
        with tempfile.TemporaryFile() as destino:
            return services_reportes.escribir_xlsx(qs, destino, con_curp=True)

    return csv if formato == "csv" else xlsx


class Command(BaseCommand):
    help = "Mide exportaciones y tablero de coordinación con 100 000 inscripciones."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--inscripciones", type=int, default=100_000)
        parser.add_argument("--semilla", type=int, default=2026)
        parser.add_argument("--repeticiones", type=int, default=3)
        parser.add_argument("--conservar", action="store_true")
        # Internal: run one export in this fresh process against an existing benchmark
        # database and print how far its resident memory rose above the idle process.
        parser.add_argument("--memoria-de", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
        parser.add_argument("--base", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **opciones: Any) -> None:
        warnings.filterwarnings("ignore", message="No directory at")
        if opciones["memoria_de"]:
            self._memoria_en_proceso_nuevo(opciones["memoria_de"], opciones["base"])
            return
        self.opciones = opciones
        self.azar = random.Random(opciones["semilla"])  # noqa: S311 - reproducible data
        base = connection.settings_dict
        nombre_original = base["NAME"]
        carpeta = tempfile.mkdtemp(prefix="bench_reportes_")
        if connection.vendor == "sqlite":
            base.setdefault("TEST", {})["NAME"] = os.path.join(carpeta, "bench.sqlite3")
        else:
            base.setdefault("TEST", {})["NAME"] = f"test_{nombre_original}_reportes"
        if base["TEST"]["NAME"] == nombre_original:
            raise CommandError("La base de prueba coincide con la configurada; no se continúa.")
        self.stdout.write(f"Base desechable ({connection.vendor}): {base['TEST']['NAME']}")
        logging.getLogger("wagtail").setLevel(logging.WARNING)
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
                self._medir()
        finally:
            if opciones["conservar"]:
                self.stdout.write(f"Base conservada: {connection.settings_dict['NAME']}")
            else:
                connection.creation.destroy_test_db(nombre_original, verbosity=0)
                shutil.rmtree(carpeta, ignore_errors=True)

    # --- Data -------------------------------------------------------------------------

    def _datos(self) -> Any:
        from cursos import services
        from cursos.models import (
            Asistencia,
            CursoPage,
            Edicion,
            FasePage,
            HomePage,
            Inscripcion,
            LeccionPage,
            ProgramaPage,
            ProgresoLeccion,
            SesionEnVivo,
        )
        from evaluaciones.models import Evaluacion, Intento
        from lms.models import AsignacionRol, EntidadFederativa, Organizacion, Rol, Usuario
        from lms.services import entidad_de_persona

        azar = self.azar
        n = self.opciones["inscripciones"]
        ahora = timezone.now()
        inicio = time.perf_counter()
        entidades = list(EntidadFederativa.objects.order_by("clave_inegi"))
        garantes = Organizacion.objects.bulk_create(
            Organizacion(
                clase=Organizacion.Clase.ORGANO_GARANTE,
                nombre=f"Instituto de Transparencia de {e.nombre}",
                entidad=e,
                tipo=Organizacion.Tipo.ORGANO_AUTONOMO,
            )
            for e in entidades
        )
        tipos = [t for t, _ in Organizacion.Tipo.choices]
        sujetos = Organizacion.objects.bulk_create(
            Organizacion(
                clase=Organizacion.Clase.SUJETO_OBLIGADO,
                nombre=f"Secretaría número {i} de {e.nombre}",
                entidad=e,
                organo_garante=g,
                ambito=Organizacion.Ambito.ESTATAL if i % 3 else Organizacion.Ambito.MUNICIPAL,
                tipo=tipos[i % len(tipos)],
            )
            for g, e in zip(garantes, entidades, strict=True)
            for i in range(10)
        )
        home = HomePage.objects.get()
        programa = home.add_child(instance=ProgramaPage(title="Campaña nacional"))
        curso = programa.add_child(instance=CursoPage(title="Transparencia proactiva"))
        evaluacion = Evaluacion.objects.create(
            titulo="Evaluación teórica",
            curso=curso,
            publicada=True,
            puntaje_aprobatorio=Decimal("70"),
        )
        teorica = curso.add_child(
            instance=FasePage(title="Fase teórica", horas=10, evaluacion=evaluacion)
        )
        practica = curso.add_child(
            instance=FasePage(
                title="Fase práctica", tipo=FasePage.Tipo.PRACTICA, horas=10, asistencia_minima=50
            )
        )
        lecciones_t = [
            teorica.add_child(instance=LeccionPage(title=f"Lección teórica {i}")) for i in range(3)
        ]
        lecciones_p = [
            practica.add_child(instance=LeccionPage(title=f"Lección práctica {i}"))
            for i in range(2)
        ]
        ediciones = [
            Edicion.objects.create(
                curso=curso,
                nombre=f"Grupo 2026-{i}",
                inscripcion_abre=ahora - datetime.timedelta(days=400),
                inscripcion_cierra=ahora + datetime.timedelta(days=30),
                fecha_inicio=(ahora - datetime.timedelta(days=365)).date(),
                fecha_fin=(ahora + datetime.timedelta(days=60)).date(),
            )
            for i in range(1, 5)
        ]
        sesiones = {
            e.pk: [
                SesionEnVivo.objects.create(
                    edicion=e,
                    fase=practica,
                    titulo=f"Sesión {j}",
                    inicio=ahora - datetime.timedelta(days=30 - j),
                )
                for j in range(2)
            ]
            for e in ediciones
        }
        nombres = ["María José", "José Ángel", "Begoña", "Íñigo", "Ana Sofía", "Raúl"]
        apellidos = ["Núñez Peña", "Gómez Ibáñez", "López Muñoz", "Hernández Á."]
        for desde in range(0, n, LOTE):
            Usuario.objects.bulk_create(
                Usuario(
                    email=f"persona{i}@bench.gob.mx",
                    password=CONTRASENA_INUTILIZABLE,
                    first_name=nombres[i % len(nombres)],
                    last_name=f"{apellidos[i % len(apellidos)]} {i}",
                    curp=f"BENC{i:08d}HDFRNN09"[:18],
                    cargo="Enlace de transparencia",
                    organizacion=sujetos[i % len(sujetos)],
                    entidad_id=entidad_de_persona(
                        organizacion=sujetos[i % len(sujetos)], entidad_declarada=None
                    ),
                )
                for i in range(desde, min(n, desde + LOTE))
            )
        usuarios = list(
            Usuario.objects.filter(email__endswith="@bench.gob.mx")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for desde in range(0, n, LOTE):
            lote = []
            for u in usuarios[desde : desde + LOTE]:
                dias = azar.randint(0, 360)
                lote.append(
                    Inscripcion(
                        edicion=ediciones[u % 4],
                        usuario_id=u,
                        inscrita_en=ahora - datetime.timedelta(days=dias),
                    )
                )
            Inscripcion.objects.bulk_create(lote)
        inscripciones = list(Inscripcion.objects.values_list("pk", "usuario_id", "edicion_id"))
        progreso, asistencias, intentos = [], [], []
        for pk, usuario_id, edicion_id in inscripciones:
            avance = azar.random()
            if avance < 0.6:
                progreso += [ProgresoLeccion(inscripcion_id=pk, leccion=lec) for lec in lecciones_t]
                intentos.append(
                    Intento(
                        evaluacion=evaluacion,
                        usuario_id=usuario_id,
                        numero=1,
                        estado=Intento.Estado.CALIFICADO,
                        iniciado_en=ahora,
                        enviado_en=ahora,
                        calificado_en=ahora,
                        porcentaje=Decimal(azar.randint(30, 100)),
                    )
                )
            if avance < 0.3:
                progreso += [ProgresoLeccion(inscripcion_id=pk, leccion=lec) for lec in lecciones_p]
                asistencias.append(
                    Asistencia(
                        sesion=sesiones[edicion_id][0],
                        usuario_id=usuario_id,
                        origen=Asistencia.Origen.CODIGO,
                    )
                )
        ProgresoLeccion.objects.bulk_create(progreso, batch_size=LOTE)
        Asistencia.objects.bulk_create(asistencias, batch_size=LOTE)
        Intento.objects.bulk_create(intentos, batch_size=LOTE)
        self.stdout.write(
            f"  datos: {n} inscripciones, {len(progreso)} lecciones completadas, "
            f"{len(asistencias)} asistencias, {len(intentos)} intentos "
            f"en {time.perf_counter() - inicio:.1f} s"
        )
        # The stored progress comes from the facts through the one writer, as after
        # `manage.py recalcular_avance`; its time is part of the report.
        inicio = time.perf_counter()
        with CaptureQueriesContext(connection) as consultas:
            services.recalcular_avances(inscripciones=Inscripcion.objects.all())
        self.stdout.write(
            f"  recalcular_avances: {n} inscripciones en {time.perf_counter() - inicio:.1f} s, "
            f"{len(consultas)} consultas"
        )
        constancias = self._constancias()
        self.stdout.write(f"  constancias vigentes: {constancias}")
        nacional = Usuario.objects.create(
            email="nacional@bench.gob.mx", password=CONTRASENA_INUTILIZABLE
        )
        AsignacionRol.objects.create(usuario=nacional, rol=Rol.COORDINADOR_NACIONAL)
        estatal = Usuario.objects.create(
            email="estatal@bench.gob.mx", password=CONTRASENA_INUTILIZABLE
        )
        AsignacionRol.objects.create(
            usuario=estatal, rol=Rol.COORDINADOR_ESTATAL, entidad=entidades[13]
        )
        return nacional, estatal

    def _constancias(self) -> int:
        """One valid constancia per passed enrolment, as the constancias app would record."""
        from constancias.models import Constancia, PlantillaConstancia, SerieFolio
        from cursos.models import Inscripcion

        plantilla = PlantillaConstancia.objects.create(nombre="Plantilla de prueba")
        serie = SerieFolio.objects.create(prefijo="TP", anio=2026)
        filas = Inscripcion.objects.filter(completada_en__isnull=False).values_list(
            "pk", "usuario_id", "edicion_id", "completada_en"
        )
        lote = [
            Constancia(
                usuario_id=usuario_id,
                edicion_id=edicion_id,
                inscripcion_id=pk,
                tipo="acreditacion",
                alcance="curso",
                plantilla=plantilla,
                serie=serie,
                folio=f"TP-2026-{i:06d}",
                codigo_verificacion=f"bench{i:010d}",
                instantanea={},
                pdf="constancias/bench.pdf",
                sha256="0" * 64,
                emitida_en=completada_en,
            )
            for i, (pk, usuario_id, edicion_id, completada_en) in enumerate(filas, start=1)
            if completada_en is not None  # always: the query asks for completed ones
        ]
        Constancia.objects.bulk_create(lote, batch_size=LOTE)
        return len(lote)

    # --- Measurements -----------------------------------------------------------------

    def _medir_una(self, nombre: str, funcion: Callable[[], int]) -> None:
        """Wall time (median of runs), then peak traced Python memory and queries in one more run.

        Exports also get `_memoria_aparte`: the resident peak of a fresh process.
        """
        tiempos = []
        filas = 0
        for _ in range(self.opciones["repeticiones"]):
            gc.collect()
            inicio = time.perf_counter()
            filas = funcion()
            tiempos.append(time.perf_counter() - inicio)
        gc.collect()
        tracemalloc.start()
        with CaptureQueriesContext(connection) as consultas:
            funcion()
        _, pico = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        self.stdout.write(
            f"  {nombre}: {filas} filas, mediana {statistics.median(tiempos):.2f} s "
            f"(min {min(tiempos):.2f}, max {max(tiempos):.2f}), "
            f"memoria pico {pico / MIB:.1f} MiB (Python), {len(consultas)} consultas"
        )

    def _memoria_en_proceso_nuevo(self, formato: str, base: str) -> None:
        from lms.models import Usuario

        connection.settings_dict["NAME"] = base
        nacional = Usuario.objects.get(email="nacional@bench.gob.mx")
        exportar = _exportador(nacional, formato)
        gc.collect()
        self.stdout.write(json.dumps({"sobre_reposo": _pico_residente(exportar)}))

    def _memoria_aparte(self, formato: str) -> str:
        """Peak resident memory of one export in a new process, above that process at rest."""
        salida = subprocess.run(  # noqa: S603 - this same command, fixed arguments
            [
                sys.executable,
                "-W",
                "ignore",
                str(settings.BASE_DIR / "manage.py"),
                "bench_reportes",
                "--memoria-de",
                formato,
                "--base",
                str(connection.settings_dict["NAME"]),
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
        valor = json.loads(salida.stdout.strip().splitlines()[-1])["sobre_reposo"]
        return "n/d" if valor is None else f"{valor / MIB:.1f} MiB"

    def _medir(self) -> None:
        from cursos import reportes

        nacional, estatal = self._datos()
        csv = _exportador(nacional, "csv")
        xlsx = _exportador(nacional, "xlsx")

        cliente = Client()

        def tablero(usuario: Any, *, fria: bool) -> Callable[[], int]:
            def pedir() -> int:
                if fria:
                    cache.clear()
                cliente.force_login(usuario)
                respuesta = cliente.get(reverse("cursos:tablero"))
                assert respuesta.status_code == 200  # noqa: S101
                return 1

            return pedir

        self.stdout.write(
            f"Máquina: {platform.processor() or platform.machine()}, {os.cpu_count()} núcleos, "
            f"Python {platform.python_version()}, {connection.vendor}"
        )
        self._medir_una("CSV (todas las filas, coordinación nacional)", csv)
        self.stdout.write(
            f"    CSV en un proceso nuevo: pico residente {self._memoria_aparte('csv')}"
        )
        self._medir_una("XLSX (todas las filas, coordinación nacional)", xlsx)
        self.stdout.write(
            f"    XLSX en un proceso nuevo: pico residente {self._memoria_aparte('xlsx')}"
        )

        def agregados() -> int:
            reportes.tablero(nacional, reportes.Filtros())
            return 1

        self._medir_una("Agregados del tablero nacional (sin plantilla)", agregados)
        # Nothing of the dashboard is cached any more; "fría" clears Django's cache anyway.
        self._medir_una("Tablero sin filtros, nacional, caché fría", tablero(nacional, fria=True))
        self._medir_una("Tablero sin filtros, nacional, repetido", tablero(nacional, fria=False))
        self._medir_una("Tablero sin filtros, un estado, caché fría", tablero(estatal, fria=True))
        self._medir_una("Tablero sin filtros, un estado, repetido", tablero(estatal, fria=False))
