"""Reads on the people model used by more than one screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.models import EmailAddress

from django.db.models import Q

from lms.models import RegistroAuditoria, Usuario

ProveedorDatos = Callable[[Usuario], Any]

# Higher apps (cursos, evaluaciones, constancias) add the records they hold about a
# person here from their AppConfig.ready(), so imports keep pointing one way.
_PROVEEDORES_DATOS: dict[str, ProveedorDatos] = {}


def registrar_proveedor_datos(clave: str, proveedor: ProveedorDatos) -> None:
    """Include `proveedor(usuario)` under `clave` in every personal-data download."""
    _PROVEEDORES_DATOS[clave] = proveedor


def fecha_json(valor: Any) -> str | None:
    """A date or datetime as the personal-data download writes it (ISO 8601)."""
    return valor.isoformat() if valor else None


def numero_json(valor: Any) -> str | None:
    """A Decimal as text, so no precision is lost in JSON."""
    return None if valor is None else str(valor)


def _bitacora(usuario: Usuario) -> dict[str, list[dict[str, Any]]]:
    """The audit entries of what the person did, and of who consulted their record.

    Who consulted it is left out: that is the other person's data.
    """
    propias: list[dict[str, Any]] = []
    consultas: list[dict[str, Any]] = []
    entradas = RegistroAuditoria.objects.filter(
        Q(usuario=usuario)
        | Q(accion=RegistroAuditoria.Accion.CONSULTA_KARDEX, objeto=str(usuario.pk))
    ).order_by("registrado_en", "pk")
    for entrada in entradas:
        if entrada.usuario_id == usuario.pk:
            propias.append(
                {
                    "accion": entrada.get_accion_display(),
                    "fecha": fecha_json(entrada.registrado_en),
                    "filtros": entrada.filtros,
                    "filas": entrada.filas,
                }
            )
        else:
            consultas.append(
                {"accion": entrada.get_accion_display(), "fecha": fecha_json(entrada.registrado_en)}
            )
    return {"acciones_registradas": propias, "consultas_de_su_expediente": consultas}


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
        "fecha_de_registro": fecha_json(usuario.date_joined),
        "ultimo_acceso": fecha_json(usuario.last_login),
        "aviso_de_privacidad": {
            "version_aceptada": usuario.aviso_privacidad_version or None,
            "aceptado_en": fecha_json(usuario.aviso_privacidad_aceptado_en),
        },
        "correos": [
            {"correo": e.email, "verificado": e.verified, "principal": e.primary}
            for e in EmailAddress.objects.filter(user=usuario).order_by("-primary", "email")
        ],
        "roles": [
            {
                "rol": a.get_rol_display(),
                "entidad": a.entidad.nombre if a.entidad else None,
                "asignado_en": fecha_json(a.asignado_en),
            }
            for a in usuario.asignaciones.select_related("entidad").order_by("asignado_en")
        ],
    }
    datos.update(_bitacora(usuario))
    for clave, proveedor in _PROVEEDORES_DATOS.items():
        datos[clave] = proveedor(usuario)
    return datos
