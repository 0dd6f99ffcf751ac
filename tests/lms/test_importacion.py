"""Import of sujetos obligados: parsing messy files, checking rows, writing, and the admin flow."""

import csv
import io

import pytest
from openpyxl import Workbook

from django.db import IntegrityError
from django.urls import reverse

from lms import asistente, importacion, services, tabular
from lms.importacion import ArchivoInvalido, FilaCruda, leer_archivo, revisar_filas
from lms.models import Organizacion, Rol
from tests.factories import OrganoGaranteFactory, SujetoObligadoFactory, UsuarioFactory
from tests.factories.personas import entidad

ENCABEZADO = "nombre,siglas,entidad,ambito,tipo\n"


def _xlsx(filas) -> bytes:
    libro = Workbook()
    hoja = libro.active
    for fila in filas:
        hoja.append(fila)
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()


def _revisar(texto: str | bytes, nombre: str = "sujetos.csv"):
    contenido = texto.encode("utf-8") if isinstance(texto, str) else texto
    return revisar_filas(leer_archivo(nombre, contenido), catalogo=importacion.cargar_catalogo())


# --- Reading files as Excel in Mexico writes them ---------------------------


def test_csv_en_windows_1252_con_punto_y_coma_conserva_acentos():
    contenido = (
        "nombre;siglas;entidad;ambito;tipo\r\n"
        "Secretaría de Educación Pública;SEP;Michoacán;estatal;Poder Ejecutivo\r\n"
    ).encode("cp1252")

    filas = leer_archivo("sujetos.csv", contenido)

    assert filas == [
        FilaCruda(
            numero=2,
            datos={
                "nombre": "Secretaría de Educación Pública",
                "siglas": "SEP",
                "entidad": "Michoacán",
                "ambito": "estatal",
                "tipo": "Poder Ejecutivo",
                "organo_garante": "",
            },
        )
    ]


def test_csv_utf8_con_bom_no_ensucia_el_primer_encabezado():
    contenido = (
        "\ufeffnombre,siglas,entidad,ambito,tipo\nAyuntamiento de Zapopan,,14,municipal,municipio\n"
    )

    filas = leer_archivo("sujetos.csv", contenido.encode("utf-8"))

    assert filas[0].datos["nombre"] == "Ayuntamiento de Zapopan"


def test_lineas_vacias_y_espacios_sobrantes_se_ignoran():
    contenido = (
        "\n  Nombre , Siglas, Entidad Federativa ,Ámbito,TIPO \n"
        "\n"
        ",,,,\n"
        "  Congreso   del\u00a0Estado ,  ,  JAL ,  Estatal , poder legislativo  \n"
        "\n"
    )

    filas = leer_archivo("sujetos.csv", contenido.encode("utf-8"))

    assert len(filas) == 1
    assert filas[0].numero == 5
    assert filas[0].datos["nombre"] == "Congreso del Estado"
    assert filas[0].datos["entidad"] == "JAL"


def test_nombre_entre_comillas_con_coma_y_salto_de_linea():
    contenido = ENCABEZADO + '"Instituto de Vivienda, Suelo y\nUrbanización",IVS,20,estatal,otro\n'

    filas = leer_archivo("sujetos.csv", contenido.encode("utf-8"))

    assert filas[0].datos["nombre"] == "Instituto de Vivienda, Suelo y Urbanización"


def test_xlsx_con_clave_inegi_numerica():
    contenido = _xlsx(
        [
            ["nombre", "siglas", "entidad", "ambito", "tipo"],
            [None, None, None, None, None],
            ["Alcaldía Coyoacán ", None, 9, "Municipal", "Municipio"],
        ]
    )

    filas = leer_archivo("sujetos.xlsx", contenido)

    assert filas == [
        FilaCruda(
            numero=3,
            datos={
                "nombre": "Alcaldía Coyoacán",
                "siglas": "",
                "entidad": "9",
                "ambito": "Municipal",
                "tipo": "Municipio",
                "organo_garante": "",
            },
        )
    ]


def test_utf16_con_tabuladores_de_excel_texto_unicode():
    contenido = (
        "nombre\tsiglas\tentidad\tambito\ttipo\r\n"
        "Poder Judicial\tPJ\tYUC\testatal\tpoder_judicial\r\n"
    )

    filas = leer_archivo("sujetos.txt", contenido.encode("utf-16"))

    assert filas[0].datos["entidad"] == "YUC"


@pytest.mark.parametrize(
    ("nombre", "contenido", "mensaje"),
    [
        ("vacio.csv", b"", "está vacío"),
        ("vacio.csv", b"\xef\xbb\xbf\r\n\r\n", "está vacío"),
        ("solo.csv", ENCABEZADO.encode(), "solo tiene la fila de encabezados"),
        ("sin.csv", b"nombre,entidad\nSecretaria,14\n", "Faltan: ambito, tipo"),
        ("datos.csv", b"Secretaria,SEP,14,estatal,otro\n", "Faltan: nombre, entidad, ambito"),
        ("doble.csv", b"nombre,nombre,entidad,ambito,tipo\nA,B,14,estatal,otro\n", "más de una"),
        ("sujetos.pdf", b"%PDF-1.4 ...", "Suba un archivo CSV o XLSX"),
        ("viejo.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        ("roto.xlsx", b"PK\x03\x04 esto no es un zip", "libro de Excel"),
        ("imagen.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "no es un CSV"),
    ],
)
def test_archivos_invalidos_dan_un_mensaje_claro(nombre, contenido, mensaje):
    with pytest.raises(ArchivoInvalido) as error:
        leer_archivo(nombre, contenido)

    assert mensaje in error.value.mensaje


def test_archivo_demasiado_grande_se_rechaza_antes_de_leerlo():
    with pytest.raises(ArchivoInvalido, match="pesa más de"):
        leer_archivo("grande.csv", b"x" * 2048, max_bytes=1024)


def test_demasiadas_filas_se_rechazan(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_FILAS_ORGANIZACIONES", 3)
    contenido = ENCABEZADO + "A,,14,estatal,otro\n" * 5

    with pytest.raises(ArchivoInvalido, match="más de 3 filas"):
        leer_archivo("muchas.csv", contenido.encode())


# --- Checking rows against the database --------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("texto", ["14", "Jalisco", "JALISCO", "jal", " Jal "])
def test_entidad_por_clave_nombre_o_abreviatura(texto):
    (fila,) = _revisar(ENCABEZADO + f"Secretaría de Salud,,{texto},estatal,poder_ejecutivo\n")

    assert fila.estado == importacion.NUEVA, fila.motivos
    assert fila.entidad_id == entidad("14").pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("texto", "clave"),
    [
        ("Ciudad de Mexico", "09"),
        ("ciudad de méxico", "09"),
        ("NUEVO LEON", "19"),
        ("Michoacan", "16"),
        ("Estado de México", "15"),
        ("9", "09"),
        ("09", "09"),
    ],
)
def test_entidad_sin_acentos_ni_mayusculas_y_nombres_comunes(texto, clave):
    (fila,) = _revisar(ENCABEZADO + f"Secretaría de Salud,,{texto},estatal,otro\n")

    assert fila.entidad_id == entidad(clave).pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ambito", "tipo", "esperado"),
    [
        ("estatal", "poder_ejecutivo", ("estatal", "poder_ejecutivo")),
        ("Estatal", "Poder Ejecutivo", ("estatal", "poder_ejecutivo")),
        ("ESTATAL", "organo autonomo", ("estatal", "organo_autonomo")),
        ("estatal", "Órgano autónomo", ("estatal", "organo_autonomo")),
        ("estatal", "Fideicomiso o fondo público", ("estatal", "fideicomiso")),
    ],
)
def test_ambito_y_tipo_por_etiqueta_o_codigo(ambito, tipo, esperado):
    (fila,) = _revisar(ENCABEZADO + f"Fondo Estatal,,14,{ambito},{tipo}\n")

    assert (fila.ambito, fila.tipo) == esperado


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("linea", "motivo"),
    [
        (",SS,14,estatal,otro", "Falta el nombre"),
        ("Secretaría,,Atlántida,estatal,otro", "No se reconoce la entidad federativa «Atlántida»"),
        ("Secretaría,,14,regional,otro", "El ámbito «regional» no es válido"),
        ("Secretaría,,14,,otro", "Falta el ámbito"),
        ("Secretaría,,14,estatal,ONG", "El tipo «ONG» no es válido"),
        ("Secretaría,,14,estatal,", "Falta el tipo"),
        ("Secretaría,,,estatal,otro", "necesita su entidad"),
        ("Ayuntamiento,,,municipal,municipio", "necesita su entidad"),
        ("Secretaría Federal,,14,federal,otro", "federal no lleva entidad"),
    ],
)
def test_filas_rechazadas_dicen_por_que(linea, motivo):
    (fila,) = _revisar(ENCABEZADO + linea + "\n")

    assert fila.estado == importacion.RECHAZADA
    assert motivo in fila.motivo


@pytest.mark.django_db
def test_fila_repetida_en_el_archivo_se_rechaza_la_segunda():
    filas = _revisar(
        ENCABEZADO
        + "Secretaría de Salud,,14,estatal,otro\n"
        + "SECRETARIA DE SALUD,,Jalisco,estatal,otro\n"
        + "Secretaría de Salud,,20,estatal,otro\n"
    )

    assert [f.estado for f in filas] == ["nueva", "rechazada", "nueva"]
    assert "repite el nombre y la entidad de la fila 2" in filas[1].motivo


@pytest.mark.django_db
def test_mismo_nombre_y_entidad_se_actualiza_sin_importar_acentos():
    existente = SujetoObligadoFactory(nombre="Secretaría de Salud", entidad=entidad("14"))

    (fila,) = _revisar(ENCABEZADO + "secretaria de salud,SSJ,14,estatal,poder_ejecutivo\n")

    assert fila.estado == importacion.ACTUALIZADA
    assert fila.organizacion_id == existente.pk


@pytest.mark.django_db
def test_fila_de_organizacion_fusionada_se_rechaza():
    destino = SujetoObligadoFactory(nombre="Secretaría de Bienestar", entidad=entidad("14"))
    origen = SujetoObligadoFactory(nombre="Secretaría de Desarrollo Social", entidad=entidad("14"))
    services.fusionar_organizaciones(origen=origen, destino=destino)

    (fila,) = _revisar(ENCABEZADO + "Secretaría de Desarrollo Social,,14,estatal,otro\n")

    assert fila.estado == importacion.RECHAZADA
    assert "se fusionó en «Secretaría de Bienestar»" in fila.motivo


@pytest.mark.django_db
def test_organo_garante_por_omision_solo_si_la_entidad_tiene_uno():
    garante = OrganoGaranteFactory(entidad=entidad("14"), nombre="ITEI", siglas="ITEI")
    OrganoGaranteFactory(entidad=entidad("20"))
    OrganoGaranteFactory(entidad=entidad("20"))

    jalisco, oaxaca, federal = _revisar(
        ENCABEZADO + "Secretaría A,,14,estatal,otro\nSecretaría B,,20,estatal,otro\n"
        "Secretaría C,,,federal,otro\n"
    )

    assert jalisco.organo_garante_id == garante.pk
    assert oaxaca.organo_garante_id is None
    assert federal.organo_garante_id is None
    assert oaxaca.estado == federal.estado == importacion.NUEVA


@pytest.mark.django_db
def test_organo_garante_escrito_se_busca_por_nombre_o_siglas():
    garante = OrganoGaranteFactory(entidad=entidad("14"), nombre="Instituto de Transparencia")
    OrganoGaranteFactory(entidad=entidad("14"), nombre="Otro Instituto", siglas="OI")
    texto = "nombre,entidad,ambito,tipo,organo_garante\n"

    bien, mal = _revisar(
        texto + "Secretaría A,14,estatal,otro,instituto de transparencia\n"
        "Secretaría B,14,estatal,otro,Inexistente\n"
    )

    assert bien.organo_garante_id == garante.pk
    assert mal.estado == importacion.RECHAZADA
    assert "No se reconoce el órgano garante «Inexistente»" in mal.motivo


def test_reporte_de_rechazadas_en_utf8_con_bom_y_sin_formulas():
    filas = [
        importacion.FilaRevisada(
            numero=3,
            datos={"nombre": "=HYPERLINK(1)", "entidad": "Atlántida"},
            estado=importacion.RECHAZADA,
            motivos=["No se reconoce la entidad federativa «Atlántida»."],
        ),
        importacion.FilaRevisada(numero=4, datos={"nombre": "Bien"}, estado=importacion.NUEVA),
    ]

    contenido = importacion.reporte_rechazadas(filas)

    assert contenido.startswith(b"\xef\xbb\xbf")
    lineas = list(csv.reader(io.StringIO(contenido.decode("utf-8-sig"))))
    assert lineas[0] == ["fila", *importacion.ENCABEZADOS, "motivo"]
    assert lineas[1][0] == "3"
    assert lineas[1][1] == "'=HYPERLINK(1)"
    assert lineas[1][-1] == "No se reconoce la entidad federativa «Atlántida»."
    assert len(lineas) == 2


# --- Writing -------------------------------------------------------------------


@pytest.mark.django_db
def test_importar_crea_y_actualiza_solo_filas_aceptadas():
    existente = SujetoObligadoFactory(
        nombre="Secretaría de Salud", siglas="", entidad=entidad("14"), tipo="otro"
    )
    filas = _revisar(
        ENCABEZADO + "Secretaría de Salud,SSJ,14,estatal,poder_ejecutivo\n"
        "Congreso del Estado,,14,estatal,poder_legislativo\n"
        "Ayuntamiento,,,municipal,municipio\n"
    )

    resultado = services.importar_sujetos_obligados(filas=filas)

    assert resultado == {"nuevas": 1, "actualizadas": 1}
    existente.refresh_from_db()
    assert (existente.siglas, existente.tipo, existente.nombre) == (
        "SSJ",
        "poder_ejecutivo",
        "Secretaría de Salud",
    )
    assert Organizacion.objects.filter(nombre="Congreso del Estado", ambito="estatal").exists()
    assert not Organizacion.objects.filter(nombre="Ayuntamiento").exists()


@pytest.mark.django_db
def test_importar_es_todo_o_nada(monkeypatch):
    filas = _revisar(ENCABEZADO + "Uno,,14,estatal,otro\nDos,,14,estatal,otro\n")
    crear = Organizacion.objects.create
    llamadas = []

    def crear_y_fallar(**kwargs):
        llamadas.append(kwargs)
        if len(llamadas) == 2:
            raise IntegrityError("choque simulado")
        return crear(**kwargs)

    monkeypatch.setattr(Organizacion.objects, "create", crear_y_fallar)

    with pytest.raises(IntegrityError):
        services.importar_sujetos_obligados(filas=filas)

    assert not Organizacion.objects.filter(nombre__in=["Uno", "Dos"]).exists()


@pytest.mark.django_db
def test_fila_creada_por_otro_entre_vista_previa_y_confirmacion_no_se_duplica():
    filas = _revisar(ENCABEZADO + "Secretaría Nueva,,14,estatal,otro\n")
    SujetoObligadoFactory(nombre="Secretaría Nueva", entidad=entidad("14"))

    resultado = services.importar_sujetos_obligados(filas=filas)

    assert resultado == {"nuevas": 0, "actualizadas": 1}
    assert Organizacion.objects.filter(nombre="Secretaría Nueva").count() == 1


# --- Through the admin -------------------------------------------------------------


@pytest.fixture
def administrador(client):
    usuario = UsuarioFactory(is_superuser=True, is_staff=True)
    client.force_login(usuario)
    return usuario


@pytest.fixture
def guardadas(monkeypatch):
    """The uploads the wizard stored during the test."""
    registro: list[dict] = []
    guardar = asistente.Asistente.guardar

    def espia(self, **kwargs):
        registro.append(kwargs)
        return guardar(self, **kwargs)

    monkeypatch.setattr(asistente.Asistente, "guardar", espia)
    return registro


def _subir(client, contenido: bytes, nombre: str = "sujetos.csv"):
    archivo = io.BytesIO(contenido)
    archivo.name = nombre
    return client.post(reverse("organizacion:importar"), {"archivo": archivo})


ARCHIVO_MIXTO = (
    "nombre;siglas;entidad;ambito;tipo\r\n"
    "Secretaría de Educación;SEJ;Jalisco;estatal;Poder Ejecutivo\r\n"
    "Poder Judicial;;Atlántida;estatal;poder_judicial\r\n"
    "\r\n"
    "Congreso;;JAL;Estatal;Poder Legislativo\r\n"
).encode("cp1252")


@pytest.mark.django_db
def test_subir_revisar_y_confirmar_por_el_admin(client, administrador, guardadas):
    respuesta = _subir(client, ARCHIVO_MIXTO)
    assert respuesta.status_code == 302
    assert len(guardadas) == 1
    assert not Organizacion.objects.filter(nombre="Congreso").exists()

    vista_previa = client.get(respuesta.url)
    html = vista_previa.content.decode()
    assert vista_previa.status_code == 200
    assert "2 nuevas, 0 actualizadas, 1 rechazadas" in html
    assert "Secretaría de Educación" in html
    assert "No se reconoce la entidad federativa «Atlántida»" in html

    confirmacion = client.post(respuesta.url, follow=True)
    assert "2 nuevas, 0 actualizadas, 1 rechazadas" in confirmacion.content.decode()
    assert set(
        Organizacion.objects.filter(nombre__in=["Secretaría de Educación", "Congreso"])
        .values_list("entidad__clave_inegi", flat=True)
        .distinct()
    ) == {"14"}
    assert not Organizacion.objects.filter(nombre="Poder Judicial").exists()


@pytest.mark.django_db
def test_doble_confirmacion_importa_una_vez(client, administrador):
    url = _subir(client, ARCHIVO_MIXTO).url
    client.post(url)
    antes = Organizacion.objects.count()

    segunda = client.post(url, follow=True)

    assert "ya se aplicó o expiró" in segunda.content.decode()
    assert Organizacion.objects.count() == antes


@pytest.mark.django_db
def test_confirmacion_en_curso_bloquea_la_segunda(client, administrador, monkeypatch):
    from django.core.cache import cache

    monkeypatch.setattr(asistente, "ESPERA_CANDADO", 0)
    url = _subir(client, ARCHIVO_MIXTO).url
    token = url.rstrip("/").rsplit("/", 1)[-1]
    cache.add(asistente.candado_de(token), "1")

    respuesta = client.post(url, follow=True)

    assert "ya se está aplicando" in respuesta.content.decode()
    assert not Organizacion.objects.filter(nombre="Congreso").exists()


@pytest.mark.django_db
def test_token_inventado_o_de_otra_sesion_no_importa_nada(client, administrador):
    url = _subir(client, ARCHIVO_MIXTO).url
    otro = UsuarioFactory(is_superuser=True, is_staff=True)
    from django.test import Client

    intruso = Client()
    intruso.force_login(otro)

    for cliente, destino in [
        (client, reverse("organizacion:importar_revisar", args=["inventado"])),
        (intruso, url),
    ]:
        respuesta = cliente.post(destino, {"filas": "Hackeada,,14,estatal,otro"}, follow=True)
        assert "ya se aplicó o expiró" in respuesta.content.decode()
    assert not Organizacion.objects.filter(nombre__in=["Congreso", "Hackeada"]).exists()


@pytest.mark.django_db
def test_reporte_de_rechazadas_se_descarga_en_csv(client, administrador):
    url = _subir(client, ARCHIVO_MIXTO).url
    token = url.rstrip("/").rsplit("/", 1)[-1]

    respuesta = client.get(reverse("organizacion:importar_reporte", args=[token]))

    assert respuesta["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in respuesta["Content-Disposition"]
    contenido = respuesta.content
    assert contenido.startswith(b"\xef\xbb\xbf")
    texto = contenido.decode("utf-8-sig")
    assert "Poder Judicial" in texto
    assert "Atlántida" in texto
    assert "Congreso" not in texto


@pytest.mark.django_db
def test_archivo_mayor_al_limite_da_mensaje_y_no_guarda(client, administrador, settings, guardadas):
    settings.LMS_MAX_UPLOAD_BYTES = 100

    respuesta = _subir(client, ENCABEZADO.encode() + b"Secretaria,,14,estatal,otro\n" * 10)

    # Cut while the upload is read (lms.subidas), before the form sees it.
    assert respuesta.status_code == 413
    assert "demasiado grande" in respuesta.content.decode()
    assert not guardadas


@pytest.mark.django_db
def test_archivo_sin_encabezados_da_mensaje_en_el_formulario(client, administrador):
    respuesta = _subir(client, b"Secretaria,SS,14,estatal,otro\n")

    assert respuesta.status_code == 200
    assert "Faltan: nombre, entidad, ambito, tipo" in respuesta.content.decode()


@pytest.mark.django_db
def test_xlsx_por_el_admin(client, administrador):
    contenido = _xlsx(
        [
            ["Nombre", "Entidad", "Ámbito", "Tipo"],
            ["Instituto Electoral", "Oaxaca", "estatal", "Órgano autónomo"],
        ]
    )

    url = _subir(client, contenido, "sujetos.xlsx").url
    client.post(url)

    assert Organizacion.objects.filter(
        nombre="Instituto Electoral", entidad__clave_inegi="20", tipo="organo_autonomo"
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("rol", [Rol.COORDINADOR_NACIONAL, Rol.INSTRUCTOR])
def test_solo_administradores_importan(client, rol, guardadas):
    usuario = UsuarioFactory()
    services.asignar_rol(usuario=usuario, rol=rol)
    client.force_login(usuario)

    for respuesta in [
        client.get(reverse("organizacion:importar")),
        _subir(client, ARCHIVO_MIXTO),
        client.post(reverse("organizacion:importar_revisar", args=["x"])),
        client.get(reverse("organizacion:importar_reporte", args=["x"])),
    ]:
        assert respuesta.status_code == 302
        assert respuesta.url == reverse("wagtailadmin_home")
    assert not guardadas
    assert not Organizacion.objects.filter(nombre="Congreso").exists()


def test_linea_sep_de_excel_indica_el_separador():
    contenido = (
        "sep=;\r\nnombre;siglas;entidad;ambito;tipo\r\nSecretaría, de Salud;SS;14;estatal;otro\r\n"
    )

    filas = leer_archivo("sujetos.csv", contenido.encode("utf-8"))

    assert filas[0].datos["nombre"] == "Secretaría, de Salud"
    assert filas[0].numero == 3
