"""Aiken (Moodle's simplest format): single-choice questions with lettered options.

¿Qué ley regula la transparencia?
A. La Ley General de Transparencia
B) El Código Civil
ANSWER: A
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from evaluaciones.importers import (
    ErrorImportacion,
    OpcionImportada,
    PreguntaImportada,
    ResultadoImportacion,
    texto_a_html,
    texto_del_archivo,
)
from evaluaciones.scoring import TipoPregunta

MAX_PREGUNTAS = 1000
_OPCION = re.compile(r"^([A-Za-z])[.)]\s+(.*)$")
_RESPUESTA = re.compile(r"^ANSWER\s*:\s*([A-Za-z])\s*$", re.IGNORECASE)


class _ErrorPregunta(ValueError):
    pass


def _interpretar(numero: int, lineas: list[str]) -> PreguntaImportada:
    enunciado: list[str] = []
    opciones: list[tuple[str, str]] = []
    respuesta = None
    for linea in lineas:
        if respuesta is not None:
            raise _ErrorPregunta(_("Hay texto después de la línea ANSWER."))
        coincide_respuesta = _RESPUESTA.match(linea)
        if coincide_respuesta:
            respuesta = coincide_respuesta.group(1).upper()
            continue
        coincide_opcion = _OPCION.match(linea)
        if coincide_opcion and (opciones or enunciado):
            opciones.append((coincide_opcion.group(1).upper(), coincide_opcion.group(2).strip()))
            continue
        if opciones:
            raise _ErrorPregunta(
                _("Cada opción debe empezar con una letra y un punto o paréntesis: «A. texto».")
            )
        enunciado.append(linea)
    if not enunciado:
        raise _ErrorPregunta(_("La pregunta no tiene enunciado."))
    if len(opciones) < 2:
        raise _ErrorPregunta(_("Se necesitan al menos dos opciones."))
    letras = [letra for letra, _t in opciones]
    if len(set(letras)) != len(letras):
        raise _ErrorPregunta(_("Hay letras de opción repetidas."))
    if respuesta is None:
        raise _ErrorPregunta(_("Falta la línea «ANSWER: letra»."))
    if respuesta not in letras:
        raise _ErrorPregunta(
            _("La respuesta «%(letra)s» no corresponde a ninguna opción.") % {"letra": respuesta}
        )
    if any(not texto for _l, texto in opciones):
        raise _ErrorPregunta(_("Hay una opción vacía."))
    texto = "\n".join(enunciado)
    return PreguntaImportada(
        numero=numero,
        titulo=texto[:255],
        tipo=TipoPregunta.OPCION_UNICA,
        enunciado=texto_a_html(texto),
        opciones=tuple(
            OpcionImportada(texto=t, correcta=letra == respuesta) for letra, t in opciones
        ),
    )


def interpretar_aiken(texto: str) -> ResultadoImportacion:
    """Parse an Aiken file; a question ends at its ANSWER line (blank lines are optional)."""
    preguntas: list[PreguntaImportada] = []
    errores: list[ErrorImportacion] = []
    actual: list[str] = []
    inicio = 0
    numero = 0

    def cerrar(linea_fin: int) -> bool:
        nonlocal numero, actual
        if not actual:
            return True
        numero += 1
        if numero > MAX_PREGUNTAS:
            errores.append(
                ErrorImportacion(
                    numero,
                    inicio,
                    actual[0][:80],
                    _("Se importan como máximo %(max)d preguntas por archivo.")
                    % {"max": MAX_PREGUNTAS},
                )
            )
            return False
        try:
            preguntas.append(_interpretar(numero, actual))
        except _ErrorPregunta as error:
            errores.append(ErrorImportacion(numero, inicio, actual[0][:80], str(error)))
        actual = []
        return True

    for numero_linea, cruda in enumerate(texto_del_archivo(texto).splitlines(), start=1):
        linea = cruda.strip()
        if not linea:
            if actual and not cerrar(numero_linea):
                break
            continue
        if not actual:
            inicio = numero_linea
        actual.append(linea)
        if _RESPUESTA.match(linea) and not cerrar(numero_linea):
            break
    else:
        cerrar(0)
    return ResultadoImportacion(tuple(preguntas), tuple(errores))
