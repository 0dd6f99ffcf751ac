"""Writes of bulk imports: enrolment from a reviewed file and attendance from a meeting report.

Both are all-or-nothing for the rows they accept and set-based: a handful of
queries per batch of rows, never several per row, so 5,000 people enrol in
seconds. The edition (or session) row is locked first, and what the preview
assumed (free places, who is enrolled, which emails are new) is checked again
under that lock; if it changed, nothing is written and the coordinator reviews
the preview again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from allauth.account.forms import EmailAwarePasswordResetTokenGenerator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from cursos import importacion_asistencia
from cursos.importacion import CREAR, INSCRIBIR, FilaInscripcion
from cursos.importacion_asistencia import PersonaReporte
from cursos.models import Asistencia, Edicion, Inscripcion, SesionEnVivo
from lms.alcance import puede_crear
from lms.direcciones import url_publica
from lms.models import Organizacion, Usuario
from lms.services import entidad_de_persona

LOTE = 1000
MAX_MINUTOS = 24 * 60


class ImportacionError(ValidationError):
    """A bulk operation that cannot be applied as reviewed; the message is for the person."""


class _GeneradorInvitacion(EmailAwarePasswordResetTokenGenerator):
    """allauth's reset token for an account whose only address is `user.email`.

    allauth's generator reads the account's addresses from the database; for a
    new account we just created with exactly one address the value is the same,
    computed without two queries per person.
    """

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return PasswordResetTokenGenerator._make_hash_value(self, user, timestamp) + user.email


def enlace_invitacion(usuario: Usuario) -> str:
    """The absolute "choose your password" link of allauth's reset-from-key flow."""
    ruta = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(usuario),
            "key": _GeneradorInvitacion().make_token(usuario),
        },
    )
    return url_publica(ruta)


def _lotes(valores: Sequence[Any]) -> list[Sequence[Any]]:
    return [valores[i : i + LOTE] for i in range(0, len(valores), LOTE)]


def _cambio() -> ImportacionError:
    return ImportacionError(
        _(
            "Las inscripciones de la edición cambiaron mientras revisaba el archivo; "
            "no se hizo ningún cambio. Revise la vista previa de nuevo."
        ),
        code="cambio",
    )


@transaction.atomic
def inscribir_en_bloque(
    *,
    edicion: Edicion,
    filas_revisadas: Sequence[FilaInscripcion],
    coordinador: Usuario,
    ahora: Any = None,
) -> dict[str, int]:
    """Create the new accounts and enrol every accepted row, or nothing at all.

    Rows must come from `cursos.importacion.revisar_inscripciones`; rejected and
    already-enrolled rows are skipped. New accounts get an unusable password, an
    unverified address and an invitation email (sent after commit) with a link to
    choose their password, which also verifies the address.
    """
    ahora = ahora or timezone.now()
    edicion = (
        Edicion.objects.select_for_update(of=("self",)).select_related("curso").get(pk=edicion.pk)
    )
    existentes = [f for f in filas_revisadas if f.estado == INSCRIBIR]
    nuevas = [f for f in filas_revisadas if f.estado == CREAR]
    correos = [f.correo for f in existentes + nuevas]
    if len(set(correos)) != len(correos):
        raise _cambio()

    ocupados = Inscripcion.objects.filter(edicion=edicion, estado=Inscripcion.Estado.ACTIVA).count()
    if edicion.cupo is not None and ocupados + len(correos) > edicion.cupo:
        raise _cambio()

    ids_existentes = [f.usuario_id for f in existentes if f.usuario_id is not None]
    reactivar = {f.usuario_id for f in existentes if f.reactivar and f.usuario_id is not None}
    for lote in _lotes(ids_existentes):
        estados = dict(
            Inscripcion.objects.filter(edicion=edicion, usuario_id__in=list(lote)).values_list(
                "usuario_id", "estado"
            )
        )
        for usuario_id in lote:
            estado = estados.get(usuario_id)
            esperado = Inscripcion.Estado.RETIRADA if usuario_id in reactivar else None
            if estado != esperado:
                raise _cambio()
    for lote in _lotes([f.correo for f in nuevas]):
        if (
            Usuario.objects.annotate(correo_min=Lower("email"))
            .filter(correo_min__in=list(lote))
            .exists()
        ):
            raise _cambio()

    curps = [f.curp for f in nuevas if f.curp]
    for lote in _lotes(curps):
        if Usuario.objects.filter(curp__in=list(lote)).exists():
            raise _cambio()
    organizaciones_nuevas = _crear_organizaciones(nuevas, coordinador=coordinador)
    organizacion_de = {
        f.correo: (
            organizaciones_nuevas[(f.organizacion_nueva, f.entidad_id)]
            if f.organizacion_nueva
            else f.organizacion_id
        )
        for f in nuevas
    }
    # Read now, not at preview: an organization's entity may have changed since.
    organizaciones = (
        Organizacion.objects.only("entidad_id")
        .order_by()
        .in_bulk({pk for pk in organizacion_de.values() if pk is not None})
    )

    # New accounts: one unusable password hash shared is not acceptable (it would
    # let one token fit many accounts), so each gets its own random unusable value.
    cuentas = [
        Usuario(
            email=f.correo,
            first_name=f.nombre,
            last_name=f.apellidos,
            cargo=f.cargo,
            curp=f.curp,
            organizacion_id=organizacion_de[f.correo],
            entidad_id=entidad_de_persona(
                organizacion=organizaciones.get(organizacion_de[f.correo]),
                entidad_declarada=f.entidad_id,
            ),
            password=make_password(None),
            is_active=True,
            date_joined=ahora,
        )
        for f in nuevas
    ]
    creadas: list[Usuario] = []
    for lote in _lotes(cuentas):
        Usuario.objects.bulk_create(lote)
        por_correo = {
            u.email: u
            for u in Usuario.objects.filter(email__in=[c.email for c in lote]).only(
                "pk", "email", "password", "last_login", "first_name", "last_name"
            )
        }
        creadas.extend(por_correo[c.email] for c in lote)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, primary=True, verified=False) for u in creadas],
        batch_size=LOTE,
    )

    ids_nuevos = [u.pk for u in creadas]
    a_crear = [i for i in ids_existentes if i not in reactivar] + ids_nuevos
    Inscripcion.objects.bulk_create(
        [
            Inscripcion(
                edicion=edicion,
                usuario_id=usuario_id,
                origen=Inscripcion.Origen.CARGA_MASIVA,
                inscrita_por=coordinador,
                inscrita_en=ahora,
            )
            for usuario_id in a_crear
        ],
        batch_size=LOTE,
    )
    for lote in _lotes(sorted(reactivar)):
        Inscripcion.objects.filter(
            edicion=edicion, usuario_id__in=list(lote), estado=Inscripcion.Estado.RETIRADA
        ).update(
            estado=Inscripcion.Estado.ACTIVA,
            retirada_en=None,
            origen=Inscripcion.Origen.CARGA_MASIVA,
            inscrita_por=coordinador,
            avance_calculado_en=None,
        )
    if a_crear or reactivar:
        # New and reactivated enrolments are stale until computed: a course whose
        # phases ask nothing is complete at once, as Mis cursos shows it.
        from cursos.tasks import recalcular_pendientes_task

        edicion_id = edicion.pk
        transaction.on_commit(lambda: recalcular_pendientes_task.delay(edicion_id=edicion_id))

    if creadas:
        # Built after commit, so the edition stays locked only for the writes.
        transaction.on_commit(
            lambda: get_connection().send_messages(
                [_invitacion(usuario=u, edicion=edicion) for u in creadas]
            )
        )
    return {
        "inscritas": len(existentes) - len(reactivar),
        "reactivadas": len(reactivar),
        "creadas": len(creadas),
        "organizaciones_creadas": len(organizaciones_nuevas),
    }


def _crear_organizaciones(
    filas: Sequence[FilaInscripcion], *, coordinador: Usuario
) -> dict[tuple[str, int | None], int]:
    """Add to the catalogue the institutions the coordinator chose to create, once each.

    Only who may create organizations gets here with such rows (`cargar_contexto`
    asks `lms.alcance.puede_crear`); it is asked again, since the preview may be old.
    A name that meanwhile entered the catalogue in that entity is used, not repeated.
    """
    pedidas = sorted({(f.organizacion_nueva, f.entidad_id) for f in filas if f.organizacion_nueva})
    if not pedidas:
        return {}
    if not puede_crear(coordinador, Organizacion):
        raise _cambio()
    creadas: dict[tuple[str, int | None], int] = {}
    for nombre, entidad_id in pedidas:
        existente = (
            Organizacion.objects.filter(
                clase=Organizacion.Clase.SUJETO_OBLIGADO,
                entidad_id=entidad_id,
                nombre__iexact=nombre,
            )
            .values_list("pk", flat=True)
            .first()
        )
        if existente is None:
            nueva = Organizacion.objects.create(
                clase=Organizacion.Clase.SUJETO_OBLIGADO,
                nombre=nombre,
                entidad_id=entidad_id,
                ambito=Organizacion.Ambito.ESTATAL,
                tipo=Organizacion.Tipo.OTRO,
            )
            # In the organization's history in the admin, with who created it.
            log(nueva, "wagtail.create", user=coordinador)
            existente = nueva.pk
        creadas[(nombre, entidad_id)] = existente
    return creadas


def _invitacion(*, usuario: Usuario, edicion: Edicion) -> EmailMessage:
    contexto = {
        "nombre": usuario.nombre_completo,
        "curso": edicion.curso.title,
        "edicion": edicion.nombre,
        "enlace": enlace_invitacion(usuario),
        "inicio": edicion.fecha_inicio,
    }
    asunto = _("Le inscribieron en «%(curso)s»: elija su contraseña") % {
        "curso": edicion.curso.title
    }
    cuerpo = render_to_string("cursos/importacion/correo_invitacion.txt", contexto)
    return EmailMessage(
        subject=asunto,
        body=cuerpo,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[usuario.email],
    )


@transaction.atomic
def importar_asistencia(
    *,
    sesion: SesionEnVivo,
    filas: Sequence[PersonaReporte],
    minimos_minutos: int,
    usuario: Usuario,
) -> dict[str, Any]:
    """Record attendance for the enrolled people of the report with enough minutes.

    Idempotent: people already recorded keep their record. Only people whose
    enrolment `usuario` may see are matched; the others count as unmatched.
    """
    from cursos import services

    if not 0 <= minimos_minutos <= MAX_MINUTOS:
        raise ImportacionError(
            _("Los minutos mínimos deben estar entre 0 y %(max)s.") % {"max": MAX_MINUTOS},
            code="minimos",
        )
    sesion = SesionEnVivo.objects.select_for_update().select_related("edicion").get(pk=sesion.pk)
    inscritas, registradas = importacion_asistencia.inscritas_de_sesion(sesion, usuario)
    revisadas = importacion_asistencia.revisar_asistencia(
        importacion_asistencia.ReporteAsistencia(
            formato=importacion_asistencia.ZOOM, personas=list(filas), sin_correo=[]
        ),
        inscritas=inscritas,
        registradas=registradas,
        minimos_minutos=minimos_minutos,
    )
    presentes = [
        f
        for f in revisadas
        if f.estado == importacion_asistencia.PRESENTE and f.usuario_id is not None
    ]
    ahora = timezone.now()
    Asistencia.objects.bulk_create(
        [
            Asistencia(
                sesion=sesion,
                usuario_id=cast(int, f.usuario_id),
                origen=Asistencia.Origen.REPORTE,
                minutos=min(f.minutos, MAX_MINUTOS),
                registrada_en=ahora,
                registrada_por=usuario,
            )
            for f in presentes
        ],
        batch_size=LOTE,
        ignore_conflicts=True,
    )
    for inscripcion in Inscripcion.objects.filter(
        edicion_id=sesion.edicion_id,
        estado=Inscripcion.Estado.ACTIVA,
        usuario_id__in=[f.usuario_id for f in presentes],
    ):
        services.actualizar_completitud(inscripcion=inscripcion)
    return {
        "marcadas": len(presentes),
        "ya_registradas": sum(f.estado == importacion_asistencia.YA_REGISTRADA for f in revisadas),
        "insuficientes": [f for f in revisadas if f.estado == importacion_asistencia.INSUFICIENTE],
        "sin_coincidencia": [
            f for f in revisadas if f.estado == importacion_asistencia.SIN_COINCIDENCIA
        ],
    }
