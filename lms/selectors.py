"""Reads on the people model used by more than one screen."""

from __future__ import annotations

from typing import Any

from lms.models import Usuario


def datos_personales(*, usuario: Usuario) -> dict[str, Any]:
    """Everything the platform holds about `usuario`, as a JSON-ready dict (ARCO access right)."""
    organizacion = usuario.organizacion
    return {
        "correo_electronico": usuario.email,
        "nombre": usuario.first_name,
        "apellidos": usuario.last_name,
        "curp": usuario.curp or None,
        "cargo": usuario.cargo,
        "organizacion": (
            {
                "nombre": organizacion.nombre,
                "clase": organizacion.get_clase_display(),
                "entidad": organizacion.entidad.nombre if organizacion.entidad_id else None,
            }
            if organizacion
            else None
        ),
        "fecha_de_registro": usuario.date_joined.isoformat(),
        "ultimo_acceso": usuario.last_login.isoformat() if usuario.last_login else None,
        "aviso_de_privacidad": {
            "version_aceptada": usuario.aviso_privacidad_version or None,
            "aceptado_en": (
                usuario.aviso_privacidad_aceptado_en.isoformat()
                if usuario.aviso_privacidad_aceptado_en
                else None
            ),
        },
        "correos": [
            {"correo": e.email, "verificado": e.verified, "principal": e.primary}
            for e in usuario.emailaddress_set.all()
        ],
        "roles": [
            {"rol": a.get_rol_display(), "entidad": a.entidad.nombre if a.entidad_id else None}
            for a in usuario.asignaciones.select_related("entidad")
        ],
    }
