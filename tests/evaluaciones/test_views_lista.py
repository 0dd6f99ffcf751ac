"""`/evaluaciones/`: the person's evaluations, their state, attempts left and the next step."""

import datetime
import re
from decimal import Decimal

import pytest

from django.urls import reverse
from django.utils import timezone

from cursos import services as cursos_services
from cursos.models import Inscripcion
from evaluaciones import selectors, services
from evaluaciones.models import Intento, Momento, Pregunta
from evaluaciones.selectors import EstadoParticipante
from lms import services as lms_services
from lms.alcance import olvidar_cache
from lms.models import Rol
from tests.factories import PreguntaFactory, UsuarioFactory
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.factories.evaluaciones_cursos import iniciar, inscribir_para

pytestmark = pytest.mark.django_db

URL = "/evaluaciones/"


def _texto(respuesta):
    html = respuesta.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def _estados(persona):
    return {
        f.evaluacion.titulo: f.estado
        for f in selectors.evaluaciones_propias(persona, ahora=timezone.now())
    }


def _responder(intento, persona, correcta: bool):
    """Answer the attempt's only (single-choice) question right or wrong, and submit."""
    item = intento.instantanea["preguntas"][0]
    elegida = next(
        i for i, f in item["clave_correcta"]["fracciones"].items() if (f == "1/1") == correcta
    )
    return services.enviar_intento(
        intento_id=intento.pk, usuario=persona, datos={f"p-{item['clave']}": [elegida]}
    ).intento


def test_anonimo_va_al_inicio_de_sesion(client):
    respuesta = client.get(URL)
    assert respuesta.status_code == 302
    assert respuesta["Location"].startswith(reverse("account_login"))


def test_cada_estado_con_intentos_restantes_y_siguiente_paso(client):
    persona = UsuarioFactory()
    sin_iniciar = evaluacion_con(pregunta_con_opciones(), titulo="Sin iniciar aún")
    en_curso = evaluacion_con(pregunta_con_opciones(), titulo="Con intento abierto")
    aprobada = evaluacion_con(pregunta_con_opciones(), titulo="Ya aprobada")
    reprobada = evaluacion_con(pregunta_con_opciones(), titulo="No alcanzó", intentos_permitidos=3)
    ensayo = PreguntaFactory(tipo=Pregunta.Tipo.ENSAYO, enunciado="<p>Explique.</p>")
    manual = evaluacion_con(ensayo, titulo="Con ensayo")
    for evaluacion in (sin_iniciar, en_curso, aprobada, reprobada, manual):
        inscribir_para(evaluacion, persona)
    abierto = iniciar(en_curso, persona)
    _responder(iniciar(aprobada, persona), persona, correcta=True)
    _responder(iniciar(reprobada, persona), persona, correcta=False)
    intento = iniciar(manual, persona)
    services.enviar_intento(
        intento_id=intento.pk,
        usuario=persona,
        datos={f"p-p{ensayo.pk}": ["La práctica proactiva es adicional y voluntaria."]},
    )

    assert _estados(persona) == {
        "Sin iniciar aún": EstadoParticipante.SIN_INICIAR,
        "Con intento abierto": EstadoParticipante.EN_CURSO,
        "Ya aprobada": EstadoParticipante.APROBADA,
        "No alcanzó": EstadoParticipante.NO_APROBADA,
        "Con ensayo": EstadoParticipante.POR_CALIFICAR,
    }
    client.force_login(persona)
    respuesta = client.get(URL)
    texto = _texto(respuesta)
    assert "No aprobada 0 % 1 de 3 usados Le quedan 2 intentos Presentar otro intento" in texto
    assert "Ya aprobada" in texto
    assert "100 %" in texto
    assert "Por calificar" in texto
    html = respuesta.content.decode()
    assert f'href="/evaluaciones/intentos/{abierto.pk}/"' in html  # resume
    assert f'href="/evaluaciones/{sin_iniciar.pk}/"' in html  # take
    ultimo = Intento.objects.get(evaluacion=reprobada)
    assert f'href="/evaluaciones/intentos/{ultimo.pk}/resultado/"' in html


def test_sin_intentos_dice_por_que_no_puede_presentar(client):
    persona = UsuarioFactory()
    evaluacion = evaluacion_con(pregunta_con_opciones(), titulo="Un solo intento")
    evaluacion.intentos_permitidos = 1
    evaluacion.save()
    _responder(iniciar(evaluacion, persona), persona, correcta=False)
    client.force_login(persona)
    texto = _texto(client.get(URL))
    assert "1 de 1 usados Le quedan 0 intentos Ya usó todos sus intentos." in texto
    assert "Presentar" not in texto


def test_la_calificacion_se_oculta_mientras_la_revision_no_la_permite(client):
    persona = UsuarioFactory()
    evaluacion = evaluacion_con(
        pregunta_con_opciones(),
        titulo="Resultado al cierre",
        revision_puntaje=Momento.AL_CIERRE,
        cierra_en=timezone.now() + datetime.timedelta(days=3),
    )
    _responder(iniciar(evaluacion, persona), persona, correcta=True)
    assert _estados(persona) == {"Resultado al cierre": EstadoParticipante.ENVIADA}
    client.force_login(persona)
    texto = _texto(client.get(URL))
    assert "Enviada; resultado pendiente de publicar" in texto
    assert "100 %" not in texto
    assert "Aprobada" not in texto


def test_solo_evaluaciones_publicadas_de_cursos_con_inscripcion_activa(client):
    persona = UsuarioFactory()
    propia = evaluacion_con(pregunta_con_opciones(), titulo="De mi curso")
    borrador = evaluacion_con(pregunta_con_opciones(), titulo="Borrador", publicada=False)
    retirada = evaluacion_con(pregunta_con_opciones(), titulo="De un curso que dejé")
    ajena = evaluacion_con(pregunta_con_opciones(), titulo="De otro curso")
    inscribir_para(propia, persona)
    inscribir_para(borrador, persona)
    inscribir_para(retirada, persona)
    inscribir_para(ajena, UsuarioFactory())
    cursos_services.retirar_inscripcion(
        inscripcion=Inscripcion.objects.get(usuario=persona, edicion__curso_id=retirada.curso_id)
    )
    olvidar_cache(persona)
    assert list(_estados(persona)) == ["De mi curso"]
    client.force_login(persona)
    texto = _texto(client.get(URL))
    assert "De mi curso" in texto
    for titulo in ("Borrador", "De un curso que dejé", "De otro curso"):
        assert titulo not in texto


def test_sin_inscripciones_lo_dice_y_al_equipo_le_ofrece_calificar(client):
    persona = UsuarioFactory()
    client.force_login(persona)
    texto = _texto(client.get(URL))
    assert "Todavía no tiene evaluaciones" in texto
    assert "Calificar y consultar" not in texto
    instructora = UsuarioFactory()
    lms_services.asignar_rol(usuario=instructora, rol=Rol.INSTRUCTOR)
    client.force_login(instructora)
    assert "Calificar y consultar resultados" in _texto(client.get(URL))


def _con_intentos(persona, cuantas: int):
    for n in range(cuantas):
        evaluacion = evaluacion_con(pregunta_con_opciones(), titulo=f"Evaluación {n}")
        evaluacion.intentos_permitidos = 0
        evaluacion.save()
        for correcta in (False, True):
            _responder(iniciar(evaluacion, persona), persona, correcta=correcta)
        iniciar(evaluacion, persona)


def test_consultas_constantes_sin_importar_cuantas_evaluaciones_e_intentos(
    client, django_assert_max_num_queries
):
    persona = UsuarioFactory()
    _con_intentos(persona, 1)
    client.force_login(persona)
    with django_assert_max_num_queries(12) as pocas:
        assert client.get(URL).status_code == 200
    _con_intentos(persona, 6)
    olvidar_cache(persona)
    with django_assert_max_num_queries(len(pocas.captured_queries)):
        respuesta = client.get(URL)
    assert _texto(respuesta).count("En curso") == 7
    assert Intento.objects.filter(usuario=persona).count() == 21
    assert Decimal(100) in {
        f.calificacion for f in selectors.evaluaciones_propias(persona, ahora=timezone.now())
    }
