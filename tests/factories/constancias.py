import io

import factory
from PIL import Image as PILImage

from django.core.files.images import ImageFile

from wagtail.images import get_image_model

from constancias.models import (
    Alcance,
    EmisorPlantilla,
    FirmantePlantilla,
    PlantillaConstancia,
    ReglaConstancia,
    SerieFolio,
    Tipo,
)

NOMBRE_DIFICIL = (
    "José Ángel Ñúñez O'Higgins de la Peña Güemes y Muñoz Ibáñez y María d'Alessandro "
    "Villaseñor Castañeda Yáñez Zúñiga Acuña"
)
assert len(NOMBRE_DIFICIL) == 120


def archivo_imagen(nombre: str = "imagen.png", color=(120, 40, 90, 255), tamano=(300, 150)):
    salida = io.BytesIO()
    PILImage.new("RGBA", tamano, color).save(salida, "PNG")
    return ImageFile(salida, name=nombre)


class ImagenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_image_model()

    title = factory.Sequence(lambda n: f"Imagen {n}")
    file = factory.LazyFunction(archivo_imagen)


class PlantillaConstanciaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlantillaConstancia
        skip_postgeneration_save = True

    nombre = factory.Sequence(lambda n: f"Plantilla {n}")

    @factory.post_generation
    def con_partes(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        EmisorPlantilla.objects.create(plantilla=obj, nombre="Sistema Nacional de Transparencia")
        FirmantePlantilla.objects.create(
            plantilla=obj, nombre="Mtra. Ana Peña", cargo="Comisionada Presidenta"
        )


class SerieFolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SerieFolio
        django_get_or_create = ("prefijo", "anio")

    prefijo = "TP"
    anio = 2026


def diseno(**cambios):
    """A frozen design dict as the issuing service would store it in a snapshot."""
    base = {
        "tamano": "letter",
        "orientacion": "landscape",
        "fondo": None,
        "logos": [],
        "emisores": ["Instituto de Transparencia del Estado", "Sistema Nacional de Transparencia"],
        "titulo": "Constancia",
        "texto_previo": "otorga la presente constancia a",
        "cuerpo": (
            "por haber acreditado la {fase} del curso {curso}, con una duración de {horas} "
            "horas, impartido {periodo} en modalidad {modalidad}. Folio {folio}."
        ),
        "firmantes": [{"nombre": "Mtra. Ana Peña", "cargo": "Comisionada", "firma": None}],
        "reverso": False,
        "reverso_titulo": "Contenidos estudiados",
        "contenidos": ["Marco normativo", "Publicación de información útil"],
    }
    base.update(cambios)
    return base


def datos(**cambios):
    """The personal part of a constancia snapshot."""
    base = {
        "nombre": NOMBRE_DIFICIL,
        "curso": "Transparencia Proactiva",
        "fase": "fase teórica",
        "horas": 20,
        "fecha_inicio": "2026-03-03",
        "fecha_fin": "2026-11-27",
        "modalidad": "virtual",
        "lugar_emision": "Ciudad de México",
        "fecha_emision": "2026-11-27",
        "folio": "TP-2026-000123",
        "url_verificacion": "https://capacitacion.example.mx/constancias/verificar/"
        "q3Xv8T0pZkA1bC2dE3fG4h",
    }
    base.update(cambios)
    return base


class ReglaConstanciaFactory(factory.django.DjangoModelFactory):
    """A course-level acreditación rule; pass edicion to attach it to a given edition."""

    class Meta:
        model = ReglaConstancia

    edicion = factory.SubFactory("tests.factories.cursos.EdicionFactory")
    tipo = Tipo.ACREDITACION
    alcance = Alcance.CURSO
    fase = None
    plantilla = factory.SubFactory(PlantillaConstanciaFactory)
    automatica = True
    activa = True


def curso_completable(**edicion):
    """An edition whose course has one empty phase: every active enrolment completes it."""
    from tests.factories.cursos import EdicionFactory, FasePageFactory

    edicion_obj = EdicionFactory(**edicion)
    FasePageFactory(parent=edicion_obj.curso, title="Fase teórica", horas=20)
    return edicion_obj
