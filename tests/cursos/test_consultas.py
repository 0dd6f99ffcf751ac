"""Course screens run a number of queries that does not grow with lessons, sessions or people.

Each screen is measured on a small course (2 lessons per phase, 2 sessions, 2
people, 2 editions for the participant) and on a large one (20 of each), and
must run exactly as many queries on both, within the same bound: a query per
lesson, session, enrolment or edition would add at least 18 on the large one.
"""

import datetime

import pytest

from django.urls import reverse
from django.utils import timezone

from cursos import services
from cursos.models import Asistencia, ProgresoLeccion
from lms.models import Rol
from tests.factories import (
    AsignacionRolFactory,
    CursoPageFactory,
    EdicionFactory,
    FasePageFactory,
    InscripcionFactory,
    LeccionPageFactory,
    SesionEnVivoFactory,
    UsuarioFactory,
)

pytestmark = pytest.mark.django_db

PEQUENO, GRANDE = 2, 20

# Wagtail's routing, site lookup and user bar account for part of each page screen.
# Pages showing progress read the stored per-phase rows (one query, `leer_avances`).
MAXIMO_CONSULTAS = {
    "curso": 18,
    "fase": 17,
    "leccion": 15,
    "mis_cursos": 12,
    # One more for the manifestación de interés gate (cursos.manifestaciones).
    "edicion": 12,
    "participantes": 19,
}


def _escenario(n):
    """A course with n lessons per phase, n sessions, n people enrolled and n editions."""
    hoy = timezone.localdate()
    curso = CursoPageFactory()
    teorica = FasePageFactory(parent=curso, title="Teoría")
    practica = FasePageFactory(
        parent=curso, title="Práctica", tipo="practica", asistencia_minima=50
    )
    lecciones = [
        LeccionPageFactory(parent=fase, title=f"Lección {fase.title} {i}")
        for fase in (teorica, practica)
        for i in range(n)
    ]
    edicion = EdicionFactory(curso=curso, fecha_inicio=hoy - datetime.timedelta(days=10))
    ahora = timezone.now()
    sesiones = [
        SesionEnVivoFactory(
            edicion=edicion,
            fase=practica if i % 2 else teorica,
            inicio=ahora + datetime.timedelta(days=i - n // 2),
        )
        for i in range(n)
    ]
    inscripciones = [InscripcionFactory(edicion=edicion) for _ in range(n)]
    persona = inscripciones[0]
    # The participant also follows n - 1 other editions (of the same course).
    for i in range(n - 1):
        otra = EdicionFactory(
            curso=curso, nombre=f"Otra {i}", fecha_inicio=hoy - datetime.timedelta(days=5)
        )
        InscripcionFactory(edicion=otra, usuario=persona.usuario)
    for inscripcion in inscripciones:
        ProgresoLeccion.objects.bulk_create(
            ProgresoLeccion(inscripcion=inscripcion, leccion=leccion, completada_en=ahora)
            for leccion in lecciones[: len(lecciones) - 1]
        )
        Asistencia.objects.bulk_create(
            Asistencia(sesion=sesion, usuario=inscripcion.usuario, origen="manual")
            for sesion in sesiones
            if sesion.inicio < ahora
        )
        services.actualizar_completitud(inscripcion=inscripcion)
    nacional = UsuarioFactory()
    AsignacionRolFactory(usuario=nacional, rol=Rol.COORDINADOR_NACIONAL)
    return {
        "persona": persona.usuario,
        "coordinador": nacional,
        "urls": {
            "curso": curso.url,
            "fase": practica.url,
            "leccion": lecciones[n].url,
            "mis_cursos": reverse("cursos:mis_cursos"),
            "edicion": reverse("cursos:edicion", args=[edicion.pk]),
            "participantes": reverse("cursos:edicion_participantes", args=[edicion.pk]),
        },
    }


@pytest.mark.parametrize("pantalla", list(MAXIMO_CONSULTAS))
def test_consultas_no_crecen_con_lecciones_sesiones_ni_personas(
    client, pantalla, django_assert_max_num_queries
):
    conteos = {}
    for n in (PEQUENO, GRANDE):
        escenario = _escenario(n)
        quien = "coordinador" if pantalla == "participantes" else "persona"
        client.force_login(escenario[quien])
        url = escenario["urls"][pantalla]
        client.get(url)  # warm the per-process caches (site root paths, content types)
        with django_assert_max_num_queries(MAXIMO_CONSULTAS[pantalla]) as consultas:
            assert client.get(url).status_code == 200
        conteos[n] = len(consultas)
        # The large scenario really is larger on this screen.
        if pantalla == "participantes":
            assert client.get(url).content.decode().count("<tr>") == n + 1
    assert conteos[PEQUENO] == conteos[GRANDE], conteos
