"""Role assignments and the Users section of the Wagtail admin."""

import pytest
from allauth.account.models import EmailAddress

from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from lms import services
from lms.models import AsignacionRol, Rol, Usuario
from tests.factories import AsignacionRolFactory, SujetoObligadoFactory, UsuarioFactory
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db

CURP_VALIDA = "GOMC850101HJCRRR01"


@pytest.fixture
def administrador(client):
    usuario = UsuarioFactory()
    services.asignar_rol(usuario=usuario, rol=Rol.ADMINISTRADOR)
    client.force_login(Usuario.objects.get(pk=usuario.pk))
    return usuario


def _asignar(client, **datos):
    return client.post(reverse("asignacion:add"), datos)


# --- Role assignments -------------------------------------------------------------


def test_asignar_coordinador_estatal_sincroniza_grupos(client, administrador):
    persona = UsuarioFactory()

    respuesta = _asignar(
        client, usuario=persona.pk, rol=Rol.COORDINADOR_ESTATAL, entidad=entidad("14").pk
    )

    assert respuesta.status_code == 302
    assert AsignacionRol.objects.filter(
        usuario=persona, rol=Rol.COORDINADOR_ESTATAL, entidad=entidad("14")
    ).exists()
    assert list(persona.groups.values_list("name", flat=True)) == ["Coordinación estatal"]


@pytest.mark.parametrize(
    ("rol", "con_entidad", "mensaje"),
    [
        (Rol.COORDINADOR_ESTATAL, False, "Elija la entidad federativa que coordinará."),
        (Rol.INSTRUCTOR, True, "Solo el rol de coordinador estatal lleva entidad"),
        (Rol.COORDINADOR_NACIONAL, True, "Solo el rol de coordinador estatal lleva entidad"),
    ],
)
def test_entidad_mal_puesta_da_error_en_espanol(client, administrador, rol, con_entidad, mensaje):
    persona = UsuarioFactory()

    respuesta = _asignar(
        client, usuario=persona.pk, rol=rol, entidad=entidad("14").pk if con_entidad else ""
    )

    assert respuesta.status_code == 200
    assert mensaje in respuesta.content.decode()
    for restriccion in AsignacionRol._meta.constraints:
        assert restriccion.name not in respuesta.content.decode()
    assert not AsignacionRol.objects.filter(usuario=persona).exists()
    assert not persona.groups.exists()


@pytest.mark.parametrize(
    ("rol", "clave"), [(Rol.INSTRUCTOR, None), (Rol.COORDINADOR_ESTATAL, "14")]
)
def test_asignacion_repetida_da_error_y_no_duplica(client, administrador, rol, clave):
    persona = UsuarioFactory()
    entidad_id = entidad(clave).pk if clave else None
    services.asignar_rol(usuario=persona, rol=rol, entidad_id=entidad_id)

    respuesta = _asignar(client, usuario=persona.pk, rol=rol, entidad=entidad_id or "")

    assert respuesta.status_code == 200
    assert "Esta persona ya tiene ese rol." in respuesta.content.decode()
    for restriccion in AsignacionRol._meta.constraints:
        assert restriccion.name not in respuesta.content.decode()
    assert AsignacionRol.objects.filter(usuario=persona).count() == 1


def test_mismo_coordinador_puede_tener_dos_entidades(client, administrador):
    persona = UsuarioFactory()
    services.asignar_rol(usuario=persona, rol=Rol.COORDINADOR_ESTATAL, entidad_id=entidad("14").pk)

    _asignar(client, usuario=persona.pk, rol=Rol.COORDINADOR_ESTATAL, entidad=entidad("20").pk)

    assert AsignacionRol.objects.filter(usuario=persona).count() == 2


def test_borrar_asignacion_quita_el_grupo(client, administrador):
    persona = UsuarioFactory()
    asignacion = services.asignar_rol(usuario=persona, rol=Rol.INSTRUCTOR)
    assert persona.groups.filter(name="Instructores").exists()

    respuesta = client.post(reverse("asignacion:delete", args=[asignacion.pk]))

    assert respuesta.status_code == 302
    assert not AsignacionRol.objects.filter(pk=asignacion.pk).exists()
    assert not persona.groups.filter(name="Instructores").exists()


def test_lista_de_asignaciones_busca_por_correo(client, administrador):
    AsignacionRolFactory(usuario=UsuarioFactory(email="buscada@ejemplo.gob.mx"))
    AsignacionRolFactory(usuario=UsuarioFactory(email="otra@ejemplo.gob.mx"))

    html = client.get(reverse("asignacion:index"), {"q": "buscada"}).content.decode()

    assert "buscada@ejemplo.gob.mx" in html
    assert "otra@ejemplo.gob.mx" not in html


@pytest.mark.parametrize("rol", [Rol.COORDINADOR_NACIONAL, Rol.INSTRUCTOR])
def test_solo_administradores_gestionan_roles(client, rol):
    usuario = UsuarioFactory()
    services.asignar_rol(usuario=usuario, rol=rol)
    client.force_login(usuario)
    persona = UsuarioFactory()
    asignacion = services.asignar_rol(usuario=persona, rol=Rol.INSTRUCTOR)

    for respuesta in [
        client.get(reverse("asignacion:index")),
        client.get(reverse("asignacion:add")),
        _asignar(client, usuario=usuario.pk, rol=Rol.ADMINISTRADOR, entidad=""),
        client.post(reverse("asignacion:delete", args=[asignacion.pk])),
    ]:
        assert respuesta.status_code == 302
        assert respuesta.url == reverse("wagtailadmin_home")
    assert not AsignacionRol.objects.filter(usuario=usuario, rol=Rol.ADMINISTRADOR).exists()
    assert AsignacionRol.objects.filter(pk=asignacion.pk).exists()


def test_participante_sin_acceso_al_admin_va_al_inicio_de_sesion(client):
    client.force_login(UsuarioFactory())

    respuesta = client.get(reverse("asignacion:index"))

    assert respuesta.status_code == 302
    assert respuesta.url.startswith(reverse("account_login"))


# --- Users section ----------------------------------------------------------------


def test_crear_usuario_desde_el_admin(client, administrador):
    organizacion = SujetoObligadoFactory(entidad=entidad("31"))

    formulario = client.get(reverse("wagtailusers_users:add"))
    respuesta = client.post(
        reverse("wagtailusers_users:add"),
        {
            "email": "Nueva.Persona@Ejemplo.gob.mx",
            "first_name": "Ana",
            "last_name": "Pérez",
            "cargo": "Enlace  de transparencia",
            "organizacion": organizacion.pk,
            "curp": CURP_VALIDA.lower(),
            "password1": "una-contrasena-larga-9",
            "password2": "una-contrasena-larga-9",
        },
    )

    assert formulario.status_code == 200
    for campo in ("cargo", "organizacion", "curp"):
        assert f'name="{campo}"' in formulario.content.decode()
    assert respuesta.status_code == 302, respuesta.content.decode()[:2000]
    usuario = Usuario.objects.get(email="nueva.persona@ejemplo.gob.mx")
    assert (usuario.cargo, usuario.organizacion, usuario.entidad, usuario.curp) == (
        "Enlace de transparencia",
        organizacion,
        entidad("31"),
        CURP_VALIDA,
    )
    assert usuario.check_password("una-contrasena-larga-9")


def test_editar_usuario_desde_el_admin(client, administrador):
    persona = UsuarioFactory(organizacion=SujetoObligadoFactory(entidad=entidad("14")))
    otra = SujetoObligadoFactory(entidad=entidad("20"))
    url = reverse("wagtailusers_users:edit", args=[persona.pk])

    assert client.get(url).status_code == 200
    respuesta = client.post(
        url,
        {
            "email": persona.email,
            "first_name": "María",
            "last_name": "López",
            "cargo": "Titular de la Unidad",
            "organizacion": otra.pk,
            "curp": "",
            "is_active": "on",
        },
    )

    assert respuesta.status_code == 302, respuesta.content.decode()[:2000]
    persona.refresh_from_db()
    assert (persona.first_name, persona.cargo, persona.organizacion, persona.entidad) == (
        "María",
        "Titular de la Unidad",
        otra,
        entidad("20"),
    )


def test_correo_repetido_sin_importar_mayusculas_da_error(client, administrador):
    UsuarioFactory(email="existente@ejemplo.gob.mx")

    respuesta = client.post(
        reverse("wagtailusers_users:add"),
        {
            "email": "EXISTENTE@ejemplo.gob.mx",
            "first_name": "Ana",
            "last_name": "Pérez",
            "password1": "una-contrasena-larga-9",
            "password2": "una-contrasena-larga-9",
        },
    )

    assert respuesta.status_code == 200
    assert "Ya existe una cuenta con ese correo electrónico." in respuesta.content.decode()
    assert Usuario.objects.filter(email__iexact="existente@ejemplo.gob.mx").count() == 1


def test_curp_invalida_o_repetida_da_error(client, administrador):
    UsuarioFactory(curp=CURP_VALIDA)
    persona = UsuarioFactory()
    url = reverse("wagtailusers_users:edit", args=[persona.pk])
    datos = {"email": persona.email, "first_name": "A", "last_name": "B", "is_active": "on"}

    repetida = client.post(url, {**datos, "curp": CURP_VALIDA})
    invalida = client.post(url, {**datos, "curp": "XXXX"})

    assert "ya está registrada" in repetida.content.decode()
    assert invalida.status_code == 200
    persona.refresh_from_db()
    assert persona.curp == ""


def test_curp_solo_la_ven_administradores(client):
    gestor = UsuarioFactory()
    grupo = Group.objects.create(name="Gestión de usuarios")
    grupo.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="change_usuario"),
    )
    gestor.groups.add(grupo)
    persona = UsuarioFactory(curp=CURP_VALIDA)
    client.force_login(gestor)

    pagina = client.get(reverse("wagtailusers_users:edit", args=[persona.pk]))
    client.post(
        reverse("wagtailusers_users:edit", args=[persona.pk]),
        {
            "email": persona.email,
            "first_name": "A",
            "last_name": "B",
            "is_active": "on",
            "curp": "",
        },
    )

    assert pagina.status_code == 200
    assert 'name="curp"' not in pagina.content.decode()
    assert CURP_VALIDA not in pagina.content.decode()
    assert 'name="cargo"' in pagina.content.decode()
    persona.refresh_from_db()
    assert persona.curp == CURP_VALIDA


def test_instructor_no_entra_a_usuarios(client):
    usuario = UsuarioFactory()
    services.asignar_rol(usuario=usuario, rol=Rol.INSTRUCTOR)
    client.force_login(usuario)

    respuesta = client.get(reverse("wagtailusers_users:index"))

    assert respuesta.status_code == 302


def test_cambiar_el_correo_desde_el_admin_exige_verificar_el_nuevo(client, administrador):
    persona = UsuarioFactory(email="vieja@ejemplo.gob.mx")

    client.post(
        reverse("wagtailusers_users:edit", args=[persona.pk]),
        {
            "email": "Nueva@Ejemplo.gob.mx",
            "first_name": "A",
            "last_name": "B",
            "is_active": "on",
        },
    )

    persona.refresh_from_db()
    assert persona.email == "nueva@ejemplo.gob.mx"
    assert list(EmailAddress.objects.filter(user=persona).values_list("email", "verified")) == [
        ("nueva@ejemplo.gob.mx", False)
    ]
    acceso = Client().post(
        reverse("account_login"),
        {"login": "vieja@ejemplo.gob.mx", "password": "contrasena-segura-123"},
    )
    assert acceso.status_code == 200
    assert "_auth_user_id" not in acceso.wsgi_request.session


def test_selector_de_personas_busca_por_nombre_o_correo(client, administrador):
    UsuarioFactory(email="lucia.garcia@ejemplo.gob.mx", first_name="Lucía", last_name="García")
    UsuarioFactory(email="otra@ejemplo.gob.mx", first_name="Rosa", last_name="Díaz")

    formulario = client.get(reverse("asignacion:add")).content.decode()
    resultados = client.get(reverse("usuario_chooser:choose_results"), {"q": "lucia.gar"})
    por_nombre = client.get(reverse("usuario_chooser:choose_results"), {"q": "rosa díaz"})

    assert reverse("usuario_chooser:choose") in formulario
    assert resultados.status_code == 200
    assert "lucia.garcia@ejemplo.gob.mx" in resultados.content.decode()
    assert "otra@ejemplo.gob.mx" not in resultados.content.decode()
    assert "otra@ejemplo.gob.mx" in por_nombre.content.decode()


@pytest.mark.parametrize("rol", [Rol.COORDINADOR_NACIONAL, Rol.INSTRUCTOR])
def test_selector_de_personas_solo_para_administradores(client, rol):
    usuario = UsuarioFactory()
    services.asignar_rol(usuario=usuario, rol=rol)
    client.force_login(usuario)
    UsuarioFactory(email="oculta@ejemplo.gob.mx")

    for url in [
        reverse("usuario_chooser:choose"),
        reverse("usuario_chooser:choose_results"),
        reverse("usuario_chooser:chosen", args=[usuario.pk]),
    ]:
        respuesta = client.get(url)
        assert respuesta.status_code in {302, 403}
        assert b"oculta@ejemplo.gob.mx" not in respuesta.content
