"""Issue 12, findings 1-4 and 19: an instructor reaches only their own course's things.

Two courses, each with its own instructor, evaluation, question category, question and
graded attempt. Every test acts as course A's instructor (or as a participant) against
course B's objects, checks the answer, and checks that nothing changed in the database.
Each test also checks the same action still works on the user's own objects, so a
refusal cannot come from a broken screen.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from django.urls import reverse
from django.utils import timezone

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from cursos import autoria
from cursos.models import CursoPage, FasePage
from evaluaciones import services as servicios_evaluaciones
from evaluaciones.models import (
    CategoriaPregunta,
    Evaluacion,
    Intento,
    Pregunta,
    Recalificacion,
    Respuesta,
)
from lms import services as servicios_lms
from lms.models import Rol
from tests.factories import CursoPageFactory, FasePageFactory, UsuarioFactory
from tests.factories.cursos import EdicionFactory, InscripcionFactory
from tests.factories.evaluaciones import (
    CategoriaPreguntaFactory,
    PreguntaFactory,
    evaluacion_con,
    pregunta_con_opciones,
)

pytestmark = pytest.mark.django_db


class Curso:
    """One course with its team, bank, evaluation and one submitted essay attempt."""

    def __init__(self, letra: str) -> None:
        self.instructor = UsuarioFactory(first_name=f"Instructor{letra}", last_name="Docente")
        servicios_lms.asignar_rol(usuario=self.instructor, rol=Rol.INSTRUCTOR)
        self.curso = CursoPageFactory(title=f"Curso {letra}")
        self.curso.instructores.add(self.instructor)
        self.curso.save()
        autoria.sincronizar_equipo_docente(curso=self.curso)
        self.categoria = CategoriaPreguntaFactory(nombre=f"Banco {letra}", curso=self.curso)
        self.pregunta = pregunta_con_opciones(
            categoria=self.categoria, titulo=f"Clave secreta {letra}"
        )
        self.ensayo = PreguntaFactory(
            tipo=Pregunta.Tipo.ENSAYO, categoria=self.categoria, titulo=f"Ensayo {letra}"
        )
        self.evaluacion = evaluacion_con(
            self.pregunta, self.ensayo, titulo=f"Examen {letra}", curso=self.curso
        )
        self.fase = FasePageFactory(parent=self.curso, evaluacion=self.evaluacion)
        self.edicion = EdicionFactory(curso=self.curso)
        self.participante = UsuarioFactory(first_name=f"Participante{letra}")
        InscripcionFactory(edicion=self.edicion, usuario=self.participante)
        intento = servicios_evaluaciones.iniciar_intento(
            evaluacion=self.evaluacion, usuario=self.participante
        )
        clave = next(i["clave"] for i in intento.instantanea["preguntas"] if i["tipo"] == "ensayo")
        self.respuesta = Respuesta.objects.create(
            intento=intento, clave=clave, valor=f"Respuesta de {letra}", guardada_en=timezone.now()
        )
        servicios_evaluaciones.enviar_intento(intento_id=intento.pk, usuario=self.participante)
        self.intento = Intento.objects.get(pk=intento.pk)


@pytest.fixture
def a() -> Curso:
    return Curso("A")


@pytest.fixture
def b() -> Curso:
    return Curso("B")


def _foto(*curso: Curso) -> list:
    """What an instructor of another course must never be able to change."""
    return [
        (
            list(Evaluacion.objects.filter(pk=c.evaluacion.pk).values()),
            list(Pregunta.objects.filter(pk=c.pregunta.pk).values()),
            list(c.pregunta.opciones.values("texto", "correcta", "fraccion")),
            list(CategoriaPregunta.objects.filter(pk=c.categoria.pk).values()),
            list(Intento.objects.filter(pk=c.intento.pk).values("estado", "porcentaje")),
            list(Respuesta.objects.filter(pk=c.respuesta.pk).values("puntos", "comentario")),
        )
        for c in curso
    ]


def _evaluacion_post(evaluacion: Evaluacion, curso: CursoPage, **cambios) -> dict:
    secciones = [
        {"id": s.pk, "pregunta": s.pregunta_id or "", "categoria": "", "cantidad": "1"}
        for s in evaluacion.secciones.all()
    ]
    datos = {
        "titulo": evaluacion.titulo,
        "curso": curso.pk,
        "descripcion": "",
        "publicada": "on",
        "abre_en": "",
        "cierra_en": "",
        "limite_minutos": "",
        "intentos_permitidos": "2",
        "metodo_calificacion": "mas_alta",
        "puntaje_aprobatorio": "70",
        "barajar_opciones": "on",
        "revision_puntaje": "al_enviar",
        "revision_respuestas": "al_enviar",
        "revision_correctas": "al_cierre",
        "revision_retroalimentacion": "al_cierre",
        "secciones": inline_formset(secciones, min=1),
    }
    datos.update(cambios)
    return nested_form_data(datos)


# --- Finding 1: snippets of another course -------------------------------------------


def test_instructor_no_edita_borra_ni_copia_la_evaluacion_de_otro_curso(client, a, b):
    client.force_login(a.instructor)
    antes = _foto(b)
    rutas = "wagtailsnippets_evaluaciones_evaluacion"
    for accion in ("edit", "delete", "copy", "history", "usage"):
        url = reverse(f"{rutas}:{accion}", args=[b.evaluacion.pk])
        assert client.get(url).status_code == 404, accion
        assert client.post(url, _evaluacion_post(b.evaluacion, a.curso)).status_code == 404
    cero = _evaluacion_post(b.evaluacion, b.curso, puntaje_aprobatorio="0")
    assert client.post(reverse(f"{rutas}:edit", args=[b.evaluacion.pk]), cero).status_code == 404
    assert _foto(b) == antes
    # Their own evaluation opens and saves.
    url = reverse(f"{rutas}:edit", args=[a.evaluacion.pk])
    assert client.get(url).status_code == 200
    respuesta = client.post(url, _evaluacion_post(a.evaluacion, a.curso, puntaje_aprobatorio="60"))
    assert respuesta.status_code == 302, respuesta.content.decode()[:2000]
    a.evaluacion.refresh_from_db()
    assert a.evaluacion.puntaje_aprobatorio == Decimal("60")


def test_instructor_no_toca_preguntas_ni_categorias_de_otro_curso(client, a, b):
    client.force_login(a.instructor)
    antes = _foto(b)
    for modelo, objeto in (("pregunta", b.pregunta), ("categoriapregunta", b.categoria)):
        for accion in ("edit", "delete", "copy", "history", "usage"):
            url = reverse(f"wagtailsnippets_evaluaciones_{modelo}:{accion}", args=[objeto.pk])
            assert client.get(url).status_code == 404, (modelo, accion)
            assert client.post(url, {"titulo": "X", "nombre": "X"}).status_code == 404
    assert _foto(b) == antes
    url = reverse("wagtailsnippets_evaluaciones_pregunta:edit", args=[a.pregunta.pk])
    assert client.get(url).status_code == 200


def test_listados_y_selectores_no_ofrecen_lo_de_otro_curso(client, a, b):
    client.force_login(a.instructor)
    for modelo, propio, ajeno in (
        ("evaluacion", a.evaluacion.titulo, b.evaluacion.titulo),
        ("pregunta", a.pregunta.titulo, b.pregunta.titulo),
        ("categoriapregunta", a.categoria.nombre, b.categoria.nombre),
    ):
        palabra = propio.split()[0]
        for url in (
            reverse(f"wagtailsnippets_evaluaciones_{modelo}:list"),
            reverse(f"wagtailsnippets_evaluaciones_{modelo}:list") + f"?q={palabra}",
            reverse(f"wagtailsnippetchoosers_evaluaciones_{modelo}:choose"),
            reverse(f"wagtailsnippetchoosers_evaluaciones_{modelo}:choose_results")
            + f"?q={palabra}",
        ):
            cuerpo = client.get(url).content.decode()
            assert propio in cuerpo, url
            assert ajeno not in cuerpo, url
        elegido = reverse(
            f"wagtailsnippetchoosers_evaluaciones_{modelo}:chosen",
            args=[{"evaluacion": b.evaluacion, "pregunta": b.pregunta}.get(modelo, b.categoria).pk],
        )
        assert client.get(elegido).status_code == 404


def test_recalificar_y_exportar_la_clave_de_otro_curso_se_niegan(client, a, b):
    client.force_login(a.instructor)
    antes = _foto(b)
    url = reverse("evaluaciones_recalificar", args=[b.pregunta.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"motivo": "cambio"}).status_code == 404
    assert not Recalificacion.objects.exists()
    exportar = reverse("evaluaciones_exportar_moodle")
    for consulta in (f"?evaluacion={b.evaluacion.pk}", f"?categoria={b.categoria.pk}"):
        assert client.get(exportar + consulta).status_code == 404
    assert _foto(b) == antes
    propia = client.get(exportar + f"?evaluacion={a.evaluacion.pk}")
    assert propia.status_code == 200
    assert a.pregunta.titulo in propia.content.decode()
    assert (
        client.post(
            reverse("evaluaciones_recalificar", args=[a.pregunta.pk]), {"motivo": "clave"}
        ).status_code
        == 302
    )
    assert Recalificacion.objects.filter(pregunta=a.pregunta).count() == 1


def test_la_nueva_evaluacion_no_puede_usar_el_banco_de_otro_curso(client, a, b):
    client.force_login(a.instructor)
    datos = _evaluacion_post(a.evaluacion, a.curso, titulo="Nueva")
    datos = nested_form_data(
        {
            **{k: v for k, v in datos.items() if not k.startswith("secciones")},
            "secciones": inline_formset(
                [{"pregunta": b.pregunta.pk, "categoria": "", "cantidad": "1"}], min=1
            ),
        }
    )
    respuesta = client.post(reverse("wagtailsnippets_evaluaciones_evaluacion:add"), datos)
    assert respuesta.status_code == 200
    assert "Use solo preguntas y categorías del banco del curso" in respuesta.content.decode()
    # Nor can it be handed to a course the instructor does not teach.
    datos["curso"] = b.curso.pk
    datos["secciones-0-pregunta"] = a.pregunta.pk
    respuesta = client.post(reverse("wagtailsnippets_evaluaciones_evaluacion:add"), datos)
    assert respuesta.status_code == 200
    assert Evaluacion.objects.filter(titulo="Nueva").count() == 0
    datos["curso"] = a.curso.pk
    respuesta = client.post(reverse("wagtailsnippets_evaluaciones_evaluacion:add"), datos)
    assert respuesta.status_code == 302, respuesta.content.decode()[:2000]
    assert Evaluacion.objects.get(titulo="Nueva").curso_id == a.curso.pk


def test_importar_preguntas_solo_a_categorias_propias(client, a, b):
    client.force_login(a.instructor)
    texto = "$CATEGORY: Banco B\n\n::P1:: ¿Uno? {=sí ~no}\n"
    url = reverse("evaluaciones_importar_gift")
    respuesta = client.post(
        url, {"formato": "gift", "texto": texto, "categoria": b.categoria.pk, "accion": "importar"}
    )
    assert respuesta.status_code == 200
    assert b.categoria.preguntas.count() == 2
    respuesta = client.post(
        url, {"formato": "gift", "texto": texto, "categoria": a.categoria.pk, "accion": "importar"}
    )
    assert respuesta.status_code == 302
    # The file's "$CATEGORY: Banco B" is a category of course A now, not course B's bank.
    assert b.categoria.preguntas.count() == 2
    importada = Pregunta.objects.get(titulo="P1")
    assert importada.categoria.curso_id == a.curso.pk
    assert importada.categoria.nombre == "Banco B"


# --- Finding 2: a draft phase pointing at another course's evaluation ---------------


def test_fase_en_borrador_que_apunta_a_evaluacion_ajena_no_da_derechos(client, a, b):
    client.force_login(a.instructor)
    datos = nested_form_data(
        {
            "title": "Fase trampa",
            "slug": "fase-trampa",
            "tipo": "teorica",
            "horas": "1",
            "resumen": "",
            "descripcion": rich_text(""),
            "asistencia_minima": "0",
            "evaluacion": b.evaluacion.pk,
            "actividad_practica": "",
        }
    )
    url = reverse("wagtailadmin_pages:add", args=["cursos", "fasepage", a.curso.pk])
    respuesta = client.post(url, datos)
    assert respuesta.status_code == 200
    assert not FasePage.objects.filter(title="Fase trampa").exists()
    # Even a phase row written some other way grants nothing: rights follow ownership.
    FasePageFactory(parent=a.curso, evaluacion=b.evaluacion, live=False)
    antes = _foto(b)
    cola = client.get(reverse("evaluaciones:cola_calificacion")).content.decode()
    assert b.evaluacion.titulo not in cola
    assert b.participante.first_name not in cola
    for nombre in ("resultados", "analisis", "resultados_csv", "respuestas_csv"):
        url = reverse(f"evaluaciones:{nombre}", args=[b.evaluacion.pk])
        assert client.get(url).status_code == 404, nombre
    for nombre in ("calificar", "descargar_entregable"):
        url = reverse(f"evaluaciones:{nombre}", args=[b.respuesta.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"puntos": "1", "comentario": "x"}).status_code in (404, 405)
    assert _foto(b) == antes
    # The instructor's own queue and results still work.
    cola = client.get(reverse("evaluaciones:cola_calificacion")).content.decode()
    assert a.participante.first_name in cola
    url = reverse("evaluaciones:resultados", args=[a.evaluacion.pk])
    assert client.get(url).status_code == 200


def test_el_formulario_de_fase_ofrece_solo_evaluaciones_del_curso(client, a, b):
    client.force_login(a.instructor)
    url = reverse("wagtailadmin_pages:edit", args=[a.fase.pk])
    cuerpo = client.get(url).content.decode()
    assert a.evaluacion.titulo in cuerpo
    assert b.evaluacion.titulo not in cuerpo


# --- Finding 3: sitting an evaluation without enrolment ------------------------------


def test_participante_no_inscrito_no_abre_ni_inicia_la_evaluacion(client, a):
    intruso = UsuarioFactory()
    client.force_login(intruso)
    assert client.get(reverse("evaluaciones:detalle", args=[a.evaluacion.pk])).status_code == 404
    assert client.post(reverse("evaluaciones:iniciar", args=[a.evaluacion.pk])).status_code == 404
    assert not Intento.objects.filter(usuario=intruso).exists()
    with pytest.raises(servicios_evaluaciones.ErrorEvaluacion):
        servicios_evaluaciones.iniciar_intento(evaluacion=a.evaluacion, usuario=intruso)
    # Enrolled, the same person may.
    InscripcionFactory(edicion=a.edicion, usuario=intruso)
    assert client.get(reverse("evaluaciones:detalle", args=[a.evaluacion.pk])).status_code == 200
    assert client.post(reverse("evaluaciones:iniciar", args=[a.evaluacion.pk])).status_code == 302
    assert Intento.objects.filter(usuario=intruso).count() == 1


def test_inscripcion_retirada_ya_no_deja_presentar(client, a):
    inscripcion = a.participante.inscripciones.get()
    inscripcion.estado = inscripcion.Estado.RETIRADA
    inscripcion.retirada_en = timezone.now()
    inscripcion.save()
    client.force_login(a.participante)
    assert client.get(reverse("evaluaciones:detalle", args=[a.evaluacion.pk])).status_code == 404


# --- Finding 4: the course team field ------------------------------------------------


def test_el_campo_de_instructores_no_lista_participantes_ni_lo_cambia_un_instructor(client, a, b):
    client.force_login(a.instructor)
    url = reverse("wagtailadmin_pages:edit", args=[a.curso.pk])
    cuerpo = client.get(url).content.decode()
    assert a.participante.first_name not in cuerpo
    assert b.participante.first_name not in cuerpo
    assert a.instructor.first_name in cuerpo
    datos = nested_form_data(
        {
            "title": a.curso.title,
            "slug": a.curso.slug,
            "resumen": "",
            "dirigido_a": "",
            "descripcion": rich_text(""),
            "objetivos": rich_text(""),
            "instructores": [a.instructor.pk, b.participante.pk],
            "lecciones_abiertas": "",
        }
    )
    datos["action-publish"] = "action-publish"
    client.post(url, datos)
    curso = CursoPage.objects.get(pk=a.curso.pk)
    assert list(curso.instructores.values_list("pk", flat=True)) == [a.instructor.pk]
    assert curso.get_latest_revision_as_object().instructores.count() <= 1


# --- Finding 19: drafts, files and names of other courses ----------------------------


def test_selector_de_paginas_no_muestra_borradores_de_otro_curso(client, a, b):
    FasePageFactory(parent=b.curso, title="Borrador reservado de B", live=False)
    FasePageFactory(parent=a.curso, title="Borrador propio de A", live=False)
    client.force_login(a.instructor)
    for url in (
        reverse("wagtailadmin_choose_page_child", args=[b.curso.pk]),
        reverse("wagtailadmin_choose_page_search") + "?q=Borrador",
    ):
        cuerpo = client.get(url).content.decode()
        assert "Borrador reservado de B" not in cuerpo, url
    cuerpo = client.get(reverse("wagtailadmin_choose_page_child", args=[a.curso.pk])).content
    assert "Borrador propio de A" in cuerpo.decode()


def test_imagenes_y_documentos_de_otro_curso_no_aparecen_en_los_selectores(client, a, b):
    Imagen, Documento = get_image_model(), get_document_model()
    coleccion_b = autoria.coleccion_del_curso(curso=b.curso)
    coleccion_a = autoria.coleccion_del_curso(curso=a.curso)
    Imagen.objects.create(title="Foto de B", file=get_test_image_file(), collection=coleccion_b)
    Imagen.objects.create(title="Foto de A", file=get_test_image_file(), collection=coleccion_a)
    Documento.objects.create(title="Guia de B", collection=coleccion_b)
    Documento.objects.create(title="Guia de A", collection=coleccion_a)
    client.force_login(a.instructor)
    for url, propio, ajeno in (
        (reverse("wagtailimages_chooser:choose"), "Foto de A", "Foto de B"),
        (reverse("wagtailimages:index"), "Foto de A", "Foto de B"),
        (reverse("wagtaildocs_chooser:choose"), "Guia de A", "Guia de B"),
        (reverse("wagtaildocs:index"), "Guia de A", "Guia de B"),
    ):
        cuerpo = client.get(url).content.decode()
        assert propio in cuerpo, url
        assert ajeno not in cuerpo, url


def test_historial_del_sitio_no_nombra_a_instructores_de_otros_cursos(client, a, b):
    from wagtail.log_actions import log

    log(instance=Page.objects.get(pk=b.curso.pk), action="wagtail.edit", user=b.instructor)
    client.force_login(a.instructor)
    for nombre in ("site_history", "aging_pages", "workflow", "page_types_usage"):
        respuesta = client.get(reverse(f"wagtailadmin_reports:{nombre}"))
        assert respuesta.status_code == 404, nombre
    usos = reverse("wagtailadmin_pages:type_use", args=["cursos", "fasepage"])
    assert client.get(usos).status_code == 404
    # The national coordination keeps the reports.
    nacional = UsuarioFactory()
    servicios_lms.asignar_rol(usuario=nacional, rol=Rol.COORDINADOR_NACIONAL)
    client.force_login(nacional)
    cuerpo = client.get(reverse("wagtailadmin_reports:site_history")).content.decode()
    assert b.instructor.first_name in cuerpo


def test_exportar_con_id_malformado_es_un_400_en_espanol(client, a):
    client.force_login(a.instructor)
    exportar = reverse("evaluaciones_exportar_moodle")
    for consulta in ("?evaluacion=²", "?categoria=abc", "?evaluacion=99999999999999999999999"):
        respuesta = client.get(exportar + consulta)
        assert respuesta.status_code == 400, consulta
