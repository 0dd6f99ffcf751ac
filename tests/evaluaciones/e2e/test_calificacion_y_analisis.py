"""In a real browser, checked with axe: the participant's grade on the evaluation page and
the trainer's item analysis with typed-answer counts and the right options marked."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from evaluaciones import services
from evaluaciones.models import Pregunta
from tests.factories import (
    AsignacionRolFactory,
    OpcionPreguntaFactory,
    PreguntaFactory,
    UsuarioFactory,
)
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.factories.evaluaciones_cursos import curso_impartido, iniciar

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CONTRASENA = "contrasena-segura-123"  # the factories' password


def _entrar(pagina, persona):
    pagina.goto("/cuentas/login/")
    pagina.get_by_label("Correo electrónico").fill(persona.email)
    pagina.get_by_label("Contraseña").fill(CONTRASENA)
    pagina.get_by_role("main").get_by_role("button", name="Iniciar sesión").click()
    expect(pagina).not_to_have_url(re.compile("/cuentas/login/"))


def _presentar(evaluacion, persona, respuestas):
    """Answer each question (by bank id) with its text or option id, and submit."""
    intento = iniciar(evaluacion, persona)
    for item in intento.instantanea["preguntas"]:
        valor = respuestas.get(item["pregunta_id"])
        if valor is not None:
            services.guardar_respuesta(
                intento_id=intento.pk,
                usuario=persona,
                clave=item["clave"],
                datos={f"p-{item['clave']}": [str(valor)]},
            )
    services.enviar_intento(intento_id=intento.pk, usuario=persona)
    return intento


def test_calificacion_del_participante_y_analisis_del_instructor(pagina, revisar_accesibilidad):
    unica = pregunta_con_opciones(correctas=(False, True, False), titulo="Plazo de respuesta")
    buena, mala = (
        unica.opciones.order_by("sort_order")[1].pk,
        unica.opciones.order_by("sort_order")[0].pk,
    )
    corta = PreguntaFactory(
        tipo=Pregunta.Tipo.RESPUESTA_CORTA,
        titulo="Siglas de la ley",
        enunciado="<p>¿Qué siglas tiene la <b>Ley General</b>?</p>",
    )
    OpcionPreguntaFactory(pregunta=corta, texto="LGTAIP", correcta=True)
    numerica = PreguntaFactory(tipo=Pregunta.Tipo.NUMERICA, titulo="Días hábiles")
    OpcionPreguntaFactory(pregunta=numerica, texto="20", correcta=True)
    evaluacion = evaluacion_con(
        unica, corta, numerica, intentos_permitidos=3, puntaje_aprobatorio=Decimal("60")
    )
    instructora = AsignacionRolFactory(rol="instructor").usuario
    curso_impartido(instructora, evaluacion)
    persona = UsuarioFactory()
    _presentar(evaluacion, persona, {unica.pk: mala, corta.pk: "lgtaip", numerica.pk: "20"})
    _presentar(evaluacion, persona, {unica.pk: buena, corta.pk: "LFTAIP", numerica.pk: "2,0"})

    _entrar(pagina, persona)
    pagina.goto(f"/evaluaciones/{evaluacion.pk}/")
    calificacion = pagina.get_by_role("region", name="Su calificación en la evaluación")
    expect(calificacion).to_contain_text("Calificación final")
    expect(calificacion).to_contain_text("66.67 %")
    expect(calificacion).to_contain_text("Se toma la calificación más alta de sus intentos.")
    expect(pagina.get_by_role("row").nth(1)).to_contain_text("66.67 %")
    revisar_accesibilidad(pagina)

    pagina.context.clear_cookies()
    _entrar(pagina, instructora)
    pagina.goto(f"/evaluaciones/resultados/{evaluacion.pk}/analisis/")
    expect(pagina.get_by_role("heading", name="Siglas de la ley")).to_be_visible()
    expect(pagina.locator("main")).to_contain_text("¿Qué siglas tiene la Ley General?")
    filas = pagina.get_by_role("region", name=re.compile("Respuestas más frecuentes")).first
    expect(filas.get_by_role("row", name=re.compile("lgtaip 1 Sí"))).to_be_visible()
    expect(filas.get_by_role("row", name=re.compile("lftaip 1 No"))).to_be_visible()
    opcion = pagina.get_by_role("cell", name=re.compile("Opción 1 de Plazo de respuesta"))
    expect(opcion).to_contain_text("respuesta correcta")
    revisar_accesibilidad(pagina)
