"""Restore a backup made by `manage.py respaldar` into a new, empty database, and check it.

The target database is the configured one unless `--base` names another (a URL like
DATABASE_URL); it must have no tables. Public files go back to the default storage (or to
`--media`), private ones (constancia PDFs, exports, deliverables) to the private storage
(or to `--privado`, required with `--media` so a restore drill never writes into the live
private storage). Afterwards every table's rows and every file's SHA-256 are compared
with the backup's manifest; any difference fails the command. See docs/despliegue.md.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

import dj_database_url

from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from lms.archivos import AlmacenPrivadoLocal, almacen_privado
from lms.management.commands.respaldar import entorno_pg, filas_por_tabla, sha256_de


def _conectar_pg(datos: Mapping[str, Any]) -> Any:
    import psycopg

    return psycopg.connect(
        host=datos.get("HOST") or "127.0.0.1",
        port=datos.get("PORT") or 5432,
        user=datos.get("USER") or None,
        password=datos.get("PASSWORD") or None,
        dbname=datos["NAME"],
    )


def _tablas_pg(conexion: Any) -> list[str]:
    with conexion.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return [fila[0] for fila in cursor.fetchall()]


def _tablas_sqlite(conexion: sqlite3.Connection) -> list[str]:
    filas = conexion.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [fila[0] for fila in filas]


class Command(BaseCommand):
    help = "Restaura un respaldo (base de datos y archivos) en una base nueva y lo verifica."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("origen", help="Carpeta escrita por `manage.py respaldar`.")
        parser.add_argument(
            "--base", help="URL de la base destino (vacía); por omisión, la configurada."
        )
        parser.add_argument(
            "--media",
            help="Carpeta destino de los archivos públicos (por omisión, el almacenamiento "
            "configurado).",
        )
        parser.add_argument(
            "--privado",
            help="Carpeta destino de los archivos privados (por omisión, el almacenamiento "
            "privado configurado); obligatoria con --media.",
        )

    def handle(self, *args: Any, **opciones: Any) -> None:
        origen = Path(opciones["origen"])
        try:
            manifiesto = json.loads((origen / "manifiesto.json").read_text())
        except (OSError, ValueError) as error:
            raise CommandError(f"{origen} no contiene un manifiesto válido.") from error
        respaldo = origen / manifiesto["base"]
        if sha256_de(respaldo) != manifiesto["sha256_base"]:
            raise CommandError(f"{respaldo} está dañado: su SHA-256 no coincide.")
        datos: Mapping[str, Any] = (
            dj_database_url.parse(opciones["base"])
            if opciones["base"]
            else connection.settings_dict
        )
        motor = "sqlite" if "sqlite" in datos["ENGINE"] else "postgresql"
        if motor != manifiesto["motor"]:
            raise CommandError(f"El respaldo es de {manifiesto['motor']}; el destino es {motor}.")
        # Backups made before private files had their own storage list none.
        privados = manifiesto.get("archivos_privados", {})
        if opciones["media"] and privados and not opciones["privado"]:
            raise CommandError("Con --media indique también --privado (archivos privados).")
        filas = self._restaurar_base(motor, datos, respaldo)
        almacen = (
            FileSystemStorage(location=opciones["media"]) if opciones["media"] else default_storage
        )
        huellas = self._restaurar_archivos(almacen, origen / "media", manifiesto["archivos"])
        privado = (
            AlmacenPrivadoLocal(location=opciones["privado"])
            if opciones["privado"]
            else almacen_privado
        )
        huellas_privadas = self._restaurar_archivos(privado, origen / "privado", privados)

        problemas = [
            f"tabla {tabla}: {filas.get(tabla)} filas, el respaldo tenía {n}"
            for tabla, n in manifiesto["filas"].items()
            if filas.get(tabla) != n
        ]
        for esperadas, leidas in ((manifiesto["archivos"], huellas), (privados, huellas_privadas)):
            problemas += [
                f"archivo {nombre}: SHA-256 distinto o ausente"
                for nombre, sha in esperadas.items()
                if leidas.get(nombre) != sha
            ]
        if problemas:
            for problema in problemas:
                self.stderr.write(f"  {problema}")
            raise CommandError("La restauración no coincide con el respaldo.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restaurado y verificado: {len(filas)} tablas, {sum(filas.values())} filas, "
                f"{len(huellas) + len(huellas_privadas)} archivos con su SHA-256."
            )
        )

    def _restaurar_base(
        self, motor: str, datos: Mapping[str, Any], respaldo: Path
    ) -> dict[str, int]:
        if motor == "postgresql":
            conexion = _conectar_pg(datos)
            try:
                if _tablas_pg(conexion):
                    raise CommandError(f"La base {datos['NAME']} no está vacía.")
            finally:
                conexion.close()
            args, entorno = entorno_pg(datos)
            resultado = subprocess.run(  # noqa: S603 - fixed argv
                [
                    shutil.which("pg_restore") or "/usr/bin/pg_restore",
                    *args,
                    "--no-owner",
                    "--exit-on-error",
                    "-d",
                    datos["NAME"],
                    str(respaldo),
                ],
                env=entorno,
                capture_output=True,
                text=True,
                check=False,
            )
            if resultado.returncode:
                raise CommandError(f"pg_restore falló: {resultado.stderr.strip()}")
            conexion = _conectar_pg(datos)
            try:
                with conexion.cursor() as cursor:
                    return filas_por_tabla(cursor, _tablas_pg(conexion))
            finally:
                conexion.close()
        destino = Path(datos["NAME"])
        if destino.exists() and destino.stat().st_size:
            raise CommandError(f"{destino} ya existe; restaure en un archivo nuevo.")
        destino.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(respaldo, destino)
        conexion = sqlite3.connect(destino)
        try:
            return filas_por_tabla(conexion.cursor(), _tablas_sqlite(conexion))
        finally:
            conexion.close()

    def _restaurar_archivos(
        self, almacen: Any, carpeta: Path, archivos: dict[str, str]
    ) -> dict[str, str]:
        """Put each file back under its own name and return the SHA-256 read back."""
        huellas = {}
        for nombre in archivos:
            if almacen.exists(nombre):
                almacen.delete(nombre)
            with (carpeta / nombre).open("rb") as contenido:
                guardado = almacen.save(nombre, File(contenido, name=nombre))
            if guardado != nombre:
                raise CommandError(f"El almacenamiento guardó {nombre} como {guardado}.")
            with almacen.open(nombre, "rb") as leido:
                resumen = hashlib.sha256()
                for bloque in iter(partial(leido.read, 1 << 20), b""):
                    resumen.update(bloque)
                huellas[nombre] = resumen.hexdigest()
        return huellas
