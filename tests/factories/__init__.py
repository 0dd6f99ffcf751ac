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
from tests.factories.cursos import (
    CursoPageFactory,
    EdicionFactory,
    FasePageFactory,
    InscripcionFactory,
    LeccionPageFactory,
    ProgramaPageFactory,
    SesionEnVivoFactory,
)

__all__ += [
    "CursoPageFactory",
    "EdicionFactory",
    "FasePageFactory",
    "InscripcionFactory",
    "LeccionPageFactory",
    "ProgramaPageFactory",
    "SesionEnVivoFactory",
]
from tests.factories.evaluaciones import (  # noqa: E402
    CategoriaPreguntaFactory,
    EvaluacionFactory,
    OpcionPreguntaFactory,
    PreguntaFactory,
    SeccionEvaluacionFactory,
)

__all__ += [
    "CategoriaPreguntaFactory",
    "EvaluacionFactory",
    "OpcionPreguntaFactory",
    "PreguntaFactory",
    "SeccionEvaluacionFactory",
]
from tests.factories.constancias import (  # noqa: E402
    ImagenFactory,
    PlantillaConstanciaFactory,
    SerieFolioFactory,
)

__all__ += ["ImagenFactory", "PlantillaConstanciaFactory", "SerieFolioFactory"]
from tests.factories.constancias import ReglaConstanciaFactory  # noqa: E402

__all__ += ["ReglaConstanciaFactory"]
