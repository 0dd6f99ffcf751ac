"""The demo of `make run` in a real browser: what a participant and the instructor find first.

The participant logs in, lands on "Mis cursos", opens "Mis evaluaciones", resumes the
evaluation the demo left in progress and submits it; the instructor finds the practical
deliverable the demo left waiting for a grade.
"""

import re

import pytest
from playwright.sync_api import expect

from django.core.management import call_command

from evaluaciones.demo import TITULO_PRACTICA, TITULO_TEORICA, inventario_xlsx
from evaluaciones.models import Intento
from lms.demo import CONTRASENA_DEMO
from tests.e2e.pasos import entrar

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("cargar_demo", verbosity=0)


def test_la_demo_lleva_a_cada_persona_a_su_trabajo(demo, pagina, revisar_accesibilidad):
    entrar(pagina, "participante@demo.mx", CONTRASENA_DEMO)
    expect(pagina).to_have_url("/cursos/mis-cursos/")
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Mis cursos")

    pagina.goto("/evaluaciones/")
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Mis evaluaciones")
    fila = pagina.get_by_role("row").filter(has_text=TITULO_TEORICA)
    expect(fila).to_contain_text("En curso")
    expect(fila).to_contain_text("1 de 3 usados")
    expect(pagina.get_by_role("row").filter(has_text=TITULO_PRACTICA)).to_contain_text(
        "Sin iniciar"
    )
    revisar_accesibilidad(pagina)
    fila.get_by_role("link", name=re.compile("^Continuar")).click()
    # The autosave script is deferred: answer once it runs, or the change goes unheard.
    pagina.wait_for_load_state("load")

    # The demo saved four answers and the essay; the rest are answered now.
    numerica = pagina.get_by_role("group", name=re.compile("Pregunta 5 de 9"))
    numerica.get_by_label("Su respuesta (número)").fill("25")
    numerica.get_by_label("Su respuesta (número)").blur()
    expect(numerica.get_by_role("status")).to_contain_text("Respuesta guardada a las")
    entregable = pagina.get_by_role("group", name=re.compile("Pregunta 9 de 9"))
    nombre, contenido = inventario_xlsx(institucion="Secretaría de la Hacienda Pública")
    entregable.get_by_label("Archivo a entregar").set_input_files(
        files=[
            {
                "name": nombre,
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": contenido,
            }
        ]
    )
    expect(entregable.get_by_role("status")).to_contain_text("Respuesta guardada a las")
    pagina.once("dialog", lambda dialogo: dialogo.accept())
    pagina.get_by_role("button", name="Enviar mis respuestas").click()
    expect(pagina).to_have_url(re.compile(r"/evaluaciones/intentos/\d+/resultado/$"))
    expect(pagina.locator("main")).to_contain_text("Algunas respuestas se califican a mano")
    intento = Intento.objects.get(usuario__email="participante@demo.mx")
    assert intento.estado == Intento.Estado.POR_CALIFICAR
    assert intento.respuestas.get(archivo_nombre=nombre).archivo
    pagina.goto("/evaluaciones/")
    expect(pagina.get_by_role("row").filter(has_text=TITULO_TEORICA)).to_contain_text(
        "Por calificar"
    )

    pagina.get_by_role("button", name="Cerrar sesión").click()
    entrar(pagina, "instructora@demo.mx", CONTRASENA_DEMO)
    pagina.goto("/evaluaciones/")
    pagina.get_by_role("link", name=re.compile("Calificar y consultar resultados")).click()
    pendiente = pagina.get_by_role("row").filter(has_text="Mario López Cruz")
    expect(pendiente).to_contain_text(TITULO_PRACTICA)
    pendiente.get_by_role("link", name=re.compile("^Calificar")).click()
    expect(pagina.get_by_role("link", name="Descargar «ficha-de-la-practica.pdf»")).to_be_visible()
