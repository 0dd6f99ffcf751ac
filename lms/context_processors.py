from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lms.alcance import alcance_de


@dataclass(frozen=True)
class EnlaceNav:
    """One link of the main navigation; `actual` is the aria-current value or ""."""

    url: str
    etiqueta: str | Promise
    actual: str = ""
    clase: str = ""


def _url_o_none(nombre: str) -> str | None:
    try:
        return reverse(nombre)
    except NoReverseMatch:
        return None


def _actual(ruta: str, url: str) -> str:
    """aria-current for a link: "page" on the page itself, "true" inside its section."""
    if ruta == url:
        return "page"
    if url != "/" and ruta.startswith(url):
        return "true"
    return ""


def cargar_permisos(usuario: Any) -> None:
    """Load every permission of `usuario` (own and through groups) in one query.

    Django's model backend reads them in two and keeps the set on the user object
    (`_perm_cache`) for the rest of the request; filling that cache here lets the
    navigation and Wagtail's user bar ask `has_perm` without any further query. Only
    the model backend grants permissions here (allauth's backend extends it).
    """
    if (
        getattr(usuario, "is_authenticated", False)
        and usuario.is_active
        and not usuario.is_superuser
        and not hasattr(usuario, "_perm_cache")
    ):
        # Two indexed subqueries: joining the groups' members instead would multiply
        # every permission by everyone in the person's groups.
        propios = usuario.user_permissions.through.objects.filter(usuario_id=usuario.pk)
        de_grupos = Group.permissions.through.objects.filter(
            group_id__in=usuario.groups.through.objects.filter(usuario_id=usuario.pk).values(
                "group_id"
            )
        )
        filas = Permission.objects.filter(
            Q(pk__in=propios.values("permission_id")) | Q(pk__in=de_grupos.values("permission_id"))
        ).values_list("content_type__app_label", "codename")
        usuario._perm_cache = {f"{app}.{codigo}" for app, codigo in filas}


def puede_entrar_al_admin(usuario: Any) -> bool:
    """Whether `usuario` may open the Wagtail admin."""
    if usuario is None or not getattr(usuario, "is_authenticated", False):
        return False
    cargar_permisos(usuario)
    return bool(usuario.is_superuser or usuario.has_perm("wagtailadmin.access_admin"))


def navegacion(request: HttpRequest) -> dict[str, object]:
    """Which sections the navigation offers to the current user, with the current one marked.

    "Mis cursos" points to cursos:mis_cursos once the cursos app defines it, and to
    the profile until then, so the header never breaks on a missing URL name.
    """
    usuario = getattr(request, "user", None)
    autenticado = bool(usuario and usuario.is_authenticated)
    ruta = request.path
    if not autenticado:
        anonimos = [
            (reverse("account_login"), _("Iniciar sesión"), ""),
            (reverse("account_signup"), _("Registrarse"), "boton boton--secundario"),
        ]
        return {
            "nav": {
                "mis_cursos": False,
                "coordinacion": False,
                "administracion": False,
                "enlaces": [
                    EnlaceNav(url=url, etiqueta=etiqueta, actual=_actual(ruta, url), clase=clase)
                    for url, etiqueta, clase in anonimos
                ],
            }
        }
    alcance = alcance_de(usuario)
    administracion = puede_entrar_al_admin(usuario)
    url_perfil = reverse("perfil")
    url_mis_cursos = _url_o_none("cursos:mis_cursos") or url_perfil
    enlaces: list[tuple[str, str | Promise]] = [(url_mis_cursos, _("Mis cursos"))]
    if alcance.coordina:
        url_coordinacion = _url_o_none("coordinacion")
        if url_coordinacion:
            enlaces.append((url_coordinacion, _("Coordinación")))
    if administracion:
        enlaces.append((reverse("wagtailadmin_home"), _("Administración")))
    enlaces.append((url_perfil, _("Mi perfil")))
    # Only one link is current: the most specific match, the last one on a tie
    # (so "Mi perfil" wins while "Mis cursos" still falls back to the profile).
    coincidencias = [i for i, (url, _e) in enumerate(enlaces) if _actual(ruta, url)]
    elegido = max(coincidencias, key=lambda i: (len(enlaces[i][0]), i), default=None)
    resultado = [
        EnlaceNav(url=url, etiqueta=etiqueta, actual=_actual(ruta, url) if i == elegido else "")
        for i, (url, etiqueta) in enumerate(enlaces)
    ]
    return {
        "nav": {
            "mis_cursos": True,
            "coordinacion": alcance.coordina,
            "administracion": administracion,
            "enlaces": resultado,
        }
    }
