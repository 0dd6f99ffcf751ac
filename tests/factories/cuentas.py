"""Helpers for account tests: valid CURPs and sign-up data."""

from lms.validators import digito_verificador_curp

CONTRASENA = "una-contrasena-larga-7"


def curp_valida(prefijo: str = "PEGJ850101HDFRNN0") -> str:
    """A CURP with the right check digit for the 17-character `prefijo`."""
    return f"{prefijo}{digito_verificador_curp(prefijo)}"


def datos_registro(**cambios: str | None) -> dict[str, str]:
    """A complete, valid sign-up POST."""
    datos = {
        "first_name": "José Ángel",
        "last_name": "Ñúñez O'Higgins",
        "email": "jose.nunez@itei.org.mx",
        "password1": CONTRASENA,
        "password2": CONTRASENA,
        "acepta_aviso": "on",
    }
    datos.update(cambios)
    return {clave: valor for clave, valor in datos.items() if valor is not None}
