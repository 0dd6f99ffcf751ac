"""CURP validation: format, state code and check digit (RENAPO's algorithm)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ENTIDADES_CURP = "|".join(
    [
        "AS",
        "BC",
        "BS",
        "CC",
        "CL",
        "CM",
        "CS",
        "CH",
        "DF",
        "CX",
        "DG",
        "GT",
        "GR",
        "HG",
        "JC",
        "MC",
        "MN",
        "MS",
        "NT",
        "NL",
        "OC",
        "PL",
        "QT",
        "QR",
        "SP",
        "SL",
        "SR",
        "TC",
        "TS",
        "TL",
        "VZ",
        "YN",
        "ZS",
        "NE",
    ]
)
CURP_RE = re.compile(
    r"^[A-Z][AEIOUX][A-Z]{2}\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])[HMX]"
    rf"({_ENTIDADES_CURP})[B-DF-HJ-NP-TV-Z]{{3}}[A-Z\d]\d$"
)
_ALFABETO = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"


def digito_verificador_curp(curp17: str) -> int:
    """The check digit RENAPO computes over the first 17 characters."""
    suma = sum(_ALFABETO.index(caracter) * (18 - i) for i, caracter in enumerate(curp17[:17]))
    return (10 - suma % 10) % 10


def normalizar_curp(valor: str) -> str:
    return (valor or "").strip().upper()


def validar_curp(valor: str) -> None:
    curp = normalizar_curp(valor)
    if not CURP_RE.match(curp):
        raise ValidationError(
            _("La CURP no tiene un formato válido: son 18 caracteres, como PEGJ850101HDFRNN08."),
            code="curp_formato",
        )
    if int(curp[17]) != digito_verificador_curp(curp):
        raise ValidationError(
            _("El dígito verificador de la CURP no corresponde; revise que esté bien escrita."),
            code="curp_digito",
        )
