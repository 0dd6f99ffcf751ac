"""Where participants land: a lesson in at most 15 queries, "Mis cursos" in at most 12.

Measured on a small and a large course (phases, lessons, live sessions, enrolments,
editions, graded attempts, attendance and completed lessons all grow from 2 to 12): the
count is the same on both and within the bound. The course's first phase closes with an
evaluation the participant has attempted, so the approvals read is counted too.
"""

import datetime
from decimal import Decimal

import pytest

from django.urls import reverse
from django.utils import timezone

from cursos import services
from cursos.models import Asistencia, FasePage, ProgresoLeccion
from evaluaciones.models import Intento
from tests.factories import (
    CursoPageFactory,
    EdicionFactory,
    FasePageFactory,
    InscripcionFactory,
    LeccionPageFactory,
    SesionEnVivoFactory,
)
from tests.factories.evaluaciones import EvaluacionFactory
from tests.factories.evaluaciones_cursos import dar_curso

pytestmark = pytest.mark.django_db

PEQUENO, GRANDE = 2, 12
# With evaluations in the course, the progress check also reads the graded attempts (one
# query), to compare the stored grade with the facts (`cursos.services.leer_avances`).
MAXIMO = {"leccion": 17, "mis_cursos": 14}


def _escenario(n):
    hoy = timezone.localdate()
    ahora = timezone.now()
    curso = CursoPageFactory()
    evaluacion = EvaluacionFactory(publicada=True)
    dar_curso(evaluacion, curso)
    fases = [
        FasePageFactory(
            parent=curso,
            title=f"Fase {i}",
            tipo=FasePage.Tipo.TEORICA if i else FasePage.Tipo.PRACTICA,
            evaluacion=evaluacion if i == 0 else None,
        )
        for i in range(n)
    ]
    lecciones = [
        LeccionPageFactory(parent=fase, title=f"Lección {fase.title}.{i}")
        for fase in fases
        for i in range(n)
    ]
    edicion = EdicionFactory(curso=curso, fecha_inicio=hoy - datetime.timedelta(days=10))
    sesiones = [
        SesionEnVivoFactory(
            edicion=edicion, fase=fases[i % n], inicio=ahora + datetime.timedelta(days=i - n // 2)
        )
        for i in range(n)
    ]
    inscripciones = [InscripcionFactory(edicion=edicion) for _ in range(n)]
    persona = inscripciones[0].usuario
    for i in range(n - 1):
        otra = EdicionFactory(
            curso=curso, nombre=f"Otra {i}", fecha_inicio=hoy - datetime.timedelta(days=20)
        )
        SesionEnVivoFactory(edicion=otra, fase=fases[0], inicio=ahora + datetime.timedelta(days=1))
        InscripcionFactory(edicion=otra, usuario=persona)
    for numero in range(1, n + 1):
        Intento.objects.create(
            evaluacion=evaluacion,
            usuario=persona,
            numero=numero,
            estado=Intento.Estado.CALIFICADO,
            iniciado_en=ahora,
            enviado_en=ahora,
            calificado_en=ahora,
            puntaje=Decimal(numero),
            puntaje_maximo=Decimal(n),
            porcentaje=Decimal(100 * numero / n).quantize(Decimal("0.01")),
        )
    for inscripcion in inscripciones:
        ProgresoLeccion.objects.bulk_create(
            ProgresoLeccion(inscripcion=inscripcion, leccion=leccion, completada_en=ahora)
            for leccion in lecciones[:-1]
        )
        Asistencia.objects.bulk_create(
            Asistencia(sesion=sesion, usuario=inscripcion.usuario, origen="manual")
            for sesion in sesiones
            if sesion.inicio < ahora
        )
        services.actualizar_completitud(inscripcion=inscripcion)
    return persona, {
        "leccion": lecciones[n].url,
        "mis_cursos": reverse("cursos:mis_cursos"),
    }


@pytest.mark.parametrize("pantalla", list(MAXIMO))
def test_consultas_acotadas_y_constantes(client, pantalla, django_assert_max_num_queries):
    conteos = {}
    for n in (PEQUENO, GRANDE):
        persona, urls = _escenario(n)
        client.force_login(persona)
        client.get(urls[pantalla])  # per-process caches (site root paths, content types)
        with django_assert_max_num_queries(MAXIMO[pantalla]) as consultas:
            respuesta = client.get(urls[pantalla])
        assert respuesta.status_code == 200
        html = respuesta.content.decode()
        if pantalla == "leccion":
            # The whole phase is listed, and the person's progress is on the page.
            assert all(f"Lección Fase 1.{i}<" in html for i in range(n))
            assert "hecha" in html
        else:
            assert html.count('class="tarjeta"') >= n
        conteos[n] = len(consultas)
    assert conteos[PEQUENO] == conteos[GRANDE], conteos


def test_la_ruta_de_una_leccion_respeta_las_restricciones_de_wagtail(client):
    """The one-query routing still honours a view restriction set on an ancestor."""
    from wagtail.models import PageViewRestriction

    persona, urls = _escenario(PEQUENO)
    client.force_login(persona)
    assert client.get(urls["leccion"]).status_code == 200
    curso = FasePage.objects.get(title="Fase 1").get_parent()
    PageViewRestriction.objects.create(
        page=curso, restriction_type=PageViewRestriction.PASSWORD, password="clave-del-curso"
    )
    respuesta = client.get(urls["leccion"])
    assert respuesta.status_code == 200
    assert "clave-del-curso" not in respuesta.content.decode()
    assert 'name="password"' in respuesta.content.decode()


def test_una_ruta_inexistente_o_en_borrador_es_404(client):
    persona, urls = _escenario(PEQUENO)
    client.force_login(persona)
    assert client.get(urls["leccion"].rstrip("/") + "-no-existe/").status_code == 404
    leccion = FasePage.objects.get(title="Fase 1").get_children().first().specific
    leccion.unpublish()
    assert client.get(urls["leccion"]).status_code == 404
