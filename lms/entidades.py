"""Recognising a federal entity however a spreadsheet writes it.

"Jalísco", "JAL", "Jal.", "Edo. de México", "CDMX", "Ciudad de Mexico", "14": one
`IndiceEntidades` answers for all of them, ignoring case, accents, punctuation and
spacing, then by close spelling (rapidfuzz) for typos of full names. The
variants are data about how people write, kept here once; every importer asks
this index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from lms.tabular import normalizar

# Other spellings people write for each entity, by INEGI code, beyond the official
# name, its abbreviation and RENAPO's two letters (which the index adds itself).
VARIANTES: dict[str, tuple[str, ...]] = {
    "01": ("Ags.", "Aguas Calientes"),
    "02": ("B.C.", "Baja California Norte", "B. C."),
    "03": ("B.C.S.", "B. C. S."),
    "04": ("Camp.",),
    "05": ("Coahuila", "Coah."),
    "06": ("Col.",),
    "07": ("Chis.",),
    "08": ("Chih.",),
    "09": (
        "CDMX",
        "CD MX",
        "Cd. de México",
        "Cd. México",
        "Cd. Mx.",
        "Ciudad de Mexico",
        "Distrito Federal",
        "D.F.",
        "DF",
        "México, D.F.",
    ),
    "10": ("Dgo.",),
    "11": ("Gto.",),
    "12": ("Gro.",),
    "13": ("Hgo.",),
    "14": ("Jal.",),
    "15": (
        "Estado de México",
        "Edo. de México",
        "Edo. Méx.",
        "Edo Mex",
        "Edomex",
        "Méx.",
        "Edo. Mex.",
    ),
    "16": ("Michoacán", "Mich."),
    "17": ("Mor.",),
    "18": ("Nay.",),
    "19": ("N.L.", "Nvo. León", "Nuevo Leon"),
    "20": ("Oax.",),
    "21": ("Pue.",),
    "22": ("Querétaro de Arteaga", "Qro.", "Queretaro"),
    "23": ("Q. Roo", "Q.R.", "Q Roo"),
    "24": ("S.L.P.", "San Luis"),
    "25": ("Sin.",),
    "26": ("Son.",),
    "27": ("Tab.",),
    "28": ("Tamps.", "Tamp."),
    "29": ("Tlax.",),
    "30": ("Veracruz", "Ver.", "Veracruz Llave"),
    "31": ("Yuc.",),
    "32": ("Zac.",),
}
# The two letters of the state of birth in a CURP (RENAPO), by INEGI code.
CLAVES_RENAPO = {
    "01": "AS", "02": "BC", "03": "BS", "04": "CC", "05": "CL", "06": "CM", "07": "CS",
    "08": "CH", "09": "DF", "10": "DG", "11": "GT", "12": "GR", "13": "HG", "14": "JC",
    "15": "MC", "16": "MN", "17": "MS", "18": "NT", "19": "NL", "20": "OC", "21": "PL",
    "22": "QT", "23": "QR", "24": "SP", "25": "SL", "26": "SR", "27": "TC", "28": "TS",
    "29": "TL", "30": "VZ", "31": "YN", "32": "ZS",
}  # fmt: skip
# Words written before a state's name that do not change which state it is.
_PREFIJOS = re.compile(
    r"^(?:estado libre y soberano de|gobierno del estado de|estado de|edo de|edo|estado)\s+"
)
# Below this similarity (0-100) a spelling is not taken for a state's name.
UMBRAL_PARECIDO = 85


def clave_texto(texto: object) -> str:
    """Text as a lookup key: no case, accents, punctuation or spaces (`Edo. Méx.` → `edomex`)."""
    return re.sub(r"[^0-9a-z]", "", normalizar(texto))


def _palabras(texto: object) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", normalizar(texto)).split())


@dataclass(frozen=True)
class EntidadRef:
    id: int
    clave_inegi: str
    nombre: str
    abreviatura: str


class IndiceEntidades:
    """Every way of writing each entity, mapped to it."""

    def __init__(self, entidades: Iterable[EntidadRef]) -> None:
        self.entidades = list(entidades)
        self._exactas: dict[str, EntidadRef] = {}
        self._nombres: dict[str, EntidadRef] = {}
        for entidad in self.entidades:
            clave = entidad.clave_inegi
            textos = {
                clave,
                str(int(clave)),
                entidad.nombre,
                entidad.abreviatura,
                CLAVES_RENAPO.get(clave, ""),
                *VARIANTES.get(clave, ()),
            } - {""}
            for texto in textos:
                self._exactas[clave_texto(texto)] = entidad
            for texto in (entidad.nombre, *VARIANTES.get(clave, ())):
                if len(clave_texto(texto)) >= 5:
                    self._nombres[_palabras(texto)] = entidad

    @classmethod
    def desde_base(cls) -> IndiceEntidades:
        from lms.models import EntidadFederativa

        return cls(
            EntidadRef(id=pk, clave_inegi=clave, nombre=nombre, abreviatura=abreviatura)
            for pk, clave, nombre, abreviatura in EntidadFederativa.objects.values_list(
                "pk", "clave_inegi", "nombre", "abreviatura"
            )
        )

    def buscar(self, texto: object) -> EntidadRef | None:
        """The entity `texto` names, or None when it names none (or could be several)."""
        exacta = self._exactas.get(clave_texto(texto))
        if exacta is not None:
            return exacta
        palabras = _palabras(texto)
        sin_prefijo = _PREFIJOS.sub("", palabras)
        if sin_prefijo != palabras:
            exacta = self._exactas.get(clave_texto(sin_prefijo))
            if exacta is not None:
                return exacta
        if len(clave_texto(sin_prefijo)) < 5:
            return None
        parecidas = process.extract(
            sin_prefijo,
            list(self._nombres),
            scorer=fuzz.ratio,
            limit=2,
            score_cutoff=UMBRAL_PARECIDO,
        )
        if not parecidas:
            return None
        mejor = self._nombres[parecidas[0][0]]
        segunda = self._nombres[parecidas[1][0]] if len(parecidas) > 1 else mejor
        if segunda != mejor and parecidas[1][1] >= parecidas[0][1] - 3:
            return None  # two states spelled alike: better to ask than to guess
        return mejor
