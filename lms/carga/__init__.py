"""Building blocks for load tests and benchmarks that know only `lms`.

Hostile workbooks (`libros`), measurement (`medicion`), a local stack (`pila`) and
logged-in sessions (`sesiones`). The deadline scenario, which spans every app, is
`constancias.carga` (imports point down). Not imported by the site.
"""
