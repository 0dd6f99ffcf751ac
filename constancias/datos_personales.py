"""The constancias app's part of the personal-data download (registered at start-up)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _

from constancias.models import Constancia, VerificacionConsulta
from constancias.services import url_verificacion
from lms.models import RegistroAuditoria, Usuario
from lms.selectors import fecha_json, registrar_proveedor_datos


def constancias(usuario: Usuario) -> list[dict[str, Any]]:
    """Every constancia, revoked and replaced ones too, with who verified it and when.

    Verification lookups are anonymous: the address and browser stored with each one
    belong to whoever looked, so only the date and the way of looking are given.
    """
    emitidas = list(
        Constancia.objects.filter(usuario=usuario)
        .select_related("edicion__curso", "fase", "reemplazada_por")
        .order_by("emitida_en", "pk")
    )
    consultas: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    descargas: dict[str, list[str | None]] = defaultdict(list)
    if emitidas:
        for consulta in VerificacionConsulta.objects.filter(constancia__usuario=usuario).order_by(
            "consultada_en", "pk"
        ):
            consultas[consulta.constancia_id].append(
                {"fecha": fecha_json(consulta.consultada_en), "medio": consulta.get_medio_display()}
            )
        for folio, fecha in (
            RegistroAuditoria.objects.filter(
                accion=RegistroAuditoria.Accion.DESCARGA_CONSTANCIA,
                objeto__in=[c.folio for c in emitidas],
            )
            .order_by("registrado_en", "pk")
            .values_list("objeto", "registrado_en")
        ):
            descargas[folio].append(fecha_json(fecha))
    return [
        {
            "folio": c.folio,
            "tipo": c.get_tipo_display(),
            "alcance": c.get_alcance_display(),
            "curso": c.edicion.curso.title,
            "edicion": c.edicion.nombre,
            "fase": c.fase.title if c.fase else None,
            "estado": c.get_estado_display(),
            "emitida_en": fecha_json(c.emitida_en),
            "firmada_digitalmente": c.firmada,
            "revocada_en": fecha_json(c.revocada_en),
            "motivo_de_revocacion": c.motivo_revocacion or None,
            "reemplazada_por": c.reemplazada_por.folio if c.reemplazada_por else None,
            "url_verificacion": url_verificacion(c.codigo_verificacion),
            "datos_impresos": c.datos,
            "consultas_de_verificacion": {
                "total": len(consultas[c.pk]),
                "consultas": consultas[c.pk],
                "nota": _(
                    "La plataforma guarda también la dirección IP y el navegador de quien "
                    "consulta; no se incluyen porque son datos de esa persona."
                ),
            },
            "descargas_por_personal_autorizado": descargas[c.folio],
        }
        for c in emitidas
    ]


def registrar() -> None:
    registrar_proveedor_datos("constancias", constancias)
