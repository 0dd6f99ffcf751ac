"""A state coordinator's journey: bulk enrolment, dashboard, XLSX, bulk constancias and ZIP.

Every page reached is scanned with axe at desktop and phone widths. The bulk issuance job
is queued as in production; the test plays the Celery worker, running the job chunk by
chunk, and watches the page's progress bar follow it to the end. While the test thread
works, Playwright holds the page's status polls (a route is only served inside a
Playwright call), so the browser and the "worker" never use the database at once.
"""

import re
import zipfile

import openpyxl
import pytest
from playwright.sync_api import expect

from constancias import services as constancias_services
from constancias.models import Constancia, TrabajoEmision
from cursos import services as cursos_services
from cursos.models import Inscripcion
from lms import services
from lms.models import Rol, Usuario
from tests.e2e.pasos import entrar, guardar_descarga
from tests.factories import InscripcionFactory, SujetoObligadoFactory, UsuarioFactory
from tests.factories.constancias import ReglaConstanciaFactory
from tests.factories.cursos import (
    CursoPageFactory,
    EdicionFactory,
    FasePageFactory,
    LeccionPageFactory,
)
from tests.factories.personas import entidad

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ENCABEZADO = "correo;nombre;apellidos;cargo;organizacion;entidad\r\n"
NUEVAS = [
    ("jose.angel@sej.gob.mx", "José Ángel", "Ñúñez Güemes", "Analista", "SEJ"),
    ("maria.yanez@sej.gob.mx", "María", "Yáñez Zúñiga", "Jefa de departamento", "SEJ"),
    ("rocio.acuna@congresojal.gob.mx", "Rocío", "Acuña Peña", "Enlace", "CEJ"),
    ("ines.ibarra@congresojal.gob.mx", "Inés", "Ibarra O'Higgins", "Directora", "CEJ"),
]


def _csv():
    filas = [f"{c};{n};{a};{cargo};{o};Jalisco\r\n" for c, n, a, cargo, o in NUEVAS]
    filas.insert(1, "Existente@SEJ.gob.mx;;;;;\r\n")
    filas.append("tomas@tsjoax.gob.mx;Tomás;Ruiz;Actuario;TSJO;Oaxaca\r\n")
    filas.append("no-es-correo;Ana;López;;SEJ;Jalisco\r\n")
    return (ENCABEZADO + "".join(filas)).encode("utf-8-sig")


@pytest.fixture
def escenario():
    jalisco, oaxaca = entidad("14"), entidad("20")
    sej = SujetoObligadoFactory(
        entidad=jalisco, nombre="Secretaría de Educación Jalisco", siglas="SEJ"
    )
    SujetoObligadoFactory(entidad=jalisco, nombre="Congreso del Estado de Jalisco", siglas="CEJ")
    tsjo = SujetoObligadoFactory(
        entidad=oaxaca, nombre="Tribunal Superior de Justicia de Oaxaca", siglas="TSJO"
    )
    curso = CursoPageFactory(title="Transparencia Proactiva")
    fase = FasePageFactory(parent=curso, title="Fase teórica", horas=20)
    leccion = LeccionPageFactory(parent=fase, title="Marco normativo")
    edicion = EdicionFactory(curso=curso, nombre="Grupo nacional 2026")
    regla = ReglaConstanciaFactory(edicion=edicion, automatica=False)
    UsuarioFactory(
        email="existente@sej.gob.mx", first_name="Óscar", last_name="Muñoz Ávila", organizacion=sej
    )
    # Someone of another state, enrolled and accredited: the coordinator must never reach them.
    oaxaqueno = InscripcionFactory(
        edicion=edicion,
        usuario=UsuarioFactory(first_name="Tomás", last_name="Oaxaqueño Ruiz", organizacion=tsjo),
    )
    cursos_services.marcar_leccion_completada(inscripcion=oaxaqueno, leccion=leccion)
    coordinadora = UsuarioFactory(
        email="coordinacion.jalisco@ejemplo.gob.mx",
        first_name="Estela",
        last_name="Ibáñez Orozco",
        organizacion=sej,
    )
    services.asignar_rol(usuario=coordinadora, rol=Rol.COORDINADOR_ESTATAL, entidad_id=jalisco.pk)
    return {
        "edicion": edicion,
        "leccion": leccion,
        "regla": regla,
        "sej": sej,
        "oaxaca": oaxaca,
        "coordinadora": coordinadora,
    }


def _cifra(cifras, nombre):
    return cifras.locator(".cifra", has=cifras.page.get_by_text(nombre, exact=True)).locator("dd")


def _inscribir_en_bloque(pagina, revisar_accesibilidad, edicion):
    pagina.goto("/coordinacion/")
    revisar_accesibilidad(pagina)
    pagina.get_by_role("link", name="Ediciones e inscripciones").click()
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Ediciones")
    revisar_accesibilidad(pagina)
    pagina.get_by_role("link", name=edicion.nombre).click()
    revisar_accesibilidad(pagina)
    pagina.get_by_role("link", name=re.compile("Inscribir personas en bloque")).click()
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Inscribir personas en bloque")
    revisar_accesibilidad(pagina)

    pagina.get_by_label("Archivo").set_input_files(
        {"name": "personas jalisco.csv", "mimeType": "text/csv", "buffer": _csv()}
    )
    pagina.get_by_role("button", name="Revisar el archivo").click()
    expect(pagina.get_by_role("heading", level=1)).to_have_text(
        "Vista previa de la inscripción en bloque"
    )
    principal = pagina.locator("main")
    expect(principal).to_contain_text("Todavía no se ha inscrito a nadie.")
    expect(principal).to_contain_text("1 persona con cuenta se inscribe")
    expect(principal).to_contain_text("4 personas nuevas: se crea su cuenta y se inscriben")
    expect(principal).to_contain_text("2 filas rechazadas")
    tabla = pagina.get_by_role("table", name="Qué pasará con cada fila")
    expect(tabla).to_contain_text("Ñúñez Güemes")
    expect(tabla).to_contain_text("está fuera de su coordinación")
    expect(tabla).to_contain_text("«no-es-correo» no es válido")
    assert not Inscripcion.objects.filter(usuario__entidad__clave_inegi="14").exists()
    revisar_accesibilidad(pagina)

    pagina.get_by_role("button", name="Inscribir a 5 personas").click()
    resultado = pagina.locator("main")
    expect(resultado).to_contain_text("La inscripción en bloque se aplicó.")
    expect(resultado).to_contain_text("Personas con cuenta inscritas: 1")
    expect(resultado).to_contain_text("Cuentas nuevas creadas e inscritas")
    expect(resultado).to_contain_text("Filas rechazadas: 2")
    revisar_accesibilidad(pagina)
    inscritas = Inscripcion.objects.filter(edicion=edicion, usuario__entidad__clave_inegi="14")
    assert inscritas.count() == 5
    assert not Usuario.objects.filter(email="tomas@tsjoax.gob.mx").exists()
    assert Usuario.objects.get(email="jose.angel@sej.gob.mx").first_name == "José Ángel"
    return inscritas


def _tablero_y_exportacion(pagina, revisar_accesibilidad, escenario, tmp_path):
    pagina.goto("/coordinacion/")
    pagina.get_by_role("link", name="Tablero, gráficas y exportaciones").click()
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Tablero de coordinación")
    cifras = pagina.locator(".cifras")
    # Five people of Jalisco; the accredited person of Oaxaca is not counted.
    expect(_cifra(cifras, "Inscritas")).to_have_text("5")
    expect(_cifra(cifras, "Acreditadas")).to_have_text("4")
    revisar_accesibilidad(pagina)

    pagina.get_by_label("Sujeto obligado", exact=True).select_option(str(escenario["sej"].pk))
    pagina.get_by_role("button", name="Aplicar filtros").click()
    expect(pagina).to_have_url(re.compile(rf"organizacion={escenario['sej'].pk}"))
    expect(_cifra(cifras, "Inscritas")).to_have_text("3")
    revisar_accesibilidad(pagina)

    with pagina.expect_download() as descarga:
        pagina.get_by_role("link", name="Descargar XLSX").click()
    ruta = guardar_descarga(descarga.value, tmp_path)
    assert ruta.suffix == ".xlsx"
    hoja = openpyxl.load_workbook(ruta, read_only=True).worksheets[0]
    filas = [list(fila) for fila in hoja.iter_rows(values_only=True)]
    encabezado, datos = filas[0], filas[1:]
    assert "Sujeto obligado" in encabezado
    assert "Órgano garante" in encabezado
    columna = {titulo: i for i, titulo in enumerate(encabezado)}
    personas = sorted((f[columna["Nombre(s)"]], f[columna["Apellidos"]]) for f in datos)
    assert personas == [
        ("José Ángel", "Ñúñez Güemes"),
        ("María", "Yáñez Zúñiga"),
        ("Óscar", "Muñoz Ávila"),
    ]
    assert {f[columna["Sujeto obligado"]] for f in datos} == {"Secretaría de Educación Jalisco"}
    assert {f[columna["Entidad federativa"]] for f in datos} == {"Jalisco"}

    # A URL edited to ask for another state shows nothing of it.
    pagina.goto(f"/cursos/coordinacion/tablero/?entidad={escenario['oaxaca'].pk}")
    expect(pagina.locator("main")).to_contain_text("Elija una entidad de las que usted coordina.")
    expect(pagina.locator(".cifras")).to_have_count(0)
    revisar_accesibilidad(pagina)
    respuesta = pagina.request.get(
        f"/cursos/coordinacion/exportar.csv?entidad={escenario['oaxaca'].pk}"
    )
    assert respuesta.status == 400
    assert "Oaxaqueño" not in respuesta.text()


def _emitir_en_bloque(pagina, revisar_accesibilidad, regla, oaxaca, tmp_path):
    pagina.goto("/coordinacion/")
    pagina.get_by_role("main").get_by_role("link", name="Constancias", exact=True).click()
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Constancias")
    revisar_accesibilidad(pagina)
    pagina.get_by_role("link", name=str(regla.edicion)).click()
    expect(pagina.get_by_role("heading", level=1)).to_have_text(str(regla))
    revisar_accesibilidad(pagina)

    # The page's polls wait while the test, acting as the worker, uses the database.
    pagina.route("**/estado.json", lambda ruta: ruta.continue_())
    navegaciones = []
    pagina.on(
        "framenavigated",
        lambda marco: navegaciones.append(marco.url) if marco == pagina.main_frame else None,
    )
    pagina.get_by_role("button", name="Emitir constancias").click()
    expect(pagina).to_have_url(re.compile(r"/constancias/coordinacion/trabajos/\d+/$"))
    trabajo = TrabajoEmision.objects.get()
    assert pagina.url.endswith(f"/trabajos/{trabajo.pk}/")
    assert trabajo.total == 5  # frozen to the coordinator's scope: nobody from Oaxaca
    barra = pagina.get_by_role("progressbar")
    expect(barra).to_have_attribute("aria-valuenow", "0")
    revisar_accesibilidad(pagina)

    assert constancias_services.procesar_trozo_trabajo(trabajo_id=trabajo.pk, tamano=2)
    expect(barra).to_have_attribute("aria-valuenow", "40", timeout=15_000)
    expect(pagina.locator("[data-texto]")).to_contain_text("En proceso: 2 de 5 personas revisadas")
    constancias_services.procesar_trabajo_emision(trabajo_id=trabajo.pk)
    # At the end the page reloads itself to list who got no constancia and why.
    expect(pagina.get_by_role("heading", name="Personas sin constancia y por qué")).to_be_visible(
        timeout=15_000
    )
    expect(barra).to_have_attribute("aria-valuenow", "100")
    expect(pagina.locator("[data-texto]")).to_contain_text("Terminado: 5 de 5")
    expect(pagina.locator("[data-texto]")).to_contain_text("4 constancias emitidas")
    # Once finished, the page stops polling (and reloading itself).
    recargas = len(navegaciones)
    pagina.wait_for_timeout(2_500)  # longer than the page's polling interval
    assert len(navegaciones) == recargas, navegaciones
    revisar_accesibilidad(pagina)
    pagina.unroute("**/estado.json")

    vigentes = Constancia.objects.filter(regla=regla, estado=Constancia.Estado.VIGENTE)
    assert vigentes.count() == 4
    assert not vigentes.filter(usuario__entidad__clave_inegi="20").exists()

    pagina.get_by_role("link", name=str(regla)).click()
    with pagina.expect_download() as descarga:
        pagina.get_by_role("link", name="Todas (ZIP)").click()
    ruta = guardar_descarga(descarga.value, tmp_path)
    with zipfile.ZipFile(ruta) as archivo:
        nombres = sorted(archivo.namelist())
        assert nombres == sorted(f"jalisco/{c.folio}.pdf" for c in vigentes)
        assert all(archivo.read(n).startswith(b"%PDF") for n in nombres)
    # The ZIP of another state is refused, not served empty.
    respuesta = pagina.request.get(
        f"/constancias/coordinacion/reglas/{regla.pk}/constancias.zip?entidad={oaxaca.pk}"
    )
    assert respuesta.status == 404


def test_coordinadora_estatal_inscribe_sigue_exporta_y_emite(
    pagina, revisar_accesibilidad, escenario, tmp_path
):
    edicion = escenario["edicion"]
    entrar(pagina, escenario["coordinadora"].email)

    inscritas = _inscribir_en_bloque(pagina, revisar_accesibilidad, edicion)
    # Four of the five study the lesson; Inés (Congreso) does not.
    for inscripcion in inscritas.exclude(usuario__email="ines.ibarra@congresojal.gob.mx"):
        cursos_services.marcar_leccion_completada(
            inscripcion=inscripcion, leccion=escenario["leccion"]
        )

    _tablero_y_exportacion(pagina, revisar_accesibilidad, escenario, tmp_path)
    _emitir_en_bloque(
        pagina, revisar_accesibilidad, escenario["regla"], escenario["oaxaca"], tmp_path
    )
