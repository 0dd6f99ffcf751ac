"""Bulk enrolment with the lists coordinators really bring.

The sheets here are written from Mexican conventions, not copied from one file:
title rows above the header, "Nombre(s)" / "Primer apellido" / "Apellido materno" /
"Correo electrónico" / "E-mail" / "CURP" / "Puesto" / "Sujeto obligado" /
"Dependencia" / "Estado" in any case and accent, state names and abbreviations as
people write them, institutions written loosely, CSV from Excel in Windows-1252
with semicolons and "Texto Unicode" in UTF-16 with tabs.
"""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cursos import columnas, importacion
from cursos.models import FormatoLista, Inscripcion
from lms.coincidencias import IndiceOrganizaciones, clave_nombre
from lms.entidades import IndiceEntidades
from lms.models import Organizacion, Rol, Usuario
from tests.factories import AsignacionRolFactory, SujetoObligadoFactory, UsuarioFactory
from tests.factories.cuentas import curp_valida
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db

CURP_ANA = curp_valida("HEGA850101MJCRRN0")
CURP_LUIS = curp_valida("PELL790315HJCRPS0")
CURP_MAL = CURP_ANA[:17] + str((int(CURP_ANA[17]) + 1) % 10)  # wrong check digit


@pytest.fixture
def sej(db):
    return SujetoObligadoFactory(
        nombre="Secretaría de Educación Jalisco", siglas="SEJ", entidad=entidad("14")
    )


@pytest.fixture
def ayuntamiento(db):
    return SujetoObligadoFactory(
        nombre="Ayuntamiento de San Pedro Tlaquepaque", siglas="", entidad=entidad("14")
    )


@pytest.fixture
def coordinador(db):
    return AsignacionRolFactory(rol=Rol.COORDINADOR_ESTATAL, entidad=entidad("14")).usuario


def _xlsx(filas: list[list[str]]) -> bytes:
    libro = Workbook()
    hoja = libro.active
    for fila in filas:
        hoja.append(fila)
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()


def _csv(filas: list[list[str]], *, separador: str, codificacion: str) -> bytes:
    texto = "\r\n".join(separador.join(f) for f in filas) + "\r\n"
    return texto.encode(codificacion)


LISTA_MX = [
    ["INSTITUTO DE TRANSPARENCIA DEL ESTADO DE JALISCO"],
    ["Lista de participantes · Capacitación 2026"],
    [],
    [
        "No.",
        "Nombre(s)",
        "Primer Apellido",
        "Segundo Apellido",
        "CORREO ELECTRÓNICO",
        "CURP",
        "Cargo",
        "Sujeto Obligado",
        "Entidad",
    ],
    [
        "1",
        "Ana María",
        "Hernández",
        "García",
        "ana.hernandez@sej.gob.mx",
        CURP_ANA,
        "Jefa de Unidad de Transparencia",
        "secretaria de educacion jalisco",
        "Jalísco",
    ],
    [
        "2",
        "Luis",
        "Pérez",
        "López",
        "LUIS.PEREZ@SEJ.GOB.MX",
        CURP_LUIS.lower(),
        "Analista",
        "S.E.J.",
        "JAL",
    ],
    [
        "3",
        "José Ángel",
        "Núñez",
        "",
        "jose.nunez@tlaquepaque.gob.mx",
        "",
        "Enlace",
        "H. Ayuntamiento de San Pedro Tlaquepaque",
        "Jal.",
    ],
    [
        "4",
        "Rosa",
        "Díaz",
        "Ruiz",
        "rosa.diaz@sej.gob.mx",
        CURP_MAL,
        "Analista",
        "La Secretaría de Educación de Jalisco",
        "Estado de Jalisco",
    ],
]


# --- Pieces --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encabezado", "campo"),
    [
        ("Nombre(s)", columnas.NOMBRE),
        ("NOMBRES", columnas.NOMBRE),
        ("Primer apellido", columnas.PRIMER_APELLIDO),
        ("Apellido Paterno", columnas.PRIMER_APELLIDO),
        ("Ap. Paterno", columnas.PRIMER_APELLIDO),
        ("segundo  apellido", columnas.SEGUNDO_APELLIDO),
        ("Apellido materno", columnas.SEGUNDO_APELLIDO),
        ("Apellidos", columnas.APELLIDOS),
        ("Correo electrónico*", columnas.CORREO),
        ("E-mail", columnas.CORREO),
        ("Correo Electronico Institucional", columnas.CORREO),
        ("C.U.R.P.", columnas.CURP),
        ("Puesto", columnas.CARGO),
        ("Cargo o puesto", columnas.CARGO),
        ("Sujeto obligado", columnas.ORGANIZACION),
        ("Dependencia", columnas.ORGANIZACION),
        ("Institución", columnas.ORGANIZACION),
        ("Entidad Federativa", columnas.ENTIDAD),
        ("Estado", columnas.ENTIDAD),
        ("No.", columnas.IGNORAR),
        ("Motivo del rechazo", columnas.IGNORAR),
        ("Teléfono", None),
        ("Nombre completo", None),
    ],
)
def test_encabezados_mexicanos_se_reconocen(encabezado, campo):
    assert columnas.reconocer(encabezado) == campo


def test_asignacion_con_un_dato_en_dos_columnas_o_sin_correo_se_explica():
    encabezados = ["Correo", "E-mail", "Apellidos", "Primer apellido"]
    errores = columnas.errores_asignacion(
        encabezados, [columnas.CORREO, columnas.CORREO, columnas.APELLIDOS, "primer_apellido"]
    )
    assert any("«Correo electrónico» está asignado a más de una columna" in e for e in errores)
    assert any("no las dos formas a la vez" in e for e in errores)
    sin_correo = columnas.errores_asignacion(["Nombre"], [columnas.NOMBRE])
    assert sin_correo == [
        "Indique qué columna tiene el correo electrónico: es el único dato obligatorio."
    ]


@pytest.mark.parametrize(
    ("texto", "clave"),
    [
        ("Jalísco", "14"),
        ("JAL", "14"),
        ("jal.", "14"),
        ("Estado de Jalisco", "14"),
        ("Edo. de México", "15"),
        ("EDOMEX", "15"),
        ("CDMX", "09"),
        ("Ciudad de Mexico", "09"),
        ("Distrito Federal", "09"),
        ("Q. Roo", "23"),
        ("nuevo leon", "19"),
        ("Veracruz", "30"),
        ("S.L.P.", "24"),
        ("Tamaulipaz", "28"),  # a typo of a full name
        ("Narnia", None),
        ("Son.", "26"),
        ("Xy", None),  # too short to guess
    ],
)
def test_entidades_se_reconocen_como_las_escribe_la_gente(texto, clave):
    encontrada = IndiceEntidades.desde_base().buscar(texto)
    assert (encontrada.clave_inegi if encontrada else None) == clave


def test_nombres_de_instituciones_sin_acentos_articulos_ni_abreviaturas(sej, ayuntamiento):
    indice = IndiceOrganizaciones(Organizacion.objects.all())
    assert clave_nombre("H. Ayto. de San Pedro Tlaquepaque") == (
        "ayuntamiento san pedro tlaquepaque"
    )
    assert [o.pk for o in indice.exactas("LA SECRETARIA DE EDUCACIÓN, JALISCO")] == [sej.pk]
    assert [o.pk for o in indice.exactas("s.e.j.")] == [sej.pk]
    assert indice.exactas("Secretaría de Salud Jalisco") == []
    sugerencias = indice.sugerencias("Secretaria Educacion Jal", list(Organizacion.objects.all()))
    assert sugerencias[0].organizacion.pk == sej.pk


# --- Reading the files people have -------------------------------------------------


def _revisar(contenido, nombre, edicion, coordinador, resoluciones=None):
    hoja = importacion.leer_hoja(nombre, contenido)
    asignacion = importacion.asignacion_sugerida(hoja)
    assert columnas.errores_asignacion(hoja.encabezados, asignacion) == []
    filas = importacion.aplicar_asignacion(hoja, asignacion)
    contexto = importacion.cargar_contexto(
        edicion=edicion,
        coordinador=coordinador,
        correos=[f.datos["correo"] for f in filas],
        curps=[f.datos["curp"] for f in filas],
        resoluciones=resoluciones,
    )
    return hoja, importacion.revisar_inscripciones(filas, contexto=contexto), contexto


@pytest.mark.parametrize(
    ("nombre", "contenido"),
    [
        ("lista.xlsx", _xlsx(LISTA_MX)),
        ("lista.csv", _csv(LISTA_MX, separador=";", codificacion="cp1252")),
        ("lista.txt.csv", _csv(LISTA_MX, separador="\t", codificacion="utf-16")),
        ("lista-sin-bom.csv", _csv(LISTA_MX, separador="\t", codificacion="utf-16-le")),
        ("lista-utf8.csv", _csv(LISTA_MX, separador=",", codificacion="utf-8-sig")),
    ],
)
def test_lista_de_excel_mexicana_se_lee_completa(
    nombre, contenido, edicion, sej, ayuntamiento, coordinador
):
    hoja, filas, _contexto = _revisar(contenido, nombre, edicion, coordinador)

    assert hoja.filas_titulo == 2  # the two title rows above the header
    assert [f.estado for f in filas] == [
        importacion.CREAR,
        importacion.CREAR,
        importacion.CREAR,
        importacion.RECHAZADA,
    ]
    ana, luis, jose, rosa = filas
    assert (ana.nombre, ana.apellidos, ana.curp) == ("Ana María", "Hernández García", CURP_ANA)
    assert (luis.correo, luis.curp, luis.organizacion_id) == (
        "luis.perez@sej.gob.mx",
        CURP_LUIS,
        sej.pk,
    )
    assert (jose.apellidos, jose.organizacion_id, jose.curp) == ("Núñez", ayuntamiento.pk, "")
    assert ana.entidad_id == entidad("14").pk
    assert "CURP no válida" in rosa.motivo
    assert "dígito verificador" in rosa.motivo


def test_curp_de_otra_cuenta_se_rechaza_y_la_valida_se_guarda_al_confirmar(
    edicion, sej, ayuntamiento, coordinador, django_capture_on_commit_callbacks
):
    from cursos.services_importacion import inscribir_en_bloque

    UsuarioFactory(email="otra@sej.gob.mx", curp=CURP_LUIS, organizacion=sej)
    _hoja, filas, _contexto = _revisar(_xlsx(LISTA_MX), "l.xlsx", edicion, coordinador)
    assert "ya está registrada en otra cuenta" in filas[1].motivo

    with django_capture_on_commit_callbacks(execute=True):
        inscribir_en_bloque(edicion=edicion, filas_revisadas=filas, coordinador=coordinador)

    ana = Usuario.objects.get(email="ana.hernandez@sej.gob.mx")
    assert (ana.last_name, ana.curp) == ("Hernández García", CURP_ANA)
    assert not Usuario.objects.filter(email="rosa.diaz@sej.gob.mx").exists()
    assert not Usuario.objects.filter(curp=CURP_MAL).exists()
    assert len(mail.outbox) == 2


# --- Through the screens -------------------------------------------------------------


def _subir(client, edicion, contenido, nombre="lista.xlsx"):
    return client.post(
        reverse("cursos:inscribir_subir", args=[edicion.pk]),
        {"archivo": SimpleUploadedFile(nombre, contenido)},
    )


def _token(respuesta) -> str:
    assert respuesta.status_code == 302, respuesta.content.decode()[:800]
    partes = respuesta["Location"].rstrip("/").split("/")
    return partes[-2] if partes[-1] == "columnas" else partes[-1]


CON_TELEFONO = [
    ["Correo", "Nombre", "Apellido paterno", "Apellido materno", "Teléfono", "Dependencia"],
    ["uno@sej.gob.mx", "Uno", "Ruiz", "Soto", "33 1234 5678", "SEJ"],
    ["dos@sej.gob.mx", "Dos", "Gómez", "", "33 8765 4321", "SEJ"],
]


def test_columna_desconocida_se_pregunta_y_la_respuesta_se_recuerda(
    client, edicion, sej, coordinador
):
    client.force_login(coordinador)
    respuesta = _subir(client, edicion, _xlsx(CON_TELEFONO))
    assert respuesta["Location"].endswith("/columnas/")
    token = _token(respuesta)
    url = reverse("cursos:inscribir_columnas", args=[edicion.pk, token])

    pagina = client.get(url).content.decode()
    assert "«Teléfono»" in pagina
    assert "33 1234 5678" in pagina  # sample values help recognise the column
    # The preview is not reachable until every column is decided.
    previa = client.get(reverse("cursos:inscribir_revisar", args=[edicion.pk, token]))
    assert previa["Location"] == url

    # One field in two columns: a clear message, nothing remembered.
    doble = {
        f"columna_{i}": c
        for i, c in enumerate(
            importacion.asignacion_sugerida(importacion.leer_hoja("l.xlsx", _xlsx(CON_TELEFONO)))
        )
    }
    doble["columna_4"] = columnas.CORREO
    mal = client.post(url, doble)
    assert mal.status_code == 200
    assert "está asignado a más de una columna" in mal.content.decode()
    assert not FormatoLista.objects.exists()

    # A value not offered (a tampered form) is refused in Spanish.
    manipulado = {**doble, "columna_4": "is_superuser"}
    assert "Elija una de las opciones" in client.post(url, manipulado).content.decode()

    bien = {**doble, "columna_4": columnas.IGNORAR}
    assert client.post(url, bien)["Location"].endswith(f"/{token}/")
    formato = FormatoLista.objects.get(usuario=coordinador)
    assert formato.asignacion[4] == columnas.IGNORAR
    previa = client.get(reverse("cursos:inscribir_revisar", args=[edicion.pk, token]))
    contenido = previa.content.decode()
    assert "2 personas nuevas" in contenido
    assert "«Teléfono»: <strong>no se usa</strong>" in contenido

    # The next list with the same headers goes straight to the preview.
    otra = _subir(client, edicion, _xlsx(CON_TELEFONO))
    assert not otra["Location"].endswith("/columnas/")
    # Another coordinator's answer is theirs: the same layout is asked again.
    colega = AsignacionRolFactory(rol=Rol.COORDINADOR_ESTATAL, entidad=entidad("14")).usuario
    client.force_login(colega)
    assert _subir(client, edicion, _xlsx(CON_TELEFONO))["Location"].endswith("/columnas/")


def test_hoja_solo_con_encabezados_desconocidos_pide_cada_columna(client, edicion, coordinador):
    client.force_login(coordinador)
    contenido = _csv(
        [["Dato A", "Dato B"], ["x@sej.gob.mx", "X"]], separador=",", codificacion="utf-8"
    )
    respuesta = _subir(client, edicion, contenido, nombre="l.csv")
    pagina = client.get(respuesta["Location"]).content.decode()

    assert "No reconocimos el encabezado de 2 columnas" in pagina
    assert "Indique qué columna tiene el correo electrónico" in pagina
    assert not Usuario.objects.filter(email="x@sej.gob.mx").exists()


def _resolver(client, edicion, token, decisiones: dict[int, str]):
    previa = client.get(reverse("cursos:inscribir_revisar", args=[edicion.pk, token]))
    pendientes = previa.context["por_resolver"]
    datos = {f"clave_{i}": p.clave for i, p in enumerate(pendientes)}
    datos |= {f"org_{i}": valor for i, valor in decisiones.items()}
    return pendientes, client.post(
        reverse("cursos:inscribir_organizaciones", args=[edicion.pk, token]), datos
    )


DESCONOCIDAS = [
    ["Correo electrónico", "Nombre(s)", "Apellidos", "Sujeto obligado", "Estado"],
    ["a@sej.gob.mx", "Ana", "Uno", "Secretaria Educacion Jal", "JAL"],
    ["b@sej.gob.mx", "Beto", "Dos", "Secretaria Educacion Jal", "Jalisco"],
    ["c@x.gob.mx", "Ceci", "Tres", "Comisión Estatal del Agua", "Jalisco"],
]


def test_institucion_desconocida_se_resuelve_una_vez_para_todas_sus_filas(
    client, edicion, sej, coordinador
):
    otra_entidad = SujetoObligadoFactory(nombre="Secretaría de Educación", entidad=entidad("20"))
    client.force_login(coordinador)
    token = _token(_subir(client, edicion, _xlsx(DESCONOCIDAS)))

    pendientes, _ = _resolver(client, edicion, token, {})
    assert [(p.texto, p.filas) for p in pendientes] == [
        ("Secretaria Educacion Jal", [2, 3]),
        ("Comisión Estatal del Agua", [4]),
    ]
    # Suggestions come from the coordinator's own state only.
    sugeridas = {s.organizacion.id for s in pendientes[0].sugerencias}
    assert sej.pk in sugeridas
    assert otra_entidad.pk not in sugeridas
    previa = client.get(reverse("cursos:inscribir_revisar", args=[edicion.pk, token]))
    assert "no está en el catálogo" in previa.content.decode()
    # A state coordinator may not add to the catalogue: the option is not offered...
    assert 'value="crear"' not in previa.content.decode()
    # ...and a forged one saves nothing.
    _p, forjada = _resolver(client, edicion, token, {0: "crear", 1: "sin"})
    assert forjada.status_code == 302
    entrada_sin_cambio = client.get(reverse("cursos:inscribir_revisar", args=[edicion.pk, token]))
    assert entrada_sin_cambio.context["resumen"][importacion.RECHAZADA] == 3
    # Another state's institution cannot be chosen by editing the value.
    _resolver(client, edicion, token, {0: f"usar:{otra_entidad.pk}"})
    assert (
        client.get(reverse("cursos:inscribir_revisar", args=[edicion.pk, token])).context[
            "resumen"
        ][importacion.RECHAZADA]
        == 3
    )

    _p, bien = _resolver(client, edicion, token, {0: f"usar:{sej.pk}", 1: "sin"})
    assert bien.status_code == 302
    previa = client.get(reverse("cursos:inscribir_revisar", args=[edicion.pk, token]))
    assert previa.context["resumen"][importacion.CREAR] == 3, [
        f.motivo for f in previa.context["filas"]
    ]
    client.post(reverse("cursos:inscribir_revisar", args=[edicion.pk, token]))

    assert set(
        Usuario.objects.filter(email__in=["a@sej.gob.mx", "b@sej.gob.mx"]).values_list(
            "organizacion_id", flat=True
        )
    ) == {sej.pk}
    ceci = Usuario.objects.get(email="c@x.gob.mx")
    assert (ceci.organizacion_id, ceci.entidad_id) == (None, entidad("14").pk)
    assert Inscripcion.objects.filter(edicion=edicion).count() == 3
    assert not Organizacion.objects.filter(nombre="Comisión Estatal del Agua").exists()


def test_administracion_agrega_la_institucion_al_catalogo_al_confirmar(client, edicion, sej):
    administrador = AsignacionRolFactory(rol=Rol.ADMINISTRADOR, entidad=None).usuario
    client.force_login(administrador)
    token = _token(_subir(client, edicion, _xlsx(DESCONOCIDAS)))
    _resolver(client, edicion, token, {0: f"usar:{sej.pk}", 1: "crear"})
    # Nothing is written before the confirmation.
    assert not Organizacion.objects.filter(nombre="Comisión Estatal del Agua").exists()

    previa = client.get(reverse("cursos:inscribir_revisar", args=[edicion.pk, token]))
    assert previa.context["resumen"][importacion.CREAR] == 3, [
        f.motivo for f in previa.context["filas"]
    ]
    client.post(reverse("cursos:inscribir_revisar", args=[edicion.pk, token]))

    nueva = Organizacion.objects.get(nombre="Comisión Estatal del Agua")
    assert nueva.entidad == entidad("14")
    assert Usuario.objects.get(email="c@x.gob.mx").organizacion == nueva


def test_todas_las_filas_fallan_se_explica_y_no_se_escribe_nada(client, edicion, coordinador):
    client.force_login(coordinador)
    filas = [["Correo", "Nombre", "Apellidos", "CURP"]] + [
        [f"mal{i}", "X", "Y", "NOESCURP"] for i in range(3)
    ]
    token = _token(_subir(client, edicion, _xlsx(filas)))
    previa = client.get(reverse("cursos:inscribir_revisar", args=[edicion.pk, token]))
    contenido = previa.content.decode()

    assert "3 filas rechazadas" in contenido
    assert "Ninguna fila se puede inscribir" in contenido
    assert "Inscribir a" not in contenido
    client.post(reverse("cursos:inscribir_revisar", args=[edicion.pk, token]))
    assert not Inscripcion.objects.filter(edicion=edicion).exists()


def test_rechazadas_se_corrigen_en_excel_y_se_suben_tal_cual(client, edicion, sej, coordinador):
    client.force_login(coordinador)
    lista = [
        [
            "Nombre(s)",
            "Primer apellido",
            "Segundo apellido",
            "Correo electrónico",
            "Teléfono",
            "Sujeto obligado",
        ],
        ["Ana", "Uno", "Dos", "ana@sej.gob.mx", "3312345678", "SEJ"],
        ["Beto", "Tres", "", "beto-sin-arroba", "3387654321", "SEJ"],
    ]
    token = _token(_subir(client, edicion, _xlsx(lista)))
    url_columnas = reverse("cursos:inscribir_columnas", args=[edicion.pk, token])
    client.post(
        url_columnas,
        {
            f"columna_{i}": c
            for i, c in enumerate(
                [
                    "nombre",
                    "primer_apellido",
                    "segundo_apellido",
                    "correo",
                    "ignorar",
                    "organizacion",
                ]
            )
        },
    )
    descarga = client.get(reverse("cursos:inscribir_rechazadas", args=[edicion.pk, token]))
    filas = list(csv.reader(io.StringIO(descarga.content.decode("utf-8-sig"))))
    assert filas[0] == [*lista[0], "Motivo del rechazo"]
    assert filas[1][:6] == lista[2]
    assert "no es válido" in filas[1][6]

    # Fixed in Excel (saved again as CSV) and uploaded as it is: no question asked.
    filas[1][3] = "beto@sej.gob.mx"
    corregido = io.StringIO()
    csv.writer(corregido).writerows(filas)
    otra = _subir(client, edicion, corregido.getvalue().encode("cp1252"), nombre="corr.csv")
    assert otra.status_code == 302
    assert not otra["Location"].endswith("/columnas/")
    previa = client.get(otra["Location"])
    assert previa.context["filas"][0].correo == "beto@sej.gob.mx"
    assert previa.context["filas"][0].estado == importacion.CREAR


@pytest.mark.parametrize("personas", [5, 60])
def test_vista_previa_con_consultas_constantes(
    client, edicion, sej, coordinador, personas, django_assert_max_num_queries
):
    client.force_login(coordinador)
    filas = [LISTA_MX[3]] + [
        ["", "Persona", "Uno", "Dos", f"p{i}@sej.gob.mx", "", "Analista", "SEJ", "Jalisco"]
        for i in range(personas)
    ]
    token = _token(_subir(client, edicion, _xlsx(filas)))
    with django_assert_max_num_queries(25):
        respuesta = client.get(reverse("cursos:inscribir_revisar", args=[edicion.pk, token]))
    assert respuesta.context["resumen"][importacion.CREAR] == personas
