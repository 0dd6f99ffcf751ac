"""Authoring and reviewing what Moodle questions carry, through the real admin and pages:
exact credits, several numeric values, short-answer options, true/false and per-answer
feedback, an essay's response template."""

from decimal import Decimal

import pytest

from django.urls import reverse

from evaluaciones import services
from evaluaciones.models import Momento, Pregunta
from lms import services as lms_services
from lms.models import Rol
from tests.evaluaciones.test_admin import _opcion, _pregunta_post
from tests.factories import CategoriaPreguntaFactory, UsuarioFactory
from tests.factories.evaluaciones import OpcionPreguntaFactory, PreguntaFactory, evaluacion_con
from tests.factories.evaluaciones_cursos import curso_impartido, iniciar

pytestmark = pytest.mark.django_db

AGREGAR = "wagtailsnippets_evaluaciones_pregunta:add"


@pytest.fixture
def instructor(client):
    usuario = UsuarioFactory()
    lms_services.asignar_rol(usuario=usuario, rol=Rol.INSTRUCTOR)
    client.force_login(usuario)
    return usuario


@pytest.fixture
def categoria(instructor):
    return CategoriaPreguntaFactory(curso=curso_impartido(instructor))


def _guardar(client, datos):
    respuesta = client.post(reverse(AGREGAR), datos)
    assert respuesta.status_code == 302, respuesta.content.decode()[-3000:]
    return Pregunta.objects.get()


def test_tres_tercios_escritos_con_dos_decimales_se_aceptan_y_valen_exactamente(client, categoria):
    opciones = [_opcion(t, True, fraccion="33.33") for t in "ABC"] + [_opcion("D")]
    pregunta = _guardar(client, _pregunta_post(categoria, opciones, tipo="opcion_multiple"))
    from evaluaciones.instantaneas import clave_correcta

    clave = clave_correcta(pregunta, list(pregunta.opciones.order_by("sort_order")))
    assert sorted(clave["fracciones"].values())[-3:] == ["1/3", "1/3", "1/3"]


def test_numerica_con_varios_valores_tolerancia_credito_y_comodin(client, categoria):
    filas = [
        {**_opcion("3,145"), "tolerancia": "5"},
        {**_opcion("3160", fraccion="50"), "tolerancia": "2"},
        {**_opcion("*", fraccion="0"), "retroalimentacion": "Revise la suma."},
    ]
    pregunta = _guardar(client, _pregunta_post(categoria, filas, tipo="numerica"))
    assert [(o.texto, o.tolerancia, o.fraccion) for o in pregunta.opciones.all()] == [
        ("3,145", Decimal(5), None),
        ("3160", Decimal(2), Decimal(50)),
        ("*", None, Decimal(0)),
    ]


def test_respuesta_corta_guarda_sus_opciones_de_mayusculas_y_acentos(client, categoria):
    datos = _pregunta_post(
        categoria, [_opcion("año")], tipo="respuesta_corta", ignorar_acentos="on"
    )
    pregunta = _guardar(client, datos)
    assert (pregunta.ignorar_acentos, pregunta.distinguir_mayusculas) == (True, False)


@pytest.fixture
def persona(client):
    usuario = UsuarioFactory()
    client.force_login(usuario)
    return usuario


def _revisar(client, persona, pregunta, respuesta):
    evaluacion = evaluacion_con(
        pregunta,
        revision_respuestas=Momento.AL_ENVIAR,
        revision_correctas=Momento.AL_ENVIAR,
        revision_retroalimentacion=Momento.AL_ENVIAR,
    )
    intento = iniciar(evaluacion, persona)
    services.enviar_intento(
        intento_id=intento.pk, usuario=persona, datos={f"p-p{pregunta.pk}": [respuesta]}
    )
    intento.refresh_from_db()
    html = client.get(reverse("evaluaciones:resultado", args=[intento.pk])).content.decode()
    return intento, html


def test_verdadero_falso_muestra_la_retroalimentacion_de_la_respuesta_dada(client, persona):
    vf = PreguntaFactory(
        tipo=Pregunta.Tipo.VERDADERO_FALSO,
        es_verdadera=False,
        retroalimentacion_verdadero="RETRO-SI-DIJO-VERDADERO",
        retroalimentacion_falso="RETRO-SI-DIJO-FALSO",
    )
    intento, html = _revisar(client, persona, vf, "verdadero")
    assert intento.porcentaje == Decimal("0.00")
    assert "RETRO-SI-DIJO-VERDADERO" in html
    assert "RETRO-SI-DIJO-FALSO" not in html  # only the feedback of the answer given


def test_numerica_muestra_la_retroalimentacion_del_valor_que_coincidio(client, persona):
    numerica = PreguntaFactory(tipo=Pregunta.Tipo.NUMERICA, puntos=Decimal(2))
    OpcionPreguntaFactory(pregunta=numerica, texto="3145", correcta=True, sort_order=0)
    OpcionPreguntaFactory(
        pregunta=numerica,
        texto="3160",
        fraccion=Decimal(50),
        retroalimentacion="RETRO-CASI",
        sort_order=1,
    )
    OpcionPreguntaFactory(
        pregunta=numerica,
        texto="*",
        fraccion=Decimal(0),
        retroalimentacion="RETRO-OTRO",
        sort_order=2,
    )
    intento, html = _revisar(client, persona, numerica, "3,160")
    assert intento.porcentaje == Decimal("50.00")
    assert "RETRO-CASI" in html
    assert "RETRO-OTRO" not in html


def test_respuesta_corta_con_comodin_y_retroalimentacion_de_la_aceptada(client, persona):
    corta = PreguntaFactory(tipo=Pregunta.Tipo.RESPUESTA_CORTA)
    OpcionPreguntaFactory(pregunta=corta, texto="Benito Juárez", sort_order=0)
    OpcionPreguntaFactory(
        pregunta=corta,
        texto="*Juárez",
        fraccion=Decimal(50),
        retroalimentacion="RETRO-FALTA-NOMBRE",
        sort_order=1,
    )
    intento, html = _revisar(client, persona, corta, "Pablo Juárez")
    assert intento.porcentaje == Decimal("50.00")
    assert "RETRO-FALTA-NOMBRE" in html


def test_ensayo_empieza_con_su_plantilla_y_la_plantilla_intacta_no_es_respuesta(client, persona):
    ensayo = PreguntaFactory(tipo=Pregunta.Tipo.ENSAYO, plantilla_respuesta="Problema:\nPropuesta:")
    evaluacion = evaluacion_con(ensayo)
    intento = iniciar(evaluacion, persona)
    html = client.get(reverse("evaluaciones:intento", args=[intento.pk])).content.decode()
    assert "Problema:\nPropuesta:</textarea>" in html
    services.enviar_intento(
        intento_id=intento.pk,
        usuario=persona,
        datos={f"p-p{ensayo.pk}": ["Problema:\nPropuesta:"]},
    )
    intento.refresh_from_db()
    # Nothing was written beyond the template: nothing to grade by hand, it scores zero.
    assert intento.estado == intento.Estado.CALIFICADO
    assert intento.porcentaje == Decimal("0.00")


@pytest.mark.parametrize("accion", ["guardar", "enviar"])
def test_una_respuesta_ilegible_no_cuesta_las_demas(client, persona, accion):
    """Without JavaScript the whole page is posted: what can be read is saved, the
    unreadable answer is named by its number, and nothing is submitted."""
    corta = PreguntaFactory(tipo=Pregunta.Tipo.RESPUESTA_CORTA)
    OpcionPreguntaFactory(pregunta=corta, texto="INAI")
    numerica = PreguntaFactory(tipo=Pregunta.Tipo.NUMERICA)
    OpcionPreguntaFactory(pregunta=numerica, texto="3145")
    evaluacion = evaluacion_con(corta, numerica)
    intento = iniciar(evaluacion, persona)
    numero = [i["clave"] for i in intento.instantanea["preguntas"]].index(f"p{numerica.pk}") + 1
    respuesta = client.post(
        reverse("evaluaciones:enviar", args=[intento.pk]),
        {f"p-p{corta.pk}": "INAI", f"p-p{numerica.pk}": "tres mil", "accion": accion},
        follow=True,
    )
    html = respuesta.content.decode()
    assert respuesta.redirect_chain[-1][0] == reverse("evaluaciones:intento", args=[intento.pk])
    assert f"Pregunta {numero}: No es un número que podamos leer" in html
    assert "las demás respuestas se guardaron" in html.lower()
    intento.refresh_from_db()
    assert intento.estado == intento.Estado.EN_CURSO
    assert {r.clave: r.valor for r in intento.respuestas.all()} == {f"p{corta.pk}": "INAI"}
