"""The scope matrix: each role against people of several states."""

import pytest

from lms import services
from lms.alcance import filtrar_por_alcance, personas_visibles
from lms.models import Rol, Usuario
from tests.factories import SujetoObligadoFactory, UsuarioFactory
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db

CLAVES = ["14", "09", "20"]


@pytest.fixture
def poblacion():
    """Three people in each of three states, plus one national-body person."""
    personas = {}
    for clave in CLAVES:
        sujeto = SujetoObligadoFactory(entidad=entidad(clave))
        personas[clave] = UsuarioFactory.create_batch(3, organizacion=sujeto)
    return personas


def _con_rol(rol, clave=None):
    usuario = UsuarioFactory(organizacion=SujetoObligadoFactory(entidad=entidad(clave or "31")))
    if rol is not None:
        services.asignar_rol(
            usuario=usuario, rol=rol, entidad_id=entidad(clave).pk if clave else None
        )
    return Usuario.objects.get(pk=usuario.pk)


@pytest.mark.parametrize(
    ("rol", "clave_rol", "claves_visibles"),
    [
        (None, None, []),
        (Rol.PARTICIPANTE, None, []),
        (Rol.INSTRUCTOR, None, []),
        (Rol.COORDINADOR_ESTATAL, "14", ["14"]),
        (Rol.COORDINADOR_ESTATAL, "09", ["09"]),
        (Rol.COORDINADOR_NACIONAL, None, CLAVES),
        (Rol.ADMINISTRADOR, None, CLAVES),
    ],
)
def test_matriz_de_alcance(poblacion, rol, clave_rol, claves_visibles):
    usuario = _con_rol(rol, clave_rol)
    visibles = set(personas_visibles(usuario).values_list("pk", flat=True))
    for clave, personas in poblacion.items():
        for persona in personas:
            assert (persona.pk in visibles) == (clave in claves_visibles), (rol, clave)
    assert usuario.pk in visibles


def test_coordinador_estatal_nunca_ve_otra_entidad(poblacion):
    coordinador = _con_rol(Rol.COORDINADOR_ESTATAL, "14")
    entidades = set(personas_visibles(coordinador).values_list("entidad__clave_inegi", flat=True))
    assert entidades == {"14"}


def test_coordinador_de_dos_entidades_ve_ambas(poblacion):
    coordinador = _con_rol(Rol.COORDINADOR_ESTATAL, "14")
    services.asignar_rol(
        usuario=coordinador, rol=Rol.COORDINADOR_ESTATAL, entidad_id=entidad("20").pk
    )
    coordinador = Usuario.objects.get(pk=coordinador.pk)
    entidades = set(personas_visibles(coordinador).values_list("entidad__clave_inegi", flat=True))
    assert entidades == {"14", "20"}


def test_anonimo_no_ve_nada(poblacion):
    from django.contrib.auth.models import AnonymousUser

    assert not personas_visibles(AnonymousUser()).exists()


def test_usuario_inactivo_no_ve_nada(poblacion):
    coordinador = _con_rol(Rol.COORDINADOR_NACIONAL)
    coordinador.is_active = False
    coordinador.save()
    assert not personas_visibles(Usuario.objects.get(pk=coordinador.pk)).exists()


def test_filtra_otros_modelos_por_su_ruta_de_entidad(poblacion):
    from lms.models import AsignacionRol

    coordinador = _con_rol(Rol.COORDINADOR_ESTATAL, "09")
    for personas in poblacion.values():
        services.asignar_rol(usuario=personas[0], rol=Rol.INSTRUCTOR)
    visibles = filtrar_por_alcance(
        coordinador,
        AsignacionRol.objects.filter(rol=Rol.INSTRUCTOR),
        ruta_entidad="usuario__entidad",
        ruta_persona="usuario",
    )
    assert {a.usuario.entidad.clave_inegi for a in visibles} == {"09"}


def test_retirar_rol_de_administrador_quita_el_alcance_nacional(poblacion):
    administrador = _con_rol(Rol.ADMINISTRADOR)
    assert administrador.is_superuser
    services.retirar_rol(usuario=administrador, rol=Rol.ADMINISTRADOR)
    administrador = Usuario.objects.get(pk=administrador.pk)
    assert not administrador.is_superuser
    visibles = set(personas_visibles(administrador).values_list("pk", flat=True))
    assert visibles == {administrador.pk}
