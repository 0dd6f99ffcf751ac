"""Demo content of constancias: a default template, rules and constancias for who completed."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.images import ImageFile
from django.db import transaction

from wagtail.images import get_image_model

from constancias import demo_imagenes, services
from constancias.models import (
    Alcance,
    EmisorPlantilla,
    FirmantePlantilla,
    LogotipoPlantilla,
    PlantillaConstancia,
    ReglaConstancia,
    Tipo,
)
from cursos.models import Edicion, Inscripcion
from lms.models import Organizacion

NOMBRE_PLANTILLA = "Constancia nacional (predeterminada)"
PROGRAMA = "Capacitación en Transparencia Proactiva"


def _imagen(titulo: str, archivo: str, contenido: bytes) -> Any:
    """A Wagtail image in the root collection, as an administrator would upload it."""
    imagen = get_image_model()(title=titulo, file=ImageFile(io.BytesIO(contenido), name=archivo))
    imagen.save()
    return imagen


def _dos_lineas(texto: str) -> tuple[str, str]:
    """`texto` split at the space nearest its middle, for a two-line wordmark."""
    palabras = texto.split()
    if len(palabras) < 2:
        return texto, ""
    cortes = range(1, len(palabras))
    corte = min(
        cortes, key=lambda i: abs(len(" ".join(palabras[:i])) - len(" ".join(palabras[i:])))
    )
    return " ".join(palabras[:corte]), " ".join(palabras[corte:])


@transaction.atomic
def plantilla_predeterminada() -> PlantillaConstancia:
    """The default template; the national body is linked as data so its current name prints."""
    plantilla = PlantillaConstancia.objects.filter(nombre=NOMBRE_PLANTILLA).first()
    if plantilla is not None:
        return plantilla
    nacional = Organizacion.objects.filter(
        clase=Organizacion.Clase.ORGANO_GARANTE, entidad__isnull=True
    ).first()
    emisor = nacional.nombre if nacional is not None else "Sistema Nacional de Transparencia"
    # The artwork is demo data like the names: an administrator replaces it in the admin.
    plantilla = PlantillaConstancia(
        nombre=NOMBRE_PLANTILLA,
        sello=_imagen(
            f"Sello de {emisor} (demostración)",
            "sello-demo.png",
            demo_imagenes.sello(f"{emisor.upper()} · CAPACITACIÓN · ", ("SELLO", "OFICIAL")),
        ),
    )
    plantilla.logotipos.add(
        LogotipoPlantilla(
            imagen=_imagen(
                f"Logotipo de {emisor} (demostración)",
                "logotipo-organo-demo.png",
                demo_imagenes.logo_organo(_dos_lineas(emisor)),
            )
        )
    )
    plantilla.logotipos.add(
        LogotipoPlantilla(
            imagen=_imagen(
                f"Logotipo de {PROGRAMA} (demostración)",
                "logotipo-programa-demo.png",
                demo_imagenes.logo_programa(_dos_lineas(PROGRAMA)),
            )
        )
    )
    if nacional is not None:
        plantilla.emisores.add(EmisorPlantilla(organizacion=nacional))
    else:
        plantilla.emisores.add(EmisorPlantilla(nombre=emisor))
    for semilla, (nombre, cargo) in enumerate(
        (
            ("Mtra. Ana Peña Ibáñez", "Comisionada Presidenta"),
            ("Lic. José Núñez Güemes", "Secretario Ejecutivo"),
        )
    ):
        firma = _imagen(
            f"Firma de {nombre} (demostración)",
            f"firma-demo-{semilla + 1}.png",
            demo_imagenes.firma(semilla + 1),
        )
        plantilla.firmantes.add(FirmantePlantilla(nombre=nombre, cargo=cargo, firma=firma))
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
