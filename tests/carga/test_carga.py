"""`manage.py carga` against pytest's live server: few participants, the same checks."""

import io

import pytest

from django.core.management import CommandError, call_command
from django.db import connection

from constancias.models import Constancia
from evaluaciones.models import Intento
from lms.celery import app


@pytest.fixture
def tareas_en_linea():
    """No worker here: the constancia task runs inside the request that queued it."""
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.mark.django_db(transaction=True)
def test_carga_pequena_revisa_la_base_sin_problemas(live_server, tareas_en_linea):
    salida = io.StringIO()
    call_command(
        "carga",
        url=live_server.url,
        participantes=6,
        preguntas=4,
        previas=2,
        verificaciones=6,
        # The live server shares one SQLite connection between its threads.
        concurrencia=1,
        ventana=0,
        espera_constancias=30,
        limite_segundos=300,
        stdout=salida,
    )
    texto = salida.getvalue()
    for tipo in (
        "inicio de intento",
        "guardado de respuesta",
        "envío",
        "catálogo",
        "lección",
        "mis cursos",
        "verificación válida",
        "verificación inválida",
    ):
        linea = next(linea for linea in texto.splitlines() if linea.strip().startswith(tipo))
        assert "p95=" in linea
        assert linea.rstrip().endswith("errores: —"), linea
    assert "Sin respuestas perdidas" in texto
    assert Intento.objects.filter(estado=Intento.Estado.CALIFICADO).count() == 6
    aprobados = [i for i in Intento.objects.all() if i.porcentaje >= 70]
    # Two constancias were issued beforehand for the verification page.
    assert Constancia.objects.count() == len(aprobados) + 2


@pytest.mark.parametrize(
    "url", ["http://10.0.0.5:18100", "http://192.168.1.2:18100", "https://example.mx"]
)
def test_carga_se_niega_a_salir_de_esta_maquina(url):
    with pytest.raises(CommandError, match=r"127\.0\.0\.1"):
        call_command("carga", url=url, participantes=1)


def test_carga_se_niega_a_una_base_sin_carga_en_el_nombre(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", "lms_produccion")
    with pytest.raises(CommandError, match="carga"):
        call_command("carga", url="http://127.0.0.1:18100", participantes=1)
