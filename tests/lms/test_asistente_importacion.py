"""The one import wizard (`lms.asistente`): the same contract for its three flows.

Bulk enrolment, attendance from a meeting report and the import of obligated
subjects each upload a file, preview it and confirm. Whatever the flow: a
confirmation applies once, however often or concurrently it is sent; a token
that is not the person's, edited, expired or stored by an older version
applies nothing and says why.
"""

from __future__ import annotations

import dataclasses
import datetime
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cursos import services_importacion
from cursos import views_importacion as vistas_cursos
from cursos.models import Asistencia, Inscripcion
from lms import asistente, services
from lms import views_importacion as vistas_lms
from lms.asistente import (
    Asistente,
    ConfirmacionRechazada,
    Estado,
    ImportacionNoDisponible,
    Motivo,
)
from lms.models import Organizacion, Rol, Usuario
from tests.factories import (
    AsignacionRolFactory,
    CursoPageFactory,
    EdicionFactory,
    FasePageFactory,
    InscripcionFactory,
    SesionEnVivoFactory,
    SujetoObligadoFactory,
    UsuarioFactory,
)
from tests.factories.personas import entidad

LISTA = (
    "correo;nombre;apellidos;cargo;organizacion;entidad\r\n"
    "uno@sej.gob.mx;Uno;Pérez;Analista;SEJ;Jalisco\r\n"
    "dos@sej.gob.mx;Dos;López;Analista;SEJ;Jalisco\r\n"
)
TEAMS = (
    "1. Summary\r\nMeeting title\tSesión\r\n\r\n2. Participants\r\n"
    "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\r\n"
    "Ana\t-\t-\t1h 5m\tana@sej.gob.mx\tana@sej.gob.mx\tAttendee\r\n"
)
SUJETOS = (
    "nombre;siglas;entidad;ambito;tipo\r\nSecretaría del Asistente;SA;Jalisco;estatal;otro\r\n"
)


@dataclass
class Flujo:
    """One flow as the contract sees it: who imports, how, and what applying writes."""

    nombre: str
    asistente: Asistente
    usuario: Usuario
    objeto_id: int | None
    par: Callable[[], Usuario]  # someone else with the same rights over the object
    formulario: Callable[[], dict[str, Any]]  # the upload form's data, a fresh file each time
    url_subir: str
    url_revisar: Callable[[str], str]
    aplicadas: Callable[[], int]  # what applying once writes, counted
    esperadas: int
    resultado: str  # a piece of the result shown after applying
    servicio: tuple[Any, str]  # (module, name) of the service the confirmation calls
    ajena_da_404: bool  # site flows answer 404; the admin says so and goes back

    def subir(self, cliente: Client) -> str:
        respuesta = cliente.post(self.url_subir, self.formulario())
        assert respuesta.status_code == 302, respuesta.content.decode()[:500]
        token = respuesta["Location"].rstrip("/").rsplit("/", 1)[-1]
        cliente.get(self.url_revisar(token))  # the preview the confirmation applies
        return token


def _archivo(texto: str, nombre: str, codificacion: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(nombre, texto.encode(codificacion), content_type="text/csv")


def _curso():
    curso = CursoPageFactory(title="Curso del asistente")
    FasePageFactory(parent=curso, title="Fase teórica")
    practica = FasePageFactory(parent=curso, title="Fase práctica", tipo="practica")
    edicion = EdicionFactory(
        curso=curso, fecha_inicio=timezone.localdate() - datetime.timedelta(days=10)
    )
    return curso, practica, edicion


def _coordinador() -> Usuario:
    return AsignacionRolFactory(rol=Rol.COORDINADOR_ESTATAL, entidad=entidad("14")).usuario


def _flujo_inscripcion() -> Flujo:
    SujetoObligadoFactory(
        nombre="Secretaría de Educación Jalisco", siglas="SEJ", entidad=entidad("14")
    )
    _, _, edicion = _curso()
    return Flujo(
        nombre="inscripcion",
        asistente=vistas_cursos.INSCRIPCION,
        usuario=_coordinador(),
        objeto_id=edicion.pk,
        par=_coordinador,
        formulario=lambda: {"archivo": _archivo(LISTA, "personas.csv")},
        url_subir=reverse("cursos:inscribir_subir", args=[edicion.pk]),
        url_revisar=lambda token: reverse("cursos:inscribir_revisar", args=[edicion.pk, token]),
        aplicadas=lambda: Inscripcion.objects.filter(edicion=edicion).count(),
        esperadas=2,
        resultado="recibirán un correo para elegir su contraseña): 2",
        servicio=(services_importacion, "inscribir_en_bloque"),
        ajena_da_404=True,
    )


def _flujo_asistencia() -> Flujo:
    curso, practica, edicion = _curso()
    sesion = SesionEnVivoFactory(
        edicion=edicion,
        fase=practica,
        inicio=timezone.now() - datetime.timedelta(minutes=10),
        duracion_minutos=60,
    )
    InscripcionFactory(edicion=edicion, usuario=UsuarioFactory(email="ana@sej.gob.mx"))

    def instructor() -> Usuario:
        usuario = UsuarioFactory()
        AsignacionRolFactory(usuario=usuario, rol=Rol.INSTRUCTOR)
        curso.instructores.add(usuario)
        curso.save()
        return usuario

    return Flujo(
        nombre="asistencia",
        asistente=vistas_cursos.ASISTENCIA,
        usuario=instructor(),
        objeto_id=sesion.pk,
        par=instructor,
        formulario=lambda: {
            "archivo": _archivo(TEAMS, "asistencia.csv", "utf-16"),
            "minimos_minutos": 45,
        },
        url_subir=reverse("cursos:asistencia_subir", args=[sesion.pk]),
        url_revisar=lambda token: reverse("cursos:asistencia_revisar", args=[sesion.pk, token]),
        aplicadas=lambda: Asistencia.objects.filter(sesion=sesion).count(),
        esperadas=1,
        resultado="1 persona registrada",
        servicio=(services_importacion, "importar_asistencia"),
        ajena_da_404=True,
    )


def _flujo_organizaciones() -> Flujo:
    def administrador() -> Usuario:
        return UsuarioFactory(is_superuser=True, is_staff=True)

    return Flujo(
        nombre="organizaciones",
        asistente=vistas_lms.ASISTENTE,
        usuario=administrador(),
        objeto_id=None,
        par=administrador,
        formulario=lambda: {"archivo": _archivo(SUJETOS, "sujetos.csv")},
        url_subir=reverse("organizacion:importar"),
        url_revisar=lambda token: reverse("organizacion:importar_revisar", args=[token]),
        aplicadas=lambda: Organizacion.objects.filter(nombre="Secretaría del Asistente").count(),
        esperadas=1,
        resultado="1 nuevas, 0 actualizadas, 0 rechazadas",
        servicio=(services, "importar_sujetos_obligados"),
        ajena_da_404=False,
    )


FLUJOS = {
    "inscripcion": _flujo_inscripcion,
    "asistencia": _flujo_asistencia,
    "organizaciones": _flujo_organizaciones,
}


@pytest.fixture(params=list(FLUJOS))
def flujo(request, db) -> Flujo:
    return FLUJOS[request.param]()


def _cliente(usuario: Usuario) -> Client:
    cliente = Client()
    cliente.force_login(usuario)
    return cliente


def _rechazada(flujo: Flujo, respuesta) -> str:
    """The page a refused request ends on; a 404 where the flow answers so."""
    if flujo.ajena_da_404:
        assert respuesta.status_code == 404
        return ""
    assert respuesta.status_code == 200
    return respuesta.content.decode()


# --- The contract, for each flow ------------------------------------------------------


def test_confirmar_dos_veces_aplica_una_vez_y_muestra_el_mismo_resultado(flujo):
    cliente = _cliente(flujo.usuario)
    token = flujo.subir(cliente)
    assert flujo.aplicadas() == 0

    primera = cliente.post(flujo.url_revisar(token), follow=True)
    assert flujo.aplicadas() == flujo.esperadas
    assert flujo.resultado in primera.content.decode()
    assert "ya se" not in primera.content.decode()

    segunda = cliente.post(flujo.url_revisar(token), follow=True)
    contenido = segunda.content.decode()
    assert "ya se" in contenido
    assert flujo.resultado in contenido
    assert flujo.aplicadas() == flujo.esperadas


def test_token_de_otra_persona_no_aplica_ni_gasta_la_importacion(flujo):
    cliente = _cliente(flujo.usuario)
    token = flujo.subir(cliente)
    intruso = _cliente(flujo.par())

    contenido = _rechazada(flujo, intruso.post(flujo.url_revisar(token), follow=True))
    assert flujo.ajena_da_404 or "no se hizo ningún cambio" in contenido
    assert intruso.get(flujo.url_revisar(token)).status_code in {302, 404}
    assert flujo.aplicadas() == 0

    cliente.post(flujo.url_revisar(token))
    assert flujo.aplicadas() == flujo.esperadas


@pytest.mark.parametrize("parte", ["aleatoria", "firma"])
def test_token_alterado_no_aplica(flujo, parte):
    cliente = _cliente(flujo.usuario)
    token = flujo.subir(cliente)
    aleatorio, marca, firma = token.split(":")
    if parte == "aleatoria":
        aleatorio = ("A" if aleatorio[0] != "A" else "B") + aleatorio[1:]
    else:
        firma = firma[:-1] + ("A" if firma[-1] != "A" else "B")
    alterado = f"{aleatorio}:{marca}:{firma}"

    contenido = _rechazada(flujo, cliente.post(flujo.url_revisar(alterado), follow=True))

    assert flujo.ajena_da_404 or "no se hizo ningún cambio" in contenido
    assert flujo.aplicadas() == 0


def _datos_de(flujo: Flujo, token: str) -> dict[str, Any]:
    return flujo.asistente.entrada(
        token=token, usuario=flujo.usuario, objeto_id=flujo.objeto_id
    ).datos


def test_token_vencido_dice_que_suba_el_archivo_de_nuevo(flujo, monkeypatch):
    cliente = _cliente(flujo.usuario)
    datos = _datos_de(flujo, flujo.subir(cliente))
    antes = time.time() - flujo.asistente.vigencia - 60
    with monkeypatch.context() as parche:
        parche.setattr(time, "time", lambda: antes)
        vencido = flujo.asistente.guardar(
            usuario=flujo.usuario, objeto_id=flujo.objeto_id, datos=datos
        )

    vista = cliente.get(flujo.url_revisar(vencido), follow=True)
    assert "ya no está disponible; suba el archivo de nuevo" in vista.content.decode()
    assert vista.redirect_chain[-1][0] == flujo.url_subir
    confirmacion = cliente.post(flujo.url_revisar(vencido), follow=True)
    assert "ya no está disponible; suba el archivo de nuevo" in confirmacion.content.decode()
    assert flujo.aplicadas() == 0


def test_importacion_que_ya_no_esta_en_la_cache_dice_que_suba_de_nuevo(flujo):
    cliente = _cliente(flujo.usuario)
    token = flujo.subir(cliente)
    entrada = flujo.asistente.entrada(token=token, usuario=flujo.usuario, objeto_id=flujo.objeto_id)
    cache.delete(entrada.clave)

    confirmacion = cliente.post(flujo.url_revisar(token), follow=True)

    assert "ya no está disponible; suba el archivo de nuevo" in confirmacion.content.decode()
    assert flujo.aplicadas() == 0


def test_vista_previa_de_una_version_anterior_pide_subir_de_nuevo(flujo):
    cliente = _cliente(flujo.usuario)
    datos = _datos_de(flujo, flujo.subir(cliente))
    anterior = dataclasses.replace(flujo.asistente, version=flujo.asistente.version - 1)
    token = anterior.guardar(usuario=flujo.usuario, objeto_id=flujo.objeto_id, datos=datos)

    vista = cliente.get(flujo.url_revisar(token), follow=True)
    assert "versión anterior del sistema; suba el archivo de nuevo" in vista.content.decode()
    assert vista.redirect_chain[-1][0] == flujo.url_subir
    cliente.post(flujo.url_revisar(token))
    assert flujo.aplicadas() == 0


def test_confirmacion_que_llega_mientras_otra_escribe_no_aplica_de_nuevo(flujo, monkeypatch):
    """The second confirmation arrives inside the first one's write (same process)."""
    monkeypatch.setattr(asistente, "ESPERA_CANDADO", 0)
    cliente = _cliente(flujo.usuario)
    token = flujo.subir(cliente)
    modulo, nombre = flujo.servicio
    original = getattr(modulo, nombre)
    durante: list[Estado] = []

    def servicio(**kwargs):
        entrada = flujo.asistente.entrada(
            token=token, usuario=flujo.usuario, objeto_id=flujo.objeto_id
        )
        durante.append(
            flujo.asistente.confirmar(entrada, lambda _e: pytest.fail("applied twice")).estado
        )
        return original(**kwargs)

    monkeypatch.setattr(modulo, nombre, servicio)
    cliente.post(flujo.url_revisar(token))

    assert durante == [Estado.EN_CURSO]
    assert flujo.aplicadas() == flujo.esperadas


@pytest.fixture
def guardadas(monkeypatch) -> list[dict[str, Any]]:
    """The uploads the wizard stored during the test."""
    registro: list[dict[str, Any]] = []
    guardar = Asistente.guardar

    def espia(self, **kwargs):
        registro.append(kwargs)
        return guardar(self, **kwargs)

    monkeypatch.setattr(Asistente, "guardar", espia)
    return registro


def test_archivo_ilegible_da_mensaje_y_no_guarda_nada(flujo, guardadas):
    cliente = _cliente(flujo.usuario)
    datos = {**flujo.formulario(), "archivo": _archivo("no es un libro", "lista.xlsx")}

    respuesta = cliente.post(flujo.url_subir, datos)

    assert respuesta.status_code == 200
    assert "No se pudo leer" in respuesta.content.decode()
    assert guardadas == []
    flujo.subir(cliente)  # the same form with a good file is stored
    assert len(guardadas) == 1


def test_archivo_demasiado_grande_da_mensaje_y_no_guarda_nada(flujo, guardadas, settings):
    settings.LMS_MAX_UPLOAD_BYTES = 100
    datos = {**flujo.formulario(), "archivo": _archivo(LISTA * 5, "lista.csv")}

    respuesta = _cliente(flujo.usuario).post(flujo.url_subir, datos)

    assert respuesta.status_code == 413
    assert "demasiado grande" in respuesta.content.decode()
    assert guardadas == []


# --- Concurrent confirmations on a real database ---------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
@pytest.mark.parametrize("nombre", list(FLUJOS))
def test_confirmaciones_simultaneas_aplican_una_vez(nombre, monkeypatch):
    flujo = FLUJOS[nombre]()
    token = flujo.subir(_cliente(flujo.usuario))
    modulo, servicio = flujo.servicio
    original = getattr(modulo, servicio)
    llamadas: list[int] = []

    def lento(**kwargs):
        llamadas.append(1)
        time.sleep(0.5)  # the other confirmation arrives while this one writes
        return original(**kwargs)

    monkeypatch.setattr(modulo, servicio, lento)
    clientes = [_cliente(flujo.usuario) for _ in range(2)]
    barrera = threading.Barrier(len(clientes))
    respuestas: list[str] = []

    def confirmar(cliente: Client) -> None:
        barrera.wait()
        try:
            respuestas.append(cliente.post(flujo.url_revisar(token), follow=True).content.decode())
        finally:
            connection.close()

    hilos = [threading.Thread(target=confirmar, args=[c]) for c in clientes]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()

    assert len(llamadas) == 1
    assert flujo.aplicadas() == flujo.esperadas
    # The one that waited shows the same result as the one that applied.
    assert all(flujo.resultado in r for r in respuestas)
    assert sum("ya se" in r for r in respuestas) == 1


# --- The wizard itself ------------------------------------------------------------------

PRUEBA = Asistente(tipo="prueba", version=2)


@pytest.fixture
def persona(db) -> Usuario:
    return UsuarioFactory()


def test_resultado_guardado_se_devuelve_en_la_segunda_confirmacion(persona):
    token = PRUEBA.guardar(usuario=persona, objeto_id=7, datos={"filas": [1, 2]})
    aplicadas: list[list[int]] = []

    def aplicar(entrada):
        aplicadas.append(entrada.datos["filas"])
        return {"total": len(entrada.datos["filas"])}

    entrada = PRUEBA.entrada(token=token, usuario=persona, objeto_id=7)
    primera = PRUEBA.confirmar(entrada, aplicar)
    otra_lectura = PRUEBA.entrada(token=token, usuario=persona, objeto_id=7)
    segunda = PRUEBA.confirmar(otra_lectura, aplicar)

    assert (primera.estado, segunda.estado) == (Estado.APLICADA, Estado.YA_APLICADA)
    assert primera.resultado == segunda.resultado == {"total": 2}
    assert aplicadas == [[1, 2]]
    assert otra_lectura.aplicada


def test_confirmacion_rechazada_deja_la_importacion_abierta(persona):
    token = PRUEBA.guardar(usuario=persona, objeto_id=None, datos={})

    def rechazar(_entrada):
        raise ConfirmacionRechazada("Cambió algo.")

    entrada = PRUEBA.entrada(token=token, usuario=persona, objeto_id=None)
    with pytest.raises(ConfirmacionRechazada):
        PRUEBA.confirmar(entrada, rechazar)
    confirmacion = PRUEBA.confirmar(entrada, lambda _e: "hecho")

    assert (confirmacion.estado, confirmacion.resultado) == (Estado.APLICADA, "hecho")


def test_actualizar_no_reabre_una_importacion_aplicada(persona):
    token = PRUEBA.guardar(usuario=persona, objeto_id=1, datos={"vista": "a"})
    abierta = PRUEBA.entrada(token=token, usuario=persona, objeto_id=1)
    PRUEBA.confirmar(PRUEBA.entrada(token=token, usuario=persona, objeto_id=1), lambda _e: 1)

    abierta.datos["vista"] = "b"
    assert not PRUEBA.actualizar(abierta)

    despues = PRUEBA.entrada(token=token, usuario=persona, objeto_id=1)
    assert despues.aplicada
    assert despues.datos == {"vista": "a"}


@pytest.mark.parametrize(
    ("cambio", "motivo"),
    [
        ({"usuario": "otra"}, Motivo.AJENA),
        ({"objeto_id": 2}, Motivo.AJENA),
        ({"asistente": Asistente(tipo="otra", version=2)}, Motivo.AJENA),
        ({"asistente": Asistente(tipo="prueba", version=3)}, Motivo.VERSION),
        ({"token": "x" * 300}, Motivo.AJENA),
    ],
)
def test_token_solo_sirve_a_su_persona_tipo_objeto_y_version(persona, cambio, motivo):
    token = PRUEBA.guardar(usuario=persona, objeto_id=1, datos={})
    argumentos = {
        "token": cambio.get("token", token),
        "usuario": UsuarioFactory() if cambio.get("usuario") else persona,
        "objeto_id": cambio.get("objeto_id", 1),
    }

    with pytest.raises(ImportacionNoDisponible) as error:
        cambio.get("asistente", PRUEBA).entrada(**argumentos)

    assert error.value.motivo is motivo
