"""Benchmark of finding people as one types (not a test; see docs/BENCHMARKS.md).

Runs in a throwaway database created next to the configured one, as the test runner
does, and dropped at the end. It holds `--personas` people (100,000 by default) with
accented Spanish names across 320 institutions of the 32 entidades, written with
bulk_create (timed: the database computes the generated search columns on insert).
Then, for a few queries, it measures the best of `--repeticiones` runs of:

- the people list of the coordination as a national coordinator sees it (the view,
  through the test client: count, first page of 50 and the page around it);
- Wagtail's Users listing as an administrator (20 a page);
- the bare count on the stored columns (person and institution); the same match
  evaluated at query time (normalizing each field of every row), the design not taken;
  and the search this replaced (`icontains` per word on the raw fields, which misses
  "Peña" for "pena"), as the baseline.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Q, QuerySet
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms import services
from lms.busqueda_texto import campos_persona, filtrar_por_texto
from lms.models import EntidadFederativa, Organizacion, Rol, Usuario

NOMBRES = [
    "José Ángel", "María José", "Rocío", "Guadalupe", "Iñaki", "Sofía", "Andrés", "Inés",
    "Raúl", "Verónica", "Jesús", "Mónica", "Héctor", "Begoña", "Martín", "Ángela",
]  # fmt: skip
APELLIDOS = [
    "Peña", "Núñez", "Ibáñez", "Muñoz", "Gómez", "Hernández", "López", "Martínez",
    "Pérez", "Sánchez", "Ramírez", "Cruz", "Ordóñez", "Álvarez", "Jiménez", "Ruiz",
]  # fmt: skip
CONSULTAS = ["pena", "jose angel", "IBÁÑEZ rocio", "educacion jalisco", "nadie-se-llama-asi"]


CAMPOS_CRUDOS = ["first_name", "last_name", "email", "organizacion__nombre"]


def _icontains(personas: QuerySet[Any], consulta: str) -> QuerySet[Any]:
    for palabra in consulta.split():
        condicion = Q()
        for campo in CAMPOS_CRUDOS:
            condicion |= Q(**{f"{campo}__icontains": palabra})
        personas = personas.filter(condicion)
    return personas


def _columnas_guardadas(personas: QuerySet[Any], consulta: str) -> QuerySet[Any]:
    return filtrar_por_texto(personas, consulta, campos_persona())


def _normalizando_al_consultar(personas: QuerySet[Any], consulta: str) -> QuerySet[Any]:
    return filtrar_por_texto(personas, consulta, CAMPOS_CRUDOS)


MANERAS: dict[str, Callable[[QuerySet[Any], str], QuerySet[Any]]] = {
    "columnas guardadas": _columnas_guardadas,
    "normalizando al consultar": _normalizando_al_consultar,
    "antes (icontains, con acentos)": _icontains,
}


def _contar(filtrar: Callable[[QuerySet[Any], str], QuerySet[Any]], consulta: str) -> int:
    return filtrar(Usuario.objects.all(), consulta).count()


def _mejor(funcion: Callable[[], Any], repeticiones: int) -> tuple[float, Any]:
    mejor, resultado = float("inf"), None
    for _ in range(repeticiones):
        inicio = time.perf_counter()
        resultado = funcion()
        mejor = min(mejor, time.perf_counter() - inicio)
    return mejor, resultado


class Command(BaseCommand):
    help = "Mide la búsqueda de personas sin acentos ni mayúsculas con muchas personas."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--personas", type=int, default=100_000)
        parser.add_argument("--repeticiones", type=int, default=5)
        parser.add_argument("--semilla", type=int, default=2026)

    def handle(self, *args: Any, **opciones: Any) -> None:
        warnings.filterwarnings("ignore", message="No directory at")
        self.opciones = opciones
        base = connection.settings_dict
        nombre_original = base["NAME"]
        carpeta = tempfile.mkdtemp(prefix="bench_busqueda_")
        if connection.vendor == "sqlite":
            base.setdefault("TEST", {})["NAME"] = os.path.join(carpeta, "bench.sqlite3")
        else:
            base.setdefault("TEST", {})["NAME"] = f"test_{nombre_original}_busqueda"
        if base["TEST"]["NAME"] == nombre_original:
            raise CommandError("La base de prueba coincide con la configurada; no se continúa.")
        self.stdout.write(f"Base desechable ({connection.vendor}): {base['TEST']['NAME']}")
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
                self._medir()
        finally:
            connection.creation.destroy_test_db(nombre_original, verbosity=0)
            shutil.rmtree(carpeta, ignore_errors=True)

    def _datos(self) -> tuple[Any, Any]:
        azar = random.Random(self.opciones["semilla"])  # noqa: S311 - reproducible data
        n = self.opciones["personas"]
        organizaciones = Organizacion.objects.bulk_create(
            Organizacion(
                clase=Organizacion.Clase.SUJETO_OBLIGADO,
                nombre=f"Secretaría de Educación {i} de {entidad.nombre}",
                entidad=entidad,
                ambito=Organizacion.Ambito.ESTATAL,
                tipo=Organizacion.Tipo.PODER_EJECUTIVO,
            )
            for entidad in EntidadFederativa.objects.all()
            for i in range(10)
        )
        inicio = time.perf_counter()
        Usuario.objects.bulk_create(
            (
                Usuario(
                    email=f"persona{i}@ejemplo.gob.mx",
                    first_name=azar.choice(NOMBRES),
                    last_name=f"{azar.choice(APELLIDOS)} {azar.choice(APELLIDOS)}",
                    organizacion=(organizacion := azar.choice(organizaciones)),
                    entidad_id=services.entidad_de_persona(
                        organizacion=organizacion, entidad_declarada=None
                    ),
                )
                for i in range(n)
            ),
            batch_size=2000,
        )
        escritura = time.perf_counter() - inicio
        self.stdout.write(
            f"{n:,} personas escritas con bulk_create en {escritura:.1f} s "
            f"({escritura / n * 1e6:.0f} µs por persona, columnas de búsqueda incluidas)"
        )
        roles = {}
        for rol in (Rol.COORDINADOR_NACIONAL, Rol.ADMINISTRADOR):
            usuario = Usuario.objects.create_user(f"{rol}@bench.mx", first_name="Bench")
            services.asignar_rol(usuario=usuario, rol=rol)
            roles[rol] = Usuario.objects.get(pk=usuario.pk)
        return roles[Rol.COORDINADOR_NACIONAL], roles[Rol.ADMINISTRADOR]

    def _medir(self) -> None:
        repeticiones = self.opciones["repeticiones"]
        nacional, administrador = self._datos()
        pantallas = {"coordinación": (nacional, "/coordinacion/")}
        pantallas["usuarios (Wagtail)"] = (administrador, reverse("wagtailusers_users:index"))
        for consulta in CONSULTAS:
            self.stdout.write(f"\n«{consulta}»")
            for etiqueta, (usuario, url) in pantallas.items():
                cliente = Client()
                cliente.force_login(usuario)
                cliente.get(url)
                with CaptureQueriesContext(connection) as consultas:
                    segundos, respuesta = _mejor(
                        partial(cliente.get, url, {"q": consulta}), repeticiones
                    )
                if respuesta.status_code != 200:
                    raise CommandError(f"{url} respondió {respuesta.status_code}.")
                self.stdout.write(
                    f"  {etiqueta}: {segundos * 1000:,.0f} ms "
                    f"({len(consultas) // repeticiones} consultas)"
                )
            for etiqueta, filtrar in MANERAS.items():
                segundos, cuantas = _mejor(partial(_contar, filtrar, consulta), repeticiones)
                self.stdout.write(f"  {etiqueta}: {segundos * 1000:,.0f} ms, {cuantas:,} personas")
