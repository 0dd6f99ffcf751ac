"""Reads on the people model used by more than one screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.models import EmailAddress

from lms.models import Usuario

ProveedorDatos = Callable[[Usuario], Any]

# Higher apps (cursos, evaluaciones, constancias) add the records they hold about a
# person here from their AppConfig.ready(), so imports keep pointing one way.
_PROVEEDORES_DATOS: dict[str, ProveedorDatos] = {}


def registrar_proveedor_datos(clave: str, proveedor: ProveedorDatos) -> None:
    """Include `proveedor(usuario)` under `clave` in every personal-data download."""
    _PROVEEDORES_DATOS[clave] = proveedor


def _fecha(valor: Any) -> str | None:
    return valor.isoformat() if valor else None


def datos_personales(*, usuario: Usuario) -> dict[str, Any]:
    """Everything the platform holds about `usuario`, as a JSON-ready dict (ARCO access right).

    Only `usuario`'s own rows are read; nothing here depends on who asks.
    """
    organizacion = usuario.organizacion
    datos: dict[str, Any] = {
        "correo_electronico": usuario.email,
        "nombre": usuario.first_name,
        "apellidos": usuario.last_name,
        "curp": usuario.curp or None,
        "cargo": usuario.cargo,
        "organizacion": (
            {
                "nombre": organizacion.nombre,
                "siglas": organizacion.siglas or None,
                "clase": organizacion.get_clase_display(),
                "entidad": organizacion.entidad.nombre if organizacion.entidad else None,
            }
            if organizacion
            else None
        ),
        "entidad_federativa": usuario.entidad.nombre if usuario.entidad else None,
        "cuenta_activa": usuario.is_active,
        "fecha_de_registro": _fecha(usuario.date_joined),
        "ultimo_acceso": _fecha(usuario.last_login),
        "aviso_de_privacidad": {
            "version_aceptada": usuario.aviso_privacidad_version or None,
            "aceptado_en": _fecha(usuario.aviso_privacidad_aceptado_en),
        },
        "correos": [
            {"correo": e.email, "verificado": e.verified, "principal": e.primary}
            for e in EmailAddress.objects.filter(user=usuario).order_by("-primary", "email")
        ],
        "roles": [
            {
                "rol": a.get_rol_display(),
                "entidad": a.entidad.nombre if a.entidad else None,
                "asignado_en": _fecha(a.asignado_en),
            }
            for a in usuario.asignaciones.select_related("entidad").order_by("asignado_en")
        ],
    }
    for clave, proveedor in _PROVEEDORES_DATOS.items():
        datos[clave] = proveedor(usuario)
    return datos
