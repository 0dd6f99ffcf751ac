"""Authoring helpers the admin editor calls while an author types."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from evaluaciones import selectors
from evaluaciones.models import CategoriaPregunta, Evaluacion, Pregunta
from lms import alcance
from lms.alcance import Accion

MAX_FILAS = 500


def _entero(texto: str) -> int | None:
    return int(texto) if texto.isdigit() and len(texto) < 10 else None


@require_GET
def puntos_totales(request: HttpRequest) -> JsonResponse:
    """The total of the rows being edited (`fila=p:<id>` or `fila=c:<id>:<cantidad>:<1|>`).

    Questions and categories the author may not see count as absent, so the total
    tells nothing of another course's bank.
    """
    if not alcance.accede(request.user, Accion.CAMBIAR, Evaluacion):
        raise PermissionDenied
    filas = []
    for texto in request.GET.getlist("fila")[:MAX_FILAS]:
        tipo, _sep, resto = texto.partition(":")
        partes = resto.split(":")
        if tipo == "p" and (pk := _entero(partes[0])):
            filas.append(selectors.FilaPuntos(pregunta_id=pk))
        elif tipo == "c" and (pk := _entero(partes[0])):
            cantidad = _entero(partes[1]) if len(partes) > 1 else None
            incluir = len(partes) > 2 and partes[2] == "1"
            filas.append(selectors.FilaPuntos(None, pk, cantidad, incluir))
    preguntas = set(
        alcance.permitidos(request.user, Accion.VER, Pregunta)
        .filter(pk__in=[f.pregunta_id for f in filas if f.pregunta_id])
        .values_list("pk", flat=True)
    )
    categorias = set(
        alcance.permitidos(request.user, Accion.VER, CategoriaPregunta)
        .filter(pk__in=[f.categoria_id for f in filas if f.categoria_id])
        .values_list("pk", flat=True)
    )
    visibles = [f for f in filas if f.pregunta_id in preguntas or f.categoria_id in categorias]
    total = selectors.puntos_totales(visibles)
    return JsonResponse(
        {"texto": total.texto, "minimo": str(total.minimo), "maximo": str(total.maximo)}
    )
