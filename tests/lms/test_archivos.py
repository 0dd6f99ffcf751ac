"""Private files: constancias, coordination exports and deliverables.

They live in the private storage, outside MEDIA_ROOT (so the `/media/` serving that
`make run` adds never reaches them), under names that carry no folio, id or sequence,
and reach people only through the views that check who asks.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib
import re
from pathlib import Path

import pytest

from django.apps import apps
from django.conf import settings
from django.conf.urls.static import static
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from constancias import services as servicios_constancias
from constancias.models import Constancia
from cursos import services_reportes
from cursos.models import ExportacionSolicitada
from cursos.tasks import exportar_registros_task
from evaluaciones import services as servicios_evaluaciones
from evaluaciones.models import Pregunta, Respuesta
from lms.archivos import almacen_privado, revisar_almacen_privado
from lms.models import Rol
from lms.services import asignar_rol
from tests.factories import EdicionFactory, InscripcionFactory, PreguntaFactory, UsuarioFactory
from tests.factories.constancias import ReglaConstanciaFactory, curso_completable
from tests.factories.evaluaciones import evaluacion_con
from tests.factories.evaluaciones_cursos import curso_impartido
from tests.factories.personas import SujetoObligadoFactory, entidad

pytestmark = pytest.mark.django_db

# <kind>/<year>/<128 random bits in hex>.<extension>: nothing a visitor could count or derive.
NOMBRE_PRIVADO = r"{carpeta}/\d{{4}}/[0-9a-f]{{32}}\.{extension}"


def _en_media(nombre: str) -> int:
    """Status of GET /media/<nombre> through the serving lms/urls.py adds under DEBUG.

    `make run` is the development server with DEBUG on, and lms/urls.py then appends
    `static(MEDIA_URL, document_root=MEDIA_ROOT)`: the same helper is used here.
    """
    with override_settings(DEBUG=True):
        [patron] = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
    coincidencia = patron.resolve(f"{settings.MEDIA_URL.lstrip('/')}{nombre}")
    assert coincidencia is not None
    solicitud = RequestFactory().get(f"{settings.MEDIA_URL}{nombre}")
    try:
        respuesta = coincidencia.func(solicitud, *coincidencia.args, **coincidencia.kwargs)
    except Http404:
        return 404
    return respuesta.status_code


def _archivos_en_media() -> list[Path]:
    raiz = Path(settings.MEDIA_ROOT)
    return [ruta for ruta in raiz.rglob("*") if ruta.is_file()] if raiz.exists() else []


def _cuerpo(respuesta) -> bytes:
    if getattr(respuesta, "streaming", False):
        return b"".join(respuesta.streaming_content)
    return respuesta.content


def _persona(clave: str = "09"):
    return UsuarioFactory(organizacion=SujetoObligadoFactory(entidad=entidad(clave)))


def test_la_carpeta_publica_si_se_sirve_en_desarrollo():
    """The check below means something: a public file is served by the same route."""
    nombre = default_storage.save("imagenes/logo.txt", ContentFile(b"publico"))
    assert _en_media(nombre) == 200


def test_constancia_fuera_de_media_con_nombre_no_adivinable(client):
    regla = ReglaConstanciaFactory(edicion=curso_completable(), automatica=False)
    inscripciones = [InscripcionFactory(edicion=regla.edicion, usuario=_persona()) for _ in (1, 2)]
    emitidas = servicios_constancias.emitir_constancias(
        regla=regla, inscripcion_ids=[i.pk for i in inscripciones], notificar=False
    ).emitidas
    assert len(emitidas) == 2
    for constancia in emitidas:
        nombre = constancia.pdf.name
        assert re.fullmatch(NOMBRE_PRIVADO.format(carpeta="constancias", extension="pdf"), nombre)
        assert constancia.folio not in nombre
        anio = constancia.emitida_en.year
        assert _en_media(nombre) == 404
        assert _en_media(f"constancias/{anio}/{constancia.folio}.pdf") == 404
    assert _archivos_en_media() == []

    constancia = emitidas[0]
    client.force_login(constancia.usuario)
    respuesta = client.get(reverse("constancias:descargar", args=[constancia.folio]))
    assert respuesta.status_code == 200
    assert f'filename="{constancia.folio}.pdf"' in respuesta["Content-Disposition"]
    assert hashlib.sha256(_cuerpo(respuesta)).hexdigest() == constancia.sha256

    client.force_login(emitidas[1].usuario)
    otra = client.get(reverse("constancias:descargar", args=[constancia.folio]))
    assert otra.status_code == 404


def test_exportacion_fuera_de_media_con_nombre_no_adivinable(client, monkeypatch):
    coordinador = UsuarioFactory(organizacion=None, entidad=None)
    asignar_rol(usuario=coordinador, rol=Rol.COORDINADOR_ESTATAL, entidad_id=entidad("14").pk)
    InscripcionFactory(usuario=_persona("14"))
    monkeypatch.setitem(services_reportes.MAX_FILAS_DIRECTAS, "csv", 0)
    client.force_login(coordinador)
    assert client.get(reverse("cursos:exportar", args=["csv"])).status_code == 302
    exportacion = ExportacionSolicitada.objects.get()
    exportar_registros_task.apply(args=[exportacion.pk])
    exportacion.refresh_from_db()

    nombre = exportacion.archivo.name
    assert re.fullmatch(NOMBRE_PRIVADO.format(carpeta="exportaciones", extension="csv"), nombre)
    assert str(exportacion.uid) not in nombre
    assert _en_media(nombre) == 404
    assert _archivos_en_media() == []

    url = reverse("cursos:exportacion_descargar", args=[exportacion.uid])
    respuesta = client.get(url)
    assert respuesta.status_code == 200
    assert 'filename="registros-de-acreditacion-' in respuesta["Content-Disposition"]
    assert _cuerpo(respuesta).startswith(b"\xef\xbb\xbf")

    otro = UsuarioFactory(organizacion=None, entidad=None)
    asignar_rol(usuario=otro, rol=Rol.COORDINADOR_ESTATAL, entidad_id=entidad("14").pk)
    client.force_login(otro)
    assert client.get(url).status_code == 404


def test_entregable_fuera_de_media_con_nombre_no_adivinable(client):
    pregunta = PreguntaFactory(tipo=Pregunta.Tipo.ENTREGABLE, extensiones_permitidas="pdf")
    instructor = UsuarioFactory()
    asignar_rol(usuario=instructor, rol=Rol.INSTRUCTOR)
    curso = curso_impartido(instructor)
    evaluacion = evaluacion_con(pregunta, curso=curso)
    persona = _persona()
    InscripcionFactory(edicion=EdicionFactory(curso=curso), usuario=persona)
    intento = servicios_evaluaciones.iniciar_intento(evaluacion=evaluacion, usuario=persona)
    servicios_evaluaciones.guardar_respuesta(
        intento_id=intento.pk,
        usuario=persona,
        clave=f"p{pregunta.pk}",
        datos={},
        archivo=SimpleUploadedFile("Mi tarea.pdf", b"%PDF-1.7 entregable privado"),
    )
    servicios_evaluaciones.enviar_intento(intento_id=intento.pk, usuario=persona)
    respuesta = Respuesta.objects.get(intento=intento)

    nombre = respuesta.archivo.name
    assert re.fullmatch(
        NOMBRE_PRIVADO.format(carpeta="evaluaciones/entregables", extension="pdf"), nombre
    )
    assert _en_media(nombre) == 404
    assert _archivos_en_media() == []

    url = reverse("evaluaciones:descargar_entregable", args=[respuesta.pk])
    client.force_login(instructor)
    descarga = client.get(url)
    assert descarga.status_code == 200
    assert "Mi tarea.pdf" in descarga["Content-Disposition"]
    assert _cuerpo(descarga) == b"%PDF-1.7 entregable privado"

    ajeno = UsuarioFactory()
    asignar_rol(usuario=ajeno, rol=Rol.INSTRUCTOR)
    curso_impartido(ajeno, evaluacion_con(PreguntaFactory(tipo=Pregunta.Tipo.ENSAYO)))
    client.force_login(ajeno)
    assert client.get(url).status_code in (403, 404)


def test_exportaciones_vencidas_se_borran_con_su_archivo_privado(client, monkeypatch):
    coordinador = UsuarioFactory(organizacion=None, entidad=None)
    asignar_rol(usuario=coordinador, rol=Rol.COORDINADOR_NACIONAL)
    InscripcionFactory(usuario=_persona("14"))
    monkeypatch.setitem(services_reportes.MAX_FILAS_DIRECTAS, "csv", 0)
    client.force_login(coordinador)
    client.get(reverse("cursos:exportar", args=["csv"]))
    exportacion = ExportacionSolicitada.objects.get()
    exportar_registros_task.apply(args=[exportacion.pk])
    exportacion.refresh_from_db()
    nombre = exportacion.archivo.name
    assert almacen_privado.exists(nombre)

    borradas = services_reportes.borrar_exportaciones_vencidas(
        ahora=exportacion.expira_en + datetime.timedelta(seconds=1)
    )

    assert borradas == 1
    assert not ExportacionSolicitada.objects.exists()
    assert not almacen_privado.exists(nombre)


# --- Deployments that already hold files in MEDIA_ROOT -----------------------------------


def _migracion(app: str, nombre: str):
    return importlib.import_module(f"{app}.migrations.{nombre}")


def _publicar(nombre: str, contenido: bytes) -> str:
    guardado = default_storage.save(nombre, ContentFile(contenido))
    assert guardado == nombre
    return guardado


def test_migraciones_sacan_de_media_los_archivos_existentes(client):
    regla = ReglaConstanciaFactory(edicion=curso_completable(), automatica=False)
    inscripcion = InscripcionFactory(edicion=regla.edicion, usuario=_persona())
    [constancia] = servicios_constancias.emitir_constancias(
        regla=regla, inscripcion_ids=[inscripcion.pk], notificar=False
    ).emitidas
    # As the landed code stored it: public, named by its folio.
    with constancia.pdf.open("rb") as archivo:
        contenido = archivo.read()
    almacen_privado.delete(constancia.pdf.name)
    antiguo = _publicar(f"constancias/2026/{constancia.folio}.pdf", contenido)
    Constancia.objects.filter(pk=constancia.pk).update(pdf=antiguo)
    huerfano = _publicar("constancias/2026/TP-2026-000099.pdf", b"%PDF-1.7 sin fila")

    coordinador = UsuarioFactory(organizacion=None, entidad=None)
    asignar_rol(usuario=coordinador, rol=Rol.COORDINADOR_ESTATAL, entidad_id=entidad("09").pk)
    exportacion = ExportacionSolicitada.objects.create(
        solicitante=coordinador,
        formato="csv",
        estado=ExportacionSolicitada.Estado.LISTA,
        expira_en=timezone.now() + datetime.timedelta(hours=1),
    )
    ExportacionSolicitada.objects.filter(pk=exportacion.pk).update(
        archivo=_publicar(f"exportaciones/{exportacion.uid}/registros.csv", b"\xef\xbb\xbfa,b\n")
    )
    pregunta = PreguntaFactory(tipo=Pregunta.Tipo.ENTREGABLE, extensiones_permitidas="pdf")
    nacional = UsuarioFactory()
    asignar_rol(usuario=nacional, rol=Rol.COORDINADOR_NACIONAL)
    intento = servicios_evaluaciones.iniciar_intento(
        evaluacion=evaluacion_con(pregunta), usuario=nacional
    )
    respuesta = Respuesta.objects.create(
        intento=intento,
        clave=f"p{pregunta.pk}",
        archivo=_publicar(f"evaluaciones/entregables/{intento.pk}/a1b2.pdf", b"%PDF-1.7 tarea"),
        archivo_nombre="Tarea.pdf",
        guardada_en=timezone.now(),
    )
    assert len(_archivos_en_media()) == 4

    for _vez in (1, 2):  # a second run (an interrupted one resumed) changes nothing
        _migracion("constancias", "0005_mover_pdf_a_almacen_privado").mover(apps, None)
        _migracion("cursos", "0010_mover_exportaciones_y_anotar_alcance").anotar_alcance(apps, None)
        _migracion("cursos", "0010_mover_exportaciones_y_anotar_alcance").mover(apps, None)
        _migracion("evaluaciones", "0008_mover_entregables_a_almacen_privado").mover(apps, None)
        assert _archivos_en_media() == []

    constancia.refresh_from_db()
    exportacion.refresh_from_db()
    respuesta.refresh_from_db()
    for objeto, carpeta, extension, datos in (
        (constancia.pdf, "constancias", "pdf", contenido),
        (exportacion.archivo, "exportaciones", "csv", b"\xef\xbb\xbfa,b\n"),
        (respuesta.archivo, "evaluaciones/entregables", "pdf", b"%PDF-1.7 tarea"),
    ):
        patron = NOMBRE_PRIVADO.format(carpeta=carpeta, extension=extension)
        assert re.fullmatch(patron, objeto.name)
        with objeto.open("rb") as archivo:
            assert archivo.read() == datos
    with almacen_privado.open(f"sin-referencia/{huerfano}", "rb") as archivo:
        assert archivo.read() == b"%PDF-1.7 sin fila"

    client.force_login(constancia.usuario)
    descarga = client.get(reverse("constancias:descargar", args=[constancia.folio]))
    assert _cuerpo(descarga) == contenido
    # The export's scope is its requester's present one: still Mexico City's coordinator.
    client.force_login(coordinador)
    url = reverse("cursos:exportacion_descargar", args=[exportacion.uid])
    assert _cuerpo(client.get(url)) == b"\xef\xbb\xbfa,b\n"


def test_exportacion_antigua_de_quien_ya_no_coordina_no_se_descarga(client):
    persona = _persona()
    exportacion = ExportacionSolicitada.objects.create(
        solicitante=persona,
        formato="csv",
        estado=ExportacionSolicitada.Estado.LISTA,
        archivo="exportaciones/antigua.csv",
        expira_en=timezone.now() + datetime.timedelta(hours=1),
    )
    _migracion("cursos", "0010_mover_exportaciones_y_anotar_alcance").anotar_alcance(apps, None)
    exportacion.refresh_from_db()
    assert not exportacion.nacional
    assert not exportacion.entidades.exists()
    # Even if a role comes back later, an export with no recorded scope stays closed.
    asignar_rol(usuario=persona, rol=Rol.COORDINADOR_ESTATAL, entidad_id=entidad("09").pk)
    client.force_login(persona)
    url = reverse("cursos:exportacion_descargar", args=[exportacion.uid])
    assert client.get(url).status_code == 404


# --- The system check --------------------------------------------------------------------


def test_revision_rechaza_archivos_privados_dentro_de_media(settings):
    assert revisar_almacen_privado() == []
    settings.STORAGES = {
        **settings.STORAGES,
        "privado": {
            "BACKEND": "lms.archivos.AlmacenPrivadoLocal",
            "OPTIONS": {"location": Path(settings.MEDIA_ROOT) / "privado"},
        },
    }
    assert [error.id for error in revisar_almacen_privado()] == ["lms.E103"]


def test_revision_exige_prefijo_propio_en_el_mismo_bucket(settings):
    s3 = {"BACKEND": "storages.backends.s3.S3Storage"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**s3, "OPTIONS": {"bucket_name": "lms"}},
        "privado": {**s3, "OPTIONS": {"bucket_name": "lms", "location": ""}},
    }
    assert [error.id for error in revisar_almacen_privado()] == ["lms.E104"]
    settings.STORAGES["privado"]["OPTIONS"]["location"] = "privado"
    assert revisar_almacen_privado() == []


def test_sin_url_publica_en_disco():
    with pytest.raises(ValueError, match="no public URL"):
        almacen_privado.url("constancias/2026/x.pdf")
