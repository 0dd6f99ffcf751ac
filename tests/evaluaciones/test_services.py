"""Attempt lifecycle: start, autosave, submit, expiry, manual grading, regrade, extras."""

import datetime
from decimal import Decimal

import pytest

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.utils import timezone

from evaluaciones import selectors, services
from evaluaciones.models import Intento, Pregunta, Recalificacion, Respuesta
from evaluaciones.services import ErrorEvaluacion
from evaluaciones.signals import resultado_evaluacion_cambiado
from evaluaciones.tasks import cerrar_intentos_vencidos_task
from tests.factories import (
    CategoriaPreguntaFactory,
    OpcionPreguntaFactory,
    PreguntaFactory,
    SeccionEvaluacionFactory,
    UsuarioFactory,
)
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.factories.evaluaciones_cursos import iniciar

pytestmark = pytest.mark.django_db


class Senales(list):
    """Signals received; `.capturar()` runs the on-commit callbacks of the block it wraps."""

    def __init__(self, capturar):
        super().__init__()
        self._capturar = capturar

    def capturar(self):
        return self._capturar(execute=True)


@pytest.fixture
def senales(django_capture_on_commit_callbacks):
    recibidas = Senales(django_capture_on_commit_callbacks)

    def receptor(sender, usuario_id, evaluacion_id, **kwargs):
        recibidas.append((usuario_id, evaluacion_id))

    resultado_evaluacion_cambiado.connect(receptor)
    yield recibidas
    resultado_evaluacion_cambiado.disconnect(receptor)


@pytest.fixture
def persona():
    return UsuarioFactory()


@pytest.fixture
def dos_preguntas():
    unica = pregunta_con_opciones(correctas=(False, True, False))
    multiple = pregunta_con_opciones(
        tipo=Pregunta.Tipo.OPCION_MULTIPLE, correctas=(True, True, False, False)
    )
    return unica, multiple


def _opcion(pregunta, indice):
    return str(pregunta.opciones.order_by("sort_order")[indice].pk)


def _campos(pregunta, *valores):
    return {f"p-p{pregunta.pk}": list(valores)}


def test_iniciar_intento_congela_preguntas_y_opciones(persona, dos_preguntas):
    unica, multiple = dos_preguntas
    evaluacion = evaluacion_con(unica, multiple)
    intento = iniciar(evaluacion, persona)
    items = intento.instantanea["preguntas"]
    assert [i["clave"] for i in items] == [f"p{unica.pk}", f"p{multiple.pk}"]
    assert {o["id"] for o in items[0]["vista"]["opciones"]} == {
        str(o.pk) for o in unica.opciones.all()
    }
    assert intento.numero == 1
    assert intento.puntaje_maximo == Decimal("2")
    assert set(intento.preguntas.values_list("pk", flat=True)) == {unica.pk, multiple.pk}


def test_iniciar_dos_veces_reanuda_el_mismo_intento(persona, dos_preguntas):
    evaluacion = evaluacion_con(*dos_preguntas)
    primero = iniciar(evaluacion, persona)
    segundo = iniciar(evaluacion, persona)
    assert primero.pk == segundo.pk
    assert Intento.objects.count() == 1


def test_limite_de_intentos(persona, dos_preguntas):
    evaluacion = evaluacion_con(*dos_preguntas, intentos_permitidos=1)
    intento = iniciar(evaluacion, persona)
    services.enviar_intento(intento_id=intento.pk, usuario=persona)
    with pytest.raises(ErrorEvaluacion, match="todos sus intentos"):
        iniciar(evaluacion, persona)
    assert Intento.objects.count() == 1


def test_el_numero_de_intento_es_unico_por_persona(persona, dos_preguntas):
    """Two concurrent starts compute the same number; the database lets only one in."""
    evaluacion = evaluacion_con(*dos_preguntas)
    intento = iniciar(evaluacion, persona)
    services.enviar_intento(intento_id=intento.pk, usuario=persona)
    with pytest.raises(IntegrityError):
        Intento.objects.create(
            evaluacion=evaluacion, usuario=persona, numero=1, iniciado_en=timezone.now()
        )


def test_inicio_concurrente_que_pierde_reanuda_el_ganador(persona, dos_preguntas, monkeypatch):
    evaluacion = evaluacion_con(*dos_preguntas, intentos_permitidos=1)
    ganador = Intento.objects.create(
        evaluacion=evaluacion, usuario=persona, numero=1, iniciado_en=timezone.now()
    )
    # The loser read the state before the winner inserted.
    real = selectors.situacion
    monkeypatch.setattr(
        services.selectors,
        "situacion",
        lambda **kw: real(**kw).__class__(
            intentos=[], usados=0, permitidos=1, en_curso=None, cierre=None, motivo_bloqueo=""
        ),
    )
    monkeypatch.setattr(
        services.Intento.objects,
        "filter",
        _filtro_que_oculta_la_primera_lectura(services.Intento.objects.filter),
    )
    intento = iniciar(evaluacion, persona)
    assert intento.pk == ganador.pk
    assert Intento.objects.count() == 1


def _filtro_que_oculta_la_primera_lectura(filtro):
    llamadas = {"n": 0}

    def envoltura(*args, **kwargs):
        llamadas["n"] += 1
        if llamadas["n"] == 1:
            return filtro(pk__in=[])
        return filtro(*args, **kwargs)

    return envoltura


def test_evaluacion_sin_publicar_o_fuera_de_fechas(persona, dos_preguntas):
    ahora = timezone.now()
    borrador = evaluacion_con(*dos_preguntas, publicada=False)
    with pytest.raises(ErrorEvaluacion, match="no está disponible"):
        iniciar(borrador, persona)
    futura = evaluacion_con(*dos_preguntas, abre_en=ahora + datetime.timedelta(days=1))
    with pytest.raises(ErrorEvaluacion, match="todavía no abre"):
        iniciar(futura, persona)
    cerrada = evaluacion_con(
        *dos_preguntas,
        abre_en=ahora - datetime.timedelta(days=2),
        cierra_en=ahora - datetime.timedelta(days=1),
    )
    with pytest.raises(ErrorEvaluacion, match="ya cerró"):
        iniciar(cerrada, persona)
    assert not Intento.objects.exists()


def test_secciones_aleatorias_sacan_n_preguntas_distintas_de_la_categoria(persona):
    categoria = CategoriaPreguntaFactory()
    banco = [pregunta_con_opciones(categoria=categoria) for _ in range(6)]
    fija = banco[0]
    evaluacion = evaluacion_con(fija)
    SeccionEvaluacionFactory(evaluacion=evaluacion, categoria=categoria, cantidad=3, sort_order=9)
    intento = iniciar(evaluacion, persona)
    ids = [i["pregunta_id"] for i in intento.instantanea["preguntas"]]
    assert len(ids) == 4
    assert len(set(ids)) == 4
    assert ids[0] == fija.pk
    assert set(ids) <= {p.pk for p in banco}


def test_autosave_actualiza_una_sola_fila(persona, dos_preguntas):
    unica, multiple = dos_preguntas
    evaluacion = evaluacion_con(unica, multiple)
    intento = iniciar(evaluacion, persona)
    clave = f"p{unica.pk}"
    services.guardar_respuesta(
        intento_id=intento.pk, usuario=persona, clave=clave, datos=_campos(unica, _opcion(unica, 0))
    )
    respuesta = services.guardar_respuesta(
        intento_id=intento.pk, usuario=persona, clave=clave, datos=_campos(unica, _opcion(unica, 1))
    )
    assert Respuesta.objects.filter(intento=intento).count() == 1
    assert respuesta.valor == _opcion(unica, 1)
    assert respuesta.version == 2


@pytest.mark.parametrize(
    ("caso", "mensaje"),
    [
        ("pregunta_ajena", "no forma parte"),
        ("opcion_ajena", "no pertenece"),
        ("campos_de_otra", "otra pregunta"),
        ("dos_valores", "más de una"),
    ],
)
def test_autosave_rechaza_datos_manipulados(persona, dos_preguntas, caso, mensaje):
    unica, multiple = dos_preguntas
    otra = pregunta_con_opciones()
    evaluacion = evaluacion_con(unica, multiple)
    intento = iniciar(evaluacion, persona)
    clave = f"p{unica.pk}"
    datos = _campos(unica, _opcion(unica, 1))
    if caso == "pregunta_ajena":
        clave, datos = f"p{otra.pk}", _campos(otra, _opcion(otra, 1))
    elif caso == "opcion_ajena":
        datos = _campos(unica, _opcion(multiple, 0))
    elif caso == "campos_de_otra":
        datos = {**datos, **_campos(multiple, _opcion(multiple, 0))}
    elif caso == "dos_valores":
        datos = _campos(unica, _opcion(unica, 0), _opcion(unica, 1))
    with pytest.raises(ErrorEvaluacion, match=mensaje):
        services.guardar_respuesta(intento_id=intento.pk, usuario=persona, clave=clave, datos=datos)
    assert not Respuesta.objects.exists()


def test_autosave_despues_del_vencimiento_se_rechaza(persona, dos_preguntas):
    unica, _multiple = dos_preguntas
    evaluacion = evaluacion_con(*dos_preguntas, limite_minutos=10)
    intento = iniciar(evaluacion, persona)
    tarde = intento.vence_en + datetime.timedelta(seconds=1)
    with pytest.raises(ErrorEvaluacion, match="tiempo terminó"):
        services.guardar_respuesta(
            intento_id=intento.pk,
            usuario=persona,
            clave=f"p{unica.pk}",
            datos=_campos(unica, _opcion(unica, 1)),
            ahora=tarde,
        )
    assert not Respuesta.objects.exists()


def test_otra_persona_no_puede_guardar_en_mi_intento(persona, dos_preguntas):
    unica, _ = dos_preguntas
    intento = iniciar(evaluacion_con(*dos_preguntas), persona)
    with pytest.raises(ErrorEvaluacion, match="No se encontró"):
        services.guardar_respuesta(
            intento_id=intento.pk,
            usuario=UsuarioFactory(),
            clave=f"p{unica.pk}",
            datos=_campos(unica, _opcion(unica, 1)),
        )


def test_enviar_califica_con_credito_parcial(persona, dos_preguntas, senales):
    unica, multiple = dos_preguntas
    evaluacion = evaluacion_con(unica, multiple)
    intento = iniciar(evaluacion, persona)
    datos = {**_campos(unica, _opcion(unica, 1)), **_campos(multiple, _opcion(multiple, 0))}
    with senales.capturar():
        resultado = services.enviar_intento(intento_id=intento.pk, usuario=persona, datos=datos)
    intento = resultado.intento
    assert intento.estado == Intento.Estado.CALIFICADO
    assert intento.puntaje == Decimal("1.50")
    assert intento.porcentaje == Decimal("75.00")
    assert senales == [(persona.pk, evaluacion.pk)]


def test_doble_envio_califica_una_vez(persona, dos_preguntas, senales):
    unica, multiple = dos_preguntas
    evaluacion = evaluacion_con(unica, multiple)
    intento = iniciar(evaluacion, persona)
    with senales.capturar():
        primero = services.enviar_intento(
            intento_id=intento.pk, usuario=persona, datos=_campos(unica, _opcion(unica, 1))
        )
        segundo = services.enviar_intento(
            intento_id=intento.pk, usuario=persona, datos=_campos(unica, _opcion(unica, 0))
        )
    assert segundo.ya_enviado
    intento.refresh_from_db()
    assert intento.porcentaje == primero.intento.porcentaje == Decimal("50.00")
    assert intento.enviado_en == primero.intento.enviado_en
    assert Respuesta.objects.get(intento=intento).valor == _opcion(unica, 1)
    assert senales == [(persona.pk, evaluacion.pk)]


def test_editar_la_pregunta_no_cambia_un_puntaje_pasado(persona, dos_preguntas):
    unica, multiple = dos_preguntas
    evaluacion = evaluacion_con(unica, multiple)
    intento = iniciar(evaluacion, persona)
    services.enviar_intento(
        intento_id=intento.pk, usuario=persona, datos=_campos(unica, _opcion(unica, 1))
    )
    unica.opciones.update(correcta=False)
    unica.puntos = Decimal("10")
    unica.save()
    services.cerrar_intentos_vencidos()
    intento.refresh_from_db()
    assert intento.porcentaje == Decimal("50.00")


def test_envio_tardio_rechaza_lo_nuevo_y_califica_lo_guardado(persona, dos_preguntas):
    unica, multiple = dos_preguntas
    evaluacion = evaluacion_con(unica, multiple, limite_minutos=5)
    intento = iniciar(evaluacion, persona)
    services.guardar_respuesta(
        intento_id=intento.pk,
        usuario=persona,
        clave=f"p{unica.pk}",
        datos=_campos(unica, _opcion(unica, 1)),
    )
    tarde = intento.vence_en + datetime.timedelta(seconds=2)
    resultado = services.enviar_intento(
        intento_id=intento.pk,
        usuario=persona,
        datos={**_campos(unica, _opcion(unica, 0)), **_campos(multiple, _opcion(multiple, 0))},
        ahora=tarde,
    )
    assert resultado.vencido
    intento.refresh_from_db()
    assert intento.porcentaje == Decimal("50.00")
    assert intento.enviado_en == intento.vence_en
    assert list(Respuesta.objects.values_list("clave", flat=True)) == [f"p{unica.pk}"]


def test_pagina_vieja_no_pisa_una_respuesta_mas_reciente(persona, dos_preguntas):
    unica, multiple = dos_preguntas
    intento = iniciar(evaluacion_con(unica, multiple), persona)
    clave = f"p{unica.pk}"
    # Another device answered after this page was rendered (version 0 seen).
    services.guardar_respuesta(
        intento_id=intento.pk, usuario=persona, clave=clave, datos=_campos(unica, _opcion(unica, 1))
    )
    services.enviar_intento(
        intento_id=intento.pk,
        usuario=persona,
        datos=_campos(unica, _opcion(unica, 2)),
        versiones={clave: 0},
    )
    assert Respuesta.objects.get(intento=intento, clave=clave).valor == _opcion(unica, 1)


def test_envio_con_respuesta_invalida_no_se_envia_y_guarda_solo_lo_valido(persona, dos_preguntas):
    unica, multiple = dos_preguntas
    intento = iniciar(evaluacion_con(unica, multiple), persona)
    resultado = services.enviar_intento(
        intento_id=intento.pk,
        usuario=persona,
        datos={
            **_campos(unica, _opcion(unica, 1)),
            **_campos(multiple, _opcion(unica, 0)),
        },
    )
    assert resultado.rechazado
    assert "no pertenece a esta pregunta" in resultado.mensaje
    intento.refresh_from_db()
    assert intento.estado == Intento.Estado.EN_CURSO
    assert list(Respuesta.objects.values_list("clave", "valor")) == [
        (f"p{unica.pk}", _opcion(unica, 1))
    ]


def test_cerrar_vencidos_califica_lo_guardado_y_abandona_lo_vacio(dos_preguntas, senales):
    unica, multiple = dos_preguntas
    evaluacion = evaluacion_con(unica, multiple, limite_minutos=30)
    con_respuesta, sin_respuesta, a_tiempo = UsuarioFactory.create_batch(3)
    inicio = timezone.now() - datetime.timedelta(hours=1)
    a = iniciar(evaluacion, con_respuesta, ahora=inicio)
    b = iniciar(evaluacion, sin_respuesta, ahora=inicio)
    c = iniciar(evaluacion, a_tiempo)
    Respuesta.objects.create(
        intento=a, clave=f"p{unica.pk}", valor=_opcion(unica, 1), guardada_en=inicio
    )
    with senales.capturar():
        assert cerrar_intentos_vencidos_task.apply().get() == 2
    a.refresh_from_db()
    b.refresh_from_db()
    c.refresh_from_db()
    assert (a.estado, a.porcentaje, a.cerrado_por_sistema) == (
        Intento.Estado.CALIFICADO,
        Decimal("50.00"),
        True,
    )
    assert b.estado == Intento.Estado.ABANDONADO
    assert c.estado == Intento.Estado.EN_CURSO
    assert services.cerrar_intentos_vencidos() == 0
    assert sorted(senales) == sorted(
        [(con_respuesta.pk, evaluacion.pk), (sin_respuesta.pk, evaluacion.pk)]
    )


def test_excepcion_extiende_un_intento_en_curso(persona, dos_preguntas):
    evaluacion = evaluacion_con(*dos_preguntas, limite_minutos=10)
    intento = iniciar(evaluacion, persona)
    vence = intento.vence_en
    services.conceder_excepcion(
        evaluacion=evaluacion, usuario=persona, otorgada_por=None, minutos_extra=15
    )
    intento.refresh_from_db()
    assert intento.vence_en == vence + datetime.timedelta(minutes=15)


def test_excepcion_da_intentos_extra_y_cierre_posterior(persona, dos_preguntas):
    ahora = timezone.now()
    evaluacion = evaluacion_con(
        *dos_preguntas, intentos_permitidos=1, cierra_en=ahora + datetime.timedelta(hours=1)
    )
    intento = iniciar(evaluacion, persona)
    services.enviar_intento(intento_id=intento.pk, usuario=persona)
    services.conceder_excepcion(
        evaluacion=evaluacion,
        usuario=persona,
        otorgada_por=None,
        intentos_extra=1,
        cierra_en=ahora + datetime.timedelta(days=2),
    )
    despues = ahora + datetime.timedelta(days=1)
    segundo = iniciar(evaluacion, persona, ahora=despues)
    assert segundo.numero == 2
    assert segundo.vence_en == ahora + datetime.timedelta(days=2)


def _ensayo():
    return PreguntaFactory(tipo=Pregunta.Tipo.ENSAYO, puntos=Decimal("4"), longitud_maxima=50)


def test_ensayo_queda_por_calificar_y_la_nota_manual_lo_cierra(persona, dos_preguntas, senales):
    unica, _ = dos_preguntas
    ensayo = _ensayo()
    evaluacion = evaluacion_con(unica, ensayo)
    intento = iniciar(evaluacion, persona)
    resultado = services.enviar_intento(
        intento_id=intento.pk,
        usuario=persona,
        datos={**_campos(unica, _opcion(unica, 1)), **_campos(ensayo, "Mi ensayo breve")},
    )
    assert resultado.intento.estado == Intento.Estado.POR_CALIFICAR
    assert selectors.aprobaciones(usuario_ids=[persona.pk], evaluacion_ids=[evaluacion.pk]) == {}
    respuesta = Respuesta.objects.get(intento=intento, clave=f"p{ensayo.pk}")
    calificador = UsuarioFactory()
    with pytest.raises(ErrorEvaluacion, match="entre 0 y 4"):
        services.calificar_manual(
            respuesta_id=respuesta.pk, puntos=Decimal("5"), comentario="", calificador=calificador
        )
    with senales.capturar():
        intento = services.calificar_manual(
            respuesta_id=respuesta.pk,
            puntos=Decimal("3"),
            comentario="Bien",
            calificador=calificador,
        )
    assert intento.estado == Intento.Estado.CALIFICADO
    assert intento.porcentaje == Decimal("80.00")
    assert len(mail.outbox) == 1
    assert persona.email in mail.outbox[0].to
    assert senales[-1] == (persona.pk, evaluacion.pk)
    assert (persona.pk, evaluacion.pk) in selectors.aprobaciones(
        usuario_ids=[persona.pk], evaluacion_ids=[evaluacion.pk]
    )


def test_ensayo_demasiado_largo_se_rechaza(persona):
    ensayo = _ensayo()
    intento = iniciar(evaluacion_con(ensayo), persona)
    with pytest.raises(ErrorEvaluacion, match="como máximo 50"):
        services.guardar_respuesta(
            intento_id=intento.pk,
            usuario=persona,
            clave=f"p{ensayo.pk}",
            datos=_campos(ensayo, "x" * 51),
        )
    assert not Respuesta.objects.exists()


def test_recalificar_corrige_la_clave_y_deja_registro(persona, dos_preguntas, senales):
    unica, multiple = dos_preguntas
    evaluacion = evaluacion_con(unica, multiple)
    intento = iniciar(evaluacion, persona)
    services.enviar_intento(
        intento_id=intento.pk, usuario=persona, datos=_campos(unica, _opcion(unica, 0))
    )
    intento.refresh_from_db()
    assert intento.porcentaje == Decimal("0.00")
    senales.clear()
    # The instructor discovers option 0 was the right one.
    opciones = list(unica.opciones.order_by("sort_order"))
    opciones[0].correcta, opciones[1].correcta = True, False
    for opcion in opciones[:2]:
        opcion.save()
    with senales.capturar():
        registro = services.recalificar_pregunta(
            pregunta=unica, realizada_por=UsuarioFactory(), motivo="Clave equivocada"
        )
    intento.refresh_from_db()
    assert intento.porcentaje == Decimal("50.00")
    assert registro.intentos_revisados == 1
    assert registro.cambios == [
        {
            "intento": intento.pk,
            "usuario": persona.pk,
            "evaluacion": evaluacion.pk,
            "antes": "0.00",
            "despues": "50.00",
        }
    ]
    assert Recalificacion.objects.count() == 1
    assert senales == [(persona.pk, evaluacion.pk)]


def test_recalificar_ignora_opciones_agregadas_despues(persona):
    unica = pregunta_con_opciones(correctas=(True, False))
    evaluacion = evaluacion_con(unica)
    intento = iniciar(evaluacion, persona)
    services.enviar_intento(
        intento_id=intento.pk, usuario=persona, datos=_campos(unica, _opcion(unica, 0))
    )
    OpcionPreguntaFactory(pregunta=unica, correcta=True, sort_order=5)
    services.recalificar_pregunta(pregunta=unica, realizada_por=None)
    intento.refresh_from_db()
    assert intento.porcentaje == Decimal("100.00")


@pytest.mark.parametrize(
    ("nombre", "contenido", "mensaje"),
    [
        ("tarea.exe", b"MZ\x90\x00", "no permitido"),
        ("tarea.pdf", b"MZ\x90\x00 not a pdf", "no corresponde"),
        ("tarea.pdf", b"", "vacío"),
        ("tarea.pdf", b"%PDF-" + b"0" * (2 * 1024 * 1024), "pesa más"),
    ],
)
def test_entregable_rechaza_tipo_tamano_y_contenido_falso(persona, nombre, contenido, mensaje):
    entregable = PreguntaFactory(
        tipo=Pregunta.Tipo.ENTREGABLE, extensiones_permitidas="pdf,docx", tamano_maximo_mb=1
    )
    intento = iniciar(evaluacion_con(entregable), persona)
    with pytest.raises(ErrorEvaluacion, match=mensaje):
        services.guardar_respuesta(
            intento_id=intento.pk,
            usuario=persona,
            clave=f"p{entregable.pk}",
            datos={},
            archivo=SimpleUploadedFile(nombre, contenido),
        )
    assert not Respuesta.objects.exists()


def test_entregable_valido_se_guarda(persona):
    entregable = PreguntaFactory(tipo=Pregunta.Tipo.ENTREGABLE, extensiones_permitidas="pdf")
    intento = iniciar(evaluacion_con(entregable), persona)
    respuesta = services.guardar_respuesta(
        intento_id=intento.pk,
        usuario=persona,
        clave=f"p{entregable.pk}",
        datos={},
        archivo=SimpleUploadedFile("Mi tarea.pdf", b"%PDF-1.7 contenido"),
    )
    assert respuesta.archivo_nombre == "Mi tarea.pdf"
    assert respuesta.archivo.name.endswith(".pdf")
    resultado = services.enviar_intento(intento_id=intento.pk, usuario=persona)
    assert resultado.intento.estado == Intento.Estado.POR_CALIFICAR


def test_aprobaciones_usa_el_metodo_y_la_fecha_del_hecho(dos_preguntas):
    unica, multiple = dos_preguntas
    evaluacion = evaluacion_con(unica, multiple, puntaje_aprobatorio=Decimal("70"))
    aprueba, reprueba = UsuarioFactory.create_batch(2)
    t0 = timezone.now() - datetime.timedelta(hours=3)
    for persona, bien in ((aprueba, True), (reprueba, False)):
        intento = iniciar(evaluacion, persona, ahora=t0)
        datos = _campos(unica, _opcion(unica, 1 if bien else 0))
        if bien:
            datos |= _campos(multiple, _opcion(multiple, 0), _opcion(multiple, 1))
        services.enviar_intento(intento_id=intento.pk, usuario=persona, datos=datos, ahora=t0)
    resultado = selectors.aprobaciones(
        usuario_ids=[aprueba.pk, reprueba.pk], evaluacion_ids=[evaluacion.pk]
    )
    assert resultado == {(aprueba.pk, evaluacion.pk): t0}


def test_la_tarea_periodica_de_cierre_esta_programada():
    from django_celery_beat.models import PeriodicTask

    tarea = PeriodicTask.objects.get(name="Cerrar intentos vencidos")
    assert tarea.task == cerrar_intentos_vencidos_task.name
    assert tarea.enabled
    assert (tarea.interval.every, tarea.interval.period) == (1, "minutes")


def test_intento_vencido_queda_cerrado_aunque_no_pueda_iniciar_otro(persona, dos_preguntas):
    evaluacion = evaluacion_con(*dos_preguntas, intentos_permitidos=1, limite_minutos=5)
    inicio = timezone.now() - datetime.timedelta(minutes=10)
    intento = iniciar(evaluacion, persona, ahora=inicio)
    with pytest.raises(ErrorEvaluacion, match="todos sus intentos"):
        iniciar(evaluacion, persona)
    intento.refresh_from_db()
    assert intento.estado == Intento.Estado.ABANDONADO


def test_ensayo_en_blanco_no_deja_el_intento_esperando(persona, dos_preguntas):
    unica, _ = dos_preguntas
    ensayo = _ensayo()
    intento = iniciar(evaluacion_con(unica, ensayo), persona)
    resultado = services.enviar_intento(
        intento_id=intento.pk, usuario=persona, datos=_campos(unica, _opcion(unica, 1))
    )
    assert resultado.intento.estado == Intento.Estado.CALIFICADO
    assert resultado.intento.porcentaje == Decimal("20.00")
