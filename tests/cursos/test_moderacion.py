"""Moderation end to end through the Wagtail admin's own views.

An instructor drafts a lesson under their course and submits it; they cannot
publish it; the national coordination approves it in the workflow and it goes
live; an instructor of another course cannot touch it.
"""

import pytest

from django.contrib.messages import get_messages
from django.urls import reverse

from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cursos.autoria import configurar_autoria
from cursos.models import CursoPage, LeccionPage
from lms.models import Rol
from lms.services import asignar_rol
from tests.factories import (
    CursoPageFactory,
    FasePageFactory,
    InscripcionFactory,
    LeccionPageFactory,
    UsuarioFactory,
)

pytestmark = pytest.mark.django_db


def _persona_con_rol(rol):
    persona = UsuarioFactory()
    asignar_rol(usuario=persona, rol=rol)
    return persona


@pytest.fixture
def autoria():
    """Two courses, each with its own instructor, and a national coordinator."""
    configurar_autoria()
    instructora, otro_instructor = (_persona_con_rol(Rol.INSTRUCTOR) for _ in range(2))
    coordinadora = _persona_con_rol(Rol.COORDINADOR_NACIONAL)
    curso = CursoPageFactory(title="Curso de la instructora")
    fase = FasePageFactory(parent=curso, title="Fase teórica")
    ajeno = CursoPageFactory(title="Curso ajeno")
    for pagina, persona in ((curso, instructora), (ajeno, otro_instructor)):
        pagina.instructores.add(persona)
        # Publishing a course gives its instructors their rights (cursos.receivers).
        pagina.save_revision().publish()
    return {
        "instructora": instructora,
        "otro_instructor": otro_instructor,
        "coordinadora": coordinadora,
        "curso": curso,
        "fase": fase,
    }


def _datos_leccion(titulo, **acciones):
    return nested_form_data(
        {
            "title": titulo,
            "slug": "leccion-en-revision",
            "resumen": "Qué publicar sin que nadie lo pida.",
            "duracion_minutos": "20",
            "obligatoria": "on",
            "cuerpo": streamfield(
                [("texto", rich_text("<p>La información socialmente útil se identifica…</p>"))]
            ),
            "comments": inline_formset([]),
            **acciones,
        }
    )


def test_instructora_envia_a_revision_y_la_coordinacion_nacional_publica(client, autoria):
    client.force_login(autoria["instructora"])
    crear = reverse("wagtailadmin_pages:add", args=["cursos", "leccionpage", autoria["fase"].pk])
    assert client.get(crear).status_code == 200
    respuesta = client.post(
        crear, _datos_leccion("Lección en revisión", **{"action-submit": "Enviar a revisión"})
    )
    assert respuesta.status_code == 302, respuesta.content.decode()[:2000]
    leccion = LeccionPage.objects.get(title="Lección en revisión")
    assert not leccion.live
    assert leccion.get_parent().pk == autoria["fase"].pk
    estado = WorkflowState.objects.get(object_id=str(leccion.pk))
    assert estado.status == WorkflowState.STATUS_IN_PROGRESS
    assert estado.requested_by == autoria["instructora"]

    # The instructor's "publish" is ignored: without the permission it only saves a draft.
    editar = reverse("wagtailadmin_pages:edit", args=[leccion.pk])
    client.post(editar, _datos_leccion("Lección en revisión", **{"action-publish": "Publicar"}))
    leccion.refresh_from_db()
    assert not leccion.live
    assert not leccion.permissions_for_user(autoria["instructora"]).can_publish()

    # A participant cannot read the draft.
    inscrita = InscripcionFactory(edicion__curso=autoria["curso"]).usuario
    client.force_login(inscrita)
    assert client.get(reverse("cursos:ir_a_leccion", args=[leccion.pk])).status_code == 404

    # The national coordination approves the task in the workflow: the page goes live.
    client.force_login(autoria["coordinadora"])
    estado.refresh_from_db()
    tarea = estado.current_task_state
    aprobar = reverse("wagtailadmin_pages:workflow_action", args=[leccion.pk, "approve", tarea.pk])
    respuesta = client.post(aprobar, {"comment": "Aprobada."})
    assert respuesta.status_code == 302
    leccion.refresh_from_db()
    assert leccion.live
    estado.refresh_from_db()
    assert estado.status == WorkflowState.STATUS_APPROVED
    assert leccion.get_latest_revision().user == autoria["instructora"]

    client.force_login(inscrita)
    contenido = client.get(leccion.url).content.decode()
    assert "La información socialmente útil se identifica" in contenido


def _denegada(respuesta):
    """Wagtail's admin answers PermissionDenied with a redirect to its dashboard and an error."""
    errores = [m for m in get_messages(respuesta.wsgi_request) if m.level_tag == "error"]
    return (
        respuesta.status_code == 302
        and respuesta["Location"] == reverse("wagtailadmin_home")
        and bool(errores)
    )


def test_instructor_de_otro_curso_no_edita_ni_crea_en_este(client, autoria):
    leccion = LeccionPageFactory(parent=autoria["fase"], title="Lección publicada")
    client.force_login(autoria["otro_instructor"])
    # The same person reaches the editor of their own course (the denial is about scope).
    propia = LeccionPageFactory(
        parent=FasePageFactory(parent=CursoPage.objects.get(title="Curso ajeno"))
    )
    assert client.get(reverse("wagtailadmin_pages:edit", args=[propia.pk])).status_code == 200
    editar = reverse("wagtailadmin_pages:edit", args=[leccion.pk])
    # Another course's pages are out of reach: the admin answers 404, as if they did not
    # exist (lms.wagtail_alcance), for the editor and for adding under them alike.
    assert client.get(editar).status_code == 404
    alterada = _datos_leccion("Lección alterada", **{"action-submit": "x"})
    assert client.post(editar, alterada).status_code == 404
    crear = reverse("wagtailadmin_pages:add", args=["cursos", "leccionpage", autoria["fase"].pk])
    assert client.get(crear).status_code == 404
    assert client.post(crear, _datos_leccion("Intrusa")).status_code == 404
    leccion.refresh_from_db()
    assert leccion.title == "Lección publicada"
    assert not LeccionPage.objects.filter(title__in=["Lección alterada", "Intrusa"]).exists()
    assert not WorkflowState.objects.exists()


def test_instructora_no_aprueba_su_propia_leccion(client, autoria):
    client.force_login(autoria["instructora"])
    crear = reverse("wagtailadmin_pages:add", args=["cursos", "leccionpage", autoria["fase"].pk])
    client.post(crear, _datos_leccion("Autoaprobada", **{"action-submit": "Enviar"}))
    leccion = LeccionPage.objects.get(title="Autoaprobada")
    tarea = WorkflowState.objects.get().current_task_state
    aprobar = reverse("wagtailadmin_pages:workflow_action", args=[leccion.pk, "approve", tarea.pk])
    assert _denegada(client.post(aprobar, {"comment": ""}))
    leccion.refresh_from_db()
    assert not leccion.live
