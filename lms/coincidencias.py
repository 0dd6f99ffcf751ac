"""Finding an institution in the catalogue from the name a person wrote.

First exactly, ignoring case, accents, punctuation, articles and the usual
abbreviations ("H. Ayto." is "Honorable Ayuntamiento"), against names and
acronyms; then, for the names that still match nothing, by similarity with
rapidfuzz, to suggest the closest ones for a person to choose. A suggestion
is never applied on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from rapidfuzz import fuzz, process, utils

from lms.tabular import normalizar

ARTICULOS = frozenset(
    [
        "el",
        "la",
        "los",
        "las",
        "lo",
        "de",
        "del",
        "y",
        "e",
        "en",
        "a",
        "al",
        "para",
        "por",
        "con",
        "un",
        "una",
    ]
)
ABREVIATURAS = {
    "h": "honorable",
    "hon": "honorable",
    "ayto": "ayuntamiento",
    "ayunt": "ayuntamiento",
    "mpio": "municipio",
    "mpal": "municipal",
    "edo": "estado",
    "gob": "gobierno",
    "sria": "secretaria",
    "srio": "secretaria",
    "secr": "secretaria",
    "inst": "instituto",
    "univ": "universidad",
    "dir": "direccion",
    "depto": "departamento",
    "gral": "general",
    "nal": "nacional",
    "fed": "federal",
    "pub": "publica",
    "cd": "ciudad",
}
# Courtesy titles some write and others do not ("H. Ayuntamiento", "Honorable Congreso").
TRATAMIENTOS = frozenset({"honorable"})
# Suggestions below this similarity (0-100) are not worth showing.
UMBRAL_SUGERENCIA = 60
MAX_SUGERENCIAS = 5


class ConNombre(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def nombre(self) -> str: ...

    @property
    def siglas(self) -> str: ...

    @property
    def entidad_id(self) -> int | None: ...


def clave_nombre(texto: object) -> str:
    """`H. Ayto. de San Pedro Tlaquepaque` → `ayuntamiento san pedro tlaquepaque`."""
    palabras = (
        ABREVIATURAS.get(p, p) for p in re.sub(r"[^0-9a-z]+", " ", normalizar(texto)).split()
    )
    return " ".join(p for p in palabras if p not in ARTICULOS and p not in TRATAMIENTOS)


def clave_siglas(texto: object) -> str:
    """`I.T.E.I.` → `itei`."""
    return re.sub(r"[^0-9a-z]", "", normalizar(texto))


@dataclass(frozen=True)
class Sugerencia:
    organizacion: ConNombre
    parecido: int


OrgT = TypeVar("OrgT", bound=ConNombre)


class IndiceOrganizaciones(Generic[OrgT]):
    """The catalogue's names and acronyms, for exact lookups and suggestions."""

    def __init__(self, organizaciones: Iterable[OrgT]) -> None:
        self.organizaciones = list(organizaciones)
        self._exactas: dict[str, list[OrgT]] = {}
        for org in self.organizaciones:
            claves = {clave_nombre(org.nombre)}
            if org.siglas:
                claves |= {clave_siglas(org.siglas), clave_nombre(org.siglas)}
            for clave in claves - {""}:
                self._exactas.setdefault(clave, []).append(org)

    def exactas(self, texto: object) -> list[OrgT]:
        """Organizations whose name or acronym is `texto`, written any way."""
        encontradas: dict[int, OrgT] = {}
        for clave in (clave_nombre(texto), clave_siglas(texto)):
            for org in self._exactas.get(clave, ()) if clave else ():
                encontradas[org.id] = org
        return list(encontradas.values())

    def sugerencias(
        self, texto: object, entre: Sequence[ConNombre], *, limite: int = MAX_SUGERENCIAS
    ) -> list[Sugerencia]:
        """The organizations of `entre` whose name is closest to `texto`, best first."""
        buscado = clave_nombre(texto)
        if not buscado or not entre:
            return []
        opciones = {i: clave_nombre(o.nombre) for i, o in enumerate(entre)}
        resultados = process.extract(
            buscado,
            opciones,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            limit=limite,
            score_cutoff=UMBRAL_SUGERENCIA,
        )
        return [Sugerencia(entre[i], round(puntos)) for _texto, puntos, i in resultados]
