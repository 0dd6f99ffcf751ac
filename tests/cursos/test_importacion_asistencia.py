"""Attendance from meeting reports: Zoom, Teams and Meet files, matching and idempotent writes."""

import pytest

from cursos import importacion_asistencia, services_importacion
from cursos.importacion_asistencia import (
    INSUFICIENTE,
    MEET,
    PRESENTE,
    SIN_COINCIDENCIA,
    TEAMS,
    YA_REGISTRADA,
    ZOOM,
    leer_reporte_asistencia,
    minutos_de,
)
from cursos.models import Asistencia
from lms.models import Rol
from lms.tabular import ArchivoInvalido
from tests.factories import (
    AsignacionRolFactory,
    InscripcionFactory,
    SujetoObligadoFactory,
    UsuarioFactory,
)
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db

ZOOM_CSV = (
    "Name (Original Name),Email,Join Time,Leave Time,Duration (Minutes),Guest,Recording Consent\r\n"
    "Ana Núñez,ana@sej.gob.mx,03/15/2026 10:00:01 AM,03/15/2026 10:30:00 AM,30,No,Y\r\n"
    "Ana Núñez (celular),ANA@sej.gob.mx,03/15/2026 10:35:00 AM,03/15/2026 11:00:00 AM,25,No,Y\r\n"
    "Beto López,beto@sej.gob.mx,03/15/2026 10:00:00 AM,03/15/2026 10:40:00 AM,40,No,Y\r\n"
    "Invitado sin correo,,03/15/2026 10:00:00 AM,03/15/2026 11:00:00 AM,60,Yes,Y\r\n"
    "Desconocida,desconocida@otro.mx,03/15/2026 10:00:00 AM,03/15/2026 11:30:00 AM,90,Yes,Y\r\n"
)

ZOOM_CON_RESUMEN = (
    "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
    "812 3456 7890,Sesión 1,03/15/2026 10:00 AM,03/15/2026 11:35 AM,host@sej.gob.mx,95,2\n"
    "\n"
    "Name (Original Name),User Email,Total Duration (Minutes),Guest\n"
    "Ana Núñez,ana@sej.gob.mx,55,No\n"
    "Host,host@sej.gob.mx,95,No\n"
)

TEAMS_TXT = (
    "1. Summary\r\n"
    "Meeting title\tSesión práctica, grupo 1\r\n"
    "Attended participants\t3\r\n"
    "Start time\t3/15/26, 10:00:00 AM\r\n"
    "End time\t3/15/26, 11:30:00 AM\r\n"
    "Meeting duration\t1h 30m\r\n"
    "Average attendance time\t45m 12s\r\n"
    "\r\n"
    "2. Participants\r\n"
    "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\r\n"
    "Ana Núñez\t3/15/26, 10:00:01 AM\t3/15/26, 11:25:00 AM\t1h 20m 5s\tana@sej.gob.mx"
    "\tana@sej.gob.mx\tPresenter\r\n"
    "Beto López\t3/15/26, 10:00:00 AM\t3/15/26, 10:12:30 AM\t12m 30s\tBeto@SEJ.gob.mx"
    "\tbeto@sej.gob.mx\tAttendee\r\n"
    "Invitada externa\t3/15/26, 10:05:00 AM\t3/15/26, 11:00:00 AM\t55m\t\t\tAttendee\r\n"
    "\r\n"
    "3. In-Meeting Activities\r\n"
    "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\r\n"
    "Ana Núñez\t3/15/26, 10:00:01 AM\t3/15/26, 10:40:00 AM\t40m\tana@sej.gob.mx\tPresenter\r\n"
    "Ana Núñez\t3/15/26, 10:45:00 AM\t3/15/26, 11:25:00 AM\t40m 5s\tana@sej.gob.mx\tPresenter\r\n"
    "Beto López\t3/15/26, 10:00:00 AM\t3/15/26, 10:12:30 AM\t12m 30s\tbeto@sej.gob.mx\tAttendee\r\n"
)

TEAMS_ES = (
    "1. Resumen\n"
    "Título de la reunión\tSesión\n"
    "\n"
    "2. Participantes\n"
    "Nombre\tPrimera unión\tÚltima salida\tDuración en la reunión\tCorreo electrónico"
    "\tId. de participante (UPN)\tRol\n"
    "Ana Núñez\t15/3/26 10:00\t15/3/26 11:00\t1 h 2 min\tana@sej.gob.mx"
    "\tana@sej.gob.mx\tOrganizador\n"
)

MEET_CSV = (
    "First name,Last name,Email,Duration,Time joined,Time exited\n"
    "Ana,Núñez,ana@sej.gob.mx,1 hr 5 min,10:00 AM,11:05 AM\n"
    "Beto,López,beto@sej.gob.mx,45 min,10:10 AM,10:55 AM\n"
)


@pytest.fixture
def sej(db):
    return SujetoObligadoFactory(siglas="SEJ", entidad=entidad("14"))


@pytest.fixture
def ana(edicion, sej):
    return InscripcionFactory(
        edicion=edicion, usuario=UsuarioFactory(email="ana@sej.gob.mx", organizacion=sej)
    ).usuario


@pytest.fixture
def beto(edicion, sej):
    return InscripcionFactory(
        edicion=edicion, usuario=UsuarioFactory(email="beto@sej.gob.mx", organizacion=sej)
    ).usuario


def _por_correo(reporte):
    return {p.correo: p.minutos for p in reporte.personas}


# --- Reading the platforms' reports -------------------------------------------------


def test_zoom_suma_las_entradas_repetidas_de_la_misma_persona():
    reporte = leer_reporte_asistencia("participants_8123.csv", ZOOM_CSV.encode("utf-8-sig"))

    assert reporte.formato == ZOOM
    assert _por_correo(reporte) == {
        "ana@sej.gob.mx": 55,
        "beto@sej.gob.mx": 40,
        "desconocida@otro.mx": 90,
    }
    assert [s.nombre for s in reporte.sin_correo] == ["Invitado sin correo"]


def test_zoom_con_resumen_de_la_reunion_no_cuenta_al_anfitrion_dos_veces():
    reporte = leer_reporte_asistencia("participants.csv", ZOOM_CON_RESUMEN.encode("cp1252"))

    assert reporte.formato == ZOOM
    assert _por_correo(reporte) == {"ana@sej.gob.mx": 55, "host@sej.gob.mx": 95}


def test_teams_utf16_con_tabuladores_y_secciones_usa_los_participantes():
    reporte = leer_reporte_asistencia("Lista de asistencia.csv", TEAMS_TXT.encode("utf-16"))

    assert reporte.formato == TEAMS
    assert _por_correo(reporte) == {"ana@sej.gob.mx": 80, "beto@sej.gob.mx": 12}
    assert [s.nombre for s in reporte.sin_correo] == ["Invitada externa"]
    assert reporte.personas[0].nombre == "Ana Núñez"


def test_teams_en_espanol():
    reporte = leer_reporte_asistencia("asistencia.csv", TEAMS_ES.encode("utf-16"))

    assert reporte.formato == TEAMS
    assert _por_correo(reporte) == {"ana@sej.gob.mx": 62}


def test_google_meet():
    reporte = leer_reporte_asistencia("meet.csv", MEET_CSV.encode())

    assert reporte.formato == MEET
    assert _por_correo(reporte) == {"ana@sej.gob.mx": 65, "beto@sej.gob.mx": 45}
    assert reporte.personas[0].nombre == "Ana Núñez"


@pytest.mark.parametrize(
    ("nombre", "contenido"),
    [
        ("otra.csv", b"columna,otra\n1,2\n"),
        ("lista.csv", b"Nombre;Correo\nAna;ana@sej.gob.mx\n"),
        ("reporte.pdf", b"%PDF-1.4 ..."),
    ],
)
def test_formato_inesperado_dice_que_formatos_se_admiten(nombre, contenido):
    with pytest.raises(ArchivoInvalido) as error:
        leer_reporte_asistencia(nombre, contenido)

    mensaje = error.value.mensaje
    assert "No se reconoce el formato" in mensaje
    for plataforma in ("Zoom", "Microsoft Teams", "Google Meet"):
        assert plataforma in mensaje


def test_reporte_vacio_da_mensaje_claro():
    with pytest.raises(ArchivoInvalido, match="vacío"):
        leer_reporte_asistencia("vacio.csv", b"\xff\xfe")


@pytest.mark.parametrize(
    ("texto", "minutos"),
    [
        ("45", 45),
        ("45.9", 45),
        ("1:05:30", 65),
        ("1:05", 65),
        ("1h 5m 30s", 65),
        ("1 h 2 min", 62),
        ("1 hr 5 min", 65),
        ("2 horas", 120),
        ("59s", 0),
        ("", None),
        ("mucho", None),
    ],
)
def test_duraciones_como_las_escriben_las_plataformas(texto, minutos):
    assert minutos_de(texto) == minutos


# --- Matching and writing --------------------------------------------------------------


def test_revision_separa_presentes_insuficientes_y_sin_coincidencia(sesion, ana, beto):
    reporte = leer_reporte_asistencia("zoom.csv", ZOOM_CSV.encode())
    nacional = AsignacionRolFactory(rol=Rol.COORDINADOR_NACIONAL).usuario
    inscritas, registradas = importacion_asistencia.inscritas_de_sesion(sesion, nacional)

    filas = importacion_asistencia.revisar_asistencia(
        reporte, inscritas=inscritas, registradas=registradas, minimos_minutos=50
    )

    estados = {(f.correo, f.estado) for f in filas}
    assert estados == {
        ("ana@sej.gob.mx", PRESENTE),
        ("beto@sej.gob.mx", INSUFICIENTE),
        ("desconocida@otro.mx", SIN_COINCIDENCIA),
        ("", SIN_COINCIDENCIA),
    }


def test_importar_registra_solo_inscritas_con_minutos_suficientes_y_es_idempotente(
    sesion, ana, beto
):
    instructor = UsuarioFactory()
    AsignacionRolFactory(usuario=instructor, rol=Rol.INSTRUCTOR)
    curso = sesion.edicion.curso
    curso.instructores.add(instructor)
    curso.save()
    reporte = leer_reporte_asistencia("zoom.csv", ZOOM_CSV.encode())

    primero = services_importacion.importar_asistencia(
        sesion=sesion, filas=reporte.personas, minimos_minutos=50, usuario=instructor
    )
    segundo = services_importacion.importar_asistencia(
        sesion=sesion, filas=reporte.personas, minimos_minutos=50, usuario=instructor
    )

    asistencia = Asistencia.objects.get(sesion=sesion)
    assert asistencia.usuario == ana
    assert asistencia.origen == Asistencia.Origen.REPORTE
    assert asistencia.minutos == 55
    assert asistencia.registrada_por == instructor
    assert primero["marcadas"] == 1
    assert [f.correo for f in primero["insuficientes"]] == ["beto@sej.gob.mx"]
    assert [f.correo for f in primero["sin_coincidencia"]] == ["desconocida@otro.mx"]
    assert segundo["marcadas"] == 0
    assert segundo["ya_registradas"] == 1
    assert Asistencia.objects.filter(sesion=sesion).count() == 1


def test_asistencia_ya_registrada_por_codigo_no_se_duplica(sesion, ana):
    Asistencia.objects.create(sesion=sesion, usuario=ana, origen=Asistencia.Origen.CODIGO)
    reporte = leer_reporte_asistencia("teams.csv", TEAMS_TXT.encode("utf-16"))

    resultado = services_importacion.importar_asistencia(
        sesion=sesion, filas=reporte.personas, minimos_minutos=10, usuario=UsuarioFactory()
    )

    assert resultado["marcadas"] == 0
    assert Asistencia.objects.get(sesion=sesion).origen == Asistencia.Origen.CODIGO


def test_coordinador_estatal_no_registra_personas_de_otro_estado(sesion, ana):
    capitalina = InscripcionFactory(
        edicion=sesion.edicion,
        usuario=UsuarioFactory(
            email="cdmx@sedema.gob.mx", organizacion=SujetoObligadoFactory(entidad=entidad("09"))
        ),
    ).usuario
    coordinador = AsignacionRolFactory(rol=Rol.COORDINADOR_ESTATAL, entidad=entidad("14")).usuario
    reporte = leer_reporte_asistencia(
        "zoom.csv",
        (
            b"Name (Original Name),Email,Duration (Minutes)\n"
            b"Ana,ana@sej.gob.mx,60\nCapitalina,cdmx@sedema.gob.mx,60\n"
        ),
    )

    resultado = services_importacion.importar_asistencia(
        sesion=sesion, filas=reporte.personas, minimos_minutos=30, usuario=coordinador
    )

    assert set(Asistencia.objects.filter(sesion=sesion).values_list("usuario", flat=True)) == {
        ana.pk
    }
    assert [f.correo for f in resultado["sin_coincidencia"]] == [capitalina.email]


def test_minimos_fuera_de_rango_no_cambian_nada(sesion, ana):
    reporte = leer_reporte_asistencia("zoom.csv", ZOOM_CSV.encode())

    with pytest.raises(services_importacion.ImportacionError):
        services_importacion.importar_asistencia(
            sesion=sesion, filas=reporte.personas, minimos_minutos=-1, usuario=UsuarioFactory()
        )

    assert not Asistencia.objects.exists()


def test_ya_registrada_se_reporta_en_la_revision(sesion, ana):
    Asistencia.objects.create(sesion=sesion, usuario=ana, origen=Asistencia.Origen.MANUAL)
    nacional = AsignacionRolFactory(rol=Rol.COORDINADOR_NACIONAL).usuario
    inscritas, registradas = importacion_asistencia.inscritas_de_sesion(sesion, nacional)

    [fila] = importacion_asistencia.revisar_asistencia(
        leer_reporte_asistencia("meet.csv", MEET_CSV.encode()),
        inscritas=inscritas,
        registradas=registradas,
        minimos_minutos=30,
    )[:1]

    assert fila.estado == YA_REGISTRADA
