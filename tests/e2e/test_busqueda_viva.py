"""People lists follow the search box as one types, accents or not."""

import re

import pytest
from playwright.sync_api import expect

from lms import services
from lms.models import Rol
from tests.e2e.pasos import entrar
from tests.factories import (
    CursoPageFactory,
    EdicionFactory,
    FasePageFactory,
    InscripcionFactory,
    SujetoObligadoFactory,
    UsuarioFactory,
)
from tests.factories.personas import entidad

pytestmark = pytest.mark.e2e


def test_la_lista_sigue_a_lo_que_se_escribe(pagina):
    educacion = SujetoObligadoFactory(entidad=entidad("14"), nombre="Secretaría de Educación")
    UsuarioFactory(first_name="José Ángel", last_name="Peña Ruiz", organizacion=educacion)
    UsuarioFactory(first_name="Rocío", last_name="Pena Ávila", organizacion=educacion)
    UsuarioFactory(first_name="Tomás", last_name="Ortiz Luna", organizacion=educacion)
    coordinadora = UsuarioFactory(email="coordinacion@ejemplo.gob.mx", organizacion=educacion)
    services.asignar_rol(usuario=coordinadora, rol=Rol.COORDINADOR_NACIONAL)
    entrar(pagina, coordinadora.email)
    pagina.goto("/coordinacion/")
    tabla = pagina.get_by_role("table", name="Personas en su alcance")
    estado = pagina.locator("#estado-personas")
    expect(tabla).to_contain_text("Ortiz Luna")

    caja = pagina.get_by_role("searchbox", name="Buscar")
    caja.press_sequentially("pena", delay=60)  # no Enter, no button

    expect(estado).to_contain_text("2 personas encontradas.")
    expect(tabla).to_contain_text("Peña Ruiz")
    expect(tabla).to_contain_text("Pena Ávila")
    expect(tabla).not_to_contain_text("Ortiz Luna")
    expect(caja).to_be_focused()
    expect(pagina).to_have_url(re.compile(r"/coordinacion/\?q=pena"))

    caja.press_sequentially(" JOSÉ", delay=60)
    expect(estado).to_contain_text("1 persona encontrada.")
    expect(tabla).to_contain_text("Peña Ruiz")
    expect(tabla).not_to_contain_text("Pena Ávila")

    # The URL keeps the search: reloading shows the same list.
    pagina.reload()
    expect(pagina.get_by_role("searchbox", name="Buscar")).to_have_value("pena JOSÉ")
    expect(pagina.locator("#estado-personas")).to_contain_text("1 persona encontrada.")


def test_participantes_de_una_edicion_se_filtran_al_escribir(pagina):
    curso = CursoPageFactory(title="Transparencia proactiva")
    FasePageFactory(parent=curso, title="Fase teórica")
    edicion = EdicionFactory(curso=curso, nombre="Grupo 1")
    for nombre, apellidos in (("Iñaki", "Núñez Peña"), ("Tomás", "Ortiz Luna")):
        InscripcionFactory(
            edicion=edicion, usuario__first_name=nombre, usuario__last_name=apellidos
        )
    coordinadora = UsuarioFactory(email="coordinacion@ejemplo.gob.mx")
    services.asignar_rol(usuario=coordinadora, rol=Rol.COORDINADOR_NACIONAL)
    entrar(pagina, coordinadora.email)
    pagina.goto(f"/cursos/gestion/ediciones/{edicion.pk}/")
    tabla = pagina.get_by_role("table", name="Participantes y su avance")
    expect(tabla).to_contain_text("Ortiz Luna")

    pagina.get_by_role("searchbox", name="Buscar").press_sequentially("INAKI nunez", delay=60)

    expect(pagina.locator("#estado-participantes")).to_contain_text("1 persona inscrita")
    expect(tabla).to_contain_text("Iñaki Núñez Peña")
    expect(tabla).not_to_contain_text("Ortiz Luna")
