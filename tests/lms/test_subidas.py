"""Upload limits are enforced while the request is read, from one declaration."""

import io

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.urls import reverse

from constancias import views as vistas_constancias
from constancias.forms import ArchivoVerificacionForm
from constancias.models import VerificacionConsulta
from lms import subidas
from lms.subidas import LimiteSubidaHandler, SubidaExcedida

MIB = 1024 * 1024
FRONTERA = "frontera-de-prueba"
MULTIPART = f"multipart/form-data; boundary={FRONTERA}"


class FlujoEspia(io.BytesIO):
    """A request body that counts the bytes anyone reads from it."""

    def __init__(self, contenido: bytes = b"") -> None:
        super().__init__(contenido)
        self.leidos = 0

    def read(self, size: int | None = -1) -> bytes:
        datos = super().read(size)
        self.leidos += len(datos)
        return datos

    def readline(self, size: int | None = -1) -> bytes:
        datos = super().readline(size)
        self.leidos += len(datos)
        return datos


class FlujoDeTrozos(io.RawIOBase):
    """A multipart body of one file of `total` bytes, produced as read and never held."""

    def __init__(self, total: int) -> None:
        self.cabecera = (
            f"--{FRONTERA}\r\n"
            'Content-Disposition: form-data; name="archivo"; filename="c.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        self.pie = f"\r\n--{FRONTERA}--\r\n".encode()
        self.total = total
        self.leidos = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        fin = len(self.cabecera) + self.total + len(self.pie)
        cuanto = fin - self.leidos if size is None or size < 0 else min(size, fin - self.leidos)
        datos = bytearray()
        while len(datos) < cuanto:
            posicion = self.leidos + len(datos)
            if posicion < len(self.cabecera):
                datos += self.cabecera[posicion : posicion + cuanto - len(datos)]
            elif posicion < len(self.cabecera) + self.total:
                resto = len(self.cabecera) + self.total - posicion
                datos += b"%" * min(resto, cuanto - len(datos))
            else:
                inicio = posicion - len(self.cabecera) - self.total
                datos += self.pie[inicio : inicio + cuanto - len(datos)]
        self.leidos += len(datos)
        return bytes(datos)


def _cuerpo_con_pdf(tamano: int) -> bytes:
    flujo = FlujoDeTrozos(tamano)
    return flujo.read()


@pytest.fixture
def formularios(monkeypatch):
    """Every verification form the view builds from a request, to show it never got one."""
    creados = []

    class Espia(ArchivoVerificacionForm):
        def __init__(self, *args, **kwargs):
            if args:
                creados.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(vistas_constancias, "ArchivoVerificacionForm", Espia)
    return creados


# --- Refused before the body is read -------------------------------------------


@pytest.mark.django_db
def test_pdf_anonimo_de_50_mb_se_rechaza_sin_leer_el_cuerpo(client, formularios):
    cuerpo = FlujoEspia(_cuerpo_con_pdf(64 * 1024))

    respuesta = client.post(
        reverse("constancias:verificar_formulario"),
        data=b"",
        content_type=MULTIPART,
        CONTENT_TYPE=MULTIPART,
        CONTENT_LENGTH=str(50 * MIB),
        **{"wsgi.input": cuerpo},
    )

    assert respuesta.status_code == 413
    assert "demasiado grande" in respuesta.content.decode()
    assert cuerpo.leidos == 0
    assert formularios == []
    assert not VerificacionConsulta.objects.exists()


# Where each declared endpoint lives; the test below fails if one is missing here.
RUTAS = {
    "constancias:verificar_formulario": lambda: reverse("constancias:verificar_formulario"),
    "cursos:inscribir_subir": lambda: reverse("cursos:inscribir_subir", args=[1]),
    "cursos:asistencia_subir": lambda: reverse("cursos:asistencia_subir", args=[1]),
    "organizacion:importar": lambda: reverse("organizacion:importar"),
    "wagtailredirects:start_import": lambda: reverse("wagtailredirects:start_import"),
    "evaluaciones_importar_gift": lambda: reverse("evaluaciones_importar_gift"),
    "evaluaciones:guardar": lambda: reverse("evaluaciones:guardar", args=[1]),
    "evaluaciones:enviar": lambda: reverse("evaluaciones:enviar", args=[1]),
    "wagtailimages": lambda: reverse("wagtailimages:add"),
    "wagtailimages_chooser": lambda: reverse("wagtailimages_chooser:create"),
    "wagtaildocs": lambda: reverse("wagtaildocs:add"),
    "wagtaildocs_chooser": lambda: reverse("wagtaildocs_chooser:create"),
}


def test_cada_subida_declarada_tiene_su_ruta_en_esta_prueba():
    assert set(RUTAS) == set(subidas.limites())


@pytest.mark.django_db
@pytest.mark.parametrize("nombre", sorted(RUTAS))
def test_cada_subida_declarada_responde_413_sin_leer_el_cuerpo(client, nombre):
    limite = subidas.limites()[nombre]
    cuerpo = FlujoEspia(_cuerpo_con_pdf(1024))

    respuesta = client.post(
        RUTAS[nombre](),
        data=b"",
        content_type=MULTIPART,
        CONTENT_TYPE=MULTIPART,
        CONTENT_LENGTH=str(limite.cuerpo + 1),
        **{"wsgi.input": cuerpo},
    )

    assert respuesta.status_code == 413
    assert cuerpo.leidos == 0
    if limite.json:
        assert "demasiado grande" in respuesta.json()["mensaje"]
    else:
        assert "demasiado grande" in respuesta.content.decode()


@pytest.mark.django_db
def test_cuerpo_enorme_a_una_pagina_sin_subidas_se_rechaza_sin_leerlo(client):
    cuerpo = FlujoEspia(b"login=a&password=b")

    respuesta = client.post(
        reverse("account_login"),
        data=b"",
        content_type="application/x-www-form-urlencoded",
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(500 * MIB),
        **{"wsgi.input": cuerpo},
    )

    assert respuesta.status_code == 413
    assert cuerpo.leidos == 0


# --- Cut while the body is read ----------------------------------------------------


@pytest.mark.django_db
def test_pdf_que_pasa_el_limite_mientras_se_lee_no_llega_a_la_vista(
    client, formularios, monkeypatch
):
    monkeypatch.setattr(subidas, "MAX_PDF_VERIFICACION", 4 * 1024)
    pdf = SimpleUploadedFile("c.pdf", b"%PDF-" + b"0" * (8 * 1024), "application/pdf")

    respuesta = client.post(reverse("constancias:verificar_formulario"), {"archivo": pdf})

    assert respuesta.status_code == 413
    assert "recibe archivos de hasta 4.0" in respuesta.content.decode()
    assert formularios == []
    assert not VerificacionConsulta.objects.exists()


@pytest.mark.django_db
def test_pagina_sin_subidas_no_recibe_archivos(client):
    archivo = SimpleUploadedFile("x.bin", b"x" * 1024)

    respuesta = client.post(
        reverse("account_login"), {"login": "a@b.mx", "password": "x", "foto": archivo}
    )

    assert respuesta.status_code == 413
    assert "Esta página no recibe archivos" in respuesta.content.decode()


def test_manejador_corta_un_cuerpo_que_miente_sobre_su_longitud(settings):
    # Content-Length says 1 KB; the body goes on for 50 MB (a chunked body passed on
    # by the server would look the same to the parser).
    flujo = FlujoDeTrozos(50 * MIB)
    limite = LimiteSubidaHandler(limite=1 * MIB)
    meta = {"CONTENT_TYPE": MULTIPART, "CONTENT_LENGTH": "1024"}
    parser = MultiPartParser(meta, flujo, [limite, MemoryFileUploadHandler()])

    with pytest.raises(SubidaExcedida):
        parser.parse()

    trozo = 64 * 1024
    assert limite.recibidos <= 1 * MIB + trozo
    assert flujo.leidos <= 1 * MIB + 3 * trozo


def test_manejador_deja_pasar_entero_un_archivo_dentro_del_limite(settings):
    contenido = _cuerpo_con_pdf(300 * 1024)
    meta = {"CONTENT_TYPE": MULTIPART, "CONTENT_LENGTH": str(len(contenido))}
    parser = MultiPartParser(
        meta,
        io.BytesIO(contenido),
        [LimiteSubidaHandler(limite=1 * MIB), MemoryFileUploadHandler()],
    )

    _campos, archivos = parser.parse()

    assert archivos["archivo"].read() == b"%" * (300 * 1024)
