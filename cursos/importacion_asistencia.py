"""Reading and checking meeting attendance reports.

Nothing here writes. `leer_reporte_asistencia` recognizes a Zoom, Microsoft
Teams or Google Meet report and returns each person's total minutes;
`revisar_asistencia` matches them to the enrolments (`inscritas_de_sesion`).
`cursos.services_importacion.importar_asistencia` does the writing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from cursos.importacion import correo_normalizado
from lms import tabular
from lms.tabular import ArchivoInvalido, normalizar

if TYPE_CHECKING:
    from cursos.models import SesionEnVivo

ZOOM = "zoom"
TEAMS = "teams"
MEET = "meet"
NOMBRES_FORMATO = {ZOOM: "Zoom", TEAMS: "Microsoft Teams", MEET: "Google Meet"}

# Header spellings (normalized) of each column in the reports, English and Spanish.
_ENC_CORREO = {
    "email",
    "user email",
    "correo electronico",
    "correo electronico del usuario",
    "correo",
    "participant email",
    "correo electronico del participante",
    "e-mail",
}
_ENC_NOMBRE = {
    "name",
    "name (original name)",
    "nombre (nombre original)",
    "nombre",
    "full name",
    "nombre completo",
    "participant name",
    "nombre del participante",
}
_ENC_NOMBRE_PILA = {"first name", "nombre de pila"}
_ENC_APELLIDO = {"last name", "apellido", "apellidos"}
_ENC_DURACION = {
    "duration (minutes)",
    "duracion (minutos)",
    "total duration (minutes)",
    "duracion total (minutos)",
    "in-meeting duration",
    "duracion en la reunion",
    "duration",
    "duracion",
    "attendance duration",
    "duracion de la asistencia",
}
_ENC_REUNION = {"meeting id", "id de reunion", "id de la reunion", "topic", "tema"}
_SECCIONES_TEAMS = {
    "1. summary",
    "1. resumen",
    "2. participants",
    "2. participantes",
    "3. in-meeting activities",
    "3. actividades en la reunion",
}


@dataclass
class PersonaReporte:
    """A person in a meeting report: their email, a name, and their minutes summed over joins."""

    correo: str
    nombre: str
    minutos: int
    lineas: list[int] = field(default_factory=list)


@dataclass
class FilaSinCorreo:
    numero: int
    nombre: str
    minutos: int


@dataclass
class ReporteAsistencia:
    formato: str
    personas: list[PersonaReporte]
    sin_correo: list[FilaSinCorreo]

    @property
    def nombre_formato(self) -> str:
        return NOMBRES_FORMATO[self.formato]


def _formato_desconocido() -> ArchivoInvalido:
    return ArchivoInvalido(
        _(
            "No se reconoce el formato del reporte de asistencia. Se admiten: la lista de "
            "participantes de Zoom (CSV), la lista de asistencia de Microsoft Teams (CSV) y el "
            "reporte de asistencia de Google Meet (CSV). Descárguelo de la plataforma sin "
            "modificar sus columnas."
        )
    )


_RE_HMS = re.compile(r"^(\d+):(\d{1,2})(?::(\d{1,2}))?$")
_RE_PARTE = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(h|hr|hrs|hora|horas|hour|hours|m|min|mins|minuto|minutos|minute|"
    r"minutes|s|seg|segs|sec|secs|segundo|segundos|second|seconds)\b"
)


def minutos_de(texto: str) -> int | None:
    """Minutes in a duration as the platforms write it: 45, 1:05:30, 1h 5m 30s, 1 hr 5 min."""
    texto = normalizar(texto)
    if not texto:
        return None
    if re.fullmatch(r"\d+(?:[.,]\d+)?", texto):
        return int(float(texto.replace(",", ".")))
    hms = _RE_HMS.match(texto)
    if hms:
        horas, minutos, segundos = hms.group(1), hms.group(2), hms.group(3)
        if segundos is None:  # "1:05" is hours and minutes
            return int(horas) * 60 + int(minutos)
        return int(horas) * 60 + int(minutos) + int(segundos) // 60
    segundos_totales = 0.0
    encontrado = False
    for numero, unidad in _RE_PARTE.findall(texto):
        valor = float(numero.replace(",", "."))
        encontrado = True
        if unidad.startswith("h"):
            segundos_totales += valor * 3600
        elif unidad.startswith("m"):
            segundos_totales += valor * 60
        else:
            segundos_totales += valor
    return int(segundos_totales // 60) if encontrado else None


def _es_encabezado(celdas: list[str]) -> dict[str, int] | None:
    """Column positions if `celdas` is a report header with an email and a duration."""
    normal = [normalizar(c) for c in celdas]
    posiciones: dict[str, int] = {}
    for i, texto in enumerate(normal):
        if texto in _ENC_CORREO and "correo" not in posiciones:
            posiciones["correo"] = i
        elif texto in _ENC_DURACION and "duracion" not in posiciones:
            posiciones["duracion"] = i
        elif texto in _ENC_NOMBRE and "nombre" not in posiciones:
            posiciones["nombre"] = i
        elif texto in _ENC_NOMBRE_PILA:
            posiciones["nombre_pila"] = i
        elif texto in _ENC_APELLIDO:
            posiciones["apellido"] = i
        elif texto in _ENC_REUNION:
            posiciones["reunion"] = i
    if "duracion" in posiciones and ("correo" in posiciones or "nombre" in posiciones):
        return posiciones
    return None


def _detectar_formato(tabla: list[tuple[int, list[str]]], encabezado: list[str]) -> str:
    normal = {normalizar(c) for c in encabezado}
    primeras = {normalizar(celdas[0]) for _n, celdas in tabla[:60] if celdas}
    if primeras & _SECCIONES_TEAMS or normal & {
        "in-meeting duration",
        "duracion en la reunion",
        "participant id (upn)",
        "id de participante (upn)",
        "first join",
        "primera union",
    }:
        return TEAMS
    if normal & {
        "name (original name)",
        "nombre (nombre original)",
        "duration (minutes)",
        "duracion (minutos)",
        "total duration (minutes)",
        "user email",
        "correo electronico del usuario",
    }:
        return ZOOM
    if normal & {"first name", "last name", "time joined", "time exited", "hora de entrada"}:
        return MEET
    if {"duration", "duracion"} & normal:
        return MEET
    raise _formato_desconocido()


def leer_reporte_asistencia(
    nombre: str, contenido: bytes, *, max_bytes: int | None = None
) -> ReporteAsistencia:
    """Each person's email, name and total minutes in a Zoom, Teams or Meet report."""
    separador = None
    if not contenido.startswith(b"PK\x03\x04"):
        texto = tabular.decodificar(contenido)
        # Teams reports start with a section title and no separator; Excel's
        # "Unicode text" and Teams use tabs throughout.
        if any("\t" in linea for linea in tabular.primeras_lineas(texto, 40)):
            separador = "\t"
    try:
        tabla = tabular.leer_tabla(
            nombre,
            contenido,
            max_filas=tabular.MAX_FILAS_ASISTENCIA,
            max_bytes=max_bytes,
            separador=separador,
        )
    except ArchivoInvalido as error:
        if isinstance(error, tabular.LimiteExcedido) or "vacío" in error.mensaje:
            raise
        raise _formato_desconocido() from error
    inicio, posiciones = None, None
    for indice, (_numero, celdas) in enumerate(tabla):
        encontradas = _es_encabezado(celdas)
        if encontradas is not None and "reunion" not in encontradas:
            inicio, posiciones = indice, encontradas
            break
    if inicio is None or posiciones is None:
        raise _formato_desconocido()
    formato = _detectar_formato(tabla, tabla[inicio][1])

    por_correo: dict[str, PersonaReporte] = {}
    sin_correo: list[FilaSinCorreo] = []
    for numero, celdas in tabla[inicio + 1 :]:
        if not any(celdas):
            if formato == TEAMS:
                break  # the participants section ends; activities repeat the same joins
            continue
        if len(celdas) == 1 and normalizar(celdas[0]) in _SECCIONES_TEAMS:
            break
        if _es_encabezado(celdas) is not None:
            break

        def celda(clave: str, celdas: list[str] = celdas) -> str:
            i = posiciones.get(clave)
            return celdas[i] if i is not None and i < len(celdas) else ""

        nombre_persona = " ".join(
            p for p in (celda("nombre") or celda("nombre_pila"), celda("apellido")) if p
        )
        minutos = minutos_de(celda("duracion")) or 0
        correo = correo_normalizado(celda("correo"))
        valido = bool(correo)
        if valido:
            try:
                validate_email(correo)
            except ValidationError:
                valido = False
        if not valido:
            sin_correo.append(FilaSinCorreo(numero=numero, nombre=nombre_persona, minutos=minutos))
            continue
        persona = por_correo.get(correo)
        if persona is None:
            por_correo[correo] = PersonaReporte(
                correo=correo, nombre=nombre_persona, minutos=minutos, lineas=[numero]
            )
        else:
            persona.minutos += minutos
            persona.lineas.append(numero)
            persona.nombre = persona.nombre or nombre_persona
    if not por_correo and not sin_correo:
        raise ArchivoInvalido(_("El reporte no tiene participantes."))
    return ReporteAsistencia(
        formato=formato, personas=list(por_correo.values()), sin_correo=sin_correo
    )


PRESENTE = "presente"
YA_REGISTRADA = "ya_registrada"
INSUFICIENTE = "insuficiente"
SIN_COINCIDENCIA = "sin_coincidencia"


@dataclass
class FilaAsistencia:
    correo: str
    nombre: str
    minutos: int
    estado: str
    usuario_id: int | None = None
    lineas: list[int] = field(default_factory=list)


def revisar_asistencia(
    reporte: ReporteAsistencia,
    *,
    inscritas: dict[str, int],
    registradas: set[int],
    minimos_minutos: int,
) -> list[FilaAsistencia]:
    """Each person of the report as present, below the minimum, already recorded or unmatched.

    `inscritas` maps lower-case emails of the active enrolments to user ids;
    `registradas` holds the user ids whose attendance is already recorded.
    """
    filas = []
    for persona in reporte.personas:
        usuario_id = inscritas.get(persona.correo)
        if usuario_id is None:
            estado = SIN_COINCIDENCIA
        elif persona.minutos < minimos_minutos:
            estado = INSUFICIENTE
        elif usuario_id in registradas:
            estado = YA_REGISTRADA
        else:
            estado = PRESENTE
        filas.append(
            FilaAsistencia(
                correo=persona.correo,
                nombre=persona.nombre,
                minutos=persona.minutos,
                estado=estado,
                usuario_id=usuario_id,
                lineas=persona.lineas,
            )
        )
    for sin in reporte.sin_correo:
        filas.append(
            FilaAsistencia(
                correo="",
                nombre=sin.nombre,
                minutos=sin.minutos,
                estado=SIN_COINCIDENCIA,
                lineas=[sin.numero],
            )
        )
    return filas


def inscritas_de_sesion(sesion: SesionEnVivo, usuario: Any) -> tuple[dict[str, int], set[int]]:
    """Lower-case emails → user ids of the active enrolments `usuario` may see, and who
    of them is already recorded as present."""
    from cursos import selectors
    from cursos.models import Asistencia, Inscripcion

    inscritas = dict(
        selectors.inscripciones_visibles(usuario, sesion.edicion)
        .filter(estado=Inscripcion.Estado.ACTIVA)
        .annotate(correo_min=Lower("usuario__email"))
        .values_list("correo_min", "usuario_id")
    )
    registradas = set(Asistencia.objects.filter(sesion=sesion).values_list("usuario_id", flat=True))
    return inscritas, registradas
