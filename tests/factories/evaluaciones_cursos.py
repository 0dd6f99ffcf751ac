"""Evaluations in courses: who owns them (a course team) and who may take them (its enrolled).

Ownership is what grants rights: an instructor grades, reads results of and edits
only the evaluations of the courses they teach, and a participant takes only the
evaluations of a course they hold an active enrolment in (`evaluaciones.selectors`).
"""

from django.db.models import Q

from cursos.models import CursoPage, Edicion, Inscripcion
from evaluaciones import services
from evaluaciones.models import CategoriaPregunta, Evaluacion, Intento, SeccionEvaluacion
from lms.alcance import olvidar_cache
from tests.factories.cursos import CursoPageFactory, EdicionFactory, FasePageFactory


def dar_curso(evaluacion: Evaluacion, curso: CursoPage) -> None:
    """Make `curso` own `evaluacion` and the course-less categories its sections draw from."""
    evaluacion.curso = curso
    evaluacion.save(update_fields=["curso"])
    secciones = SeccionEvaluacion.objects.filter(evaluacion=evaluacion)
    CategoriaPregunta.objects.filter(
        Q(pk__in=secciones.values("categoria_id"))
        | Q(pk__in=secciones.values("pregunta__categoria_id")),
        curso__isnull=True,
    ).update(curso=curso)


def curso_impartido(instructor, *evaluaciones: Evaluacion) -> CursoPage:
    """One course taught by `instructor` that owns the evaluations, one phase each.

    With no evaluations given, it takes all of them.
    """
    curso = CursoPageFactory()
    for evaluacion in evaluaciones or Evaluacion.objects.all():
        FasePageFactory(parent=curso, evaluacion=evaluacion)
        dar_curso(evaluacion, curso)
    curso.instructores.add(instructor)
    curso.save()
    olvidar_cache(instructor)
    return curso


def inscribir_para(evaluacion: Evaluacion, *usuarios) -> Edicion:
    """Actively enrol `usuarios` in an edition of the evaluation's course, so they may take it.

    An evaluation without a course gets a new one (with an edition) first.
    """
    evaluacion.refresh_from_db(fields=["curso"])  # another instance may have given it one
    if evaluacion.curso_id is None:
        dar_curso(evaluacion, CursoPageFactory())
    edicion = Edicion.objects.filter(curso_id=evaluacion.curso_id).order_by("pk").first()
    if edicion is None:
        edicion = EdicionFactory(curso=CursoPage.objects.get(pk=evaluacion.curso_id))
    for usuario in usuarios:
        activa = Inscripcion.objects.filter(
            usuario=usuario,
            edicion__curso_id=evaluacion.curso_id,
            estado=Inscripcion.Estado.ACTIVA,
        )
        if not activa.exists():
            Inscripcion.objects.update_or_create(
                edicion=edicion,
                usuario=usuario,
                defaults={"estado": Inscripcion.Estado.ACTIVA, "retirada_en": None},
            )
        olvidar_cache(usuario)
    return edicion


def iniciar(evaluacion: Evaluacion, usuario, **kwargs) -> Intento:
    """Enrol `usuario` for `evaluacion` (`inscribir_para`) and start an attempt of it."""
    inscribir_para(evaluacion, usuario)
    return services.iniciar_intento(evaluacion=evaluacion, usuario=usuario, **kwargs)
