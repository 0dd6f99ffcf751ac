"""S3-compatible storage as production configures it, against moto's server on loopback.

The storage settings come from `lms/settings/base.py` itself (read in a child process
with AWS_STORAGE_BUCKET_NAME set), so this checks the settings the hosts will run with:
a constancia's PDF lands under the private prefix with its SHA-256 and no public grant,
an anonymous GET of it is refused, the holder's download is a redirect to a URL signed
for a minute, and `respaldar`/`restaurar` carry it out of S3 and back to the same key.
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
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from constancias import services
from constancias.models import Constancia
from tests.factories import InscripcionFactory, UsuarioFactory
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


def _almacenes_de_produccion(url: str) -> dict:
    """STORAGES exactly as lms/settings/base.py builds it from the environment."""
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
            "print(json.dumps({k: base.STORAGES[k] for k in ('default', 'privado')}))",
        ],
        cwd=RAIZ,
        env=entorno,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(salida.stdout.strip().splitlines()[-1])


def _anonimo(url: str) -> int:
    """Status of a plain GET with no credentials, as any visitor of the bucket would send."""
    try:
        with urllib.request.urlopen(url, timeout=10) as respuesta:
            return respuesta.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_archivos_privados_en_s3_firmados_y_su_respaldo(
    servidor_s3, settings, tmp_path, base_nueva
):
    url, cliente = servidor_s3
    almacenes = _almacenes_de_produccion(url)
    assert almacenes["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert almacenes["privado"]["OPTIONS"]["default_acl"] == "private"
    settings.STORAGES = {**settings.STORAGES, **almacenes}

    # A public object of the same bucket is readable anonymously: the check below can pass.
    cliente.put_object(Bucket=CUBETA, Key="publico.txt", Body=b"hola", ACL="public-read")
    assert _anonimo(f"{url}/{CUBETA}/publico.txt") == 200

    regla = ReglaConstanciaFactory(edicion=curso_completable(), automatica=False)
    persona = UsuarioFactory()
    inscripcion = InscripcionFactory(edicion=regla.edicion, usuario=persona)
    services.emitir_constancias(regla=regla, inscripcion_ids=[inscripcion.pk], notificar=False)
    constancia = Constancia.objects.get()
    assert constancia.folio not in constancia.pdf.name
    clave = f"privado/{constancia.pdf.name}"
    objeto = cliente.get_object(Bucket=CUBETA, Key=clave)["Body"].read()
    assert objeto.startswith(b"%PDF")
    assert hashlib.sha256(objeto).hexdigest() == constancia.sha256
    permisos = cliente.get_object_acl(Bucket=CUBETA, Key=clave)["Grants"]
    assert not [p for p in permisos if p["Grantee"].get("URI", "").endswith("AllUsers")]
    assert _anonimo(f"{url}/{CUBETA}/{clave}") == 403

    # The holder's download is a redirect to a URL signed for a minute.
    cliente_web = Client()
    cliente_web.force_login(persona)
    respuesta = cliente_web.get(reverse("constancias:descargar", args=[constancia.folio]))
    assert respuesta.status_code == 302
    firmada = urllib.parse.urlsplit(respuesta["Location"])
    consulta = urllib.parse.parse_qs(firmada.query)
    assert firmada.path == f"/{CUBETA}/{clave}"
    assert consulta["X-Amz-Expires"] == ["60"]
    assert "X-Amz-Signature" in consulta
    with urllib.request.urlopen(respuesta["Location"], timeout=10) as descarga:
        assert hashlib.sha256(descarga.read()).hexdigest() == constancia.sha256
        assert f"{constancia.folio}.pdf" in descarga.headers["Content-Disposition"]
    otra = Client()
    otra.force_login(UsuarioFactory())
    assert otra.get(reverse("constancias:descargar", args=[constancia.folio])).status_code == 404

    respaldo = tmp_path / "respaldo"
    call_command("respaldar", str(respaldo))
    manifiesto = json.loads((respaldo / "manifiesto.json").read_text())
    assert manifiesto["archivos_privados"][constancia.pdf.name] == constancia.sha256
    assert constancia.pdf.name not in manifiesto["archivos"]

    # Lost from the bucket, back from the backup, to the private prefix.
    cliente.delete_object(Bucket=CUBETA, Key=clave)
    call_command("restaurar", str(respaldo), base=base_nueva[0])
    objeto = cliente.get_object(Bucket=CUBETA, Key=clave)["Body"].read()
    assert hashlib.sha256(objeto).hexdigest() == constancia.sha256
    assert _anonimo(f"{url}/{CUBETA}/{clave}") == 403
