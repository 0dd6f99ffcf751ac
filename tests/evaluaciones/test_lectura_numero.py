"""The participant sees how a numeric answer is read, as scoring will read it, before submitting."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from django.urls import reverse

from evaluaciones.models import Momento, Pregunta, Respuesta
from evaluaciones.respuestas import lectura_numero
from evaluaciones.scoring import interpretar_numero
from tests.factories import OpcionPreguntaFactory, PreguntaFactory, UsuarioFactory
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.factories.evaluaciones_cursos import iniciar

ILEGIBLE = "No es un número que podamos leer: escriba, por ejemplo, 3145 o 3.5."


@pytest.mark.parametrize(
    ("texto", "linea"),
    [
        ("3,145", "Se leerá como: 3,145 → 3145"),
        ("3145", "Se leerá como: 3,145 → 3145"),
        ("3.145", "Se leerá como: 3.145"),
        ("3,5", "Se leerá como: 3.5"),
        ("-2,25", "Se leerá como: -2.25"),
        ("1.234,5", "Se leerá como: 1,234.5 → 1234.5"),
        ("1,234,567.50", "Se leerá como: 1,234,567.50 → 1234567.50"),
        ("1 000", "Se leerá como: 1,000 → 1000"),
        ("1e3", "Se leerá como: 1,000 → 1000"),
        (".5", "Se leerá como: 0.5"),
        ("-0", "Se leerá como: 0"),
        ("12", "Se leerá como: 12"),
    ],
)
def test_lectura_como_la_lee_la_calificacion(texto, linea):
    lectura = lectura_numero(texto)
    assert lectura.legible
    assert lectura.texto == linea


@pytest.mark.parametrize("texto", ["abc", "3,14,5", "1,2,3", "1.234.5", "", "1" * 60])
def test_lo_que_no_se_puede_leer_lo_dice_en_espanol(texto):
    lectura = lectura_numero(texto)
    assert not lectura.legible
    assert lectura.texto == ILEGIBLE


def test_en_la_revision_se_dice_en_pasado():
    assert lectura_numero("3,145", enviada=True).texto == "Se leyó como: 3,145 → 3145"
    assert lectura_numero("nada", enviada=True).texto == "No se pudo leer como número."


@pytest.mark.parametrize(
    ("texto", "linea"),
    [
        ("1e100", "Se leerá como: 1 × 10^100"),
        ("-2.5e20", "Se leerá como: -2.5 × 10^20"),
        ("1e-10", "Se leerá como: 1 × 10^-10"),
        ("1E2000100", "Se leerá como: 1 × 10^2000100"),
    ],
)
def test_un_exponente_enorme_no_se_escribe_cifra_por_cifra(texto, linea):
    assert lectura_numero(texto).texto == linea


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789,.eE+- \u00a0", max_size=45))
def test_la_lectura_nunca_falla_y_cabe_en_una_linea(texto):
    lectura = lectura_numero(texto)
    assert lectura.legible == (interpretar_numero(texto) is not None)
    assert len(lectura.texto) < 140


# --- Through the participant's screens --------------------------------------------


@pytest.fixture
def persona(client):
    usuario = UsuarioFactory()
    client.force_login(usuario)
    return usuario


def _numerica(valor="3145"):
    pregunta = PreguntaFactory(tipo=Pregunta.Tipo.NUMERICA)
    OpcionPreguntaFactory(pregunta=pregunta, texto=valor, correcta=True)
    return pregunta


def _guardar(client, intento, pregunta, texto):
    return client.post(
        reverse("evaluaciones:guardar", args=[intento.pk]),
        {"pregunta": f"p{pregunta.pk}", f"p-p{pregunta.pk}": texto},
    )


def _linea(html, pregunta):
    """The reading line of `pregunta` on the attempt page, tags stripped."""
    inicio = html.index(f'id="lectura-p{pregunta.pk}"')
    return html[html.index(">", inicio) + 1 : html.index("</p>", inicio)]


@pytest.mark.django_db
def test_autoguardado_devuelve_la_lectura_del_numero(client, persona):
    numerica = _numerica()
    intento = iniciar(evaluacion_con(numerica), persona)
    respuesta = _guardar(client, intento, numerica, " 3,145 ")
    assert respuesta.status_code == 200
    assert respuesta.json()["lectura"] == "Se leerá como: 3,145 → 3145"
    assert respuesta.json()["version"] == 1
    decimal = _guardar(client, intento, numerica, "3,5")
    assert decimal.json()["lectura"] == "Se leerá como: 3.5"
    # Erasing the answer erases the line.
    assert _guardar(client, intento, numerica, "").json()["lectura"] == ""


@pytest.mark.django_db
def test_autoguardado_de_algo_ilegible_lo_dice_y_no_cambia_lo_guardado(client, persona):
    numerica = _numerica()
    intento = iniciar(evaluacion_con(numerica), persona)
    _guardar(client, intento, numerica, "3145")
    mala = _guardar(client, intento, numerica, "3,14,5")
    assert mala.status_code == 409
    assert mala.json()["mensaje"] == ILEGIBLE
    assert Respuesta.objects.get().valor == "3145"


@pytest.mark.django_db
def test_la_pagina_del_intento_muestra_la_lectura_de_lo_guardado(client, persona):
    numerica = _numerica()
    vacia = _numerica()
    intento = iniciar(evaluacion_con(numerica, vacia), persona)
    _guardar(client, intento, numerica, "3,145")
    html = client.get(reverse("evaluaciones:intento", args=[intento.pk])).content.decode()
    assert _linea(html, numerica) == "Se leerá como: 3,145 → 3145"
    assert _linea(html, vacia) == ""
    assert 'aria-live="polite"' in html[html.index(f'id="lectura-p{numerica.pk}"') - 120 :]
    assert f'aria-describedby="ayuda-p{numerica.pk} lectura-p{numerica.pk}"' in html


@pytest.mark.django_db
def test_un_numero_guardado_que_ya_no_se_puede_leer_lo_dice(client, persona):
    """An answer stored under an older reading rule is shown as the engine reads it now."""
    numerica = _numerica()
    intento = iniciar(evaluacion_con(numerica), persona)
    Respuesta.objects.create(
        intento=intento, clave=f"p{numerica.pk}", valor="1,2,3", guardada_en=intento.iniciado_en
    )
    html = client.get(reverse("evaluaciones:intento", args=[intento.pk])).content.decode()
    assert _linea(html, numerica) == ILEGIBLE
    assert 'class="lectura-numero error"' in html


@pytest.mark.django_db
def test_sin_javascript_guardar_muestra_la_lectura(client, persona):
    numerica = _numerica()
    intento = iniciar(evaluacion_con(numerica), persona)
    url = reverse("evaluaciones:enviar", args=[intento.pk])
    respuesta = client.post(url, {f"p-p{numerica.pk}": "3,145", "accion": "guardar"}, follow=True)
    html = respuesta.content.decode()
    assert "Sus respuestas se guardaron" in html
    assert _linea(html, numerica) == "Se leerá como: 3,145 → 3145"
    datos = {f"p-p{numerica.pk}": "tres mil", f"v-p{numerica.pk}": "1", "accion": "guardar"}
    html = client.post(url, datos, follow=True).content.decode()
    assert ILEGIBLE in html
    # Nothing new was saved: the line still reads what is stored.
    assert _linea(html, numerica) == "Se leerá como: 3,145 → 3145"


def _enviar(client, persona, numerica, **opciones):
    intento = iniciar(evaluacion_con(numerica, **opciones), persona)
    client.post(
        reverse("evaluaciones:enviar", args=[intento.pk]),
        {f"p-p{numerica.pk}": "3,145", "accion": "enviar"},
    )
    return client.get(reverse("evaluaciones:resultado", args=[intento.pk])).content.decode()


@pytest.mark.django_db
def test_la_revision_muestra_el_numero_como_se_leyo(client, persona):
    numerica = _numerica("3145")
    html = _enviar(client, persona, numerica, revision_respuestas=Momento.AL_ENVIAR)
    assert "Se leyó como: 3,145 → 3145" in html
    assert "Calificación: 100 %" in html
    # Only where the participant's answers may be shown.
    oculta = _enviar(
        client,
        persona,
        numerica,
        revision_respuestas=Momento.NUNCA,
        revision_correctas=Momento.AL_ENVIAR,
    )
    assert "Respuesta correcta" in oculta
    assert "Se leyó como" not in oculta


@pytest.mark.parametrize("n", [5, 50])
@pytest.mark.django_db
def test_la_lectura_no_agrega_consultas(client, persona, django_assert_max_num_queries, n):
    """Same ceilings as the choice-only attempt of test_views: the line is computed, not queried."""
    preguntas = [_numerica() for _ in range(n)] + [pregunta_con_opciones()]
    intento = iniciar(evaluacion_con(*preguntas), persona)
    primera = preguntas[0]
    with django_assert_max_num_queries(10):
        guardado = _guardar(client, intento, primera, "3,145")
    assert guardado.json()["lectura"] == "Se leerá como: 3,145 → 3145"
    with django_assert_max_num_queries(12):
        html = client.get(reverse("evaluaciones:intento", args=[intento.pk])).content.decode()
    assert _linea(html, primera) == "Se leerá como: 3,145 → 3145"
