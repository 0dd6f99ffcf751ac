"""A regrade is a recorded change of key that reaches every attempt holding the question."""

import datetime
import threading
import time
from decimal import Decimal

import pytest

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from cursos.models import Inscripcion
from evaluaciones import selectors, services
from evaluaciones.models import Evaluacion, Intento, Momento, Recalificacion, Respuesta
from lms import services as lms_services
from lms.models import Rol
from tests.factories import UsuarioFactory
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.factories.evaluaciones_cursos import curso_impartido, iniciar

pytestmark = pytest.mark.django_db

solo_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real row locks"
)


def _opcion(pregunta, indice):
    return str(pregunta.opciones.order_by("sort_order")[indice].pk)


def _campos(pregunta, indice):
    return {f"p-p{pregunta.pk}": [_opcion(pregunta, indice)]}


def _pregunta_con_clave_equivocada():
    """Option 0 is marked right by mistake; option 1 is the right one."""
    return pregunta_con_opciones(correctas=(True, False, False))


def _corregir_clave(pregunta):
    opciones = list(pregunta.opciones.order_by("sort_order"))
    opciones[0].correcta, opciones[1].correcta = False, True
    for opcion in opciones[:2]:
        opcion.save()


def _item(intento, pregunta):
    intento.refresh_from_db()
    return next(i for i in intento.instantanea["preguntas"] if i["pregunta_id"] == pregunta.pk)


def _guardar(intento, persona, pregunta, indice):
    services.guardar_respuesta(
        intento_id=intento.pk,
        usuario=persona,
        clave=f"p{pregunta.pk}",
        datos=_campos(pregunta, indice),
    )


# --- Attempts in progress ---------------------------------------------------------


def test_intento_en_curso_recalificado_se_califica_con_la_clave_nueva_al_enviar():
    persona = UsuarioFactory()
    pregunta = _pregunta_con_clave_equivocada()
    intento = iniciar(evaluacion_con(pregunta), persona)
    _guardar(intento, persona, pregunta, 1)
    vista = _item(intento, pregunta)["vista"]
    respuesta = Respuesta.objects.get(intento=intento)

    _corregir_clave(pregunta)
    registro = services.recalificar_pregunta(
        pregunta=pregunta, realizada_por=None, motivo="La opción marcada era otra"
    )

    # The open attempt keeps what it showed and what was answered; only its key moved.
    item = _item(intento, pregunta)
    assert intento.estado == Intento.Estado.EN_CURSO
    assert item["vista"] == vista
    assert Respuesta.objects.get(intento=intento).valor == respuesta.valor
    assert item["clave_correcta"]["fracciones"][_opcion(pregunta, 1)] == "1/1"
    [cambio] = item["recalificaciones"]
    assert cambio["motivo"] == "La opción marcada era otra"
    assert cambio["estado_intento"] == "en_curso"
    assert (cambio["puntos_antes"], cambio["puntos_despues"]) == (None, None)
    assert cambio["clave_anterior"]["fracciones"][_opcion(pregunta, 0)] == "1/1"
    assert registro.intentos_en_curso == 1
    assert registro.intentos_revisados == 0

    resultado = services.enviar_intento(intento_id=intento.pk, usuario=persona)
    assert resultado.intento.porcentaje == Decimal("100.00")
    assert Respuesta.objects.get(intento=intento).puntos == Decimal("1")


def test_intento_en_curso_que_vence_se_cierra_con_la_clave_nueva():
    persona = UsuarioFactory()
    pregunta = _pregunta_con_clave_equivocada()
    inicio = timezone.now() - datetime.timedelta(minutes=8)
    intento = iniciar(evaluacion_con(pregunta, limite_minutos=10), persona, ahora=inicio)
    services.guardar_respuesta(
        intento_id=intento.pk,
        usuario=persona,
        clave=f"p{pregunta.pk}",
        datos=_campos(pregunta, 1),
        ahora=inicio + datetime.timedelta(minutes=1),
    )
    _corregir_clave(pregunta)
    services.recalificar_pregunta(pregunta=pregunta, realizada_por=None, motivo="Clave")

    cerrados = services.cerrar_intentos_vencidos(ahora=inicio + datetime.timedelta(minutes=11))

    assert cerrados == 1
    intento.refresh_from_db()
    assert intento.cerrado_por_sistema
    assert intento.porcentaje == Decimal("100.00")


def test_intento_abandonado_recibe_la_clave_sin_calificarse():
    """Abandoned (expired with no answer): nothing to rescore, and it stays abandoned."""
    persona = UsuarioFactory()
    pregunta = _pregunta_con_clave_equivocada()
    inicio = timezone.now() - datetime.timedelta(minutes=30)
    intento = iniciar(evaluacion_con(pregunta, limite_minutos=10), persona, ahora=inicio)
    services.cerrar_intentos_vencidos(ahora=timezone.now())
    intento.refresh_from_db()
    assert intento.estado == Intento.Estado.ABANDONADO

    _corregir_clave(pregunta)
    registro = services.recalificar_pregunta(pregunta=pregunta, realizada_por=None, motivo="x")

    item = _item(intento, pregunta)
    assert intento.estado == Intento.Estado.ABANDONADO
    assert intento.porcentaje is None
    assert item["clave_correcta"]["fracciones"][_opcion(pregunta, 1)] == "1/1"
    assert item["recalificaciones"][0]["estado_intento"] == "abandonado"
    assert (registro.intentos_revisados, registro.intentos_en_curso, registro.cambios) == (0, 0, [])


def test_ultimo_intento_abierto_no_retira_la_acreditacion(django_capture_on_commit_callbacks):
    """With "último intento", an attempt open at the regrade used to fail with the old key."""
    pregunta = _pregunta_con_clave_equivocada()
    evaluacion = evaluacion_con(
        pregunta,
        metodo_calificacion=Evaluacion.Metodo.ULTIMA,
        puntaje_aprobatorio=Decimal("70"),
        intentos_permitidos=2,
    )
    curso_impartido(UsuarioFactory(), evaluacion)
    persona = UsuarioFactory()

    def acreditada():
        return Inscripcion.objects.get(usuario=persona).completada_en is not None

    with django_capture_on_commit_callbacks(execute=True):
        primero = iniciar(evaluacion, persona)
        services.enviar_intento(intento_id=primero.pk, usuario=persona, datos=_campos(pregunta, 1))
    assert not acreditada()
    with django_capture_on_commit_callbacks(execute=True):
        segundo = iniciar(evaluacion, persona)
        _guardar(segundo, persona, pregunta, 1)

    _corregir_clave(pregunta)
    with django_capture_on_commit_callbacks(execute=True):
        services.recalificar_pregunta(pregunta=pregunta, realizada_por=None, motivo="Clave")
    assert acreditada()

    with django_capture_on_commit_callbacks(execute=True):
        services.enviar_intento(intento_id=segundo.pk, usuario=persona)

    assert selectors.calificacion_final(evaluacion=evaluacion, usuario_id=persona.pk) == Decimal(
        "100.00"
    )
    assert acreditada()


# --- Submitted attempts and the history -------------------------------------------


def test_intento_enviado_registra_puntos_antes_y_despues():
    persona = UsuarioFactory()
    pregunta = _pregunta_con_clave_equivocada()
    intento = iniciar(evaluacion_con(pregunta), persona)
    services.enviar_intento(intento_id=intento.pk, usuario=persona, datos=_campos(pregunta, 1))
    _corregir_clave(pregunta)

    services.recalificar_pregunta(pregunta=pregunta, realizada_por=None, motivo="Clave")

    [cambio] = _item(intento, pregunta)["recalificaciones"]
    assert cambio["estado_intento"] == "calificado"
    assert Decimal(cambio["puntos_antes"]) == 0
    assert Decimal(cambio["puntos_despues"]) == 1
    assert intento.porcentaje == Decimal("100.00")


def test_recalificar_sin_cambiar_la_clave_no_agrega_registro_al_intento():
    persona = UsuarioFactory()
    pregunta = _pregunta_con_clave_equivocada()
    intento = iniciar(evaluacion_con(pregunta), persona)
    services.enviar_intento(intento_id=intento.pk, usuario=persona, datos=_campos(pregunta, 1))
    _corregir_clave(pregunta)
    services.recalificar_pregunta(pregunta=pregunta, realizada_por=None, motivo="Primera")
    services.recalificar_pregunta(pregunta=pregunta, realizada_por=None, motivo="Otra vez")

    assert [c["motivo"] for c in _item(intento, pregunta)["recalificaciones"]] == ["Primera"]


def test_historial_guarda_ambas_claves_y_los_intentos_en_curso():
    pregunta = _pregunta_con_clave_equivocada()
    evaluacion = evaluacion_con(pregunta)
    enviada, abierta = UsuarioFactory.create_batch(2)
    intento = iniciar(evaluacion, enviada)
    services.enviar_intento(intento_id=intento.pk, usuario=enviada, datos=_campos(pregunta, 1))
    iniciar(evaluacion, abierta)
    _corregir_clave(pregunta)

    registro = services.recalificar_pregunta(pregunta=pregunta, realizada_por=None, motivo="Clave")

    registro.refresh_from_db()
    primera, segunda = _opcion(pregunta, 0), _opcion(pregunta, 1)
    assert registro.clave_anterior["fracciones"][primera] == "1/1"
    assert registro.clave_anterior["fracciones"][segunda] == "0/1"
    assert registro.clave_nueva["fracciones"][primera] == "0/1"
    assert registro.clave_nueva["fracciones"][segunda] == "1/1"
    assert (registro.intentos_revisados, registro.intentos_en_curso) == (1, 1)
    assert len(registro.cambios) == 1


def test_sin_intentos_la_clave_anterior_sale_de_la_revision_previa():
    pregunta = _pregunta_con_clave_equivocada()
    pregunta.save_revision()
    _corregir_clave(pregunta)
    pregunta.save_revision()

    registro = services.recalificar_pregunta(pregunta=pregunta, realizada_por=None, motivo="c")

    assert registro.clave_anterior["fracciones"][_opcion(pregunta, 0)] == "1/1"
    assert registro.clave_nueva["fracciones"][_opcion(pregunta, 1)] == "1/1"


# --- Screens ------------------------------------------------------------------------


@pytest.fixture
def instructor(client):
    usuario = UsuarioFactory()
    lms_services.asignar_rol(usuario=usuario, rol=Rol.INSTRUCTOR)
    client.force_login(usuario)
    return usuario


def test_pagina_de_recalificar_cuenta_intentos_en_curso_y_muestra_el_registro(
    client, instructor, django_assert_max_num_queries
):
    pregunta = _pregunta_con_clave_equivocada()
    evaluacion = evaluacion_con(pregunta)
    curso_impartido(instructor, evaluacion)
    enviada, abierta, otra = UsuarioFactory.create_batch(3)
    intento = iniciar(evaluacion, enviada)
    services.enviar_intento(intento_id=intento.pk, usuario=enviada, datos=_campos(pregunta, 1))
    iniciar(evaluacion, abierta)
    iniciar(evaluacion, otra)
    _corregir_clave(pregunta)
    url = reverse("evaluaciones_recalificar", args=[pregunta.pk])

    with django_assert_max_num_queries(15):
        antes = client.get(url).content.decode()
    assert "1 intento enviado contiene esta pregunta" in antes
    assert "2 intentos en curso contienen esta pregunta" in antes

    despues = client.post(url, {"motivo": "La opción marcada era otra"}, follow=True)
    html = despues.content.decode()
    assert "Se actualizó la clave de 2 intentos en curso" in html
    assert "Intentos en curso actualizados" in html
    texto_correcta = pregunta.opciones.order_by("sort_order")[1].texto
    assert f"{texto_correcta}: 100 %" in html
    with django_assert_max_num_queries(15):
        client.get(url)


@pytest.mark.parametrize(
    ("revision_puntaje", "ve_puntos"), [(Momento.AL_ENVIAR, True), (Momento.NUNCA, False)]
)
def test_resultado_muestra_la_correccion_de_la_clave(client, revision_puntaje, ve_puntos):
    persona = UsuarioFactory()
    client.force_login(persona)
    pregunta = _pregunta_con_clave_equivocada()
    intento = iniciar(evaluacion_con(pregunta, revision_puntaje=revision_puntaje), persona)
    services.enviar_intento(intento_id=intento.pk, usuario=persona, datos=_campos(pregunta, 1))
    url = reverse("evaluaciones:resultado", args=[intento.pk])
    assert "Correcciones de la clave" not in client.get(url).content.decode()
    _corregir_clave(pregunta)
    registro = services.recalificar_pregunta(
        pregunta=pregunta, realizada_por=None, motivo="La opción marcada era otra"
    )

    html = client.get(url).content.decode()

    assert "Correcciones de la clave" in html
    assert "Pregunta 1</strong> (¿Enunciado número" in html
    fecha = timezone.localtime(registro.realizada_en)
    assert f"la clave se corrigió el {fecha.day} de" in html
    assert "Motivo: La opción marcada era otra." in html
    assert ("Puntos: 0 → 1 de 1." in html) == ve_puntos


def test_resultado_de_intento_en_curso_al_recalificar_lo_explica(client):
    persona = UsuarioFactory()
    client.force_login(persona)
    pregunta = _pregunta_con_clave_equivocada()
    intento = iniciar(evaluacion_con(pregunta), persona)
    _guardar(intento, persona, pregunta, 1)
    _corregir_clave(pregunta)
    services.recalificar_pregunta(pregunta=pregunta, realizada_por=None, motivo="Clave")
    services.enviar_intento(intento_id=intento.pk, usuario=persona)

    html = client.get(reverse("evaluaciones:resultado", args=[intento.pk])).content.decode()

    assert "Su intento estaba en curso; se calificó con la clave corregida." in html


# --- A regrade and a submit of the same attempt at once --------------------------


def _preparar_carrera():
    persona = UsuarioFactory()
    pregunta = _pregunta_con_clave_equivocada()
    intento = iniciar(evaluacion_con(pregunta), persona)
    _guardar(intento, persona, pregunta, 1)
    _corregir_clave(pregunta)
    return persona, pregunta, intento


def _primero_y_despues(primero, despues):
    """Run `primero` in a transaction held open a moment after it is done, and `despues`
    in another connection meanwhile: `despues` must wait for the row locks `primero` took."""
    listo = threading.Event()
    errores = []

    def correr_primero():
        try:
            with transaction.atomic():
                primero()
                listo.set()
                time.sleep(0.5)
        except Exception as error:  # noqa: BLE001 - reported by the test below
            errores.append(error)
            listo.set()
        finally:
            connection.close()

    def correr_despues():
        listo.wait(10)
        try:
            despues()
        except Exception as error:  # noqa: BLE001 - reported by the test below
            errores.append(error)
        finally:
            connection.close()

    hilos = [threading.Thread(target=correr_primero), threading.Thread(target=correr_despues)]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()
    assert errores == []


@solo_postgresql
@pytest.mark.django_db(transaction=True)
def test_envio_durante_la_recalificacion_espera_la_clave_nueva():
    persona, pregunta, intento = _preparar_carrera()
    _primero_y_despues(
        lambda: services.recalificar_pregunta(pregunta=pregunta, realizada_por=None, motivo="c"),
        lambda: services.enviar_intento(intento_id=intento.pk, usuario=persona),
    )
    intento.refresh_from_db()
    assert intento.estado == Intento.Estado.CALIFICADO
    assert intento.porcentaje == Decimal("100.00")
    assert _item(intento, pregunta)["recalificaciones"][0]["estado_intento"] == "en_curso"


@solo_postgresql
@pytest.mark.django_db(transaction=True)
def test_recalificacion_durante_el_envio_recalifica_lo_enviado():
    persona, pregunta, intento = _preparar_carrera()
    _primero_y_despues(
        lambda: services.enviar_intento(intento_id=intento.pk, usuario=persona),
        lambda: services.recalificar_pregunta(pregunta=pregunta, realizada_por=None, motivo="c"),
    )
    intento.refresh_from_db()
    assert intento.porcentaje == Decimal("100.00")
    [cambio] = _item(intento, pregunta)["recalificaciones"]
    assert cambio["estado_intento"] == "calificado"
    assert (Decimal(cambio["puntos_antes"]), Decimal(cambio["puntos_despues"])) == (0, 1)
    assert Recalificacion.objects.get().intentos_revisados == 1
