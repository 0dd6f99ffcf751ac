"""Wagtail's SQLite search backend with `lms.busqueda.consulta_segura` applied to each query.

Imported only on SQLite (see `lms.busqueda.SearchBackend`): Wagtail's SQLite module
defines its FTS index model only there.
"""

from __future__ import annotations

from wagtail.search.backends.database.sqlite.sqlite import (
    SQLiteAutocompleteQueryCompiler,
    SQLiteSearchBackend,
    SQLiteSearchQueryCompiler,
)

from lms.busqueda import ConsultaSegura

__all__ = ["BusquedaSQLiteBackend", "SQLiteSearchBackend"]


class ConsultaSQLiteCompiler(ConsultaSegura, SQLiteSearchQueryCompiler):
    pass


class AutocompletarSQLiteCompiler(ConsultaSegura, SQLiteAutocompleteQueryCompiler):
    pass


class BusquedaSQLiteBackend(SQLiteSearchBackend):
    query_compiler_class = ConsultaSQLiteCompiler
    autocomplete_query_compiler_class = AutocompletarSQLiteCompiler
