"""What each column of an enrolment list holds, however its header is written.

Mexican offices head their lists "Nombre(s)", "Apellido paterno", "Primer
apellido", "Correo electrónico", "E-mail", "CURP", "Cargo o puesto", "Sujeto
obligado", "Dependencia", "Entidad federativa", "Estado"..., in any case, with
or without accents, stars or notes. `reconocer` maps a header to one of the
`CAMPOS`, to `IGNORAR` (row numbers, the reason column of our own rejected-rows
file) or to None when it does not know it; the coordinator then says what the
column is, and `errores_asignacion` checks that choice. Nothing here touches
the database.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.tabular import normalizar

CORREO = "correo"
NOMBRE = "nombre"
PRIMER_APELLIDO = "primer_apellido"
SEGUNDO_APELLIDO = "segundo_apellido"
APELLIDOS = "apellidos"
CURP = "curp"
CARGO = "cargo"
ORGANIZACION = "organizacion"
ORGANIZACION_ID = "organizacion_id"
ENTIDAD = "entidad"
IGNORAR = "ignorar"

# The fields a column can hold, in the order the mapping form offers them.
CAMPOS = {
    CORREO: gettext_lazy("Correo electrónico"),
    NOMBRE: gettext_lazy("Nombre(s)"),
    PRIMER_APELLIDO: gettext_lazy("Primer apellido (paterno)"),
    SEGUNDO_APELLIDO: gettext_lazy("Segundo apellido (materno)"),
    APELLIDOS: gettext_lazy("Apellidos (los dos juntos)"),
    CURP: gettext_lazy("CURP"),
    CARGO: gettext_lazy("Cargo o puesto"),
    ORGANIZACION: gettext_lazy("Sujeto obligado o institución (nombre o siglas)"),
    ORGANIZACION_ID: gettext_lazy("Clave de la organización en la plataforma"),
    ENTIDAD: gettext_lazy("Entidad federativa"),
}
OPCIONES = {**CAMPOS, IGNORAR: gettext_lazy("No usar esta columna")}

# The header of the reason column in the rejected-rows file; recognised (and not
# used) when that file comes back corrected, so it can be uploaded as it is.
ENCABEZADO_MOTIVO = gettext_lazy("Motivo del rechazo")

# Words in headers that say nothing about the content: articles and notes such as
# "(obligatorio)" or the "s" of "Nombre(s)".
_RELLENO = frozenset(
    [
        "de",
        "del",
        "la",
        "el",
        "los",
        "las",
        "lo",
        "o",
        "y",
        "e",
        "a",
        "al",
        "su",
        "sus",
        "s",
        "obligatorio",
        "obligatoria",
        "opcional",
        "requerido",
        "requerida",
        "campo",
        "dato",
    ]
)

_VARIANTES: dict[str, tuple[str, ...]] = {
    CORREO: (
        "correo",
        "correo electronico",
        "correo institucional",
        "correo electronico institucional",
        "correo electronico oficial",
        "correo oficial",
        "correo e",
        "direccion correo",
        "direccion correo electronico",
        "cuenta correo",
        "email",
        "e mail",
        "mail",
        "email institucional",
        "e mail institucional",
    ),
    NOMBRE: ("nombre", "nombres", "nombre pila", "nombre participante", "nombre persona"),
    PRIMER_APELLIDO: (
        "primer apellido",
        "1er apellido",
        "apellido 1",
        "apellido1",
        "apellido paterno",
        "ap paterno",
        "a paterno",
        "apellido pat",
        "ap pat",
        "paterno",
    ),
    SEGUNDO_APELLIDO: (
        "segundo apellido",
        "2do apellido",
        "2o apellido",
        "apellido 2",
        "apellido2",
        "apellido materno",
        "ap materno",
        "a materno",
        "apellido mat",
        "ap mat",
        "materno",
    ),
    APELLIDOS: ("apellidos", "apellido"),
    CURP: ("curp", "c u r p", "clave unica registro poblacion"),
    CARGO: (
        "cargo",
        "puesto",
        "cargo puesto",
        "puesto cargo",
        "cargo actual",
        "puesto actual",
        "nombramiento",
        "cargo funcion",
    ),
    ORGANIZACION: (
        "sujeto obligado",
        "nombre sujeto obligado",
        "sujeto obligado adscripcion",
        "dependencia",
        "dependencia institucion",
        "dependencia entidad",
        "dependencia organismo",
        "institucion",
        "institucion adscripcion",
        "adscripcion",
        "organismo",
        "organizacion",
        "ente publico",
        "ente",
        "organo garante",
        "instancia",
    ),
    ORGANIZACION_ID: (
        "organizacion id",
        "id organizacion",
        "clave organizacion",
        "id sujeto obligado",
        "clave sujeto obligado",
    ),
    ENTIDAD: (
        "entidad",
        "entidad federativa",
        "estado",
        "edo",
        "estado republica",
        "entidad federativa adscripcion",
    ),
    IGNORAR: ("no", "num", "numero", "n", "consecutivo", "fila", "motivo", "motivo rechazo"),
}


def clave_encabezado(texto: object) -> str:
    """A header as comparable words: `Nombre(s)*` → `nombre`, `E-mail` → `e mail`."""
    palabras = re.sub(r"[^0-9a-z]+", " ", normalizar(texto)).split()
    return " ".join(p for p in palabras if p not in _RELLENO)


_INDICE = {clave_encabezado(v): campo for campo, variantes in _VARIANTES.items() for v in variantes}


def reconocer(texto: object) -> str | None:
    """The field a header names, `IGNORAR` for known columns that hold none, or None."""
    return _INDICE.get(clave_encabezado(texto))


def sugerir(encabezados: Sequence[str]) -> list[str | None]:
    return [reconocer(e) for e in encabezados]


def huella(encabezados: Sequence[str]) -> str:
    """The layout of a list: the same headers in the same order give the same value."""
    texto = "\x1f".join(clave_encabezado(e) or f"#{i}" for i, e in enumerate(encabezados))
    return hashlib.sha256(texto.encode()).hexdigest()


def nombre_columna(encabezados: Sequence[str], indice: int) -> str:
    """How the preview names a column: its header, or its Excel letter when it has none."""
    texto = " ".join(str(encabezados[indice]).split()) if indice < len(encabezados) else ""
    return texto or _("columna %(letra)s sin título") % {"letra": letra_columna(indice)}


def letra_columna(indice: int) -> str:
    letras = ""
    numero = indice + 1
    while numero:
        numero, resto = divmod(numero - 1, 26)
        letras = chr(65 + resto) + letras
    return letras


def errores_asignacion(encabezados: Sequence[str], asignacion: Sequence[str | None]) -> list[str]:
    """What is wrong with saying column i holds `asignacion[i]`, in Spanish; [] if nothing."""
    errores = []
    sin_decidir = [nombre_columna(encabezados, i) for i, a in enumerate(asignacion) if a is None]
    if sin_decidir:
        errores.append(
            _("Indique qué contiene cada columna; falta: %(columnas)s.")
            % {"columnas": ", ".join(f"«{c}»" for c in sin_decidir)}
        )
    for campo, etiqueta in CAMPOS.items():
        columnas = [nombre_columna(encabezados, i) for i, a in enumerate(asignacion) if a == campo]
        if len(columnas) > 1:
            errores.append(
                _(
                    "«%(campo)s» está asignado a más de una columna (%(columnas)s); "
                    "cada dato va en una sola columna."
                )
                % {"campo": etiqueta, "columnas": ", ".join(f"«{c}»" for c in columnas)}
            )
    if CORREO not in asignacion:
        errores.append(
            _("Indique qué columna tiene el correo electrónico: es el único dato obligatorio.")
        )
    if APELLIDOS in asignacion and (
        PRIMER_APELLIDO in asignacion or SEGUNDO_APELLIDO in asignacion
    ):
        errores.append(
            _(
                "Use una columna de «Apellidos» o las de primer y segundo apellido, "
                "no las dos formas a la vez."
            )
        )
    elif SEGUNDO_APELLIDO in asignacion and PRIMER_APELLIDO not in asignacion:
        errores.append(
            _("Hay una columna de segundo apellido pero ninguna de primer apellido; indíquela.")
        )
    return errores
