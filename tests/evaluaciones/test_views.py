"""Participant screens through the real URLs: start, attempt, autosave, submit, review."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.urls import reverse
from django.utils import timezone

from evaluaciones import services
from evaluaciones.models import Intento, Momento, OpcionPregunta, Pregunta, Respuesta
from tests.factories import OpcionPreguntaFactory, PreguntaFactory, UsuarioFactory
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.factories.evaluaciones_cursos import iniciar, inscribir_para

pytestmark = pytest.mark.django_db


def _todas_las_clases():
    """One question of every type, with recognisable feedback and keys."""
    unica = pregunta_con_opciones(correctas=(False, True, False), retroalimentacion="RETRO-GENERAL")
    multiple = pregunta_con_opciones(
        tipo=Pregunta.Tipo.OPCION_MULTIPLE, correctas=(True, True, False)
    )
    vf = PreguntaFactory(tipo=Pregunta.Tipo.VERDADERO_FALSO, es_verdadera=True)
    corta = PreguntaFactory(tipo=Pregunta.Tipo.RESPUESTA_CORTA)
    OpcionPreguntaFactory(pregunta=corta, texto="RESPUESTA-ACEPTADA-SECRETA", correcta=True)
    numerica = PreguntaFactory(tipo=Pregunta.Tipo.NUMERICA)
    OpcionPreguntaFactory(pregunta=numerica, texto="987654", correcta=True)
    relacionar = PreguntaFactory(tipo=Pregunta.Tipo.RELACIONAR)
    for i, (premisa, pareja) in enumerate([("Uno", "A"), ("Dos", "B"), ("", "Distractor")]):
        OpcionPreguntaFactory(pregunta=relacionar, texto=premisa, pareja=pareja, sort_order=i)
    ordenar = PreguntaFactory(tipo=Pregunta.Tipo.ORDENAR)
    for i, texto in enumerate(["Primero", "Segundo", "Tercero"]):
        OpcionPreguntaFactory(pregunta=ordenar, texto=texto, sort_order=i)
    ensayo = PreguntaFactory(tipo=Pregunta.Tipo.ENSAYO)
    entregable = PreguntaFactory(tipo=Pregunta.Tipo.ENTREGABLE, extensiones_permitidas="pdf")
    return [unica, multiple, vf, corta, numerica, relacionar, ordenar, ensayo, entregable]


@pytest.fixture
def persona(client):
    usuario = UsuarioFactory()
    client.force_login(usuario)
    return usuario


def test_pagina_de_inicio_muestra_intentos_y_limite(client, persona):
    evaluacion = evaluacion_con(pregunta_con_opciones(), intentos_permitidos=3, limite_minutos=20)
    inscribir_para(evaluacion, persona)
    respuesta = client.get(reverse("evaluaciones:detalle", args=[evaluacion.pk]))
    html = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert "0 de 3 usados" in html
    assert "20 minutos" in html


def test_evaluacion_no_publicada_es_404_y_anonimo_va_al_login(client, persona):
    borrador = evaluacion_con(pregunta_con_opciones(), publicada=False)
    inscribir_para(borrador, persona)  # refused for being a draft, not for lack of enrolment
    assert client.get(reverse("evaluaciones:detalle", args=[borrador.pk])).status_code == 404
    client.logout()
    publicada = evaluacion_con(pregunta_con_opciones())
    respuesta = client.get(reverse("evaluaciones:detalle", args=[publicada.pk]))
    assert respuesta.status_code == 302
    assert "/cuentas/" in respuesta.url


def test_la_pagina_del_intento_no_contiene_claves_ni_retroalimentacion(client, persona):
    preguntas = _todas_las_clases()
    evaluacion = evaluacion_con(*preguntas)
    inscribir_para(evaluacion, persona)
    respuesta = client.post(reverse("evaluaciones:iniciar", args=[evaluacion.pk]))
    intento = Intento.objects.get()
    assert respuesta.url == reverse("evaluaciones:intento", args=[intento.pk])
    html = client.get(respuesta.url).content.decode()
    for pregunta in preguntas:
        assert f'id="pregunta-p{pregunta.pk}"' in html
    for secreto in ("Retro secreta", "RETRO-GENERAL", "RESPUESTA-ACEPTADA-SECRETA", "987654"):
        assert secreto not in html
    for marcador in ("fraccion", "clave_correcta", "1/1", "Retroalimentación"):
        assert marcador not in html
    assert not re.search(r"\bcorrectas?\b", html, re.IGNORECASE)
    # Ordering shows its items, but never in the right order.
    mostrados = sorted(["Primero", "Segundo", "Tercero"], key=html.index)
    assert mostrados != ["Primero", "Segundo", "Tercero"]
    assert "draggable" not in html
    assert "Distractor" in html


def test_intento_ajeno_es_404(client, persona):
    evaluacion = evaluacion_con(pregunta_con_opciones())
    ajeno = iniciar(evaluacion, UsuarioFactory())
    for nombre in ("intento", "resultado"):
        assert client.get(reverse(f"evaluaciones:{nombre}", args=[ajeno.pk])).status_code == 404
    assert client.post(reverse("evaluaciones:enviar", args=[ajeno.pk])).status_code == 404


def _opcion(pregunta, i):
    return str(pregunta.opciones.order_by("sort_order")[i].pk)


def test_autosave_por_fetch_guarda_y_responde_json(client, persona):
    unica = pregunta_con_opciones()
    evaluacion = evaluacion_con(unica, limite_minutos=30)
    intento = iniciar(evaluacion, persona)
    url = reverse("evaluaciones:guardar", args=[intento.pk])
    ok = client.post(url, {"pregunta": f"p{unica.pk}", f"p-p{unica.pk}": _opcion(unica, 1)})
    assert ok.status_code == 200
    datos = ok.json()
    assert datos["ok"] is True
    assert datos["version"] == 1
    assert 0 < datos["restante"] <= 30 * 60
    mala = client.post(url, {"pregunta": f"p{unica.pk}", f"p-p{unica.pk}": "999999"})
    assert mala.status_code == 409
    assert "no pertenece" in mala.json()["mensaje"]
    assert Respuesta.objects.get().valor == _opcion(unica, 1)


def test_envio_sin_javascript_y_reenvio_de_pagina_vieja(client, persona):
    unica = pregunta_con_opciones()
    evaluacion = evaluacion_con(unica, revision_puntaje=Momento.AL_ENVIAR)
    intento = iniciar(evaluacion, persona)
    url = reverse("evaluaciones:enviar", args=[intento.pk])
    datos = {f"p-p{unica.pk}": _opcion(unica, 1), f"v-p{unica.pk}": "0", "accion": "enviar"}
    respuesta = client.post(url, datos, follow=True)
    assert respuesta.redirect_chain[-1][0] == reverse("evaluaciones:resultado", args=[intento.pk])
    assert "Calificación: 100 %" in respuesta.content.decode()
    datos[f"p-p{unica.pk}"] = _opcion(unica, 0)
    otra = client.post(url, datos, follow=True)
    assert "ya se había enviado" in otra.content.decode()
    intento.refresh_from_db()
    assert intento.porcentaje == Decimal("100.00")


def test_guardar_sin_enviar(client, persona):
    corta = PreguntaFactory(tipo=Pregunta.Tipo.RESPUESTA_CORTA)
    intento = iniciar(evaluacion_con(corta), persona)
    respuesta = client.post(
        reverse("evaluaciones:enviar", args=[intento.pk]),
        {f"p-p{corta.pk}": "  mi respuesta ", "accion": "guardar"},
        follow=True,
    )
    assert "Sus respuestas se guardaron" in respuesta.content.decode()
    assert 'value="mi respuesta"' in respuesta.content.decode()
    intento.refresh_from_db()
    assert intento.estado == Intento.Estado.EN_CURSO


def test_envio_despues_del_plazo_avisa_y_no_guarda_lo_nuevo(client, persona):
    unica = pregunta_con_opciones()
    evaluacion = evaluacion_con(unica, limite_minutos=5)
    inicio = timezone.now() - datetime.timedelta(minutes=6)
    intento = iniciar(evaluacion, persona, ahora=inicio)
    respuesta = client.post(
        reverse("evaluaciones:enviar", args=[intento.pk]),
        {f"p-p{unica.pk}": _opcion(unica, 1), "accion": "enviar"},
        follow=True,
    )
    assert "El tiempo terminó" in respuesta.content.decode()
    assert not Respuesta.objects.exists()
    intento.refresh_from_db()
    assert intento.estado == Intento.Estado.ABANDONADO


def test_ensayo_de_20_mb_se_rechaza_con_mensaje(client, persona):
    ensayo = PreguntaFactory(tipo=Pregunta.Tipo.ENSAYO)
    intento = iniciar(evaluacion_con(ensayo), persona)
    enorme = "a" * (20 * 1024 * 1024)
    respuesta = client.post(
        reverse("evaluaciones:guardar", args=[intento.pk]),
        {"pregunta": f"p{ensayo.pk}", f"p-p{ensayo.pk}": enorme},
    )
    assert respuesta.status_code == 413
    assert "demasiado grande" in respuesta.json()["mensaje"]
    assert not Respuesta.objects.exists()


def test_version_mal_formada_no_cambia_nada(client, persona):
    unica = pregunta_con_opciones()
    intento = iniciar(evaluacion_con(unica), persona)
    respuesta = client.post(
        reverse("evaluaciones:enviar", args=[intento.pk]),
        {f"p-p{unica.pk}": _opcion(unica, 1), f"v-p{unica.pk}": "x", "accion": "enviar"},
        follow=True,
    )
    assert "mal formada" in respuesta.content.decode()
    intento.refresh_from_db()
    assert intento.estado == Intento.Estado.EN_CURSO
    assert not Respuesta.objects.exists()


@pytest.mark.parametrize(
    ("correctas", "retro", "ve_clave", "ve_retro"),
    [
        (Momento.AL_ENVIAR, Momento.AL_ENVIAR, True, True),
        (Momento.NUNCA, Momento.NUNCA, False, False),
        (Momento.AL_CIERRE, Momento.AL_CIERRE, False, False),
    ],
)
def test_revision_respeta_las_opciones(client, persona, correctas, retro, ve_clave, ve_retro):
    unica = pregunta_con_opciones(correctas=(False, True), retroalimentacion="RETRO-GENERAL")
    texto_correcta = unica.opciones.get(correcta=True).texto
    evaluacion = evaluacion_con(
        unica,
        revision_correctas=correctas,
        revision_retroalimentacion=retro,
        revision_respuestas=Momento.AL_ENVIAR,
        cierra_en=timezone.now() + datetime.timedelta(days=1),
    )
    intento = iniciar(evaluacion, persona)
    services.enviar_intento(
        intento_id=intento.pk, usuario=persona, datos={f"p-p{unica.pk}": [_opcion(unica, 0)]}
    )
    html = client.get(reverse("evaluaciones:resultado", args=[intento.pk])).content.decode()
    assert ("Respuesta correcta" in html and texto_correcta in html) == ve_clave
    assert ("RETRO-GENERAL" in html) == ve_retro


def test_revision_al_cierre_espera_la_ultima_prorroga(client, persona):
    unica = pregunta_con_opciones(correctas=(False, True))
    ahora = timezone.now()
    evaluacion = evaluacion_con(
        unica,
        revision_correctas=Momento.AL_CIERRE,
        abre_en=ahora - datetime.timedelta(days=3),
        cierra_en=ahora + datetime.timedelta(minutes=30),
    )
    intento = iniciar(evaluacion, persona)
    services.enviar_intento(intento_id=intento.pk, usuario=persona)
    Intento.objects.filter(pk=intento.pk).update()
    evaluacion.cierra_en = ahora - datetime.timedelta(minutes=1)
    evaluacion.save()
    services.conceder_excepcion(
        evaluacion=evaluacion,
        usuario=UsuarioFactory(),
        otorgada_por=None,
        cierra_en=ahora + datetime.timedelta(days=1),
    )
    html = client.get(reverse("evaluaciones:resultado", args=[intento.pk])).content.decode()
    assert "Respuesta correcta" not in html


# --- Query counts ---------------------------------------------------------------


def _evaluacion_de(n):
    preguntas = [pregunta_con_opciones() for _ in range(n)]
    return preguntas, evaluacion_con(*preguntas)


@pytest.mark.parametrize("n", [5, 50])
def test_consultas_fijas_sin_importar_el_numero_de_preguntas(
    client, persona, django_assert_max_num_queries, n
):
    preguntas, evaluacion = _evaluacion_de(n)
    intento = iniciar(evaluacion, persona)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("evaluaciones:intento", args=[intento.pk])).status_code == 200
    primera = preguntas[0]
    datos = {f"p-p{p.pk}": _opcion(p, 1) for p in preguntas}
    datos["accion"] = "enviar"
    with django_assert_max_num_queries(10):
        client.post(
            reverse("evaluaciones:guardar", args=[intento.pk]),
            {"pregunta": f"p{primera.pk}", f"p-p{primera.pk}": datos[f"p-p{primera.pk}"]},
        )
    with django_assert_max_num_queries(14):
        client.post(reverse("evaluaciones:enviar", args=[intento.pk]), datos)
    intento.refresh_from_db()
    assert intento.porcentaje == Decimal("100.00")


# --- Garbage --------------------------------------------------------------------

nombres = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["p-", "p-p", "p-p0", "v-", "accion", "pregunta"]),
    st.builds(lambda a, b: f"p-{a}-{b}", st.text(max_size=6), st.text(max_size=6)),
)
valores = st.one_of(st.text(max_size=30), st.integers().map(str), st.just(""))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(basura=st.dictionaries(nombres, st.lists(valores, max_size=3), max_size=8))
def test_envio_con_basura_nunca_falla_ni_guarda_datos_invalidos(client, persona, basura):
    Intento.objects.all().delete()
    preguntas = _preguntas_basura()
    evaluacion = evaluacion_con(*preguntas, intentos_permitidos=0)
    intento = iniciar(evaluacion, persona)
    claves = {f"p{p.pk}" for p in preguntas}
    basura = {k: v for k, v in basura.items() if "\x00" not in k}
    for k in list(basura):
        basura[k] = [v.replace("\x00", "") for v in basura[k]]
    respuesta = client.post(reverse("evaluaciones:enviar", args=[intento.pk]), basura)
    assert respuesta.status_code in (302, 400)
    for guardada in Respuesta.objects.filter(intento=intento):
        assert guardada.clave in claves
    intento.refresh_from_db()
    if intento.estado != Intento.Estado.EN_CURSO:
        assert intento.porcentaje is not None
        assert Decimal(0) <= intento.porcentaje <= Decimal(100)


_CACHE = {}


def _preguntas_basura():
    if (
        "preguntas" not in _CACHE
        or not Pregunta.objects.filter(pk=_CACHE["preguntas"][0].pk).exists()
    ):
        unica = pregunta_con_opciones()
        multiple = pregunta_con_opciones(tipo=Pregunta.Tipo.OPCION_MULTIPLE)
        numerica = PreguntaFactory(tipo=Pregunta.Tipo.NUMERICA)
        OpcionPreguntaFactory(pregunta=numerica, texto="1", correcta=True)
        _CACHE["preguntas"] = [unica, multiple, numerica]
    return _CACHE["preguntas"]


def test_opciones_no_se_filtran_en_json_de_autosave(client, persona):
    unica = pregunta_con_opciones(correctas=(True, False))
    intento = iniciar(evaluacion_con(unica), persona)
    respuesta = client.post(
        reverse("evaluaciones:guardar", args=[intento.pk]),
        {"pregunta": f"p{unica.pk}", f"p-p{unica.pk}": _opcion(unica, 1)},
    )
    assert set(json.loads(respuesta.content)) == {"ok", "version", "guardada_en", "restante"}
    assert OpcionPregunta.objects.count() == 2
