"""The trainer's round trip through the real admin screens: a bank exported from Moodle is
uploaded, previewed and imported into one course, exported back category by category
(each with its subcategories), and imported into another course without losing anything."""

import re

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluaciones.models import CategoriaPregunta, Pregunta
from lms import services as lms_services
from lms.models import Rol
from tests.evaluaciones.conformidad.lectura import cargadas, huella, leer
from tests.factories import CategoriaPreguntaFactory, UsuarioFactory
from tests.factories.evaluaciones_cursos import curso_impartido

pytestmark = pytest.mark.django_db

IMPORTAR = "evaluaciones_importar_gift"


@pytest.fixture
def instructor(client):
    usuario = UsuarioFactory()
    lms_services.asignar_rol(usuario=usuario, rol=Rol.INSTRUCTOR)
    client.force_login(usuario)
    return usuario


def _importar_en_pantalla(client, contenido, categoria):
    antes = Pregunta.objects.count()
    vista = client.post(
        reverse(IMPORTAR),
        {
            "formato": "moodle_xml",
            "categoria": categoria.pk,
            "archivo": SimpleUploadedFile("banco.xml", contenido.encode(), "application/xml"),
        },
    )
    assert vista.status_code == 200
    html = vista.content.decode()
    # The preview names what cannot be kept before anything is stored.
    assert Pregunta.objects.count() == antes
    texto = re.search(r'name="texto" value="([^"]*)"', html)
    assert texto, "la vista previa conserva el archivo para confirmar"
    from html import unescape

    confirmada = client.post(
        reverse(IMPORTAR),
        {
            "formato": "moodle_xml",
            "categoria": categoria.pk,
            "texto": unescape(texto.group(1)),
            "accion": "importar",
        },
    )
    assert confirmada.status_code == 302
    return html


def _exportar_en_pantalla(client, curso):
    archivos = []
    for categoria in CategoriaPregunta.objects.filter(curso=curso, padre=None):
        respuesta = client.get(
            reverse("evaluaciones_exportar_moodle"),
            {"categoria": categoria.pk, "descargar": "1"},
        )
        assert respuesta.status_code == 200
        assert respuesta["Content-Type"].startswith("application/xml")
        contenido = respuesta.content.decode()
        if "<question" in contenido:  # a category left empty exports an empty quiz
            archivos.append(contenido)
    return archivos


def _banco(curso):
    return sorted(
        (huella(p) for p in cargadas(list(Pregunta.objects.filter(categoria__curso=curso)))),
        key=lambda h: (h["categoria"], h["titulo"]),
    )


def test_banco_de_moodle_ida_y_vuelta_por_las_pantallas(client, instructor):
    curso_a, curso_b = curso_impartido(instructor), curso_impartido(instructor)
    destino_a = CategoriaPreguntaFactory(nombre="Importadas", curso=curso_a)
    vista_previa = _importar_en_pantalla(client, leer("todos_los_tipos.xml"), destino_a)
    assert "33.33333 %" in vista_previa
    originales = _banco(curso_a)
    assert len(originales) >= 9
    # The file's category tree lives in course A only.
    assert any(len(h["categoria"]) > 1 for h in originales)

    destino_b = CategoriaPreguntaFactory(nombre="Importadas", curso=curso_b)
    for xml in _exportar_en_pantalla(client, curso_a):
        _importar_en_pantalla(client, xml, destino_b)

    assert _banco(curso_b) == originales
    assert _banco(curso_a) == originales
