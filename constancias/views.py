"""Admin views of constancias."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from constancias.models import PlantillaConstancia


@login_required
def muestra_plantilla(request: HttpRequest, pk: int) -> HttpResponse:
    """The latest draft of a template rendered with sample data (PDF, or the error)."""
    if not request.user.has_perm("constancias.change_plantillaconstancia"):
        raise Http404
    plantilla = get_object_or_404(PlantillaConstancia, pk=pk)
    borrador = plantilla.get_latest_revision_as_object()
    return borrador.serve_preview(request, "pdf")
