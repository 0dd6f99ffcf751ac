import pytest

from lms.models import Rol
from tests.factories import AsignacionRolFactory, InscripcionFactory, UsuarioFactory
from tests.factories.constancias import NOMBRE_DIFICIL, ReglaConstanciaFactory, curso_completable
from tests.factories.personas import SujetoObligadoFactory, entidad


@pytest.fixture
def regla(db):
    return ReglaConstanciaFactory(edicion=curso_completable())


@pytest.fixture
def inscribir(regla):
    """Enrol a new person (of `clave`'s state) in the rule's edition."""

    def _inscribir(clave="09", **usuario):
        organizacion = SujetoObligadoFactory(entidad=entidad(clave))
        persona = UsuarioFactory(organizacion=organizacion, **usuario)
        return InscripcionFactory(edicion=regla.edicion, usuario=persona)

    return _inscribir


@pytest.fixture
def inscripcion(inscribir):
    return inscribir(first_name=NOMBRE_DIFICIL[:60], last_name=NOMBRE_DIFICIL[60:].strip())


def _coordinador(rol, clave=None):
    persona = UsuarioFactory()
    AsignacionRolFactory(usuario=persona, rol=rol, entidad=entidad(clave) if clave else None)
    return persona


@pytest.fixture
def coordinador_nacional(db):
    return _coordinador(Rol.COORDINADOR_NACIONAL)


@pytest.fixture
def coordinador_cdmx(db):
    return _coordinador(Rol.COORDINADOR_ESTATAL, "09")


@pytest.fixture
def coordinador_jalisco(db):
    return _coordinador(Rol.COORDINADOR_ESTATAL, "14")
