"""Writes for constancias: folios, codes, issuance, revocation, bulk jobs, lookups."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from constancias import firma, pdf, verificacion
from constancias.models import (
    Constancia,
    ReglaConstancia,
    SerieFolio,
    TrabajoEmision,
    VerificacionConsulta,
)
from lms.archivos import almacen_privado, nombre_privado
from lms.direcciones import url_publica
from lms.models import Rol

logger = logging.getLogger(__name__)

# 16 random bytes: 128 bits, written as 22 URL-safe characters.
BYTES_CODIGO_VERIFICACION = 16
ROLES_EDITORES_PLANTILLAS = (Rol.COORDINADOR_NACIONAL, Rol.ADMINISTRADOR)


def generar_codigo_verificacion() -> str:
    """An unguessable public verification code with 128 random bits."""
    return secrets.token_urlsafe(BYTES_CODIGO_VERIFICACION)


def obtener_serie(*, prefijo: str, anio: int) -> SerieFolio:
    """The folio series for `prefijo` and `anio`, created on first use (race-safe)."""
    serie = SerieFolio.objects.filter(prefijo=prefijo, anio=anio).first()
    if serie is not None:
        return serie
    with transaction.atomic():
        serie, _creada = SerieFolio.objects.get_or_create(prefijo=prefijo, anio=anio)
    return serie


@transaction.atomic
def reservar_numeros(*, serie: SerieFolio, cantidad: int) -> range:
    """Reserve `cantidad` consecutive numbers of `serie` in one short write.

    The UPDATE runs first, so it takes the series row lock (PostgreSQL) or the write
    lock (SQLite) before the read: concurrent issuers get disjoint blocks. In its own
    transaction the lock lasts two statements; inside an outer transaction it lasts
    until that one ends, and a rollback gives the numbers back.
    """
    if cantidad < 1:
        return range(0)
    SerieFolio.objects.filter(pk=serie.pk).update(ultimo=F("ultimo") + cantidad)
    ultimo = SerieFolio.objects.filter(pk=serie.pk).values_list("ultimo", flat=True).get()
    serie.ultimo = ultimo
    return range(ultimo - cantidad + 1, ultimo + 1)


def devolver_numeros(*, serie: SerieFolio, numeros: range) -> bool:
    """Give back an unused block if nobody reserved after it; otherwise it stays a gap."""
    if not numeros:
        return False
    return bool(
        SerieFolio.objects.filter(pk=serie.pk, ultimo=numeros[-1]).update(ultimo=numeros[0] - 1)
    )


def asignar_folios(*, serie: SerieFolio, cantidad: int) -> list[str]:
    """Reserve `cantidad` consecutive folios of `serie` (see reservar_numeros)."""
    return [serie.folio(numero) for numero in reservar_numeros(serie=serie, cantidad=cantidad)]


def asignar_folio(*, serie: SerieFolio) -> str:
    """The next folio of `serie` (see reservar_numeros for the locking)."""
    return asignar_folios(serie=serie, cantidad=1)[0]


@transaction.atomic
def asegurar_permisos_plantillas() -> None:
    """Let national coordinators and administrators edit templates and rules; idempotent."""
    from django.contrib.auth.models import Permission

    from lms.services import asegurar_grupos

    grupos = asegurar_grupos()
    permisos = Permission.objects.filter(
        content_type__app_label="constancias",
        codename__in=[
            "add_plantillaconstancia",
            "change_plantillaconstancia",
            "delete_plantillaconstancia",
            "publish_plantillaconstancia",
            "add_reglaconstancia",
            "change_reglaconstancia",
            "delete_reglaconstancia",
        ],
    )
    for rol in ROLES_EDITORES_PLANTILLAS:
        grupos[rol].permissions.add(*permisos)


# --- Issuance -----------------------------------------------------------------

# Constancias rendered per call to the PDF engine (bounded memory per chunk).
TAMANO_TROZO = 100
# Constancias per batch: one folio reservation, one render pass, one insert transaction.
TAMANO_TRANSACCION = 100
# A concurrent trigger that wins the uniqueness race makes the insert re-read and retry.
INTENTOS_EMISION = 3
# Enrolments the periodic sweep hands to emitir_constancias at a time.
TAMANO_TROZO_TRABAJO = 200
MAX_ERRORES_TRABAJO = 500


class ErrorConstancia(ValueError):
    """A request the domain refuses; the message is for the user."""


@dataclass
class ResultadoEmision:
    emitidas: list[Constancia] = field(default_factory=list)
    no_elegibles: dict[int, str] = field(default_factory=dict)
    ya_emitidas: int = 0


def url_verificacion(codigo: str) -> str:
    """The public verification URL printed as the QR."""
    return url_publica(reverse("constancias:verificar", args=[codigo]))


def _fases_de(regla: ReglaConstancia) -> list[Any]:
    from cursos.models import FasePage

    if regla.fase_id:
        return [regla.fase]
    return list(FasePage.objects.child_of(regla.edicion.curso).live().order_by("path"))


def _contenidos(fases: Sequence[Any]) -> list[str]:
    from cursos.models import LeccionPage

    titulos: list[str] = []
    for fase in fases:
        titulos += list(
            LeccionPage.objects.descendant_of(fase)
            .live()
            .order_by("path")
            .values_list("title", flat=True)
        )
    return titulos


def _texto_fase(regla: ReglaConstancia, fases: Sequence[Any]) -> str:
    titulos = [f.title for f in fases]
    if len(titulos) <= 1:
        return titulos[0] if titulos else ""
    return _("%(primeras)s y %(ultima)s") % {
        "primeras": ", ".join(titulos[:-1]),
        "ultima": titulos[-1],
    }


def _datos(
    *,
    regla: ReglaConstancia,
    inscripcion: Any,
    fases: Sequence[Any],
    folio: str,
    codigo: str,
    emitida_en: datetime.datetime,
) -> dict[str, Any]:
    from constancias.selectors import nombre_impreso

    edicion = regla.edicion
    return {
        "nombre": nombre_impreso(inscripcion.usuario),
        "curso": edicion.curso.title,
        "fase": _texto_fase(regla, fases),
        "horas": sum(f.horas for f in fases),
        "fecha_inicio": edicion.fecha_inicio.isoformat(),
        "fecha_fin": edicion.fecha_fin.isoformat(),
        "modalidad": str(edicion.get_modalidad_display()).lower(),
        "lugar_emision": regla.plantilla.lugar_emision,
        "fecha_emision": timezone.localdate(emitida_en).isoformat(),
        "emitida_en": emitida_en.isoformat(),
        "folio": folio,
        "url_verificacion": url_verificacion(codigo),
        "tipo": regla.tipo,
        "tipo_texto": str(regla.get_tipo_display()),
        "edicion": edicion.nombre,
    }


@dataclass
class _Lote:
    """Constancias rendered and stored but not inserted yet: no row, so nobody sees them."""

    serie: SerieFolio
    numeros: range
    nuevas: list[Constancia]


def _numero(folio: str) -> int:
    return int(folio.rsplit("-", 1)[1])


def _devolver_sobrantes(lote: _Lote, *, usados: Sequence[int] = ()) -> None:
    """Give back the batch's folios above the last one used, once per batch.

    Only once: after a give-back another issuer may reserve the same numbers, and a
    second give-back could then hand out theirs again.
    """
    inicio = max(usados) + 1 if usados else lote.numeros.start
    devolver_numeros(serie=lote.serie, numeros=range(inicio, lote.numeros.stop))
    lote.numeros = range(0)


def _descartar(lote: _Lote, constancias: Sequence[Constancia] | None = None) -> None:
    """Delete the files of `constancias` (default: all, also giving back the folios)."""
    for constancia in lote.nuevas if constancias is None else constancias:
        almacen_privado.delete(constancia.pdf.name)
    if constancias is None:
        _devolver_sobrantes(lote)


def _preparar_constancias(
    *,
    regla: ReglaConstancia,
    inscripciones: Sequence[Any],
    emitida_por: Any = None,
    trabajo: TrabajoEmision | None = None,
) -> _Lote:
    """Reserve folios, render, sign and store; the rows are inserted by _insertar_constancias.

    Runs outside any write transaction (only the folio reservation is a short write), so
    issuers of the same series render in parallel. Raises pdf.PlantillaInvalida before
    reserving or storing anything; on any other failure the files written are deleted and
    the folios given back when nobody reserved after them.
    """
    plantilla = regla.plantilla
    emitida_en = timezone.now()
    fases = _fases_de(regla)
    diseno = plantilla.diseno(fecha=timezone.localdate(emitida_en), contenidos=_contenidos(fases))
    pdf.verificar_diseno(diseno)
    serie = obtener_serie(prefijo=plantilla.prefijo_folio, anio=timezone.localdate(emitida_en).year)
    lote = _Lote(serie=serie, numeros=range(0), nuevas=[])
    if not inscripciones:
        return lote
    lote.numeros = reservar_numeros(serie=serie, cantidad=len(inscripciones))
    folios = [serie.folio(numero) for numero in lote.numeros]
    firmar = firma.firma_configurada()
    firmante = firma.firmante_configurado() if firmar else None
    try:
        for inicio in range(0, len(inscripciones), TAMANO_TROZO):
            trozo = inscripciones[inicio : inicio + TAMANO_TROZO]
            codigos = [generar_codigo_verificacion() for _i in trozo]
            datos_lote = [
                _datos(
                    regla=regla,
                    inscripcion=inscripcion,
                    fases=fases,
                    folio=folio,
                    codigo=codigo,
                    emitida_en=emitida_en,
                )
                for inscripcion, folio, codigo in zip(
                    trozo, folios[inicio : inicio + TAMANO_TROZO], codigos, strict=True
                )
            ]
            pdfs = pdf.renderizar_constancias(diseno, datos_lote)
            for inscripcion, datos, codigo, contenido in zip(
                trozo, datos_lote, codigos, pdfs, strict=True
            ):
                if firmante is not None:
                    contenido = firma.firmar_pdf(contenido, firmante=firmante)
                constancia = Constancia(
                    usuario_id=inscripcion.usuario_id,
                    edicion_id=regla.edicion_id,
                    inscripcion_id=inscripcion.pk,
                    regla=regla,
                    tipo=regla.tipo,
                    alcance=regla.alcance,
                    fase_id=regla.fase_id,
                    plantilla=plantilla,
                    revision_plantilla_id=plantilla.live_revision_id,
                    serie=serie,
                    folio=datos["folio"],
                    codigo_verificacion=codigo,
                    instantanea={"diseno": diseno, "datos": datos},
                    sha256=hashlib.sha256(contenido).hexdigest(),
                    firmada=firmante is not None,
                    emitida_en=emitida_en,
                    emitida_por=emitida_por,
                    trabajo=trabajo,
                )
                # The folio is public and sequential: the stored name is random instead.
                constancia.pdf.name = almacen_privado.save(
                    nombre_privado("constancias", "pdf"), ContentFile(contenido)
                )
                lote.nuevas.append(constancia)
    except BaseException:
        _descartar(lote)
        raise
    return lote


def _insertar_constancias(
    *, regla: ReglaConstancia, lote: _Lote, notificar: bool = True
) -> tuple[list[Constancia], int]:
    """Insert the prepared rows in one short transaction; returns (created, lost races).

    The partial unique constraints have the last word: when a concurrent issuer already
    committed a valid constancia for someone in the batch, the insert rolls back, the
    valid ones are re-read, the losers' files are deleted (their folios stay as gaps) and
    the rest is inserted again with the same folios and files. Raises the IntegrityError
    if no race explains it; the caller then discards the whole batch.
    """
    from constancias import selectors

    pendientes = list(lote.nuevas)
    perdidas = 0
    creadas: list[Constancia] = []
    for intento in range(INTENTOS_EMISION):
        if not pendientes:
            break
        try:
            with transaction.atomic():
                creadas = Constancia.objects.bulk_create(pendientes)
            # From here a failure must never delete these files: a row without its PDF is
            # worse than an unreferenced PDF (left only if an outer transaction rolls back).
            lote.nuevas = []
            break
        except IntegrityError:
            vigentes = selectors.vigentes_por_inscripcion(
                regla, [c.inscripcion_id for c in pendientes]
            )
            ganadas = [c for c in pendientes if c.inscripcion_id in vigentes]
            if not ganadas or intento == INTENTOS_EMISION - 1:
                raise
            logger.info("Emisión concurrente de la regla %s; se reintenta.", regla.pk)
            _descartar(lote, ganadas)
            perdidas += len(ganadas)
            pendientes = [c for c in pendientes if c.inscripcion_id not in vigentes]
    try:
        _devolver_sobrantes(lote, usados=[_numero(c.folio) for c in creadas])
    except DatabaseError:
        logger.exception("No se devolvieron los folios sobrantes de la serie %s.", lote.serie)
    if notificar and creadas:
        ids = [c.pk for c in creadas]
        transaction.on_commit(lambda: notificar_constancias(constancia_ids=ids))
    return creadas, perdidas


def _preparar_emision(
    *,
    regla: ReglaConstancia,
    inscripcion_ids: Sequence[int],
    emitida_por: Any,
    trabajo: TrabajoEmision | None,
) -> tuple[ResultadoEmision, _Lote]:
    """Read eligibility, then prepare (render and store) the eligible people's constancias."""
    from constancias import selectors
    from cursos.models import Inscripcion

    inscripciones = list(
        Inscripcion.objects.filter(pk__in=list(inscripcion_ids))
        .select_related("usuario", "edicion", "edicion__curso")
        .order_by("pk")
    )
    resultado = ResultadoEmision()
    pendientes = []
    for fila in selectors.elegibilidad(regla=regla, inscripciones=inscripciones):
        if fila.constancia is not None:
            resultado.ya_emitidas += 1
        elif not fila.elegible:
            resultado.no_elegibles[fila.inscripcion.pk] = fila.motivo
        else:
            pendientes.append(fila.inscripcion)
    lote = _preparar_constancias(
        regla=regla, inscripciones=pendientes, emitida_por=emitida_por, trabajo=trabajo
    )
    return resultado, lote


def _emitir_lote(
    *,
    regla: ReglaConstancia,
    inscripcion_ids: Sequence[int],
    emitida_por: Any,
    trabajo: TrabajoEmision | None,
    notificar: bool,
) -> ResultadoEmision:
    resultado, lote = _preparar_emision(
        regla=regla, inscripcion_ids=inscripcion_ids, emitida_por=emitida_por, trabajo=trabajo
    )
    try:
        resultado.emitidas, perdidas = _insertar_constancias(
            regla=regla, lote=lote, notificar=notificar
        )
    except BaseException:
        _descartar(lote)
        raise
    resultado.ya_emitidas += perdidas
    return resultado


def tamano_transaccion() -> int:
    """Constancias per batch (folio reservation, render pass and insert transaction)."""
    return TAMANO_TRANSACCION


def emitir_constancias(
    *,
    regla: ReglaConstancia,
    inscripcion_ids: Sequence[int],
    emitida_por: Any = None,
    trabajo: TrabajoEmision | None = None,
    notificar: bool = True,
) -> ResultadoEmision:
    """Issue `regla`'s constancia to every eligible enrolment that has no valid one yet.

    Idempotent: valid constancias are skipped, so retries and repeated triggers issue
    once. Per batch of `tamano_transaccion()`: a short write reserves the folios, the
    PDFs are rendered, signed and stored outside any transaction, and a short transaction
    inserts the rows, so no row ever exists without its file. The database's partial
    unique constraints are the last word against a concurrent issuer (see
    _insertar_constancias). Raises pdf.PlantillaInvalida before anything is reserved or
    stored if the template cannot print.
    """
    total = ResultadoEmision()
    ids = list(inscripcion_ids)
    paso = tamano_transaccion()
    for inicio in range(0, len(ids), paso):
        parcial = _emitir_lote(
            regla=regla,
            inscripcion_ids=ids[inicio : inicio + paso],
            emitida_por=emitida_por,
            trabajo=trabajo,
            notificar=notificar,
        )
        total.emitidas += parcial.emitidas
        total.no_elegibles.update(parcial.no_elegibles)
        total.ya_emitidas += parcial.ya_emitidas
    return total


def emitir_constancias_de_inscripcion(*, inscripcion_id: int) -> int:
    """Issue every automatic rule's constancia the enrolment qualifies for; returns the count."""
    from constancias import selectors
    from cursos.models import Inscripcion

    edicion_id = (
        Inscripcion.objects.filter(pk=inscripcion_id).values_list("edicion_id", flat=True).first()
    )
    if edicion_id is None:
        return 0
    emitidas = 0
    for regla in selectors.reglas_automaticas_de(edicion_id):
        try:
            resultado = emitir_constancias(regla=regla, inscripcion_ids=[inscripcion_id])
        except pdf.PlantillaInvalida:
            logger.exception("La plantilla de la regla %s no se puede imprimir.", regla.pk)
            continue
        emitidas += len(resultado.emitidas)
    return emitidas


def emitir_constancias_pendientes() -> int:
    """Sweep: issue automatic rules' constancias to eligible people still without one.

    Catches everyone whose completion signal was lost (broker down, worker killed). A
    course acreditación only reads enrolments with a completion date; other rules read
    every active enrolment still without its constancia. Enrolments whose progress a
    change of rules left stale are recomputed first, so a lost recompute task does not
    hide anyone from the sweep.
    """
    from constancias import selectors
    from constancias.models import Tipo
    from cursos import services as services_cursos
    from cursos.models import Inscripcion

    services_cursos.recalcular_pendientes()
    emitidas = 0
    reglas = ReglaConstancia.objects.filter(activa=True, automatica=True).select_related(
        "plantilla", "edicion", "edicion__curso", "fase"
    )
    for regla in reglas:
        ya = Constancia.objects.filter(
            selectors.filtro_clave(regla), estado=Constancia.Estado.VIGENTE
        ).values("inscripcion_id")
        candidatas = Inscripcion.objects.filter(
            edicion_id=regla.edicion_id, estado=Inscripcion.Estado.ACTIVA
        ).exclude(pk__in=ya)
        if regla.tipo == Tipo.ACREDITACION and regla.fase_id is None:
            candidatas = candidatas.filter(completada_en__isnull=False)
        ids = list(candidatas.order_by("pk").values_list("pk", flat=True))
        for inicio in range(0, len(ids), TAMANO_TROZO_TRABAJO):
            try:
                resultado = emitir_constancias(
                    regla=regla, inscripcion_ids=ids[inicio : inicio + TAMANO_TROZO_TRABAJO]
                )
            except pdf.PlantillaInvalida:
                logger.exception("La plantilla de la regla %s no se puede imprimir.", regla.pk)
                break
            emitidas += len(resultado.emitidas)
    return emitidas


def notificar_constancias(*, constancia_ids: Sequence[int]) -> int:
    """Email each person their new constancia, all messages through one connection."""
    mensajes = []
    for constancia in Constancia.objects.filter(pk__in=list(constancia_ids)).select_related(
        "usuario"
    ):
        if not constancia.usuario.email:
            continue
        contexto = {
            "constancia": constancia,
            "datos": constancia.datos,
            "url_mis_cursos": url_publica(reverse("constancias:mis_constancias")),
        }
        mensajes.append(
            EmailMessage(
                subject=_("Su constancia %(folio)s está lista") % {"folio": constancia.folio},
                body=render_to_string("constancias/correo_emitida.txt", contexto),
                to=[constancia.usuario.email],
            )
        )
    if not mensajes:
        return 0
    return get_connection().send_messages(mensajes) or 0


# --- Revocation and reissue ---------------------------------------------------


def _exigir_revocador(usuario: Any) -> None:
    from lms.alcance import alcance_de

    alcance = alcance_de(usuario)
    if not (alcance.es_administrador or Rol.COORDINADOR_NACIONAL in alcance.roles):
        raise ErrorConstancia(
            _("Solo la coordinación nacional o la administración pueden hacer esto.")
        )


def _motivo_limpio(motivo: str) -> str:
    motivo = (motivo or "").strip()
    if len(motivo) < 5:
        raise ErrorConstancia(_("Escriba el motivo (al menos 5 caracteres)."))
    return motivo[:2000]


@transaction.atomic
def revocar_constancia(*, constancia: Constancia, motivo: str, usuario: Any) -> Constancia:
    """Mark a valid constancia revoked, keeping its record and file; refuses twice."""
    _exigir_revocador(usuario)
    motivo = _motivo_limpio(motivo)
    bloqueada = Constancia.objects.select_for_update().get(pk=constancia.pk)
    if bloqueada.estado != Constancia.Estado.VIGENTE:
        raise ErrorConstancia(_("Esta constancia ya no está vigente; no se puede revocar."))
    bloqueada.estado = Constancia.Estado.REVOCADA
    bloqueada.revocada_en = timezone.now()
    bloqueada.revocada_por = usuario
    bloqueada.motivo_revocacion = motivo
    bloqueada.save(update_fields=["estado", "revocada_en", "revocada_por", "motivo_revocacion"])
    transaction.on_commit(invalidar_paginas_de_verificacion)
    return bloqueada


@transaction.atomic
def reemplazar_constancia(*, constancia: Constancia, motivo: str, usuario: Any) -> Constancia:
    """Issue a new constancia (new folio and code, current data) replacing `constancia`.

    The old one is kept and shows as replaced, pointing to the new one. Eligibility is
    not asked again: a reissue corrects a constancia already granted.
    """
    from cursos.models import Inscripcion

    _exigir_revocador(usuario)
    motivo = _motivo_limpio(motivo)
    bloqueada = Constancia.objects.select_for_update().get(pk=constancia.pk)
    if bloqueada.estado == Constancia.Estado.REEMPLAZADA:
        raise ErrorConstancia(_("Esta constancia ya fue reemplazada."))
    if bloqueada.regla_id is None:
        raise ErrorConstancia(_("La regla que emitió esta constancia ya no existe."))
    regla = ReglaConstancia.objects.select_related(
        "plantilla", "edicion", "edicion__curso", "fase"
    ).get(pk=bloqueada.regla_id)
    if not regla.plantilla.live:
        raise ErrorConstancia(_("La plantilla de la constancia no está publicada."))
    bloqueada.estado = Constancia.Estado.REEMPLAZADA
    if bloqueada.revocada_en is None:
        bloqueada.revocada_en = timezone.now()
        bloqueada.revocada_por = usuario
    bloqueada.motivo_revocacion = motivo
    bloqueada.save(update_fields=["estado", "revocada_en", "revocada_por", "motivo_revocacion"])
    inscripcion = Inscripcion.objects.select_related("usuario", "edicion", "edicion__curso").get(
        pk=bloqueada.inscripcion_id
    )
    # A single document: rendering inside this transaction keeps the swap atomic.
    lote = _preparar_constancias(regla=regla, inscripciones=[inscripcion], emitida_por=usuario)
    try:
        creadas, _perdidas = _insertar_constancias(regla=regla, lote=lote)
    except BaseException:
        _descartar(lote)
        raise
    if not creadas:
        raise ErrorConstancia(_("La persona ya tiene otra constancia vigente de este tipo."))
    nueva = creadas[0]
    bloqueada.reemplazada_por = nueva
    bloqueada.save(update_fields=["reemplazada_por"])
    transaction.on_commit(invalidar_paginas_de_verificacion)
    return nueva


# --- Bulk jobs ----------------------------------------------------------------


@transaction.atomic
def crear_trabajo_emision(
    *, regla: ReglaConstancia, solicitante: Any, entidad: Any = None
) -> TrabajoEmision:
    """Freeze the list of enrolments in the requester's scope and queue the job.

    The list is fixed now, so a restart processes exactly the same people.
    """
    from constancias import selectors
    from lms.alcance import alcance_de

    if not alcance_de(solicitante).coordina:
        raise ErrorConstancia(_("Solo la coordinación puede emitir constancias en bloque."))
    if not regla.activa:
        raise ErrorConstancia(_("La regla de constancia está desactivada."))
    if not regla.plantilla.live:
        raise ErrorConstancia(_("La plantilla de la constancia no está publicada."))
    consulta = selectors.inscripciones_de_regla(solicitante, regla).filter(estado="activa")
    if entidad is not None:
        consulta = consulta.filter(usuario__entidad=entidad)
    ids = sorted(consulta.values_list("pk", flat=True))
    if not ids:
        raise ErrorConstancia(_("No hay personas inscritas en ese alcance."))
    trabajo = TrabajoEmision.objects.create(
        regla=regla,
        entidad=entidad,
        solicitada_por=solicitante,
        inscripciones=ids,
        total=len(ids),
    )
    from constancias.tasks import procesar_trabajo_emision_task

    transaction.on_commit(lambda: procesar_trabajo_emision_task.delay(trabajo.pk))
    return trabajo


_TERMINALES = (TrabajoEmision.Estado.TERMINADO, TrabajoEmision.Estado.FALLIDO)


@transaction.atomic
def _cerrar_trabajo(*, trabajo_id: int, error: str | None = None) -> None:
    trabajo = TrabajoEmision.objects.select_for_update().get(pk=trabajo_id)
    if trabajo.estado in _TERMINALES:
        return
    if error is None:
        trabajo.estado = TrabajoEmision.Estado.TERMINADO
    else:
        trabajo.estado = TrabajoEmision.Estado.FALLIDO
        trabajo.errores = [*trabajo.errores, {"inscripcion": None, "motivo": error}]
    trabajo.terminado_en = timezone.now()
    trabajo.save(update_fields=["estado", "errores", "terminado_en", "actualizado_en"])


def procesar_trozo_trabajo(*, trabajo_id: int, tamano: int | None = None) -> bool:
    """Process the job's next chunk; returns False when nothing is left.

    The chunk is rendered and stored outside any transaction; its rows and the progress
    counter then commit together, under the job's row lock and only if the counter is
    still where this worker read it. A worker that dies mid-chunk commits neither (its
    files stay unreferenced, its folios become gaps), and a second worker on the same
    chunk discards its work; the rerun starts at the same offset and skips anyone
    already issued, so nobody is issued twice or skipped.
    """
    trabajo = TrabajoEmision.objects.get(pk=trabajo_id)
    if trabajo.estado in _TERMINALES:
        return False
    if trabajo.hechas >= trabajo.total:
        _cerrar_trabajo(trabajo_id=trabajo_id)
        return False
    regla = ReglaConstancia.objects.select_related(
        "plantilla", "edicion", "edicion__curso", "fase"
    ).get(pk=trabajo.regla_id)
    inicio = trabajo.hechas
    trozo = trabajo.inscripciones[inicio : inicio + (tamano or tamano_transaccion())]
    try:
        resultado, lote = _preparar_emision(
            regla=regla,
            inscripcion_ids=trozo,
            emitida_por=trabajo.solicitada_por,
            trabajo=trabajo,
        )
    except pdf.PlantillaInvalida as error:
        _cerrar_trabajo(trabajo_id=trabajo_id, error=str(error))
        return False
    try:
        with transaction.atomic():
            trabajo = TrabajoEmision.objects.select_for_update().get(pk=trabajo_id)
            if trabajo.hechas != inicio or trabajo.estado in _TERMINALES:
                # Another worker committed this chunk first (a redelivered message).
                _descartar(lote)
                return trabajo.estado not in _TERMINALES
            emitidas, _perdidas = _insertar_constancias(regla=regla, lote=lote)
            nuevos = [{"inscripcion": pk, "motivo": m} for pk, m in resultado.no_elegibles.items()]
            trabajo.errores = (trabajo.errores + nuevos)[:MAX_ERRORES_TRABAJO]
            trabajo.hechas += len(trozo)
            trabajo.emitidas += len(emitidas)
            trabajo.estado = TrabajoEmision.Estado.EN_PROCESO
            if trabajo.hechas >= trabajo.total:
                trabajo.estado = TrabajoEmision.Estado.TERMINADO
                trabajo.terminado_en = timezone.now()
            trabajo.save()
    except BaseException:
        _descartar(lote)
        raise
    return trabajo.estado == TrabajoEmision.Estado.EN_PROCESO


def procesar_trabajo_emision(*, trabajo_id: int) -> TrabajoEmision:
    """Run a job to the end, chunk by chunk; safe to call again after a crash."""
    while procesar_trozo_trabajo(trabajo_id=trabajo_id):
        pass
    return TrabajoEmision.objects.get(pk=trabajo_id)


def trabajos_detenidos(*, minutos: int = 15) -> list[int]:
    """Unfinished jobs with no progress for `minutos` (their worker or message was lost)."""
    limite = timezone.now() - datetime.timedelta(minutes=minutos)
    return list(
        TrabajoEmision.objects.filter(
            estado__in=[TrabajoEmision.Estado.PENDIENTE, TrabajoEmision.Estado.EN_PROCESO],
            actualizado_en__lt=limite,
        ).values_list("pk", flat=True)
    )


# --- Public verification ------------------------------------------------------


def registrar_consulta(
    *,
    medio: str,
    constancia: Constancia | None = None,
    constancia_id: int | None = None,
    dato: str,
    ip: str | None,
    agente: str,
) -> VerificacionConsulta | None:
    """Log one public verification lookup: buffered for `guardar_consultas`, or written now.

    Buffered (Redis in production) the lookup costs one append and no database write; it
    is returned as None and reaches the table with the next flush (every minute).
    """
    if constancia is not None:
        constancia_id = constancia.pk
    buffer = verificacion.pendientes()
    if buffer is None:
        return VerificacionConsulta.objects.create(
            medio=medio,
            constancia_id=constancia_id,
            encontrada=constancia_id is not None,
            dato=dato[:100],
            ip=ip,
            agente=agente[:255],
        )
    buffer.anotar(
        verificacion.entrada_de_consulta(
            medio=medio,
            constancia_id=constancia_id,
            dato=dato,
            ip=ip,
            agente=agente,
        )
    )
    return None


def guardar_consultas(*, lote: int = 5000) -> int:
    """Write the buffered lookups to the database, in batches; returns how many were read.

    One flusher at a time (a cache lock). Each batch is read from the head of the buffer,
    inserted, and only then trimmed: a flush cut short between the two steps inserts the
    same entries again next time, and their UUIDs make the second insert a no-op. An
    entry that cannot be read is logged and dropped rather than blocking the ones behind.
    """
    buffer = verificacion.pendientes()
    if buffer is None:
        return 0
    total = 0
    with verificacion.candado_de_vaciado() as obtenido:
        if not obtenido:
            return 0
        while entradas := buffer.leer(lote):
            filas = []
            for entrada in entradas:
                try:
                    datos = json.loads(entrada)
                    filas.append(
                        VerificacionConsulta(
                            clave=uuid.UUID(datos["clave"]),
                            medio=datos["medio"],
                            constancia_id=datos["constancia"],
                            encontrada=datos["constancia"] is not None,
                            dato=datos["dato"],
                            ip=datos["ip"],
                            agente=datos["agente"],
                            consultada_en=datetime.datetime.fromisoformat(datos["en"]),
                        )
                    )
                except (ValueError, KeyError, TypeError):
                    logger.exception("Consulta de verificación ilegible en el búfer; se omite.")
            # A constancia deleted meanwhile (never in normal use) leaves the lookup unlinked.
            existentes = set(
                Constancia.objects.filter(
                    pk__in={f.constancia_id for f in filas if f.constancia_id}
                ).values_list("pk", flat=True)
            )
            for fila in filas:
                if fila.constancia_id not in existentes:
                    fila.constancia_id = None
            with transaction.atomic():
                VerificacionConsulta.objects.bulk_create(
                    filas, batch_size=1000, ignore_conflicts=True
                )
            buffer.quitar(len(entradas))
            total += len(entradas)
    return total


def invalidar_paginas_de_verificacion() -> None:
    """Forget every cached verification page (after a change to what they show)."""
    verificacion.invalidar_verificacion()
