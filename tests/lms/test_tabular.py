"""Reading uploaded tables under limits: hostile workbooks and CSVs are refused cheaply."""

import functools
import io
import tracemalloc

import pytest
from openpyxl import Workbook

from django.urls import reverse

from lms import tabular
from lms.carga.libros import CELDA_COMPARTIDA, ENCABEZADO, HOSTILES, cadenas, libro_xlsx
from lms.models import Organizacion
from lms.tabular import ArchivoInvalido, leer_tabla
from tests.factories import UsuarioFactory

MIB = 1024 * 1024


@functools.cache
def hostil(nombre: str) -> bytes:
    return HOSTILES[nombre][0]()


def _leer(contenido: bytes, nombre: str = "libro.xlsx") -> tabular.Tabla:
    return leer_tabla(nombre, contenido, max_filas=tabular.MAX_FILAS_ASISTENCIA)


def test_libro_hecho_a_mano_se_lee():
    # The hostile files below are built the same way; this one proves the builder is sound.
    contenido = libro_xlsx([ENCABEZADO, CELDA_COMPARTIDA], parte_cadenas=cadenas([b"ana@x.mx"]))

    tabla = _leer(contenido)

    assert [(numero, [c for c in celdas if c]) for numero, celdas in tabla] == [
        (1, ["correo", "nombre", "apellidos"]),
        (2, ["ana@x.mx"]),
    ]


@pytest.mark.parametrize("nombre", sorted(HOSTILES))
def test_libro_hostil_se_rechaza_con_mensaje_y_memoria_acotada(nombre):
    contenido = hostil(nombre)
    palabras = HOSTILES[nombre][1]

    tracemalloc.start()
    try:
        with pytest.raises(ArchivoInvalido) as error:
            _leer(contenido)
        _actual, pico = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert palabras in error.value.mensaje
    assert pico < 50 * MIB, f"{nombre}: {pico / MIB:.0f} MB"


def test_libro_con_el_maximo_de_filas_de_inscripcion_se_lee():
    libro = Workbook(write_only=True)
    hoja = libro.create_sheet()
    hoja.append(["Correo electrónico", "Nombre", "Apellidos", "Cargo", "Organización", "Entidad"])
    for n in range(tabular.MAX_FILAS_INSCRIPCIONES):
        hoja.append([f"persona{n}@sej.gob.mx", "Ana", f"Pérez {n}", "Analista", "SEJ", "Jalisco"])
    salida = io.BytesIO()
    libro.save(salida)

    tabla = leer_tabla(
        "personas.xlsx", salida.getvalue(), max_filas=tabular.MAX_FILAS_INSCRIPCIONES
    )

    assert len(tabla) == tabular.MAX_FILAS_INSCRIPCIONES + 1
    assert tabla[-1][1][2] == f"Pérez {tabular.MAX_FILAS_INSCRIPCIONES - 1}"


def test_libro_con_partes_comprimidas_con_otro_metodo_se_rechaza():
    contenido = bytearray(libro_xlsx([ENCABEZADO]))
    # Mark every member as bzip2-compressed (method 12), which no Excel writes.
    for firma, desplazamiento in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        inicio = contenido.find(firma)
        while inicio != -1:
            contenido[inicio + desplazamiento : inicio + desplazamiento + 2] = (12).to_bytes(
                2, "little"
            )
            inicio = contenido.find(firma, inicio + 4)

    with pytest.raises(ArchivoInvalido, match=r"archivo \.xlsx válido"):
        _leer(bytes(contenido))


def test_libro_con_dtd_se_rechaza():
    bomba = (
        b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<si><t>&b;</t></si></sst>"
    )
    contenido = libro_xlsx([ENCABEZADO, CELDA_COMPARTIDA], parte_cadenas=[bomba])

    with pytest.raises(ArchivoInvalido, match=r"archivo \.xlsx válido"):
        _leer(contenido)


# --- CSV ---------------------------------------------------------------------


def test_csv_con_demasiadas_columnas_con_datos_se_rechaza():
    fila = ";".join(f"v{i}" for i in range(tabular.MAX_COLUMNAS + 1))

    with pytest.raises(ArchivoInvalido, match=f"más de {tabular.MAX_COLUMNAS} columnas"):
        _leer(f"correo;nombre\n{fila}\n".encode(), "personas.csv")


def test_csv_con_columnas_vacias_al_final_se_lee():
    # Excel writes the separators of formatted but empty columns.
    tabla = _leer(b"correo;nombre" + b";" * 60 + b"\nana@x.mx;Ana\n", "personas.csv")

    assert tabla[1][1][:2] == ["ana@x.mx", "Ana"]


def test_csv_con_celda_demasiado_larga_se_rechaza():
    contenido = b"correo;nombre\nana@x.mx;" + b"N" * (tabular.MAX_LONGITUD_CELDA + 1) + b"\n"

    with pytest.raises(ArchivoInvalido) as error:
        _leer(contenido, "personas.csv")

    assert "La fila 2 tiene una celda con más de" in error.value.mensaje


def test_csv_con_una_linea_interminable_se_rechaza_con_memoria_acotada():
    contenido = b"correo;nombre\n" + b";" * (15 * MIB) + b"\n"

    tracemalloc.start()
    try:
        with pytest.raises(ArchivoInvalido, match="línea 2 es demasiado larga"):
            _leer(contenido, "personas.csv")
        _actual, pico = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert pico < 50 * MIB


# --- The organizations import screen -------------------------------------------


@pytest.fixture
def administrador(client):
    usuario = UsuarioFactory(is_superuser=True, is_staff=True)
    client.force_login(usuario)
    return usuario


@pytest.mark.django_db
@pytest.mark.parametrize("nombre", sorted(HOSTILES))
def test_importar_organizaciones_rechaza_libro_hostil_sin_guardar_nada(
    client, administrador, nombre
):
    antes = Organizacion.objects.count()
    archivo = io.BytesIO(hostil(nombre))
    archivo.name = "sujetos.xlsx"

    respuesta = client.post(reverse("organizacion:importar"), {"archivo": archivo})

    assert respuesta.status_code == 200
    assert HOSTILES[nombre][1] in respuesta.content.decode()
    assert not client.session.get("lms_importaciones")
    assert Organizacion.objects.count() == antes
