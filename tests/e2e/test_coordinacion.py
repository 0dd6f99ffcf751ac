"""A state coordinator logs in through the real form and sees only their state's people."""

import pytest
from playwright.sync_api import expect

from lms import services
from lms.models import Rol
from tests.factories import SujetoObligadoFactory, UsuarioFactory
from tests.factories.personas import entidad

pytestmark = pytest.mark.e2e

CONTRASENA = "contrasena-segura-123"  # the factories' password


def test_coordinador_estatal_ve_solo_a_su_entidad(pagina, revisar_accesibilidad):
    jalisco = SujetoObligadoFactory(entidad=entidad("14"), nombre="Congreso del Estado de Jalisco")
    oaxaca = SujetoObligadoFactory(entidad=entidad("20"), nombre="Tribunal Superior de Oaxaca")
    UsuarioFactory(first_name="Rocío", last_name="Jalisciense Peña", organizacion=jalisco)
    UsuarioFactory(first_name="Tomás", last_name="Oaxaqueño Ruiz", organizacion=oaxaca)
    coordinadora = UsuarioFactory(
        email="coordinacion.jalisco@ejemplo.gob.mx",
        first_name="Estela",
        last_name="Ibáñez Orozco",
        organizacion=jalisco,
    )
    services.asignar_rol(
        usuario=coordinadora, rol=Rol.COORDINADOR_ESTATAL, entidad_id=entidad("14").pk
    )

    pagina.goto("/cuentas/login/")
    pagina.get_by_label("Correo electrónico").fill(coordinadora.email)
    pagina.get_by_label("Contraseña").fill(CONTRASENA)
    pagina.get_by_role("main").get_by_role("button", name="Iniciar sesión").click()
    menu = pagina.get_by_role("navigation", name="Navegación principal")
    menu.get_by_role("link", name="Coordinación").click()

    expect(pagina).to_have_url("/coordinacion/")
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Coordinación")
    tabla = pagina.get_by_role("table", name="Personas en su alcance")
    expect(tabla).to_contain_text("Jalisciense Peña")
    expect(tabla).not_to_contain_text("Oaxaqueño")
    expect(pagina.get_by_role("status")).to_contain_text("1 persona encontrada.")
    opciones = pagina.get_by_label("Entidad federativa").locator("option")
    expect(opciones).to_have_text(["Todas las de mi alcance", "Jalisco"])

    # A tampered URL asking for another state shows a clear message and nobody.
    pagina.goto(f"/coordinacion/?entidad={entidad('20').pk}")
    expect(pagina.locator("main")).to_contain_text("Elija una entidad de las que usted coordina.")
    expect(pagina.locator("main")).not_to_contain_text("Oaxaqueño")
    expect(pagina.get_by_role("table")).to_have_count(0)

    revisar_accesibilidad(pagina, "/coordinacion/")
