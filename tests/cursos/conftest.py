import datetime

import pytest

from django.utils import timezone

from tests.factories import (
    CursoPageFactory,
    EdicionFactory,
    FasePageFactory,
    InscripcionFactory,
    LeccionPageFactory,
    SesionEnVivoFactory,
)


@pytest.fixture
def curso(db):
    """A course with a theoretical phase (2 lessons) and a practical one (1 lesson, 1 session)."""
    curso = CursoPageFactory(title="Transparencia proactiva básica")
    teorica = FasePageFactory(parent=curso, title="Fase teórica")
    practica = FasePageFactory(
        parent=curso, title="Fase práctica", tipo="practica", asistencia_minima=100
    )
    curso.lecciones = [
        LeccionPageFactory(parent=teorica, title="Marco normativo"),
        LeccionPageFactory(parent=teorica, title="Información socialmente útil"),
        LeccionPageFactory(parent=practica, title="Taller de identificación"),
    ]
    curso.teorica, curso.practica = teorica, practica
    return curso


@pytest.fixture
def edicion(curso):
    """An edition that started ten days ago, so facts may be dated in the recent past."""
    return EdicionFactory(
        curso=curso,
        nombre="Grupo 1",
        fecha_inicio=timezone.localdate() - datetime.timedelta(days=10),
    )


@pytest.fixture
def sesion(edicion, curso):
    return SesionEnVivoFactory(
        edicion=edicion,
        fase=curso.practica,
        inicio=timezone.now() - datetime.timedelta(minutes=10),
        duracion_minutos=60,
    )


@pytest.fixture
def inscripcion(edicion):
    return InscripcionFactory(edicion=edicion)
