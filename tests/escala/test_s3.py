"""S3-compatible storage as production configures it, against moto's server on loopback.

The storage settings come from `lms/settings/base.py` itself (read in a child process
with AWS_STORAGE_BUCKET_NAME set), so this checks the settings the hosts will run with:
a constancia's PDF lands in the bucket with its SHA-256, and `respaldar`/`restaurar`
carry it out of S3 and back.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from django.core.management import call_command

from constancias import services
from constancias.models import Constancia
from tests.factories import InscripcionFactory
from tests.factories.constancias import ReglaConstanciaFactory, curso_completable

RAIZ = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PUERTOS = range(18150, 18200)
CUBETA = "constancias-prueba"


def _puerto_libre() -> int:
    for puerto in PUERTOS:
        with socket.socket() as prueba:
            try:
                prueba.bind(("127.0.0.1", puerto))
            except OSError:
                continue
            return puerto
    pytest.fail("No hay puerto libre en 18150-18199.")


@pytest.fixture
def servidor_s3(tmp_path, monkeypatch):
    puerto = _puerto_libre()
    bitacora = (tmp_path / "moto.log").open("wb")
    proceso = subprocess.Popen(
        [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(puerto)],
        stdout=bitacora,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{puerto}"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "prueba")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "prueba")
    try:
        import boto3

        cliente = boto3.client("s3", endpoint_url=url, region_name="us-east-1")
        limite = time.monotonic() + 60
        while True:
            try:
                cliente.create_bucket(Bucket=CUBETA)
                break
            except Exception:  # noqa: BLE001 - the server may still be starting
                if time.monotonic() > limite or proceso.poll() is not None:
                    pytest.fail((tmp_path / "moto.log").read_text()[-2000:])
                time.sleep(0.5)
        yield url, cliente
    finally:
        os.killpg(proceso.pid, signal.SIGTERM)
        proceso.wait(timeout=30)
        bitacora.close()


def _almacen_de_produccion(url: str) -> dict:
    """STORAGES["default"] exactly as lms/settings/base.py builds it from the environment."""
    entorno = {
        **os.environ,
        "AWS_STORAGE_BUCKET_NAME": CUBETA,
        "AWS_S3_ENDPOINT_URL": url,
        "AWS_S3_REGION_NAME": "us-east-1",
    }
    salida = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from lms.settings import base; "
            "print(json.dumps(base.STORAGES['default']))",
        ],
        cwd=RAIZ,
        env=entorno,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(salida.stdout.strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True)
def test_pdf_de_constancia_en_s3_y_su_respaldo(servidor_s3, settings, tmp_path, base_nueva):
    url, cliente = servidor_s3
    almacen = _almacen_de_produccion(url)
    assert almacen["BACKEND"] == "storages.backends.s3.S3Storage"
    settings.STORAGES = {**settings.STORAGES, "default": almacen}

    regla = ReglaConstanciaFactory(edicion=curso_completable(), automatica=False)
    inscripcion = InscripcionFactory(edicion=regla.edicion)
    services.emitir_constancias(regla=regla, inscripcion_ids=[inscripcion.pk], notificar=False)
    constancia = Constancia.objects.get()
    objeto = cliente.get_object(Bucket=CUBETA, Key=constancia.pdf.name)["Body"].read()
    assert objeto.startswith(b"%PDF")
    assert hashlib.sha256(objeto).hexdigest() == constancia.sha256

    respaldo = tmp_path / "respaldo"
    call_command("respaldar", str(respaldo))
    manifiesto = json.loads((respaldo / "manifiesto.json").read_text())
    assert manifiesto["archivos"][constancia.pdf.name] == constancia.sha256

    # Lost from the bucket, back from the backup.
    cliente.delete_object(Bucket=CUBETA, Key=constancia.pdf.name)
    call_command("restaurar", str(respaldo), base=base_nueva[0])
    objeto = cliente.get_object(Bucket=CUBETA, Key=constancia.pdf.name)["Body"].read()
    assert hashlib.sha256(objeto).hexdigest() == constancia.sha256
