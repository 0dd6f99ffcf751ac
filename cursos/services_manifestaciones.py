"""Writes of the manifestación de interés: create, edit, send, accept or ask for changes.

Each write locks the manifestación row and checks the person's rights through
`lms.alcance`, so the views only parse and render. Sending and deciding are
idempotent: a double click (or a retry) of the same step changes nothing twice.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cursos.manifestaciones import padron, puede_decidir
from cursos.models import (
    ContactoManifestacion,
    DecisionManifestacion,
    ManifestacionInteres,
    ProgramaPage,
)
from lms.alcance import Accion, alcance_de, permitidos, puede_crear
from lms.models import EntidadFederativa, Organizacion, Usuario

logger = logging.getLogger(__name__)

META_MAXIMA = 1_000_000


class ManifestacionError(ValidationError):
    """A manifestación step that cannot be done; the message is for the person."""


@dataclass(frozen=True)
class DatosContacto:
    nombre: str
    correo: str
    cargo: str = ""
    telefono: str = ""


@dataclass(frozen=True)
class DatosManifestacion:
    """What the state commits to; the same shape for creating and editing."""

    meta_personas_teorica: int = 0
    meta_sujetos_teorica: int = 0
    meta_personas_practica: int = 0
    meta_sujetos_practica: int = 0
    sujetos_obligados: Sequence[Organizacion] = ()
    contactos: Sequence[DatosContacto] = ()
    fecha_inicio_preferida: datetime.date | None = None
    fecha_fin_preferida: datetime.date | None = None
    observaciones: str = ""


def validar_datos(*, entidad: EntidadFederativa, datos: DatosManifestacion) -> dict[str, list[str]]:
    """Every reason `datos` cannot be a commitment of `entidad`, by field (empty: valid)."""
    errores: dict[str, list[str]] = {}

    def error(campo: str, mensaje: str) -> None:
        errores.setdefault(campo, []).append(mensaje)

    for campo in (
        "meta_personas_teorica",
        "meta_sujetos_teorica",
        "meta_personas_practica",
        "meta_sujetos_practica",
    ):
        valor = getattr(datos, campo)
        if valor < 0:
            error(campo, _("La meta no puede ser negativa."))
        elif valor > META_MAXIMA:
            error(campo, _("La meta no puede ser mayor que %(maxima)d.") % {"maxima": META_MAXIMA})
    tope = padron(entidad.pk)
    for campo in ("meta_sujetos_teorica", "meta_sujetos_practica"):
        if getattr(datos, campo) > tope:
            error(
                campo,
                _(
                    "La meta supera el padrón de %(entidad)s: tiene %(padron)d sujetos "
                    "obligados registrados."
                )
                % {"entidad": entidad.nombre, "padron": tope},
            )
    if 0 <= datos.meta_personas_teorica < datos.meta_personas_practica:
        error(
            "meta_personas_practica",
            _("La meta de la fase práctica no puede ser mayor que la de la fase teórica."),
        )
    if 0 <= datos.meta_sujetos_teorica < datos.meta_sujetos_practica:
        error(
            "meta_sujetos_practica",
            _("La meta de la fase práctica no puede ser mayor que la de la fase teórica."),
        )
    ajenos = [
        o
        for o in datos.sujetos_obligados
        if o.entidad_id != entidad.pk or o.clase != Organizacion.Clase.SUJETO_OBLIGADO
    ]
    if ajenos:
        error(
            "sujetos_obligados",
            _("Elija solo sujetos obligados de %(entidad)s.") % {"entidad": entidad.nombre},
        )
    inicio, fin = datos.fecha_inicio_preferida, datos.fecha_fin_preferida
    if inicio and fin and fin < inicio:
        error("fecha_fin_preferida", _("La fecha final no puede ser anterior a la inicial."))
    return errores


def _rechazar_si_invalidos(entidad: EntidadFederativa, datos: DatosManifestacion) -> None:
    errores = validar_datos(entidad=entidad, datos=datos)
    if errores:
        raise ManifestacionError(errores)


def _guardar_datos(manifestacion: ManifestacionInteres, datos: DatosManifestacion) -> None:
    for campo in (
        "meta_personas_teorica",
        "meta_sujetos_teorica",
        "meta_personas_practica",
        "meta_sujetos_practica",
        "fecha_inicio_preferida",
        "fecha_fin_preferida",
        "observaciones",
    ):
        setattr(manifestacion, campo, getattr(datos, campo))
    manifestacion.save()
    manifestacion.sujetos_obligados.set(datos.sujetos_obligados)
    manifestacion.contactos.all().delete()
    ContactoManifestacion.objects.bulk_create(
        ContactoManifestacion(
            manifestacion=manifestacion,
            nombre=c.nombre,
            correo=c.correo,
            cargo=c.cargo,
            telefono=c.telefono,
        )
        for c in datos.contactos
    )


def existente(*, programa: ProgramaPage, anio: int, entidad: EntidadFederativa) -> Any:
    return ManifestacionInteres.objects.filter(
        programa=programa, anio=anio, entidad=entidad
    ).first()


def _duplicada(otra: ManifestacionInteres) -> ManifestacionError:
    return ManifestacionError(
        _(
            "%(entidad)s ya tiene una manifestación de interés para %(programa)s %(anio)d; "
            "ábrala para revisarla o editarla."
        )
        % {"entidad": otra.entidad.nombre, "programa": otra.programa.title, "anio": otra.anio},
        code="duplicada",
        params={"existente": otra.pk},
    )


@transaction.atomic
def crear_manifestacion(
    *,
    usuario: Usuario,
    programa: ProgramaPage,
    anio: int,
    entidad: EntidadFederativa,
    datos: DatosManifestacion,
) -> ManifestacionInteres:
    """Create a state's draft; refused out of scope and when the state already has one.

    The unique constraint settles two coordinators creating it at once: the second
    gets the same "already exists" message as if it had come later.
    """
    alcance = alcance_de(usuario)
    if not puede_crear(usuario, ManifestacionInteres) or not (
        alcance.nacional or entidad.pk in alcance.entidades
    ):
        raise ManifestacionError(
            _("Usted no coordina %(entidad)s.") % {"entidad": entidad.nombre}, code="alcance"
        )
    otra = existente(programa=programa, anio=anio, entidad=entidad)
    if otra is not None:
        raise _duplicada(otra)
    _rechazar_si_invalidos(entidad, datos)
    organo = (
        Organizacion.objects.filter(clase=Organizacion.Clase.ORGANO_GARANTE, entidad=entidad)
        .order_by("pk")
        .first()
    )
    try:
        with transaction.atomic():
            manifestacion = ManifestacionInteres.objects.create(
                programa=programa,
                anio=anio,
                entidad=entidad,
                organo_garante=organo,
                creada_por=usuario,
            )
    except IntegrityError:
        otra = existente(programa=programa, anio=anio, entidad=entidad)
        if otra is None:
            raise
        raise _duplicada(otra) from None
    _guardar_datos(manifestacion, datos)
    logger.info(
        "manifestacion %s creada por %s (%s %s)", manifestacion.pk, usuario.pk, entidad, anio
    )
    return manifestacion


def _bloquear(usuario: Usuario, manifestacion: ManifestacionInteres) -> ManifestacionInteres:
    """The row locked, if `usuario` may change it; otherwise a refusal."""
    bloqueada = (
        permitidos(usuario, Accion.CAMBIAR, ManifestacionInteres)
        .select_for_update()
        .filter(pk=manifestacion.pk)
        .first()
    )
    if bloqueada is None:
        raise ManifestacionError(
            _("Usted no puede modificar esta manifestación de interés."), code="alcance"
        )
    return bloqueada


@transaction.atomic
def actualizar_manifestacion(
    *, usuario: Usuario, manifestacion: ManifestacionInteres, datos: DatosManifestacion
) -> ManifestacionInteres:
    """Replace what the state commits to, while it is a draft or changes were asked for."""
    bloqueada = _bloquear(usuario, manifestacion)
    if not bloqueada.editable:
        raise ManifestacionError(
            _(
                "La manifestación ya se envió a la coordinación nacional; podrá editarla si "
                "se le solicitan cambios."
            ),
            code="estado",
        )
    _rechazar_si_invalidos(bloqueada.entidad, datos)
    _guardar_datos(bloqueada, datos)
    return bloqueada


def _anotar(
    manifestacion: ManifestacionInteres, usuario: Usuario, accion: str, comentario: str = ""
) -> None:
    DecisionManifestacion.objects.create(
        manifestacion=manifestacion,
        accion=accion,
        comentario=comentario,
        usuario=usuario,
        usuario_email=usuario.email,
        registrada_en=timezone.now(),
    )


@transaction.atomic
def enviar_manifestacion(
    *, usuario: Usuario, manifestacion: ManifestacionInteres
) -> ManifestacionInteres:
    """Send the state's manifestación for review; sending it again changes nothing."""
    bloqueada = _bloquear(usuario, manifestacion)
    if bloqueada.estado in (
        ManifestacionInteres.Estado.ENVIADA,
        ManifestacionInteres.Estado.ACEPTADA,
    ):
        return bloqueada
    if not bloqueada.contactos.exists():
        raise ManifestacionError(
            _("Registre al menos una persona de contacto antes de enviar la manifestación."),
            code="sin_contacto",
        )
    _rechazar_si_invalidos(
        bloqueada.entidad,
        DatosManifestacion(
            meta_personas_teorica=bloqueada.meta_personas_teorica,
            meta_sujetos_teorica=bloqueada.meta_sujetos_teorica,
            meta_personas_practica=bloqueada.meta_personas_practica,
            meta_sujetos_practica=bloqueada.meta_sujetos_practica,
            sujetos_obligados=list(bloqueada.sujetos_obligados.all()),
            fecha_inicio_preferida=bloqueada.fecha_inicio_preferida,
            fecha_fin_preferida=bloqueada.fecha_fin_preferida,
        ),
    )
    bloqueada.estado = ManifestacionInteres.Estado.ENVIADA
    bloqueada.save(update_fields=["estado", "actualizada_en"])
    _anotar(bloqueada, usuario, DecisionManifestacion.Accion.ENVIADA)
    _avisar_al_confirmar(bloqueada.pk)
    logger.info("manifestacion %s enviada por %s", bloqueada.pk, usuario.pk)
    return bloqueada


@transaction.atomic
def decidir_manifestacion(
    *, usuario: Usuario, manifestacion: ManifestacionInteres, aceptar: bool, comentario: str = ""
) -> ManifestacionInteres:
    """Accept a sent manifestación (enrolment opens for its state) or ask for changes.

    Only the national coordination decides, and only on a sent manifestación; repeating
    the decision just taken (a double click) changes nothing.
    """
    if not puede_decidir(usuario):
        raise ManifestacionError(
            _("Solo la coordinación nacional acepta o pide cambios."), code="alcance"
        )
    bloqueada = _bloquear(usuario, manifestacion)
    destino = (
        ManifestacionInteres.Estado.ACEPTADA
        if aceptar
        else ManifestacionInteres.Estado.CAMBIOS_SOLICITADOS
    )
    if bloqueada.estado == destino:
        return bloqueada
    if bloqueada.estado != ManifestacionInteres.Estado.ENVIADA:
        raise ManifestacionError(
            _("Solo se decide sobre una manifestación enviada; esta está «%(estado)s».")
            % {"estado": bloqueada.get_estado_display()},
            code="estado",
        )
    comentario = comentario.strip()
    if not aceptar and not comentario:
        raise ManifestacionError(
            {"comentario": [_("Explique qué cambios necesita el órgano garante.")]},
        )
    bloqueada.estado = destino
    bloqueada.save(update_fields=["estado", "actualizada_en"])
    _anotar(bloqueada, usuario, destino, comentario)
    _avisar_al_confirmar(bloqueada.pk)
    logger.info("manifestacion %s: %s por %s", bloqueada.pk, destino, usuario.pk)
    return bloqueada


# --- E-mail notices ---------------------------------------------------------------


def _avisar_al_confirmar(manifestacion_id: int) -> None:
    """Queue the notice of the step just taken, once the transaction commits."""

    def encolar() -> None:
        from cursos.tasks import notificar_manifestacion_task

        try:
            notificar_manifestacion_task.delay(manifestacion_id)
        except Exception:
            # The step is already saved; a broker that is down loses only the notice.
            logger.exception(
                "No se pudo encolar el aviso de la manifestación %s.", manifestacion_id
            )

    transaction.on_commit(encolar)


def destinatarios(manifestacion: ManifestacionInteres) -> list[str]:
    """Who hears of the manifestación's current state: the national coordination when the
    state sends it, the state's coordination when the national one decides."""
    from lms.models import AsignacionRol, Rol

    if manifestacion.estado == ManifestacionInteres.Estado.ENVIADA:
        asignaciones = AsignacionRol.objects.filter(rol=Rol.COORDINADOR_NACIONAL)
    elif manifestacion.estado in (
        ManifestacionInteres.Estado.ACEPTADA,
        ManifestacionInteres.Estado.CAMBIOS_SOLICITADOS,
    ):
        asignaciones = AsignacionRol.objects.filter(
            rol=Rol.COORDINADOR_ESTATAL, entidad_id=manifestacion.entidad_id
        )
    else:
        return []
    return sorted(
        set(
            asignaciones.filter(usuario__is_active=True)
            .exclude(usuario__email="")
            .values_list("usuario__email", flat=True)
        )
    )


def notificar_manifestacion(*, manifestacion_id: int) -> int:
    """E-mail the people who act next on the manifestación (one message each, no one else's
    address in it); returns how many were sent. The message carries the state, the programme,
    the year, the new state and the national coordination's comment, never the contacts'
    personal data."""
    from django.core.mail import EmailMessage, get_connection
    from django.template.loader import render_to_string
    from django.urls import reverse

    from lms.direcciones import url_publica

    manifestacion = (
        ManifestacionInteres.objects.select_related("programa", "entidad")
        .filter(pk=manifestacion_id)
        .first()
    )
    if manifestacion is None:
        return 0
    correos = destinatarios(manifestacion)
    if not correos:
        return 0
    ultima = manifestacion.historial.order_by("-registrada_en", "-pk").first()
    contexto = {
        "manifestacion": manifestacion,
        "comentario": ultima.comentario if ultima is not None else "",
        "url": url_publica(reverse("cursos:manifestacion", args=[manifestacion.pk])),
    }
    asunto = _("Manifestación de interés de %(entidad)s: %(estado)s") % {
        "entidad": manifestacion.entidad.nombre,
        "estado": manifestacion.get_estado_display().lower(),
    }
    cuerpo = render_to_string("cursos/manifestaciones/correo_aviso.txt", contexto)
    mensajes = [EmailMessage(subject=asunto, body=cuerpo, to=[correo]) for correo in correos]
    return get_connection().send_messages(mensajes) or 0
