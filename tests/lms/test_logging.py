"""Logs never contain passwords, CURP or tokens."""

import logging

import pytest

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
