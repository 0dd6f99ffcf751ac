"""Bulk issuance by coordinators: scoped, resumable after a crash, progress, downloads."""

import io
import zipfile

import pytest
from pypdf import PdfReader

from django.urls import reverse
from django.utils import timezone

from constancias import pdf, services, tasks
from constancias.models import Constancia, TrabajoEmision
from cursos import services as services_cursos
from lms.models import Rol
from lms.services import asignar_rol, retirar_rol
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db


@pytest.fixture
def cinco(inscribir):
    return [inscribir("09") for _ in range(3)] + [inscribir("14") for _ in range(2)]


def test_coordinacion_estatal_emite_solo_su_entidad(regla, cinco, coordinador_cdmx):
    trabajo = services.crear_trabajo_emision(regla=regla, solicitante=coordinador_cdmx)
    services.procesar_trabajo_emision(trabajo_id=trabajo.pk)

    trabajo.refresh_from_db()
    assert trabajo.total == 3
    assert trabajo.estado == TrabajoEmision.Estado.TERMINADO
    assert set(Constancia.objects.values_list("usuario__entidad__clave_inegi", flat=True)) == {"09"}


def test_nacional_elige_una_entidad(regla, cinco, coordinador_nacional):
    trabajo = services.crear_trabajo_emision(
        regla=regla, solicitante=coordinador_nacional, entidad=entidad("14")
    )
    assert trabajo.total == 2


def test_participante_no_puede_emitir_en_bloque(regla, cinco):
    with pytest.raises(services.ErrorConstancia):
        services.crear_trabajo_emision(regla=regla, solicitante=cinco[0].usuario)


def test_trabajo_caido_a_la_mitad_se_reanuda_sin_duplicar_ni_omitir(
    regla, cinco, coordinador_nacional, monkeypatch
):
    trabajo = services.crear_trabajo_emision(regla=regla, solicitante=coordinador_nacional)
    assert services.procesar_trozo_trabajo(trabajo_id=trabajo.pk, tamano=2)

    # The worker dies in the middle of the second chunk (after rendering one constancia).
    original = pdf.renderizar_constancias

    def muere(diseno, lote):
        original(diseno, lote[:1])
        raise SystemExit("worker killed")

    monkeypatch.setattr(pdf, "renderizar_constancias", muere)
    with pytest.raises(SystemExit):
        services.procesar_trozo_trabajo(trabajo_id=trabajo.pk, tamano=2)
    monkeypatch.setattr(pdf, "renderizar_constancias", original)
    trabajo.refresh_from_db()
    assert (trabajo.hechas, Constancia.objects.count()) == (2, 2)

    # The redelivered message runs the job again from the start.
    assert tasks.procesar_trabajo_emision_task.apply(args=[trabajo.pk]).get() == 5

    trabajo.refresh_from_db()
    assert trabajo.estado == TrabajoEmision.Estado.TERMINADO
    assert trabajo.emitidas == 5
    assert sorted(Constancia.objects.values_list("inscripcion_id", flat=True)) == sorted(
        i.pk for i in cinco
    )
    folios = list(Constancia.objects.values_list("folio", flat=True))
    assert len(set(folios)) == 5
    # Running a finished job again changes nothing.
    services.procesar_trabajo_emision(trabajo_id=trabajo.pk)
    assert Constancia.objects.count() == 5


def test_trabajo_anota_quien_no_es_elegible(regla, inscribir, coordinador_nacional):
    inscribir()
    sin_nombre = inscribir(first_name="", last_name="")
    trabajo = services.crear_trabajo_emision(regla=regla, solicitante=coordinador_nacional)
    trabajo = services.procesar_trabajo_emision(trabajo_id=trabajo.pk)
    assert trabajo.emitidas == 1
    assert [e["inscripcion"] for e in trabajo.errores] == [sin_nombre.pk]
    assert "nombre" in trabajo.errores[0]["motivo"]


def test_barrido_reencola_trabajos_detenidos(regla, cinco, coordinador_nacional, monkeypatch):
    trabajo = services.crear_trabajo_emision(regla=regla, solicitante=coordinador_nacional)
    TrabajoEmision.objects.filter(pk=trabajo.pk).update(
        actualizado_en=timezone.now() - timezone.timedelta(hours=1)
    )
    encolados = []
    monkeypatch.setattr(tasks.procesar_trabajo_emision_task, "delay", encolados.append)
    tasks.emitir_constancias_pendientes_task.apply()
    assert encolados == [trabajo.pk]


def test_pagina_de_regla_muestra_elegibilidad_y_lanza_trabajo(
    client, regla, cinco, coordinador_cdmx, django_capture_on_commit_callbacks, monkeypatch
):
    encolados = []
    monkeypatch.setattr(tasks.procesar_trabajo_emision_task, "delay", encolados.append)
    client.force_login(coordinador_cdmx)
    url = reverse("constancias:regla", args=[regla.pk])

    pagina = client.get(url)
    assert pagina.status_code == 200
    assert pagina.content.decode().count(">Sí<") == 3  # only CDMX people are listed

    with django_capture_on_commit_callbacks(execute=True):
        respuesta = client.post(url, {"entidad": ""})
    trabajo = TrabajoEmision.objects.get()
    assert respuesta.url == reverse("constancias:trabajo", args=[trabajo.pk])
    assert encolados == [trabajo.pk]

    progreso = client.get(respuesta.url).content.decode()
    assert 'role="progressbar"' in progreso
    assert 'aria-valuenow="0"' in progreso
    assert "0 de 3 personas revisadas" in progreso

    services.procesar_trabajo_emision(trabajo_id=trabajo.pk)
    estado = client.get(reverse("constancias:trabajo_estado", args=[trabajo.pk])).json()
    assert estado["porcentaje"] == 100
    assert estado["terminado"] is True
    assert estado["emitidas"] == 3


def test_pagina_de_regla_es_404_para_participantes(client, regla, cinco):
    client.force_login(cinco[0].usuario)
    assert client.get(reverse("constancias:regla", args=[regla.pk])).status_code == 404


def test_trabajo_ajeno_es_404_para_otra_coordinacion(
    client, regla, cinco, coordinador_cdmx, coordinador_jalisco
):
    trabajo = services.crear_trabajo_emision(regla=regla, solicitante=coordinador_cdmx)
    client.force_login(coordinador_jalisco)
    assert client.get(reverse("constancias:trabajo_estado", args=[trabajo.pk])).status_code == 404


@pytest.fixture
def emitidas(regla, cinco):
    return services.emitir_constancias(regla=regla, inscripcion_ids=[i.pk for i in cinco]).emitidas


def _zip(respuesta) -> zipfile.ZipFile:
    assert respuesta.streaming
    return zipfile.ZipFile(io.BytesIO(b"".join(respuesta.streaming_content)))


def test_zip_por_entidad_se_transmite_y_trae_los_archivos_emitidos(
    client, regla, emitidas, coordinador_nacional
):
    client.force_login(coordinador_nacional)
    url = reverse("constancias:zip", args=[regla.pk])

    archivo = _zip(client.get(url, {"entidad": entidad("14").pk}))

    assert archivo.testzip() is None
    nombres = archivo.namelist()
    assert len(nombres) == 2
    assert all(nombre.startswith("jalisco/") for nombre in nombres)
    por_folio = {c.folio: c for c in emitidas}
    for nombre in nombres:
        constancia = por_folio[nombre.split("/")[1].removesuffix(".pdf")]
        assert archivo.read(nombre) == constancia.pdf.open("rb").read()


def test_zip_de_coordinacion_estatal_no_incluye_otras_entidades(
    client, regla, emitidas, coordinador_cdmx
):
    client.force_login(coordinador_cdmx)
    url = reverse("constancias:zip", args=[regla.pk])

    assert len(_zip(client.get(url)).namelist()) == 3
    assert client.get(url, {"entidad": entidad("14").pk}).status_code == 404


def test_zip_por_institucion(client, regla, emitidas, coordinador_nacional):
    client.force_login(coordinador_nacional)
    organizacion = emitidas[0].usuario.organizacion
    respuesta = client.get(
        reverse("constancias:zip", args=[regla.pk]), {"organizacion": organizacion.pk}
    )
    assert len(_zip(respuesta).namelist()) == 1


def test_pdf_para_imprimir_une_todas(client, regla, emitidas, coordinador_nacional):
    client.force_login(coordinador_nacional)
    respuesta = client.get(reverse("constancias:impresion", args=[regla.pk]))
    lector = PdfReader(io.BytesIO(b"".join(respuesta.streaming_content)))
    assert len(lector.pages) == 5
    texto = " ".join(p.extract_text() for p in lector.pages)
    assert all(c.folio in texto for c in emitidas)


@pytest.mark.parametrize("personas", [2, 12])
def test_pagina_de_regla_hace_consultas_acotadas(
    client, regla, inscribir, coordinador_nacional, django_assert_max_num_queries, personas
):
    inscritas = [inscribir() for _ in range(personas)]
    # As after enrolling through the site: progress computed (the factory skips it).
    services_cursos.recalcular_pendientes()
    services.emitir_constancias(regla=regla, inscripcion_ids=[i.pk for i in inscritas[:1]])
    client.force_login(coordinador_nacional)
    with django_assert_max_num_queries(31):
        respuesta = client.get(reverse("constancias:regla", args=[regla.pk]))
    assert respuesta.content.decode().count(">Sí<") == personas


def test_coordinacion_retirada_o_cambiada_de_entidad_no_descarga_zip_ni_impresion(
    client, regla, emitidas, coordinador_cdmx
):
    zip_url = reverse("constancias:zip", args=[regla.pk])
    impresion = reverse("constancias:impresion", args=[regla.pk])
    client.force_login(coordinador_cdmx)
    assert len(_zip(client.get(zip_url)).namelist()) == 3

    # Moved to Jalisco: Mexico City's constancias are out of reach, Jalisco's are not.
    asignar_rol(usuario=coordinador_cdmx, rol=Rol.COORDINADOR_ESTATAL, entidad_id=entidad("14").pk)
    retirar_rol(usuario=coordinador_cdmx, rol=Rol.COORDINADOR_ESTATAL, entidad_id=entidad("09").pk)
    assert client.get(zip_url, {"entidad": entidad("09").pk}).status_code == 404
    nombres = _zip(client.get(zip_url)).namelist()
    assert len(nombres) == 2
    assert all(nombre.startswith("jalisco/") for nombre in nombres)

    # No coordinator role left: nothing is sent.
    retirar_rol(usuario=coordinador_cdmx, rol=Rol.COORDINADOR_ESTATAL, entidad_id=entidad("14").pk)
    for url in (zip_url, impresion):
        respuesta = client.get(url)
        assert respuesta.status_code == 404
        assert "Content-Disposition" not in respuesta
