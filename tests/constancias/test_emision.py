"""Issuing constancias: eligibility, idempotency, the stored PDF, automatic triggers, email."""

import hashlib
import io
import re
import threading

import pytest
from pypdf import PdfReader

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from constancias import pdf, selectors, services, tasks
from constancias.models import Alcance, Constancia, ReglaConstancia, Tipo
from cursos import services as servicios_cursos
from cursos.models import Inscripcion
from cursos.signals import completitud_cambiada
from tests.constancias.test_pdf import _decodificar_qr
from tests.factories import LeccionPageFactory
from tests.factories.constancias import NOMBRE_DIFICIL, ReglaConstanciaFactory, curso_completable

pytestmark = pytest.mark.django_db


def _emitir(regla, *inscripciones, **kw):
    return services.emitir_constancias(
        regla=regla, inscripcion_ids=[i.pk for i in inscripciones], **kw
    )


def _texto(contenido: bytes) -> str:
    lector = PdfReader(io.BytesIO(contenido))
    return " ".join(" ".join(p.extract_text().split()) for p in lector.pages)


def test_emite_con_folio_codigo_instantanea_y_pdf_guardado(regla, inscripcion, tmp_path):
    resultado = _emitir(regla, inscripcion)

    [constancia] = resultado.emitidas
    constancia.refresh_from_db()
    assert re.fullmatch(r"TP-\d{4}-000001", constancia.folio)
    assert len(constancia.codigo_verificacion) >= 22  # 128 bits in base64url
    contenido = constancia.pdf.read()
    assert hashlib.sha256(contenido).hexdigest() == constancia.sha256
    texto = _texto(contenido)
    assert " ".join(NOMBRE_DIFICIL.split()) in texto
    assert constancia.folio in texto
    url = constancia.datos["url_verificacion"]
    assert url == f"http://testserver/constancias/verificar/{constancia.codigo_verificacion}/"
    assert _decodificar_qr(contenido, tmp_path) == [url]
    assert constancia.instantanea["datos"]["horas"] == 20
    assert constancia.instantanea["diseno"]["emisores"] == ["Sistema Nacional de Transparencia"]
    assert not constancia.firmada


def test_emitir_dos_veces_emite_una(regla, inscripcion):
    _emitir(regla, inscripcion)
    segundo = _emitir(regla, inscripcion)

    assert segundo.emitidas == []
    assert segundo.ya_emitidas == 1
    assert Constancia.objects.count() == 1


def test_la_base_de_datos_impide_dos_vigentes_del_mismo_tipo(regla, inscripcion):
    [constancia] = _emitir(regla, inscripcion).emitidas
    constancia.pk = None
    constancia.folio = "TP-2026-999999"
    constancia.codigo_verificacion = services.generar_codigo_verificacion()
    with pytest.raises(IntegrityError), transaction.atomic():
        constancia.save()


def test_regla_por_fase_y_de_curso_son_constancias_distintas(regla, inscripcion):
    fase = regla.edicion.curso.get_children().specific().first()
    por_fase = ReglaConstanciaFactory(
        edicion=regla.edicion, alcance=Alcance.FASE, fase=fase, plantilla=regla.plantilla
    )
    _emitir(regla, inscripcion)
    [de_fase] = _emitir(por_fase, inscripcion).emitidas

    assert de_fase.datos["fase"] == "Fase teórica"
    assert Constancia.objects.filter(inscripcion=inscripcion).count() == 2


def test_no_elegible_dice_por_que_y_no_emite(regla, inscripcion):
    fase = regla.edicion.curso.get_children().first()
    LeccionPageFactory(parent=fase, title="Marco normativo")

    [fila] = selectors.elegibilidad(regla=regla, inscripciones=[inscripcion])
    resultado = _emitir(regla, inscripcion)

    assert not fila.elegible
    assert "Marco normativo" in fila.motivo
    assert resultado.no_elegibles == {inscripcion.pk: fila.motivo}
    assert not Constancia.objects.exists()


def test_participacion_pide_asistencia_minima(regla, inscripcion):
    from tests.factories import SesionEnVivoFactory

    fase = regla.edicion.curso.get_children().specific().first()
    fase.asistencia_minima = 100
    fase.save()
    SesionEnVivoFactory(edicion=regla.edicion, fase=fase)
    participacion = ReglaConstanciaFactory(
        edicion=regla.edicion, tipo=Tipo.PARTICIPACION, plantilla=regla.plantilla
    )

    [fila] = selectors.elegibilidad(regla=participacion, inscripciones=[inscripcion])

    assert not fila.elegible
    assert "sesión" in fila.motivo


def test_persona_sin_nombre_no_recibe_constancia(regla, inscribir):
    sin_nombre = inscribir(first_name="", last_name="")
    [fila] = selectors.elegibilidad(regla=regla, inscripciones=[sin_nombre])
    assert "nombre" in fila.motivo


def test_nombre_que_la_fuente_no_imprime_se_explica_y_no_emite(regla, inscribir):
    # Chinese characters are not in the constancia's DejaVu fonts; Greek ones are.
    china = inscribir(first_name="王小明", last_name="Pérez López")
    griega = inscribir(first_name="Σοφία", last_name="Παπαδοπούλου")
    filas = selectors.elegibilidad(regla=regla, inscripciones=[china, griega])
    assert not filas[0].elegible
    assert "«王» «小» «明»" in filas[0].motivo
    assert "corrija el nombre en el perfil" in filas[0].motivo
    assert filas[1].elegible, filas[1].motivo
    resultado = services.emitir_constancias(regla=regla, inscripcion_ids=[china.pk, griega.pk])
    assert [c.inscripcion_id for c in resultado.emitidas] == [griega.pk]
    assert not Constancia.objects.filter(inscripcion=china).exists()


def test_inscripcion_retirada_no_es_elegible(regla, inscripcion):
    Inscripcion.objects.filter(pk=inscripcion.pk).update(
        estado=Inscripcion.Estado.RETIRADA, retirada_en=timezone.now()
    )
    inscripcion.refresh_from_db()
    assert _emitir(regla, inscripcion).emitidas == []


def test_plantilla_rota_no_emite_nada_ni_deja_archivos(regla, inscripcion, carpeta_privada):
    type(regla.plantilla).objects.filter(pk=regla.plantilla_id).update(cuerpo="Hola {desconocido}")
    regla.refresh_from_db()
    with pytest.raises(pdf.PlantillaInvalida):
        _emitir(regla, inscripcion)
    assert not Constancia.objects.exists()
    assert not any(carpeta_privada.rglob("*.pdf"))


def test_fallo_al_guardar_devuelve_folios_y_borra_archivos(
    regla, inscribir, monkeypatch, carpeta_privada
):
    primera, segunda = inscribir(), inscribir()
    original = Constancia.objects.bulk_create

    def falla(*args, **kwargs):
        raise IntegrityError("simulada")

    monkeypatch.setattr(Constancia.objects, "bulk_create", falla)
    with pytest.raises(IntegrityError):
        _emitir(regla, primera, segunda)
    monkeypatch.setattr(Constancia.objects, "bulk_create", original)

    assert not any(carpeta_privada.rglob("*.pdf"))
    [una, otra] = _emitir(regla, primera, segunda).emitidas
    assert {una.folio[-6:], otra.folio[-6:]} == {"000001", "000002"}


def test_carrera_perdida_se_relee_y_no_duplica(regla, inscripcion, monkeypatch, carpeta_privada):
    """A concurrent trigger committed first but our read missed it: the constraint fires,
    the attempt rolls back (its file deleted) and the re-read skips the person."""
    [ganadora] = _emitir(regla, inscripcion).emitidas
    original = selectors.vigentes_por_inscripcion
    lecturas = []

    def lectura_atrasada(regla, ids):
        lecturas.append(1)
        return {} if len(lecturas) == 1 else original(regla, ids)

    monkeypatch.setattr(selectors, "vigentes_por_inscripcion", lectura_atrasada)
    resultado = _emitir(regla, inscripcion)

    assert len(lecturas) == 2
    assert resultado.emitidas == []
    assert resultado.ya_emitidas == 1
    assert list(Constancia.objects.all()) == [ganadora]
    assert len(list(carpeta_privada.rglob("*.pdf"))) == 1


def test_senal_de_completitud_encola_la_tarea_al_confirmar(
    regla, inscripcion, monkeypatch, django_capture_on_commit_callbacks
):
    encoladas = []
    monkeypatch.setattr(tasks.emitir_constancia_task, "delay", encoladas.append)
    with django_capture_on_commit_callbacks(execute=True):
        servicios_cursos.actualizar_completitud(inscripcion=inscripcion)
    assert encoladas == [inscripcion.pk]


def test_senal_enviada_a_mano_tambien_encola(
    regla, inscripcion, monkeypatch, django_capture_on_commit_callbacks
):
    encoladas = []
    monkeypatch.setattr(tasks.emitir_constancia_task, "delay", encoladas.append)
    with django_capture_on_commit_callbacks(execute=True):
        completitud_cambiada.send(sender=None, inscripcion_id=inscripcion.pk, completada=True)
    assert encoladas == [inscripcion.pk]


def test_tarea_emite_y_avisa_por_correo(
    regla, inscripcion, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        emitidas = tasks.emitir_constancia_task.apply(args=[inscripcion.pk]).get()

    constancia = Constancia.objects.get()
    assert emitidas == 1
    assert len(mailoutbox) == 1
    assert constancia.folio in mailoutbox[0].subject
    assert constancia.datos["url_verificacion"] in mailoutbox[0].body
    assert mailoutbox[0].to == [inscripcion.usuario.email]


def test_tarea_repetida_no_duplica(regla, inscripcion):
    tasks.emitir_constancia_task.apply(args=[inscripcion.pk]).get()
    assert tasks.emitir_constancia_task.apply(args=[inscripcion.pk]).get() == 0
    assert Constancia.objects.count() == 1


def test_regla_no_automatica_no_emite_sola(regla, inscripcion):
    ReglaConstancia.objects.filter(pk=regla.pk).update(automatica=False)
    assert tasks.emitir_constancia_task.apply(args=[inscripcion.pk]).get() == 0


def test_broker_caido_no_rompe_y_el_barrido_emite_despues(
    regla, inscripcion, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_caido(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr(tasks.emitir_constancia_task, "delay", broker_caido)
    with django_capture_on_commit_callbacks(execute=True):
        servicios_cursos.actualizar_completitud(inscripcion=inscripcion)
    inscripcion.refresh_from_db()
    assert inscripcion.completada_en is not None
    assert not Constancia.objects.exists()

    assert tasks.emitir_constancias_pendientes_task.apply().get() == 1
    assert Constancia.objects.get().inscripcion == inscripcion
    assert tasks.emitir_constancias_pendientes_task.apply().get() == 0


def test_barrido_esta_programado_en_celery_beat():
    from django_celery_beat.models import PeriodicTask

    tarea = PeriodicTask.objects.get(name="Emitir constancias pendientes")
    assert tarea.task == "constancias.tasks.emitir_constancias_pendientes_task"
    assert tarea.enabled


def test_emision_consulta_acotada(regla, inscribir, django_assert_max_num_queries):
    # Enrolments from the factory have their progress still to compute: eligibility
    # computes it first, with a fixed number of queries however many they are.
    pocas = [inscribir() for _ in range(2)]
    with django_assert_max_num_queries(43):
        _emitir(regla, *pocas)
    muchas = [inscribir() for _ in range(12)]
    with django_assert_max_num_queries(43):
        _emitir(regla, *muchas)
    assert Constancia.objects.count() == 14


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="carrera real solo en PostgreSQL")
def test_dos_hilos_emiten_una_sola_vez_en_postgresql():
    edicion = curso_completable()
    regla = ReglaConstanciaFactory(edicion=edicion)
    from tests.factories import InscripcionFactory

    inscripcion = InscripcionFactory(edicion=edicion)
    barrera = threading.Barrier(4)
    errores = []

    def emitir():
        try:
            barrera.wait()
            services.emitir_constancias(regla=regla, inscripcion_ids=[inscripcion.pk])
        except Exception as error:  # noqa: BLE001
            errores.append(error)
        finally:
            connection.close()

    hilos = [threading.Thread(target=emitir) for _ in range(4)]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()

    assert errores == []
    assert Constancia.objects.filter(inscripcion=inscripcion).count() == 1


def test_con_certificado_la_constancia_emitida_se_guarda_firmada(
    regla, inscripcion, settings, tmp_path, client
):
    from tests.constancias.test_firma import _certificado, _estado

    ruta_cert, ruta_llave = _certificado(tmp_path)
    settings.CONSTANCIAS_FIRMA_CERT = str(ruta_cert)
    settings.CONSTANCIAS_FIRMA_KEY = str(ruta_llave)

    [constancia] = _emitir(regla, inscripcion).emitidas

    contenido = constancia.pdf.open("rb").read()
    assert constancia.firmada
    assert hashlib.sha256(contenido).hexdigest() == constancia.sha256
    estado = _estado(contenido, ruta_cert)
    assert estado.intact
    assert estado.valid
    assert estado.trusted
    # The signed file as downloaded is the one verification recognises.
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    archivo = SimpleUploadedFile("c.pdf", contenido, "application/pdf")
    html = client.post(reverse("constancias:verificar_formulario"), {"archivo": archivo})
    assert "Constancia válida" in html.content.decode()
