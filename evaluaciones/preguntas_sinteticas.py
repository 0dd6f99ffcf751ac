"""Synthetic single-choice questions for the benchmark and load commands."""

from __future__ import annotations

from evaluaciones.models import (
    CategoriaPregunta,
    Evaluacion,
    OpcionPregunta,
    Pregunta,
    SeccionEvaluacion,
)


def agregar_preguntas(
    evaluacion: Evaluacion, *, categoria: CategoriaPregunta, cantidad: int, prefijo: str
) -> tuple[dict[int, int], dict[int, int]]:
    """Add `cantidad` four-option questions to `evaluacion`, the first option right.

    Returns the right and one wrong option id per question id.
    """
    correctas: dict[int, int] = {}
    incorrectas: dict[int, int] = {}
    for i in range(cantidad):
        pregunta = Pregunta.objects.create(
            titulo=f"{prefijo}-{i}",
            tipo=Pregunta.Tipo.OPCION_UNICA,
            categoria=categoria,
            enunciado=f"<p>Pregunta {i} de la prueba de carga</p>",
        )
        opciones = OpcionPregunta.objects.bulk_create(
            [
                OpcionPregunta(
                    pregunta=pregunta, texto=f"Opción {j}", correcta=j == 0, sort_order=j
                )
                for j in range(4)
            ]
        )
        correctas[pregunta.pk] = opciones[0].pk
        incorrectas[pregunta.pk] = opciones[1].pk
        SeccionEvaluacion.objects.create(evaluacion=evaluacion, pregunta=pregunta, sort_order=i)
    return correctas, incorrectas
