import factory

from evaluaciones.models import (
    CategoriaPregunta,
    Evaluacion,
    OpcionPregunta,
    Pregunta,
    SeccionEvaluacion,
)


class CategoriaPreguntaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CategoriaPregunta

    nombre = factory.Sequence(lambda n: f"Categoría {n}")


class PreguntaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pregunta

    titulo = factory.Sequence(lambda n: f"Pregunta {n}")
    tipo = Pregunta.Tipo.OPCION_UNICA
    categoria = factory.SubFactory(CategoriaPreguntaFactory)
    enunciado = factory.Sequence(lambda n: f"<p>¿Enunciado número {n}?</p>")


class OpcionPreguntaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpcionPregunta

    pregunta = factory.SubFactory(PreguntaFactory)
    texto = factory.Sequence(lambda n: f"Opción {n}")
    sort_order = factory.Sequence(lambda n: n)


class EvaluacionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evaluacion

    titulo = factory.Sequence(lambda n: f"Evaluación {n}")
    publicada = True
    intentos_permitidos = 2


class SeccionEvaluacionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SeccionEvaluacion

    evaluacion = factory.SubFactory(EvaluacionFactory)
    sort_order = factory.Sequence(lambda n: n)


def pregunta_con_opciones(tipo=Pregunta.Tipo.OPCION_UNICA, correctas=(False, True, False), **kw):
    """A choice question whose options are marked right per `correctas`."""
    pregunta = PreguntaFactory(tipo=tipo, **kw)
    for i, correcta in enumerate(correctas):
        OpcionPreguntaFactory(
            pregunta=pregunta,
            texto=f"Opción {i} de {pregunta.titulo}",
            correcta=correcta,
            retroalimentacion=f"Retro secreta {i} de {pregunta.pk}" if correcta else "",
            sort_order=i,
        )
    return pregunta


def evaluacion_con(*preguntas, **kw):
    """An evaluation whose fixed questions are `preguntas`, in order."""
    evaluacion = EvaluacionFactory(**kw)
    for i, pregunta in enumerate(preguntas):
        SeccionEvaluacionFactory(evaluacion=evaluacion, pregunta=pregunta, sort_order=i)
    return evaluacion
