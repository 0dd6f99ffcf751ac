"""CURP validation: format, state code and check digit, with python-stdnum."""

import re

from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.mx import curp as stdnum_curp

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


def digito_verificador_curp(curp17: str) -> int:
    """The check digit RENAPO computes over the first 17 characters (python-stdnum's)."""
    return int(stdnum_curp.calc_check_digit(curp17[:17].upper()))


def normalizar_curp(valor: str) -> str:
    return (valor or "").strip().upper()


def validar_curp(valor: str) -> None:
    """A CURP as RENAPO issues it, or `ValidationError` with a Spanish message.

    python-stdnum checks length, birth date, sex, state of birth, the words RENAPO
    never issues and the check digit; the structure rule above adds what it leaves
    out (vowel positions, internal consonants). Mexico City's newer state code CX is
    checked as DF (the check digit on the CURP as written), which python-stdnum still lists alone.
    """
    curp = normalizar_curp(valor)
    formato = ValidationError(
        _("La CURP no tiene un formato válido: son 18 caracteres, como PEGJ850101HDFRNN08."),
        code="curp_formato",
    )
    if not CURP_RE.match(curp):
        raise formato
    comparable = f"{curp[:11]}DF{curp[13:]}" if curp[11:13] == "CX" else curp
    try:
        stdnum_curp.validate(comparable, validate_check_digits=False)
    except StdnumValidationError as error:
        raise formato from error
    if curp[-1] != stdnum_curp.calc_check_digit(curp):
        raise ValidationError(
            _("El dígito verificador de la CURP no corresponde; revise que esté bien escrita."),
            code="curp_digito",
        )
