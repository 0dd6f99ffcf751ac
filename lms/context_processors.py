from django.http import HttpRequest

from lms.alcance import alcance_de


def navegacion(request: HttpRequest) -> dict[str, object]:
    """Which sections the navigation offers to the current user."""
    usuario = getattr(request, "user", None)
    alcance = alcance_de(usuario)
    autenticado = bool(usuario and usuario.is_authenticated)
    return {
        "nav": {
            "mis_cursos": autenticado,
            "coordinacion": alcance.coordina,
            "administracion": autenticado
            and (usuario.is_superuser or usuario.has_perm("wagtailadmin.access_admin")),
        }
    }
