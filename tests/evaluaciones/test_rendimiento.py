"""The submit and autosave paths stay cheap: fixed queries, only changed answers written."""

import threading
from decimal import Decimal

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluaciones import services
from evaluaciones.models import Intento, Pregunta, Respuesta
from tests.factories import OpcionPreguntaFactory, PreguntaFactory, UsuarioFactory
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.factories.evaluaciones_cursos import iniciar

pytestmark = pytest.mark.django_db


@pytest.fixture
def persona(client):
    usuario = UsuarioFactory()
    client.force_login(usuario)
    return usuario


def _opcion(pregunta, i):
    return str(pregunta.opciones.order_by("sort_order")[i].pk)


def _escrituras_de_respuestas(capturadas):
    return [
        q["sql"]
        for q in capturadas
        if '"evaluaciones_respuesta"' in q["sql"]
        and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def _autoguardar(client, intento, preguntas, elegir):
    url = reverse("evaluaciones:guardar", args=[intento.pk])
    formulario = {"accion": "enviar"}
    for pregunta in preguntas:
        opcion = elegir(pregunta)
        respuesta = client.post(url, {"pregunta": f"p{pregunta.pk}", f"p-p{pregunta.pk}": opcion})
        assert respuesta.status_code == 200
        formulario[f"p-p{pregunta.pk}"] = opcion
        formulario[f"v-p{pregunta.pk}"] = str(respuesta.json()["version"])
    return formulario


@pytest.mark.parametrize("n", [5, 50])
def test_envio_de_lo_ya_guardado_no_reescribe_respuestas(client, persona, n):
    """The deadline burst: every answer was autosaved; the submit only scores and closes."""
    preguntas = [pregunta_con_opciones() for _ in range(n)]
    evaluacion = evaluacion_con(*preguntas)
    intento = iniciar(evaluacion, persona)
    formulario = _autoguardar(client, intento, preguntas, lambda p: _opcion(p, 1))
    antes = {r.clave: (r.version, r.guardada_en) for r in Respuesta.objects.all()}
    with CaptureQueriesContext(connection) as capturadas:
        respuesta = client.post(reverse("evaluaciones:enviar", args=[intento.pk]), formulario)
    assert respuesta.status_code == 302
    assert _escrituras_de_respuestas(capturadas.captured_queries) == []
    assert {r.clave: (r.version, r.guardada_en) for r in Respuesta.objects.all()} == antes
    intento.refresh_from_db()
    assert intento.estado == Intento.Estado.CALIFICADO
    assert intento.porcentaje == Decimal("100.00")
    assert intento.calificado_en == intento.enviado_en
    assert all(r.puntos == Decimal("1.00") for r in Respuesta.objects.all())


def test_envio_escribe_solo_las_respuestas_que_cambiaron(client, persona):
    preguntas = [pregunta_con_opciones() for _ in range(4)]
    evaluacion = evaluacion_con(*preguntas)
    intento = iniciar(evaluacion, persona)
    formulario = _autoguardar(client, intento, preguntas, lambda p: _opcion(p, 1))
    cambiada = preguntas[0]
    formulario[f"p-p{cambiada.pk}"] = _opcion(cambiada, 0)
    with CaptureQueriesContext(connection) as capturadas:
        client.post(reverse("evaluaciones:enviar", args=[intento.pk]), formulario)
    escrituras = _escrituras_de_respuestas(capturadas.captured_queries)
    assert len(escrituras) == 1
    guardadas = {r.clave: r for r in Respuesta.objects.all()}
    assert guardadas[f"p{cambiada.pk}"].version == 2
    assert guardadas[f"p{cambiada.pk}"].valor == _opcion(cambiada, 0)
    assert guardadas[f"p{cambiada.pk}"].puntos == Decimal("0.00")
    assert {r.version for c, r in guardadas.items() if c != f"p{cambiada.pk}"} == {1}
    intento.refresh_from_db()
    assert intento.puntaje == Decimal(3)
    assert intento.porcentaje == Decimal("75.00")


def test_envio_con_respuestas_que_no_se_autoguardaron(client, persona):
    """Without JavaScript nothing was saved before: the submit inserts and scores all."""
    preguntas = [pregunta_con_opciones() for _ in range(3)]
    evaluacion = evaluacion_con(*preguntas)
    intento = iniciar(evaluacion, persona)
    formulario = {f"p-p{p.pk}": _opcion(p, 1) for p in preguntas[:2]} | {"accion": "enviar"}
    client.post(reverse("evaluaciones:enviar", args=[intento.pk]), formulario)
    guardadas = {r.clave: r for r in Respuesta.objects.all()}
    assert set(guardadas) == {f"p{p.pk}" for p in preguntas[:2]}
    assert {r.puntos for r in guardadas.values()} == {Decimal("1.00")}
    intento.refresh_from_db()
    assert intento.porcentaje == Decimal("66.67")


def test_pagina_vieja_no_pisa_un_autoguardado_posterior(client, persona):
    """A page that saw version 1 does not overwrite version 2 saved from another device."""
    unica = pregunta_con_opciones()
    intento = iniciar(evaluacion_con(unica), persona)
    formulario = _autoguardar(client, intento, [unica], lambda p: _opcion(p, 0))
    _autoguardar(client, intento, [unica], lambda p: _opcion(p, 1))
    client.post(reverse("evaluaciones:enviar", args=[intento.pk]), formulario)
    respuesta = Respuesta.objects.get()
    assert respuesta.valor == _opcion(unica, 1)
    assert respuesta.version == 2
    intento.refresh_from_db()
    assert intento.porcentaje == Decimal("100.00")


def test_puntos_provisionales_del_autoguardado_se_recalculan_al_enviar(client, persona):
    """Points stored by autosave are a shortcut only: the submit scores everything again."""
    unica = pregunta_con_opciones()
    intento = iniciar(evaluacion_con(unica), persona)
    formulario = _autoguardar(client, intento, [unica], lambda p: _opcion(p, 1))
    Respuesta.objects.update(puntos=Decimal(0))  # stale or tampered provisional points
    client.post(reverse("evaluaciones:enviar", args=[intento.pk]), formulario)
    assert Respuesta.objects.get().puntos == Decimal("1.00")
    intento.refresh_from_db()
    assert intento.porcentaje == Decimal("100.00")


def test_autoguardado_no_devuelve_puntos(client, persona):
    unica = pregunta_con_opciones()
    intento = iniciar(evaluacion_con(unica), persona)
    respuesta = client.post(
        reverse("evaluaciones:guardar", args=[intento.pk]),
        {"pregunta": f"p{unica.pk}", f"p-p{unica.pk}": _opcion(unica, 1)},
    )
    assert set(respuesta.json()) == {"ok", "version", "guardada_en", "restante"}


def test_ensayo_autoguardado_queda_sin_puntos_para_la_cola(client, persona):
    ensayo = PreguntaFactory(tipo=Pregunta.Tipo.ENSAYO)
    unica = pregunta_con_opciones()
    intento = iniciar(evaluacion_con(ensayo, unica), persona)
    formulario = _autoguardar(client, intento, [unica], lambda p: _opcion(p, 1))
    url = reverse("evaluaciones:guardar", args=[intento.pk])
    client.post(url, {"pregunta": f"p{ensayo.pk}", f"p-p{ensayo.pk}": "Mi ensayo"})
    formulario[f"p-p{ensayo.pk}"] = "Mi ensayo"
    formulario[f"v-p{ensayo.pk}"] = "1"
    client.post(reverse("evaluaciones:enviar", args=[intento.pk]), formulario)
    intento.refresh_from_db()
    assert intento.estado == Intento.Estado.POR_CALIFICAR
    assert Respuesta.objects.get(clave=f"p{ensayo.pk}").puntos is None


def test_envio_de_intento_ajeno_es_404_y_no_cambia_nada(client, persona):
    unica = pregunta_con_opciones()
    ajeno = iniciar(evaluacion_con(unica), UsuarioFactory())
    respuesta = client.post(
        reverse("evaluaciones:enviar", args=[ajeno.pk]),
        {f"p-p{unica.pk}": _opcion(unica, 1), "accion": "enviar"},
    )
    assert respuesta.status_code == 404
    assert not Respuesta.objects.exists()
    ajeno.refresh_from_db()
    assert ajeno.estado == Intento.Estado.EN_CURSO


def test_csv_de_respuestas_no_incluye_intentos_en_curso(client, persona):
    """Provisional points of an attempt in progress never reach the exports."""
    unica = pregunta_con_opciones()
    evaluacion = evaluacion_con(unica)
    intento = iniciar(evaluacion, persona)
    _autoguardar(client, intento, [unica], lambda p: _opcion(p, 1))
    assert Respuesta.objects.get().puntos == Decimal("1.00")
    client.force_login(UsuarioFactory(is_superuser=True, is_staff=True))
    filas = b"".join(
        client.get(reverse("evaluaciones:respuestas_csv", args=[evaluacion.pk])).streaming_content
    ).decode()
    assert len(filas.strip().splitlines()) == 1


def test_relacionar_y_multiple_se_puntuan_igual_al_guardar_y_al_enviar(client, persona):
    multiple = pregunta_con_opciones(
        tipo=Pregunta.Tipo.OPCION_MULTIPLE, correctas=(True, True, False)
    )
    relacionar = PreguntaFactory(tipo=Pregunta.Tipo.RELACIONAR)
    for i, (premisa, pareja) in enumerate([("Uno", "A"), ("Dos", "B")]):
        OpcionPreguntaFactory(pregunta=relacionar, texto=premisa, pareja=pareja, sort_order=i)
    intento = iniciar(evaluacion_con(multiple, relacionar), persona)
    item = {i["clave"]: i for i in intento.instantanea["preguntas"]}[f"p{relacionar.pk}"]
    parejas = {p["texto"]: p["id"] for p in item["vista"]["parejas"]}
    premisas = {o["texto"]: o["id"] for o in item["vista"]["opciones"]}
    url = reverse("evaluaciones:guardar", args=[intento.pk])
    datos_multiple = {f"p-p{multiple.pk}": [_opcion(multiple, 0)]}
    datos_relacionar = {
        f"p-p{relacionar.pk}-{premisas['Uno']}": parejas["A"],
        f"p-p{relacionar.pk}-{premisas['Dos']}": parejas["A"],
    }
    client.post(url, {"pregunta": f"p{multiple.pk}", **datos_multiple})
    client.post(url, {"pregunta": f"p{relacionar.pk}", **datos_relacionar})
    provisionales = {r.clave: r.puntos for r in Respuesta.objects.all()}
    formulario = {**datos_multiple, **datos_relacionar, "accion": "enviar"}
    formulario |= {f"v-p{multiple.pk}": "1", f"v-p{relacionar.pk}": "1"}
    with CaptureQueriesContext(connection) as capturadas:
        client.post(reverse("evaluaciones:enviar", args=[intento.pk]), formulario)
    assert _escrituras_de_respuestas(capturadas.captured_queries) == []
    assert {r.clave: r.puntos for r in Respuesta.objects.all()} == provisionales
    intento.refresh_from_db()
    assert intento.estado == Intento.Estado.CALIFICADO
    assert intento.puntaje == sum(provisionales.values())


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks")
def test_autoguardados_concurrentes_de_una_pregunta_dejan_una_fila():
    """Without get_or_create, the attempt's row lock is what keeps one row per question."""
    persona = UsuarioFactory()
    unica = pregunta_con_opciones()
    intento = iniciar(evaluacion_con(unica), persona)
    opcion = _opcion(unica, 1)
    hilos_n = 4
    barrera = threading.Barrier(hilos_n)
    errores = []

    def correr():
        barrera.wait()
        try:
            services.guardar_respuesta(
                intento_id=intento.pk,
                usuario=persona,
                clave=f"p{unica.pk}",
                datos={f"p-p{unica.pk}": [opcion]},
            )
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errores.append(error)
        finally:
            connection.close()

    hilos = [threading.Thread(target=correr) for _ in range(hilos_n)]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()
    assert errores == []
    respuesta = Respuesta.objects.get()
    assert respuesta.version == hilos_n
    assert respuesta.puntos == Decimal("1.00")


@pytest.mark.parametrize("n", [5, 50])
@pytest.mark.parametrize("autoguardado", [True, False])
def test_guardar_y_enviar_con_consultas_fijas(
    client, persona, django_assert_max_num_queries, n, autoguardado
):
    """Session, user, the locked attempt, the answers, one write each: whatever `n` is.

    (The test client keeps sessions in the database; production reads them from Redis.)
    """
    preguntas = [pregunta_con_opciones() for _ in range(n)]
    intento = iniciar(evaluacion_con(*preguntas), persona)
    primera = preguntas[0]
    with django_assert_max_num_queries(8):
        client.post(
            reverse("evaluaciones:guardar", args=[intento.pk]),
            {"pregunta": f"p{primera.pk}", f"p-p{primera.pk}": _opcion(primera, 1)},
        )
    if autoguardado:
        formulario = _autoguardar(client, intento, preguntas, lambda p: _opcion(p, 1))
    else:
        formulario = {f"p-p{p.pk}": _opcion(p, 1) for p in preguntas} | {"accion": "enviar"}
    with django_assert_max_num_queries(8 if autoguardado else 9):
        client.post(reverse("evaluaciones:enviar", args=[intento.pk]), formulario)
    intento.refresh_from_db()
    assert intento.porcentaje == Decimal("100.00")
    assert Respuesta.objects.count() == n
