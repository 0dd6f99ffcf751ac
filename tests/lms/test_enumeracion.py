"""Sign-up and profile checks do not tell anyone which e-mails or CURPs have an account.

Sign-up answers a registered address with the same page as a new one, and does the same
work for both (one password hash, one e-mail queued through the Celery backend), so the
time it takes does not tell them apart either. The profile says that a CURP belongs to
another account, which its owner needs to know, but only a few times per hour per account
and per client address.
"""

import pytest

from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.urls import reverse

from lms.models import Usuario
from lms.tasks import enviar_correo_task
from tests.factories import UsuarioFactory
from tests.factories.cuentas import curp_valida, datos_registro

pytestmark = pytest.mark.django_db


class HasherContador(MD5PasswordHasher):
    """The test suite's fast hasher, counting the passwords it hashes."""

    hechos = 0

    def encode(self, password, salt):
        HasherContador.hechos += 1
        return super().encode(password, salt)


@pytest.fixture
def trabajo(settings, monkeypatch, django_capture_on_commit_callbacks):
    """Sign up with an e-mail; return what was hashed and queued, and where it went."""
    settings.PASSWORD_HASHERS = [f"{HasherContador.__module__}.HasherContador"]
    settings.EMAIL_BACKEND = "lms.correo.CeleryEmailBackend"

    def registrar(email):
        encolados = []
        monkeypatch.setattr(enviar_correo_task, "delay", encolados.append)
        HasherContador.hechos = 0
        with django_capture_on_commit_callbacks(execute=True):
            respuesta = Client().post(reverse("account_signup"), datos_registro(email=email))
        return {
            "destino": respuesta["Location"],
            "hashes": HasherContador.hechos,
            "correos": [datos["to"] for datos in encolados],
        }

    return registrar


def test_registro_con_correo_nuevo_o_registrado_hace_el_mismo_trabajo(trabajo):
    UsuarioFactory(email="registrada@itei.org.mx")

    nuevo = trabajo("nueva@itei.org.mx")
    registrado = trabajo("registrada@itei.org.mx")

    assert nuevo == {
        "destino": reverse("account_email_verification_sent"),
        "hashes": 1,
        "correos": [["nueva@itei.org.mx"]],
    }
    assert registrado == {**nuevo, "correos": [["registrada@itei.org.mx"]]}
    assert Usuario.objects.filter(email="registrada@itei.org.mx").count() == 1


# --- CURP in the profile ----------------------------------------------------------

LIMITE = "demasiadas veces"


def _perfil(usuario, curp):
    return {
        "first_name": usuario.first_name,
        "last_name": "Núñez Peña",
        "cargo": usuario.cargo,
        "organizacion": usuario.organizacion_id,
        "curp": curp,
    }


def _curps(n):
    return [curp_valida(f"PEGJ8501{dia:02d}HDFRNN0") for dia in range(1, n + 1)]


def test_consultas_de_curp_por_cuenta_tienen_limite(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "curp": "3/h/user,50/h/ip"}
    tomada = UsuarioFactory(curp=_curps(5)[4])
    usuario = UsuarioFactory()
    client.force_login(usuario)

    for curp in _curps(3):
        respuesta = client.post(reverse("perfil"), _perfil(usuario, curp))
        assert LIMITE not in respuesta.content.decode()
    bloqueada = client.post(reverse("perfil"), _perfil(usuario, tomada.curp))

    html = bloqueada.content.decode()
    assert bloqueada.status_code == 200
    assert LIMITE in html
    assert "ya está registrada" not in html
    # What the person typed is still in the form, and nothing was saved.
    assert tomada.curp in html
    usuario.refresh_from_db()
    assert usuario.curp == _curps(3)[2]


def test_consultas_de_curp_por_direccion_tienen_limite_aunque_cambie_la_cuenta(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "curp": "50/h/user,2/h/ip"}
    tomada = UsuarioFactory(curp=_curps(3)[2])
    respuestas = []
    for curp in [*_curps(2), tomada.curp]:
        usuario = UsuarioFactory()
        cliente = Client(REMOTE_ADDR="203.0.113.7")
        cliente.force_login(usuario)
        respuestas.append(cliente.post(reverse("perfil"), _perfil(usuario, curp)))

    assert [LIMITE in r.content.decode() for r in respuestas] == [False, False, True]
    assert "ya está registrada" not in respuestas[-1].content.decode()


def test_volver_a_guardar_la_propia_curp_no_cuenta_como_consulta(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "curp": "1/h/user,50/h/ip"}
    usuario = UsuarioFactory(curp=_curps(1)[0])
    client.force_login(usuario)

    for _ in range(3):
        respuesta = client.post(reverse("perfil"), _perfil(usuario, usuario.curp))
        assert respuesta.status_code == 302
    otra = client.post(reverse("perfil"), _perfil(usuario, _curps(2)[1]))
    assert otra.status_code == 302
