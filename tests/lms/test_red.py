"""Rate limits key on the visitor behind the trusted proxies, never on a header anyone can send."""

import pytest

from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from constancias.models import VerificacionConsulta
from lms.red import direccion_cliente

PROXY = "10.0.0.5"
LIMITE = "Demasiadas"


def _direccion(remota, reenvio=None, proxies=(PROXY, "10.1.0.0/16")):
    extra = {"REMOTE_ADDR": remota}
    if reenvio is not None:
        extra["HTTP_X_FORWARDED_FOR"] = reenvio
    solicitud = RequestFactory().get("/", **extra)
    with override_settings(LMS_PROXIES_CONFIABLES=list(proxies)):
        return direccion_cliente(solicitud)


@pytest.mark.parametrize(
    ("remota", "reenvio", "esperada"),
    [
        # No proxy in between: the peer is the client, the header is ignored.
        ("198.51.100.7", None, "198.51.100.7"),
        ("198.51.100.7", "203.0.113.1", "198.51.100.7"),
        # Through the trusted proxy: the entry it appended.
        (PROXY, "198.51.100.7", "198.51.100.7"),
        # A client that invents a chain: only the rightmost untrusted entry counts.
        (PROXY, "1.1.1.1, 2.2.2.2, 198.51.100.7", "198.51.100.7"),
        # Two trusted proxies (the balancer and nginx): skip both.
        (PROXY, "198.51.100.7, 10.1.2.3", "198.51.100.7"),
        # Ports and IPv6 as some proxies write them.
        (PROXY, "198.51.100.7:51234", "198.51.100.7"),
        (PROXY, "[2001:db8::7]:443", "2001:db8::7"),
        # The proxy sent nothing or garbage: the proxy's own address, never the garbage.
        (PROXY, None, PROXY),
        (PROXY, "no-es-una-ip", PROXY),
        (PROXY, "198.51.100.7, basura", PROXY),
        # Garbage the client wrote left of the real entry is never read.
        (PROXY, "basura, 198.51.100.7", "198.51.100.7"),
    ],
)
def test_direccion_cliente(remota, reenvio, esperada):
    assert _direccion(remota, reenvio) == esperada


def test_sin_proxies_configurados_el_encabezado_no_cuenta():
    assert _direccion(PROXY, "198.51.100.7", proxies=()) == PROXY


def _login_fallido(cliente, numero):
    return cliente.post(
        reverse("account_login"),
        {"login": f"nadie{numero}@example.mx", "password": "equivocada-123"},
    )


@pytest.mark.django_db
def test_dos_personas_detras_del_proxy_tienen_limites_de_login_separados(settings):
    settings.LMS_PROXIES_CONFIABLES = [PROXY]
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "100/5m/key,3/15m/ip",
    }
    ana = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    beto = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2")

    for numero in range(3):
        assert _login_fallido(ana, numero).status_code == 200
    assert _login_fallido(ana, 3).status_code == 429

    # Beto's first mistake is just a wrong password, not a lockout caused by Ana.
    respuesta = _login_fallido(beto, 4)
    assert respuesta.status_code == 200
    assert "correo electrónico y/o la contraseña" in respuesta.content.decode()


@pytest.mark.django_db
def test_encabezado_falsificado_desde_una_direccion_no_confiable_no_evita_el_limite(settings):
    settings.LMS_PROXIES_CONFIABLES = [PROXY]
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "100/5m/key,3/15m/ip",
    }
    respuestas = [
        _login_fallido(
            Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{numero}"),
            numero,
        )
        for numero in range(4)
    ]
    assert [r.status_code for r in respuestas] == [200, 200, 200, 429]


@pytest.mark.django_db
def test_verificacion_publica_cuenta_por_persona_detras_del_proxy(settings):
    settings.LMS_PROXIES_CONFIABLES = [PROXY]
    settings.CONSTANCIAS_LIMITE_VERIFICACION = (2, 60)
    url = reverse("constancias:verificar", args=["no-existe"])
    ana = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    beto = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2")

    assert [ana.get(url).status_code for _ in range(3)] == [404, 404, 429]
    assert beto.get(url).status_code == 404
    # The audit of lookups names each visitor, not the proxy.
    assert set(VerificacionConsulta.objects.values_list("ip", flat=True)) == {
        "198.51.100.1",
        "198.51.100.2",
    }


@pytest.mark.django_db
def test_verificacion_ignora_el_encabezado_falsificado(settings):
    settings.LMS_PROXIES_CONFIABLES = [PROXY]
    settings.CONSTANCIAS_LIMITE_VERIFICACION = (2, 60)
    url = reverse("constancias:verificar", args=["no-existe"])
    codigos = [
        Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        .get(url)
        .status_code
        for n in range(3)
    ]
    assert codigos == [404, 404, 429]
    assert set(VerificacionConsulta.objects.values_list("ip", flat=True)) == {"203.0.113.9"}
