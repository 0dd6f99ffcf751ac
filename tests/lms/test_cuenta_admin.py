"""Wagtail's account settings: names and e-mail change only through the project's own pages."""

import pytest
from allauth.account.models import EmailAddress

from wagtail.users.models import UserProfile

from lms import services
from lms.models import Rol, Usuario
from tests.factories import UsuarioFactory

pytestmark = pytest.mark.django_db

URL = "/admin/account/"


@pytest.fixture
def instructora(client):
    usuario = UsuarioFactory(email="ana@itei.org.mx", first_name="Ana", last_name="Pérez")
    services.asignar_rol(usuario=usuario, rol=Rol.INSTRUCTOR)
    usuario = Usuario.objects.get(pk=usuario.pk)
    client.force_login(usuario)
    return usuario


def _formulario(**extra):
    datos = {
        "locale-current_time_zone": "",
        "theme-theme": "system",
        "theme-contrast": "system",
        "theme-density": "default",
    }
    datos.update(extra)
    return datos


def test_no_cambia_el_nombre_sin_el_validador_de_nombres(client, instructora):
    client.post(
        URL,
        _formulario(
            **{
                "name_email-first_name": '=HYPERLINK("http://x","y")',
                "name_email-last_name": "<b>Pérez</b> 123",
                "name_email-email": instructora.email,
            }
        ),
    )
    instructora.refresh_from_db()
    assert (instructora.first_name, instructora.last_name) == ("Ana", "Pérez")


def test_no_cambia_el_correo_sin_verificarlo(client, instructora, mailoutbox):
    client.post(
        URL,
        _formulario(
            **{
                "name_email-first_name": "Ana",
                "name_email-last_name": "Pérez",
                "name_email-email": "otra@ejemplo.com",
            }
        ),
    )
    instructora.refresh_from_db()
    assert instructora.email == "ana@itei.org.mx"
    assert not EmailAddress.objects.filter(email="otra@ejemplo.com").exists()
    assert EmailAddress.objects.get(user=instructora, primary=True).email == "ana@itei.org.mx"


def test_la_cuenta_remite_al_perfil_y_a_los_correos(client, instructora):
    pagina = client.get(URL).content.decode()
    assert 'name="name_email-first_name"' not in pagina
    assert 'name="name_email-email"' not in pagina
    assert 'href="/perfil/"' in pagina
    assert 'href="/cuentas/email/"' in pagina


def test_las_demas_preferencias_siguen_guardandose(client, instructora):
    respuesta = client.post(URL, _formulario(**{"locale-current_time_zone": "America/Tijuana"}))
    assert respuesta.status_code == 302
    assert UserProfile.get_for_user(instructora).current_time_zone == "America/Tijuana"


def test_la_cuenta_sigue_pidiendo_acceso_a_la_administracion(client):
    client.force_login(UsuarioFactory())
    respuesta = client.get(URL)
    assert respuesta.status_code == 302
    assert not respuesta["Location"].startswith(URL)


def test_el_correo_nuevo_se_verifica_antes_de_usarse(client, instructora, mailoutbox):
    respuesta = client.post("/cuentas/email/", {"action_add": "", "email": "nueva@ejemplo.gob.mx"})
    assert respuesta.status_code == 302
    nueva = EmailAddress.objects.get(email="nueva@ejemplo.gob.mx")
    assert (nueva.user, nueva.verified, nueva.primary) == (instructora, False, False)
    assert [m.to for m in mailoutbox] == [["nueva@ejemplo.gob.mx"]]
    instructora.refresh_from_db()
    assert instructora.email == "ana@itei.org.mx"
