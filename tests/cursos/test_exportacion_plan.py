"""How the export's rows are built: shared columns once per distinct value, formats per column."""

import csv
import io

import pytest

from cursos import columnas_exportacion, reportes, services_reportes
from cursos.columnas_exportacion import Columna, Flujo, Tipo
from cursos.models import Inscripcion
from tests.factories import EdicionFactory, InscripcionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tres_y_dos(curso):
    """Five enrolments: three in one edition, two in another."""
    primera = EdicionFactory(curso=curso, nombre="Grupo A")
    segunda = EdicionFactory(curso=curso, nombre="Grupo B")
    return [InscripcionFactory(edicion=primera) for _ in range(3)] + [
        InscripcionFactory(edicion=segunda) for _ in range(2)
    ]


@pytest.fixture
def columna_registrada():
    """Register columns for one test and take them out afterwards."""
    claves = []

    def registrar(*columnas):
        claves.extend(c.clave for c in columnas)
        columnas_exportacion.registrar_columnas(*columnas)

    yield registrar
    columnas_exportacion.retirar_columnas(*claves)


def _contador(llamadas, respuesta):
    def valor(fila):
        llamadas.append(fila["edicion_id"])
        return respuesta(fila)

    return valor


def test_columna_compartida_se_calcula_una_vez_por_valor_distinto(tres_y_dos, columna_registrada):
    llamadas = []
    columna_registrada(
        Columna(
            clave="grupo_en_mayusculas",
            encabezado="Grupo",
            ancho=10,
            campos={"edicion_id": "edicion_id"},
            tablas=(columnas_exportacion.EDICIONES,),
            valor=_contador(llamadas, lambda f: f["ediciones"][f["edicion_id"]][1].upper()),
            compartido=True,
        )
    )
    filas = list(reportes.registros(Inscripcion.objects.all()))
    assert [f.grupo_en_mayusculas for f in filas] == ["GRUPO A"] * 3 + ["GRUPO B"] * 2
    assert sorted(llamadas) == sorted({i.edicion_id for i in tres_y_dos})


def test_columna_por_fila_se_calcula_en_cada_fila(tres_y_dos, columna_registrada):
    llamadas = []
    columna_registrada(
        Columna(
            clave="uno",
            encabezado="Uno",
            ancho=4,
            tipo=Tipo.NUMERO,
            campos={"edicion_id": "edicion_id"},
            valor=_contador(llamadas, lambda f: 1),
        )
    )
    assert [f.uno for f in reportes.registros(Inscripcion.objects.all())] == [1] * 5
    assert len(llamadas) == 5


def test_el_formato_de_una_columna_compartida_se_aplica_a_cada_fila(tres_y_dos, columna_registrada):
    """A shared cell is formatted once and shown in every row that has it (CSV neutralizes '=')."""
    columna_registrada(
        Columna(
            clave="formula",
            encabezado="Fórmula",
            ancho=10,
            campos={"edicion_id": "edicion_id"},
            tablas=(columnas_exportacion.EDICIONES,),
            valor=lambda f: "=" + f["ediciones"][f["edicion_id"]][1],
            compartido=True,
        )
    )
    contenido = b"".join(services_reportes.csv_en_partes(Inscripcion.objects.all(), con_curp=True))
    filas = list(csv.reader(io.StringIO(contenido.decode("utf-8-sig"))))
    assert [f[-1] for f in filas[1:]] == ["'=Grupo A"] * 3 + ["'=Grupo B"] * 2


def test_csv_sin_filas_lleva_el_encabezado():
    contenido = b"".join(services_reportes.csv_en_partes(Inscripcion.objects.none(), con_curp=True))
    filas = list(csv.reader(io.StringIO(contenido.decode("utf-8-sig"))))
    assert filas == [services_reportes.encabezado(con_curp=True)]


def test_una_columna_compartida_no_lee_flujos():
    flujo = Flujo("otro", lambda base, bloque: iter(()))
    with pytest.raises(ValueError, match="compartida"):
        Columna(
            clave="x",
            encabezado="X",
            ancho=4,
            flujos=(flujo,),
            valor=lambda f: f["otro"],
            compartido=True,
        )
