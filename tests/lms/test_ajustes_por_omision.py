"""Without DJANGO_SETTINGS_MODULE every entry point runs production settings, never DEBUG."""

import os
import subprocess
import sys
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[2]
CLAVE = "k" * 30 + "-ajustes-por-omision-0123456789abcdef"
CLAVE_DE_DESARROLLO = "dev-only-insecure-key-never-use-in-production"


def _python(*args, **env_extra):
    """Run Python in the project with none of its settings variables, plus `env_extra`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "CELERY_", "LMS_"))
    }
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, *args],
        cwd=RAIZ,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_manage_sin_ajustes_se_niega_sin_clave_secreta(tmp_path):
    resultado = _python("manage.py", "check", LMS_DATA_DIR=str(tmp_path))
    assert resultado.returncode != 0
    assert "DJANGO_SECRET_KEY" in resultado.stderr
    assert "lms.settings.dev" in resultado.stderr  # tells a developer what to use instead


def test_manage_sin_ajustes_no_usa_debug_ni_la_clave_de_desarrollo(tmp_path):
    resultado = _python(
        "manage.py",
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.SETTINGS_MODULE, settings.DEBUG, settings.SECRET_KEY)",
        DJANGO_SECRET_KEY=CLAVE,
        DJANGO_ALLOWED_HOSTS="capacitacion.example.mx",
        LMS_DATA_DIR=str(tmp_path),
    )
    assert resultado.returncode == 0, resultado.stderr
    # Django's shell first says how many objects it imported; the last line is ours.
    assert resultado.stdout.splitlines()[-1].split() == ["lms.settings.production", "False", CLAVE]


def test_worker_de_celery_sin_ajustes_se_niega_sin_clave_secreta(tmp_path):
    # What `celery -A lms worker` imports first; the settings load when it reads its config.
    resultado = _python(
        "-c",
        "from lms.celery import app; print(app.conf.broker_url)",
        LMS_DATA_DIR=str(tmp_path),
    )
    assert resultado.returncode != 0
    assert "DJANGO_SECRET_KEY" in resultado.stderr
    assert CLAVE_DE_DESARROLLO not in resultado.stdout


def test_cargar_demo_sin_ajustes_se_niega(tmp_path):
    resultado = _python(
        "manage.py",
        "cargar_demo",
        "--forzar",
        DJANGO_SECRET_KEY=CLAVE,
        DJANGO_ALLOWED_HOSTS="capacitacion.example.mx",
        LMS_DATA_DIR=str(tmp_path),
    )
    assert resultado.returncode != 0
    assert "no se carga con los ajustes de producción" in resultado.stderr


def test_ajustes_de_desarrollo_se_niegan_con_una_base_en_otro_servidor(tmp_path):
    resultado = _python(
        "manage.py",
        "check",
        DJANGO_SETTINGS_MODULE="lms.settings.dev",
        DATABASE_URL="postgres://lms:secreta@bd.capacitacion.example.mx:5432/lms",
        LMS_DATA_DIR=str(tmp_path),
    )
    assert resultado.returncode != 0
    assert "LMS_DEV_PERMITIR_BASE_REMOTA" in resultado.stderr


def test_ajustes_de_desarrollo_aceptan_sqlite_una_base_local_o_el_permiso_explicito(tmp_path):
    bases = {
        "sqlite": {},
        "local": {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/lms_dev"},
        "remota con permiso": {
            "DATABASE_URL": "postgres://lms@bd.capacitacion.example.mx:5432/copia",
            "LMS_DEV_PERMITIR_BASE_REMOTA": "1",
        },
    }
    for nombre, variables in bases.items():
        resultado = _python(
            "manage.py",
            "check",
            DJANGO_SETTINGS_MODULE="lms.settings.dev",
            LMS_DATA_DIR=str(tmp_path),
            **variables,
        )
        assert resultado.returncode == 0, (nombre, resultado.stderr)
