"""Data for one load run: a course whose only phase is passed by an evaluation.

Everything is created under a fresh mark (timestamp) so runs never mix; the run's
database is a throwaway one whose name contains "carga".
"""

from __future__ import annotations

import datetime
import secrets
import time
import urllib.parse
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from constancias import services as constancias_services
from constancias.models import (
    Constancia,
    EmisorPlantilla,
    FirmantePlantilla,
    PlantillaConstancia,
    ReglaConstancia,
    Tipo,
)
from constancias.muestras import nombres_sinteticos
from cursos.models import (
    CursoPage,
    Edicion,
    FasePage,
    HomePage,
    Inscripcion,
    LeccionPage,
    ProgramaPage,
)
from evaluaciones.models import (
    CategoriaPregunta,
    Evaluacion,
)
from evaluaciones.preguntas_sinteticas import agregar_preguntas
from lms.carga.sesiones import Participante, abrir_sesiones
from lms.models import ConfiguracionSitio, Usuario


@dataclass
class Escenario:
    marca: str
    evaluacion_id: int
    edicion_id: int
    regla_id: int
    paginas: dict[str, str]  # kind of page -> path, for the browsing mix
    correctas: dict[int, int]  # pregunta_id -> correct option id
    incorrectas: dict[int, int]
    participantes: list[Participante]
    verificables: list[tuple[str, str]]  # (folio, codigo) of constancias issued beforehand


def _ruta(pagina: object) -> str:
    # Every page passed here is a Wagtail Page, which has get_url.
    return urllib.parse.urlsplit(pagina.get_url() or "/").path  # type: ignore[attr-defined]


def _plantilla(marca: str) -> PlantillaConstancia:
    plantilla = PlantillaConstancia(nombre=f"Carga {marca}", prefijo_folio="CARGA")
    plantilla.emisores.add(EmisorPlantilla(nombre="Sistema Nacional de Transparencia"))
    plantilla.firmantes.add(
        FirmantePlantilla(nombre="Mtra. Ana Peña Ibáñez", cargo="Comisionada Presidenta")
    )
    plantilla.save()
    plantilla.save_revision().publish()
    return plantilla


def _evaluacion(
    marca: str, cantidad: int, curso: CursoPage
) -> tuple[Evaluacion, dict[int, int], dict[int, int]]:
    """The course's closing evaluation, drawn from the course's own bank."""
    categoria, _creada = CategoriaPregunta.objects.get_or_create(
        nombre="Prueba de carga", curso=curso
    )
    evaluacion = Evaluacion.objects.create(
        titulo=f"Evaluación de cierre {marca}",
        curso=curso,
        publicada=True,
        intentos_permitidos=1,
        limite_minutos=120,
        barajar_opciones=True,
        puntaje_aprobatorio=70,
    )
    correctas, incorrectas = agregar_preguntas(
        evaluacion, categoria=categoria, cantidad=cantidad, prefijo=f"Carga {marca}"
    )
    return evaluacion, correctas, incorrectas


def _usuarios(marca: str, prefijo: str, cantidad: int) -> list[Usuario]:
    version = ConfiguracionSitio.objects.get_or_create(pk=1)[0].aviso_privacidad_version
    contrasena = make_password(secrets.token_urlsafe(16))
    ahora = timezone.now()
    nombres = nombres_sinteticos(cantidad)
    return Usuario.objects.bulk_create(
        [
            Usuario(
                email=f"{marca}-{prefijo}{i}@carga.invalid",
                first_name=nombre[:60],
                last_name="Carga",
                password=contrasena,
                aviso_privacidad_aceptado_en=ahora,
                aviso_privacidad_version=version,
            )
            for i, nombre in enumerate(nombres)
        ],
        batch_size=1000,
    )


def preparar_escenario(*, participantes: int, preguntas: int, previas: int) -> Escenario:
    """Course, edition, enrolments, sessions, an automatic rule and `previas` constancias.

    The `previas` constancias belong to an earlier edition and are issued through the real
    service, so the verification page is tried with folios and codes that exist.
    """
    marca = f"carga{int(time.time())}"
    with transaction.atomic():
        plantilla = _plantilla(marca)
        inicio = HomePage.objects.first()
        if inicio is None:
            raise RuntimeError("No existe la página de inicio; ejecute migrate primero.")
        programa = inicio.add_child(
            instance=ProgramaPage(title=f"Campaña nacional {marca}", slug=marca)
        )
        curso = programa.add_child(
            instance=CursoPage(
                title="Transparencia Proactiva en los Sujetos Obligados",
                slug="curso",
                resumen="Curso de la prueba de carga.",
            )
        )
        # The course owns the evaluation: its enrolled participants may take it.
        evaluacion, correctas, incorrectas = _evaluacion(marca, preguntas, curso)
        fase = curso.add_child(
            instance=FasePage(title="Fase teórica", slug="fase", horas=20, evaluacion=evaluacion)
        )
        leccion = fase.add_child(
            instance=LeccionPage(
                title="Qué es la transparencia proactiva",
                slug="leccion",
                obligatoria=False,
                cuerpo=[
                    ("texto", "<p>Publicar información útil sin que nadie la pida.</p>"),
                ],
            )
        )
        ahora = timezone.now()
        hoy = timezone.localdate()
        edicion = Edicion.objects.create(
            curso=curso,
            nombre=f"Cierre {marca}",
            inscripcion_abre=ahora - datetime.timedelta(days=30),
            inscripcion_cierra=ahora + datetime.timedelta(days=1),
            fecha_inicio=hoy - datetime.timedelta(days=20),
            fecha_fin=hoy + datetime.timedelta(days=1),
        )
        regla = ReglaConstancia.objects.create(
            edicion=edicion, tipo=Tipo.ACREDITACION, plantilla=plantilla, automatica=True
        )
        usuarios = _usuarios(marca, "p", participantes)
        Inscripcion.objects.bulk_create(
            [Inscripcion(edicion=edicion, usuario=u) for u in usuarios], batch_size=1000
        )
        gente = abrir_sesiones(usuarios)

        # An earlier edition of a course with no requirements: its people already qualify.
        anterior_curso = programa.add_child(
            instance=CursoPage(title="Introducción a la transparencia", slug="anterior")
        )
        anterior_curso.add_child(instance=FasePage(title="Fase única", slug="fase", horas=4))
        anterior = Edicion.objects.create(
            curso=anterior_curso,
            nombre=f"Anterior {marca}",
            inscripcion_abre=ahora - datetime.timedelta(days=300),
            inscripcion_cierra=ahora - datetime.timedelta(days=200),
            fecha_inicio=hoy - datetime.timedelta(days=190),
            fecha_fin=hoy - datetime.timedelta(days=100),
        )
        regla_anterior = ReglaConstancia.objects.create(
            edicion=anterior, tipo=Tipo.ACREDITACION, plantilla=plantilla, automatica=False
        )
        egresados = _usuarios(marca, "e", previas)
        inscritas = Inscripcion.objects.bulk_create(
            [Inscripcion(edicion=anterior, usuario=u) for u in egresados]
        )
    constancias_services.emitir_constancias(
        regla=regla_anterior, inscripcion_ids=[i.pk for i in inscritas], notificar=False
    )
    verificables = list(
        Constancia.objects.filter(edicion=anterior).values_list("folio", "codigo_verificacion")
    )
    return Escenario(
        marca=marca,
        evaluacion_id=evaluacion.pk,
        edicion_id=edicion.pk,
        regla_id=regla.pk,
        paginas={
            "catálogo": _ruta(programa),
            "curso": _ruta(curso),
            "lección": _ruta(leccion),
            "mis cursos": "/cursos/mis-cursos/",
        },
        correctas=correctas,
        incorrectas=incorrectas,
        participantes=gente,
        verificables=verificables,
    )
