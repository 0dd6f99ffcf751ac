"""A participant sees, in a real browser, how the server reads the number they type."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from evaluaciones.models import Intento, Momento, Pregunta, Respuesta
from tests.e2e.pasos import entrar
from tests.factories import OpcionPreguntaFactory, PreguntaFactory, UsuarioFactory
from tests.factories.evaluaciones import evaluacion_con
from tests.factories.evaluaciones_cursos import inscribir_para

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ILEGIBLE = "No es un número que podamos leer: escriba, por ejemplo, 3145 o 3.5."


def _evaluacion():
    numerica = PreguntaFactory(
        tipo=Pregunta.Tipo.NUMERICA, enunciado="<p>¿Cuántas solicitudes se recibieron?</p>"
    )
    OpcionPreguntaFactory(pregunta=numerica, texto="3145", correcta=True)
    corta = PreguntaFactory(
        tipo=Pregunta.Tipo.RESPUESTA_CORTA, enunciado="<p>¿Qué se publica de oficio?</p>"
    )
    OpcionPreguntaFactory(pregunta=corta, texto="informaci*n", correcta=True)
    evaluacion = evaluacion_con(
        numerica, corta, titulo="Cifras de transparencia", revision_respuestas=Momento.AL_ENVIAR
    )
    persona = UsuarioFactory()
    inscribir_para(evaluacion, persona)
    return evaluacion, numerica, persona


def test_la_lectura_del_numero_se_ve_antes_de_enviar(pagina, revisar_accesibilidad):
    evaluacion, numerica, persona = _evaluacion()
    entrar(pagina, persona.email)
    pagina.goto(f"/evaluaciones/{evaluacion.pk}/")
    pagina.get_by_role("button", name="Comenzar").click()

    pregunta = pagina.get_by_role("group", name=re.compile("Pregunta 1 de 2"))
    campo = pregunta.get_by_label("Su respuesta (número)")
    linea = pregunta.locator("[data-lectura]")
    expect(linea).to_have_attribute("aria-live", "polite")
    expect(linea).to_have_text("")

    campo.fill("3,145")
    expect(linea).to_have_text("Se leerá como: 3,145 → 3145")
    expect(pregunta.get_by_role("status")).to_contain_text("Respuesta guardada a las")

    # What cannot be read is said, and the line no longer claims the old reading.
    campo.fill("3,14,5")
    expect(pregunta.get_by_role("status")).to_have_text(ILEGIBLE)
    expect(linea).to_have_text("")
    intento = Intento.objects.get()
    assert Respuesta.objects.get(intento=intento, clave=f"p{numerica.pk}").valor == "3,145"

    campo.fill("3,5")
    expect(linea).to_have_text("Se leerá como: 3.5")
    expect(pregunta).not_to_have_attribute("data-guardando", "")

    # The saved answer's reading comes with the page.
    pagina.reload()
    expect(pregunta.locator("[data-lectura]")).to_have_text("Se leerá como: 3.5")
    # The short answer says nothing of the wildcards its key may use.
    corta = pagina.get_by_role("group", name=re.compile("Pregunta 2 de 2"))
    expect(corta).not_to_contain_text("*")
    expect(corta).not_to_contain_text(re.compile("comod[ií]n", re.IGNORECASE))
    revisar_accesibilidad(pagina, f"/evaluaciones/intentos/{intento.pk}/")

    pregunta.get_by_label("Su respuesta (número)").fill("3145")
    expect(pregunta.locator("[data-lectura]")).to_have_text("Se leerá como: 3,145 → 3145")
    pagina.once("dialog", lambda dialogo: dialogo.accept())
    pagina.get_by_role("button", name="Enviar mis respuestas").click()
    expect(pagina).to_have_url(f"/evaluaciones/intentos/{intento.pk}/resultado/")
    expect(pagina.locator("main")).to_contain_text("Se leyó como: 3,145 → 3145")
    intento.refresh_from_db()
    assert intento.puntaje == Decimal("1.00")


def test_sin_javascript_la_lectura_se_ve_al_guardar(navegador, sitio):
    evaluacion, _numerica, persona = _evaluacion()
    contexto = navegador.new_context(base_url=sitio, java_script_enabled=False, locale="es-MX")
    pagina = contexto.new_page()
    try:
        entrar(pagina, persona.email)
        pagina.goto(f"/evaluaciones/{evaluacion.pk}/")
        pagina.get_by_role("button", name="Comenzar").click()
        pregunta = pagina.get_by_role("group", name=re.compile("Pregunta 1 de 2"))
        pregunta.get_by_label("Su respuesta (número)").fill("1.234,5")
        pagina.get_by_role("button", name="Guardar sin enviar").click()
        expect(pagina.locator("main")).to_contain_text("Sus respuestas se guardaron.")
        expect(pregunta.locator("[data-lectura]")).to_have_text("Se leerá como: 1,234.5 → 1234.5")
        pregunta.get_by_label("Su respuesta (número)").fill("tres mil")
        pagina.get_by_role("button", name="Guardar sin enviar").click()
        expect(pagina.get_by_role("alert")).to_contain_text(ILEGIBLE)
        expect(pregunta.locator("[data-lectura]")).to_have_text("Se leerá como: 1,234.5 → 1234.5")
    finally:
        contexto.close()
