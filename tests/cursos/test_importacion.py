"""Bulk enrolment: reading messy files, classifying rows, and the all-or-nothing write."""

import csv
import io
import math
import time
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from openpyxl import Workbook

from django.core import mail
from django.db import connection

from cursos import importacion, services_importacion
from cursos.importacion import (
    CREAR,
    INSCRIBIR,
    RECHAZADA,
    YA_INSCRITA,
    cargar_contexto,
    leer_inscripciones,
    revisar_inscripciones,
)
from cursos.models import Inscripcion
from lms.models import Rol, Usuario
from lms.tabular import ArchivoInvalido
from tests.factories import (
    AsignacionRolFactory,
    EdicionFactory,
    InscripcionFactory,
    SujetoObligadoFactory,
    UsuarioFactory,
)
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db

ENCABEZADO = "correo,nombre,apellidos,cargo,organizacion,entidad\n"


@pytest.fixture
def jalisco(db):
    return entidad("14")


@pytest.fixture
def sej(jalisco):
    return SujetoObligadoFactory(
        nombre="Secretaría de Educación Jalisco", siglas="SEJ", entidad=jalisco
    )


@pytest.fixture
def sedema(db):
    return SujetoObligadoFactory(
        nombre="Secretaría del Medio Ambiente", siglas="SEDEMA", entidad=entidad("09")
    )


@pytest.fixture
def coordinador_jal(jalisco):
    return AsignacionRolFactory(rol=Rol.COORDINADOR_ESTATAL, entidad=jalisco).usuario


@pytest.fixture
def nacional(db):
    return AsignacionRolFactory(rol=Rol.COORDINADOR_NACIONAL).usuario


def _revisar(texto, edicion, coordinador, nombre="personas.csv"):
    contenido = texto.encode("utf-8") if isinstance(texto, str) else texto
    filas = leer_inscripciones(nombre, contenido)
    contexto = cargar_contexto(
        edicion=edicion, coordinador=coordinador, correos=[f.datos["correo"] for f in filas]
    )
    return revisar_inscripciones(filas, contexto=contexto)


def _xlsx(filas) -> bytes:
    libro = Workbook()
    hoja = libro.active
    for fila in filas:
        hoja.append(fila)
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()


# --- Reading files as Excel in Mexico writes them ---------------------------------


def test_cp1252_con_punto_y_coma_y_encabezados_en_espanol(edicion, sej, coordinador_jal):
    contenido = (
        "Correo electrónico;Nombre(s);Apellidos;Cargo;Institución;Estado\r\n"
        "ana.nunez@sej.gob.mx;Ana;Núñez Peña;Jefa de Área;SEJ;Jalisco\r\n"
    ).encode("cp1252")

    [fila] = _revisar(contenido, edicion, coordinador_jal)

    assert fila.estado == CREAR, fila.motivos
    assert (fila.nombre, fila.apellidos, fila.cargo) == ("Ana", "Núñez Peña", "Jefa de Área")
    assert fila.organizacion_id == sej.pk
    assert fila.entidad_id == sej.entidad_id


def test_bom_lineas_vacias_espacios_y_mayusculas_en_el_correo(edicion, sej, coordinador_jal):
    persona = UsuarioFactory(email="luis.perez@sej.gob.mx", organizacion=sej)
    contenido = (
        "\ufeff correo , nombre ,apellidos\n\n,,\n  LUIS.Perez@SEJ.gob.mx  , Luis ,  Pérez \n\n"
    ).encode("utf-8")

    [fila] = _revisar(contenido, edicion, coordinador_jal)

    assert fila.numero == 4
    assert fila.estado == INSCRIBIR, fila.motivos
    assert fila.usuario_id == persona.pk


def test_xlsx_con_clave_de_organizacion(edicion, sej, coordinador_jal):
    contenido = _xlsx(
        [
            ["Email", "Nombres", "Apellidos", "ID organización"],
            ["sofia@sej.gob.mx", "Sofía", "Ramírez", sej.pk],
        ]
    )

    [fila] = _revisar(contenido, edicion, coordinador_jal, nombre="personas.xlsx")

    assert fila.estado == CREAR, fila.motivos
    assert fila.organizacion_id == sej.pk


def test_sin_columna_de_correo_da_mensaje_claro():
    with pytest.raises(ArchivoInvalido, match="correo electrónico: es el único dato obligatorio"):
        leer_inscripciones("p.csv", b"nombre,apellidos\nAna,Lopez\n")


def test_archivo_de_50000_filas_se_rechaza_pronto_con_mensaje_claro():
    contenido = (ENCABEZADO + "persona@ejemplo.mx,Ana,López,,SEJ,14\n" * 50_000).encode()
    inicio = time.monotonic()

    with pytest.raises(ArchivoInvalido) as error:
        leer_inscripciones("enorme.csv", contenido)

    assert "más de 10,000 filas" in error.value.mensaje
    assert "divídalo" in error.value.mensaje
    assert time.monotonic() - inicio < 5


# --- Classifying rows -----------------------------------------------------------------


def test_filas_duplicadas_sin_importar_mayusculas_se_rechaza_la_segunda(
    edicion, sej, coordinador_jal
):
    texto = ENCABEZADO + "ana@sej.gob.mx,Ana,Uno,,SEJ,14\nANA@sej.gob.mx,Ana,Uno,,SEJ,14\n"

    primera, segunda = _revisar(texto, edicion, coordinador_jal)

    assert primera.estado == CREAR
    assert segunda.estado == RECHAZADA
    assert "duplicada" in segunda.motivo
    assert "fila 2" in segunda.motivo


@pytest.mark.parametrize("correo", ["sin-arroba.gob.mx", "dos@@sej.gob.mx", "ana@", "a b@sej"])
def test_correos_invalidos_se_rechazan(edicion, sej, coordinador_jal, correo):
    [fila] = _revisar(ENCABEZADO + f"{correo},Ana,Uno,,SEJ,14\n", edicion, coordinador_jal)

    assert fila.estado == RECHAZADA
    assert "no es válido" in fila.motivo


def test_organizacion_desconocida_y_datos_faltantes_se_rechazan(edicion, sej, coordinador_jal):
    texto = (
        ENCABEZADO + "a@sej.gob.mx,Ana,Uno,,Secretaría Inventada,14\n"
        "b@sej.gob.mx,,,,SEJ,14\n"
        "c@sej.gob.mx,Carla,Tres,,,\n"
        "d@sej.gob.mx,Dora,Cuatro,,SEJ,Narnia\n"
    )

    filas = _revisar(texto, edicion, coordinador_jal)

    assert [f.estado for f in filas] == [RECHAZADA] * 4
    assert "«Secretaría Inventada» no está en el catálogo" in filas[0].motivo
    assert filas[0].pendiente  # listed once in the preview, for the coordinator to decide
    assert "Falta el nombre" in filas[1].motivo
    assert "Faltan los apellidos" in filas[1].motivo
    assert "Falta la organización" in filas[2].motivo
    assert "No se reconoce la entidad federativa «Narnia»" in filas[3].motivo


def test_coordinador_estatal_no_inscribe_personas_de_organizaciones_de_otro_estado(
    edicion, sej, sedema, coordinador_jal, nacional
):
    ajena = UsuarioFactory(email="existe@sedema.cdmx.gob.mx", organizacion=sedema)
    texto = (
        ENCABEZADO + "nueva@sedema.cdmx.gob.mx,Nora,Díaz,,SEDEMA,Ciudad de México\n"
        f"{ajena.email},,,,,\n"
        "propia@sej.gob.mx,Pia,Ruiz,,SEJ,Jalisco\n"
    )

    del_estado = _revisar(texto, edicion, coordinador_jal)
    del_pais = _revisar(texto, edicion, nacional)

    assert [f.estado for f in del_estado] == [RECHAZADA, RECHAZADA, CREAR]
    assert "fuera de su coordinación" in del_estado[0].motivo
    # The existing person's row is checked as an unknown address with no data would be.
    assert "Falta el nombre" in del_estado[1].motivo
    assert del_estado[1].usuario_id is None
    assert [f.estado for f in del_pais] == [CREAR, INSCRIBIR, CREAR]


def test_personas_no_elegibles_para_la_edicion_se_rechazan(curso, sej, sedema, nacional):
    edicion = EdicionFactory(curso=curso)
    edicion.entidades.set([sej.entidad])
    capitalina = UsuarioFactory(organizacion=sedema)
    texto = ENCABEZADO + f"{capitalina.email},,,,,\nnueva@sej.gob.mx,Ana,Uno,,SEJ,14\n"

    fuera, dentro = _revisar(texto, edicion, nacional)

    assert fuera.estado == RECHAZADA
    assert "solo para personas de otras entidades" in fuera.motivo
    assert dentro.estado == CREAR


def test_cupo_excedido_rechaza_las_filas_que_no_caben(curso, sej, coordinador_jal):
    edicion = EdicionFactory(curso=curso, cupo=2)
    InscripcionFactory(edicion=edicion, usuario=UsuarioFactory(organizacion=sej))
    texto = ENCABEZADO + "".join(f"p{i}@sej.gob.mx,P,{i},,SEJ,14\n" for i in range(3))

    filas = _revisar(texto, edicion, coordinador_jal)

    assert [f.estado for f in filas] == [CREAR, RECHAZADA, RECHAZADA]
    assert "cupo de 2" in filas[1].motivo


def test_ya_inscrita_y_retirada_que_se_reactiva(edicion, sej, coordinador_jal):
    activa = InscripcionFactory(edicion=edicion, usuario=UsuarioFactory(organizacion=sej))
    retirada = InscripcionFactory(
        edicion=edicion,
        usuario=UsuarioFactory(organizacion=sej),
        estado=Inscripcion.Estado.RETIRADA,
        retirada_en="2026-01-01T00:00:00Z",
    )
    texto = ENCABEZADO + f"{activa.usuario.email},,,,,\n{retirada.usuario.email},,,,,\n"

    ya, reactivar = _revisar(texto, edicion, coordinador_jal)

    assert ya.estado == YA_INSCRITA
    assert reactivar.estado == INSCRIBIR
    assert reactivar.reactivar


def test_reporte_de_rechazadas_en_utf8_con_bom_y_sin_formulas(edicion, sej, coordinador_jal):
    texto = ENCABEZADO + "=HYPERLINK(1),Ana,Uno,,SEJ,14\nbien@sej.gob.mx,Bea,Dos,,SEJ,14\n"

    contenido = importacion.reporte_rechazadas(
        _revisar(texto, edicion, coordinador_jal),
        encabezados=["correo", "nombre", "apellidos", "cargo", "organizacion", "entidad"],
    )

    assert contenido.startswith(b"\xef\xbb\xbf")
    lineas = list(csv.reader(io.StringIO(contenido.decode("utf-8-sig"))))
    assert lineas[0] == [
        "correo",
        "nombre",
        "apellidos",
        "cargo",
        "organizacion",
        "entidad",
        "Motivo del rechazo",
    ]
    assert len(lineas) == 2
    assert lineas[1][0] == "'=HYPERLINK(1)"
    assert "no es válido" in lineas[1][-1]


# --- Writing ----------------------------------------------------------------------------


def test_inscribir_en_bloque_crea_cuentas_inscribe_y_envia_invitaciones(
    client, edicion, sej, coordinador_jal, django_capture_on_commit_callbacks
):
    existente = UsuarioFactory(email="ya.tiene@sej.gob.mx", organizacion=sej)
    texto = (
        ENCABEZADO + "Nueva.Persona@SEJ.gob.mx,Nueva,Persona Uno,Analista,SEJ,14\n"
        "YA.TIENE@sej.gob.mx,,,,,\nmal-correo,,,,,\n"
    )
    filas = _revisar(texto, edicion, coordinador_jal)

    with django_capture_on_commit_callbacks(execute=True):
        resultado = services_importacion.inscribir_en_bloque(
            edicion=edicion, filas_revisadas=filas, coordinador=coordinador_jal
        )

    assert resultado == {
        "inscritas": 1,
        "reactivadas": 0,
        "creadas": 1,
        "organizaciones_creadas": 0,
    }
    nueva = Usuario.objects.get(email="nueva.persona@sej.gob.mx")
    assert not nueva.has_usable_password()
    assert (nueva.first_name, nueva.last_name, nueva.cargo) == ("Nueva", "Persona Uno", "Analista")
    assert (nueva.organizacion_id, nueva.entidad_id) == (sej.pk, sej.entidad_id)
    assert EmailAddress.objects.get(user=nueva).verified is False
    inscripciones = Inscripcion.objects.filter(edicion=edicion)
    assert set(inscripciones.values_list("usuario_id", flat=True)) == {nueva.pk, existente.pk}
    assert set(inscripciones.values_list("origen", "inscrita_por")) == {
        (Inscripcion.Origen.CARGA_MASIVA, coordinador_jal.pk)
    }
    [correo] = mail.outbox
    assert correo.to == ["nueva.persona@sej.gob.mx"]
    assert edicion.curso.title in correo.subject

    # The link in the invitation lets the person choose a password, which verifies the address.
    enlace = next(linea for linea in correo.body.splitlines() if "/password/reset/key/" in linea)
    respuesta = client.get(urlsplit(enlace.strip()).path)
    assert respuesta.status_code == 302
    respuesta = client.post(
        respuesta["Location"],
        {"password1": "una-contrasena-nueva-9", "password2": "una-contrasena-nueva-9"},
    )
    assert respuesta.status_code == 302
    nueva.refresh_from_db()
    assert nueva.check_password("una-contrasena-nueva-9")
    assert EmailAddress.objects.get(user=nueva).verified is True


def test_reactiva_inscripciones_retiradas(edicion, sej, coordinador_jal):
    retirada = InscripcionFactory(
        edicion=edicion,
        usuario=UsuarioFactory(organizacion=sej),
        estado=Inscripcion.Estado.RETIRADA,
        retirada_en="2026-01-01T00:00:00Z",
    )
    filas = _revisar(ENCABEZADO + f"{retirada.usuario.email},,,,,\n", edicion, coordinador_jal)

    resultado = services_importacion.inscribir_en_bloque(
        edicion=edicion, filas_revisadas=filas, coordinador=coordinador_jal
    )

    retirada.refresh_from_db()
    assert resultado["reactivadas"] == 1
    assert retirada.activa
    assert retirada.retirada_en is None


def test_es_todo_o_nada(edicion, sej, coordinador_jal, monkeypatch):
    filas = _revisar(ENCABEZADO + "a@sej.gob.mx,Ana,Uno,,SEJ,14\n", edicion, coordinador_jal)

    def fallar(*args, **kwargs):
        raise RuntimeError("falla a la mitad")

    monkeypatch.setattr(Inscripcion.objects, "bulk_create", fallar)
    with pytest.raises(RuntimeError):
        services_importacion.inscribir_en_bloque(
            edicion=edicion, filas_revisadas=filas, coordinador=coordinador_jal
        )

    assert not Usuario.objects.filter(email="a@sej.gob.mx").exists()
    assert not EmailAddress.objects.filter(email="a@sej.gob.mx").exists()


def test_cupo_ocupado_entre_vista_previa_y_confirmacion_no_escribe_nada(
    curso, sej, coordinador_jal
):
    edicion = EdicionFactory(curso=curso, cupo=2)
    texto = ENCABEZADO + "a@sej.gob.mx,Ana,Uno,,SEJ,14\nb@sej.gob.mx,Bea,Dos,,SEJ,14\n"
    filas = _revisar(texto, edicion, coordinador_jal)
    InscripcionFactory(edicion=edicion, usuario=UsuarioFactory(organizacion=sej))

    with pytest.raises(services_importacion.ImportacionError, match="cambiaron"):
        services_importacion.inscribir_en_bloque(
            edicion=edicion, filas_revisadas=filas, coordinador=coordinador_jal
        )

    assert Inscripcion.objects.filter(edicion=edicion).count() == 1
    assert not Usuario.objects.filter(email__in=["a@sej.gob.mx", "b@sej.gob.mx"]).exists()


def test_cuenta_creada_por_otro_entre_vista_previa_y_confirmacion_no_se_duplica(
    edicion, sej, coordinador_jal
):
    filas = _revisar(ENCABEZADO + "a@sej.gob.mx,Ana,Uno,,SEJ,14\n", edicion, coordinador_jal)
    UsuarioFactory(email="a@sej.gob.mx", organizacion=sej)

    with pytest.raises(services_importacion.ImportacionError):
        services_importacion.inscribir_en_bloque(
            edicion=edicion, filas_revisadas=filas, coordinador=coordinador_jal
        )

    assert Usuario.objects.filter(email__iexact="a@sej.gob.mx").count() == 1
    assert not Inscripcion.objects.filter(edicion=edicion).exists()


def test_inscripcion_hecha_por_otro_entre_vista_previa_y_confirmacion_no_se_duplica(
    edicion, sej, coordinador_jal
):
    persona = UsuarioFactory(organizacion=sej)
    filas = _revisar(ENCABEZADO + f"{persona.email},,,,,\n", edicion, coordinador_jal)
    InscripcionFactory(edicion=edicion, usuario=persona)

    with pytest.raises(services_importacion.ImportacionError):
        services_importacion.inscribir_en_bloque(
            edicion=edicion, filas_revisadas=filas, coordinador=coordinador_jal
        )

    assert Inscripcion.objects.filter(edicion=edicion, usuario=persona).count() == 1


def _lotes_del_motor(modelo, filas: int) -> int:
    """INSERTs the database backend needs for `filas` rows (SQLite caps parameters per query)."""
    campos = [f for f in modelo._meta.concrete_fields if not f.primary_key]
    tamano = min(connection.ops.bulk_batch_size(campos, [None] * filas), services_importacion.LOTE)
    return math.ceil(filas / tamano)


@pytest.mark.parametrize("total", [5, 300])
def test_consultas_de_la_escritura_no_crecen_con_las_filas(
    edicion, sej, coordinador_jal, django_assert_max_num_queries, total
):
    existentes = UsuarioFactory.create_batch(total, organizacion=sej)
    texto = ENCABEZADO + "".join(f"{u.email},,,,,\n" for u in existentes)
    texto += "".join(f"nueva{i}@sej.gob.mx,Nueva,Persona {i},,SEJ,14\n" for i in range(total))
    filas = _revisar(texto, edicion, coordinador_jal)
    assert [f.estado for f in filas].count(CREAR) == total

    # Fixed queries plus one INSERT per batch the backend allows (one per 1,000 rows on
    # PostgreSQL; SQLite's parameter limit splits them further): never one per row.
    inserts = (
        _lotes_del_motor(Usuario, total)
        + _lotes_del_motor(EmailAddress, total)
        + _lotes_del_motor(Inscripcion, 2 * total)
    )
    with django_assert_max_num_queries(8 + inserts):
        resultado = services_importacion.inscribir_en_bloque(
            edicion=edicion, filas_revisadas=filas, coordinador=coordinador_jal
        )

    assert resultado["creadas"] == resultado["inscritas"] == total
    assert Inscripcion.objects.filter(edicion=edicion).count() == 2 * total
