"""Races that only a real database with row locks can show: concurrent starts and submits."""

import threading

import pytest

from django.db import connection

from evaluaciones import services
from evaluaciones.models import Intento
from evaluaciones.signals import resultado_evaluacion_cambiado
from tests.factories import UsuarioFactory
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.factories.evaluaciones_cursos import iniciar, inscribir_para

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks"),
]

HILOS = 4


def _en_paralelo(funcion):
    barrera = threading.Barrier(HILOS)
    resultados = []

    def correr():
        barrera.wait()
        try:
            resultados.append(funcion())
        except services.ErrorEvaluacion as error:
            resultados.append(error)
        finally:
            connection.close()

    hilos = [threading.Thread(target=correr) for _ in range(HILOS)]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()
    return resultados


def test_inicios_concurrentes_no_pasan_del_limite():
    persona = UsuarioFactory()
    evaluacion = evaluacion_con(pregunta_con_opciones(), intentos_permitidos=1)
    inscribir_para(evaluacion, persona)
    resultados = _en_paralelo(
        lambda: services.iniciar_intento(evaluacion=evaluacion, usuario=persona).pk
    )
    assert Intento.objects.count() == 1
    unico = Intento.objects.get().pk
    assert all(r == unico for r in resultados if not isinstance(r, Exception))


def test_envios_concurrentes_califican_una_vez():
    persona = UsuarioFactory()
    pregunta = pregunta_con_opciones()
    evaluacion = evaluacion_con(pregunta)
    intento = iniciar(evaluacion, persona)
    opcion = str(pregunta.opciones.get(correcta=True).pk)
    recibidas = []

    def receptor(sender, usuario_id, evaluacion_id, **kwargs):
        recibidas.append((usuario_id, evaluacion_id))

    resultado_evaluacion_cambiado.connect(receptor)
    try:
        resultados = _en_paralelo(
            lambda: services.enviar_intento(
                intento_id=intento.pk, usuario=persona, datos={f"p-p{pregunta.pk}": [opcion]}
            )
        )
    finally:
        resultado_evaluacion_cambiado.disconnect(receptor)
    assert sum(1 for r in resultados if not r.ya_enviado) == 1
    assert recibidas == [(persona.pk, evaluacion.pk)]
    intento.refresh_from_db()
    assert intento.estado == Intento.Estado.CALIFICADO
