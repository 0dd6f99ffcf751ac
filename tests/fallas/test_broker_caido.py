"""The broker (a Redis of the test's own) killed while participants submit and courses complete.

Submitting scores in the request itself: a dead broker must not make anyone wait or lose
a grade. Passing the evaluation completes the course, whose constancia is normally queued
(`emitir_constancia_task`); with the broker down that message is lost (`_encolar` logs and
goes on). When the broker is back, the periodic sweep (`emitir_constancias_pendientes_task`,
scheduled by celery beat every 15 minutes) issues it: the test sends the sweep through the
restarted broker, as beat would, to a real worker.
"""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from django.test import Client
from django.urls import reverse

from constancias.models import Constancia
from cursos.models import FasePage, Inscripcion
from evaluaciones import services
from evaluaciones.models import Intento, Momento
from tests.factories import InscripcionFactory, UsuarioFactory
from tests.factories.constancias import ReglaConstanciaFactory, curso_completable
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.fallas.conftest import broker_de_la_app, enviar_tarea, esperar, iniciar_worker

pytestmark = [pytest.mark.fallas, pytest.mark.django_db(transaction=True)]

PERSONAS = 4
# The publish retries against a refused connection take about a second; grading must
# never wait for a broker timeout.
SEGUNDOS_MAXIMOS_POR_ENVIO = 10


def test_broker_caido_no_detiene_calificacion_y_el_barrido_emite_al_volver(
    procesos, redis_propio, base_compartida, tmp_path, caplog
):
    pregunta = pregunta_con_opciones()
    edicion = curso_completable()
    # The course owns its evaluation: its enrolled participants may take it.
    evaluacion = evaluacion_con(pregunta, revision_puntaje=Momento.AL_ENVIAR, curso=edicion.curso)
    fase = FasePage.objects.child_of(edicion.curso).get()
    fase.evaluacion = evaluacion
    fase.save()
    ReglaConstanciaFactory(edicion=edicion)
    correcta = str(pregunta.opciones.get(correcta=True).pk)
    personas = [UsuarioFactory() for _i in range(PERSONAS)]
    for persona in personas:
        InscripcionFactory(edicion=edicion, usuario=persona)
    intentos = [services.iniciar_intento(evaluacion=evaluacion, usuario=p) for p in personas]

    with broker_de_la_app(redis_propio.url):
        redis_propio.tirar()
        for persona, intento in zip(personas, intentos, strict=True):
            cliente = Client()
            cliente.force_login(persona)
            inicio = time.monotonic()
            respuesta = cliente.post(
                reverse("evaluaciones:enviar", args=[intento.pk]),
                {f"p-p{pregunta.pk}": correcta, f"v-p{pregunta.pk}": "0", "accion": "enviar"},
            )
            tardo = time.monotonic() - inicio
            assert respuesta.status_code == 302, respuesta.content[:500]
            assert respuesta.url == reverse("evaluaciones:resultado", args=[intento.pk])
            assert tardo < SEGUNDOS_MAXIMOS_POR_ENVIO, f"El envío esperó al broker {tardo:.1f} s"

    for intento in intentos:
        intento.refresh_from_db()
        assert intento.estado == Intento.Estado.CALIFICADO
        assert intento.porcentaje == Decimal("100.00")
    completadas = Inscripcion.objects.filter(edicion=edicion, completada_en__isnull=False)
    assert completadas.count() == PERSONAS
    assert not Constancia.objects.exists(), "Sin broker no hay quien emita"
    assert "No se pudo encolar la emisión" in caplog.text

    redis_propio.iniciar()
    datos = tmp_path / "datos"
    datos.mkdir()
    base_compartida.publicar()
    worker = iniciar_worker(procesos, base=base_compartida, broker=redis_propio.url, datos=datos)
    enviar_tarea(redis_propio.url, "constancias.tasks.emitir_constancias_pendientes_task")
    esperar(
        lambda: base_compartida.valor("SELECT COUNT(*) FROM constancias_constancia") >= PERSONAS,
        segundos=45,
        que="que el barrido emita las constancias pendientes",
    )
    # A second sweep (the next beat tick) finds nothing left to do.
    enviar_tarea(redis_propio.url, "constancias.tasks.emitir_constancias_pendientes_task")
    esperar(
        lambda: (
            worker.registro().count("emitir_constancias_pendientes_task") >= 4
            and worker.registro().count("succeeded") >= 2
        ),
        segundos=30,
        que="el segundo barrido",
    )
    worker.detener()
    base_compartida.recoger()
    emitidas = Constancia.objects.filter(edicion=edicion, estado=Constancia.Estado.VIGENTE)
    assert sorted(emitidas.values_list("usuario_id", flat=True)) == sorted(p.pk for p in personas)
