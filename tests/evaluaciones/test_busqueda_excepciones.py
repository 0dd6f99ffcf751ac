"""The per-person exceptions listing finds people ignoring accents and case."""

import pytest
from bs4 import BeautifulSoup

from django.urls import reverse

from evaluaciones.models import Excepcion
from lms import services as lms_services
from lms.models import Rol
from tests.factories import UsuarioFactory
from tests.factories.cursos import EdicionFactory, InscripcionFactory
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.factories.evaluaciones_cursos import curso_impartido

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("consulta", "esperados"),
    [
        ("pena", {"José Ángel Peña", "Rocío Pena"}),
        ("JOSÉ angel", {"José Ángel Peña"}),
        ("jangel@ejemplo", {"José Ángel Peña"}),  # email
        ("rocio ajuste", {"Rocío Pena"}),  # a word of the reason
        ("razonable", {"José Ángel Peña", "Rocío Pena"}),
        ("salud peña", {"José Ángel Peña"}),
    ],
)
def test_busca_por_nombre_correo_y_motivo(client, consulta, esperados):
    instructor = UsuarioFactory()
    lms_services.asignar_rol(usuario=instructor, rol=Rol.INSTRUCTOR)
    client.force_login(instructor)
    evaluacion = evaluacion_con(pregunta_con_opciones())
    edicion = EdicionFactory(curso=curso_impartido(instructor, evaluacion))
    for nombre, apellido, correo in (
        ("José Ángel", "Peña", "jangel@ejemplo.gob.mx"),
        ("Rocío", "Pena", "rocio@ejemplo.gob.mx"),
    ):
        persona = UsuarioFactory(first_name=nombre, last_name=apellido, email=correo)
        InscripcionFactory(edicion=edicion, usuario=persona)
        Excepcion.objects.create(
            evaluacion=evaluacion,
            usuario=persona,
            minutos_extra=10,
            motivo="Ajuste razonable" if nombre == "Rocío" else "Ajuste RAZONABLE por salud",
        )

    respuesta = client.get(reverse("wagtailsnippets_evaluaciones_excepcion:list"), {"q": consulta})

    cuerpo = BeautifulSoup(respuesta.content, "html.parser").select_one("tbody")
    texto = cuerpo.get_text(" ", strip=True) if cuerpo else ""
    assert {n for n in ("José Ángel Peña", "Rocío Pena") if n in texto} == esperados, texto
