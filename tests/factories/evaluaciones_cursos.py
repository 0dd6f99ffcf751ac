"""A course taught by an instructor whose phases hold given evaluations (grading scope)."""

from cursos.models import CursoPage
from evaluaciones.models import Evaluacion
from tests.factories.cursos import CursoPageFactory, FasePageFactory


def curso_impartido(instructor, *evaluaciones: Evaluacion) -> CursoPage:
    """One course taught by `instructor`, one phase per evaluation (all of them if none given)."""
    curso = CursoPageFactory()
    for evaluacion in evaluaciones or Evaluacion.objects.all():
        FasePageFactory(parent=curso, evaluacion=evaluacion)
    curso.instructores.add(instructor)
    curso.save()
    return curso
