"""Every reader of progress shows the stored projection, and they agree.

The participant's pages (Mis cursos, the course page), the kardex, the participants list,
constancia eligibility, the dashboard, the export and the issuance sweep must say the
same thing about one enrolment, also after a change of rules whose recompute has not run
yet (the task is queued or lost) and after drift no event reported.
"""

import datetime

import pytest

from django.urls import reverse
from django.utils import timezone

from wagtail.models import Page

from constancias import selectors as selectors_constancias
from constancias.models import Constancia
from constancias.services import emitir_constancias_pendientes
from cursos import reportes, services, tasks
from cursos.models import Inscripcion
from cursos.services import leer_avances
from lms.models import Rol
from tests.cursos.test_avance import _guardado
from tests.factories import AsignacionRolFactory, UsuarioFactory
from tests.factories.constancias import ReglaConstanciaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nacional(db):
    persona = UsuarioFactory()
    AsignacionRolFactory(usuario=persona, rol=Rol.COORDINADOR_NACIONAL)
    return persona


@pytest.fixture
def teorica_hecha(curso, inscripcion):
    """The participant finished the theoretical phase two days ago and nothing else."""
    hace_dos_dias = timezone.now() - datetime.timedelta(days=2)
    for leccion in curso.lecciones[:2]:
        services.marcar_leccion_completada(
            inscripcion=inscripcion, leccion=leccion, ahora=hace_dos_dias
        )
    fila, _fases = _guardado(inscripcion)
    assert fila.completada_en is None
    return hace_dos_dias


def _lo_que_dice_cada_lector(client, nacional, inscripcion, curso):
    """(completo, fecha de acreditación) según cada lector, por nombre.

    The coordinator's readers that only read the stored columns (export, dashboard) go
    first: they must already say what the participant's pages will say.
    """
    fila = Inscripcion.objects.select_related("edicion", "edicion__curso", "usuario").get(
        pk=inscripcion.pk
    )
    lectores = {}
    qs = reportes.inscripciones_filtradas(nacional, reportes.Filtros())
    registro = next(r for r in reportes.registros(qs) if r.inscripcion_id == fila.pk)
    lectores["exportación"] = (registro.acreditada_en is not None, registro.acreditada_en)
    cifras = reportes.tablero(nacional, reportes.Filtros()).cifras
    guardada = Inscripcion.objects.get(pk=fila.pk).completada_en
    lectores["tablero"] = (cifras.acreditadas == 1, guardada)
    client.force_login(inscripcion.usuario)
    # A withdrawn enrolment is not shown on the participant's pages.
    for tarjeta in client.get(reverse("cursos:mis_cursos")).context["tarjetas"]:
        lectores["mis cursos"] = (tarjeta["estado"].completo, tarjeta["estado"].fecha)
    if (pagina := client.get(curso.url).context.get("estado")) is not None:
        lectores["página del curso"] = (pagina.completo, pagina.fecha)
    estado = reportes.kardex(nacional, fila.usuario).inscripciones[0].estado
    lectores["kardex"] = (estado.completo, estado.fecha)
    estado = services.estados_de([fila])[fila.pk]
    lectores["lista de participantes"] = (estado.completo, estado.fecha)
    return lectores


def _todos_dicen(lectores, completo, fecha):
    assert lectores
    for lector, (dice_completo, dice_fecha) in lectores.items():
        assert dice_completo is completo, lector
        if completo:
            # The export writes the date in the person's time zone; compare the day.
            dia = dice_fecha.date() if isinstance(dice_fecha, datetime.datetime) else dice_fecha
            assert dia == timezone.localtime(fecha).date(), lector


def test_un_cambio_de_reglas_lo_ven_igual_todos_con_la_fecha_verdadera(
    client,
    nacional,
    curso,
    inscripcion,
    teorica_hecha,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    # The recompute task runs after commit, as a worker would.
    monkeypatch.setattr(
        tasks.recalcular_pendientes_task,
        "delay",
        lambda **kw: tasks.recalcular_pendientes_task.apply(kwargs=kw),
    )
    with django_capture_on_commit_callbacks(execute=True):
        curso.practica.unpublish()
    lectores = _lo_que_dice_cada_lector(client, nacional, inscripcion, curso)
    # Only the theoretical phase is left: the course was completed when it was, two days
    # ago, not when the change was read.
    _todos_dicen(lectores, True, teorica_hecha)
    assert _guardado(inscripcion)[0].completada_en == teorica_hecha


def test_mientras_el_recalculo_espera_nadie_se_adelanta_a_lo_guardado(
    client, nacional, curso, inscripcion, teorica_hecha, monkeypatch
):
    """Until the queued recompute runs, every reader shows what is stored; the participant's
    own pages recompute that one person in the request, which the export then shows."""
    monkeypatch.setattr(tasks.recalcular_pendientes_task, "delay", lambda **kw: None)
    curso.practica.unpublish()
    assert Inscripcion.objects.get(pk=inscripcion.pk).avance_calculado_en is None
    qs = reportes.inscripciones_filtradas(nacional, reportes.Filtros())
    registro = next(r for r in reportes.registros(qs) if r.inscripcion_id == inscripcion.pk)
    assert registro.acreditada_en is None  # stored: not recomputed yet
    client.force_login(inscripcion.usuario)
    tarjeta = client.get(reverse("cursos:mis_cursos")).context["tarjetas"][0]
    assert tarjeta["estado"].completo
    # What the participant saw is what is stored now, so every reader says it.
    _todos_dicen(
        _lo_que_dice_cada_lector(client, nacional, inscripcion, curso), True, teorica_hecha
    )


def test_una_inscripcion_retirada_conserva_su_avance_en_todos_los_lectores(
    client, nacional, curso, inscripcion, teorica_hecha, django_capture_on_commit_callbacks
):
    services.retirar_inscripcion(inscripcion=inscripcion)
    with django_capture_on_commit_callbacks(execute=True):
        curso.practica.unpublish()
    assert services.reconciliar_avances() == 0
    lectores = _lo_que_dice_cada_lector(client, nacional, inscripcion, curso)
    assert set(lectores) >= {"exportación", "tablero", "kardex", "lista de participantes"}
    _todos_dicen(lectores, False, None)
    assert Inscripcion.objects.get(pk=inscripcion.pk).completada_en is None


def test_la_deriva_sin_aviso_se_repara_al_leerla_y_todos_coinciden(
    client, nacional, curso, inscripcion, teorica_hecha, caplog
):
    # A change no event reported (a raw update, a restored backup): the practical phase
    # leaves the course, but the stored progress still asks for it.
    Page.objects.filter(pk=curso.practica.pk).update(live=False)
    fila, _fases = _guardado(inscripcion)
    assert fila.completada_en is None
    assert fila.avance_calculado_en is not None
    # The participant opens Mis cursos: their own page checks them and repairs the drift.
    client.force_login(inscripcion.usuario)
    with caplog.at_level("WARNING", logger="cursos.services"):
        client.get(reverse("cursos:mis_cursos"))
    assert "desfasado sin aviso en 1 inscripción" in caplog.text
    assert _guardado(inscripcion)[0].completada_en == teorica_hecha
    lectores = _lo_que_dice_cada_lector(client, nacional, inscripcion, curso)
    _todos_dicen(lectores, True, teorica_hecha)
    # Repaired once: reading again finds nothing to repair.
    caplog.clear()
    with caplog.at_level("WARNING", logger="cursos.services"):
        _lo_que_dice_cada_lector(client, nacional, inscripcion, curso)
    assert "desfasado" not in caplog.text


def test_sin_cambios_todos_dicen_en_curso(client, nacional, curso, inscripcion, teorica_hecha):
    lectores = _lo_que_dice_cada_lector(client, nacional, inscripcion, curso)
    _todos_dicen(lectores, False, None)
    estado = leer_avances([Inscripcion.objects.select_related("edicion").get(pk=inscripcion.pk)])
    (leido,) = estado.values()
    completas = [f.completa for f in leido.estado.fases]
    assert completas == [True, False]
    # What is missing is still told, though it is not stored.
    assert "Taller de identificación" in " ".join(leido.estado.faltantes)


def test_lo_que_muestra_el_lector_sale_de_lo_guardado(curso, inscripcion, teorica_hecha):
    """The reader builds its answer from the stored rows (not a second derivation)."""
    fila = Inscripcion.objects.select_related("edicion", "edicion__curso").get(pk=inscripcion.pk)
    guardada = fila.avances_fase.get(fase=curso.teorica)
    (leido,) = leer_avances([fila]).values()
    assert leido.estado.fases[0].fecha == guardada.completada_en
    assert leido.estado.porcentaje == fila.avance


def test_la_elegibilidad_y_el_barrido_ven_el_cambio_aunque_la_tarea_no_corriera(monkeypatch):
    from tests.factories import InscripcionFactory, LeccionPageFactory
    from tests.factories.constancias import curso_completable

    monkeypatch.setattr(tasks.recalcular_pendientes_task, "delay", lambda **kw: None)
    edicion = curso_completable()
    regla = ReglaConstanciaFactory(edicion=edicion, automatica=True)
    fase = edicion.curso.get_children().specific().first()
    leccion = LeccionPageFactory(parent=fase, title="Lección que después se retira")
    inscripcion = InscripcionFactory(edicion=edicion)
    inscripcion = Inscripcion.objects.select_related("edicion", "edicion__curso", "usuario").get(
        pk=inscripcion.pk
    )
    assert inscripcion.completada_en is None
    (antes,) = selectors_constancias.elegibilidad(regla=regla, inscripciones=[inscripcion])
    assert not antes.elegible
    leccion.unpublish()  # the only requirement leaves; its recompute task is lost
    assert emitir_constancias_pendientes() == 1
    assert Constancia.objects.filter(inscripcion=inscripcion, estado="vigente").count() == 1
    inscripcion.refresh_from_db()
    assert inscripcion.completada_en is not None
