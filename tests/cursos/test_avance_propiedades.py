"""Property: after any sequence of facts and rule changes, stored progress equals what the
participant's own pages derive from the facts (`assert_sin_deriva`), with no repair called
by hand. Each example builds its own course, so examples never share state."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from django.utils import timezone

from cursos import services, tasks
from cursos.models import FasePage, Inscripcion, LeccionPage
from tests.cursos.test_avance import _calificar, assert_sin_deriva
from tests.factories import (
    CursoPageFactory,
    EdicionFactory,
    EvaluacionFactory,
    FasePageFactory,
    InscripcionFactory,
    LeccionPageFactory,
)
from tests.factories.cursos import SesionEnVivoFactory

pytestmark = pytest.mark.django_db

ACCIONES = (
    "completar_leccion",
    "asistir",
    "faltar",
    "calificar",
    "despublicar_fase",
    "publicar_fase",
    "agregar_leccion",
    "borrar_leccion",
    "agregar_sesion",
    "quitar_sesion",
    "subir_aprobatoria",
    "bajar_aprobatoria",
    "cambiar_metodo",
    "cambiar_asistencia_minima",
    "mover_leccion",
    "retirarse_y_volver",
)
METODOS = ("mas_alta", "ultima", "primera", "promedio")


class Mundo:
    """One course, one edition, one enrolled person and what has been done to them."""

    def __init__(self) -> None:
        self.curso = CursoPageFactory()
        self.evaluacion = EvaluacionFactory(puntaje_aprobatorio=Decimal("70"))
        self.teorica = FasePageFactory(parent=self.curso, title="Fase teórica")
        self.teorica.evaluacion = self.evaluacion
        self.teorica.save_revision().publish()
        self.practica = FasePageFactory(
            parent=self.curso, title="Fase práctica", tipo="practica", asistencia_minima=50
        )
        self.lecciones = [
            LeccionPageFactory(parent=self.teorica),
            LeccionPageFactory(parent=self.practica),
        ]
        self.edicion = EdicionFactory(
            curso=self.curso, fecha_inicio=timezone.localdate() - datetime.timedelta(days=5)
        )
        self.inscripcion = InscripcionFactory(edicion=self.edicion)
        self.sesiones = [self._sesion()]
        self.intentos = 0

    def _sesion(self):
        return SesionEnVivoFactory(
            edicion=self.edicion,
            fase=self.practica,
            inicio=timezone.now() - datetime.timedelta(hours=1),
            duracion_minutos=60,
        )

    def hacer(self, accion: str, indice: int) -> None:
        persona = self.inscripcion.usuario
        # Earlier steps changed the tree (paths, child counts, cached parents): every step
        # works on pages read fresh, as each admin request does.
        self.teorica = FasePage.objects.get(pk=self.teorica.pk)
        self.practica = FasePage.objects.get(pk=self.practica.pk)
        self.lecciones = [LeccionPage.objects.get(pk=p.pk) for p in self.lecciones]
        vivas = [p for p in self.lecciones if p.live]
        if accion == "completar_leccion" and vivas:
            leccion = vivas[indice % len(vivas)]
            services.marcar_leccion_completada(inscripcion=self.inscripcion, leccion=leccion)
        elif accion in ("asistir", "faltar") and self.sesiones:
            services.marcar_asistencia(
                sesion=self.sesiones[indice % len(self.sesiones)],
                usuario=persona,
                presente=accion == "asistir",
                registrada_por=None,
            )
        elif accion == "calificar":
            self.intentos += 1
            _calificar(self.inscripcion, self.evaluacion, str(50 + indice * 10), self.intentos)
        elif accion == "despublicar_fase" and self.practica.live:
            self.practica.unpublish()
        elif accion == "publicar_fase" and not self.practica.live:
            self.practica.save_revision().publish()
        elif accion == "agregar_leccion":
            # As the admin does it: the new lesson goes live by being published.
            leccion = LeccionPageFactory(parent=[self.teorica, self.practica][indice % 2])
            leccion.save_revision().publish()
            self.lecciones.append(leccion)
        elif accion == "borrar_leccion" and len(self.lecciones) > 1:
            self.lecciones.pop(indice % len(self.lecciones)).delete()
        elif accion == "agregar_sesion":
            self.sesiones.append(self._sesion())
        elif accion == "quitar_sesion" and self.sesiones:
            self.sesiones.pop(indice % len(self.sesiones)).delete()
        elif accion in ("subir_aprobatoria", "bajar_aprobatoria"):
            paso = Decimal(10) if accion == "subir_aprobatoria" else Decimal(-10)
            nueva = min(max(self.evaluacion.puntaje_aprobatorio + paso, Decimal(0)), Decimal(100))
            self.evaluacion.puntaje_aprobatorio = nueva
            self.evaluacion.save()
        elif accion == "cambiar_metodo":
            self.evaluacion.metodo_calificacion = METODOS[indice % len(METODOS)]
            self.evaluacion.save()
        elif accion == "cambiar_asistencia_minima":
            # As the admin does it: a new revision of the phase, published.
            self.practica.refresh_from_db()
            self.practica.asistencia_minima = (0, 50, 100)[indice % 3]
            self.practica.save_revision().publish()
        elif accion == "mover_leccion" and vivas:
            leccion = vivas[indice % len(vivas)]
            # The tree's counters moved with earlier steps: read them fresh.
            self.teorica.refresh_from_db()
            self.practica.refresh_from_db()
            destino = self.practica if leccion.get_parent().pk == self.teorica.pk else self.teorica
            leccion.move(destino, pos="last-child")
        elif (
            accion == "retirarse_y_volver"
            # An accredited enrolment cannot be withdrawn (a rule of the service).
            and not Inscripcion.objects.filter(
                pk=self.inscripcion.pk, completada_en__isnull=False
            ).exists()
        ):
            services.retirar_inscripcion(inscripcion=self.inscripcion)
            self.inscripcion = services.inscribir_persona(edicion=self.edicion, usuario=persona)
        for pagina in self.lecciones:
            pagina.refresh_from_db()


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pasos=st.lists(st.tuples(st.sampled_from(ACCIONES), st.integers(0, 5)), max_size=10))
@example(pasos=[("completar_leccion", 0), ("agregar_leccion", 0)])
@example(pasos=[("completar_leccion", 0), ("asistir", 0), ("agregar_sesion", 0), ("calificar", 3)])
@example(pasos=[("calificar", 2), ("subir_aprobatoria", 0), ("despublicar_fase", 0)])
@example(pasos=[("calificar", 5), ("calificar", 0), ("cambiar_metodo", 1), ("mover_leccion", 0)])
@example(pasos=[("asistir", 0), ("cambiar_asistencia_minima", 2), ("retirarse_y_volver", 0)])
@example(pasos=[("borrar_leccion", 0), ("mover_leccion", 0)])
@example(pasos=[("borrar_leccion", 1), ("despublicar_fase", 0), ("mover_leccion", 0)])
@example(pasos=[("borrar_leccion", 1), ("despublicar_fase", 0), ("agregar_leccion", 1)])
@example(
    pasos=[
        ("completar_leccion", 0),
        ("completar_leccion", 1),
        ("asistir", 0),
        ("calificar", 2),
        ("retirarse_y_volver", 0),
    ]
)
def test_lo_guardado_es_siempre_lo_derivado(pasos, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(
        tasks.recalcular_pendientes_task,
        "delay",
        lambda **kw: tasks.recalcular_pendientes_task.apply(kwargs=kw),
    )
    with django_capture_on_commit_callbacks(execute=True):
        mundo = Mundo()
    for accion, indice in pasos:
        with django_capture_on_commit_callbacks(execute=True):
            mundo.hacer(accion, indice)
        assert_sin_deriva(mundo.inscripcion, mundo.evaluacion)
