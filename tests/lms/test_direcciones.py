"""One public address: every e-mail link uses LMS_BASE_URL, never the request's host."""

import re
from decimal import Decimal

import pytest

from django.core import mail
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from cursos import services_importacion, services_reportes
from evaluaciones import services as servicios_evaluaciones
from evaluaciones.models import Pregunta
from lms import direcciones
from lms.models import Rol
from tests.factories import (
    AsignacionRolFactory,
    EdicionFactory,
    PreguntaFactory,
    SujetoObligadoFactory,
    UsuarioFactory,
)
from tests.factories.cuentas import datos_registro
from tests.factories.evaluaciones import evaluacion_con
from tests.factories.evaluaciones_cursos import iniciar
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db

# An address nothing else in the suite uses; the test client's requests go to "testserver".
RARA = "https://capacitacion.rara-ejemplo.gob.mx:8443"
ENLACE = re.compile(r"https?://[^\s/]+(?::\d+)?/\S*")
CONTRASENA_FACTORY = "contrasena-segura-123"


@pytest.fixture(autouse=True)
def direccion_rara(settings):
    settings.WAGTAILADMIN_BASE_URL = RARA


def _enlaces(mensaje) -> list[str]:
    enlaces = ENLACE.findall(mensaje.body)
    assert enlaces, mensaje.body
    return enlaces


def _solo_la_direccion_publica(mensaje) -> None:
    """Every link of the message starts with the public address; none names testserver."""
    assert all(e.startswith(RARA + "/") for e in _enlaces(mensaje)), mensaje.body
    assert "testserver" not in mensaje.body


# --- The helper and its check ----------------------------------------------------------


def test_url_publica_une_la_direccion_y_la_ruta(settings):
    settings.WAGTAILADMIN_BASE_URL = RARA + "/"
    assert direcciones.url_publica("/constancias/verificar/x/") == (
        RARA + "/constancias/verificar/x/"
    )
    assert direcciones.dominio_publico() == "capacitacion.rara-ejemplo.gob.mx:8443"
    with pytest.raises(ValueError, match="empiece con"):
        direcciones.url_publica("constancias/")


@pytest.mark.parametrize(
    "direccion",
    [
        "capacitacion.gob.mx",
        "ftp://capacitacion.gob.mx",
        "https://",
        "https://capacitacion.gob.mx/lms",
        "https://capacitacion.gob.mx?x=1",
        "https://usuario:clave@capacitacion.gob.mx",
        "http://127.0.0.1:99999",
    ],
)
def test_direccion_publica_invalida_detiene_el_arranque_con_mensaje_claro(settings, direccion):
    settings.WAGTAILADMIN_BASE_URL = direccion
    [error] = direcciones.revisar_direccion_publica()
    assert error.id == "lms.E106"
    assert direccion in error.msg
    with pytest.raises(SystemCheckError, match="LMS_BASE_URL"):
        call_command("check")


@pytest.mark.parametrize(
    "direccion", ["http://localhost:8000", "https://capacitacion.gob.mx", "http://[::1]:8000/"]
)
def test_direccion_publica_valida_pasa_la_revision(settings, direccion):
    settings.WAGTAILADMIN_BASE_URL = direccion
    assert direcciones.revisar_direccion_publica() == []


# --- allauth's e-mails -------------------------------------------------------------------


def test_confirmacion_de_registro_apunta_a_la_direccion_publica(client):
    client.post("/cuentas/signup/", datos_registro())

    [mensaje] = mail.outbox
    _solo_la_direccion_publica(mensaje)
    assert any("/cuentas/confirm-email/" in e for e in _enlaces(mensaje))
    assert "desde capacitacion.rara-ejemplo.gob.mx:8443" in mensaje.body


def test_recuperar_contrasena_apunta_a_la_direccion_publica_y_el_enlace_funciona(client):
    UsuarioFactory(email="ana@ejemplo.gob.mx")
    client.post("/cuentas/password/reset/", {"email": "ana@ejemplo.gob.mx"})

    [mensaje] = mail.outbox
    _solo_la_direccion_publica(mensaje)
    [enlace] = [e for e in _enlaces(mensaje) if "/password/reset/key/" in e]
    respuesta = client.get(enlace.removeprefix(RARA), follow=True)
    assert "Elegir contraseña nueva" in respuesta.content.decode()


def test_correo_desconocido_ofrece_registrarse_en_la_direccion_publica(client):
    client.post("/cuentas/password/reset/", {"email": "nadie@ejemplo.gob.mx"})

    [mensaje] = mail.outbox
    _solo_la_direccion_publica(mensaje)
    assert RARA + "/cuentas/signup/" in _enlaces(mensaje)


def test_cuenta_ya_existente_ofrece_recuperar_en_la_direccion_publica(client):
    UsuarioFactory(email="jose.nunez@itei.org.mx")
    client.post("/cuentas/signup/", datos_registro())

    [mensaje] = mail.outbox
    _solo_la_direccion_publica(mensaje)
    assert RARA + "/cuentas/password/reset/" in _enlaces(mensaje)


def test_aviso_de_cambio_de_contrasena_nombra_la_direccion_publica(client):
    usuario = UsuarioFactory()
    client.force_login(usuario)
    client.post(
        "/cuentas/password/change/",
        {
            "oldpassword": CONTRASENA_FACTORY,
            "password1": "otra-contrasena-larga-9",
            "password2": "otra-contrasena-larga-9",
        },
    )

    [mensaje] = mail.outbox
    assert "desde capacitacion.rara-ejemplo.gob.mx:8443" in mensaje.body
    assert "testserver" not in mensaje.body


# --- The project's own e-mails -----------------------------------------------------------


def test_invitacion_de_la_carga_masiva_apunta_a_la_direccion_publica():
    persona = UsuarioFactory()
    mensaje = services_importacion._invitacion(usuario=persona, edicion=EdicionFactory())

    _solo_la_direccion_publica(mensaje)
    assert any("/cuentas/password/reset/key/" in e for e in _enlaces(mensaje))


def test_reporte_semanal_apunta_a_la_direccion_publica():
    coordinadora = UsuarioFactory(organizacion=None, entidad=None)
    AsignacionRolFactory(usuario=coordinadora, rol=Rol.COORDINADOR_ESTATAL, entidad=entidad("14"))

    assert services_reportes.enviar_reportes_semanales() == 1

    [mensaje] = mail.outbox
    _solo_la_direccion_publica(mensaje)
    assert any("/cursos/coordinacion/tablero/" in e for e in _enlaces(mensaje))


def test_aviso_de_evaluacion_calificada_enlaza_el_resultado(django_capture_on_commit_callbacks):
    persona = UsuarioFactory(organizacion=SujetoObligadoFactory(entidad=entidad("09")))
    ensayo = PreguntaFactory(tipo=Pregunta.Tipo.ENSAYO, puntos=Decimal("4"), longitud_maxima=50)
    intento = iniciar(evaluacion_con(ensayo), persona)
    servicios_evaluaciones.enviar_intento(
        intento_id=intento.pk, usuario=persona, datos={f"p-p{ensayo.pk}": ["Mi ensayo"]}
    )
    respuesta = intento.respuestas.get(clave=f"p{ensayo.pk}")

    with django_capture_on_commit_callbacks(execute=True):
        servicios_evaluaciones.calificar_manual(
            respuesta_id=respuesta.pk,
            puntos=Decimal("3"),
            comentario="",
            calificador=UsuarioFactory(),
        )

    [mensaje] = mail.outbox
    _solo_la_direccion_publica(mensaje)
    assert f"{RARA}/evaluaciones/intentos/{intento.pk}/resultado/" in _enlaces(mensaje)
