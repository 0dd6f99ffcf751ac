"""The participant's list of evaluations (`/evaluaciones/`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from evaluaciones import selectors


@never_cache
@login_required
@require_GET
def mis_evaluaciones(request: HttpRequest) -> HttpResponse:
    """Evaluations of the courses the person is enrolled in: state, attempts left, next step."""
    return render(
        request,
        "evaluaciones/mis_evaluaciones.html",
        {
            "filas": selectors.evaluaciones_propias(request.user, ahora=timezone.now()),
            "revisa": selectors.puede_revisar(request.user),
        },
    )
