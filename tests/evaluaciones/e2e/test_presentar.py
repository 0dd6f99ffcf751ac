"""A participant takes a timed evaluation in a real browser: autosave, resume, submit, review."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from evaluaciones.models import Intento, Momento, Pregunta, Respuesta
from tests.factories import OpcionPreguntaFactory, PreguntaFactory, UsuarioFactory
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.factories.evaluaciones_cursos import inscribir_para

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CONTRASENA = "contrasena-segura-123"  # the factories' password


def _entrar(pagina, persona):
    pagina.goto("/cuentas/login/")
    pagina.get_by_label("Correo electrónico").fill(persona.email)
    pagina.get_by_label("Contraseña").fill(CONTRASENA)
    pagina.get_by_role("main").get_by_role("button", name="Iniciar sesión").click()
    expect(pagina).not_to_have_url(re.compile("/cuentas/login/"))


def test_presentar_con_autoguardado_reanudar_y_revision(pagina, revisar_accesibilidad):
    unica = pregunta_con_opciones(correctas=(False, True, False))
    opciones = list(unica.opciones.order_by("sort_order"))
    ordenar = PreguntaFactory(tipo=Pregunta.Tipo.ORDENAR, enunciado="<p>Ordene las etapas.</p>")
    for i, texto in enumerate(["Solicitud", "Respuesta", "Recurso"]):
        OpcionPreguntaFactory(pregunta=ordenar, texto=texto, sort_order=i)
    evaluacion = evaluacion_con(
        unica,
        ordenar,
        titulo="Evaluación de la fase teórica",
        limite_minutos=30,
        revision_correctas=Momento.AL_ENVIAR,
    )
    persona = UsuarioFactory()
    inscribir_para(evaluacion, persona)
    _entrar(pagina, persona)

    pagina.goto(f"/evaluaciones/{evaluacion.pk}/")
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Evaluación de la fase teórica")
    expect(pagina.locator("main")).to_contain_text("0 de 2 usados")
    pagina.get_by_role("button", name="Comenzar").click()
    expect(pagina.locator("#cuenta-regresiva")).to_contain_text("Tiempo restante:")

    pregunta_1 = pagina.get_by_role("group", name=re.compile("Pregunta 1 de 2"))
    pregunta_1.get_by_label(opciones[0].texto).check()
    expect(pregunta_1.get_by_role("status")).to_contain_text("Respuesta guardada a las")
    # Change of mind by keyboard only.
    pregunta_1.get_by_label(opciones[1].texto).focus()
    pagina.keyboard.press("Space")
    expect(pregunta_1).not_to_have_attribute("data-guardando", "")
    expect(pregunta_1.get_by_role("status")).to_contain_text("Respuesta guardada a las")
    pregunta_2 = pagina.get_by_role("group", name=re.compile("Pregunta 2 de 2"))
    for posicion, texto in enumerate(["Solicitud", "Respuesta", "Recurso"], start=1):
        pregunta_2.get_by_label(texto).select_option(str(posicion))
    expect(pregunta_2).not_to_have_attribute("data-guardando", "")
    expect(pregunta_2.get_by_role("status")).to_contain_text("Respuesta guardada a las")
    intento = Intento.objects.get()
    assert Respuesta.objects.get(intento=intento, clave=f"p{unica.pk}").valor == str(opciones[1].pk)
    posiciones = Respuesta.objects.get(intento=intento, clave=f"p{ordenar.pk}").valor
    assert sorted(posiciones.values()) == [1, 2, 3]

    revisar_accesibilidad(pagina, f"/evaluaciones/intentos/{intento.pk}/")

    # A reconnect (or another device) resumes with the saved answers.
    pagina.reload()
    expect(
        pagina.get_by_role("group", name=re.compile("Pregunta 1 de 2")).get_by_label(
            opciones[1].texto
        )
    ).to_be_checked()

    pagina.once("dialog", lambda dialogo: dialogo.accept())
    pagina.get_by_role("button", name="Enviar mis respuestas").click()
    expect(pagina).to_have_url(f"/evaluaciones/intentos/{intento.pk}/resultado/")
    expect(pagina.locator("main")).to_contain_text("Calificación: 100 %")
    expect(pagina.locator("main")).to_contain_text("Aprobado.")
    intento.refresh_from_db()
    assert intento.porcentaje == Decimal("100.00")
    revisar_accesibilidad(pagina, f"/evaluaciones/intentos/{intento.pk}/resultado/")


def test_sin_javascript_tambien_se_puede_presentar(navegador, sitio):
    unica = pregunta_con_opciones(correctas=(True, False))
    evaluacion = evaluacion_con(unica, limite_minutos=10)
    persona = UsuarioFactory()
    inscribir_para(evaluacion, persona)
    contexto = navegador.new_context(base_url=sitio, java_script_enabled=False, locale="es-MX")
    pagina = contexto.new_page()
    try:
        _entrar(pagina, persona)
        pagina.goto(f"/evaluaciones/{evaluacion.pk}/")
        pagina.get_by_role("button", name="Comenzar").click()
        expect(pagina.locator("#cuenta-regresiva")).to_contain_text("Envíe antes de las")
        correcta = unica.opciones.get(correcta=True).texto
        pagina.get_by_label(correcta).check()
        pagina.get_by_role("button", name="Enviar mis respuestas").click()
        expect(pagina.locator("main")).to_contain_text("Calificación: 100 %")
    finally:
        contexto.close()
