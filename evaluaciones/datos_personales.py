"""The evaluation engine's part of the personal-data download (registered at start-up).

The person gets every attempt and every answer they gave. Scores, points and
feedback follow the evaluation's review options, as on the result page: a download
must not hand over, while others may still be taking the evaluation, what the
review withholds until it closes (which answers earned points gives the key away).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluaciones import instantaneas, selectors
from evaluaciones.models import Excepcion, Intento, Recalificacion, Respuesta
from evaluaciones.respuestas import texto_de_respuesta
from evaluaciones.revision import Revision, revision_permitida
from lms.models import Usuario
from lms.selectors import fecha_json, numero_json, registrar_proveedor_datos


def _respuestas(intento: Intento, revision: Revision) -> list[dict[str, Any]]:
    items = instantaneas.items_por_clave(intento.instantanea)
    numeros = {
        item["clave"]: n for n, item in enumerate(intento.instantanea.get("preguntas", []), 1)
    }
    filas = []
    for respuesta in sorted(intento.respuestas.all(), key=lambda r: numeros.get(r.clave, 0)):
        item = items.get(respuesta.clave)
        texto = texto_de_respuesta(item, respuesta.valor) if item else None
        filas.append(
            {
                "pregunta": numeros.get(respuesta.clave),
                "respuesta": texto if respuesta.valor is not None else None,
                "archivo": respuesta.archivo_nombre or None,
                "guardada_en": fecha_json(respuesta.guardada_en),
                "puntos": numero_json(respuesta.puntos) if revision.puntaje else None,
                "calificacion_por_criterio": respuesta.rubrica if revision.puntaje else None,
                "comentario": (respuesta.comentario or None)
                if revision.retroalimentacion
                else None,
                "calificada_en": fecha_json(respuesta.calificada_en),
            }
        )
    return filas


def _recalificaciones(usuario: Usuario) -> dict[int, list[dict[str, Any]]]:
    """Regrades that moved one of the person's scores, by attempt."""
    preguntas = Intento.preguntas.through.objects.filter(intento__usuario=usuario).values(
        "pregunta_id"
    )
    por_intento: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for recalificacion in Recalificacion.objects.filter(pregunta_id__in=preguntas).order_by(
        "realizada_en", "pk"
    ):
        for cambio in recalificacion.cambios:
            if cambio.get("usuario") == usuario.pk:
                por_intento[cambio["intento"]].append(
                    {
                        "fecha": fecha_json(recalificacion.realizada_en),
                        "motivo": recalificacion.motivo,
                        "calificacion_anterior": cambio.get("antes"),
                        "calificacion_nueva": cambio.get("despues"),
                    }
                )
    return por_intento


def intentos(usuario: Usuario) -> list[dict[str, Any]]:
    """Every attempt with its answers; what the review withholds is left out and said so."""
    consulta = list(
        Intento.objects.filter(usuario=usuario)
        .select_related("evaluacion")
        .prefetch_related(Prefetch("respuestas", queryset=Respuesta.objects.order_by("pk")))
        .order_by("iniciado_en", "pk")
    )
    cierres = selectors.cierres_para_revision({i.evaluacion for i in consulta})
    recalificaciones = _recalificaciones(usuario) if consulta else {}
    ahora = timezone.now()
    filas = []
    for intento in consulta:
        evaluacion = intento.evaluacion
        revision = revision_permitida(
            puntaje=evaluacion.revision_puntaje,
            respuestas=evaluacion.revision_respuestas,
            correctas=evaluacion.revision_correctas,
            retroalimentacion=evaluacion.revision_retroalimentacion,
            enviado=intento.estado != Intento.Estado.EN_CURSO,
            cierre=cierres[evaluacion.pk],
            ahora=ahora,
        )
        fila: dict[str, Any] = {
            "evaluacion": evaluacion.titulo,
            "numero": intento.numero,
            "estado": intento.get_estado_display(),
            "iniciado_en": fecha_json(intento.iniciado_en),
            "vence_en": fecha_json(intento.vence_en),
            "enviado_en": fecha_json(intento.enviado_en),
            "calificado_en": fecha_json(intento.calificado_en),
            "cerrado_al_vencer_el_tiempo": intento.cerrado_por_sistema,
            "puntaje": numero_json(intento.puntaje) if revision.puntaje else None,
            "puntaje_maximo": numero_json(intento.puntaje_maximo),
            "porcentaje": numero_json(intento.porcentaje) if revision.puntaje else None,
            "recalificaciones": recalificaciones.get(intento.pk, []) if revision.puntaje else [],
            "respuestas": _respuestas(intento, revision),
        }
        if not (revision.puntaje and revision.retroalimentacion):
            fila["nota"] = _(
                "La calificación o la retroalimentación de este intento se incluirán cuando "
                "la evaluación permita consultarlas."
            )
        filas.append(fila)
    return filas


def excepciones(usuario: Usuario) -> list[dict[str, Any]]:
    consulta = (
        Excepcion.objects.filter(usuario=usuario)
        .select_related("evaluacion")
        .order_by("actualizada_en", "pk")
    )
    return [
        {
            "evaluacion": e.evaluacion.titulo,
            "minutos_extra": e.minutos_extra,
            "intentos_extra": e.intentos_extra,
            "cierra_en": fecha_json(e.cierra_en),
            "motivo": e.motivo,
            "actualizada_en": fecha_json(e.actualizada_en),
        }
        for e in consulta
    ]


def registrar() -> None:
    registrar_proveedor_datos("intentos", intentos)
    registrar_proveedor_datos("excepciones", excepciones)
