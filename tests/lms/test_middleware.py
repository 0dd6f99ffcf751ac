"""Accounts created in bulk accept the privacy notice at their first login, before anything else."""

import pytest

from django.urls import reverse

from cursos.models import Inscripcion
from lms.middleware import CLAVE_SESION
from tests.factories import InscripcionFactory, UsuarioFactory

pytestmark = pytest.mark.django_db

CONTRASENA = "contrasena-segura-123"


@pytest.fixture
def creada_en_bloque(configuracion):
    configuracion.aviso_privacidad_version = "2026-1"
    configuracion.save()
    return InscripcionFactory(origen=Inscripcion.Origen.CARGA_MASIVA).usuario


def test_primer_inicio_de_sesion_exige_aceptar_el_aviso(client, creada_en_bloque):
    respuesta = client.post(
        reverse("account_login"), {"login": creada_en_bloque.email, "password": CONTRASENA}
    )
    assert respuesta.status_code == 302
    mis_cursos = reverse("cursos:mis_cursos")
    respuesta = client.get(mis_cursos)
    assert respuesta.status_code == 302
    assert respuesta["Location"].startswith(reverse("aceptar_aviso"))
    # Everything else is held back too, including the profile and POSTs.
    assert client.get(reverse("perfil")).status_code == 302
    assert client.post(reverse("perfil"), {"first_name": "X"}).status_code == 302

    pagina = client.get(respuesta["Location"])
    assert pagina.status_code == 200
    assert "Antes de continuar: aviso de privacidad" in pagina.content.decode()

    sin_marcar = client.post(reverse("aceptar_aviso"), {"next": mis_cursos})
    assert "Para continuar debe aceptar el aviso de privacidad" in sin_marcar.content.decode()
    creada_en_bloque.refresh_from_db()
    assert creada_en_bloque.aviso_privacidad_aceptado_en is None

    respuesta = client.post(reverse("aceptar_aviso"), {"acepto": "on", "next": mis_cursos})
    assert respuesta.status_code == 302
    assert respuesta["Location"] == mis_cursos
    creada_en_bloque.refresh_from_db()
    assert creada_en_bloque.aviso_privacidad_aceptado_en is not None
    assert creada_en_bloque.aviso_privacidad_version == "2026-1"
    assert client.get(mis_cursos).status_code == 200
    assert CLAVE_SESION not in client.session


def test_puede_cerrar_sesion_o_leer_el_aviso_sin_aceptarlo(client, creada_en_bloque):
    client.force_login(creada_en_bloque)
    assert client.get(reverse("aviso_privacidad")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert client.get(reverse("cursos:mis_cursos")).status_code == 302  # now to the login
    assert "/cuentas/login/" in client.get(reverse("cursos:mis_cursos"))["Location"]


def test_redireccion_externa_en_next_se_ignora(client, creada_en_bloque):
    client.force_login(creada_en_bloque)
    respuesta = client.post(
        reverse("aceptar_aviso"), {"acepto": "on", "next": "https://ejemplo.com/"}
    )
    assert respuesta["Location"] in {reverse("perfil"), "/"}


def test_quien_se_registro_o_ya_acepto_no_es_interrumpido(client, creada_en_bloque):
    # An account not created in bulk is not stopped (it accepted in the sign-up form).
    client.force_login(UsuarioFactory())
    assert client.get(reverse("perfil")).status_code == 200
    # The same bulk account once it accepted.
    creada_en_bloque.aviso_privacidad_aceptado_en = creada_en_bloque.date_joined
    creada_en_bloque.save()
    client.force_login(creada_en_bloque)
    assert client.get(reverse("cursos:mis_cursos")).status_code == 200
