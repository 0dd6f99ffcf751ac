"""One author form per question type, fixed and random rows of an evaluation, total points,
and the category tree in the Wagtail admin."""

import json
import random
import re
from decimal import Decimal

import pytest

from django.urls import reverse

from evaluaciones import autoria, services, tipos
from evaluaciones.models import CategoriaPregunta, Evaluacion, Pregunta
from tests.evaluaciones.test_admin import _opcion, _pregunta_post, curso, instructor  # noqa: F401
from tests.factories import CategoriaPreguntaFactory
from tests.factories.evaluaciones import PreguntaFactory, pregunta_con_opciones

pytestmark = pytest.mark.django_db

AGREGAR = "wagtailsnippets_evaluaciones_pregunta:add"


def _editar(pregunta):
    return reverse("wagtailsnippets_evaluaciones_pregunta:edit", args=[pregunta.pk])


def _oculto(html, atributo, nombre):
    """Whether the wrapper marked `atributo="nombre"` is rendered hidden."""
    marca = re.search(rf"<[^>]*{atributo}=\"{nombre}\"[^>]*>", html)
    assert marca, f"{atributo}={nombre} no aparece"
    return re.search(r"\shidden(\s|>|=)", marca.group(0)) is not None


# --- One form per type ---------------------------------------------------------------


def test_opcion_unica_guarda_solo_sus_campos(client, instructor, curso):
    """What a single-choice question does not use is not stored, whatever was posted."""
    opciones = [
        {**_opcion("Diez días", correcta=True), "tolerancia": "2", "pareja": "x"},
        {**_opcion("Treinta días"), "tolerancia": "1"},
    ]
    datos = _pregunta_post(
        CategoriaPreguntaFactory(curso=curso),
        opciones,
        criterios=[{"descripcion": "Claridad", "puntos": "1"}],
        es_verdadera="true",
        retroalimentacion_verdadero="bien",
        distinguir_mayusculas="on",
        ignorar_acentos="on",
        notas_para_calificar="Notas",
        plantilla_respuesta="Plantilla",
        longitud_maxima="50",
        extensiones_permitidas="exe",
        tamano_maximo_mb="3",
    )
    respuesta = client.post(reverse(AGREGAR), datos)
    assert respuesta.status_code == 302, respuesta.content.decode()[:3000]
    pregunta = Pregunta.objects.get()
    assert pregunta.es_verdadera is None
    assert pregunta.retroalimentacion_verdadero == ""
    assert not pregunta.distinguir_mayusculas
    assert not pregunta.ignorar_acentos
    assert pregunta.notas_para_calificar == pregunta.plantilla_respuesta == ""
    assert pregunta.longitud_maxima == 10000
    assert pregunta.extensiones_permitidas == Pregunta._meta.get_field(
        "extensiones_permitidas"
    ).get_default()
    assert pregunta.tamano_maximo_mb == 10
    assert not pregunta.criterios.exists()
    assert [(o.texto, o.correcta, o.tolerancia, o.pareja) for o in pregunta.opciones.all()] == [
        ("Diez días", True, None, ""),
        ("Treinta días", False, None, ""),
    ]


def test_campo_oculto_con_error_no_impide_guardar(client, instructor, curso):
    """A value left in a field the type does not use neither blocks saving nor is kept."""
    datos = _pregunta_post(
        CategoriaPreguntaFactory(curso=curso),
        [_opcion("A", correcta=True), _opcion("B")],
        criterios=[{"descripcion": "Sin puntos", "puntos": ""}],
        longitud_maxima="",
        tamano_maximo_mb="9999",
    )
    respuesta = client.post(reverse(AGREGAR), datos)
    assert respuesta.status_code == 302, respuesta.content.decode()[:3000]
    assert Pregunta.objects.get().longitud_maxima == 10000


def test_numerica_borra_lo_que_no_usa_de_sus_filas(client, instructor, curso):
    opciones = [
        {**_opcion("3.5", correcta=True, pareja="x"), "tolerancia": "0.1", "fraccion": "100"},
    ]
    datos = _pregunta_post(
        CategoriaPreguntaFactory(curso=curso), opciones, tipo="numerica", ignorar_acentos="on"
    )
    respuesta = client.post(reverse(AGREGAR), datos)
    assert respuesta.status_code == 302, respuesta.content.decode()[:3000]
    pregunta = Pregunta.objects.get()
    assert not pregunta.ignorar_acentos
    opcion = pregunta.opciones.get()
    assert (opcion.texto, opcion.tolerancia, opcion.fraccion) == ("3.5", Decimal("0.1"), 100)
    assert (opcion.correcta, opcion.pareja) == (False, "")


def test_ensayo_sin_filas_de_opciones(client, instructor, curso):
    """An essay keeps its rubric and notes and never stores option rows."""
    datos = _pregunta_post(
        CategoriaPreguntaFactory(curso=curso),
        [_opcion("Sobra", correcta=True)],
        tipo="ensayo",
        criterios=[{"descripcion": "Claridad", "puntos": "1"}],
        notas_para_calificar="Busque el artículo 70",
        plantilla_respuesta="Mi respuesta:",
    )
    respuesta = client.post(reverse(AGREGAR), datos)
    assert respuesta.status_code == 302, respuesta.content.decode()[:3000]
    pregunta = Pregunta.objects.get()
    assert not pregunta.opciones.exists()
    assert pregunta.criterios.count() == 1
    assert pregunta.notas_para_calificar == "Busque el artículo 70"
    assert pregunta.plantilla_respuesta == "Mi respuesta:"


def test_validacion_por_tipo_lee_solo_las_columnas_del_tipo(client, instructor, curso):
    """A numeric row's stale "correcta" (left from single choice) does not give it 100 %."""
    datos = _pregunta_post(
        CategoriaPreguntaFactory(curso=curso),
        [_opcion("3", correcta=True, fraccion="50")],
        tipo="numerica",
    )
    respuesta = client.post(reverse(AGREGAR), datos)
    assert respuesta.status_code == 200
    assert "Una de las respuestas debe valer 100 %" in respuesta.content.decode()
    assert not Pregunta.objects.exists()


def test_edicion_muestra_solo_los_campos_de_su_tipo(client, instructor, curso):
    pregunta = pregunta_con_opciones(categoria=CategoriaPreguntaFactory(curso=curso))
    html = client.get(_editar(pregunta)).content.decode()
    for campo in ("es_verdadera", "longitud_maxima", "extensiones_permitidas", "criterios"):
        assert _oculto(html, "data-campo-por-tipo", campo), campo
    assert not _oculto(html, "data-campo-por-tipo", "opciones")
    assert _oculto(html, "data-columna-por-tipo", "tolerancia")
    assert _oculto(html, "data-columna-por-tipo", "pareja")
    assert not _oculto(html, "data-columna-por-tipo", "correcta")
    assert "Opciones (marque la correcta)" in html


def test_edicion_de_numerica_nombra_sus_columnas(client, instructor, curso):
    pregunta = PreguntaFactory(tipo="numerica", categoria=CategoriaPreguntaFactory(curso=curso))
    pregunta.opciones.create(texto="3", tolerancia=Decimal("0.5"))
    html = client.get(_editar(pregunta)).content.decode()
    assert not _oculto(html, "data-columna-por-tipo", "tolerancia")
    assert _oculto(html, "data-columna-por-tipo", "correcta")
    for etiqueta in ("Valor", "Tolerancia (±)", "Crédito (%)", "Retroalimentación"):
        assert re.search(rf">\s*{re.escape(etiqueta)}\s*</label>", html), etiqueta


def test_alta_sin_tipo_muestra_todo_y_dice_a_que_tipo_aplica(client, instructor):
    html = client.get(reverse(AGREGAR)).content.decode()
    for campo in ("es_verdadera", "longitud_maxima", "criterios", "opciones"):
        assert not _oculto(html, "data-campo-por-tipo", campo), campo
    assert "Solo para: Verdadero o falso." in html
    assert "Solo para: Ensayo (calificación manual), Entregable" in html
    # The editor script reads the registry from the page, not a list of its own.
    datos = re.search(r'<script id="autoria-tipos-datos"[^>]*>(.*?)</script>', html, re.S)
    assert json.loads(datos.group(1)) == json.loads(json.dumps(autoria.datos_para_el_navegador()))
    assert "evaluaciones/autoria.js" in html


def test_datos_del_navegador_salen_del_registro():
    datos = autoria.datos_para_el_navegador()
    for modulo in tipos.MODULOS:
        propio = datos["tipos"][modulo.tipo.value]
        assert propio["columnas"] == list(modulo.campos_opcion)
        assert ("opciones" in propio["campos"]) == bool(modulo.campos_opcion)
        assert set(propio["campos"]) - {"opciones"} == set(modulo.campos_pregunta)
