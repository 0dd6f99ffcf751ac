"""Issuance renders outside the folio lock and still keeps every guarantee.

The PDF is rendered, signed and stored with no write transaction open; the folios are
reserved before in a short write and the rows inserted after in another one. These tests
check that no row ever exists without its file, that lost races keep the other people's
folios and files, that unused folios are given back (or stay as gaps when they cannot
be), and that a bulk job chunk processed twice commits once.
"""

import hashlib
import io
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader

from django.db import connection, transaction

from constancias import pdf, selectors, services
from constancias.models import Constancia, SerieFolio, TrabajoEmision
from tests.factories import InscripcionFactory
from tests.factories.constancias import ReglaConstanciaFactory, curso_completable

pytestmark = pytest.mark.django_db


def _emitir(regla, *inscripciones, **kw):
    return services.emitir_constancias(
        regla=regla, inscripcion_ids=[i.pk for i in inscripciones], **kw
    )


def _pdfs(settings):
    """Stored names of the constancia PDFs in the private storage of this test."""
    raiz = Path(settings.STORAGES["privado"]["OPTIONS"]["location"])
    carpeta = raiz / "constancias"
    return sorted(p.relative_to(raiz).as_posix() for p in carpeta.rglob("*.pdf"))


@pytest.mark.django_db(transaction=True)
def test_el_pdf_se_genera_sin_transaccion_abierta(settings, monkeypatch):
    regla = ReglaConstanciaFactory(edicion=curso_completable())
    inscripciones = [InscripcionFactory(edicion=regla.edicion) for _ in range(3)]
    original = pdf.renderizar_constancias
    durante = []

    def vigila(diseno, lote):
        durante.append(connection.in_atomic_block)
        return original(diseno, lote)

    monkeypatch.setattr(pdf, "renderizar_constancias", vigila)
    resultado = _emitir(regla, *inscripciones)

    assert durante == [False]
    assert len(resultado.emitidas) == 3


@pytest.mark.django_db(transaction=True)
def test_trozo_de_trabajo_se_genera_sin_transaccion_abierta(
    settings, monkeypatch, coordinador_nacional
):
    regla = ReglaConstanciaFactory(edicion=curso_completable())
    for _ in range(3):
        InscripcionFactory(edicion=regla.edicion)
    trabajo = services.crear_trabajo_emision(regla=regla, solicitante=coordinador_nacional)
    original = pdf.renderizar_constancias
    durante = []

    def vigila(diseno, lote):
        durante.append(connection.in_atomic_block)
        return original(diseno, lote)

    monkeypatch.setattr(pdf, "renderizar_constancias", vigila)
    trabajo = services.procesar_trabajo_emision(trabajo_id=trabajo.pk)

    assert durante == [False]
    assert (trabajo.estado, trabajo.emitidas) == (TrabajoEmision.Estado.TERMINADO, 3)


def test_ninguna_fila_existe_sin_su_pdf(regla, inscribir, monkeypatch):
    """When the rows are inserted every file is already stored with the recorded hash."""
    inscripciones = [inscribir() for _ in range(4)]
    original = Constancia.objects.bulk_create
    revisadas = []

    def revisa(objetos, *args, **kwargs):
        for constancia in objetos:
            with constancia.pdf.open("rb") as archivo:
                assert hashlib.sha256(archivo.read()).hexdigest() == constancia.sha256
            revisadas.append(constancia.folio)
        return original(objetos, *args, **kwargs)

    monkeypatch.setattr(Constancia.objects, "bulk_create", revisa)
    resultado = _emitir(regla, *inscripciones)

    assert sorted(revisadas) == sorted(c.folio for c in resultado.emitidas)
    assert len(revisadas) == 4


def test_carrera_perdida_por_una_persona_no_tira_a_las_demas(
    regla, inscribir, monkeypatch, settings
):
    """Only the person a concurrent issuer beat is dropped; the others keep the folio
    and file they were rendered with, and the loser's folio stays as a documented gap."""
    ganadora_insc, otra = inscribir(), inscribir()
    [ganadora] = _emitir(regla, ganadora_insc).emitidas
    original = selectors.vigentes_por_inscripcion
    lecturas = []

    def lectura_atrasada(regla, ids):
        lecturas.append(1)
        return {} if len(lecturas) == 1 else original(regla, ids)

    monkeypatch.setattr(selectors, "vigentes_por_inscripcion", lectura_atrasada)
    resultado = _emitir(regla, ganadora_insc, otra)

    [nueva] = resultado.emitidas
    nueva.refresh_from_db()
    assert resultado.ya_emitidas == 1
    assert nueva.inscripcion_id == otra.pk
    # Enrolments are rendered in pk order: the winner's person got 000002, the other 000003.
    assert nueva.folio.endswith("-000003")
    with nueva.pdf.open("rb") as archivo:
        contenido = archivo.read()
    assert hashlib.sha256(contenido).hexdigest() == nueva.sha256
    assert nueva.folio in PdfReader(io.BytesIO(contenido)).pages[0].extract_text()
    assert _pdfs(settings) == sorted([ganadora.pdf.name, nueva.pdf.name])
    assert list(Constancia.objects.filter(inscripcion=ganadora_insc)) == [ganadora]


def test_folios_sin_usar_se_devuelven_si_nadie_reservo_despues(regla, inscripcion, monkeypatch):
    original = pdf.renderizar_constancias

    def falla(diseno, lote):
        raise OSError("disco lleno")

    monkeypatch.setattr(pdf, "renderizar_constancias", falla)
    with pytest.raises(OSError, match="disco lleno"):
        _emitir(regla, inscripcion)
    monkeypatch.setattr(pdf, "renderizar_constancias", original)

    [constancia] = _emitir(regla, inscripcion).emitidas
    assert constancia.folio.endswith("-000001")


def test_folios_sin_usar_quedan_como_hueco_si_otro_reservo_despues(regla, inscribir, monkeypatch):
    primera, segunda = inscribir(), inscribir()
    original = pdf.renderizar_constancias

    def otro_emisor_reserva_y_falla(diseno, lote):
        # A concurrent issuer reserves the next folio while this one renders.
        serie = SerieFolio.objects.get()
        services.asignar_folio(serie=serie)
        raise OSError("disco lleno")

    monkeypatch.setattr(pdf, "renderizar_constancias", otro_emisor_reserva_y_falla)
    with pytest.raises(OSError, match="disco lleno"):
        _emitir(regla, primera)
    monkeypatch.setattr(pdf, "renderizar_constancias", original)

    [constancia] = _emitir(regla, segunda).emitidas
    # 000001 was reserved by the failed issue and cannot be given back (000002 is taken).
    assert constancia.folio.endswith("-000003")


def test_devolver_numeros_solo_si_son_los_ultimos():
    serie = services.obtener_serie(prefijo="HX", anio=2026)
    bloque = services.reservar_numeros(serie=serie, cantidad=3)
    assert list(bloque) == [1, 2, 3]
    siguiente = services.reservar_numeros(serie=serie, cantidad=1)
    assert not services.devolver_numeros(serie=serie, numeros=bloque)
    assert services.devolver_numeros(serie=serie, numeros=siguiente)
    assert services.asignar_folio(serie=serie) == "HX-2026-000004"


def test_trozo_procesado_por_dos_trabajadores_se_confirma_una_vez(
    regla, inscribir, coordinador_nacional, monkeypatch, settings
):
    """A redelivered message runs the same chunk while the first worker renders it: the
    first to commit wins; the other finds the counter moved and discards its files."""
    for _ in range(3):
        inscribir()
    trabajo = services.crear_trabajo_emision(regla=regla, solicitante=coordinador_nacional)
    original = pdf.renderizar_constancias
    llamadas = []

    def segundo_trabajador_se_adelanta(diseno, lote):
        llamadas.append(len(lote))
        if len(llamadas) == 1:
            monkeypatch.setattr(pdf, "renderizar_constancias", original)
            assert not services.procesar_trozo_trabajo(trabajo_id=trabajo.pk, tamano=3)
        return original(diseno, lote)

    monkeypatch.setattr(pdf, "renderizar_constancias", segundo_trabajador_se_adelanta)
    assert not services.procesar_trozo_trabajo(trabajo_id=trabajo.pk, tamano=3)

    trabajo.refresh_from_db()
    assert (trabajo.hechas, trabajo.emitidas, trabajo.estado) == (
        3,
        3,
        TrabajoEmision.Estado.TERMINADO,
    )
    folios = sorted(Constancia.objects.values_list("folio", flat=True))
    assert len(folios) == 3
    assert _pdfs(settings) == sorted(Constancia.objects.values_list("pdf", flat=True))


def test_trabajador_muerto_al_insertar_no_deja_filas_y_se_reanuda(
    regla, inscribir, coordinador_nacional, monkeypatch
):
    cinco = [inscribir() for _ in range(5)]
    trabajo = services.crear_trabajo_emision(regla=regla, solicitante=coordinador_nacional)
    assert services.procesar_trozo_trabajo(trabajo_id=trabajo.pk, tamano=2)
    original = Constancia.objects.bulk_create

    def muere(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(Constancia.objects, "bulk_create", muere)
    with pytest.raises(SystemExit):
        services.procesar_trozo_trabajo(trabajo_id=trabajo.pk, tamano=2)
    monkeypatch.setattr(Constancia.objects, "bulk_create", original)
    trabajo.refresh_from_db()
    assert (trabajo.hechas, Constancia.objects.count()) == (2, 2)

    trabajo = services.procesar_trabajo_emision(trabajo_id=trabajo.pk)
    assert trabajo.emitidas == 5
    assert sorted(Constancia.objects.values_list("inscripcion_id", flat=True)) == sorted(
        i.pk for i in cinco
    )


def test_reemision_dentro_de_su_transaccion_sigue_atomica(regla, inscripcion, coordinador_nacional):
    [vieja] = _emitir(regla, inscripcion).emitidas
    nueva = services.reemplazar_constancia(
        constancia=vieja, motivo="Corrección del nombre", usuario=coordinador_nacional
    )
    vieja.refresh_from_db()
    assert vieja.reemplazada_por == nueva
    assert nueva.folio != vieja.folio
    with nueva.pdf.open("rb") as archivo:
        assert hashlib.sha256(archivo.read()).hexdigest() == nueva.sha256


def _solo_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("Hilos con conexiones propias: se prueba contra PostgreSQL (DATABASE_URL).")


@pytest.mark.django_db(transaction=True)
def test_dos_emisores_de_la_misma_serie_renderizan_a_la_vez_en_postgresql(monkeypatch):
    """Both issuers are inside the renderer at the same time: the series is not locked
    while a PDF is generated (with the lock held the barrier would time out)."""
    _solo_postgresql()
    regla = ReglaConstanciaFactory(edicion=curso_completable())
    inscripciones = [InscripcionFactory(edicion=regla.edicion) for _ in range(2)]
    original = pdf.renderizar_constancias
    barrera = threading.Barrier(2, timeout=30)

    def espera_al_otro(diseno, lote):
        barrera.wait()
        return original(diseno, lote)

    monkeypatch.setattr(pdf, "renderizar_constancias", espera_al_otro)
    errores = []

    def emitir(inscripcion):
        try:
            services.emitir_constancias(regla=regla, inscripcion_ids=[inscripcion.pk])
        except Exception as error:  # noqa: BLE001
            errores.append(error)
        finally:
            connection.close()

    hilos = [threading.Thread(target=emitir, args=(i,)) for i in inscripciones]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()

    assert errores == []
    folios = sorted(Constancia.objects.values_list("folio", flat=True))
    assert [f[-6:] for f in folios] == ["000001", "000002"]


@pytest.mark.django_db(transaction=True)
def test_muchos_hilos_sobre_las_mismas_personas_emiten_una_vez_en_postgresql(settings):
    """Six threads issue to the same ten people at once: ten constancias, ten files,
    unique folios; whoever lost a race skipped the person."""
    _solo_postgresql()
    regla = ReglaConstanciaFactory(edicion=curso_completable())
    ids = [InscripcionFactory(edicion=regla.edicion).pk for _ in range(10)]
    barrera = threading.Barrier(6, timeout=30)
    resultados, errores = [], []

    def emitir(orden):
        try:
            barrera.wait()
            mios = ids if orden % 2 else list(reversed(ids))
            resultados.append(services.emitir_constancias(regla=regla, inscripcion_ids=mios))
        except Exception as error:  # noqa: BLE001
            errores.append(error)
        finally:
            connection.close()

    hilos = [threading.Thread(target=emitir, args=(n,)) for n in range(6)]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()

    assert errores == []
    constancias = list(Constancia.objects.all())
    assert sorted(c.inscripcion_id for c in constancias) == sorted(ids)
    assert sum(len(r.emitidas) for r in resultados) == 10
    assert _pdfs(settings) == sorted(c.pdf.name for c in constancias)
    for constancia in constancias:
        with constancia.pdf.open("rb") as archivo:
            assert hashlib.sha256(archivo.read()).hexdigest() == constancia.sha256
    with transaction.atomic():
        assert SerieFolio.objects.get().ultimo >= 10
