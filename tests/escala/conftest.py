"""Fixtures of the scale-out tests."""

from __future__ import annotations

import sqlite3

import pytest

from django.db import connection


@pytest.fixture
def base_nueva(tmp_path):
    """URL of a brand-new empty database of the same engine, and a reader for it."""
    if connection.vendor == "sqlite":
        archivo = tmp_path / "restaurada.sqlite3"

        def leer(sql):
            with sqlite3.connect(archivo) as conexion:
                return conexion.execute(sql).fetchall()

        yield f"sqlite:///{archivo}", leer
        return
    import psycopg

    datos = connection.settings_dict
    nombre = f"{datos['NAME']}_restaurada"[:63]
    parametros = {
        "host": datos["HOST"] or "127.0.0.1",
        "port": datos["PORT"] or 5432,
        "user": datos["USER"] or None,
        "password": datos["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **parametros) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{nombre}"')
        admin.execute(f'CREATE DATABASE "{nombre}"')

    def leer(sql):
        with psycopg.connect(dbname=nombre, **parametros) as conexion:
            return conexion.execute(sql).fetchall()

    clave = f":{datos['PASSWORD']}" if datos["PASSWORD"] else ""
    try:
        yield (
            f"postgres://{datos['USER']}{clave}@{parametros['host']}:{parametros['port']}/{nombre}",
            leer,
        )
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **parametros) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{nombre}"')
