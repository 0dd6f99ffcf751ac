"""Author forms in a real browser: only the chosen type's fields, no axe violations, live total."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from lms import services as lms_services
from lms.models import Rol
from tests.e2e.accesibilidad import violaciones_graves
from tests.e2e.pasos import entrar
from tests.factories import CategoriaPreguntaFactory, PreguntaFactory, UsuarioFactory
from tests.factories.evaluaciones import EvaluacionFactory, SeccionEvaluacionFactory
from tests.factories.evaluaciones_cursos import curso_impartido

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_elegir_tipo_muestra_solo_sus_campos_y_no_hay_violaciones(pagina):
    instructor = UsuarioFactory()
    lms_services.asignar_rol(usuario=instructor, rol=Rol.INSTRUCTOR)
    CategoriaPreguntaFactory(curso=curso_impartido(instructor), nombre="Fase teórica")
    entrar(pagina, instructor.email)
    pagina.goto("/admin/snippets/evaluaciones/pregunta/add/")
    tipo = pagina.locator("#id_tipo")

    tipo.select_option(label="Opción única")
    for campo in ("tamano_maximo_mb", "longitud_maxima", "criterios", "es_verdadera"):
        expect(pagina.locator(f"[data-campo-por-tipo='{campo}']")).to_be_hidden()
    expect(pagina.locator("[data-campo-por-tipo='opciones']")).to_be_visible()
    pagina.get_by_role("button", name=re.compile("opción", re.I)).first.click()
    expect(pagina.locator("[data-columna-por-tipo='tolerancia']").first).to_be_hidden()
    expect(pagina.locator("[data-columna-por-tipo='pareja']").first).to_be_hidden()
    expect(pagina.locator("[data-columna-por-tipo='correcta']").first).to_be_visible()
    expect(pagina.locator("[data-aplica-a]").first).to_be_hidden()

    tipo.select_option(label="Numérica")
    tolerancia = pagina.locator("[data-columna-por-tipo='tolerancia']").first
    expect(tolerancia).to_be_visible()
    expect(tolerancia.locator("label")).to_have_text("Tolerancia (±)")
    expect(pagina.locator("[data-columna-por-tipo='texto'] label").first).to_have_text("Valor")
    expect(pagina.locator("[data-columna-por-tipo='correcta']").first).to_be_hidden()
    expect(pagina.locator("[data-campo-por-tipo='opciones']")).to_contain_text("Valores aceptados")

    graves = violaciones_graves(pagina)
    criticas = [v for v in graves if v.get("impact") == "critical"]
    assert not criticas, [(v["id"], [n["html"][:200] for n in v["nodes"][:3]]) for v in criticas]


def test_puntos_totales_se_actualizan_al_editar_las_filas(pagina):
    instructor = UsuarioFactory()
    lms_services.asignar_rol(usuario=instructor, rol=Rol.INSTRUCTOR)
    curso = curso_impartido(instructor)
    categoria = CategoriaPreguntaFactory(curso=curso, nombre="Fase teórica")
    fija = PreguntaFactory(categoria=categoria, puntos=Decimal("2"))
    for puntos in ("1", "3"):
        PreguntaFactory(categoria=categoria, puntos=Decimal(puntos))
    evaluacion = EvaluacionFactory(curso=curso)
    SeccionEvaluacionFactory(evaluacion=evaluacion, pregunta=fija, sort_order=0)
    SeccionEvaluacionFactory(evaluacion=evaluacion, categoria=categoria, cantidad=1, sort_order=1)
    entrar(pagina, instructor.email)
    pagina.goto(f"/admin/snippets/evaluaciones/evaluacion/edit/{evaluacion.pk}/")
    total = pagina.locator("[data-puntos-totales]")
    expect(total).to_have_text(
        "Puntos totales: entre 3 y 5 (las preguntas al azar no valen lo mismo)"
    )
    pagina.locator("#id_secciones-1-cantidad").fill("2")
    expect(total).to_have_text("Puntos totales: 6")
    # A fixed row has nothing to draw: its count and subcategory fields are hidden.
    expect(pagina.locator("#id_secciones-0-cantidad")).to_be_hidden()
    expect(pagina.locator("#id_secciones-0-incluir_subcategorias")).to_be_hidden()
    expect(pagina.locator("#id_secciones-1-incluir_subcategorias")).to_be_visible()
