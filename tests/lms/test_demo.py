"""Demo content loads, and loading it twice duplicates nothing."""

import io

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


def test_cargar_demo_se_niega_con_ajustes_de_produccion_aunque_se_fuerce(settings):
    settings.DEBUG = True
    settings.LMS_ENTORNO = "produccion"
    with pytest.raises(CommandError, match="contraseña pública"):
        call_command("cargar_demo", "--forzar")
    assert not Usuario.objects.exists()


@pytest.mark.parametrize(("debug", "entorno"), [(True, "produccion"), (False, "pruebas")])
def test_cuentas_demo_no_publica_la_contrasena_fuera_del_desarrollo(settings, debug, entorno):
    from lms.demo import CONTRASENA_DEMO

    settings.DEBUG = debug
    settings.LMS_ENTORNO = entorno
    salida = io.StringIO()
    with pytest.raises(CommandError, match="modo de desarrollo"):
        call_command("cuentas_demo", stdout=salida)
    assert CONTRASENA_DEMO not in salida.getvalue()


def test_cuentas_demo_en_desarrollo_muestra_las_cuentas(settings):
    settings.DEBUG = True
    settings.LMS_ENTORNO = "desarrollo"
    salida = io.StringIO()
    call_command("cuentas_demo", stdout=salida)
    assert "participante@demo.mx" in salida.getvalue()
