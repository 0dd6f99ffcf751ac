"""What a participant may see of a finished attempt, and when."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Revision:
    puntaje: bool
    respuestas: bool
    correctas: bool
    retroalimentacion: bool

    @property
    def algo(self) -> bool:
        return self.puntaje or self.respuestas or self.correctas or self.retroalimentacion


NADA = Revision(puntaje=False, respuestas=False, correctas=False, retroalimentacion=False)


def _permitido(momento: str, *, cerrada: bool) -> bool:
    if momento == "al_enviar":
        return True
    if momento == "al_cierre":
        return cerrada
    return False


def revision_permitida(
    *,
    puntaje: str,
    respuestas: str,
    correctas: str,
    retroalimentacion: str,
    enviado: bool,
    cierre: datetime.datetime | None,
    ahora: datetime.datetime,
) -> Revision:
    """Apply the evaluation's review options to one attempt.

    Nothing is visible while the attempt is open. "After the close date" waits for
    the latest close date anyone has (extensions included), so nobody still taking
    the evaluation can be handed the keys; without a close date it never arrives.
    """
    if not enviado:
        return NADA
    cerrada = cierre is not None and ahora >= cierre
    return Revision(
        puntaje=_permitido(puntaje, cerrada=cerrada),
        respuestas=_permitido(respuestas, cerrada=cerrada),
        correctas=_permitido(correctas, cerrada=cerrada),
        retroalimentacion=_permitido(retroalimentacion, cerrada=cerrada),
    )
