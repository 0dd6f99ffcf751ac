"""Turn posted form fields into a stored answer, checked against the attempt's snapshot.

Field names: `p-<clave>` for one value (or several, for multiple response) and
`p-<clave>-<id>` for one select per premise (matching) or per item (ordering).
Anything that does not fit the snapshot is refused with a Spanish message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils import numberformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluaciones.scoring import TipoPregunta, interpretar_numero

DatosFormulario = Mapping[str, Sequence[str]]
PREFIJO = "p-"
MAX_CORTA = 500
MAX_NUMERO = 50
NUMERO_ILEGIBLE = gettext_lazy(
    "No es un número que podamos leer: escriba, por ejemplo, 3145 o 3.5."
)

# What the first bytes of each accepted file type must look like.
FIRMAS: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "odp": (b"PK\x03\x04",),
    "zip": (b"PK\x03\x04",),
}


class RespuestaInvalida(ValueError):
    """A posted answer that does not fit its question; the message is for the participant."""

    def __init__(self, mensaje: str) -> None:
        super().__init__(mensaje)
        self.mensaje = mensaje


def nombre_campo(clave: str, sub: str | None = None) -> str:
    return f"{PREFIJO}{clave}" if sub is None else f"{PREFIJO}{clave}-{sub}"


def claves_enviadas(datos: DatosFormulario) -> set[str]:
    """The question keys that the posted field names refer to."""
    claves = set()
    for nombre in datos:
        if nombre.startswith(PREFIJO):
            claves.add(nombre[len(PREFIJO) :].split("-", 1)[0])
    return claves


def interpretar(item: Mapping[str, Any], datos: DatosFormulario) -> Any:
    """The JSON value to store for snapshot `item` from the posted fields.

    Returns None for an empty answer. Raises RespuestaInvalida when the data could
    not have come from this question's form (ids of other questions, bad sizes).
    Each type's module (`evaluaciones.tipos`) reads its own fields.
    """
    from evaluaciones import tipos

    return tipos.modulo(item["tipo"]).interpretar(item, datos)


def revisar_archivo(item: Mapping[str, Any], archivo: UploadedFile) -> None:
    """Refuse a deliverable of the wrong type or size, or whose content belies its extension."""
    vista = item["vista"]
    permitidas = list(vista.get("extensiones", []))
    nombre = archivo.name or ""
    extension = nombre.rsplit(".", 1)[-1].lower() if "." in nombre else ""
    if extension not in permitidas:
        raise RespuestaInvalida(
            _("Tipo de archivo no permitido. Se aceptan: %(tipos)s.")
            % {"tipos": ", ".join(permitidas)}
        )
    maximo = int(vista.get("max_bytes", 0))
    if archivo.size is None or archivo.size > maximo:
        raise RespuestaInvalida(
            _("El archivo pesa más de %(mb)d MB.") % {"mb": maximo // (1024 * 1024)}
        )
    if archivo.size == 0:
        raise RespuestaInvalida(_("El archivo está vacío."))
    archivo.seek(0)
    inicio = archivo.read(16)
    archivo.seek(0)
    firmas = FIRMAS.get(extension)
    if firmas is not None and not any(inicio.startswith(f) for f in firmas):
        raise RespuestaInvalida(
            _("El contenido del archivo no corresponde a un archivo .%(ext)s.") % {"ext": extension}
        )
    if firmas is None and b"\x00" in inicio:
        # Unknown-signature types (txt, csv) must at least be text.
        raise RespuestaInvalida(
            _("El contenido del archivo no corresponde a un archivo .%(ext)s.") % {"ext": extension}
        )


def texto_de_respuesta(item: Mapping[str, Any], valor: Any, archivo: str = "") -> str:
    """A stored answer as readable text: option texts instead of ids, a file by its name."""
    if archivo:
        return archivo
    if valor is None:
        return ""
    textos: dict[str, str] = {o["id"]: o["texto"] for o in item["vista"].get("opciones", [])}
    parejas: dict[str, str] = {p["id"]: p["texto"] for p in item["vista"].get("parejas", [])}
    if isinstance(valor, list):
        return " | ".join(textos.get(str(v), str(v)) for v in valor)
    if isinstance(valor, dict):
        if item["tipo"] == TipoPregunta.ORDENAR:
            orden = sorted(valor.items(), key=lambda par: str(par[1]))
            return " | ".join(textos.get(str(k), str(k)) for k, _pos in orden)
        return " | ".join(
            f"{textos.get(k, k)} → {parejas.get(str(v), str(v))}" for k, v in valor.items()
        )
    if item["tipo"] in (TipoPregunta.OPCION_UNICA, TipoPregunta.VERDADERO_FALSO):
        return textos.get(str(valor), str(valor))
    return str(valor)


@dataclass(frozen=True)
class LecturaNumero:
    """How a numeric answer is read, as the sentence shown next to it."""

    texto: str
    legible: bool


# Beyond these powers of ten a number is written as "mantissa × 10^exponent".
_EXPONENTE_VISIBLE = range(-9, 16)


def numero_mx(numero: Decimal, *, agrupar: bool = True) -> str:
    """`numero` as es-MX writes it: point for decimals, and a comma every three digits."""
    if numero == 0:
        numero = numero.copy_abs()
    elif numero.adjusted() not in _EXPONENTE_VISIBLE:
        # Digit by digit: arithmetic on such exponents can overflow Decimal's context.
        signo, digitos, _exp = numero.as_tuple()
        cifras = "".join(map(str, digitos)).rstrip("0")
        mantisa = cifras[0] + (f".{cifras[1:]}" if len(cifras) > 1 else "")
        return f"{'-' if signo else ''}{mantisa} × 10^{numero.adjusted()}"
    if agrupar:
        return numberformat.format(numero, ".", grouping=3, thousand_sep=",", force_grouping=True)
    return numberformat.format(numero, ".")


def lectura_numero(texto: str, *, enviada: bool = False) -> LecturaNumero:
    """The number `texto` stands for as scoring reads it (`interpretar_numero`), in words.

    The grouped form is followed by the bare digits when they differ ("3,145 → 3145"),
    so someone who meant a decimal comma sees that it was taken for thousands.
    `enviada` words it for the review of a submitted attempt.
    """
    numero = interpretar_numero(texto) if len(texto) <= MAX_NUMERO else None
    if numero is None:
        if enviada:
            return LecturaNumero(_("No se pudo leer como número."), legible=False)
        return LecturaNumero(str(NUMERO_ILEGIBLE), legible=False)
    agrupado = numero_mx(numero)
    cifras = numero_mx(numero, agrupar=False)
    leido = agrupado if agrupado == cifras else f"{agrupado} → {cifras}"
    if enviada:
        return LecturaNumero(_("Se leyó como: %(numero)s") % {"numero": leido}, legible=True)
    return LecturaNumero(_("Se leerá como: %(numero)s") % {"numero": leido}, legible=True)
