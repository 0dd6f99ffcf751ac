"""What the database must hold after a load run: nothing lost, nothing twice."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from constancias.carga.escenario import Escenario
from constancias.models import Constancia
from cursos.models import Inscripcion
from evaluaciones.models import Evaluacion, Intento, Respuesta
from lms.archivos import almacen_privado


@dataclass
class Revision:
    cifras: dict[str, Any] = field(default_factory=dict)
    problemas: list[str] = field(default_factory=list)
    segundos_constancias: float = 0.0

    def falla(self, cuantos: int, texto: str) -> None:
        if cuantos:
            self.problemas.append(f"{texto}: {cuantos}")


def _aprobados(escenario: Escenario) -> set[int]:
    minimo = Evaluacion.objects.get(pk=escenario.evaluacion_id).puntaje_aprobatorio
    return set(
        Intento.objects.filter(
            evaluacion_id=escenario.evaluacion_id,
            estado=Intento.Estado.CALIFICADO,
            porcentaje__gte=minimo,
        ).values_list("usuario_id", flat=True)
    )


def esperar_constancias(escenario: Escenario, *, segundos: float) -> float:
    """Wait (bounded) until the worker issued one constancia per passed participant."""
    t0 = time.monotonic()
    esperadas = len(_aprobados(escenario))
    while time.monotonic() - t0 < segundos:
        if Constancia.objects.filter(edicion_id=escenario.edicion_id).count() >= esperadas:
            break
        time.sleep(1)
    return time.monotonic() - t0


def revisar_base(escenario: Escenario) -> Revision:
    r = Revision()
    intentos = {
        i.usuario_id: i for i in Intento.objects.filter(evaluacion_id=escenario.evaluacion_id)
    }
    iniciados = {p.usuario_id for p in escenario.participantes if p.intento_id}
    duplicados = (
        Intento.objects.filter(evaluacion_id=escenario.evaluacion_id)
        .values("usuario_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    guardadas: dict[int, dict[str, Any]] = {}
    for intento_id, clave, valor in Respuesta.objects.filter(
        intento__evaluacion_id=escenario.evaluacion_id
    ).values_list("intento_id", "clave", "valor"):
        guardadas.setdefault(intento_id, {})[clave] = valor
    respuestas_dobles = (
        Respuesta.objects.filter(intento__evaluacion_id=escenario.evaluacion_id)
        .values("intento_id", "clave")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    perdidas = distintas = sin_calificar = 0
    for p in escenario.participantes:
        intento = intentos.get(p.usuario_id)
        if intento is None:
            continue
        en_bd = guardadas.get(intento.pk, {})
        for clave, opcion in p.respuestas.items():
            if clave not in en_bd:
                perdidas += 1
            elif str(en_bd[clave]) != opcion:
                distintas += 1
        if intento.estado != Intento.Estado.CALIFICADO:
            sin_calificar += 1

    aprobados = _aprobados(escenario)
    completadas = set(
        Inscripcion.objects.filter(
            edicion_id=escenario.edicion_id, completada_en__isnull=False
        ).values_list("usuario_id", flat=True)
    )
    constancias = list(
        Constancia.objects.filter(edicion_id=escenario.edicion_id).values_list(
            "usuario_id", "folio", "pdf", "sha256"
        )
    )
    por_persona: dict[int, int] = {}
    for usuario_id, *_resto in constancias:
        por_persona[usuario_id] = por_persona.get(usuario_id, 0) + 1
    folios_repetidos = len(constancias) - len({c[1] for c in constancias})
    huellas_malas = 0
    for _usuario, _folio, nombre, sha in constancias:
        try:
            with almacen_privado.open(nombre, "rb") as archivo:
                contenido = archivo.read()
        except OSError:
            huellas_malas += 1
            continue
        if hashlib.sha256(contenido).hexdigest() != sha:
            huellas_malas += 1

    r.cifras = {
        "intentos": len(intentos),
        "iniciados (HTTP)": len(iniciados),
        "respuestas en la base": sum(len(v) for v in guardadas.values()),
        "respuestas confirmadas (HTTP 200)": sum(
            len(p.respuestas) for p in escenario.participantes
        ),
        "aprobados": len(aprobados),
        "cursos acreditados": len(completadas),
        "constancias": len(constancias),
    }
    r.falla(len(iniciados - set(intentos)), "intentos iniciados (302) que no están en la base")
    r.falla(duplicados, "personas con más de un intento")
    r.falla(respuestas_dobles, "respuestas duplicadas (misma pregunta dos veces)")
    r.falla(perdidas, "respuestas confirmadas que no están en la base")
    r.falla(distintas, "respuestas guardadas con otro valor")
    r.falla(sin_calificar, "intentos sin calificar")
    r.falla(len(aprobados ^ completadas), "aprobados sin curso acreditado o al revés")
    r.falla(sum(1 for n in por_persona.values() if n > 1), "personas con constancia duplicada")
    r.falla(len(aprobados - set(por_persona)), "aprobados sin constancia")
    r.falla(len(set(por_persona) - aprobados), "constancias de personas no aprobadas")
    r.falla(folios_repetidos, "folios repetidos")
    r.falla(huellas_malas, "PDF ausentes o con SHA-256 distinto")
    return r
