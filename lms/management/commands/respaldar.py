"""Back up the database and the stored files (constancia PDFs, exports, uploads).

Writes a folder with `base.dump` (pg_dump, custom format) or `base.sqlite3` (SQLite's
online backup, the same as the shell's `.backup`), `media/` (every file of the public
storage, local disk or S3), `privado/` (every file of the private storage: constancia
PDFs, exports, deliverables) and `manifiesto.json`: rows per table and the SHA-256 of
every file, which `manage.py restaurar` checks after restoring. See docs/despliegue.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from lms.archivos import almacen_privado


def archivos_de(almacen: Any, carpeta: str = "") -> Iterator[str]:
    """Every file name in a storage, recursively (FileSystemStorage and S3Storage alike)."""
    try:
        carpetas, archivos = almacen.listdir(carpeta)
    except FileNotFoundError:
        return
    for archivo in archivos:
        yield f"{carpeta}/{archivo}" if carpeta else archivo
    for sub in carpetas:
        yield from archivos_de(almacen, f"{carpeta}/{sub}" if carpeta else sub)


def sha256_de(ruta: Path) -> str:
    resumen = hashlib.sha256()
    with ruta.open("rb") as archivo:
        for bloque in iter(lambda: archivo.read(1 << 20), b""):
            resumen.update(bloque)
    return resumen.hexdigest()


def copiar_archivos(almacen: Any, carpeta: Path) -> dict[str, str]:
    """Copy every file of `almacen` under `carpeta`; returns each name's SHA-256."""
    archivos = {}
    for nombre in archivos_de(almacen):
        ruta = carpeta / nombre
        ruta.parent.mkdir(parents=True, exist_ok=True)
        with almacen.open(nombre, "rb") as origen, ruta.open("wb") as copia:
            shutil.copyfileobj(origen, copia)
        archivos[nombre] = sha256_de(ruta)
    return archivos


def entorno_pg(datos: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore; the password travels in PGPASSWORD."""
    args = ["-h", datos.get("HOST") or "127.0.0.1", "-p", str(datos.get("PORT") or 5432)]
    if datos.get("USER"):
        args += ["-U", datos["USER"]]
    entorno = dict(os.environ)
    if datos.get("PASSWORD"):
        entorno["PGPASSWORD"] = datos["PASSWORD"]
    return args, entorno


def filas_por_tabla(cursor: Any, tablas: list[str], comillas: str = '"') -> dict[str, int]:
    filas = {}
    for tabla in sorted(tablas):
        cursor.execute(f"SELECT COUNT(*) FROM {comillas}{tabla}{comillas}")  # noqa: S608
        filas[tabla] = cursor.fetchone()[0]
    return filas


class Command(BaseCommand):
    help = "Respalda la base de datos y los archivos guardados (PDF de constancias) en una carpeta."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("destino", help="Carpeta nueva donde se escribe el respaldo.")

    def handle(self, *args: Any, **opciones: Any) -> None:
        destino = Path(opciones["destino"])
        if destino.exists() and any(destino.iterdir()):
            raise CommandError(f"{destino} ya existe y no está vacía.")
        destino.mkdir(parents=True, exist_ok=True)
        manifiesto: dict[str, Any] = {
            "creado_en": timezone.now().isoformat(),
            "motor": connection.vendor,
        }
        tablas = connection.introspection.table_names()
        # Rows are counted inside the dump's snapshot on PostgreSQL: pg_dump runs in one
        # transaction, so writes during a backup may differ by a few rows from the counts.
        with connection.cursor() as cursor:
            manifiesto["filas"] = filas_por_tabla(cursor, tablas)
        if connection.vendor == "postgresql":
            args_pg, entorno = entorno_pg(connection.settings_dict)
            salida = destino / "base.dump"
            comando = [
                shutil.which("pg_dump") or "/usr/bin/pg_dump",
                *args_pg,
                "-Fc",
                "--no-owner",
                "-f",
                str(salida),
            ]
            resultado = subprocess.run(  # noqa: S603 - fixed argv
                [*comando, connection.settings_dict["NAME"]],
                env=entorno,
                capture_output=True,
                text=True,
                check=False,
            )
            if resultado.returncode:
                raise CommandError(f"pg_dump falló: {resultado.stderr.strip()}")
            manifiesto["base"] = "base.dump"
        elif connection.vendor == "sqlite":
            connection.ensure_connection()
            copia = sqlite3.connect(destino / "base.sqlite3")
            try:
                connection.connection.backup(copia)
            finally:
                copia.close()
            manifiesto["base"] = "base.sqlite3"
        else:
            raise CommandError(f"Motor no soportado: {connection.vendor}")
        manifiesto["sha256_base"] = sha256_de(destino / manifiesto["base"])

        manifiesto["archivos"] = copiar_archivos(default_storage, destino / "media")
        manifiesto["archivos_privados"] = copiar_archivos(almacen_privado, destino / "privado")
        (destino / "manifiesto.json").write_text(json.dumps(manifiesto, indent=1, sort_keys=True))
        archivos = len(manifiesto["archivos"]) + len(manifiesto["archivos_privados"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Respaldo en {destino}: {len(tablas)} tablas, "
                f"{sum(manifiesto['filas'].values())} filas, {archivos} archivos."
            )
        )
