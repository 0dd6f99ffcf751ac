"""Factories for the course page tree, editions and their facts."""

import datetime

import factory

from django.utils import timezone

from cursos.models import (
    CursoPage,
    Edicion,
    FasePage,
    HomePage,
    Inscripcion,
    LeccionPage,
    ProgramaPage,
    SesionEnVivo,
)
from tests.factories.personas import UsuarioFactory


class _PaginaFactory(factory.django.DjangoModelFactory):
    """Pages are created as children of `parent` through the tree API."""

    class Meta:
        abstract = True

    title = factory.Sequence(lambda n: f"Página {n}")
    live = True

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        pagina = model_class(*args, **kwargs)
        parent.add_child(instance=pagina)
        return pagina


class ProgramaPageFactory(_PaginaFactory):
    class Meta:
        model = ProgramaPage

    title = factory.Sequence(lambda n: f"Programa {n}")
    parent = factory.LazyFunction(lambda: HomePage.objects.get())


class CursoPageFactory(_PaginaFactory):
    class Meta:
        model = CursoPage

    title = factory.Sequence(lambda n: f"Curso de transparencia {n}")
    resumen = "Curso de prueba."
    parent = factory.SubFactory(ProgramaPageFactory)


class FasePageFactory(_PaginaFactory):
    class Meta:
        model = FasePage

    title = factory.Sequence(lambda n: f"Fase {n}")
    tipo = FasePage.Tipo.TEORICA
    horas = 4
    parent = factory.SubFactory(CursoPageFactory)


class LeccionPageFactory(_PaginaFactory):
    class Meta:
        model = LeccionPage

    title = factory.Sequence(lambda n: f"Lección {n}")
    obligatoria = True
    cuerpo = factory.LazyFunction(
        lambda: [
            ("encabezado", {"texto": "Qué es la transparencia proactiva", "nivel": "h2"}),
            ("texto", "<p>Publicar información útil sin que nadie la pida.</p>"),
        ]
    )
    parent = factory.SubFactory(FasePageFactory)


class EdicionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edicion
        skip_postgeneration_save = True

    curso = factory.SubFactory(CursoPageFactory)
    nombre = factory.Sequence(lambda n: f"Grupo {n}")
    inscripcion_abre = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7))
    inscripcion_cierra = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    fecha_inicio = factory.LazyFunction(lambda: timezone.localdate())
    fecha_fin = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    cupo = None
    autoinscripcion = True


class InscripcionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inscripcion

    edicion = factory.SubFactory(EdicionFactory)
    usuario = factory.SubFactory(UsuarioFactory)


class SesionEnVivoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SesionEnVivo

    edicion = factory.SubFactory(EdicionFactory)
    fase = factory.SubFactory(FasePageFactory, parent=factory.SelfAttribute("..edicion.curso"))
    titulo = factory.Sequence(lambda n: f"Sesión {n}")
    inicio = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=2))
    duracion_minutos = 90
    enlace = "https://reuniones.ejemplo.gob.mx/sala/123"
    codigo_asistencia = "ABC234"
