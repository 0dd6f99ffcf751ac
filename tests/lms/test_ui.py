"""The page frame every screen shares: navigation by role, landmarks, messages and error pages."""

import pytest
from bs4 import BeautifulSoup

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.db import connection
from django.shortcuts import render
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from lms import context_processors, services, views
from lms.models import Rol
from tests.factories import UsuarioFactory

pytestmark = pytest.mark.django_db


def _sopa(respuesta):
    return BeautifulSoup(respuesta.content, "html.parser")


def _menu(respuesta):
    """Visible texts of the main navigation, in order."""
    nav = _sopa(respuesta).select_one("nav[aria-label='Navegación principal']")
    elementos = nav.select("#menu-principal a, #menu-principal button")
    return [el.get_text(strip=True) for el in elementos]


def _usuario(rol=None, **kwargs):
    usuario = UsuarioFactory(**kwargs)
    if rol:
        services.asignar_rol(usuario=usuario, rol=rol)
    return usuario


def _url_mis_cursos():
    try:
        return reverse("cursos:mis_cursos")
    except NoReverseMatch:
        return reverse("perfil")


def test_anonimo_ve_iniciar_sesion_y_registrarse(client):
    assert _menu(client.get("/")) == ["Iniciar sesión", "Registrarse"]


def test_participante_ve_sus_secciones_y_cerrar_sesion(client):
    client.force_login(_usuario())
    assert _menu(client.get("/")) == ["Mis cursos", "Mi perfil", "Cerrar sesión"]


def test_mis_cursos_apunta_a_la_ruta_de_cursos_o_al_perfil(client):
    client.force_login(_usuario())
    enlace = _sopa(client.get("/")).find("a", string="Mis cursos")
    assert enlace["href"] == _url_mis_cursos()


def test_mis_cursos_usa_el_perfil_si_cursos_no_define_la_ruta(monkeypatch, rf):
    def sin_mis_cursos(nombre):
        if nombre == "cursos:mis_cursos":
            raise NoReverseMatch(nombre)
        return reverse(nombre)

    monkeypatch.setattr(context_processors, "reverse", sin_mis_cursos)
    request = rf.get("/")
    request.user = _usuario()
    enlaces = context_processors.navegacion(request)["nav"]["enlaces"]
    assert enlaces[0].url == reverse("perfil")
    assert str(enlaces[0].etiqueta) == "Mis cursos"


def test_coordinador_estatal_ve_coordinacion_sin_administracion(client):
    from tests.factories.personas import entidad

    usuario = _usuario()
    services.asignar_rol(usuario=usuario, rol=Rol.COORDINADOR_ESTATAL, entidad_id=entidad("14").pk)
    client.force_login(usuario)
    assert _menu(client.get("/")) == ["Mis cursos", "Coordinación", "Mi perfil", "Cerrar sesión"]


def test_coordinador_nacional_ve_coordinacion_y_administracion(client):
    client.force_login(_usuario(Rol.COORDINADOR_NACIONAL))
    assert _menu(client.get("/")) == [
        "Mis cursos",
        "Coordinación",
        "Administración",
        "Mi perfil",
        "Cerrar sesión",
    ]


def test_instructor_ve_administracion_sin_coordinacion(client):
    client.force_login(_usuario(Rol.INSTRUCTOR))
    menu = _menu(client.get("/"))
    assert "Administración" in menu
    assert "Coordinación" not in menu


def test_superusuario_ve_administracion(client):
    client.force_login(_usuario(is_superuser=True, is_staff=True))
    assert "Administración" in _menu(client.get("/"))


def test_pagina_actual_marcada_con_aria_current(client):
    client.force_login(_usuario(Rol.COORDINADOR_NACIONAL))
    sopa = _sopa(client.get("/coordinacion/"))
    actuales = sopa.select("#menu-principal [aria-current]")
    assert [a.get_text(strip=True) for a in actuales] == ["Coordinación"]
    assert actuales[0]["aria-current"] == "page"
    perfil = _sopa(client.get("/perfil/")).select("#menu-principal [aria-current]")
    assert [a.get_text(strip=True) for a in perfil] == ["Mi perfil"]


def test_inicio_marcado_en_la_marca(client):
    assert _sopa(client.get("/")).select_one("a.marca")["aria-current"] == "page"
    assert (
        not _sopa(client.get(reverse("account_login")))
        .select_one("a.marca")
        .has_attr("aria-current")
    )


def test_anonimo_marca_iniciar_sesion_como_actual(client):
    sopa = _sopa(client.get(reverse("account_login")))
    assert [a.get_text(strip=True) for a in sopa.select("#menu-principal [aria-current]")] == [
        "Iniciar sesión"
    ]


@pytest.mark.parametrize("url", ["/", "/aviso-de-privacidad/", "/cuentas/login/", "/no-existe/"])
def test_marco_accesible_en_cada_pagina(client, url):
    respuesta = client.get(url)
    sopa = _sopa(respuesta)
    assert sopa.html["lang"] == "es-MX"
    assert sopa.title.get_text(strip=True)
    primero = sopa.body.find(True)
    assert primero.name == "a"
    assert primero["href"] == "#contenido"
    assert primero.get_text(strip=True) == "Saltar al contenido"
    main = sopa.find("main")
    assert main["id"] == "contenido"
    assert main["tabindex"] == "-1"
    for punto_de_referencia in ("header", "nav", "main", "footer"):
        assert sopa.find(punto_de_referencia), punto_de_referencia
    assert len(sopa.find_all("main")) == 1
    assert len(sopa.find_all("h1")) == 1
    boton = sopa.select_one("[data-menu-boton]")
    assert boton["aria-controls"] == "menu-principal"
    assert boton.has_attr("hidden"), "without JS the menu button is hidden and the menu stays open"


def _con_mensajes(request):
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_mensajes_de_error_se_anuncian_como_alerta_y_los_demas_como_estado(rf):
    request = _con_mensajes(rf.get("/"))
    request.user = AnonymousUser()
    messages.success(request, "Guardado con éxito.")
    messages.error(request, "Algo falló.")
    respuesta = render(request, "lms/aviso_privacidad.html", {"configuracion": None})
    sopa = BeautifulSoup(respuesta.content, "html.parser")
    assert sopa.select_one("[role=alert]").get_text(strip=True) == "Algo falló."
    assert sopa.select_one("[role=status]").get_text(strip=True) == "Guardado con éxito."


def test_404_amigable_en_espanol(client):
    respuesta = client.get("/esta/pagina/no/existe/")
    assert respuesta.status_code == 404
    html = respuesta.content.decode()
    assert "No encontramos esta página" in html
    assert "Página no encontrada" in _sopa(respuesta).title.get_text()


def test_403_amigable_en_espanol(client):
    client.force_login(_usuario())
    respuesta = client.get("/coordinacion/")
    assert respuesta.status_code == 403
    assert "No tiene permiso para ver esta página" in respuesta.content.decode()
    assert "Acceso denegado" in _sopa(respuesta).title.get_text()


def test_403_csrf_en_espanol():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    respuesta = client.post(reverse("account_login"), {"login": "a@b.mx", "password": "x"})
    assert respuesta.status_code == 403
    assert "No pudimos procesar el formulario" in respuesta.content.decode()


def test_500_no_consulta_la_base_ni_usa_procesadores_de_contexto():
    request = RequestFactory().get("/")
    with CaptureQueriesContext(connection) as consultas:
        respuesta = views.error_500(request)
    assert len(consultas) == 0
    assert respuesta.status_code == 500
    sopa = BeautifulSoup(respuesta.content, "html.parser")
    assert sopa.html["lang"] == "es-MX"
    assert sopa.title.get_text(strip=True) == "Error del servidor"
    assert "Algo salió mal de nuestro lado" in sopa.get_text()


def test_500_en_una_vista_que_falla(client, settings):
    client.raise_request_exception = False
    settings.ROOT_URLCONF = __name__
    respuesta = client.get("/falla/")
    assert respuesta.status_code == 500
    assert "Algo salió mal de nuestro lado" in respuesta.content.decode()


def _vista_que_falla(request):
    raise RuntimeError("falla a propósito")


def _urlpatterns():
    from django.urls import path

    return [path("falla/", _vista_que_falla)]


urlpatterns = _urlpatterns()
handler500 = "lms.views.error_500"
