"""A state commits to a programme, the national coordination accepts, and its people enrol."""

import pytest
from playwright.sync_api import expect

from cursos.models import Inscripcion, ManifestacionInteres
from lms import services
from lms.models import Rol
from tests.e2e.pasos import entrar
from tests.factories import (
    CursoPageFactory,
    EdicionFactory,
    OrganoGaranteFactory,
    ProgramaPageFactory,
    SujetoObligadoFactory,
    UsuarioFactory,
)
from tests.factories.personas import entidad

pytestmark = pytest.mark.e2e


def test_estado_se_compromete_y_la_nacional_abre_su_inscripcion(
    pagina, navegador, sitio, revisar_accesibilidad
):
    jalisco = entidad("14")
    garante = OrganoGaranteFactory(entidad=jalisco, nombre="ITEI")
    congreso = SujetoObligadoFactory(
        entidad=jalisco, organo_garante=garante, nombre="Congreso del Estado de Jalisco"
    )
    programa = ProgramaPageFactory(title="Campaña nacional", requiere_manifestacion=True)
    edicion = EdicionFactory(curso=CursoPageFactory(parent=programa), nombre="Grupo Occidente")
    coordinadora = UsuarioFactory(organizacion=congreso)
    services.asignar_rol(usuario=coordinadora, rol=Rol.COORDINADOR_ESTATAL, entidad_id=jalisco.pk)
    nacional = UsuarioFactory(organizacion=congreso)
    services.asignar_rol(usuario=nacional, rol=Rol.COORDINADOR_NACIONAL)
    persona = UsuarioFactory(organizacion=congreso)

    # The state coordinator fills in and sends its manifestación.
    entrar(pagina, coordinadora.email)
    pagina.goto("/coordinacion/")
    pagina.get_by_role("link", name="Manifestaciones de interés y metas").click()
    pagina.get_by_role("link", name="Nueva manifestación de interés").click()
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Nueva manifestación de interés")
    revisar_accesibilidad(pagina)
    pagina.locator("#id_programa").select_option(label="Campaña nacional")
    pagina.get_by_label("Personas en la fase teórica").fill("30")
    pagina.get_by_label("Sujetos obligados en la fase teórica").fill("5")
    pagina.locator("#id_contactos-0-nombre").fill("Lucía Robles")
    pagina.locator("#id_contactos-0-correo").fill("lucia.robles@itei.org.mx")
    pagina.get_by_role("button", name="Guardar borrador").click()
    # Above the padrón (one obligated subject): a clear message, nothing saved.
    expect(pagina.locator("main")).to_contain_text("La meta supera el padrón de Jalisco")
    assert not ManifestacionInteres.objects.exists()
    pagina.get_by_label("Sujetos obligados en la fase teórica").fill("1")
    pagina.get_by_label("Sujetos obligados que participarán").select_option(
        label="Congreso del Estado de Jalisco"
    )
    pagina.get_by_role("button", name="Guardar borrador").click()
    expect(pagina.locator("main")).to_contain_text("Estado: Borrador")
    pagina.get_by_role("button", name="Enviar a la coordinación nacional").click()
    expect(pagina.locator("main")).to_contain_text("Estado: Enviada")
    revisar_accesibilidad(pagina)

    # The national coordinator accepts it.
    contexto = navegador.new_context(base_url=sitio, locale="es-MX")
    otra = contexto.new_page()
    entrar(otra, nacional.email)
    otra.goto("/cursos/coordinacion/manifestaciones/")
    otra.get_by_role("link", name="Jalisco").click()
    otra.get_by_label("Aceptar", exact=True).check()
    otra.get_by_role("button", name="Registrar la decisión").click()
    expect(otra.locator("main")).to_contain_text("la inscripción queda abierta para Jalisco")
    otra.get_by_role("link", name="Manifestaciones de interés").first.click()
    otra.get_by_role("link", name="Metas y avance por entidad").click()
    fila = otra.get_by_role("row", name="Jalisco")
    expect(fila).to_contain_text("Aceptada")
    expect(fila).to_contain_text("30")
    revisar_accesibilidad(otra)
    contexto.close()

    # A person of Jalisco can now enrol by herself.
    tercera = navegador.new_context(base_url=sitio, locale="es-MX")
    participante = tercera.new_page()
    entrar(participante, persona.email)
    participante.goto(f"/cursos/ediciones/{edicion.pk}/")
    participante.get_by_role("button", name="Inscribirme").click()
    expect(participante.locator("main")).to_contain_text("Quedó inscrita o inscrito")
    assert Inscripcion.objects.filter(usuario=persona, edicion=edicion).exists()
    tercera.close()
