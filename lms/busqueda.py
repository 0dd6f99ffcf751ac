"""Site search: Wagtail's database backend, with SQLite's FTS5 given only well-quoted terms.

On SQLite, Wagtail's backend (django-modelsearch) wraps each term of a search in double
quotes without doubling a quote inside it, and passes a quoted phrase as it was typed, so
a search for `"` or `"a NEAR(b"` is an FTS5 syntax error and a 500 (reported upstream as
wagtail/wagtail#13227). Here each term and phrase loses its control characters and has
its quotes doubled, as FTS5 strings require; a term without a letter or digit, which no
index entry can match, is left out rather than making the whole search match nothing.
PostgreSQL and MySQL keep Wagtail's backends unchanged.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.db import connection

from wagtail.search.backends import database
from wagtail.search.query import And, MatchAll, Not, Or, Phrase, PlainText, SearchQuery

from lms.entrada import quitar_controles


def _terminos(texto: str) -> list[str]:
    return [
        termino.replace('"', '""')
        for termino in quitar_controles(texto).split()
        if any(caracter.isalnum() for caracter in termino)
    ]


def consulta_segura(consulta: SearchQuery) -> SearchQuery | None:
    """`consulta` with every term safe inside an FTS5 string; None if nothing can match."""
    match consulta:
        case PlainText():
            terminos = _terminos(consulta.query_string)
            if not terminos:
                return None
            return PlainText(" ".join(terminos), operator=consulta.operator, boost=consulta.boost)
        case Phrase():
            terminos = _terminos(consulta.query_string)
            return Phrase(" ".join(terminos)) if terminos else None
        case And() | Or():
            partes = [p for p in map(consulta_segura, consulta.subqueries) if p is not None]
            return type(consulta)(partes) if partes else None
        case Not():
            interior = consulta_segura(consulta.subquery)
            # Leaving out nothing leaves everything.
            return Not(interior) if interior is not None else MatchAll()
        case _:
            return consulta


class ConsultaSegura:
    """Mixin of a query compiler: `consulta_segura` applied before the query is built."""

    query: SearchQuery
    queryset: Any

    def search(self, config: Any, start: Any, stop: Any, score_field: Any = None) -> Any:
        consulta = consulta_segura(self.query)
        if consulta is None:
            return self.queryset.none()
        self.query = consulta
        # A mixin: the class it is mixed into defines this method.
        return super().search(config, start, stop, score_field=score_field)  # type: ignore[misc]


def SearchBackend(params: dict[str, Any]) -> Any:
    """The backend Wagtail would choose for the database, with FTS5 queries made safe.

    Wagtail looks a backend module's `SearchBackend` up by that name. Its SQLite module
    defines the FTS index model only on SQLite, so `lms.busqueda_sqlite` is imported only
    there, as Wagtail does with its own.
    """
    elegido = database.SearchBackend(params)
    if connection.vendor != "sqlite":
        return elegido
    sqlite = import_module("lms.busqueda_sqlite")
    if isinstance(elegido, sqlite.SQLiteSearchBackend):
        return sqlite.BusquedaSQLiteBackend(params)
    return elegido
