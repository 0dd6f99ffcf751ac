"""Logs never contain passwords, CURP or tokens."""

import datetime
import io
import logging
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from django.db import IntegrityError

from lms.logging import FiltroDatosSensibles, limpiar
from lms.validators import digito_verificador_curp

CURP17 = "PEGJ850101HJCRNN0"
CURP = CURP17 + str(digito_verificador_curp(CURP17))


@pytest.mark.parametrize(
    ("texto", "prohibido"),
    [
        ("POST login password=Secreta123 email=a@b.mx", "Secreta123"),
        ('{"password1": "OtraClave!9", "x": 1}', "OtraClave!9"),
        ("csrfmiddlewaretoken=abcDEF123456", "abcDEF123456"),
        ("Authorization: Bearer eyJhbGciOi.zzz", "eyJhbGciOi"),
        (f"perfil actualizado curp={CURP}", CURP),
        (f"La persona {CURP.lower()} se inscribió", CURP.lower()),
        ("GET /cuentas/confirm-email/MTIz:1tX9:abcdef/ 200", "MTIz:1tX9:abcdef"),
        ("GET /cuentas/password/reset/key/3-set-password/ 302", "3-set-password"),
        ("token=ffeeddcc00112233", "ffeeddcc00112233"),
    ],
)
def test_limpiar_oculta_datos_sensibles(texto, prohibido):
    assert prohibido not in limpiar(texto)


def test_limpiar_conserva_texto_ordinario():
    texto = "Inscripción de José Ñúñez a la edición 2026-1 (Jalisco)"
    assert limpiar(texto) == texto


def test_el_filtro_reescribe_el_mensaje_con_argumentos(caplog):
    logger = logging.getLogger("prueba.sensibles")
    logger.addFilter(FiltroDatosSensibles())
    try:
        with caplog.at_level(logging.INFO, logger="prueba.sensibles"):
            logger.info("Intento de acceso con password=%s y curp %s", "Clave-Muy-Secreta", CURP)
    finally:
        logger.filters.clear()
    assert "Clave-Muy-Secreta" not in caplog.text
    assert CURP not in caplog.text
    assert "Intento de acceso" in caplog.text


def test_la_configuracion_de_logging_aplica_el_filtro_al_manejador_de_consola():
    from django.conf import settings

    consola = settings.LOGGING["handlers"]["console"]
    assert "datos_sensibles" in consola["filters"]


# --- What the configured handlers actually write ----------------------------------------

CORREO = "ana.lopez@example.mx"
RAIZ = Path(__file__).resolve().parents[2]


@pytest.fixture
def salida_de_la_consola():
    """What the console handler configured by settings.LOGGING writes, captured."""
    manejadores = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert manejadores, "LOGGING must give the root logger its console handler"
    salida = io.StringIO()
    anteriores = [h.setStream(salida) for h in manejadores]
    yield salida
    for manejador, anterior in zip(manejadores, anteriores, strict=True):
        manejador.setStream(anterior)


def test_traceback_de_un_error_de_base_de_datos_sale_enmascarado(salida_de_la_consola):
    try:
        try:
            raise IntegrityError(
                'duplicate key value violates unique constraint "lms_usuario_curp_key"\n'
                f"DETAIL:  Key (curp)=({CURP}) already exists."
            )
        except IntegrityError as error:
            raise IntegrityError(
                f"DETAIL:  Key (lower(email::text))=({CORREO}) already exists."
            ) from error
    except IntegrityError:
        logging.getLogger("lms.prueba").exception("No se guardó el perfil de %s", CORREO)

    texto = salida_de_la_consola.getvalue()
    assert "Traceback" in texto
    assert "IntegrityError" in texto
    assert "No se guardó el perfil de [correo]" in texto
    assert "[CURP]" in texto
    assert CURP not in texto
    assert CORREO not in texto


def test_linea_de_runserver_sin_clave_de_restablecimiento_ni_consulta(salida_de_la_consola):
    # django.core.servers.basehttp logs each request this way.
    linea = f"GET /cuentas/password/reset/key/3-c1k2-7d5e9f/?next=/cursos/&correo={CORREO} HTTP/1.1"
    logging.getLogger("django.server").info('"%s" %s %s', linea, "302", "0")

    texto = salida_de_la_consola.getvalue()
    assert '"GET /cuentas/password/reset/key/[oculto]/ HTTP/1.1" 302 0' in texto
    assert "7d5e9f" not in texto
    assert "next=" not in texto
    assert CORREO not in texto


@pytest.mark.django_db
def test_solicitud_no_encontrada_no_registra_la_clave(client, salida_de_la_consola):
    client.get(f"/cuentas/confirm-email/MTIz-LLAVE-SECRETA/extra/?correo={CORREO}")

    texto = salida_de_la_consola.getvalue()
    assert "Not Found: /cuentas/confirm-email/[oculto]/extra/" in texto
    assert "LLAVE-SECRETA" not in texto
    assert CORREO not in texto


def _linea_de_acceso_de_gunicorn(tmp_path, **environ_extra):
    from gunicorn.config import Config

    from lms.logging import RegistroGunicorn

    bitacora = tmp_path / "acceso.log"
    configuracion = Config()
    configuracion.set("accesslog", str(bitacora))
    registro = RegistroGunicorn(configuracion)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/cuentas/password/reset/key/3-c1k2-7d5e9f/?correo={CORREO}",
        "PATH_INFO": "/cuentas/password/reset/key/3-c1k2-7d5e9f/",
        "QUERY_STRING": f"correo={CORREO}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "198.51.100.7",
        "HTTP_REFERER": "https://capacitacion.example.mx/cuentas/confirm-email/LLAVE/?q=1",
        "HTTP_USER_AGENT": "Prueba/1.0",
        **environ_extra,
    }
    respuesta = SimpleNamespace(status="302 Found", sent=0, headers=[])
    solicitud = SimpleNamespace(headers=[])
    registro.access(respuesta, solicitud, environ, datetime.timedelta(milliseconds=5))
    for manejador in registro.access_log.handlers:
        manejador.flush()
    return bitacora.read_text()


def test_linea_de_acceso_de_gunicorn_sin_consulta_ni_claves(tmp_path):
    linea = _linea_de_acceso_de_gunicorn(tmp_path)
    assert '"GET /cuentas/password/reset/key/[oculto]/ HTTP/1.1" 302' in linea
    assert '"https://capacitacion.example.mx/cuentas/confirm-email/[oculto]/"' in linea
    assert "7d5e9f" not in linea
    assert "LLAVE" not in linea
    assert CORREO not in linea
    assert "q=1" not in linea


def test_gunicorn_usa_el_registro_enmascarado_desde_la_carpeta_del_proyecto():
    resultado = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "--print-config", "lms.wsgi:application"],
        cwd=RAIZ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert resultado.returncode == 0, resultado.stderr
    configuracion = dict(
        (parte.strip() for parte in linea.split("=", 1))
        for linea in resultado.stdout.splitlines()
        if "=" in linea
    )
    assert configuracion["logger_class"] == "lms.logging.RegistroGunicorn"


def test_el_worker_de_celery_enmascara_sus_registros():
    # What `celery worker` does at start: Django set up, then Celery's own log handlers.
    programa = f"""
import logging, django
django.setup()
from celery.utils.log import get_task_logger
from lms.celery import app
app.log.setup(loglevel="INFO")
try:
    raise ValueError("Key (curp)=({CURP}) de {CORREO}")
except ValueError:
    logging.getLogger("celery.app.trace").exception("Task lms.tasks.x raised")
get_task_logger("lms.tasks").warning("Constancia para %s", "{CORREO}")
"""
    resultado = subprocess.run(
        [sys.executable, "-c", programa],
        cwd=RAIZ,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "lms.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    salida = resultado.stdout + resultado.stderr
    assert resultado.returncode == 0, salida
    assert "ValueError" in salida
    assert "Constancia para [correo]" in salida
    assert CURP not in salida
    assert CORREO not in salida
