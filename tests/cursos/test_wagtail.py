"""Authoring in Wagtail: tree rules, blocks, instructors' rights and moderation."""

import pytest

from django.urls import reverse

from cursos import autoria
from cursos.blocks import LeccionStreamBlock
from cursos.models import CursoPage, FasePage, HomePage, LeccionPage, ProgramaPage
from lms.models import Rol
from lms.services import asignar_rol
from tests.factories import (
    CursoPageFactory,
    EdicionFactory,
    FasePageFactory,
    LeccionPageFactory,
    UsuarioFactory,
)


@pytest.mark.parametrize(
    ("padre", "hija", "permitida"),
    [
        (HomePage, ProgramaPage, True),
        (ProgramaPage, CursoPage, True),
        (CursoPage, FasePage, True),
        (FasePage, LeccionPage, True),
        (HomePage, CursoPage, False),
        (CursoPage, LeccionPage, False),
        (ProgramaPage, FasePage, False),
        (LeccionPage, LeccionPage, False),
    ],
)
def test_reglas_del_arbol_de_paginas(padre, hija, permitida):
    assert (hija in padre.allowed_subpage_models()) is permitida


@pytest.mark.parametrize("nombre", list(LeccionStreamBlock.base_blocks))
def test_cada_bloque_tiene_icono_etiqueta_plantilla_y_vista_previa(nombre):
    bloque = LeccionStreamBlock().child_blocks[nombre]
    assert bloque.meta.icon
    assert str(bloque.label)
    assert bloque.meta.template.startswith("cursos/blocks/")
    html = bloque.render(bloque.get_preview_value())
    assert html.strip()


def test_imagen_exige_texto_alternativo():
    from django.core.exceptions import ValidationError

    bloque = LeccionStreamBlock().child_blocks["imagen"]
    with pytest.raises(ValidationError):
        bloque.clean({"imagen": None, "texto_alternativo": "", "pie": ""})


@pytest.mark.django_db
def test_encabezados_forman_el_indice():
    leccion = LeccionPage(
        title="x",
        cuerpo=[
            ("encabezado", {"texto": "Primera sección", "nivel": "h2"}),
            ("texto", "<p>Hola</p>"),
            ("encabezado", {"texto": "Un detalle", "nivel": "h3"}),
        ],
    )
    assert leccion.indice == [
        {"texto": "Primera sección", "ancla": "sec-primera-seccion", "nivel": "h2"},
        {"texto": "Un detalle", "ancla": "sec-un-detalle", "nivel": "h3"},
    ]


@pytest.fixture
def instructora(db):
    persona = UsuarioFactory()
    asignar_rol(usuario=persona, rol=Rol.INSTRUCTOR)
    return persona


@pytest.mark.django_db
def test_instructora_edita_solo_sus_cursos_y_no_publica(instructora):
    propio = CursoPageFactory()
    ajeno = CursoPageFactory()
    leccion = LeccionPageFactory(parent=FasePageFactory(parent=propio))
    propio.instructores.add(instructora)
    propio.save_revision().publish()
    autoria.configurar_autoria()
    permisos = leccion.permissions_for_user(instructora)
    assert permisos.can_edit()
    assert not permisos.can_publish()
    assert propio.permissions_for_user(instructora).can_add_subpage()
    assert not ajeno.permissions_for_user(instructora).can_edit()


@pytest.mark.django_db
def test_quitar_instructora_retira_el_permiso(instructora):
    curso = CursoPageFactory()
    curso.instructores.add(instructora)
    curso.save_revision().publish()
    assert curso.permissions_for_user(instructora).can_edit()
    curso = CursoPage.objects.get(pk=curso.pk)
    curso.instructores.remove(instructora)
    curso.save_revision().publish()
    instructora = type(instructora).objects.get(pk=instructora.pk)
    assert not curso.permissions_for_user(instructora).can_edit()


@pytest.mark.django_db
def test_flujo_de_moderacion_aprueba_la_coordinacion_nacional(instructora):
    autoria.configurar_autoria()
    autoria.configurar_autoria()  # idempotent
    coordinador = UsuarioFactory()
    asignar_rol(usuario=coordinador, rol=Rol.COORDINADOR_NACIONAL)
    curso = CursoPageFactory()
    curso.instructores.add(instructora)
    curso.save_revision().publish()
    leccion = LeccionPageFactory(parent=FasePageFactory(parent=curso))
    flujo = leccion.get_workflow()
    assert flujo.name == autoria.NOMBRE_FLUJO
    tarea = flujo.tasks.get().specific
    assert list(tarea.groups.values_list("name", flat=True)) == ["Coordinación nacional"]
    leccion.save_revision(user=instructora)
    estado = flujo.start(leccion, instructora)
    assert estado.status == "in_progress"
    assert tarea.user_can_access_editor(leccion, coordinador)
    assert leccion.permissions_for_user(coordinador).can_publish()


@pytest.mark.django_db
def test_instructora_abre_el_editor_de_su_leccion(client, instructora):
    curso = CursoPageFactory()
    leccion = LeccionPageFactory(parent=FasePageFactory(parent=curso))
    curso.instructores.add(instructora)
    curso.save_revision().publish()
    autoria.configurar_autoria()
    client.force_login(instructora)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[leccion.pk])).status_code == 200
    ajena = LeccionPageFactory()
    # Another course's page is out of reach: 404, as if it did not exist (lms.wagtail_alcance).
    assert client.get(reverse("wagtailadmin_pages:edit", args=[ajena.pk])).status_code == 404


@pytest.mark.django_db
def test_coordinacion_nacional_administra_ediciones(client):
    autoria.configurar_autoria()
    coordinador = UsuarioFactory()
    asignar_rol(usuario=coordinador, rol=Rol.COORDINADOR_NACIONAL)
    edicion = EdicionFactory(nombre="Edición del listado")
    client.force_login(coordinador)
    respuesta = client.get(reverse("wagtailsnippets_cursos_edicion:list"))
    assert respuesta.status_code == 200
    assert "Edición del listado" in respuesta.content.decode()
    editar = client.get(reverse("wagtailsnippets_cursos_edicion:edit", args=[edicion.pk]))
    assert editar.status_code == 200


@pytest.mark.django_db
def test_vista_previa_muestra_la_leccion_sin_inscripcion(rf, instructora):
    leccion = LeccionPageFactory(title="Lección en revisión")
    peticion = rf.get("/")
    peticion.user = instructora
    respuesta = leccion.make_preview_request(original_request=peticion)
    contenido = respuesta.content.decode()
    assert "Lección en revisión" in contenido
    assert "necesita estar inscrita" not in contenido


@pytest.mark.django_db
def test_sesion_en_fase_de_otro_curso_no_valida(edicion):
    from django.core.exceptions import ValidationError

    from cursos.models import SesionEnVivo

    ajena = FasePageFactory()
    sesion = SesionEnVivo(edicion=edicion, fase=ajena, titulo="S", inicio=edicion.inscripcion_abre)
    with pytest.raises(ValidationError, match="debe pertenecer al curso"):
        sesion.full_clean()
    sesion.fase = FasePageFactory(parent=edicion.curso)
    sesion.full_clean()


@pytest.mark.django_db
def test_comando_configurar_autoria_es_idempotente():
    from django.core.management import call_command

    from wagtail.models import GroupPagePermission, Workflow, WorkflowPage

    call_command("configurar_autoria")
    conteos = (
        Workflow.objects.count(),
        WorkflowPage.objects.count(),
        GroupPagePermission.objects.count(),
    )
    call_command("configurar_autoria")
    assert conteos == (
        Workflow.objects.count(),
        WorkflowPage.objects.count(),
        GroupPagePermission.objects.count(),
    )
    assert (
        WorkflowPage.objects.get(page=HomePage.objects.get()).workflow.name == autoria.NOMBRE_FLUJO
    )
