"""Panels other apps add to "Mis cursos" through cursos.extensiones."""

import pytest

from django.urls import reverse

from cursos import extensiones
from tests.factories import EdicionFactory, InscripcionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registrar():
    registradas = []

    def _registrar(funcion):
        extensiones.registrar_seccion_mis_cursos(funcion)
        registradas.append(funcion)
        return funcion

    yield _registrar
    for funcion in registradas:
        extensiones.retirar_seccion_mis_cursos(funcion)


def test_mis_cursos_llama_una_vez_por_pagina_y_muestra_el_panel(client, curso, registrar):
    persona = InscripcionFactory(edicion__curso=curso).usuario
    for _ in range(2):
        InscripcionFactory(usuario=persona, edicion=EdicionFactory(curso=curso))
    llamadas = []

    def panel(request, inscripciones):
        llamadas.append((request.user, len(inscripciones)))
        return [
            {
                "plantilla": "cursos/_barra.html",
                "contexto": {"porcentaje": 42, "etiqueta": "Panel agregado por otra app"},
            }
        ]

    registrar(panel)
    registrar(panel)  # registering twice is harmless
    client.force_login(persona)
    contenido = client.get(reverse("cursos:mis_cursos")).content.decode()
    assert llamadas == [(persona, 3)]
    assert 'aria-label="Panel agregado por otra app"' in contenido
    # The panel comes after the list of courses.
    assert contenido.index("Mis ediciones") < contenido.index("Panel agregado por otra app")


def test_acepta_las_llaves_en_ingles_y_varias_secciones(client, inscripcion, registrar):
    registrar(
        lambda request, inscripciones: [
            {"template": "cursos/_barra.html", "context": {"etiqueta": "Primera"}},
            {"plantilla": "cursos/_barra.html", "contexto": {"etiqueta": "Segunda"}},
        ]
    )
    client.force_login(inscripcion.usuario)
    contenido = client.get(reverse("cursos:mis_cursos")).content.decode()
    assert contenido.index('aria-label="Primera"') < contenido.index('aria-label="Segunda"')


def test_sin_secciones_registradas_la_pagina_no_cambia(client, inscripcion, monkeypatch):
    monkeypatch.setattr(extensiones, "_SECCIONES_MIS_CURSOS", [])
    client.force_login(inscripcion.usuario)
    respuesta = client.get(reverse("cursos:mis_cursos"))
    assert respuesta.status_code == 200
    assert respuesta.context["secciones"] == []
