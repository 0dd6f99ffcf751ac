"""Turn posted form fields into a stored answer, checked against the attempt's snapshot.

Field names: `p-<clave>` for one value (or several, for multiple response) and
`p-<clave>-<id>` for one select per premise (matching) or per item (ordering).
Anything that does not fit the snapshot is refused with a Spanish message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from evaluaciones.scoring import TipoPregunta, interpretar_numero

DatosFormulario = Mapping[str, Sequence[str]]
PREFIJO = "p-"
MAX_CORTA = 500
MAX_NUMERO = 50

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


def _uno(datos: DatosFormulario, nombre: str) -> str | None:
    valores = datos.get(nombre) or []
    if len(valores) > 1:
        raise RespuestaInvalida(_("Se recibió más de una respuesta para una pregunta de una sola."))
    return valores[0] if valores else None


def interpretar(item: Mapping[str, Any], datos: DatosFormulario) -> Any:
    """The JSON value to store for snapshot `item` from the posted fields.

    Returns None for an empty answer. Raises RespuestaInvalida when the data could
    not have come from this question's form (ids of other questions, bad sizes).
    """
    tipo = item["tipo"]
    clave = item["clave"]
    vista = item["vista"]
    campo = nombre_campo(clave)
    ids = [o["id"] for o in vista.get("opciones", [])]
    if tipo in (TipoPregunta.OPCION_UNICA, TipoPregunta.VERDADERO_FALSO):
        valor = _uno(datos, campo)
        if not valor:
            return None
        if valor not in ids:
            raise RespuestaInvalida(_("La opción elegida no pertenece a esta pregunta."))
        return valor
    if tipo == TipoPregunta.OPCION_MULTIPLE:
        elegidas = [v for v in datos.get(campo) or [] if v]
        if any(v not in ids for v in elegidas):
            raise RespuestaInvalida(_("Una de las opciones elegidas no pertenece a esta pregunta."))
        return sorted(set(elegidas)) or None
    if tipo == TipoPregunta.RESPUESTA_CORTA:
        texto = _uno(datos, campo) or ""
        if len(texto) > MAX_CORTA:
            raise RespuestaInvalida(
                _("La respuesta corta admite como máximo %(max)d caracteres.") % {"max": MAX_CORTA}
            )
        return texto.strip() or None
    if tipo == TipoPregunta.NUMERICA:
        texto = (_uno(datos, campo) or "").strip()
        if not texto:
            return None
        if len(texto) > MAX_NUMERO or interpretar_numero(texto) is None:
            raise RespuestaInvalida(_("Escriba un número, por ejemplo 12.5."))
        return texto
    if tipo == TipoPregunta.RELACIONAR:
        parejas = {p["id"] for p in vista.get("parejas", [])}
        elegidas_rel: dict[str, str] = {}
        for premisa in ids:
            valor = _uno(datos, nombre_campo(clave, premisa))
            if not valor:
                continue
            if valor not in parejas:
                raise RespuestaInvalida(
                    _("Una de las parejas elegidas no pertenece a esta pregunta.")
                )
            elegidas_rel[premisa] = valor
        _sin_campos_ajenos(datos, clave, ids)
        return elegidas_rel or None
    if tipo == TipoPregunta.ORDENAR:
        posiciones: dict[str, int] = {}
        for elemento in ids:
            valor = _uno(datos, nombre_campo(clave, elemento))
            if not valor:
                continue
            # ASCII digits only: "²" passes str.isdigit() and then breaks int().
            if not (valor.isascii() and valor.isdigit()) or not 1 <= int(valor) <= len(ids):
                raise RespuestaInvalida(
                    _("Cada posición debe ser un número del 1 al %(n)d.") % {"n": len(ids)}
                )
            posiciones[elemento] = int(valor)
        repetidas = sorted(
            {p for p in posiciones.values() if list(posiciones.values()).count(p) > 1}
        )
        if repetidas:
            raise RespuestaInvalida(
                _("La posición %(n)d está repetida: cada elemento va en un lugar distinto.")
                % {"n": repetidas[0]}
            )
        _sin_campos_ajenos(datos, clave, ids)
        return posiciones or None
    if tipo == TipoPregunta.ENSAYO:
        texto = _uno(datos, campo) or ""
        maximo = int(vista.get("longitud_maxima", 10000))
        if len(texto) > maximo:
            raise RespuestaInvalida(
                _("El ensayo admite como máximo %(max)d caracteres; el suyo tiene %(n)d.")
                % {"max": maximo, "n": len(texto)}
            )
        return texto if texto.strip() else None
    # A deliverable's value is its file, checked by revisar_archivo.
    return None


def _sin_campos_ajenos(datos: DatosFormulario, clave: str, ids: Sequence[str]) -> None:
    validos = {nombre_campo(clave, i) for i in ids}
    prefijo = nombre_campo(clave) + "-"
    if any(n.startswith(prefijo) and n not in validos for n in datos):
        raise RespuestaInvalida(_("La respuesta menciona elementos que no son de esta pregunta."))


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
