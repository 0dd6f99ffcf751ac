"""One module per question type, behind the protocol of `tipos.base.ModuloTipo`.

`REGISTRO` maps every `TipoPregunta` to its module; `modulo(tipo)` is the only way
the engine reaches type-specific behaviour, so a type without a module fails loudly
(`TipoSinModulo`) instead of falling through to another type's rules, and the system
check `evaluaciones.E001` stops the site from starting with a gap in the registry.

Adding a type: a module here with a `MODULO`, its widget template
`evaluaciones/tipos/<tipo>.html`, a value in `TipoPregunta` (and the model's choices).
"""

from __future__ import annotations

from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from evaluaciones import scoring
from evaluaciones.scoring import TipoPregunta
from evaluaciones.tipos import (
    ensayo,
    entregable,
    numerica,
    opcion_multiple,
    opcion_unica,
    ordenar,
    relacionar,
    respuesta_corta,
    verdadero_falso,
)
from evaluaciones.tipos.base import ModuloTipo

MODULOS: tuple[ModuloTipo, ...] = (
    opcion_unica.MODULO,
    opcion_multiple.MODULO,
    verdadero_falso.MODULO,
    respuesta_corta.MODULO,
    numerica.MODULO,
    relacionar.MODULO,
    ordenar.MODULO,
    ensayo.MODULO,
    entregable.MODULO,
)
REGISTRO: dict[TipoPregunta, ModuloTipo] = {m.tipo: m for m in MODULOS}


class TipoSinModulo(LookupError):
    """A question type the engine has no module for."""


def modulo(tipo: str) -> ModuloTipo:
    try:
        return REGISTRO[TipoPregunta(tipo)]
    except (KeyError, ValueError):
        raise TipoSinModulo(f"No hay módulo para el tipo de pregunta {tipo!r}") from None


def problemas_del_registro(
    registro: dict[TipoPregunta, ModuloTipo] | None = None,
) -> list[str]:
    """What is wrong with the registry: every type needs one module, template and rule."""
    registro = REGISTRO if registro is None else registro
    problemas = []
    for tipo in TipoPregunta:
        if tipo not in registro:
            problemas.append(f"El tipo {tipo.value!r} no tiene módulo en evaluaciones.tipos.")
    for tipo, mod in registro.items():
        if mod.tipo != tipo:
            problemas.append(f"El módulo registrado para {tipo.value!r} es de {mod.tipo.value!r}.")
        if mod.manual != (tipo in scoring.TIPOS_MANUALES):
            problemas.append(f"{tipo.value!r}: «manual» no coincide con scoring.TIPOS_MANUALES.")
        if not mod.tipo_moodle or type(mod).exportar_moodle is ModuloTipo.exportar_moodle:
            problemas.append(f"{tipo.value!r}: falta su correspondencia con Moodle XML.")
        try:
            get_template(mod.plantilla)
        except TemplateDoesNotExist:
            problemas.append(f"{tipo.value!r}: falta la plantilla {mod.plantilla}.")
    return problemas
