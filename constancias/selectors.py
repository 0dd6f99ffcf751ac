"""Reads of constancias: eligibility per enrolment, scoped lists, public lookups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from constancias import pdf
from constancias.models import Alcance, Constancia, ReglaConstancia, Tipo
from cursos import services as services_cursos
from cursos.models import Inscripcion
from cursos.progreso import EstadoFase
from lms.alcance import Accion, filtrar_por_alcance, permitidos


@dataclass(frozen=True)
class Elegibilidad:
    """Whether one enrolment qualifies for a rule's constancia and, if not, why."""

    inscripcion: Inscripcion
    elegible: bool
    motivo: str
    constancia: Constancia | None

    @property
    def pendiente(self) -> bool:
        return self.elegible and self.constancia is None


def nombre_impreso(usuario: Any) -> str:
    """The person's name as printed: given names and surnames, never the email."""
    return " ".join(f"{usuario.first_name} {usuario.last_name}".split())


def filtro_clave(regla: ReglaConstancia) -> Q:
    """The fields that make a constancia the same one for `regla` (the uniqueness key)."""
    return Q(edicion_id=regla.edicion_id, tipo=regla.tipo, alcance=regla.alcance) & (
        Q(fase_id=regla.fase_id) if regla.fase_id else Q(fase__isnull=True)
    )


def vigentes_por_inscripcion(
    regla: ReglaConstancia, inscripcion_ids: Sequence[int]
) -> dict[int, Constancia]:
    consulta = Constancia.objects.filter(
        filtro_clave(regla), estado=Constancia.Estado.VIGENTE, inscripcion_id__in=inscripcion_ids
    )
    return {c.inscripcion_id: c for c in consulta}


def _motivo_participacion(fases: Sequence[EstadoFase]) -> str:
    faltas = []
    for fase in fases:
        if fase.asistencias < fase.sesiones_requeridas:
            faltas.append(
                _("asistir a %(faltan)d sesión(es) más de «%(fase)s»")
                % {"faltan": fase.sesiones_requeridas - fase.asistencias, "fase": fase.titulo}
            )
        if fase.lecciones_completadas < fase.lecciones_total:
            faltas.append(
                _("completar %(faltan)d lección(es) de «%(fase)s»")
                % {"faltan": fase.lecciones_total - fase.lecciones_completadas, "fase": fase.titulo}
            )
    return "; ".join(faltas)


def elegibilidad(
    *, regla: ReglaConstancia, inscripciones: Sequence[Inscripcion]
) -> list[Elegibilidad]:
    """Eligibility of each enrolment (with usuario, edicion and curso loaded) for `regla`.

    Participación asks for the attendance rule and the mandatory lessons of the phases it
    covers; acreditación asks for the phases complete (evaluations passed included).
    """
    if not inscripciones:
        return []
    estados = services_cursos.estados_de(list(inscripciones))
    existentes = vigentes_por_inscripcion(regla, [i.pk for i in inscripciones])
    plantilla_publicada = regla.plantilla.live
    filas = []
    for inscripcion in inscripciones:
        motivo = ""
        estado = estados[inscripcion.pk]
        fases = [f for f in estado.fases if regla.fase_id in (None, f.fase_id)]
        if inscripcion.estado != Inscripcion.Estado.ACTIVA:
            motivo = _("La inscripción no está activa.")
        elif not regla.activa:
            motivo = _("La regla de constancia está desactivada.")
        elif not plantilla_publicada:
            motivo = _("La plantilla de la constancia no está publicada.")
        elif not nombre_impreso(inscripcion.usuario):
            motivo = _("Falta el nombre de la persona en su perfil.")
        elif faltan := pdf.caracteres_sin_glifo(nombre_impreso(inscripcion.usuario)):
            motivo = _(
                "El nombre tiene caracteres que la fuente de la constancia no puede imprimir "
                "(%(caracteres)s): corrija el nombre en el perfil o pida a la administración "
                "una fuente que los incluya."
            ) % {"caracteres": " ".join(f"«{c}»" for c in faltan)}
        elif not fases:
            motivo = _("El curso no tiene la fase que pide la regla.")
        elif regla.tipo == Tipo.ACREDITACION:
            faltantes = [texto for fase in fases for texto in fase.faltantes]
            if faltantes or not all(f.completa for f in fases):
                motivo = _("Le falta: %(faltantes)s.") % {"faltantes": "; ".join(faltantes)}
        else:
            faltas = _motivo_participacion(fases)
            if faltas:
                motivo = _("Le falta: %(faltantes)s.") % {"faltantes": faltas}
        filas.append(
            Elegibilidad(
                inscripcion=inscripcion,
                elegible=not motivo,
                motivo=motivo,
                constancia=existentes.get(inscripcion.pk),
            )
        )
    return filas


def inscripciones_de_regla(usuario: Any, regla: ReglaConstancia) -> QuerySet[Inscripcion]:
    """The edition's enrolments that `usuario` may see, for coordinator screens."""
    return filtrar_por_alcance(
        usuario,
        Inscripcion.objects.filter(edicion_id=regla.edicion_id).select_related(
            "usuario", "usuario__entidad", "usuario__organizacion", "edicion", "edicion__curso"
        ),
        ruta_entidad="usuario__entidad",
    ).order_by("usuario__last_name", "usuario__first_name", "pk")


def constancias_visibles(usuario: Any) -> QuerySet[Constancia]:
    """Constancias `usuario` may download: their own, those in scope, or all (`politicas`)."""
    return permitidos(usuario, Accion.VER, Constancia)


def constancias_coordinadas(usuario: Any) -> QuerySet[Constancia]:
    """Constancias of the people a coordinator oversees (never only their own)."""
    return filtrar_por_alcance(usuario, Constancia.objects.all(), ruta_entidad="usuario__entidad")


def reglas_automaticas_de(edicion_id: int) -> list[ReglaConstancia]:
    return list(
        ReglaConstancia.objects.filter(
            edicion_id=edicion_id, activa=True, automatica=True
        ).select_related("plantilla", "edicion", "edicion__curso", "fase")
    )


def constancias_de(usuario: Any) -> list[Constancia]:
    """The person's constancias, valid, revoked or replaced, newest first."""
    return list(
        Constancia.objects.filter(usuario=usuario).select_related("fase").order_by("-emitida_en")
    )


def alcance_fase(regla: ReglaConstancia) -> bool:
    return regla.alcance == Alcance.FASE


@dataclass(frozen=True)
class NoEmitida:
    """A person a bulk job left without a constancia (named as the coordination knows them)."""

    persona: str
    motivo: str


def no_emitidas(trabajo: Any, *, limite: int = 200) -> list[NoEmitida]:
    """The first `limite` reasons of a bulk job, each with the person's name; one query.

    The job stores enrolment ids, so a later change of name shows the current one. A
    reason about the whole job names nobody; an enrolment deleted since is said to be so.
    """
    errores = trabajo.errores[:limite]
    ids = {error["inscripcion"] for error in errores if error.get("inscripcion")}
    inscripciones = Inscripcion.objects.filter(pk__in=ids).select_related("usuario")
    nombres = {
        i.pk: str(i.usuario)
        for i in inscripciones.only("usuario__first_name", "usuario__last_name", "usuario__email")
    }
    return [
        NoEmitida(
            persona=(
                nombres.get(error["inscripcion"], _("Inscripción eliminada"))
                if error.get("inscripcion")
                else ""
            ),
            motivo=error["motivo"],
        )
        for error in errores
    ]
