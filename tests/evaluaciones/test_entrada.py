"""Hostile input on the quiz screens and imports: a clear refusal, and nothing saved is lost."""

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluaciones.importers.aiken import interpretar_aiken
from evaluaciones.importers.gift import interpretar_gift
from evaluaciones.models import Pregunta, Respuesta
from lms import services as lms_services
from lms.models import Rol
from tests.factories import (
    CategoriaPreguntaFactory,
    OpcionPreguntaFactory,
    PreguntaFactory,
    UsuarioFactory,
)
from tests.factories.evaluaciones import evaluacion_con
from tests.factories.evaluaciones_cursos import curso_impartido, iniciar

pytestmark = pytest.mark.django_db


@pytest.fixture
def persona(client):
    usuario = UsuarioFactory()
    client.force_login(usuario)
    return usuario


# --- Autosave -----------------------------------------------------------------------


def test_autosave_con_nulo_da_400_json_y_conserva_la_respuesta_anterior(
    client, persona, excepciones
):
    corta = PreguntaFactory(tipo=Pregunta.Tipo.RESPUESTA_CORTA)
    intento = iniciar(evaluacion_con(corta), persona)
    url = reverse("evaluaciones:guardar", args=[intento.pk])
    campo = f"p-p{corta.pk}"
    primera = client.post(url, {"pregunta": f"p{corta.pk}", campo: "transparencia"})
    assert primera.status_code == 200

    respuesta = client.post(
        url,
        {"pregunta": f"p{corta.pk}", campo: "transpa\x00rencia"},
        headers={"X-Requested-With": "fetch"},
    )

    assert respuesta.status_code == 400
    assert respuesta.json()["ok"] is False
    assert "carácter nulo" in respuesta.json()["mensaje"]
    guardada = Respuesta.objects.get()
    assert (guardada.valor, guardada.version) == ("transparencia", 1)
    assert excepciones == []


def test_autosave_de_ensayo_con_nulo_escapado_en_json_no_guarda_nada(client, persona, excepciones):
    ensayo = PreguntaFactory(tipo=Pregunta.Tipo.ENSAYO)
    intento = iniciar(evaluacion_con(ensayo), persona)
    respuesta = client.post(
        reverse("evaluaciones:guardar", args=[intento.pk]),
        f'{{"pregunta": "p{ensayo.pk}", "p-p{ensayo.pk}": "texto\\u0000"}}',
        content_type="application/json",
    )
    assert respuesta.status_code == 400
    assert not Respuesta.objects.exists()
    assert excepciones == []


@pytest.mark.parametrize("posicion", ["²", "١", "99999999999999999999"])
def test_posicion_no_ascii_al_ordenar_se_rechaza_con_mensaje(
    client, persona, excepciones, posicion
):
    ordenar = PreguntaFactory(tipo=Pregunta.Tipo.ORDENAR)
    opciones = [
        OpcionPreguntaFactory(pregunta=ordenar, texto=t, sort_order=i)
        for i, t in enumerate(["Primero", "Segundo"])
    ]
    intento = iniciar(evaluacion_con(ordenar), persona)
    respuesta = client.post(
        reverse("evaluaciones:guardar", args=[intento.pk]),
        {"pregunta": f"p{ordenar.pk}", f"p-p{ordenar.pk}-{opciones[0].pk}": posicion},
    )
    assert respuesta.status_code == 409
    assert "Cada posición debe ser un número" in respuesta.json()["mensaje"]
    assert not Respuesta.objects.exists()
    assert excepciones == []


# --- Instructors' screens -----------------------------------------------------------


@pytest.mark.parametrize("valor", ["²", "abc", "99999999999999999999"])
@pytest.mark.parametrize("vista", ["evaluaciones:cola_calificacion"])
def test_evaluacion_malformada_en_la_cola_de_calificacion_no_da_500(
    client, excepciones, vista, valor
):
    instructor = UsuarioFactory()
    lms_services.asignar_rol(usuario=instructor, rol=Rol.INSTRUCTOR)
    curso_impartido(instructor)
    client.force_login(instructor)
    respuesta = client.get(reverse(vista), {"evaluacion": valor})
    assert respuesta.status_code == 200
    assert excepciones == []


# --- Question import ----------------------------------------------------------------

GIFT_CON_NULOS = "::Plazo::¿Plazo de\x00 respuesta? {=15 días\x00 ~30 días}\n"
AIKEN_CON_NULOS = "¿Quién\x00 garantiza?\nA. El órgano\x00 garante\nB. Nadie\nANSWER: A\n"


def test_gift_con_nulos_los_quita_y_conserva_el_texto():
    [pregunta] = interpretar_gift(GIFT_CON_NULOS).preguntas
    assert pregunta.enunciado == "<p>¿Plazo de respuesta?</p>"
    assert [o.texto for o in pregunta.opciones] == ["15 días", "30 días"]


def test_aiken_con_nulos_los_quita_y_conserva_el_texto():
    [pregunta] = interpretar_aiken(AIKEN_CON_NULOS).preguntas
    assert pregunta.enunciado == "<p>¿Quién garantiza?</p>"
    assert [o.texto for o in pregunta.opciones] == ["El órgano garante", "Nadie"]


def test_importar_gift_con_nulos_desde_la_administracion_no_da_500(client, excepciones):
    instructor = UsuarioFactory()
    lms_services.asignar_rol(usuario=instructor, rol=Rol.INSTRUCTOR)
    client.force_login(instructor)
    categoria = CategoriaPreguntaFactory(curso=curso_impartido(instructor))
    respuesta = client.post(
        reverse("evaluaciones_importar_gift"),
        {
            "archivo": SimpleUploadedFile("banco.gift", GIFT_CON_NULOS.encode()),
            "categoria": categoria.pk,
            "accion": "importar",
        },
    )
    assert respuesta.status_code == 302
    pregunta = Pregunta.objects.get()
    assert pregunta.enunciado == "<p>¿Plazo de respuesta?</p>"
    assert "\x00" not in "".join(pregunta.opciones.values_list("texto", flat=True))
    assert excepciones == []


def test_misma_posicion_dos_veces_al_ordenar_se_rechaza_con_mensaje(client, persona, excepciones):
    ordenar = PreguntaFactory(tipo=Pregunta.Tipo.ORDENAR)
    opciones = [
        OpcionPreguntaFactory(pregunta=ordenar, texto=t, sort_order=i)
        for i, t in enumerate(["Primero", "Segundo", "Tercero"])
    ]
    intento = iniciar(evaluacion_con(ordenar), persona)
    respuesta = client.post(
        reverse("evaluaciones:guardar", args=[intento.pk]),
        {
            "pregunta": f"p{ordenar.pk}",
            f"p-p{ordenar.pk}-{opciones[0].pk}": "1",
            f"p-p{ordenar.pk}-{opciones[1].pk}": "1",
            f"p-p{ordenar.pk}-{opciones[2].pk}": "3",
        },
    )
    assert respuesta.status_code == 409
    assert "La posición 1 está repetida" in respuesta.json()["mensaje"]
    assert not Respuesta.objects.exists()
    assert excepciones == []
