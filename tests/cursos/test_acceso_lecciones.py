"""Who reads a lesson, and when progress can be recorded.

Enrolled people read an edition's lessons from its first day on, also after it
ends; they record progress only while it runs. Anonymous and non-enrolled people
see the course and its editions, never a lesson body, unless the course is
marked `lecciones_abiertas`.
"""

import datetime

import pytest

from django.urls import reverse
from django.utils import timezone

from cursos import services
from cursos.models import ProgresoLeccion
from tests.factories import EdicionFactory, InscripcionFactory, UsuarioFactory

pytestmark = pytest.mark.django_db

CUERPO = "Publicar información útil sin que nadie la pida."


def _dias(n):
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def por_comenzar(curso):
    edicion = EdicionFactory(curso=curso, fecha_inicio=_dias(5), fecha_fin=_dias(40))
    return InscripcionFactory(edicion=edicion)


@pytest.fixture
def terminada(curso):
    edicion = EdicionFactory(curso=curso, fecha_inicio=_dias(-40), fecha_fin=_dias(-1))
    return InscripcionFactory(edicion=edicion)


def test_anonimo_ve_el_curso_y_la_edicion_pero_no_la_leccion(client, curso, edicion):
    contenido = client.get(curso.url).content.decode()
    assert reverse("cursos:edicion", args=[edicion.pk]) in contenido
    assert f'href="{curso.lecciones[0].url}"' not in contenido
    respuesta = client.get(curso.lecciones[0].url)
    assert respuesta.status_code == 302
    assert CUERPO not in respuesta.content.decode()
    edicion_html = client.get(reverse("cursos:edicion", args=[edicion.pk])).content.decode()
    assert "Inicie sesión para inscribirse" in edicion_html


def test_sin_inscripcion_ve_el_boton_de_inscripcion_pero_no_la_leccion(client, curso, edicion):
    client.force_login(UsuarioFactory())
    contenido = client.get(curso.lecciones[0].url).content.decode()
    assert "necesita estar inscrita o inscrito" in contenido
    assert CUERPO not in contenido
    edicion_html = client.get(reverse("cursos:edicion", args=[edicion.pk])).content.decode()
    assert "Inscribirme" in edicion_html


def test_curso_de_consulta_abierta_muestra_lecciones_a_cualquiera(client, curso):
    curso.lecciones_abiertas = True
    curso.save_revision().publish()
    respuesta = client.get(curso.lecciones[0].url)
    assert respuesta.status_code == 200
    contenido = respuesta.content.decode()
    assert CUERPO in contenido
    assert "Marcar como completada" not in contenido
    assert f'href="{curso.lecciones[0].url}"' in client.get(curso.url).content.decode()
    client.force_login(UsuarioFactory())
    assert CUERPO in client.get(curso.lecciones[0].url).content.decode()
    url = reverse("cursos:completar_leccion", args=[curso.lecciones[0].pk])
    assert client.post(url).status_code == 404
    assert not ProgresoLeccion.objects.exists()


def test_antes_del_inicio_la_leccion_no_se_abre(client, curso, por_comenzar):
    client.force_login(por_comenzar.usuario)
    contenido = client.get(curso.lecciones[0].url).content.decode()
    assert "comienza el" in contenido
    assert "Las lecciones se abren ese día" in contenido
    assert CUERPO not in contenido
    url = reverse("cursos:completar_leccion", args=[curso.lecciones[0].pk])
    respuesta = client.post(url, follow=True)
    assert "a partir de ese día podrá registrar su avance" in respuesta.content.decode()
    assert not ProgresoLeccion.objects.exists()


def test_despues_del_fin_se_lee_pero_no_se_marca(client, curso, terminada):
    client.force_login(terminada.usuario)
    contenido = client.get(curso.lecciones[0].url).content.decode()
    assert CUERPO in contenido
    assert "ya no registrar su avance" in contenido
    assert "Marcar como completada" not in contenido
    url = reverse("cursos:completar_leccion", args=[curso.lecciones[0].pk])
    respuesta = client.post(url, follow=True)
    assert "La edición terminó el" in respuesta.content.decode()
    assert not ProgresoLeccion.objects.exists()


def test_el_servicio_rechaza_avance_fuera_de_las_fechas(curso, edicion):
    inscripcion = InscripcionFactory(edicion=edicion)
    despues = timezone.now() + datetime.timedelta(days=60)
    with pytest.raises(services.ProgresoError, match="terminó") as error:
        services.marcar_leccion_completada(
            inscripcion=inscripcion, leccion=curso.lecciones[0], ahora=despues
        )
    assert error.value.code == "terminada"
    antes = timezone.now() - datetime.timedelta(days=30)
    with pytest.raises(services.ProgresoError, match="comienza") as error:
        services.marcar_leccion_completada(
            inscripcion=inscripcion, leccion=curso.lecciones[0], ahora=antes
        )
    assert error.value.code == "por_comenzar"
    assert not ProgresoLeccion.objects.exists()
    services.marcar_leccion_completada(inscripcion=inscripcion, leccion=curso.lecciones[0])
    assert ProgresoLeccion.objects.count() == 1


def test_con_una_edicion_terminada_y_otra_por_comenzar_lee_la_que_ya_empezo(
    client, curso, terminada
):
    siguiente = EdicionFactory(curso=curso, fecha_inicio=_dias(10), fecha_fin=_dias(50))
    InscripcionFactory(edicion=siguiente, usuario=terminada.usuario)
    client.force_login(terminada.usuario)
    contenido = client.get(curso.lecciones[0].url).content.decode()
    assert CUERPO in contenido
    assert "ya no registrar su avance" in contenido


def test_personal_del_curso_lee_sin_inscribirse(client, curso):
    instructor = UsuarioFactory()
    curso.instructores.add(instructor)
    curso.save()  # a ParentalManyToManyField is written when the page is saved
    client.force_login(instructor)
    assert CUERPO in client.get(curso.lecciones[0].url).content.decode()
