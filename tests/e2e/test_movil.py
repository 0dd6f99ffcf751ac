"""Phones: every page each role reaches fits a 390 px wide screen.

The demo content (`cargar_demo`: a long course, two editions, participants at several
stages, constancias) plus two evaluations, an essay to grade, an export and a bulk
issuance give every page real data. Each page is loaded at 390 × 844 and measured in
the browser:

- the document is no wider than the viewport, and no visible element sticks out of
  it unless it sits inside a region that scrolls sideways; such a region takes the
  keyboard focus and has a name, so it can be scrolled without a mouse;
- progress bars are at least 8 px high and 48 px wide, their fill stands out from
  their track (3:1, WCAG 1.4.11) and a visible text near them says how far along
  they are;
- chart text (SVG) is drawn at 12 px or more once scaled to the screen.

All problems of all pages are collected and reported together.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from constancias import demo as demo_constancias
from constancias import services as constancias_services
from constancias.models import Constancia, ReglaConstancia
from cursos import demo as demo_cursos
from cursos import reportes, services_reportes
from cursos.models import CursoPage, Edicion, FasePage, Inscripcion, LeccionPage, SesionEnVivo
from evaluaciones import services as evaluaciones_services
from evaluaciones.models import Pregunta, Respuesta
from lms import demo as demo_lms
from lms.demo import CONTRASENA_DEMO
from lms.models import Usuario
from tests.e2e.conftest import TELEFONO
from tests.e2e.pasos import entrar
from tests.factories.evaluaciones import PreguntaFactory, evaluacion_con, pregunta_con_opciones

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Runs in the page; returns a list of problems, in Spanish, each naming the element.
MEDIR = (Path(__file__).parent / "movil.js").read_text(encoding="utf-8")


def _evaluaciones(curso: CursoPage, participante: Usuario, otra: Usuario) -> dict[str, int]:
    """Two evaluations of the demo course: one taken and graded, one in progress."""
    opcion = pregunta_con_opciones(
        correctas=(False, True, False),
        enunciado="<p>¿Qué información se considera de interés público?</p>",
    )
    ensayo = PreguntaFactory(
        tipo=Pregunta.Tipo.ENSAYO,
        enunciado="<p>Describa una necesidad de información de su sujeto obligado.</p>",
    )
    teorica = evaluacion_con(
        opcion, ensayo, titulo="Evaluación de la fase teórica del curso", curso=curso
    )
    fase = FasePage.objects.child_of(curso).get(slug="fase-teorica")
    fase.evaluacion = teorica
    fase.save_revision().publish()
    practica = evaluacion_con(
        pregunta_con_opciones(correctas=(True, False, False, False)),
        PreguntaFactory(tipo=Pregunta.Tipo.ENSAYO),
        titulo="Evaluación diagnóstica de la fase práctica",
        curso=curso,
    )
    for persona, texto in ((participante, "Solicitudes frecuentes"), (otra, "Obras públicas")):
        intento = evaluaciones_services.iniciar_intento(evaluacion=teorica, usuario=persona)
        evaluaciones_services.guardar_respuesta(
            intento_id=intento.pk,
            usuario=persona,
            clave=f"p{ensayo.pk}",
            datos={f"p-p{ensayo.pk}": [texto * 20]},
        )
        evaluaciones_services.enviar_intento(intento_id=intento.pk, usuario=persona)
    abierto = evaluaciones_services.iniciar_intento(evaluacion=practica, usuario=participante)
    return {
        "evaluacion": teorica.pk,
        "intento_enviado": teorica.intentos.get(usuario=participante).pk,
        "intento_abierto": abierto.pk,
        "respuesta": Respuesta.objects.get(intento__usuario=otra, clave=f"p{ensayo.pk}").pk,
    }


@pytest.fixture
def escenario():
    demo_lms.cargar()
    demo_cursos.cargar()
    demo_constancias.cargar()
    curso = CursoPage.objects.get()
    participante = Usuario.objects.get(email="participante@demo.mx")
    otra = (
        Usuario.objects.filter(inscripciones__edicion__curso=curso)
        .exclude(pk=participante.pk)
        .first()
    )
    ids = _evaluaciones(curso, participante, otra)
    edicion = Edicion.objects.filter(inscripciones__usuario=participante).get()
    regla = ReglaConstancia.objects.filter(edicion=edicion).first()
    coordinadora = Usuario.objects.get(email="coordinacion.jalisco@demo.mx")
    trabajo = constancias_services.crear_trabajo_emision(regla=regla, solicitante=coordinadora)
    # An export in preparation shows its progress bar (small ones download at once).
    exportaciones = {
        correo: services_reportes.solicitar_exportacion(
            usuario=Usuario.objects.get(email=correo),
            filtros=reportes.Filtros(),
            formato="xlsx",
            filas=Inscripcion.objects.count(),
        ).uid
        for correo in ("coordinacion.jalisco@demo.mx", "coordinacion.nacional@demo.mx")
    }
    sesion = SesionEnVivo.objects.filter(edicion=edicion).order_by("inicio").last()
    inscripcion = Inscripcion.objects.filter(edicion=edicion, usuario=participante).get()
    return {
        **ids,
        "edicion": edicion.pk,
        "curso": curso.url,
        "fase": FasePage.objects.child_of(curso).first().url,
        "leccion": LeccionPage.objects.descendant_of(curso).live().first().url,
        "sesion": sesion.pk,
        "persona": participante.pk,
        "inscripcion": inscripcion.pk,
        "regla": regla.pk,
        "trabajo": trabajo.pk,
        "exportaciones": exportaciones,
        "codigo": Constancia.objects.filter(edicion=edicion).first().codigo_verificacion,
    }


def _rutas(e: dict) -> dict[str, list[str]]:
    def coordinacion(correo: str) -> list[str]:
        return [
            "/coordinacion/",
            "/cursos/gestion/ediciones/",
            f"/cursos/gestion/ediciones/{e['edicion']}/",
            f"/cursos/gestion/ediciones/{e['edicion']}/inscribir/",
            "/cursos/coordinacion/tablero/",
            f"/cursos/coordinacion/personas/{e['persona']}/",
            f"/cursos/coordinacion/exportaciones/{e['exportaciones'][correo]}/",
            "/constancias/coordinacion/",
            f"/constancias/coordinacion/reglas/{e['regla']}/",
            "/perfil/",
        ]

    return {
        "participante@demo.mx": [
            "/",
            "/cursos/mis-cursos/",
            "/evaluaciones/",
            "/cursos/buscar/?q=transparencia",
            f"/cursos/ediciones/{e['edicion']}/",
            e["curso"],
            e["fase"],
            e["leccion"],
            f"/cursos/sesiones/{e['sesion']}/asistencia/",
            f"/evaluaciones/{e['evaluacion']}/",
            f"/evaluaciones/intentos/{e['intento_abierto']}/",
            f"/evaluaciones/intentos/{e['intento_enviado']}/resultado/",
            "/constancias/mis-constancias/",
            "/perfil/",
            "/aviso-de-privacidad/",
            "/constancias/verificar/",
            f"/constancias/verificar/{e['codigo']}/",
        ],
        "instructora@demo.mx": [
            "/evaluaciones/calificar/",
            f"/evaluaciones/calificar/respuestas/{e['respuesta']}/",
            "/evaluaciones/resultados/",
            f"/evaluaciones/resultados/{e['evaluacion']}/",
            f"/evaluaciones/resultados/{e['evaluacion']}/analisis/",
            f"/cursos/sesiones/{e['sesion']}/marcar-asistencia/",
            f"/cursos/sesiones/{e['sesion']}/importar-asistencia/",
            "/perfil/",
        ],
        "coordinacion.jalisco@demo.mx": [
            *coordinacion("coordinacion.jalisco@demo.mx"),
            f"/constancias/coordinacion/trabajos/{e['trabajo']}/",
        ],
        "coordinacion.nacional@demo.mx": coordinacion("coordinacion.nacional@demo.mx"),
    }


def _medir(pagina: Page, ruta: str) -> list[str]:
    respuesta = pagina.goto(ruta)
    assert respuesta is not None
    if respuesta.status != 200:
        return [f"respondió {respuesta.status}"]
    pagina.wait_for_load_state("load")
    return pagina.evaluate(MEDIR)


def test_ninguna_pagina_se_desborda_en_un_telefono(navegador, sitio, escenario):
    problemas = []
    for correo, rutas in _rutas(escenario).items():
        contexto = navegador.new_context(
            base_url=sitio, viewport=TELEFONO, locale="es-MX", timezone_id="America/Mexico_City"
        )
        pagina = contexto.new_page()
        try:
            entrar(pagina, correo, CONTRASENA_DEMO)
            for ruta in rutas:
                problemas += [f"{correo} {pagina.url}: {p}" for p in _medir(pagina, ruta)]
            # The menu, opened, still fits.
            pagina.get_by_role("button", name="Menú").click()
            problemas += [f"{correo} menú abierto: {p}" for p in pagina.evaluate(MEDIR)]
        finally:
            contexto.close()
    assert not problemas, "\n".join(problemas)
