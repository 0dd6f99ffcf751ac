"""Time and memory to refuse each hostile workbook, and to read a legitimate one.

The target (issue 12, finding 5): a hostile file gets its Spanish error in under a second
with bounded memory. For each file of `lms.carga.libros.HOSTILES` this reads it through
`lms.tabular.leer_tabla` (the reader every import uses) `--repeticiones` times and
reports the fastest time and the `tracemalloc` peak of one more read; then the same for a
legitimate 10,000-row enrolment list. Nothing touches the database.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.management.base import BaseCommand

from lms import tabular
from lms.carga import libros


def _leer(contenido: bytes) -> str:
    try:
        tabla = tabular.leer_tabla("lista.xlsx", contenido, max_filas=tabular.MAX_FILAS_ASISTENCIA)
    except tabular.ArchivoInvalido as error:
        return f"rechazado: {error}"[:70]
    return f"leído: {len(tabla)} filas"


def _medir(leer: Callable[[], str], repeticiones: int) -> tuple[float, float, str]:
    mejor = float("inf")
    resultado = ""
    for _ in range(repeticiones):
        inicio = time.perf_counter()
        resultado = leer()
        mejor = min(mejor, time.perf_counter() - inicio)
    tracemalloc.start()
    leer()
    _actual, pico = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return mejor, pico / (1024 * 1024), resultado


class Command(BaseCommand):
    help = "Mide cuánto tarda y cuánta memoria usa rechazar cada libro de Excel hostil."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--repeticiones", type=int, default=5)

    def handle(self, *args: Any, repeticiones: int, **options: Any) -> None:
        filas = [("archivo", "tamaño (KB)", "mejor (ms)", "pico (MB)", "resultado")]
        casos = {nombre: construir for nombre, (construir, _palabras) in libros.HOSTILES.items()}
        casos["legitimo_10000_filas"] = libros.lista_legitima
        for nombre, construir in casos.items():
            contenido = construir()
            mejor, pico, resultado = _medir(partial(_leer, contenido), repeticiones)
            filas.append(
                (
                    nombre,
                    f"{len(contenido) / 1024:,.0f}",
                    f"{mejor * 1000:,.0f}",
                    f"{pico:.1f}",
                    resultado,
                )
            )
        anchos = [max(len(f[i]) for f in filas) for i in range(4)]
        for fila in filas:
            self.stdout.write(
                "  ".join(c.ljust(a) for c, a in zip(fila[:4], anchos, strict=True))
                + "  "
                + fila[4]
            )
