from tests.factories.personas import (
    AsignacionRolFactory,
    EntidadFactory,
    OrganoGaranteFactory,
    SujetoObligadoFactory,
    UsuarioFactory,
)

__all__ = [
    "AsignacionRolFactory",
    "EntidadFactory",
    "OrganoGaranteFactory",
    "SujetoObligadoFactory",
    "UsuarioFactory",
]
