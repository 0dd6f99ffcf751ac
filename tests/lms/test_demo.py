"""Demo content loads, and loading it twice duplicates nothing."""

import pytest

from django.core.management import call_command
from django.core.management.base import CommandError

from lms.models import AsignacionRol, Organizacion, Rol, Usuario

pytestmark = pytest.mark.django_db


def _conteos():
    return (
        Usuario.objects.count(),
        Organizacion.objects.count(),
        AsignacionRol.objects.count(),
    )


def test_cargar_demo_dos_veces_no_duplica(settings):
    settings.DEBUG = True
    call_command("cargar_demo")
    primera = _conteos()
    call_command("cargar_demo")
    assert _conteos() == primera
    assert primera[0] >= 5


def test_hay_una_cuenta_por_rol_y_puede_iniciar_sesion(client, settings):
    settings.DEBUG = True
    call_command("cargar_demo")
    from lms.demo import CONTRASENA_DEMO

    roles = set(AsignacionRol.objects.values_list("rol", flat=True))
    assert {
        Rol.ADMINISTRADOR,
        Rol.COORDINADOR_NACIONAL,
        Rol.COORDINADOR_ESTATAL,
        Rol.INSTRUCTOR,
    } <= roles
    assert client.login(email="participante@demo.mx", password=CONTRASENA_DEMO)


def test_cargar_demo_se_niega_sin_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("cargar_demo")
