"""Writes on editions: enrolment, attendance, lesson progress and the completion they derive."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cursos import selectors
from cursos.models import (
    Asistencia,
    CursoPage,
    Edicion,
    Inscripcion,
    LeccionPage,
    ProgresoLeccion,
    SesionEnVivo,
)
from cursos.signals import completitud_cambiada
from lms.models import Usuario


class InscripcionError(ValidationError):
    """An enrolment or withdrawal that cannot be done; the message is for the person."""


class AsistenciaError(ValidationError):
    """An attendance that cannot be recorded; the message is for the person."""


class ProgresoError(ValidationError):
    """A lesson that cannot be marked complete; the message is for the person."""


def motivo_no_elegible(*, edicion: Edicion, usuario: Usuario) -> str | None:
    """Why `usuario` may not enrol in `edicion` by state or organization, or None."""
    entidades = {e.pk for e in edicion.entidades.all()}
    if entidades and usuario.entidad_id not in entidades:
        return _("Esta edición es solo para personas de otras entidades federativas.")
    organizaciones = {o.pk for o in edicion.organizaciones.all()}
    if organizaciones and usuario.organizacion_id not in organizaciones:
        return _("Esta edición es solo para personas de otras organizaciones.")
    return None


@transaction.atomic
def inscribir_persona(
    *,
    edicion: Edicion,
    usuario: Usuario,
    origen: str = Inscripcion.Origen.AUTOINSCRIPCION,
    inscrita_por: Usuario | None = None,
    ahora: datetime.datetime | None = None,
) -> Inscripcion:
    """Enrol `usuario` in `edicion` once, within its capacity; the one enrolment service.

    Self-enrolment also needs the edition to allow it and its window to be open;
    coordinators (one by one or in bulk) may enrol outside the window. The edition
    row is locked first, so two requests racing for the last place are served one
    after the other and the second one is refused. A withdrawn enrolment is
    reactivated, keeping its progress.
    """
    ahora = ahora or timezone.now()
    edicion = Edicion.objects.select_for_update().get(pk=edicion.pk)
    existente = Inscripcion.objects.filter(edicion=edicion, usuario=usuario).first()
    if existente is not None and existente.activa:
        raise InscripcionError(_("Ya está inscrita o inscrito en esta edición."), code="duplicada")
    if origen == Inscripcion.Origen.AUTOINSCRIPCION:
        if not edicion.autoinscripcion:
            raise InscripcionError(
                _("En esta edición solo la coordinación puede inscribir personas."),
                code="sin_autoinscripcion",
            )
        if ahora < edicion.inscripcion_abre:
            raise InscripcionError(
                _("La inscripción a esta edición todavía no abre."), code="ventana"
            )
        if ahora >= edicion.inscripcion_cierra:
            raise InscripcionError(_("La inscripción a esta edición ya cerró."), code="ventana")
    motivo = motivo_no_elegible(edicion=edicion, usuario=usuario)
    if motivo:
        raise InscripcionError(motivo, code="no_elegible")
    if edicion.cupo is not None:
        ocupados = Inscripcion.objects.filter(
            edicion=edicion, estado=Inscripcion.Estado.ACTIVA
        ).count()
        if ocupados >= edicion.cupo:
            raise InscripcionError(_("Ya no hay lugares disponibles en esta edición."), code="cupo")
    if existente is not None:
        existente.estado = Inscripcion.Estado.ACTIVA
        existente.retirada_en = None
        existente.origen = origen
        existente.inscrita_por = inscrita_por
        existente.save(update_fields=["estado", "retirada_en", "origen", "inscrita_por"])
        return existente
    try:
        with transaction.atomic():
            return Inscripcion.objects.create(
                edicion=edicion,
                usuario=usuario,
                origen=origen,
                inscrita_por=inscrita_por,
                inscrita_en=ahora,
            )
    except IntegrityError as error:
        raise InscripcionError(
            _("Ya está inscrita o inscrito en esta edición."), code="duplicada"
        ) from error


@transaction.atomic
def retirar_inscripcion(
    *, inscripcion: Inscripcion, ahora: datetime.datetime | None = None
) -> Inscripcion:
    """Withdraw from an edition; the record and its progress are kept."""
    inscripcion = Inscripcion.objects.select_for_update().get(pk=inscripcion.pk)
    if not inscripcion.activa:
        raise InscripcionError(_("Esta inscripción ya estaba retirada."), code="retirada")
    if inscripcion.completada_en is not None:
        raise InscripcionError(
            _("Ya acreditó este curso; la inscripción no puede retirarse."), code="acreditada"
        )
    inscripcion.estado = Inscripcion.Estado.RETIRADA
    inscripcion.retirada_en = ahora or timezone.now()
    inscripcion.save(update_fields=["estado", "retirada_en"])
    return inscripcion


@transaction.atomic
def marcar_leccion_completada(
    *, inscripcion: Inscripcion, leccion: LeccionPage, ahora: datetime.datetime | None = None
) -> ProgresoLeccion:
    """Record that the person completed `leccion` (idempotent) and update completion.

    Progress is recorded only between the edition's first and last day (in the
    platform's time zone, on the date of `ahora`): before, its lessons are not
    open yet; after, they stay readable but the edition is closed.
    """
    if not inscripcion.activa:
        raise ProgresoError(_("Su inscripción en esta edición no está activa."), code="inactiva")
    edicion = inscripcion.edicion
    curso = edicion.curso
    if not (leccion.live and leccion.path.startswith(curso.path)):
        raise ProgresoError(_("Esta lección no pertenece a su curso."), code="ajena")
    hoy = timezone.localdate(ahora) if ahora else timezone.localdate()
    if edicion.por_comenzar(hoy):
        raise ProgresoError(
            _("La edición comienza el %(fecha)s; a partir de ese día podrá registrar su avance.")
            % {"fecha": date_format(edicion.fecha_inicio, "DATE_FORMAT")},
            code="por_comenzar",
        )
    if edicion.terminada(hoy):
        raise ProgresoError(
            _(
                "La edición terminó el %(fecha)s; ya no es posible marcar lecciones como "
                "completadas. Puede seguir consultando el contenido."
            )
            % {"fecha": date_format(edicion.fecha_fin, "DATE_FORMAT")},
            code="terminada",
        )
    progreso, creado = ProgresoLeccion.objects.get_or_create(
        inscripcion=inscripcion,
        leccion=leccion,
        defaults={"completada_en": ahora or timezone.now()},
    )
    if creado:
        actualizar_completitud(inscripcion=inscripcion)
    return progreso


def _codigos_iguales(a: str, b: str) -> bool:
    normal = [("".join(c.split())).upper().encode() for c in (a, b)]
    return secrets.compare_digest(normal[0], normal[1])


@transaction.atomic
def registrar_asistencia(
    *,
    sesion: SesionEnVivo,
    usuario: Usuario,
    codigo: str,
    ahora: datetime.datetime | None = None,
) -> Asistencia:
    """Check in to a live session with its code, during its window; idempotent."""
    ahora = ahora or timezone.now()
    inscripcion = Inscripcion.objects.filter(
        edicion_id=sesion.edicion_id, usuario=usuario, estado=Inscripcion.Estado.ACTIVA
    ).first()
    if inscripcion is None:
        raise AsistenciaError(
            _("Solo las personas inscritas en la edición registran asistencia."),
            code="no_inscrita",
        )
    existente = Asistencia.objects.filter(sesion=sesion, usuario=usuario).first()
    if existente is not None:
        return existente
    if not sesion.registro_abierto(ahora):
        raise AsistenciaError(
            _("El registro de asistencia solo está abierto durante la sesión."), code="ventana"
        )
    if not _codigos_iguales(codigo, sesion.codigo_asistencia):
        raise AsistenciaError(_("El código de asistencia no es correcto."), code="codigo")
    return _guardar_asistencia(
        sesion=sesion,
        usuario=usuario,
        inscripcion=inscripcion,
        origen=Asistencia.Origen.CODIGO,
        registrada_en=ahora,
    )


def _guardar_asistencia(
    *,
    sesion: SesionEnVivo,
    usuario: Usuario,
    inscripcion: Inscripcion,
    origen: str,
    registrada_en: datetime.datetime,
    registrada_por: Usuario | None = None,
    minutos: int | None = None,
) -> Asistencia:
    try:
        with transaction.atomic():
            asistencia = Asistencia.objects.create(
                sesion=sesion,
                usuario=usuario,
                origen=origen,
                registrada_en=registrada_en,
                registrada_por=registrada_por,
                minutos=minutos,
            )
    except IntegrityError:
        # A concurrent request recorded it first: the fact is stored once either way.
        return Asistencia.objects.get(sesion=sesion, usuario=usuario)
    actualizar_completitud(inscripcion=inscripcion)
    return asistencia


@transaction.atomic
def marcar_asistencia(
    *,
    sesion: SesionEnVivo,
    usuario: Usuario,
    presente: bool,
    registrada_por: Usuario | None,
    origen: str = Asistencia.Origen.MANUAL,
    minutos: int | None = None,
    ahora: datetime.datetime | None = None,
) -> Asistencia | None:
    """Set by hand (or from a meeting report) whether `usuario` attended `sesion`.

    Marking someone present twice keeps the first record; marking them absent
    deletes it. Either way completion is recomputed.
    """
    inscripcion = Inscripcion.objects.filter(
        edicion_id=sesion.edicion_id, usuario=usuario, estado=Inscripcion.Estado.ACTIVA
    ).first()
    if inscripcion is None:
        raise AsistenciaError(
            _("La persona no está inscrita en la edición de esta sesión."), code="no_inscrita"
        )
    existente = Asistencia.objects.filter(sesion=sesion, usuario=usuario).first()
    if not presente:
        if existente is not None:
            existente.delete()
            actualizar_completitud(inscripcion=inscripcion)
        return None
    if existente is not None:
        return existente
    return _guardar_asistencia(
        sesion=sesion,
        usuario=usuario,
        inscripcion=inscripcion,
        origen=origen,
        registrada_en=ahora or timezone.now(),
        registrada_por=registrada_por,
        minutos=minutos,
    )


@transaction.atomic
def marcar_asistencias(
    *,
    sesion: SesionEnVivo,
    presentes: set[int],
    consideradas: set[int],
    registrada_por: Usuario | None,
) -> None:
    """Save a trainer's attendance list: among `consideradas`, exactly `presentes` attended."""
    usuarios = {u.pk: u for u in Usuario.objects.filter(pk__in=consideradas)}
    ya = set(
        sesion.asistencias.filter(usuario_id__in=consideradas).values_list("usuario_id", flat=True)
    )
    for usuario_id in sorted((presentes - ya) | ((ya - presentes) & consideradas)):
        marcar_asistencia(
            sesion=sesion,
            usuario=usuarios[usuario_id],
            presente=usuario_id in presentes,
            registrada_por=registrada_por,
        )


@transaction.atomic
def actualizar_completitud(*, inscripcion: Inscripcion) -> Inscripcion:
    """Recompute the enrolment's course completion from its facts and store it.

    `Inscripcion.completada_en` is only ever written here, from
    `cursos.progreso.evaluar_curso`, so the cache cannot drift from the facts.
    Listeners of `completitud_cambiada` hear of it after commit.
    """
    inscripcion = (
        Inscripcion.objects.select_for_update()
        .select_related("edicion", "edicion__curso")
        .get(pk=inscripcion.pk)
    )
    estado = selectors.estado_de(inscripcion)
    fecha = estado.fecha if estado.completo else None
    if fecha != inscripcion.completada_en:
        inscripcion.completada_en = fecha
        inscripcion.save(update_fields=["completada_en"])
        inscripcion_id, completada = inscripcion.pk, fecha is not None
        transaction.on_commit(
            lambda: completitud_cambiada.send(
                sender=Inscripcion, inscripcion_id=inscripcion_id, completada=completada
            )
        )
    return inscripcion


def recalcular_por_evaluacion(*, usuario_id: int, evaluacion_id: int) -> int:
    """Recompute the enrolments an evaluation result may affect; returns how many."""
    from cursos.models import FasePage

    rutas = [
        ruta[: -selectors.PASO_RUTA]
        for ruta in FasePage.objects.filter(evaluacion_id=evaluacion_id).values_list(
            "path", flat=True
        )
    ] + [
        ruta[: -selectors.PASO_RUTA]
        for ruta in FasePage.objects.filter(actividad_practica_id=evaluacion_id).values_list(
            "path", flat=True
        )
    ]
    if not rutas:
        return 0
    inscripciones = Inscripcion.objects.filter(
        usuario_id=usuario_id,
        estado=Inscripcion.Estado.ACTIVA,
        edicion__curso__path__in=rutas,
    )
    total = 0
    for inscripcion in inscripciones:
        actualizar_completitud(inscripcion=inscripcion)
        total += 1
    return total


def recalcular_curso(*, curso: CursoPage) -> int:
    """Recompute every active enrolment of `curso` after its rules changed."""
    total = 0
    for inscripcion in Inscripcion.objects.filter(
        edicion__curso=curso, estado=Inscripcion.Estado.ACTIVA
    ):
        actualizar_completitud(inscripcion=inscripcion)
        total += 1
    return total


# --- Authoring permissions and moderation ------------------------------------

NOMBRE_FLUJO = "Revisión de contenidos de cursos"
NOMBRE_TAREA = "Aprobación de la Coordinación nacional"


def _permiso(app_label: str, codename: str) -> Any:
    from django.contrib.auth.models import Permission

    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def sincronizar_equipo_docente(*, curso: CursoPage) -> Any:
    """Give the course's instructors edit rights on its subtree only; idempotent.

    Each course has its own group holding add/change page permissions on the
    course page; its members are exactly the course's instructors. Without the
    publish permission, their changes go through the moderation workflow.
    """
    from django.contrib.auth.models import Group

    from wagtail.models import GroupPagePermission

    grupo, _creado = Group.objects.get_or_create(name=f"Equipo docente del curso {curso.pk}")
    for codename in ("add_page", "change_page"):
        GroupPagePermission.objects.get_or_create(
            group=grupo, page_id=curso.pk, permission=_permiso("wagtailcore", codename)
        )
    grupo.user_set.set(curso.instructores.all())
    return grupo


@transaction.atomic
def configurar_autoria() -> Any:
    """Set up groups' authoring rights and the moderation workflow; idempotent.

    Instructors upload images and documents and edit only their courses; the
    national coordination approves and publishes everything under the home page,
    and manages editions and sessions.
    """
    from wagtail.models import (
        Collection,
        GroupApprovalTask,
        GroupCollectionPermission,
        GroupPagePermission,
        Workflow,
        WorkflowPage,
        WorkflowTask,
    )

    from cursos.models import HomePage
    from lms.models import Rol
    from lms.services import asegurar_grupos

    grupos = asegurar_grupos()
    instructores = grupos[Rol.INSTRUCTOR]
    coordinacion = grupos[Rol.COORDINADOR_NACIONAL]
    raiz = Collection.get_first_root_node()
    for grupo in (instructores, coordinacion):
        for app_label, codename in (
            ("wagtailimages", "add_image"),
            ("wagtailimages", "choose_image"),
            ("wagtaildocs", "add_document"),
            ("wagtaildocs", "choose_document"),
        ):
            GroupCollectionPermission.objects.get_or_create(
                group=grupo, collection=raiz, permission=_permiso(app_label, codename)
            )
    for codename in ("add", "change", "view", "delete"):
        for modelo in ("edicion", "sesionenvivo"):
            coordinacion.permissions.add(_permiso("cursos", f"{codename}_{modelo}"))
    inicio = HomePage.objects.first()
    if inicio is None:
        return None
    for codename in ("add_page", "change_page", "publish_page", "lock_page", "unlock_page"):
        GroupPagePermission.objects.get_or_create(
            group=coordinacion, page_id=inicio.pk, permission=_permiso("wagtailcore", codename)
        )
    flujo, _creado = Workflow.objects.get_or_create(name=NOMBRE_FLUJO)
    tarea = GroupApprovalTask.objects.filter(name=NOMBRE_TAREA).first()
    if tarea is None:
        tarea = GroupApprovalTask.objects.create(name=NOMBRE_TAREA)
    tarea.groups.add(coordinacion)
    WorkflowTask.objects.get_or_create(workflow=flujo, task=tarea, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=inicio, defaults={"workflow": flujo})
    for curso in CursoPage.objects.all():
        sincronizar_equipo_docente(curso=curso)
    return flujo
