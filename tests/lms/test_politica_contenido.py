"""Every page carries a Content-Security-Policy; markup in a question's text cannot run."""

import re
from pathlib import Path

import pytest

from django.test import Client
from django.urls import path, reverse

from tests.factories import UsuarioFactory
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.factories.evaluaciones_cursos import iniciar

pytestmark = pytest.mark.django_db

ESTRICTAS = {
    "default-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'self'"],
    "form-action": ["'self'"],
}


def _politica(respuesta) -> dict[str, list[str]]:
    assert "Content-Security-Policy" in respuesta, "the response has no CSP header"
    directivas = {}
    for parte in respuesta["Content-Security-Policy"].split(";"):
        nombre, *valores = parte.split()
        directivas[nombre] = valores
    return directivas


def _sin_nonce(valores: list[str]) -> list[str]:
    return [v for v in valores if not v.startswith("'nonce-")]


def _es_estricta(politica: dict[str, list[str]]) -> None:
    for nombre, valores in ESTRICTAS.items():
        assert politica[nombre] == valores, nombre
    assert _sin_nonce(politica["script-src"]) == ["'self'"]
    assert _sin_nonce(politica["style-src"]) == ["'self'"]


def test_pagina_de_participante_con_script_en_el_enunciado(client):
    # Written straight to the database, as an import or a shell could: the admin's editor
    # would have dropped the script, this checks the policy's own line of defence.
    pregunta = pregunta_con_opciones(
        enunciado="<p>¿Cuál es la obligación?</p><script>window.robado = document.cookie</script>"
    )
    persona = UsuarioFactory()
    intento = iniciar(evaluacion_con(pregunta), persona)
    client.force_login(persona)

    respuesta = client.get(reverse("evaluaciones:intento", args=[intento.pk]))

    assert respuesta.status_code == 200
    politica = _politica(respuesta)
    _es_estricta(politica)
    assert "'unsafe-inline'" not in politica["script-src"]
    html = respuesta.content.decode()
    (etiqueta,) = re.findall(r"<script>window\.robado[^<]*</script>", html)
    assert "nonce" not in etiqueta
    nonces = [v for v in politica["script-src"] if v.startswith("'nonce-")]
    for nonce in nonces:
        assert nonce.removeprefix("'nonce-").rstrip("'") not in html


def test_pagina_publica_de_verificacion():
    respuesta = Client().get(reverse("constancias:verificar_formulario"))
    assert respuesta.status_code == 200
    politica = _politica(respuesta)
    _es_estricta(politica)
    assert "https://www.youtube.com" in politica["frame-src"]


def test_administracion_de_wagtail_tiene_su_propia_politica(client):
    client.force_login(UsuarioFactory(is_superuser=True, is_staff=True))
    respuesta = client.get(reverse("wagtailadmin_home"))
    assert respuesta.status_code == 200
    politica = _politica(respuesta)
    # Wagtail 8 writes inline scripts and compiles templates with `new Function`.
    assert politica["script-src"] == ["'self'", "'unsafe-inline'", "'unsafe-eval'"]
    assert politica["style-src"] == ["'self'", "'unsafe-inline'"]
    for nombre in ("default-src", "object-src", "base-uri", "frame-ancestors", "form-action"):
        assert politica[nombre] == ESTRICTAS[nombre], nombre


def test_pagina_de_error_500_lleva_el_nonce_de_su_estilo(settings):
    settings.ROOT_URLCONF = __name__
    respuesta = Client(raise_request_exception=False).get("/falla/")
    assert respuesta.status_code == 500
    (nonce,) = [v for v in _politica(respuesta)["style-src"] if v.startswith("'nonce-")]
    assert f'<style nonce="{nonce[7:-1]}">' in respuesta.content.decode()


def _vista_que_falla(request):
    raise RuntimeError("falla a propósito")


urlpatterns = [path("falla/", _vista_que_falla)]
handler500 = "lms.views.error_500"


def _plantillas_publicas():
    """The project's templates served under the strict policy (not the admin's, not PDFs)."""
    raiz = Path(__file__).resolve().parents[2]
    for app in ("lms", "cursos", "evaluaciones", "constancias"):
        for plantilla in sorted((raiz / app / "templates").rglob("*.html")):
            relativa = plantilla.relative_to(raiz).as_posix()
            if "/admin/" in relativa or "/pdf/" in relativa or "vista_previa" in relativa:
                continue
            yield pytest.param(plantilla, id=relativa)


@pytest.mark.parametrize("plantilla", list(_plantillas_publicas()))
def test_plantillas_publicas_sin_codigo_ni_estilos_en_linea(plantilla):
    # The strict policy would block these: a progress bar drawn with style="width: …"
    # shows empty, an inline handler or script never runs.
    texto = plantilla.read_text()
    assert not re.search(r"\sstyle=", texto)
    assert not re.search(r"\son[a-z]+=", texto)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>(?!</script>)", texto)
    for estilo in re.findall(r"<style[^>]*>", texto):
        assert "nonce=" in estilo
