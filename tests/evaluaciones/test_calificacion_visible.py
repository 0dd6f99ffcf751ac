"""The participant sees their final grade, how it is reached and each attempt's score.

On the evaluation's page and on every result page, as the evaluation's review options
allow (`revision_puntaje`), with the grade `selectors.calificacion_final` computes.
"""

import datetime
import re
from decimal import Decimal

import pytest

from django.urls import reverse
from django.utils import timezone

from evaluaciones import scoring, selectors, services
from evaluaciones.models import Evaluacion, Intento, Momento, Pregunta
from tests.factories import UsuarioFactory
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.factories.evaluaciones_cursos import iniciar

pytestmark = pytest.mark.django_db


def _evaluacion(**kw):
    """Three one-point questions whose first option is the right one."""
    preguntas = [pregunta_con_opciones(correctas=(True, False)) for _ in range(3)]
    kw.setdefault("intentos_permitidos", 0)
    kw.setdefault("puntaje_aprobatorio", Decimal("60"))
    return evaluacion_con(*preguntas, **kw)


def _presentar(evaluacion, persona, aciertos):
    """Start an attempt, answer the first `aciertos` questions right and the rest wrong, submit."""
    intento = iniciar(evaluacion, persona)
    for n, item in enumerate(intento.instantanea["preguntas"]):
        opciones = Pregunta.objects.get(pk=item["pregunta_id"]).opciones.order_by("sort_order")
        opcion = opciones[0] if n < aciertos else opciones[1]
        services.guardar_respuesta(
            intento_id=intento.pk,
            usuario=persona,
            clave=item["clave"],
            datos={f"p-{item['clave']}": [str(opcion.pk)]},
        )
    services.enviar_intento(intento_id=intento.pk, usuario=persona)
    intento.refresh_from_db()
    return intento


def _texto(html):
    """The page's visible text, one space between words."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _pagina(client, nombre, pk):
    """The page's visible text, and its table of attempts as rows of cell texts."""
    respuesta = client.get(reverse(f"evaluaciones:{nombre}", args=[pk]))
    assert respuesta.status_code == 200
    html = respuesta.content.decode()
    tabla = html.split('aria-labelledby="intentos-titulo"', 1)[-1].split("</table>", 1)[0]
    filas = [
        [_texto(celda) for celda in re.findall(r"<td[^>]*>(.*?)</td>", fila, re.S)]
        for fila in re.findall(r"<tr[^>]*>(.*?)</tr>", tabla.split("<tbody>", 1)[-1], re.S)
    ]
    return _texto(html), filas


@pytest.fixture
def persona(client):
    usuario = UsuarioFactory()
    client.force_login(usuario)
    return usuario


@pytest.mark.parametrize("nombre", ["detalle", "resultado"])
def test_ve_calificacion_final_metodo_aprobatoria_y_cada_intento(client, persona, nombre):
    evaluacion = _evaluacion(metodo_calificacion=Evaluacion.Metodo.MAS_ALTA)
    primero = _presentar(evaluacion, persona, aciertos=1)  # 33.33 %
    _presentar(evaluacion, persona, aciertos=2)  # 66.67 %
    pk = evaluacion.pk if nombre == "detalle" else primero.pk
    texto, filas = _pagina(client, nombre, pk)
    assert "Calificación final 66.67 %" in texto
    assert "Resultado Aprobada" in texto
    assert "Se toma la calificación más alta de sus intentos." in texto
    assert "Calificación aprobatoria 60 %" in texto
    assert [f[0] for f in filas] == ["1", "2"]
    assert [f[1] for f in filas] == ["Calificado", "Calificado"]
    assert [f[3] for f in filas] == ["33.33 %", "66.67 %"]
    assert all(f[2] != "—" for f in filas)


@pytest.mark.parametrize(
    ("metodo", "aciertos", "final", "aprobada"),
    [
        (Evaluacion.Metodo.PROMEDIO, (3, 1), "66.67", True),
        (Evaluacion.Metodo.ULTIMA, (3, 1), "33.33", False),
        (Evaluacion.Metodo.PRIMERA, (1, 3), "33.33", False),
    ],
)
def test_calificacion_final_es_la_del_selector_para_cada_metodo(
    client, persona, metodo, aciertos, final, aprobada
):
    evaluacion = _evaluacion(metodo_calificacion=metodo)
    ultimo = None
    for n in aciertos:
        ultimo = _presentar(evaluacion, persona, aciertos=n)
    calculada = selectors.calificacion_final(evaluacion=evaluacion, usuario_id=persona.pk)
    assert calculada == Decimal(final)
    for nombre, pk in (("detalle", evaluacion.pk), ("resultado", ultimo.pk)):
        texto, _filas = _pagina(client, nombre, pk)
        assert f"Calificación final {final} %" in texto
        assert selectors.explicar_metodo(scoring.MetodoCalificacion(metodo)) in texto
        assert ("Resultado Aprobada" if aprobada else "Resultado No aprobada") in texto


@pytest.mark.parametrize("metodo", list(scoring.MetodoCalificacion))
def test_cada_metodo_se_explica_con_palabras(metodo):
    explicacion = selectors.explicar_metodo(metodo)
    assert explicacion.startswith("Se toma")
    otras = {selectors.explicar_metodo(m) for m in scoring.MetodoCalificacion if m != metodo}
    assert explicacion not in otras


def test_revision_nunca_oculta_calificacion_final_y_de_cada_intento(client, persona):
    evaluacion = _evaluacion(revision_puntaje=Momento.NUNCA)
    intento = _presentar(evaluacion, persona, aciertos=2)
    for nombre, pk in (("detalle", evaluacion.pk), ("resultado", intento.pk)):
        texto, filas = _pagina(client, nombre, pk)
        assert "66.67" not in texto
        assert "Aprobada" not in texto
        assert "Esta evaluación no muestra las calificaciones a los participantes." in texto
        assert "Se toma la calificación más alta de sus intentos." in texto
        assert "Calificación aprobatoria 60 %" in texto
        assert filas[0][:2] == ["1", "Calificado"]
        assert filas[0][3] == "—"


def test_revision_al_cierre_muestra_la_calificacion_solo_despues_del_cierre(client, persona):
    cierre = timezone.now() + datetime.timedelta(days=2)
    evaluacion = _evaluacion(revision_puntaje=Momento.AL_CIERRE, cierra_en=cierre)
    intento = _presentar(evaluacion, persona, aciertos=2)
    for nombre, pk in (("detalle", evaluacion.pk), ("resultado", intento.pk)):
        texto, filas = _pagina(client, nombre, pk)
        assert "66.67" not in texto
        assert filas[0][3] == "—"
        assert "Se mostrará a partir del" in texto
    Evaluacion.objects.filter(pk=evaluacion.pk).update(
        cierra_en=timezone.now() - datetime.timedelta(minutes=1)
    )
    for nombre, pk in (("detalle", evaluacion.pk), ("resultado", intento.pk)):
        texto, filas = _pagina(client, nombre, pk)
        assert "Calificación final 66.67 %" in texto
        assert filas[0][3] == "66.67 %"


def test_antes_de_enviar_explica_el_metodo_sin_calificacion(client, persona):
    evaluacion = _evaluacion(metodo_calificacion=Evaluacion.Metodo.PROMEDIO)
    iniciar(evaluacion, persona)
    texto, filas = _pagina(client, "detalle", evaluacion.pk)
    assert "Calificación final Todavía no ha enviado ningún intento." in texto
    assert "Se toma el promedio de las calificaciones de sus intentos." in texto
    assert filas == [["1", "En curso", "—", "—", "Continuar"]]


def test_intento_por_calificar_avisa_que_la_calificacion_puede_cambiar(client, persona):
    evaluacion = _evaluacion()
    _presentar(evaluacion, persona, aciertos=3)
    otro = _presentar(evaluacion, persona, aciertos=0)
    Intento.objects.filter(pk=otro.pk).update(
        estado=Intento.Estado.POR_CALIFICAR, porcentaje=None, calificado_en=None
    )
    texto, filas = _pagina(client, "resultado", otro.pk)
    assert "Calificación final 100 %" in texto
    assert "su calificación final puede cambiar" in texto
    assert [f[3] for f in filas] == ["100 %", "—"]
    assert filas[1][4] == "Este intento"


def test_numeros_como_se_escriben_en_mexico(client, persona):
    evaluacion = _evaluacion(puntaje_aprobatorio=Decimal("66.5"))
    _presentar(evaluacion, persona, aciertos=2)
    texto, _filas = _pagina(client, "detalle", evaluacion.pk)
    assert "Calificación aprobatoria 66.50 %" in texto
    assert "Calificación final 66.67 %" in texto
    assert "66,67" not in texto
    assert "Resultado Aprobada" in texto


@pytest.mark.parametrize("nombre", ["detalle", "resultado"])
def test_consultas_no_crecen_con_los_intentos(
    client, persona, django_assert_max_num_queries, nombre
):
    evaluacion = _evaluacion()
    primero = _presentar(evaluacion, persona, aciertos=1)
    pk = evaluacion.pk if nombre == "detalle" else primero.pk
    url = reverse(f"evaluaciones:{nombre}", args=[pk])
    client.get(url)  # warm the per-person caches both runs share
    with django_assert_max_num_queries(20) as pocas:
        assert client.get(url).status_code == 200
    for _ in range(6):
        _presentar(evaluacion, persona, aciertos=2)
    with django_assert_max_num_queries(len(pocas.captured_queries)):
        respuesta = client.get(url)
    assert respuesta.content.decode().count("66.67 %") >= 6
