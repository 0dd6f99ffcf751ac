"""A participant's whole journey, from signing up to a verified constancia, in a real browser.

Every page the journey reaches is scanned with axe at desktop and phone widths. Celery
runs eagerly (tasks execute in the live server's thread when enqueued, after commit), so
the constancia is issued by the same signal → receiver → task chain a worker runs.
"""

import datetime
import io
import os
import re
import shutil
import subprocess

import pytest
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from django.core import mail
from django.utils import timezone

from constancias import services
from constancias.models import Constancia
from cursos.models import Asistencia, Inscripcion
from evaluaciones.models import Intento, Respuesta
from lms.models import Usuario
from tests.e2e.pasos import guardar_descarga
from tests.factories import SujetoObligadoFactory
from tests.factories.constancias import ReglaConstanciaFactory
from tests.factories.cursos import (
    CursoPageFactory,
    EdicionFactory,
    FasePageFactory,
    LeccionPageFactory,
    SesionEnVivoFactory,
)
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.factories.personas import entidad

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CORREO = "Lucia.Nunez@ejemplo.gob.mx"
CONTRASENA = "Transparencia-Proactiva-2026"
CODIGO_SESION = "K7P3Q9"


@pytest.fixture
def curso():
    """One theoretical phase: two lessons, one live session in progress, an evaluation."""
    primera = pregunta_con_opciones(
        correctas=(False, True, False), enunciado="<p>¿Qué publica la transparencia proactiva?</p>"
    )
    segunda = pregunta_con_opciones(
        correctas=(True, False), enunciado="<p>¿Quién identifica la información útil?</p>"
    )
    curso = CursoPageFactory(title="Transparencia Proactiva para sujetos obligados")
    # The course owns its evaluation: whoever enrols in one of its editions may take it.
    evaluacion = evaluacion_con(
        primera, segunda, titulo="Evaluación de la fase teórica", curso=curso
    )
    fase = FasePageFactory(
        parent=curso, title="Fase teórica", horas=20, asistencia_minima=100, evaluacion=evaluacion
    )
    LeccionPageFactory(parent=fase, title="Qué es la transparencia proactiva")
    LeccionPageFactory(parent=fase, title="Información útil y de interés público")
    edicion = EdicionFactory(curso=curso, nombre="Grupo Jalisco 2026")
    SesionEnVivoFactory(
        edicion=edicion,
        fase=fase,
        titulo="Sesión en vivo: identificar información útil",
        inicio=timezone.now() - datetime.timedelta(minutes=10),
        codigo_asistencia=CODIGO_SESION,
    )
    ReglaConstanciaFactory(edicion=edicion)
    return {"edicion": edicion, "preguntas": (primera, segunda)}


def _enlace_de_confirmacion(correo):
    mensajes = [m for m in mail.outbox if correo.lower() in [d.lower() for d in m.to]]
    assert len(mensajes) == 1, [m.subject for m in mail.outbox]
    enlace = re.search(r"https?://\S+/cuentas/confirm-email/\S+", mensajes[0].body)
    assert enlace, mensajes[0].body
    return enlace.group(0)


def _qr_del_pdf(contenido, carpeta):
    """The QR payloads found in the PDF's first page images (zbarimg), or None without it."""
    if shutil.which("zbarimg") is None:
        if os.environ.get("CI"):
            pytest.fail("zbarimg (paquete zbar-tools de Debian) es necesario en CI.")
        return None
    cargas = []
    for numero, imagen in enumerate(PdfReader(io.BytesIO(contenido)).pages[0].images):
        pil = imagen.image.convert("L")
        if pil.width < 200:  # one pixel per module: enlarge without blurring
            pil = pil.resize((pil.width * 8, pil.height * 8), Image.NEAREST)
        ruta = carpeta / f"qr{numero}.png"
        pil.save(ruta)
        salida = subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(ruta)],
            capture_output=True,
            text=True,
            check=False,
        )
        cargas += [linea for linea in salida.stdout.splitlines() if linea]
    return cargas


def _registrarse_y_completar_perfil(pagina, revisar_accesibilidad, organizacion):
    pagina.goto("/")
    revisar_accesibilidad(pagina)
    pagina.get_by_role("navigation", name="Navegación principal").get_by_role(
        "link", name="Registrarse"
    ).click()
    revisar_accesibilidad(pagina)
    pagina.get_by_label("Nombre(s)").fill("Lucía")
    pagina.get_by_label("Apellidos").fill("Núñez Ibáñez")
    pagina.get_by_label("Correo electrónico").fill(CORREO)
    pagina.locator("input[name=password1]").fill(CONTRASENA)
    pagina.locator("input[name=password2]").fill(CONTRASENA)
    pagina.get_by_label("He leído y acepto el aviso de privacidad.").check()
    pagina.get_by_role("button", name="Crear cuenta").click()
    expect(pagina).to_have_url(re.compile(r"/cuentas/confirm-email/$"))
    revisar_accesibilidad(pagina)

    pagina.goto(_enlace_de_confirmacion(CORREO))
    revisar_accesibilidad(pagina)
    pagina.get_by_role("button", name="Confirmar").click()
    expect(pagina.locator("main")).not_to_contain_text("Confirme que")
    if pagina.get_by_role("button", name="Cerrar sesión").count() == 0:
        pagina.goto("/cuentas/login/")
        revisar_accesibilidad(pagina)
        pagina.get_by_label("Correo electrónico").fill(CORREO)
        pagina.get_by_label("Contraseña").fill(CONTRASENA)
        pagina.get_by_role("main").get_by_role("button", name="Iniciar sesión").click()
        expect(pagina).to_have_url("/perfil/")
    else:
        pagina.goto("/perfil/")

    expect(pagina.get_by_role("heading", level=1)).to_have_text("Mi perfil")
    revisar_accesibilidad(pagina)
    pagina.get_by_label("Cargo").fill("Titular de la Unidad de Transparencia")
    pagina.get_by_label("Organización").select_option(str(organizacion.pk))
    pagina.get_by_role("button", name="Guardar").click()
    expect(pagina.get_by_role("status")).to_contain_text("Sus datos se guardaron.")
    revisar_accesibilidad(pagina)
    persona = Usuario.objects.get(email=CORREO.lower())
    assert persona.perfil_completo
    return persona


def _estudiar_y_asistir(pagina, revisar_accesibilidad, edicion, persona):
    pagina.goto(f"/cursos/ediciones/{edicion.pk}/")
    revisar_accesibilidad(pagina)
    pagina.get_by_role("button", name="Inscribirme").click()
    expect(pagina.get_by_role("status")).to_contain_text("Quedó inscrita o inscrito")
    assert Inscripcion.objects.filter(edicion=edicion, usuario=persona).exists()
    revisar_accesibilidad(pagina)

    pagina.get_by_role("link", name="Ir al curso").click()
    expect(pagina.get_by_role("heading", level=1)).to_have_text(edicion.curso.title)
    revisar_accesibilidad(pagina)
    pagina.get_by_role("main").get_by_role("link", name="Fase teórica").click()
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Fase teórica")
    revisar_accesibilidad(pagina)

    pagina.get_by_role("link", name="Qué es la transparencia proactiva").click()
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Qué es la transparencia proactiva")
    revisar_accesibilidad(pagina)
    pagina.get_by_role("button", name="Marcar como completada").click()
    # Completing a lesson leads to the next one.
    expect(pagina.get_by_role("heading", level=1)).to_have_text(
        "Información útil y de interés público"
    )
    expect(pagina.get_by_role("status")).to_contain_text("Lección completada.")
    revisar_accesibilidad(pagina)
    pagina.get_by_role("button", name="Marcar como completada").click()
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Fase teórica")
    fase = pagina.locator("main")
    expect(fase).to_contain_text("Le falta:")
    revisar_accesibilidad(pagina)

    # Check in to the live session with its code; a wrong code is refused first.
    pagina.get_by_role("link", name=re.compile("Registrar mi asistencia")).click()
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Registrar asistencia")
    revisar_accesibilidad(pagina)
    pagina.get_by_label("Código de la sesión").fill("ZZZ999")
    pagina.get_by_role("button", name="Registrar").click()
    expect(pagina.locator("main")).to_contain_text("El código de asistencia no es correcto.")
    revisar_accesibilidad(pagina)
    assert not Asistencia.objects.filter(usuario=persona).exists()
    pagina.get_by_label("Código de la sesión").fill(CODIGO_SESION.lower())
    pagina.get_by_role("button", name="Registrar").click()
    expect(pagina.locator("main")).not_to_contain_text("no es correcto")
    assert Asistencia.objects.filter(usuario=persona).count() == 1
    revisar_accesibilidad(pagina)


def _presentar_con_corte_de_conexion(pagina, revisar_accesibilidad, edicion, preguntas):
    pagina.goto(edicion.curso.get_children().first().url)
    pagina.get_by_role("link", name="Evaluación de la fase teórica").click()
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Evaluación de la fase teórica")
    revisar_accesibilidad(pagina)
    # A controllable clock: the retry after a failed save is due 8 s later.
    pagina.clock.install()
    pagina.get_by_role("button", name="Comenzar").click()
    intento = Intento.objects.get()
    expect(pagina).to_have_url(f"/evaluaciones/intentos/{intento.pk}/")
    revisar_accesibilidad(pagina)

    correctas = [p.opciones.get(correcta=True) for p in preguntas]
    grupo_1 = pagina.get_by_role("group", name=re.compile("Pregunta 1 de 2"))
    grupo_2 = pagina.get_by_role("group", name=re.compile("Pregunta 2 de 2"))
    grupo_1.get_by_label(correctas[0].texto).check()
    expect(grupo_1.get_by_role("status")).to_contain_text("Respuesta guardada a las")

    # The connection drops: the second answer cannot be saved and the page says so.
    pagina.context.set_offline(True)
    grupo_2.get_by_label(correctas[1].texto).check()
    expect(grupo_2.get_by_role("status")).to_contain_text("Sin conexión")
    assert Respuesta.objects.filter(intento=intento).count() == 1
    revisar_accesibilidad(pagina)

    # Back online, the page retries by itself and the answer reaches the server.
    pagina.context.set_offline(False)
    pagina.clock.fast_forward(9_000)
    expect(grupo_2.get_by_role("status")).to_contain_text("Respuesta guardada a las")
    guardadas = dict(Respuesta.objects.filter(intento=intento).values_list("clave", "valor"))
    assert guardadas == {f"p{p.pk}": str(c.pk) for p, c in zip(preguntas, correctas, strict=True)}

    # Resuming (a reload, or another device) shows both saved answers.
    pagina.reload()
    expect(grupo_1.get_by_label(correctas[0].texto)).to_be_checked()
    expect(grupo_2.get_by_label(correctas[1].texto)).to_be_checked()

    pagina.once("dialog", lambda dialogo: dialogo.accept())
    # Passing completes the course, and the eager Celery task renders the constancia's PDF
    # inside this very request (a worker would do it afterwards): allow it more time.
    pagina.get_by_role("button", name="Enviar mis respuestas").click(timeout=40_000)
    expect(pagina).to_have_url(f"/evaluaciones/intentos/{intento.pk}/resultado/")
    expect(pagina.locator("main")).to_contain_text("Calificación: 100 %")
    expect(pagina.locator("main")).to_contain_text("Aprobado.")
    revisar_accesibilidad(pagina)


def test_participante_de_registro_a_constancia_verificada(
    pagina, sitio, revisar_accesibilidad, curso, celery_inmediato, tmp_path
):
    edicion = curso["edicion"]
    organizacion = SujetoObligadoFactory(
        entidad=entidad("14"), nombre="Secretaría de Cultura de Jalisco"
    )

    persona = _registrarse_y_completar_perfil(pagina, revisar_accesibilidad, organizacion)
    _estudiar_y_asistir(pagina, revisar_accesibilidad, edicion, persona)
    _presentar_con_corte_de_conexion(pagina, revisar_accesibilidad, edicion, curso["preguntas"])

    # Passing completed the phase and the course, and the constancia was issued.
    inscripcion = Inscripcion.objects.get(edicion=edicion, usuario=persona)
    assert inscripcion.completada_en is not None
    constancia = Constancia.objects.get(usuario=persona)
    assert constancia.estado == Constancia.Estado.VIGENTE

    pagina.goto(edicion.curso.get_children().first().url)
    expect(pagina.locator("main")).to_contain_text("Fase acreditada.")
    revisar_accesibilidad(pagina)
    pagina.get_by_role("navigation", name="Navegación principal").get_by_role(
        "link", name="Mis cursos"
    ).click()
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Mis cursos")
    revisar_accesibilidad(pagina)

    pagina.goto("/constancias/mis-constancias/")
    revisar_accesibilidad(pagina)
    with pagina.expect_download() as descarga:
        pagina.get_by_role("link", name=f"Descargar PDF {constancia.folio}").click()
    contenido = guardar_descarga(descarga.value, tmp_path).read_bytes()
    assert contenido.startswith(b"%PDF")
    texto = " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(contenido)).pages
    )
    assert "Lucía Núñez Ibáñez" in texto
    assert constancia.folio in texto
    assert edicion.curso.title in texto

    cargas = _qr_del_pdf(contenido, tmp_path)
    if cargas is None:  # no zbarimg here (CI installs zbar-tools): the URL the QR encodes
        cargas = [services.url_verificacion(constancia.codigo_verificacion)]
    assert len(cargas) == 1, cargas
    url = cargas[0]
    assert url.startswith(f"{sitio}/constancias/verificar/"), url

    pagina.goto(url)
    principal = pagina.locator("main")
    expect(principal).to_contain_text("válida")
    expect(principal).to_contain_text(constancia.folio)
    expect(principal).to_contain_text("Lucía Núñez Ibáñez")
    revisar_accesibilidad(pagina)
