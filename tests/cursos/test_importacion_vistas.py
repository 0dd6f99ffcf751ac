"""The upload → preview → confirm screens of bulk enrolment and attendance import."""

import csv
import io

import pytest

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cursos.models import Asistencia, Inscripcion
from lms.models import Rol, Usuario
from tests.factories import (
    AsignacionRolFactory,
    InscripcionFactory,
    SujetoObligadoFactory,
    UsuarioFactory,
)
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db

ENCABEZADO = "correo;nombre;apellidos;cargo;organizacion;entidad\r\n"


@pytest.fixture
def sej(db):
    return SujetoObligadoFactory(
        nombre="Secretaría de Educación Jalisco", siglas="SEJ", entidad=entidad("14")
    )


@pytest.fixture
def coordinador(db):
    return AsignacionRolFactory(rol=Rol.COORDINADOR_ESTATAL, entidad=entidad("14")).usuario


def _archivo(texto: str, nombre: str = "personas.csv", codificacion: str = "cp1252"):
    return SimpleUploadedFile(nombre, texto.encode(codificacion), content_type="text/csv")


def _subir(client, edicion, texto, **kwargs):
    return client.post(
        reverse("cursos:inscribir_subir", args=[edicion.pk]), {"archivo": _archivo(texto, **kwargs)}
    )


def _token(respuesta) -> str:
    assert respuesta.status_code == 302, respuesta.content.decode()[:500]
    return respuesta["Location"].rstrip("/").rsplit("/", 1)[-1]


def _filas(total: int, desde: int = 0) -> str:
    return "".join(
        f"persona{i}@sej.gob.mx;Persona;Número {i};Analista;SEJ;Jalisco\r\n"
        for i in range(desde, desde + total)
    )


# --- Bulk enrolment -------------------------------------------------------------------


def test_subir_revisar_confirmar_y_descargar_rechazadas(
    client, edicion, sej, coordinador, django_capture_on_commit_callbacks
):
    existente = UsuarioFactory(email="existe@sej.gob.mx", organizacion=sej)
    texto = (
        ENCABEZADO + "Nueva@SEJ.gob.mx;Nueva;Núñez;Jefa;SEJ;Jalisco\r\n"
        "\r\n"
        "EXISTE@sej.gob.mx;;;;;\r\n"
        "no-es-correo;X;Y;;SEJ;Jalisco\r\n"
        "nueva@sej.gob.mx;Nueva;Núñez;Jefa;SEJ;Jalisco\r\n"
    )
    client.force_login(coordinador)

    pagina = client.get(reverse("cursos:edicion_participantes", args=[edicion.pk]))
    assert reverse("cursos:inscribir_subir", args=[edicion.pk]) in pagina.content.decode()

    token = _token(_subir(client, edicion, texto))
    assert not Inscripcion.objects.filter(edicion=edicion).exists()

    vista = client.get(reverse("cursos:inscribir_revisar", args=[edicion.pk, token]))
    contenido = vista.content.decode()
    assert vista.status_code == 200
    assert "1 persona con cuenta se inscribe" in contenido
    assert "1 persona nueva" in contenido
    assert "2 filas rechazadas" in contenido
    assert "no es válido" in contenido
    assert "duplicada" in contenido
    assert not Usuario.objects.filter(email="nueva@sej.gob.mx").exists()

    with django_capture_on_commit_callbacks(execute=True):
        respuesta = client.post(reverse("cursos:inscribir_revisar", args=[edicion.pk, token]))
    assert respuesta.status_code == 302
    assert respuesta["Location"] == reverse("cursos:inscribir_resultado", args=[edicion.pk, token])
    nueva = Usuario.objects.get(email="nueva@sej.gob.mx")
    assert set(
        Inscripcion.objects.filter(edicion=edicion).values_list("usuario_id", flat=True)
    ) == {nueva.pk, existente.pk}
    assert [m.to for m in mail.outbox] == [["nueva@sej.gob.mx"]]

    resultado = client.get(respuesta["Location"]).content.decode()
    assert "Filas rechazadas: 2" in resultado

    descarga = client.get(reverse("cursos:inscribir_rechazadas", args=[edicion.pk, token]))
    assert descarga["Content-Type"].startswith("text/csv")
    assert descarga.content.startswith(b"\xef\xbb\xbf")
    lineas = list(csv.reader(io.StringIO(descarga.content.decode("utf-8-sig"))))
    # Every column as written, plus the reason: the file can be fixed and uploaded as is.
    assert lineas[0] == [
        "correo",
        "nombre",
        "apellidos",
        "cargo",
        "organizacion",
        "entidad",
        "Motivo del rechazo",
    ]
    assert [linea[0] for linea in lineas[1:]] == ["no-es-correo", "nueva@sej.gob.mx"]


def test_doble_confirmacion_inscribe_una_vez(
    client, edicion, sej, coordinador, django_capture_on_commit_callbacks
):
    client.force_login(coordinador)
    token = _token(_subir(client, edicion, ENCABEZADO + _filas(3)))
    url = reverse("cursos:inscribir_revisar", args=[edicion.pk, token])
    client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
        segunda = client.post(url, follow=True)

    assert "ya se aplicó" in segunda.content.decode()
    assert Inscripcion.objects.filter(edicion=edicion).count() == 3
    assert Usuario.objects.filter(email__endswith="@sej.gob.mx").count() == 3
    assert len(mail.outbox) == 3


def test_confirmacion_en_curso_bloquea_la_segunda(client, edicion, sej, coordinador, monkeypatch):
    from django.core.cache import cache

    from lms import asistente

    monkeypatch.setattr(asistente, "ESPERA_CANDADO", 0)
    client.force_login(coordinador)
    token = _token(_subir(client, edicion, ENCABEZADO + _filas(2)))
    url = reverse("cursos:inscribir_revisar", args=[edicion.pk, token])
    client.get(url)
    cache.add(asistente.candado_de(token), "1")

    respuesta = client.post(url, follow=True)

    assert "ya se está aplicando" in respuesta.content.decode()
    assert not Inscripcion.objects.filter(edicion=edicion).exists()


def test_token_de_otra_persona_otra_edicion_o_inventado_da_404(
    client, curso, edicion, sej, coordinador
):
    from tests.factories import EdicionFactory

    client.force_login(coordinador)
    token = _token(_subir(client, edicion, ENCABEZADO + _filas(1)))
    otra = EdicionFactory(curso=curso)

    assert client.get(reverse("cursos:inscribir_revisar", args=[otra.pk, token])).status_code == 404
    assert (
        client.post(reverse("cursos:inscribir_revisar", args=[otra.pk, token])).status_code == 404
    )
    inventado = reverse("cursos:inscribir_revisar", args=[edicion.pk, "x" * 32])
    assert client.post(inventado).status_code == 404

    otro = AsignacionRolFactory(rol=Rol.COORDINADOR_ESTATAL, entidad=entidad("14")).usuario
    client.force_login(otro)
    assert (
        client.post(reverse("cursos:inscribir_revisar", args=[edicion.pk, token])).status_code
        == 404
    )
    assert (
        client.get(reverse("cursos:inscribir_rechazadas", args=[edicion.pk, token])).status_code
        == 404
    )
    assert not Inscripcion.objects.exists()


@pytest.mark.parametrize("rol", [None, Rol.INSTRUCTOR, Rol.PARTICIPANTE])
def test_solo_la_coordinacion_inscribe_en_bloque(client, edicion, rol):
    usuario = UsuarioFactory()
    if rol:
        AsignacionRolFactory(usuario=usuario, rol=rol)
    edicion.curso.instructores.add(usuario)
    edicion.curso.save()
    client.force_login(usuario)

    assert client.get(reverse("cursos:inscribir_subir", args=[edicion.pk])).status_code == 404
    assert _subir(client, edicion, ENCABEZADO + _filas(1)).status_code == 404


def test_anonimos_van_al_inicio_de_sesion(client, edicion):
    respuesta = client.get(reverse("cursos:inscribir_subir", args=[edicion.pk]))

    assert respuesta.status_code == 302
    assert "/cuentas/login/" in respuesta["Location"]


def test_coordinador_estatal_ve_rechazadas_las_personas_de_otro_estado(
    client, edicion, sej, coordinador
):
    SujetoObligadoFactory(nombre="Secretaría del Medio Ambiente", entidad=entidad("09"))
    client.force_login(coordinador)
    texto = ENCABEZADO + "otra@sedema.gob.mx;Otra;Persona;;Secretaría del Medio Ambiente;09\r\n"

    token = _token(_subir(client, edicion, texto))
    contenido = client.get(
        reverse("cursos:inscribir_revisar", args=[edicion.pk, token])
    ).content.decode()
    client.post(reverse("cursos:inscribir_revisar", args=[edicion.pk, token]))

    assert "fuera de su coordinación" in contenido
    assert "Ninguna fila se puede inscribir" in contenido
    assert not Usuario.objects.filter(email="otra@sedema.gob.mx").exists()


@pytest.mark.parametrize(
    ("contenido", "mensaje"),
    [
        (b"", "vac"),
        (("correo\n" + "a@b.mx\n" * 50_000).encode(), "más de 10,000 filas"),
    ],
)
def test_archivo_invalido_da_mensaje_y_no_guarda_nada(
    client, edicion, coordinador, contenido, mensaje
):
    client.force_login(coordinador)

    respuesta = client.post(
        reverse("cursos:inscribir_subir", args=[edicion.pk]),
        {"archivo": SimpleUploadedFile("p.csv", contenido, content_type="text/csv")},
    )

    assert respuesta.status_code == 200
    assert mensaje in respuesta.content.decode()


def test_cupo_ocupado_despues_de_la_vista_previa_no_inscribe_a_nadie(
    client, curso, sej, coordinador
):
    from tests.factories import EdicionFactory

    edicion = EdicionFactory(curso=curso, cupo=2)
    client.force_login(coordinador)
    token = _token(_subir(client, edicion, ENCABEZADO + _filas(2)))
    url = reverse("cursos:inscribir_revisar", args=[edicion.pk, token])
    assert "Inscribir a 2 personas" in client.get(url).content.decode()
    InscripcionFactory(edicion=edicion, usuario=UsuarioFactory(organizacion=sej))

    respuesta = client.post(url, follow=True)

    assert Inscripcion.objects.filter(edicion=edicion).count() == 1
    contenido = respuesta.content.decode()
    assert "cambiaron desde la vista previa" in contenido
    assert "1 fila rechazada" in contenido
    assert "Inscribir a 1 persona" in contenido


@pytest.mark.parametrize("total", [10, 400])
def test_consultas_de_la_confirmacion_no_crecen_con_las_filas(
    client, edicion, sej, coordinador, django_assert_max_num_queries, total
):
    from tests.cursos.test_importacion import _lotes_del_motor

    existentes = UsuarioFactory.create_batch(total, organizacion=sej)
    texto = ENCABEZADO + "".join(f"{u.email};;;;;\r\n" for u in existentes) + _filas(total)
    client.force_login(coordinador)
    token = _token(_subir(client, edicion, texto))
    url = reverse("cursos:inscribir_revisar", args=[edicion.pk, token])
    client.get(url)
    inserts = (
        _lotes_del_motor(Usuario, total)
        + _lotes_del_motor(Usuario, total)  # EmailAddress has fewer fields; this bounds it
        + _lotes_del_motor(Inscripcion, 2 * total)
    )

    with django_assert_max_num_queries(30 + inserts):
        respuesta = client.post(url)

    assert respuesta.status_code == 302
    assert Inscripcion.objects.filter(edicion=edicion).count() == 2 * total


# --- Attendance import -------------------------------------------------------------------

TEAMS = (
    "1. Summary\r\nMeeting title\tSesión\r\n\r\n2. Participants\r\n"
    "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\r\n"
    "Ana\t-\t-\t1h 5m\tANA@sej.gob.mx\tana@sej.gob.mx\tAttendee\r\n"
    "Beto\t-\t-\t10m 3s\tbeto@sej.gob.mx\tbeto@sej.gob.mx\tAttendee\r\n"
    "Nadie\t-\t-\t1h\tnadie@otro.mx\tnadie@otro.mx\tAttendee\r\n"
    "\r\n3. In-Meeting Activities\r\nName\tJoin Time\tLeave Time\tDuration\tEmail\tRole\r\n"
    "Ana\t-\t-\t1h 5m\tana@sej.gob.mx\tAttendee\r\n"
)


@pytest.fixture
def instructor(sesion):
    usuario = UsuarioFactory()
    AsignacionRolFactory(usuario=usuario, rol=Rol.INSTRUCTOR)
    curso = sesion.edicion.curso
    curso.instructores.add(usuario)
    curso.save()
    return usuario


def test_instructor_importa_reporte_de_teams_revisa_y_confirma_una_vez(
    client, sesion, sej, instructor
):
    ana = InscripcionFactory(
        edicion=sesion.edicion, usuario=UsuarioFactory(email="ana@sej.gob.mx", organizacion=sej)
    ).usuario
    InscripcionFactory(
        edicion=sesion.edicion, usuario=UsuarioFactory(email="beto@sej.gob.mx", organizacion=sej)
    )
    client.force_login(instructor)
    url = reverse("cursos:asistencia_subir", args=[sesion.pk])
    assert client.get(url).status_code == 200

    respuesta = client.post(
        url,
        {
            "archivo": _archivo(TEAMS, nombre="asistencia.csv", codificacion="utf-16"),
            "minimos_minutos": 45,
        },
    )
    token = _token(respuesta)
    vista = client.get(reverse("cursos:asistencia_revisar", args=[sesion.pk, token]))
    contenido = vista.content.decode()
    assert "Reporte de Microsoft Teams" in contenido
    assert "1 persona inscrita se registra como presente" in contenido
    assert "1 persona inscrita con menos minutos del mínimo" in contenido
    assert "1 fila no coincide con nadie inscrito" in contenido
    assert "nadie@otro.mx" in contenido
    assert not Asistencia.objects.exists()

    revisar = reverse("cursos:asistencia_revisar", args=[sesion.pk, token])
    client.post(revisar)
    segunda = client.post(revisar, follow=True)

    assert "ya se importó" in segunda.content.decode()
    asistencia = Asistencia.objects.get()
    assert (asistencia.usuario, asistencia.minutos) == (ana, 65)


def test_reporte_con_formato_inesperado_da_mensaje(client, sesion, instructor):
    client.force_login(instructor)

    respuesta = client.post(
        reverse("cursos:asistencia_subir", args=[sesion.pk]),
        {"archivo": _archivo("a,b\n1,2\n"), "minimos_minutos": 30},
    )

    assert respuesta.status_code == 200
    contenido = respuesta.content.decode()
    assert "No se reconoce el formato" in contenido
    assert "Google Meet" in contenido


def test_participante_no_importa_asistencia(client, sesion):
    participante = InscripcionFactory(edicion=sesion.edicion).usuario
    client.force_login(participante)

    assert client.get(reverse("cursos:asistencia_subir", args=[sesion.pk])).status_code == 404


def test_token_de_asistencia_de_otra_sesion_da_404(client, sesion, instructor):
    from tests.factories import SesionEnVivoFactory

    client.force_login(instructor)
    token = _token(
        client.post(
            reverse("cursos:asistencia_subir", args=[sesion.pk]),
            {"archivo": _archivo(TEAMS, codificacion="utf-16"), "minimos_minutos": 30},
        )
    )
    otra = SesionEnVivoFactory(edicion=sesion.edicion, fase=sesion.fase)

    respuesta = client.post(reverse("cursos:asistencia_revisar", args=[otra.pk, token]))

    assert respuesta.status_code == 404
    assert not Asistencia.objects.exists()
