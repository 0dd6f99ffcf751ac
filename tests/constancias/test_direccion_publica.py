"""The constancia's QR, printed URL and e-mail use the configured public address."""

import io
import re

import pytest
from pypdf import PdfReader

from constancias import tasks
from constancias.models import Constancia
from tests.constancias.escaneo import leer_qr_escaneado

pytestmark = pytest.mark.django_db

# Not the host of the request nor the test settings' default: only LMS_BASE_URL gives it.
RARA = "http://10.20.30.40:18765"


def test_qr_url_impresa_y_correo_usan_la_direccion_publica(
    settings, regla, inscripcion, mailoutbox, django_capture_on_commit_callbacks, tmp_path
):
    settings.WAGTAILADMIN_BASE_URL = RARA

    with django_capture_on_commit_callbacks(execute=True):
        tasks.emitir_constancia_task.apply(args=[inscripcion.pk]).get()

    constancia = Constancia.objects.get()
    url = f"{RARA}/constancias/verificar/{constancia.codigo_verificacion}/"
    assert constancia.datos["url_verificacion"] == url
    contenido = constancia.pdf.read()
    texto = " ".join(PdfReader(io.BytesIO(contenido)).pages[0].extract_text().split())
    assert url in texto
    assert leer_qr_escaneado(contenido, tmp_path) == [url]

    [mensaje] = mailoutbox
    enlaces = re.findall(r"https?://\S+", mensaje.body)
    assert sorted(enlaces) == sorted([f"{RARA}/constancias/mis-constancias/", url])
    assert "testserver" not in mensaje.body
