"""The Users form never changes groups or superuser status: roles do."""

import pytest

from django.contrib.auth.models import Group
from django.urls import reverse

from lms import services
from lms.models import Rol, Usuario
from tests.factories import UsuarioFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrador(client):
    usuario = UsuarioFactory()
    services.asignar_rol(usuario=usuario, rol=Rol.ADMINISTRADOR)
    client.force_login(Usuario.objects.get(pk=usuario.pk))
    return usuario


def test_editar_persona_conserva_sus_grupos_y_no_acepta_grupos_alterados(client, administrador):
    persona = UsuarioFactory()
    services.asignar_rol(usuario=persona, rol=Rol.INSTRUCTOR)
    administradores = Group.objects.get(name=services.asegurar_grupos()[Rol.ADMINISTRADOR].name)
    url = reverse("wagtailusers_users:edit", args=[persona.pk])

    pagina = client.get(url).content.decode()
    respuesta = client.post(
        url,
        {
            "email": persona.email,
            "first_name": "Ana",
            "last_name": "Pérez",
            "is_active": "on",
            "is_superuser": "on",
            "groups": [administradores.pk],
        },
    )

    assert "Asignaciones de rol" in pagina
    assert respuesta.status_code == 302, respuesta.content.decode()[:2000]
    persona.refresh_from_db()
    assert persona.first_name == "Ana"
    assert not persona.is_superuser
    assert list(persona.groups.values_list("name", flat=True)) == [
        services.asegurar_grupos()[Rol.INSTRUCTOR].name
    ]


def test_alta_de_persona_no_acepta_grupos_ni_superusuario(client, administrador):
    administradores = services.asegurar_grupos()[Rol.ADMINISTRADOR]

    respuesta = client.post(
        reverse("wagtailusers_users:add"),
        {
            "email": "nueva@ejemplo.gob.mx",
            "first_name": "Luz",
            "last_name": "Ramos",
            "password1": "una-contrasena-larga-9",
            "password2": "una-contrasena-larga-9",
            "is_superuser": "on",
            "groups": [administradores.pk],
        },
    )

    assert respuesta.status_code == 302, respuesta.content.decode()[:2000]
    nueva = Usuario.objects.get(email="nueva@ejemplo.gob.mx")
    assert not nueva.is_superuser
    assert not nueva.groups.exists()
