"""Production settings refuse unsafe configuration and pass check --deploy when configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parents[2]
CLAVE = "k" * 30 + "-produccion-prueba-0123456789abcdef"


def _manage(*args, **env_extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "CELERY_"))
    }
    env.update({"DJANGO_SETTINGS_MODULE": "lms.settings.production", **env_extra})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=RAIZ,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_produccion_se_niega_a_iniciar_sin_clave_secreta():
    resultado = _manage("check", DJANGO_ALLOWED_HOSTS="capacitacion.example.mx")
    assert resultado.returncode != 0
    assert "DJANGO_SECRET_KEY" in resultado.stderr


def test_produccion_se_niega_a_iniciar_con_clave_corta():
    resultado = _manage(
        "check", DJANGO_SECRET_KEY="corta", DJANGO_ALLOWED_HOSTS="capacitacion.example.mx"
    )
    assert resultado.returncode != 0
    assert "50 caracteres" in resultado.stderr


def test_produccion_se_niega_a_iniciar_sin_hosts_permitidos():
    resultado = _manage("check", DJANGO_SECRET_KEY=CLAVE)
    assert resultado.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in resultado.stderr


def test_check_deploy_sin_advertencias_con_las_variables_documentadas(tmp_path):
    resultado = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=CLAVE,
        DJANGO_ALLOWED_HOSTS="capacitacion.example.mx",
        LMS_DATA_DIR=str(tmp_path),
    )
    assert resultado.returncode == 0, resultado.stdout + resultado.stderr
    assert "no issues" in resultado.stdout


@pytest.mark.parametrize(
    ("ajuste", "esperado"),
    [("SESSION_COOKIE_SECURE", "True"), ("CSRF_COOKIE_SECURE", "True"), ("DEBUG", "False")],
)
def test_produccion_endurece_cookies_y_desactiva_debug(tmp_path, ajuste, esperado):
    resultado = _manage(
        "shell",
        "-c",
        f"from django.conf import settings; print(settings.{ajuste})",
        DJANGO_SECRET_KEY=CLAVE,
        DJANGO_ALLOWED_HOSTS="capacitacion.example.mx",
        LMS_DATA_DIR=str(tmp_path),
    )
    assert resultado.stdout.strip().splitlines()[-1] == esperado
