"""Reads other apps use to learn evaluation results, without knowing the engine's internals."""

from __future__ import annotations

import datetime
from collections.abc import Iterable


def aprobaciones(
    *, usuario_ids: Iterable[int], evaluacion_ids: Iterable[int]
) -> dict[tuple[int, int], datetime.datetime]:
    """Map (usuario_id, evaluacion_id) to when that person passed that evaluation.

    Only passed evaluations appear. The date is the moment of the fact that made the
    person pass (submission, manual grade or regrade), so completion dates derive from it.
    """
    return {}
