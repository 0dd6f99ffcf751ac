"""A participant signs up through the real forms, confirms the link and completes the profile."""

import re

import pytest
from playwright.sync_api import expect

from django.core import mail

from lms.models import Usuario
from tests.factories import SujetoObligadoFactory
from tests.factories.personas import entidad

pytestmark = pytest.mark.e2e

CORREO = "Lucia.Nunez@ejemplo.gob.mx"
CONTRASENA = "Transparencia-Proactiva-2026"


def _enlace_de_confirmacion(correo):
    mensajes = [m for m in mail.outbox if correo.lower() in [d.lower() for d in m.to]]
    assert len(mensajes) == 1, [m.subject for m in mail.outbox]
    enlace = re.search(r"https?://\S+/cuentas/confirm-email/\S+", mensajes[0].body)
    assert enlace, mensajes[0].body
    return enlace.group(0)


def test_participante_se_registra_confirma_y_completa_su_perfil(pagina):
    organizacion = SujetoObligadoFactory(
        entidad=entidad("14"), nombre="Secretaría de Cultura de Jalisco"
    )

    pagina.goto("/cuentas/signup/")
    pagina.get_by_label("Nombre(s)").fill("Lucía")
    pagina.get_by_label("Apellidos").fill("Núñez Ibáñez")
    pagina.get_by_label("Correo electrónico").fill(CORREO)
    pagina.locator("input[name=password1]").fill(CONTRASENA)
    pagina.locator("input[name=password2]").fill(CONTRASENA)
    pagina.get_by_label("He leído y acepto el aviso de privacidad.").check()
    pagina.get_by_role("button", name="Crear cuenta").click()
    expect(pagina).to_have_url(re.compile(r"/cuentas/confirm-email/$"))

    usuario = Usuario.objects.get(email=CORREO.lower())
    assert usuario.first_name == "Lucía"
    assert usuario.aviso_privacidad_aceptado_en is not None

    pagina.goto(_enlace_de_confirmacion(CORREO))
    pagina.get_by_role("button", name="Confirmar").click()
    expect(pagina.locator("main")).not_to_contain_text("Confirme que")

    if pagina.get_by_role("button", name="Cerrar sesión").count() == 0:
        pagina.goto("/cuentas/login/")
        pagina.get_by_label("Correo electrónico").fill(CORREO)
        pagina.get_by_label("Contraseña").fill(CONTRASENA)
        pagina.get_by_role("main").get_by_role("button", name="Iniciar sesión").click()
        expect(pagina).to_have_url("/perfil/")
    else:
        pagina.goto("/perfil/")

    expect(pagina.get_by_role("heading", level=1)).to_have_text("Mi perfil")
    pagina.get_by_label("Cargo").fill("Titular de la Unidad de Transparencia")
    pagina.get_by_label("Organización").select_option(str(organizacion.pk))
    pagina.get_by_role("button", name="Guardar").click()
    expect(pagina.get_by_role("status")).to_contain_text("Sus datos se guardaron.")

    usuario.refresh_from_db()
    assert usuario.organizacion_id == organizacion.pk
    assert usuario.entidad_id == entidad("14").pk
    assert usuario.perfil_completo
