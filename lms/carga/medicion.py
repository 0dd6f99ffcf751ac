"""Latency and error tally per kind of request."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


def percentil(ordenadas: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 for an empty one)."""
    if not ordenadas:
        return 0.0
    rango = max(1, math.ceil(p / 100 * len(ordenadas)))
    return ordenadas[min(rango, len(ordenadas)) - 1]


@dataclass
class Medicion:
    duraciones: list[float] = field(default_factory=list)
    errores: dict[str, int] = field(default_factory=dict)
    primera: float = math.inf
    ultima: float = 0.0

    def registrar(self, inicio: float, fin: float, error: str | None = None) -> None:
        self.primera = min(self.primera, inicio)
        self.ultima = max(self.ultima, fin)
        if error is None:
            self.duraciones.append(fin - inicio)
        else:
            self.errores[error] = self.errores.get(error, 0) + 1

    @property
    def total(self) -> int:
        return len(self.duraciones) + sum(self.errores.values())

    def linea(self, nombre: str) -> str:
        orden = sorted(self.duraciones)
        lapso = max(self.ultima - self.primera, 1e-9) if self.total else 0.0
        tasa = self.total / lapso if lapso else 0.0

        def ms(p: float) -> float:
            return percentil(orden, p) * 1000

        errores = ", ".join(f"{k}: {v}" for k, v in sorted(self.errores.items())) or "—"
        return (
            f"{nombre:<24} n={self.total:>6} ok={len(orden):>6} "
            f"p50={ms(50):>6.0f} ms p95={ms(95):>6.0f} ms p99={ms(99):>6.0f} ms "
            f"{tasa:>7.1f}/s errores: {errores}"
        )
