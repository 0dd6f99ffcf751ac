"""Demo content of constancias: a default template, rules and constancias for who completed."""

from __future__ import annotations

from django.db import transaction

from constancias import services
from constancias.models import (
    Alcance,
    EmisorPlantilla,
    FirmantePlantilla,
    PlantillaConstancia,
    ReglaConstancia,
    Tipo,
)
from cursos.models import Edicion, Inscripcion
from lms.models import Organizacion

NOMBRE_PLANTILLA = "Constancia nacional (predeterminada)"


@transaction.atomic
def plantilla_predeterminada() -> PlantillaConstancia:
    """The default template; the national body is linked as data so its current name prints."""
    plantilla = PlantillaConstancia.objects.filter(nombre=NOMBRE_PLANTILLA).first()
    if plantilla is not None:
        return plantilla
    plantilla = PlantillaConstancia(nombre=NOMBRE_PLANTILLA)
    nacional = Organizacion.objects.filter(
        clase=Organizacion.Clase.ORGANO_GARANTE, entidad__isnull=True
    ).first()
    if nacional is not None:
        plantilla.emisores.add(EmisorPlantilla(organizacion=nacional))
    else:
        plantilla.emisores.add(EmisorPlantilla(nombre="Sistema Nacional de Transparencia"))
    plantilla.firmantes.add(
        FirmantePlantilla(nombre="Mtra. Ana Peña Ibáñez", cargo="Comisionada Presidenta")
    )
    plantilla.firmantes.add(
        FirmantePlantilla(nombre="Lic. José Núñez Güemes", cargo="Secretario Ejecutivo")
    )
    plantilla.save()
    plantilla.save_revision().publish()
    return plantilla


def cargar() -> int:
    """Rules for every edition with enrolments and constancias for the eligible; idempotent."""
    plantilla = plantilla_predeterminada()
    emitidas = 0
    ediciones = Edicion.objects.filter(inscripciones__isnull=False).distinct()
    for edicion in ediciones:
        for tipo in (Tipo.ACREDITACION, Tipo.PARTICIPACION):
            regla, _creada = ReglaConstancia.objects.get_or_create(
                edicion=edicion,
                tipo=tipo,
                alcance=Alcance.CURSO,
                fase=None,
                defaults={"plantilla": plantilla},
            )
            ids = list(
                Inscripcion.objects.filter(
                    edicion=edicion, estado=Inscripcion.Estado.ACTIVA
                ).values_list("pk", flat=True)
            )
            emitidas += len(services.emitir_constancias(regla=regla, inscripcion_ids=ids).emitidas)
    return emitidas
