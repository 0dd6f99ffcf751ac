"""A state coordinator brings the Excel list her office uses, as it is.

Title rows above the header, "Nombre(s)" / "Primer apellido" / "Segundo apellido" /
"Correo electrónico" / "CURP" / "Puesto" / "Sujeto obligado" / "Estado", a phone
column nobody asked for, states as "JAL" and "Jalísco", one institution written
loosely and a CURP with a wrong check digit. She says what the phone column is, picks
the institution among the suggestions once for all its rows, confirms, and downloads
the rejected row with every column to fix it. Every page is scanned with axe.
"""

import csv
import io

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from cursos.models import FormatoLista, Inscripcion
from lms import services
from lms.models import Rol, Usuario
from tests.e2e.pasos import entrar, guardar_descarga
from tests.factories import SujetoObligadoFactory, UsuarioFactory
from tests.factories.cuentas import curp_valida
from tests.factories.cursos import CursoPageFactory, EdicionFactory
from tests.factories.personas import entidad

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CURP_ANA = curp_valida("HEGA850101MJCRRN0")
CURP_MAL = CURP_ANA[:17] + str((int(CURP_ANA[17]) + 1) % 10)


def _lista() -> bytes:
    libro = Workbook()
    hoja = libro.active
    for fila in [
        ["Unidad de Transparencia · Lista de asistentes"],
        [],
        [
            "Nombre(s)",
            "Primer Apellido",
            "Segundo Apellido",
            "Correo Electrónico",
            "CURP",
            "Puesto",
            "Sujeto Obligado",
            "Estado",
            "Teléfono",
        ],
        ["Ana María", "Hernández", "García", "ana@sej.gob.mx", CURP_ANA, "Jefa", "S.E.J.",
         "JAL", "33 1111 2222"],
        ["Luis", "Pérez", "López", "luis@ciapa.gob.mx", "", "Analista",
         "Comision Interinstitucional Agua Potable", "Jalísco", "33 3333 4444"],
        ["Rosa", "Díaz", "", "rosa@ciapa.gob.mx", CURP_MAL, "Enlace",
         "Comision Interinstitucional Agua Potable", "Jalisco", "33 5555 6666"],
    ]:  # fmt: skip
        hoja.append(fila)
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()


def test_lista_de_excel_tal_como_la_trae_la_coordinacion(pagina, revisar_accesibilidad, tmp_path):
    jalisco = entidad("14")
    SujetoObligadoFactory(entidad=jalisco, nombre="Secretaría de Educación Jalisco", siglas="SEJ")
    ciapa = SujetoObligadoFactory(
        entidad=jalisco, nombre="Comisión Intermunicipal de Agua Potable", siglas="CIAPA"
    )
    edicion = EdicionFactory(curso=CursoPageFactory(title="Transparencia Proactiva"))
    coordinadora = UsuarioFactory(email="coordinacion@itei.org.mx")
    services.asignar_rol(usuario=coordinadora, rol=Rol.COORDINADOR_ESTATAL, entidad_id=jalisco.pk)
    entrar(pagina, coordinadora.email)

    pagina.goto(f"/cursos/gestion/ediciones/{edicion.pk}/inscribir/")
    pagina.get_by_label("Archivo").set_input_files(
        {
            "name": "Lista asistentes.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": _lista(),
        }
    )
    pagina.get_by_role("button", name="Revisar el archivo").click()

    # The phone column is unknown: she is asked, with its first values to recognise it.
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Indique qué contiene cada columna")
    expect(pagina.locator("main")).to_contain_text("«Teléfono»")
    expect(pagina.locator("main")).to_contain_text("33 1111 2222")
    revisar_accesibilidad(pagina)
    pagina.get_by_label("Teléfono").select_option(label="No usar esta columna")
    pagina.get_by_role("button", name="Guardar y ver la vista previa").click()

    expect(pagina.get_by_role("heading", level=1)).to_have_text(
        "Vista previa de la inscripción en bloque"
    )
    principal = pagina.locator("main")
    expect(principal).to_contain_text("Se omitió 1 fila de título")
    expect(principal).to_contain_text("1 organización no está en el catálogo")
    expect(principal).to_contain_text("2 filas")
    revisar_accesibilidad(pagina)
    pagina.get_by_label("Es «Comisión Intermunicipal de Agua Potable»").check()
    pagina.get_by_role("button", name="Aplicar estas decisiones a la vista previa").click()

    expect(principal).to_contain_text("2 personas nuevas: se crea su cuenta y se inscriben")
    expect(principal).to_contain_text("1 fila rechazada")
    tabla = pagina.get_by_role("table", name="Qué pasará con cada fila")
    expect(tabla).to_contain_text("Hernández García")
    expect(tabla).to_contain_text("CURP no válida")
    revisar_accesibilidad(pagina)

    with pagina.expect_download() as descarga:
        pagina.get_by_role(
            "link", name="Descargar las filas rechazadas con todas sus columnas (CSV)"
        ).click()
    ruta = guardar_descarga(descarga.value, tmp_path)
    filas = list(csv.reader(io.StringIO(ruta.read_text(encoding="utf-8-sig"))))
    assert filas[0][-2:] == ["Teléfono", "Motivo del rechazo"]
    assert filas[1][:4] == ["Rosa", "Díaz", "", "rosa@ciapa.gob.mx"]

    pagina.get_by_role("button", name="Inscribir a 2 personas").click()
    expect(pagina.locator("main")).to_contain_text("La inscripción en bloque se aplicó.")
    revisar_accesibilidad(pagina)

    ana = Usuario.objects.get(email="ana@sej.gob.mx")
    assert (ana.first_name, ana.last_name, ana.curp) == ("Ana María", "Hernández García", CURP_ANA)
    assert Usuario.objects.get(email="luis@ciapa.gob.mx").organizacion_id == ciapa.pk
    assert Inscripcion.objects.filter(edicion=edicion).count() == 2
    assert not Usuario.objects.filter(email="rosa@ciapa.gob.mx").exists()
    assert FormatoLista.objects.filter(usuario=coordinadora).count() == 1
