"""Writes for constancias: folios, verification codes and template permissions."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.db.models import F

from constancias.models import SerieFolio
from lms.models import Rol

# 16 random bytes: 128 bits, written as 22 URL-safe characters.
BYTES_CODIGO_VERIFICACION = 16
ROLES_EDITORES_PLANTILLAS = (Rol.COORDINADOR_NACIONAL, Rol.ADMINISTRADOR)


def generar_codigo_verificacion() -> str:
    """An unguessable public verification code with 128 random bits."""
    return secrets.token_urlsafe(BYTES_CODIGO_VERIFICACION)


@transaction.atomic
def obtener_serie(*, prefijo: str, anio: int) -> SerieFolio:
    """The folio series for `prefijo` and `anio`, created on first use (race-safe)."""
    serie, _creada = SerieFolio.objects.get_or_create(prefijo=prefijo, anio=anio)
    return serie


@transaction.atomic
def asignar_folios(*, serie: SerieFolio, cantidad: int) -> list[str]:
    """Reserve `cantidad` consecutive folios of `serie`.

    Call it inside the issuing transaction: the row lock taken here is held until that
    transaction ends, so concurrent issuers queue and a rolled-back issue gives its
    numbers back instead of leaving gaps.
    """
    if cantidad < 1:
        return []
    bloqueada = SerieFolio.objects.select_for_update().get(pk=serie.pk)
    SerieFolio.objects.filter(pk=serie.pk).update(ultimo=F("ultimo") + cantidad)
    primero = bloqueada.ultimo + 1
    serie.ultimo = bloqueada.ultimo + cantidad
    return [serie.folio(numero) for numero in range(primero, primero + cantidad)]


def asignar_folio(*, serie: SerieFolio) -> str:
    """The next folio of `serie` (see asignar_folios for the locking)."""
    return asignar_folios(serie=serie, cantidad=1)[0]


@transaction.atomic
def asegurar_permisos_plantillas() -> None:
    """Let national coordinators and administrators edit and publish templates; idempotent."""
    from django.contrib.auth.models import Permission

    from lms.services import asegurar_grupos

    grupos = asegurar_grupos()
    permisos = Permission.objects.filter(
        content_type__app_label="constancias",
        content_type__model="plantillaconstancia",
        codename__in=[
            "add_plantillaconstancia",
            "change_plantillaconstancia",
            "delete_plantillaconstancia",
            "publish_plantillaconstancia",
        ],
    )
    for rol in ROLES_EDITORES_PLANTILLAS:
        grupos[rol].permissions.add(*permisos)
