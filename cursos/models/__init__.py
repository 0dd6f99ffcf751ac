"""Models of the cursos app: the page tree and the editions with their facts of progress."""

from cursos.models.avance import AvanceFase
from cursos.models.ediciones import (
    Asistencia,
    Edicion,
    Inscripcion,
    ProgresoLeccion,
    SesionEnVivo,
    generar_codigo_asistencia,
)
from cursos.models.listas import FormatoLista
from cursos.models.paginas import CursoPage, FasePage, HomePage, LeccionPage, ProgramaPage

__all__ = [
    "Asistencia",
    "AvanceFase",
    "CursoPage",
    "Edicion",
    "FasePage",
    "FormatoLista",
    "HomePage",
    "Inscripcion",
    "LeccionPage",
    "ProgramaPage",
    "ProgresoLeccion",
    "SesionEnVivo",
    "generar_codigo_asistencia",
]
from cursos.models.reportes import ExportacionSolicitada

__all__ += ["ExportacionSolicitada"]
from cursos.models.manifestaciones import (  # noqa: E402
    ContactoManifestacion,
    DecisionManifestacion,
    ManifestacionInteres,
)

__all__ += ["ContactoManifestacion", "DecisionManifestacion", "ManifestacionInteres"]
