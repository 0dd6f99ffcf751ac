"""Writes on the people model: profiles, roles, organizations, email."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from lms.models import AsignacionRol, NombreOrganizacion, Organizacion, Rol, Usuario

GRUPO_POR_ROL: dict[str, str] = {
    Rol.INSTRUCTOR: "Instructores",
    Rol.COORDINADOR_ESTATAL: "Coordinación estatal",
    Rol.COORDINADOR_NACIONAL: "Coordinación nacional",
    Rol.ADMINISTRADOR: "Administradores",
}
# Roles whose holders work in the Wagtail admin.
ROLES_CON_ADMIN = {Rol.INSTRUCTOR, Rol.COORDINADOR_NACIONAL, Rol.ADMINISTRADOR}


def enviar_correo(*, datos: dict[str, Any]) -> int:
    """Send one serialized message through the configured real backend."""
    from django.conf import settings
    from django.core.mail import get_connection

    from lms.correo import reconstruir_mensaje

    conexion = get_connection(settings.LMS_EMAIL_BACKEND_REAL)
    return conexion.send_messages([reconstruir_mensaje(datos)]) or 0


def responder_ping(*, marca: str) -> str:
    """Answer a health-check ping; proves a worker consumed the queue."""
    return f"pong:{marca}"


def asegurar_grupos() -> dict[str, Group]:
    """Create the role groups with their base permissions; idempotent."""
    grupos = {
        rol: Group.objects.get_or_create(name=nombre)[0] for rol, nombre in GRUPO_POR_ROL.items()
    }
    acceso = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    ).first()
    if acceso is not None:
        for rol in ROLES_CON_ADMIN:
            grupos[rol].permissions.add(acceso)
    return grupos


@transaction.atomic
def sincronizar_grupos(*, usuario: Usuario) -> None:
    """Make the user's Django groups and admin flags match their role assignments."""
    grupos = asegurar_grupos()
    roles = set(usuario.asignaciones.values_list("rol", flat=True))
    for rol, grupo in grupos.items():
        if rol in roles:
            usuario.groups.add(grupo)
        else:
            usuario.groups.remove(grupo)
    es_admin = Rol.ADMINISTRADOR in roles
    if es_admin and not (usuario.is_staff and usuario.is_superuser):
        usuario.is_staff = usuario.is_superuser = True
        usuario.save(update_fields=["is_staff", "is_superuser"])


@transaction.atomic
def asignar_rol(*, usuario: Usuario, rol: str, entidad_id: int | None = None) -> AsignacionRol:
    """Give `usuario` a role (idempotent) and sync their groups."""
    if rol != Rol.COORDINADOR_ESTATAL:
        entidad_id = None
    asignacion, _ = AsignacionRol.objects.get_or_create(
        usuario=usuario, rol=rol, entidad_id=entidad_id
    )
    sincronizar_grupos(usuario=usuario)
    usuario.__dict__.pop("_alcance_cache", None)
    return asignacion


@transaction.atomic
def retirar_rol(*, usuario: Usuario, rol: str, entidad_id: int | None = None) -> None:
    """Take a role away and sync groups."""
    AsignacionRol.objects.filter(usuario=usuario, rol=rol, entidad_id=entidad_id).delete()
    sincronizar_grupos(usuario=usuario)


@transaction.atomic
def actualizar_perfil(
    *,
    usuario: Usuario,
    first_name: str,
    last_name: str,
    curp: str,
    cargo: str,
    organizacion: Organizacion | None,
) -> Usuario:
    """Save the profile; the person's entity always follows their organization."""
    usuario.first_name = " ".join(first_name.split())
    usuario.last_name = " ".join(last_name.split())
    usuario.curp = curp.strip().upper()
    usuario.cargo = " ".join(cargo.split())
    usuario.organizacion = organizacion
    usuario.entidad_id = organizacion.entidad_id if organizacion is not None else None
    usuario.save(
        update_fields=["first_name", "last_name", "curp", "cargo", "organizacion", "entidad"]
    )
    return usuario


@transaction.atomic
def registrar_aceptacion_aviso(*, usuario: Usuario, version: str) -> Usuario:
    """Record that the user accepted version `version` of the privacy notice, and when."""
    usuario.aviso_privacidad_aceptado_en = timezone.now()
    usuario.aviso_privacidad_version = version
    usuario.save(update_fields=["aviso_privacidad_aceptado_en", "aviso_privacidad_version"])
    return usuario


@transaction.atomic
def renombrar_organizacion(
    *,
    organizacion: Organizacion,
    nombre: str,
    siglas: str,
    fecha: datetime.date | None = None,
    motivo: str = "",
) -> Organizacion:
    """Rename a body, keeping the old name (valid until the day before `fecha`) in its history."""
    fecha = fecha or timezone.localdate()
    organizacion = Organizacion.objects.select_for_update().get(pk=organizacion.pk)
    if organizacion.nombre == nombre and organizacion.siglas == siglas:
        return organizacion
    anterior = organizacion.nombres_historicos.order_by("-vigente_hasta").first()
    desde = (
        anterior.vigente_hasta + datetime.timedelta(days=1)
        if anterior
        else timezone.localdate(organizacion.creada_en)
    )
    hasta = fecha - datetime.timedelta(days=1)
    NombreOrganizacion.objects.create(
        organizacion=organizacion,
        nombre=organizacion.nombre,
        siglas=organizacion.siglas,
        vigente_desde=min(desde, hasta),
        vigente_hasta=hasta,
        motivo=motivo,
    )
    organizacion.nombre = nombre
    organizacion.siglas = siglas
    organizacion.save(update_fields=["nombre", "siglas", "actualizada_en"])
    return organizacion


@transaction.atomic
def fusionar_organizaciones(
    *, origen: Organizacion, destino: Organizacion, motivo: str = ""
) -> Organizacion:
    """Merge `origen` into `destino`: people move, `origen` stays (inactive) for old records."""
    if origen.pk == destino.pk:
        raise ValueError("Una organización no puede fusionarse consigo misma.")
    origen = Organizacion.objects.select_for_update().get(pk=origen.pk)
    origen.activa = False
    origen.fusionada_en = destino
    origen.save(update_fields=["activa", "fusionada_en", "actualizada_en"])
    Usuario.objects.filter(organizacion=origen).update(
        organizacion=destino, entidad_id=destino.entidad_id
    )
    Organizacion.objects.filter(organo_garante=origen).update(organo_garante=destino)
    return destino
