"""Coordination reports: figures, derived funnel, exports, kardex, audit and scope."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cursos import reportes, services, services_reportes
from cursos.models import ExportacionSolicitada, Inscripcion, ProgresoLeccion
from cursos.tasks import enviar_reportes_semanales_task, exportar_registros_task
from evaluaciones.models import Intento
from lms.models import RegistroAuditoria, Rol
from lms.services import asignar_rol, retirar_rol
from tests.factories import (
    AsignacionRolFactory,
    EdicionFactory,
    EvaluacionFactory,
    InscripcionFactory,
    SujetoObligadoFactory,
    UsuarioFactory,
)
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db


def _coordinador(clave=None, rol=Rol.COORDINADOR_ESTATAL):
    usuario = UsuarioFactory(organizacion=None, entidad=None)
    AsignacionRolFactory(usuario=usuario, rol=rol, entidad=entidad(clave) if clave else None)
    return usuario


def _persona(clave, **kw):
    return UsuarioFactory(organizacion=SujetoObligadoFactory(entidad=entidad(clave)), **kw)


def _completar_teorica(inscripcion, curso, evaluacion, porcentaje="90"):
    for leccion in curso.lecciones[:2]:
        ProgresoLeccion.objects.create(inscripcion=inscripcion, leccion=leccion)
    ahora = timezone.now()
    Intento.objects.create(
        evaluacion=evaluacion,
        usuario=inscripcion.usuario,
        numero=1,
        iniciado_en=ahora,
        enviado_en=ahora,
        calificado_en=ahora,
        estado=Intento.Estado.CALIFICADO,
        porcentaje=Decimal(porcentaje),
    )
    # What the receivers of the facts' services do.
    services.actualizar_completitud(inscripcion=inscripcion)


def _constancia(inscripcion, folio, *, estado="vigente", emitida_en=None):
    from constancias.models import Constancia
    from tests.factories.constancias import PlantillaConstanciaFactory, SerieFolioFactory

    return Constancia.objects.create(
        usuario=inscripcion.usuario,
        edicion=inscripcion.edicion,
        inscripcion=inscripcion,
        tipo="acreditacion",
        alcance="curso",
        plantilla=PlantillaConstanciaFactory(),
        serie=SerieFolioFactory(),
        folio=folio,
        instantanea={},
        pdf="constancias/prueba.pdf",
        sha256="0" * 64,
        emitida_en=emitida_en or timezone.now(),
        estado=estado,
        revocada_en=timezone.now() if estado == "revocada" else None,
    )


@pytest.fixture
def escenario(curso, edicion):
    """Jalisco: 3 enrolled (one finished phase 1, one withdrawn); CDMX: 2 enrolled."""
    evaluacion = EvaluacionFactory(puntaje_aprobatorio=Decimal("70"))
    curso.teorica.evaluacion = evaluacion
    curso.teorica.save_revision().publish()
    jal = [
        InscripcionFactory(edicion=edicion, usuario=_persona("14", curp=f"PEGJ85010{i}HDFRNN09"))
        for i in range(3)
    ]
    cdmx = [InscripcionFactory(edicion=edicion, usuario=_persona("09")) for _ in range(2)]
    _completar_teorica(jal[0], curso, evaluacion)
    _completar_teorica(cdmx[0], curso, evaluacion, porcentaje="40")
    Inscripcion.objects.filter(pk=jal[2].pk).update(
        estado=Inscripcion.Estado.RETIRADA, retirada_en=timezone.now()
    )
    return {
        "jal": jal,
        "cdmx": cdmx,
        "evaluacion": evaluacion,
        "coord_jal": _coordinador("14"),
        "nacional": _coordinador(rol=Rol.COORDINADOR_NACIONAL),
    }


def _csv(respuesta):
    contenido = b"".join(respuesta.streaming_content)
    assert contenido.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(contenido.decode("utf-8-sig"))))


# --- Selectors ----------------------------------------------------------------


def test_tablero_del_coordinador_estatal_solo_cuenta_su_estado(escenario):
    datos = reportes.tablero(escenario["coord_jal"], reportes.Filtros())
    assert datos.cifras.inscritas == 3
    assert datos.cifras.activas == 2
    assert datos.cifras.fases_completadas == (1, 0)
    assert [f.clave for f in datos.por_entidad] == ["14"]
    assert sum(datos.puntajes) == 1


def test_tablero_nacional_ve_todos_los_estados_y_el_histograma(escenario):
    datos = reportes.tablero(escenario["nacional"], reportes.Filtros())
    assert datos.cifras.inscritas == 5
    assert [f.clave for f in datos.por_entidad] == ["09", "14"]
    # 40 falls in the 40–49 bucket and 90 in the 90–100 one; only 90 passes phase 1.
    assert datos.puntajes[4] == 1
    assert datos.puntajes[9] == 1
    assert datos.cifras.fases_completadas[0] == 1


def test_el_embudo_coincide_con_la_derivacion_de_cada_persona(escenario):
    from cursos.selectors import estados_derivados as estados_de

    qs = reportes.inscripciones_filtradas(escenario["nacional"], reportes.Filtros())
    inscripciones = list(qs.select_related("edicion", "edicion__curso"))
    seguidas = []
    for estado in estados_de(inscripciones).values():
        n = 0
        for fase in estado.fases:
            if not fase.completa:
                break
            n += 1
        seguidas.append(n)
    esperado = tuple(sum(1 for n in seguidas if n >= k) for k in (1, 2))
    cifras = reportes.tablero(escenario["nacional"], reportes.Filtros()).cifras
    assert cifras.fases_completadas == esperado
    assert esperado[0] == 1
    por_registro = {r.inscripcion_id: r.avance for r in reportes.registros(qs)}
    assert por_registro == {
        i.pk: estado.porcentaje
        for i, estado in zip(inscripciones, estados_de(inscripciones).values(), strict=True)
    }


def test_inscripciones_por_mes_en_la_zona_del_sitio(escenario):
    # 03:00 UTC on March 1st is still February 28th in Mexico City (UTC-6).
    limite = datetime.datetime(2026, 3, 1, 3, 0, tzinfo=datetime.UTC)
    Inscripcion.objects.filter(pk=escenario["cdmx"][0].pk).update(inscrita_en=limite)
    Inscripcion.objects.filter(pk=escenario["cdmx"][1].pk).update(
        inscrita_en=limite + datetime.timedelta(hours=7)
    )
    qs = reportes.inscripciones_filtradas(
        escenario["nacional"], reportes.Filtros(entidad_id=entidad("09").pk)
    )
    assert reportes.inscripciones_por_mes(qs) == [
        (datetime.date(2026, 2, 1), 1),
        (datetime.date(2026, 3, 1), 1),
    ]


def test_filtro_por_estado_y_fechas(escenario):
    nacional = escenario["nacional"]
    retiradas = reportes.inscripciones_filtradas(nacional, reportes.Filtros(estado="retirada"))
    assert list(retiradas) == [escenario["jal"][2]]
    manana = timezone.localdate() + datetime.timedelta(days=1)
    assert not reportes.inscripciones_filtradas(nacional, reportes.Filtros(desde=manana)).exists()


@pytest.mark.parametrize("filas", [3, 12])
def test_registros_hacen_las_mismas_consultas_con_mas_filas(
    curso, edicion, django_assert_max_num_queries, filas
):
    evaluacion = EvaluacionFactory()
    curso.teorica.evaluacion = evaluacion
    curso.teorica.save_revision().publish()
    for _ in range(filas):
        inscripcion = InscripcionFactory(edicion=edicion, usuario=_persona("14"))
        _completar_teorica(inscripcion, curso, evaluacion)
    nacional = _coordinador(rol=Rol.COORDINADOR_NACIONAL)
    qs = reportes.inscripciones_filtradas(nacional, reportes.Filtros())
    with django_assert_max_num_queries(14):
        assert len(list(reportes.registros(qs))) == filas


# --- Dashboard ----------------------------------------------------------------


def test_tablero_muestra_graficas_accesibles(client, escenario):
    client.force_login(escenario["coord_jal"])
    respuesta = client.get(reverse("cursos:tablero"))
    html = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert html.count("<svg") == 4
    assert html.count("<desc") == 4
    assert "Datos: acreditación por entidad" in html
    assert "Jalisco" in html
    assert "Ciudad de México" not in html


def test_tablero_nacional_muestra_el_mapa_de_las_32_entidades(client, escenario):
    client.force_login(escenario["nacional"])
    html = client.get(reverse("cursos:tablero")).content.decode()
    assert html.count('<figure class="grafica') == 5
    assert html.count("<desc") == 5
    assert "Mapa de acreditación por entidad" in html
    # One tile per state, with its name for screen readers and tooltips.
    assert html.count('rx="4"') == 32
    assert "Ciudad de México: 0 % acreditadas de 2" in html
    assert "Jalisco: 0 % acreditadas de 3" in html
    assert "Yucatán: sin inscripciones" in html


@pytest.mark.parametrize("filas", [2, 8])
def test_tablero_con_consultas_constantes(
    client, curso, edicion, django_assert_max_num_queries, filas
):
    for clave in ("14", "09"):
        for _ in range(filas):
            InscripcionFactory(edicion=edicion, usuario=_persona(clave))
    client.force_login(_coordinador(rol=Rol.COORDINADOR_NACIONAL))
    with django_assert_max_num_queries(30):
        assert client.get(reverse("cursos:tablero")).status_code == 200


def test_tablero_cuenta_las_constancias_vigentes(escenario):
    _constancia(escenario["jal"][0], "TP-2026-000001")
    _constancia(escenario["jal"][0], "TP-2026-000002", estado="revocada")
    _constancia(escenario["cdmx"][1], "TP-2026-000003", estado="revocada")
    assert reportes.tablero(escenario["nacional"], reportes.Filtros()).cifras.con_constancia == 1
    assert reportes.tablero(escenario["coord_jal"], reportes.Filtros()).cifras.con_constancia == 1


def test_tablero_con_entidad_ajena_muestra_error_y_ningun_dato(client, escenario):
    client.force_login(escenario["coord_jal"])
    otra = entidad("09")
    respuesta = client.get(reverse("cursos:tablero"), {"entidad": otra.pk})
    html = respuesta.content.decode()
    assert "Elija una entidad de las que usted coordina." in html
    assert "<svg" not in html


@pytest.mark.parametrize(
    ("consulta", "mensaje"),
    [
        ({"desde": "2026-02-31"}, "Escriba una fecha válida"),
        ({"desde": "2026-05-01", "hasta": "2026-04-01"}, "no puede ser anterior"),
        ({"desde": "1900-01-01"}, "La fecha debe estar entre"),
        ({"edicion": "999999"}, "La edición elegida no existe."),
        ({"edicion": "abc"}, "La edición elegida no existe."),
    ],
)
def test_filtros_imposibles_dan_mensaje_claro(client, escenario, consulta, mensaje):
    client.force_login(escenario["coord_jal"])
    html = client.get(reverse("cursos:tablero"), consulta).content.decode()
    assert mensaje in html
    assert "<svg" not in html


def test_participante_no_ve_el_tablero(client, escenario):
    client.force_login(escenario["jal"][0].usuario)
    assert client.get(reverse("cursos:tablero")).status_code == 404
    assert client.get(reverse("cursos:exportar", args=["csv"])).status_code == 404


# --- Exports --------------------------------------------------------------------


def test_csv_con_bom_acentos_y_curp_enmascarada(client, escenario):
    client.force_login(escenario["coord_jal"])
    respuesta = client.get(reverse("cursos:exportar", args=["csv"]))
    filas = _csv(respuesta)
    assert filas[0][0] == "Entidad federativa"
    assert len(filas) == 4
    assert {f[0] for f in filas[1:]} == {"Jalisco"}
    assert all(f[7].startswith("PEGJ") and f[7].endswith("*" * 14) for f in filas[1:])
    assert any("Núñez" in f[6] for f in filas[1:])
    registro = RegistroAuditoria.objects.get(accion="exportacion")
    assert registro.filas == 3
    assert registro.usuario == escenario["coord_jal"]


def test_exportaciones_con_folio_y_fecha_de_la_constancia_vigente(client, escenario):
    emitida = datetime.datetime(2026, 3, 1, 3, 0, tzinfo=datetime.UTC)  # Feb 28 in CDMX
    _constancia(escenario["jal"][0], "TP-2026-000010", estado="revocada")
    _constancia(escenario["jal"][0], "TP-2026-000011", emitida_en=emitida)
    client.force_login(escenario["coord_jal"])
    filas = _csv(client.get(reverse("cursos:exportar", args=["csv"])))
    assert filas[0][19:21] == ["Folio de constancia", "Fecha de emisión de la constancia"]
    por_correo = {f[9]: f for f in filas[1:]}
    assert por_correo[escenario["jal"][0].usuario.email][19:21] == ["TP-2026-000011", "28/02/2026"]
    assert por_correo[escenario["jal"][1].usuario.email][19:21] == ["", ""]
    assert por_correo[escenario["jal"][0].usuario.email][12] == "Fase práctica"
    assert por_correo[escenario["jal"][0].usuario.email][16] == "90.0"

    respuesta = client.get(reverse("cursos:exportar", args=["xlsx"]))
    libro = load_workbook(io.BytesIO(b"".join(respuesta.streaming_content)), read_only=True)
    xlsx = {f[9]: f for f in list(libro.active.iter_rows(values_only=True))[1:]}
    fila = xlsx[escenario["jal"][0].usuario.email]
    assert fila[19] == "TP-2026-000011"
    assert fila[20].date() == datetime.date(2026, 2, 28)
    assert fila[16] == 90
    assert fila[12] == "Fase práctica"


def test_xlsx_neutraliza_caracteres_de_control_y_marcado(client, escenario):
    persona = escenario["jal"][1].usuario
    persona.first_name = "Ana <b>&\x0b</b>"
    persona.cargo = '=HYPERLINK("http://x")'
    persona.save()
    client.force_login(escenario["coord_jal"])
    respuesta = client.get(reverse("cursos:exportar", args=["xlsx"]))
    libro = load_workbook(io.BytesIO(b"".join(respuesta.streaming_content)), read_only=True)
    filas = {f[9]: f for f in list(libro.active.iter_rows(values_only=True))[1:]}
    assert filas[persona.email][5] == "Ana <b>&</b>"
    assert filas[persona.email][8] == '=HYPERLINK("http://x")'
    assert libro.active["I3"].data_type != "f"


def test_nacional_ve_la_curp_completa(client, escenario):
    client.force_login(escenario["nacional"])
    filas = _csv(client.get(reverse("cursos:exportar", args=["csv"])))
    assert "PEGJ850100HDFRNN09" in {f[7] for f in filas}


def test_xlsx_abre_con_acentos_y_fechas(client, escenario):
    client.force_login(escenario["coord_jal"])
    respuesta = client.get(reverse("cursos:exportar", args=["xlsx"]))
    libro = load_workbook(io.BytesIO(b"".join(respuesta.streaming_content)), read_only=True)
    filas = list(libro.active.iter_rows(values_only=True))
    assert filas[0][1] == "Órgano garante"
    assert len(filas) == 4
    assert isinstance(filas[1][13], datetime.datetime)


def test_exportacion_con_filtro_ajeno_no_descarga_nada(client, escenario):
    client.force_login(escenario["coord_jal"])
    otra = escenario["cdmx"][0].usuario.organizacion
    respuesta = client.get(reverse("cursos:exportar", args=["csv"]), {"organizacion": otra.pk})
    assert respuesta.status_code == 400
    assert "Elija un sujeto obligado de la lista." in respuesta.content.decode()
    assert not RegistroAuditoria.objects.exists()


@pytest.mark.parametrize("filas", [2, 8])
def test_csv_con_consultas_constantes(client, curso, edicion, django_assert_max_num_queries, filas):
    coordinador = _coordinador("14")
    for _ in range(filas):
        InscripcionFactory(edicion=edicion, usuario=_persona("14"))
    client.force_login(coordinador)
    with django_assert_max_num_queries(24):
        respuesta = client.get(reverse("cursos:exportar", args=["csv"]))
        assert len(_csv(respuesta)) == filas + 1


def test_exportacion_grande_se_prepara_en_segundo_plano(
    client, escenario, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(services_reportes.MAX_FILAS_DIRECTAS, "xlsx", 1)
    client.force_login(escenario["coord_jal"])
    with django_capture_on_commit_callbacks() as callbacks:
        respuesta = client.get(reverse("cursos:exportar", args=["xlsx"]))
    exportacion = ExportacionSolicitada.objects.get()
    assert respuesta.status_code == 302
    assert respuesta["Location"] == reverse("cursos:exportacion", args=[exportacion.uid])
    assert len(callbacks) == 1
    pagina = client.get(respuesta["Location"]).content.decode()
    assert "<progress" in pagina

    assert exportar_registros_task.apply(args=[exportacion.pk]).get() == 3
    exportacion.refresh_from_db()
    assert exportacion.estado == "lista"
    assert exportacion.progreso == 100
    descarga = client.get(reverse("cursos:exportacion_descargar", args=[exportacion.uid]))
    assert descarga.status_code == 200
    libro = load_workbook(io.BytesIO(b"".join(descarga.streaming_content)), read_only=True)
    assert len(list(libro.active.iter_rows())) == 4

    # Nobody else can see or download it, not even another coordinator of the same state.
    client.force_login(_coordinador("14"))
    assert client.get(respuesta["Location"]).status_code == 404
    url = reverse("cursos:exportacion_descargar", args=[exportacion.uid])
    assert client.get(url).status_code == 404


def test_descarga_vencida_no_se_entrega(client, escenario):
    exportacion = ExportacionSolicitada.objects.create(
        solicitante=escenario["coord_jal"],
        formato="csv",
        expira_en=timezone.now() - datetime.timedelta(minutes=1),
    )
    services_reportes.construir_exportacion(exportacion_id=exportacion.pk)
    client.force_login(escenario["coord_jal"])
    url = reverse("cursos:exportacion_descargar", args=[exportacion.uid])
    assert client.get(url).status_code == 404
    assert (
        "ya expiró"
        in client.get(reverse("cursos:exportacion", args=[exportacion.uid])).content.decode()
    )


def _exportacion_lista(client, usuario, monkeypatch):
    """A background CSV export requested by `usuario` and built, as the worker would."""
    monkeypatch.setitem(services_reportes.MAX_FILAS_DIRECTAS, "csv", 0)
    client.force_login(usuario)
    assert client.get(reverse("cursos:exportar", args=["csv"])).status_code == 302
    exportacion = ExportacionSolicitada.objects.get(solicitante=usuario)
    exportar_registros_task.apply(args=[exportacion.pk])
    exportacion.refresh_from_db()
    assert exportacion.estado == ExportacionSolicitada.Estado.LISTA
    return exportacion


def _rechazada(respuesta):
    assert respuesta.status_code == 404
    assert not respuesta.streaming
    assert "Content-Disposition" not in respuesta


def test_coordinacion_retirada_ya_no_ve_ni_descarga_sus_exportaciones(
    client, escenario, monkeypatch
):
    coordinador = escenario["coord_jal"]
    exportacion = _exportacion_lista(client, coordinador, monkeypatch)
    descarga = reverse("cursos:exportacion_descargar", args=[exportacion.uid])
    estado = reverse("cursos:exportacion", args=[exportacion.uid])
    assert client.get(descarga).status_code == 200
    descargas = RegistroAuditoria.objects.filter(accion=RegistroAuditoria.Accion.DESCARGA)
    assert descargas.count() == 1

    retirar_rol(usuario=coordinador, rol=Rol.COORDINADOR_ESTATAL, entidad_id=entidad("14").pk)

    _rechazada(client.get(descarga))
    _rechazada(client.get(estado))
    assert descargas.count() == 1


def test_exportacion_de_quien_dejo_de_coordinar_no_se_construye(
    client, escenario, monkeypatch, carpeta_privada
):
    coordinador = escenario["coord_jal"]
    monkeypatch.setitem(services_reportes.MAX_FILAS_DIRECTAS, "csv", 0)
    client.force_login(coordinador)
    client.get(reverse("cursos:exportar", args=["csv"]))
    exportacion = ExportacionSolicitada.objects.get()
    retirar_rol(usuario=coordinador, rol=Rol.COORDINADOR_ESTATAL, entidad_id=entidad("14").pk)

    exportar_registros_task.apply(args=[exportacion.pk])

    exportacion.refresh_from_db()
    assert exportacion.estado == ExportacionSolicitada.Estado.FALLIDA
    assert not exportacion.archivo
    assert not [ruta for ruta in carpeta_privada.rglob("*") if ruta.is_file()]


def test_coordinacion_cambiada_de_entidad_no_descarga_la_exportacion_de_la_anterior(
    client, escenario, monkeypatch
):
    coordinador = escenario["coord_jal"]
    exportacion = _exportacion_lista(client, coordinador, monkeypatch)
    descarga = reverse("cursos:exportacion_descargar", args=[exportacion.uid])

    # Adding a state keeps what the export holds within reach.
    asignar_rol(usuario=coordinador, rol=Rol.COORDINADOR_ESTATAL, entidad_id=entidad("09").pk)
    assert client.get(descarga).status_code == 200
    # Leaving Jalisco does not.
    retirar_rol(usuario=coordinador, rol=Rol.COORDINADOR_ESTATAL, entidad_id=entidad("14").pk)
    _rechazada(client.get(descarga))
    _rechazada(client.get(reverse("cursos:exportacion", args=[exportacion.uid])))


def test_coordinacion_nacional_que_pasa_a_estatal_no_descarga_su_exportacion_nacional(
    client, escenario, monkeypatch
):
    nacional = escenario["nacional"]
    exportacion = _exportacion_lista(client, nacional, monkeypatch)
    descarga = reverse("cursos:exportacion_descargar", args=[exportacion.uid])
    contenido = b"".join(client.get(descarga).streaming_content).decode("utf-8-sig")
    assert "PEGJ850100HDFRNN09" in contenido  # full CURPs: only the national view has them

    asignar_rol(usuario=nacional, rol=Rol.COORDINADOR_ESTATAL, entidad_id=entidad("14").pk)
    retirar_rol(usuario=nacional, rol=Rol.COORDINADOR_NACIONAL)
    _rechazada(client.get(descarga))


# --- Kardex ----------------------------------------------------------------------


def test_kardex_de_persona_del_estado(client, escenario):
    client.force_login(escenario["coord_jal"])
    persona = escenario["jal"][0].usuario
    html = client.get(reverse("cursos:kardex", args=[persona.pk])).content.decode()
    assert "Fase teórica" in html
    assert "90" in html
    assert "PEGJ850100HDFRNN09" not in html
    assert "Sin constancias emitidas." in html
    assert RegistroAuditoria.objects.filter(
        accion="consulta_kardex", objeto=str(persona.pk)
    ).exists()


def test_kardex_muestra_las_constancias(client, escenario):
    _constancia(escenario["jal"][0], "TP-2026-000020")
    client.force_login(escenario["coord_jal"])
    persona = escenario["jal"][0].usuario
    html = client.get(reverse("cursos:kardex", args=[persona.pk])).content.decode()
    assert "TP-2026-000020" in html
    assert "Vigente" in html


def test_kardex_de_otro_estado_es_404(client, escenario):
    client.force_login(escenario["coord_jal"])
    ajena = escenario["cdmx"][0].usuario
    assert client.get(reverse("cursos:kardex", args=[ajena.pk])).status_code == 404
    assert not RegistroAuditoria.objects.exists()


def test_kardex_con_consultas_constantes(client, curso, edicion, django_assert_max_num_queries):
    coordinador = _coordinador("14")
    persona = _persona("14")
    for edicion_extra in [edicion, EdicionFactory(curso=curso), EdicionFactory(curso=curso)]:
        InscripcionFactory(edicion=edicion_extra, usuario=persona)
    # As after enrolling through the site: progress computed (the factory skips it).
    services.recalcular_pendientes()
    client.force_login(coordinador)
    with django_assert_max_num_queries(31):
        assert client.get(reverse("cursos:kardex", args=[persona.pk])).status_code == 200


# --- Weekly report -----------------------------------------------------------------


def test_reporte_semanal_llega_a_cada_coordinacion_con_sus_cifras(escenario, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _coordinador("09")
    assert enviar_reportes_semanales_task.apply().get() == 2
    por_destino = {m.to[0]: m for m in mail.outbox}
    jal = por_destino[escenario["coord_jal"].email]
    assert "Jalisco" in jal.subject
    assert "Personas inscritas: 3" in jal.body
    assert "/cursos/coordinacion/tablero/?entidad=" in jal.body


def test_reporte_semanal_esta_programado():
    from django_celery_beat.models import PeriodicTask

    tarea = PeriodicTask.objects.get(task="cursos.tasks.enviar_reportes_semanales_task")
    assert tarea.enabled
    assert tarea.crontab.day_of_week == "1"


# --- Audit log in the admin -----------------------------------------------------------


def test_bitacora_solo_la_leen_administradores(client, escenario):
    from lms.services import registrar_auditoria

    registro = registrar_auditoria(
        usuario=escenario["coord_jal"], accion="exportacion", filtros={"entidad": 14}, filas=3
    )
    administrador = UsuarioFactory(is_staff=True, is_superuser=True)
    client.force_login(administrador)
    listado = client.get("/admin/bitacora_auditoria/")
    assert listado.status_code == 200
    assert escenario["coord_jal"].email in listado.content.decode()
    assert client.get(f"/admin/bitacora_auditoria/edit/{registro.pk}/").status_code in (302, 403)
    client.force_login(escenario["nacional"])
    assert client.get("/admin/bitacora_auditoria/").status_code in (302, 403)


def test_el_tablero_se_actualiza_al_registrarse_un_hecho(escenario, curso):
    coordinador = escenario["coord_jal"]
    assert reportes.tablero(coordinador, reportes.Filtros()).cifras.fases_completadas[0] == 1
    _completar_teorica(escenario["jal"][1], curso, escenario["evaluacion"])
    assert reportes.tablero(coordinador, reportes.Filtros()).cifras.fases_completadas[0] == 2
