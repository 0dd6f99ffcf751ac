"""Writes on the people model: profiles, roles, organizations, email."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from lms.alcance import olvidar_cache
from lms.models import (
    AsignacionRol,
    EntidadFederativa,
    NombreOrganizacion,
    Organizacion,
    Rol,
    Usuario,
)

if TYPE_CHECKING:
    from lms.importacion import FilaRevisada

logger = logging.getLogger(__name__)

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
    olvidar_cache(usuario)
    return asignacion


@transaction.atomic
def retirar_rol(*, usuario: Usuario, rol: str, entidad_id: int | None = None) -> None:
    """Take a role away and sync groups; taking Administrador away also ends superuser status."""
    AsignacionRol.objects.filter(usuario=usuario, rol=rol, entidad_id=entidad_id).delete()
    if rol == Rol.ADMINISTRADOR and usuario.is_superuser:
        usuario.is_superuser = False
        usuario.is_staff = False
        usuario.save(update_fields=["is_superuser", "is_staff"])
    sincronizar_grupos(usuario=usuario)
    olvidar_cache(usuario)


class ConEntidad(Protocol):
    """An organization, or the import's reference to one: only its entity matters here."""

    @property
    def entidad_id(self) -> int | None: ...


def entidad_de_persona(
    *, organizacion: ConEntidad | None, entidad_declarada: int | None
) -> int | None:
    """A person's entity: their organization's when it has one, else the one declared for them.

    The one rule for `Usuario.entidad` (coordinators' scope filters by the stored
    column). Every write of a person's entity derives it here or through
    `alinear_entidad_de_personas`; tests/lms/test_entidad_una_fuente.py checks the
    sources for any other assignment. A write that asks for no entity (the profile,
    the admin's user form) declares None: the entity then follows the organization.
    """
    if organizacion is not None and organizacion.entidad_id is not None:
        return organizacion.entidad_id
    return entidad_declarada


def alinear_entidad_de_personas(*, organizaciones: Iterable[Organizacion]) -> int:
    """Give the people of these organizations their organization's entity; returns how many moved.

    For bulk changes that say nothing about the persons themselves (an organization's
    entity edited, a merge): people of an organization without an entity keep the
    entity they were given, as `entidad_de_persona` would with it as the declared one.
    """
    movidas = 0
    for organizacion in organizaciones:
        if organizacion.entidad_id is None:
            continue
        movidas += (
            Usuario.objects.filter(organizacion=organizacion)
            .exclude(entidad_id=organizacion.entidad_id)
            .update(entidad_id=organizacion.entidad_id)
        )
    return movidas


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
    """Save the profile; the person's entity follows their organization (`entidad_de_persona`)."""
    usuario.first_name = " ".join(first_name.split())
    usuario.last_name = " ".join(last_name.split())
    usuario.curp = curp.strip().upper()
    usuario.cargo = " ".join(cargo.split())
    usuario.organizacion = organizacion
    usuario.entidad_id = entidad_de_persona(organizacion=organizacion, entidad_declarada=None)
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
    """Rename a body, keeping the old name (valid until the day before `fecha`) in its history.

    A name replaced on the same day it was given was never in force on any
    date, so it leaves no history entry (the admin's log keeps the edit).
    """
    fecha = fecha or timezone.localdate()
    organizacion = Organizacion.objects.select_for_update().get(pk=organizacion.pk)
    nombre = " ".join(nombre.split())
    siglas = " ".join(siglas.split())
    if not nombre:
        raise ValidationError(_("Escriba el nombre de la organización."))
    if organizacion.nombre == nombre and organizacion.siglas == siglas:
        return organizacion
    anterior = organizacion.nombres_historicos.order_by("-vigente_hasta").first()
    hasta = fecha - datetime.timedelta(days=1)
    if anterior is not None and hasta < anterior.vigente_hasta:
        raise ValidationError(
            _("El cambio no puede fecharse antes del último cambio de nombre (%(fecha)s).")
            % {"fecha": anterior.vigente_hasta + datetime.timedelta(days=1)}
        )
    if anterior is None or hasta > anterior.vigente_hasta:
        desde = (
            anterior.vigente_hasta + datetime.timedelta(days=1)
            if anterior
            else timezone.localdate(organizacion.creada_en)
        )
        NombreOrganizacion.objects.create(
            organizacion=organizacion,
            nombre=organizacion.nombre,
            siglas=organizacion.siglas,
            vigente_desde=min(desde, hasta),
            vigente_hasta=hasta,
            motivo=" ".join(motivo.split())[:255],
        )
    organizacion.nombre = nombre
    organizacion.siglas = siglas
    organizacion.save(update_fields=["nombre", "siglas", "actualizada_en"])
    return organizacion


@transaction.atomic
def fusionar_organizaciones(
    *,
    origen: Organizacion,
    destino: Organizacion,
    motivo: str = "",
    usuario: Usuario | None = None,
) -> Organizacion:
    """Merge `origen` into `destino`: people move, `origen` stays (inactive) for old records.

    Both rows are locked first, so a double submit or two admins merging at
    once merge once and the second gets a ValidationError.
    """
    if origen.pk == destino.pk:
        raise ValidationError(_("Una organización no puede fusionarse consigo misma."))
    # order_by() drops the model ordering's join to entidad: PostgreSQL cannot
    # lock the nullable side of an outer join.
    bloqueadas = (
        Organizacion.objects.select_for_update().order_by().in_bulk([origen.pk, destino.pk])
    )
    origen, destino = bloqueadas[origen.pk], bloqueadas[destino.pk]
    if origen.fusionada_en_id is not None:
        raise ValidationError(
            _("«%(origen)s» ya se fusionó en otra organización.") % {"origen": origen.nombre}
        )
    if not destino.activa or destino.fusionada_en_id is not None:
        raise ValidationError(
            _("«%(destino)s» no está activa; elija una organización activa como destino.")
            % {"destino": destino.nombre}
        )
    if origen.clase != destino.clase:
        raise ValidationError(
            _("Solo pueden fusionarse organizaciones de la misma clase (%(clase)s).")
            % {"clase": origen.get_clase_display()}
        )
    origen.activa = False
    origen.fusionada_en = destino
    origen.save(update_fields=["activa", "fusionada_en", "actualizada_en"])
    personas = Usuario.objects.filter(organizacion=origen).update(organizacion=destino)
    alinear_entidad_de_personas(organizaciones=[destino])
    Organizacion.objects.filter(organo_garante=origen).update(organo_garante=destino)
    log(
        origen,
        "lms.fusionar",
        user=usuario,
        data={
            "destino_id": destino.pk,
            "destino": str(destino),
            "motivo": " ".join(motivo.split()),
            "personas": personas,
        },
    )
    return destino


@transaction.atomic
def crear_organizacion(
    *,
    clase: str,
    nombre: str,
    siglas: str = "",
    entidad: EntidadFederativa | None = None,
    organo_garante: Organizacion | None = None,
    ambito: str = "",
    tipo: str = "",
    activa: bool = True,
) -> Organizacion:
    """Register an órgano garante or sujeto obligado."""
    organizacion = Organizacion(
        clase=clase,
        nombre=" ".join(nombre.split()),
        siglas=" ".join(siglas.split()),
        entidad=entidad,
        organo_garante=organo_garante,
        ambito=ambito,
        tipo=tipo,
        activa=activa,
    )
    organizacion.save()
    return organizacion


@transaction.atomic
def actualizar_organizacion(
    *,
    organizacion: Organizacion,
    clase: str,
    nombre: str,
    siglas: str,
    entidad: EntidadFederativa | None,
    organo_garante: Organizacion | None,
    ambito: str,
    tipo: str,
    activa: bool,
    motivo: str = "",
) -> Organizacion:
    """Save an edited body; a new name or siglas goes through the name history."""
    organizacion = renombrar_organizacion(
        organizacion=organizacion, nombre=nombre, siglas=siglas, motivo=motivo
    )
    if organizacion.fusionada_en_id is not None and activa:
        raise ValidationError(_("Una organización fusionada no puede reactivarse."))
    organizacion.clase = clase
    organizacion.entidad = entidad
    organizacion.organo_garante = organo_garante
    organizacion.ambito = ambito
    organizacion.tipo = tipo
    organizacion.activa = activa
    organizacion.save(
        update_fields=[
            "clase",
            "entidad",
            "organo_garante",
            "ambito",
            "tipo",
            "activa",
            "actualizada_en",
        ]
    )
    alinear_entidad_de_personas(organizaciones=[organizacion])
    return organizacion


@transaction.atomic
def importar_sujetos_obligados(
    *, filas: Sequence[FilaRevisada], usuario: Usuario | None = None
) -> dict[str, int]:
    """Write every accepted row of a reviewed file in one transaction; rejected rows are skipped.

    A row that matched nothing at preview time but whose body was created since
    (another import, another admin) updates that body instead of duplicating it.
    """
    aceptadas = [f for f in filas if f.aceptada]
    existentes = (
        Organizacion.objects.select_for_update()
        .order_by()
        .in_bulk([f.organizacion_id for f in aceptadas if f.organizacion_id])
    )
    nuevas = actualizadas = 0
    for fila in aceptadas:
        organizacion = existentes.get(fila.organizacion_id) if fila.organizacion_id else None
        if organizacion is None:
            organizacion = (
                Organizacion.objects.select_for_update()
                .order_by("pk")
                .filter(
                    clase=Organizacion.Clase.SUJETO_OBLIGADO,
                    entidad_id=fila.entidad_id,
                    nombre__iexact=fila.nombre,
                )
                .first()
            )
        if organizacion is None:
            organizacion = Organizacion.objects.create(
                clase=Organizacion.Clase.SUJETO_OBLIGADO,
                nombre=fila.nombre,
                siglas=fila.siglas,
                entidad_id=fila.entidad_id,
                organo_garante_id=fila.organo_garante_id,
                ambito=fila.ambito,
                tipo=fila.tipo,
            )
            nuevas += 1
            continue
        organizacion.ambito = fila.ambito
        organizacion.tipo = fila.tipo
        if fila.siglas:
            organizacion.siglas = fila.siglas
        if fila.organo_garante_id:
            organizacion.organo_garante_id = fila.organo_garante_id
        organizacion.save(
            update_fields=["ambito", "tipo", "siglas", "organo_garante", "actualizada_en"]
        )
        actualizadas += 1
    resultado = {"nuevas": nuevas, "actualizadas": actualizadas}
    logger.info(
        "Sujetos obligados importados por el usuario %s: %s",
        getattr(usuario, "pk", None),
        resultado,
    )
    return resultado


@transaction.atomic
def sincronizar_correo_cuenta(*, usuario: Usuario) -> None:
    """After an administrator changes a login email, only the new address may sign in."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=usuario).exclude(email__iexact=usuario.email).delete()
    EmailAddress.objects.get_or_create(
        user=usuario,
        email__iexact=usuario.email,
        defaults={"email": usuario.email, "primary": True, "verified": False},
    )


@transaction.atomic
def verificar_correo_propio(*, usuario: Usuario) -> bool:
    """Mark the account's own address verified once its owner set a password from a link to it.

    A password chosen through a link sent to that address (an invitation or a reset)
    proves the person reads it.
    """
    from allauth.account.models import EmailAddress

    return bool(
        EmailAddress.objects.filter(
            user=usuario, email__iexact=usuario.email, verified=False
        ).update(verified=True)
    )


@transaction.atomic
def registrar_auditoria(
    *,
    usuario: Usuario | None,
    accion: str,
    filtros: dict[str, Any] | None = None,
    filas: int | None = None,
    objeto: str = "",
) -> Any:
    """Append one entry to the audit log; entries are never changed afterwards."""
    from lms.models import RegistroAuditoria

    return RegistroAuditoria.objects.create(
        usuario=usuario,
        usuario_email=getattr(usuario, "email", "") or "",
        accion=accion,
        filtros=filtros or {},
        filas=filas,
        objeto=objeto[:100],
    )
