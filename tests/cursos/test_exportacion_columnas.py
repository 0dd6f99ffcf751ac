"""The completion export, cell by cell: headers, order and values of every format and path.

A characterization of what coordinators download (CSV and XLSX, in the request and
from the background task), written before the columns were declared once, so the
declaration can change without the files changing.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from django.urls import reverse

from cursos import services_reportes
from cursos.models import ExportacionSolicitada, Inscripcion
from cursos.tasks import exportar_registros_task
from lms.models import Organizacion, Rol
from tests.factories import (
    AsignacionRolFactory,
    InscripcionFactory,
    OrganoGaranteFactory,
    SujetoObligadoFactory,
    UsuarioFactory,
)
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def _instante(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def _dia(*args):
    """A date as openpyxl reads a dated cell: a naive midnight."""
    return datetime.datetime.combine(datetime.date(*args), datetime.time())


def _constancia(inscripcion, folio, *, emitida_en, estado="vigente"):
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
        emitida_en=emitida_en,
        estado=estado,
        revocada_en=emitida_en if estado == "revocada" else None,
    )


def _coordinador(clave=None, rol=Rol.COORDINADOR_ESTATAL):
    usuario = UsuarioFactory(organizacion=None, entidad=None)
    AsignacionRolFactory(usuario=usuario, rol=rol, entidad=entidad(clave) if clave else None)
    return usuario


@pytest.fixture
def datos(curso, edicion):
    """Five people of three kinds of institution in two states, in every state of progress."""
    jal, cdmx = entidad("14"), entidad("09")
    garante_jal = OrganoGaranteFactory(nombre="Instituto de Transparencia de Jalisco", entidad=jal)
    secretaria = SujetoObligadoFactory(
        nombre="Secretaría de Salud Jalisco",
        entidad=jal,
        organo_garante=garante_jal,
        ambito=Organizacion.Ambito.ESTATAL,
        tipo=Organizacion.Tipo.PODER_EJECUTIVO,
    )
    municipio = SujetoObligadoFactory(
        nombre="=Municipio de Zapopan",
        entidad=jal,
        organo_garante=garante_jal,
        ambito=Organizacion.Ambito.MUNICIPAL,
        tipo=Organizacion.Tipo.MUNICIPIO,
    )
    personas = [
        UsuarioFactory(
            email="ana.lopez@salud.jalisco.gob.mx",
            first_name="Ana María",
            last_name="López Núñez",
            curp="LONA850101MJCPXN09",
            cargo="Titular de la Unidad de Transparencia",
            organizacion=secretaria,
        ),
        UsuarioFactory(
            email="beto@zapopan.gob.mx",
            first_name="Alberto\x0b",
            last_name="Peña Ibáñez",
            curp="PEIA900215HJCXBL01",
            cargo='=HYPERLINK("http://x")',
            organizacion=municipio,
        ),
        UsuarioFactory(
            email="carla@itei.org.mx",
            first_name="Carla",
            last_name="Güemes",
            curp="",
            cargo="Comisionada",
            organizacion=garante_jal,
        ),
        UsuarioFactory(
            email="diego@cdmx.gob.mx",
            first_name="Diego",
            last_name="Yáñez Zúñiga",
            curp="YAZD791130HDFXXG02",
            cargo="",
            organizacion=None,
            entidad=cdmx,
        ),
        UsuarioFactory(
            email="elena@retirada.gob.mx",
            first_name="Elena",
            last_name="Acuña",
            curp="ACXE880808MJCXXL05",
            cargo="Enlace",
            organizacion=secretaria,
        ),
    ]
    inscripciones = [InscripcionFactory(edicion=edicion, usuario=p) for p in personas]
    # Stored progress as `actualizar_completitud` leaves it, with fixed instants:
    # 03:00 UTC is still the previous day in Mexico City.
    columnas = [
        {
            "inscrita_en": _instante(2026, 1, 10, 15, 30),
            "completada_en": _instante(2026, 3, 1, 3, 0),
            "fase_actual": None,
            "avance": 100,
            "asistencia": 100,
            "calificacion": Decimal("92.50"),
            "horas_acreditadas": 20,
        },
        {
            "inscrita_en": _instante(2026, 2, 1, 2, 0),
            "fase_actual": curso.practica,
            "avance": 67,
            "asistencia": 50,
            "calificacion": Decimal("70.00"),
            "horas_acreditadas": 12,
        },
        {
            "inscrita_en": _instante(2026, 2, 3, 18, 0),
            "fase_actual": curso.teorica,
            "avance": 0,
            "asistencia": None,
            "calificacion": None,
            "horas_acreditadas": 0,
        },
        {
            "inscrita_en": _instante(2026, 2, 28, 23, 59),
            "completada_en": _instante(2026, 4, 2, 12, 0),
            "fase_actual": None,
            "avance": 100,
            "asistencia": 100,
            "calificacion": Decimal("100.00"),
            "horas_acreditadas": 20,
        },
        {
            "inscrita_en": _instante(2026, 1, 5, 9, 0),
            "estado": Inscripcion.Estado.RETIRADA,
            "retirada_en": _instante(2026, 1, 20, 9, 0),
            "fase_actual": curso.teorica,
            "avance": 33,
            "asistencia": 0,
            "calificacion": Decimal("40.25"),
            "horas_acreditadas": 0,
        },
    ]
    for inscripcion, valores in zip(inscripciones, columnas, strict=True):
        Inscripcion.objects.filter(pk=inscripcion.pk).update(**valores)
    _constancia(
        inscripciones[0], "TP-2026-000010", emitida_en=_instante(2026, 3, 2), estado="revocada"
    )
    _constancia(inscripciones[0], "TP-2026-000011", emitida_en=_instante(2026, 3, 5, 4, 0))
    _constancia(inscripciones[3], "TP-2026-000012", emitida_en=_instante(2026, 4, 3, 17, 0))
    return inscripciones


# What the code wrote before the columns were declared once (generated, then frozen).
CSV_NACIONAL = [
    [
        "Entidad federativa",
        "Órgano garante",
        "Sujeto obligado",
        "Ámbito",
        "Tipo",
        "Nombre(s)",
        "Apellidos",
        "CURP",
        "Cargo",
        "Correo electrónico",
        "Curso",
        "Edición",
        "Fase actual",
        "Fecha de inscripción",
        "Avance (%)",
        "Asistencia (%)",
        "Calificación",
        "Horas acreditadas",
        "Fecha de acreditación",
        "Folio de constancia",
        "Fecha de emisión de la constancia",
        "Estado",
    ],
    [
        "Jalisco",
        "Instituto de Transparencia de Jalisco",
        "Secretaría de Salud Jalisco",
        "Estatal",
        "Poder Ejecutivo",
        "Ana María",
        "López Núñez",
        "LONA850101MJCPXN09",
        "Titular de la Unidad de Transparencia",
        "ana.lopez@salud.jalisco.gob.mx",
        "Transparencia proactiva básica",
        "Grupo 1",
        "Todas completas",
        "10/01/2026",
        "100",
        "100",
        "92.5",
        "20",
        "28/02/2026",
        "TP-2026-000011",
        "04/03/2026",
        "Acreditado",
    ],
    [
        "Jalisco",
        "Instituto de Transparencia de Jalisco",
        "'=Municipio de Zapopan",
        "Municipal",
        "Municipio",
        "Alberto\x0b",
        "Peña Ibáñez",
        "PEIA900215HJCXBL01",
        '\'=HYPERLINK("http://x")',
        "beto@zapopan.gob.mx",
        "Transparencia proactiva básica",
        "Grupo 1",
        "Fase práctica",
        "31/01/2026",
        "67",
        "50",
        "70.0",
        "12",
        "",
        "",
        "",
        "En curso",
    ],
    [
        "Jalisco",
        "Instituto de Transparencia de Jalisco",
        "",
        "",
        "Órgano autónomo",
        "Carla",
        "Güemes",
        "",
        "Comisionada",
        "carla@itei.org.mx",
        "Transparencia proactiva básica",
        "Grupo 1",
        "Fase teórica",
        "03/02/2026",
        "0",
        "",
        "",
        "0",
        "",
        "",
        "",
        "En curso",
    ],
    [
        "Ciudad de México",
        "",
        "",
        "",
        "",
        "Diego",
        "Yáñez Zúñiga",
        "YAZD791130HDFXXG02",
        "",
        "diego@cdmx.gob.mx",
        "Transparencia proactiva básica",
        "Grupo 1",
        "Todas completas",
        "28/02/2026",
        "100",
        "100",
        "100.0",
        "20",
        "02/04/2026",
        "TP-2026-000012",
        "03/04/2026",
        "Acreditado",
    ],
    [
        "Jalisco",
        "Instituto de Transparencia de Jalisco",
        "Secretaría de Salud Jalisco",
        "Estatal",
        "Poder Ejecutivo",
        "Elena",
        "Acuña",
        "ACXE880808MJCXXL05",
        "Enlace",
        "elena@retirada.gob.mx",
        "Transparencia proactiva básica",
        "Grupo 1",
        "Fase teórica",
        "05/01/2026",
        "33",
        "0",
        "40.25",
        "0",
        "",
        "",
        "",
        "Retirada",
    ],
]
XLSX_NACIONAL = {
    "anchos": {
        "A": 23,
        "B": 35,
        "D": 13,
        "E": 23,
        "F": 19,
        "G": 23,
        "H": 21,
        "I": 25,
        "J": 31,
        "L": 17,
        "M": 23,
        "N": 13,
        "O": 11,
        "P": 13,
        "Q": 12,
        "R": 11,
        "S": 13,
        "T": 19,
        "U": 13,
    },
    "congelado": "A2",
    "fechas": ["N:dd/mm/yyyy", "S:dd/mm/yyyy", "U:dd/mm/yyyy"],
    "filas": [
        [
            "Entidad federativa",
            "Órgano garante",
            "Sujeto obligado",
            "Ámbito",
            "Tipo",
            "Nombre(s)",
            "Apellidos",
            "CURP",
            "Cargo",
            "Correo electrónico",
            "Curso",
            "Edición",
            "Fase actual",
            "Fecha de inscripción",
            "Avance (%)",
            "Asistencia (%)",
            "Calificación",
            "Horas acreditadas",
            "Fecha de acreditación",
            "Folio de constancia",
            "Fecha de emisión de la constancia",
            "Estado",
        ],
        [
            "Jalisco",
            "Instituto de Transparencia de Jalisco",
            "Secretaría de Salud Jalisco",
            "Estatal",
            "Poder Ejecutivo",
            "Ana María",
            "López Núñez",
            "LONA850101MJCPXN09",
            "Titular de la Unidad de Transparencia",
            "ana.lopez@salud.jalisco.gob.mx",
            "Transparencia proactiva básica",
            "Grupo 1",
            "Todas completas",
            _dia(2026, 1, 10),
            100,
            100,
            92.5,
            20,
            _dia(2026, 2, 28),
            "TP-2026-000011",
            _dia(2026, 3, 4),
            "Acreditado",
        ],
        [
            "Jalisco",
            "Instituto de Transparencia de Jalisco",
            "=Municipio de Zapopan",
            "Municipal",
            "Municipio",
            "Alberto",
            "Peña Ibáñez",
            "PEIA900215HJCXBL01",
            '=HYPERLINK("http://x")',
            "beto@zapopan.gob.mx",
            "Transparencia proactiva básica",
            "Grupo 1",
            "Fase práctica",
            _dia(2026, 1, 31),
            67,
            50,
            70,
            12,
            None,
            None,
            None,
            "En curso",
        ],
        [
            "Jalisco",
            "Instituto de Transparencia de Jalisco",
            None,
            None,
            "Órgano autónomo",
            "Carla",
            "Güemes",
            None,
            "Comisionada",
            "carla@itei.org.mx",
            "Transparencia proactiva básica",
            "Grupo 1",
            "Fase teórica",
            _dia(2026, 2, 3),
            0,
            None,
            None,
            0,
            None,
            None,
            None,
            "En curso",
        ],
        [
            "Ciudad de México",
            None,
            None,
            None,
            None,
            "Diego",
            "Yáñez Zúñiga",
            "YAZD791130HDFXXG02",
            None,
            "diego@cdmx.gob.mx",
            "Transparencia proactiva básica",
            "Grupo 1",
            "Todas completas",
            _dia(2026, 2, 28),
            100,
            100,
            100,
            20,
            _dia(2026, 4, 2),
            "TP-2026-000012",
            _dia(2026, 4, 3),
            "Acreditado",
        ],
        [
            "Jalisco",
            "Instituto de Transparencia de Jalisco",
            "Secretaría de Salud Jalisco",
            "Estatal",
            "Poder Ejecutivo",
            "Elena",
            "Acuña",
            "ACXE880808MJCXXL05",
            "Enlace",
            "elena@retirada.gob.mx",
            "Transparencia proactiva básica",
            "Grupo 1",
            "Fase teórica",
            _dia(2026, 1, 5),
            33,
            0,
            40.25,
            0,
            None,
            None,
            None,
            "Retirada",
        ],
    ],
    "negrita": [
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        True,
    ],
    "titulo": "Registros",
}
CSV_ESTATAL = [
    [
        "Entidad federativa",
        "Órgano garante",
        "Sujeto obligado",
        "Ámbito",
        "Tipo",
        "Nombre(s)",
        "Apellidos",
        "CURP (enmascarada)",
        "Cargo",
        "Correo electrónico",
        "Curso",
        "Edición",
        "Fase actual",
        "Fecha de inscripción",
        "Avance (%)",
        "Asistencia (%)",
        "Calificación",
        "Horas acreditadas",
        "Fecha de acreditación",
        "Folio de constancia",
        "Fecha de emisión de la constancia",
        "Estado",
    ],
    [
        "Jalisco",
        "Instituto de Transparencia de Jalisco",
        "Secretaría de Salud Jalisco",
        "Estatal",
        "Poder Ejecutivo",
        "Ana María",
        "López Núñez",
        "LONA**************",
        "Titular de la Unidad de Transparencia",
        "ana.lopez@salud.jalisco.gob.mx",
        "Transparencia proactiva básica",
        "Grupo 1",
        "Todas completas",
        "10/01/2026",
        "100",
        "100",
        "92.5",
        "20",
        "28/02/2026",
        "TP-2026-000011",
        "04/03/2026",
        "Acreditado",
    ],
    [
        "Jalisco",
        "Instituto de Transparencia de Jalisco",
        "'=Municipio de Zapopan",
        "Municipal",
        "Municipio",
        "Alberto\x0b",
        "Peña Ibáñez",
        "PEIA**************",
        '\'=HYPERLINK("http://x")',
        "beto@zapopan.gob.mx",
        "Transparencia proactiva básica",
        "Grupo 1",
        "Fase práctica",
        "31/01/2026",
        "67",
        "50",
        "70.0",
        "12",
        "",
        "",
        "",
        "En curso",
    ],
    [
        "Jalisco",
        "Instituto de Transparencia de Jalisco",
        "",
        "",
        "Órgano autónomo",
        "Carla",
        "Güemes",
        "",
        "Comisionada",
        "carla@itei.org.mx",
        "Transparencia proactiva básica",
        "Grupo 1",
        "Fase teórica",
        "03/02/2026",
        "0",
        "",
        "",
        "0",
        "",
        "",
        "",
        "En curso",
    ],
    [
        "Jalisco",
        "Instituto de Transparencia de Jalisco",
        "Secretaría de Salud Jalisco",
        "Estatal",
        "Poder Ejecutivo",
        "Elena",
        "Acuña",
        "ACXE**************",
        "Enlace",
        "elena@retirada.gob.mx",
        "Transparencia proactiva básica",
        "Grupo 1",
        "Fase teórica",
        "05/01/2026",
        "33",
        "0",
        "40.25",
        "0",
        "",
        "",
        "",
        "Retirada",
    ],
]


def _csv(contenido: bytes) -> list[list[str]]:
    assert contenido.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(contenido.decode("utf-8-sig"))))


def _xlsx(contenido: bytes) -> dict:
    libro = load_workbook(io.BytesIO(contenido))
    hoja = libro.active
    return {
        "titulo": hoja.title,
        "congelado": hoja.freeze_panes,
        "anchos": {
            letra: round(dimension.width)
            for letra, dimension in sorted(hoja.column_dimensions.items())
            if dimension.width
        },
        "fechas": sorted(
            {
                c.coordinate[:1] + ":" + c.number_format
                for fila in hoja.iter_rows(min_row=2)
                for c in fila
                if c.is_date
            }
        ),
        "negrita": [c.font.b for c in hoja[1]],
        "filas": [list(f) for f in hoja.iter_rows(values_only=True)],
    }


def _descarga(client, usuario, formato):
    client.force_login(usuario)
    respuesta = client.get(reverse("cursos:exportar", args=[formato]))
    assert respuesta.status_code == 200
    return b"".join(respuesta.streaming_content)


def _en_segundo_plano(client, usuario, formato, monkeypatch):
    monkeypatch.setitem(services_reportes.MAX_FILAS_DIRECTAS, formato, 0)
    client.force_login(usuario)
    assert client.get(reverse("cursos:exportar", args=[formato])).status_code == 302
    exportacion = ExportacionSolicitada.objects.get(solicitante=usuario, formato=formato)
    exportar_registros_task.apply(args=[exportacion.pk])
    descarga = client.get(reverse("cursos:exportacion_descargar", args=[exportacion.uid]))
    assert descarga.status_code == 200
    return b"".join(descarga.streaming_content)


def test_csv_completo_en_la_solicitud_y_en_segundo_plano(client, datos, monkeypatch):
    nacional = _coordinador(rol=Rol.COORDINADOR_NACIONAL)
    directo = _descarga(client, nacional, "csv")
    assert _csv(directo) == CSV_NACIONAL
    assert _en_segundo_plano(client, nacional, "csv", monkeypatch) == directo


def test_xlsx_completo_en_la_solicitud_y_en_segundo_plano(client, datos, monkeypatch):
    nacional = _coordinador(rol=Rol.COORDINADOR_NACIONAL)
    assert _xlsx(_descarga(client, nacional, "xlsx")) == XLSX_NACIONAL
    assert _xlsx(_en_segundo_plano(client, nacional, "xlsx", monkeypatch)) == XLSX_NACIONAL


def test_coordinacion_estatal_recibe_la_curp_enmascarada_en_ambos_formatos(client, datos):
    estatal = _coordinador("14")
    assert _csv(_descarga(client, estatal, "csv")) == CSV_ESTATAL
    filas = _xlsx(_descarga(client, estatal, "xlsx"))["filas"]
    assert filas[0] == CSV_ESTATAL[0]
    assert [f[7] for f in filas[1:]] == [f[7] or None for f in CSV_ESTATAL[1:]]


def test_una_columna_declarada_aparece_en_ambos_formatos(client, datos):
    from cursos import columnas_exportacion

    columnas_exportacion.registrar_columnas(
        columnas_exportacion.Columna(
            clave="dias_inscrita",
            encabezado="Días inscrita",
            ancho=8,
            tipo=columnas_exportacion.Tipo.NUMERO,
            campos={"edicion_id": "edicion_id"},
            valor=lambda f: 7,
        ),
        antes_de="estado",
    )
    try:
        nacional = _coordinador(rol=Rol.COORDINADOR_NACIONAL)
        filas = _csv(_descarga(client, nacional, "csv"))
        hoja = _xlsx(_descarga(client, nacional, "xlsx"))["filas"]
    finally:
        columnas_exportacion.retirar_columnas("dias_inscrita")
    assert filas[0][-3:] == ["Fecha de emisión de la constancia", "Días inscrita", "Estado"]
    assert {f[-2] for f in filas[1:]} == {"7"}
    assert hoja[0] == filas[0]
    assert {f[-2] for f in hoja[1:]} == {7}
    assert [c.clave for c in columnas_exportacion.columnas()][-3:] == [
        "folio",
        "constancia_emitida_en",
        "estado",
    ]
