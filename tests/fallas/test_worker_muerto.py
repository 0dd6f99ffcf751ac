"""A real Celery worker killed with SIGKILL in the middle of a bulk issuance, then restarted.

The job is created as a coordinator creates it (`crear_trabajo_emision`) and its message
goes through a Redis of the test's own to a real `celery -A lms worker`. The job runs in
chunks of 100 (`TAMANO_TRANSACCION`): the kill lands after the first chunk committed and
while the second is being rendered. A killed worker never
acknowledges its message (acks_late), and Redis would hand it out again only after the
visibility timeout (one hour); what resumes the job in production is the periodic sweep
(`emitir_constancias_pendientes_task`, every 15 minutes, resumes jobs without progress for
15 minutes). The test ages the job by 16 minutes instead of waiting and sends the sweep
through the broker, as celery beat would.
"""

from __future__ import annotations

import datetime
import hashlib

import pytest

from django.utils import timezone

from constancias.models import Constancia, TrabajoEmision
from lms.models import Rol
from lms.services import asignar_rol
from tests.factories import InscripcionFactory, SujetoObligadoFactory, UsuarioFactory
from tests.factories.constancias import ReglaConstanciaFactory, curso_completable
from tests.factories.personas import entidad
from tests.fallas.conftest import enviar_tarea, esperar, iniciar_worker

pytestmark = [pytest.mark.fallas, pytest.mark.django_db(transaction=True)]

# One transaction takes 100 (TAMANO_TRANSACCION): the kill lands in the second one.
PERSONAS = 150


def test_worker_matado_a_mitad_de_emision_masiva_termina_sin_duplicados_ni_omisiones(
    procesos, redis_propio, base_compartida, tmp_path, settings
):
    # Manual rule: only the bulk job can issue it, so the sweep cannot hide a lost job.
    regla = ReglaConstanciaFactory(edicion=curso_completable(), automatica=False)
    organizacion = SujetoObligadoFactory(entidad=entidad("14"))
    for _i in range(PERSONAS):
        InscripcionFactory(edicion=regla.edicion, usuario=UsuarioFactory(organizacion=organizacion))
    coordinador = UsuarioFactory()
    asignar_rol(usuario=coordinador, rol=Rol.COORDINADOR_ESTATAL, entidad_id=entidad("14").pk)
    from constancias import services

    trabajo = services.crear_trabajo_emision(regla=regla, solicitante=coordinador)
    assert trabajo.total == PERSONAS

    datos = tmp_path / "datos"
    datos.mkdir()
    base_compartida.publicar()

    worker = iniciar_worker(procesos, base=base_compartida, broker=redis_propio.url, datos=datos)
    enviar_tarea(redis_propio.url, "constancias.tasks.procesar_trabajo_emision_task", trabajo.pk)
    sql = "SELECT hechas FROM constancias_trabajoemision WHERE id = %s"
    hechas = esperar(
        lambda: base_compartida.valor(sql, trabajo.pk),
        segundos=45,
        que="que el worker termine el primer trozo",
        paso=0.05,
    )
    worker.matar()
    hechas = base_compartida.valor(sql, trabajo.pk)
    assert 0 < hechas < PERSONAS, f"El worker no quedó a mitad del trabajo ({hechas})."

    # The message was taken and never acknowledged: nobody works on the job now.
    iniciar_worker(
        procesos,
        base=base_compartida,
        broker=redis_propio.url,
        datos=datos,
        nombre="worker-reiniciado",
    )
    detenido = base_compartida.valor(
        "SELECT estado FROM constancias_trabajoemision WHERE id = %s", trabajo.pk
    )
    assert detenido == TrabajoEmision.Estado.EN_PROCESO
    hace_16_min = (timezone.now() - datetime.timedelta(minutes=16)).isoformat(" ")
    if base_compartida.archivo is not None:
        hace_16_min = hace_16_min.replace("+00:00", "")
    base_compartida.ejecutar(
        "UPDATE constancias_trabajoemision SET actualizado_en = %s WHERE id = %s",
        hace_16_min,
        trabajo.pk,
    )
    enviar_tarea(redis_propio.url, "constancias.tasks.emitir_constancias_pendientes_task")
    esperar(
        lambda: (
            base_compartida.valor(
                "SELECT estado FROM constancias_trabajoemision WHERE id = %s", trabajo.pk
            )
            == TrabajoEmision.Estado.TERMINADO
        ),
        segundos=50,
        que="que el barrido reanude el trabajo y lo termine",
    )
    procesos.iniciados[-1].detener()
    base_compartida.recoger()

    trabajo.refresh_from_db()
    assert (trabajo.hechas, trabajo.emitidas, trabajo.errores) == (PERSONAS, PERSONAS, [])
    emitidas = list(Constancia.objects.filter(regla=regla))
    por_inscripcion = sorted(c.inscripcion_id for c in emitidas)
    assert por_inscripcion == sorted(trabajo.inscripciones), "duplicadas u omitidas"
    assert all(c.estado == Constancia.Estado.VIGENTE for c in emitidas)
    assert len({c.folio for c in emitidas}) == PERSONAS
    # Every row's PDF is on disk, whole, in the private storage of lms.settings.test.
    media = datos / "test-privado"
    for constancia in emitidas:
        contenido = (media / constancia.pdf.name).read_bytes()
        assert hashlib.sha256(contenido).hexdigest() == constancia.sha256
    # Files written by the chunk that died with the worker were never committed; they are
    # the only ones on disk without a row (a crash skips the cleanup a failure runs).
    en_disco = {p.relative_to(media).as_posix() for p in media.rglob("*.pdf")}
    huerfanos = en_disco - {c.pdf.name for c in emitidas}
    assert len(huerfanos) <= PERSONAS - hechas
