"""Finding people and institutions by what is typed, ignoring accents and case.

One rule, `normalizar`, holds everywhere: a fixed character map that lowercases A–Z,
takes Latin-1 letters to their base letter and drops combining accents ("Peña" → "pena",
"ÁNGEL" → "angel", a decomposed "n" + U+0303 → "n"). PostgreSQL applies the same map
with its built-in TRANSLATE, and SQLite with `normalizar` itself, registered on each
connection as a deterministic function; so a query normalized in Python meets text
normalized in SQL exactly, with no extension and no superuser.

Large tables (people, organizations) keep the normalized text in a generated column
(`Usuario.busqueda`, `Organizacion.busqueda`): the database itself computes it on every
INSERT and UPDATE, bulk_create and queryset.update() included, so nothing can leave it
out of sync. Evaluating the map at query time instead costs about 30 µs a row on
PostgreSQL (3 s for 100,000 people), while a LIKE on the stored column costs under 1 µs.
Small tables (the 32 entities) are normalized at query time.

On SQLite the function lives in each Django connection, so the stored values read
anywhere (backups, the sqlite3 shell), but writing those two tables from outside Django
fails with "unknown function: lms_sin_acentos()". A pure-SQL map (one REPLACE per
letter, nested) overflows SQLite's parser.

Changing `TABLA` changes what those generated columns hold, which Django's autodetector
cannot see: it needs a migration that removes and re-adds them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from django.db import NotSupportedError, connections
from django.db.backends.signals import connection_created
from django.db.models import F, Func, GeneratedField, Model, Q, QuerySet, TextField
from django.dispatch import receiver

MAX_PALABRAS = 8


def _tabla() -> dict[str, str]:
    tabla = {chr(codigo): chr(codigo).lower() for codigo in range(ord("A"), ord("Z") + 1)}
    for codigo in range(0xC0, 0x100):
        letra = chr(codigo)
        if not letra.isalpha():
            continue
        descompuesta = unicodedata.normalize("NFKD", letra)
        base = "".join(c for c in descompuesta if not unicodedata.combining(c)).lower()
        # TRANSLATE maps one character to one: ß and the like stay as they are.
        if len(base) == 1 and base != letra:
            tabla[letra] = base
    # Combining diacritical marks (text typed decomposed) are dropped.
    tabla.update({chr(codigo): "" for codigo in range(0x300, 0x370)})
    return tabla


TABLA: dict[str, str] = _tabla()
# TRANSLATE deletes the characters of its second argument that the third lacks.
_DESDE = "".join(sorted(TABLA, key=lambda letra: TABLA[letra] == ""))
_HACIA = "".join(TABLA[letra] for letra in _DESDE if TABLA[letra])
_TRADUCCION = str.maketrans({letra: hacia or None for letra, hacia in TABLA.items()})
FUNCION_SQLITE = "lms_sin_acentos"


def normalizar(texto: str) -> str:
    """`texto` as the search columns store it: A–Z lowercased, accents removed."""
    return texto.translate(_TRADUCCION)


def palabras(consulta: str) -> list[str]:
    """The normalized words of a query, at most `MAX_PALABRAS` of them."""
    return normalizar(consulta).split()[:MAX_PALABRAS]


def _normalizar_sql(texto: str | None) -> str | None:
    return None if texto is None else normalizar(texto)


def _registrar_en_sqlite(conexion: Any) -> None:
    if conexion.vendor == "sqlite" and conexion.connection is not None:
        conexion.connection.create_function(FUNCION_SQLITE, 1, _normalizar_sql, deterministic=True)


@receiver(connection_created)
def _al_conectar(sender: Any, connection: Any, **kwargs: Any) -> None:
    _registrar_en_sqlite(connection)


# lms.models imports this module while the apps load, before any query; a connection
# opened even earlier gets the function here.
for _conexion in connections.all(initialized_only=True):
    _registrar_en_sqlite(_conexion)


def campos_persona(ruta: str = "") -> tuple[str, ...]:
    """What a person is found by (name, email, institution), from a model `ruta` away."""
    prefijo = f"{ruta}__" if ruta else ""
    return (f"{prefijo}busqueda", f"{prefijo}organizacion__busqueda")


class SinAcentos(Func):
    """`normalizar` in SQL; deterministic, so it may define a generated column."""

    arity = 1
    output_field = TextField()

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> Any:
        raise NotSupportedError(f"SinAcentos has no SQL for {connection.vendor}.")

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return super().as_sql(compiler, connection, function=FUNCION_SQLITE, **extra_context)

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"TRANSLATE({sql}, %s, %s)", [*params, _DESDE, _HACIA]


def _ya_normalizado(modelo: type[Model], ruta: str) -> bool:
    """Whether `ruta` (a field path from `modelo`) ends at a column holding `SinAcentos`."""
    *relaciones, nombre = ruta.split("__")
    for relacion in relaciones:
        # Each step of the path is a relation: related_model is a model, never None.
        modelo = modelo._meta.get_field(relacion).related_model  # type: ignore[assignment]
    campo = modelo._meta.get_field(nombre)
    return isinstance(campo, GeneratedField) and isinstance(
        getattr(campo, "expression", None), SinAcentos
    )


def filtrar_por_texto(
    queryset: QuerySet[Any], consulta: str, campos: Sequence[str]
) -> QuerySet[Any]:
    """The rows where every word of `consulta` is in one of `campos`, ignoring accents and case.

    "jose angel" finds "José Ángel Peña": each word may fall in any of the fields, so a
    name and surnames split across columns (or a name and an institution) still match.
    A query with no words leaves the queryset as it is.
    """
    expresiones: dict[str, Any] = {}
    for indice, ruta in enumerate(campos):
        if _ya_normalizado(queryset.model, ruta):
            expresiones[ruta] = ruta
        else:
            alias = f"_busqueda_{indice}"
            queryset = queryset.alias(**{alias: SinAcentos(F(ruta))})
            expresiones[ruta] = alias
    for palabra in palabras(consulta):
        condicion = Q()
        for expresion in expresiones.values():
            condicion |= Q(**{f"{expresion}__contains": palabra})
        queryset = queryset.filter(condicion)
    return queryset


class BusquedaSinAcentosMixin:
    """For a Wagtail IndexView: `search_fields` matched by `filtrar_por_texto`.

    The viewset must set `search_backend_name = None`, so Wagtail searches with the ORM
    and reaches `search_queryset`.
    """

    is_searching: bool
    search_query: str
    search_fields: Sequence[str] | None

    def search_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.is_searching:
            return queryset
        return filtrar_por_texto(queryset, self.search_query, self.search_fields or [])
