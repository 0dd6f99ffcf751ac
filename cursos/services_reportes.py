"""Exports of completion records (CSV and XLSX) and the weekly report to state coordinators.

Both formats are written row by row from `cursos.reportes.celdas_de_registros`, so
memory stays bounded whatever the number of rows: CSV is yielded in small byte chunks
for a streaming response, XLSX is streamed into a zip in a temporary file
(openpyxl stays for reading uploaded spreadsheets and for checking these files).
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import tempfile
from collections.abc import Callable, Iterator
from functools import partial
from itertools import islice
from operator import methodcaller
from typing import IO, Any

import xlsxwriter

from django.conf import settings
from django.core.files import File
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from cursos import columnas_exportacion, reportes
from cursos.models import ExportacionSolicitada
from lms.alcance import alcance_de
from lms.direcciones import url_publica
from lms.models import EntidadFederativa, RegistroAuditoria, Rol, Usuario
from lms.services import registrar_auditoria
from lms.tabular import sin_formula

logger = logging.getLogger(__name__)

# Above this many rows an export is built in the background instead of in the request
# (CSV streams at about 100,000 rows in 2 s; XLSX is several times slower, see BENCHMARKS.md).
MAX_FILAS_DIRECTAS = {"csv": 100_000, "xlsx": 20_000}
# How long a background export can be downloaded.
VIGENCIA_EXPORTACION = datetime.timedelta(hours=48)
# Rows between progress updates of a background export.
PASO_PROGRESO = 5_000


def encabezado(*, con_curp: bool) -> list[str]:
    """Column titles of the completion export, in Spanish, from the declared columns."""
    return [c.titulo(completo=con_curp) for c in columnas_exportacion.columnas()]


# Rows written to the CSV buffer between chunks (about 100 KiB).
FILAS_POR_PARTE = 500


def csv_en_partes(
    qs: Any, *, con_curp: bool, al_avanzar: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """The export as CSV in UTF-8 with BOM, yielded in chunks of a few hundred rows.

    Dates are written as dd/mm/aaaa, as Excel in Mexico reads them; text that a
    spreadsheet could run as a formula is neutralized (names shared by many rows,
    such as institutions and editions, once each).
    """
    columnas = columnas_exportacion.columnas()
    buffer = io.StringIO(newline="")
    escritor = csv.writer(buffer)
    buffer.write("\ufeff")
    escritor.writerow([c.titulo(completo=con_curp) for c in columnas])
    filas = reportes.celdas_de_registros(
        qs, columnas=columnas, formatos=[_formato_csv(c, con_curp=con_curp) for c in columnas]
    )
    numero = 0
    # Each batch of rows is taken and written by C code (islice, writerows).
    while lote := list(islice(filas, FILAS_POR_PARTE)):
        escritor.writerows(lote)
        numero += len(lote)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        if al_avanzar is not None and numero % PASO_PROGRESO < len(lote):
            al_avanzar(numero)
    if buffer.tell():  # no rows: the header alone
        yield buffer.getvalue().encode("utf-8")


_DD_MM_AAAA = methodcaller("strftime", "%d/%m/%Y")


def _formato_csv(
    columna: columnas_exportacion.Columna, *, con_curp: bool
) -> Callable[[Any], Any] | None:
    """How one column's value is written to the CSV (None: as read).

    Dates as dd/mm/aaaa, as Excel in Mexico reads them; text never as a formula.
    """
    if columna.tipo is columnas_exportacion.Tipo.FECHA:
        return _DD_MM_AAAA
    if columna.tipo is columnas_exportacion.Tipo.NUMERO:
        return None
    if columna.enmascarar is not None and not con_curp:
        return columna.enmascarar
    if columna.confiable:
        return None
    return sin_formula


# Day 0 of Excel's date serial numbers (with its 1900 leap-year quirk accounted for).
EPOCA_EXCEL = datetime.date(1899, 12, 30)
# Control characters XML 1.0 does not allow in text: dropped rather than escaped as _xHHHH_.
_SIN_CONTROL = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])


def _sin_control(valor: str | None) -> str | None:
    """`valor` without the control characters XML cannot hold (most text has none)."""
    return valor if valor is None or valor.isprintable() else valor.translate(_SIN_CONTROL)


def _serial_excel(fecha: datetime.date) -> int:
    return (fecha - EPOCA_EXCEL).days


def escribir_xlsx(
    qs: Any, destino: IO[bytes], *, con_curp: bool, al_avanzar: Callable[[int], None] | None = None
) -> int:
    """Write the export as XLSX into `destino`; returns the rows.

    XlsxWriter in `constant_memory` mode flushes each row to a temporary file
    as soon as the next one starts, so memory stays flat whatever the rows.
    Text is always written with `write_string` (a spreadsheet never reads it as
    a formula), numbers as numbers and dates as serial numbers with a
    dd/mm/aaaa format, each distinct date converted once.
    """
    libro = xlsxwriter.Workbook(
        destino,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "tmpdir": tempfile.gettempdir(),
        },
    )
    hoja = libro.add_worksheet(_("Registros"))
    negrita = libro.add_format({"bold": True})
    formato_fecha = libro.add_format({"num_format": "dd/mm/yyyy"})
    columnas = columnas_exportacion.columnas()
    for columna, declarada in enumerate(columnas):
        hoja.set_column(columna, columna, declarada.ancho)
    hoja.freeze_panes(1, 0)
    hoja.write_row(0, 0, [c.titulo(completo=con_curp) for c in columnas], negrita)
    escritores = [_escritor_xlsx(c, hoja, formato_fecha=formato_fecha) for c in columnas]
    filas = reportes.celdas_de_registros(
        qs, columnas=columnas, formatos=[_formato_xlsx(c, con_curp=con_curp) for c in columnas]
    )
    indices = range(len(columnas))
    numero = 0
    for numero, celdas in enumerate(filas, start=1):
        for columna, escribir, valor in zip(indices, escritores, celdas, strict=True):
            # Empty cells are left unwritten, as a spreadsheet shows them.
            if valor is not None and valor != "":
                escribir(numero, columna, valor)
        if al_avanzar is not None and numero % PASO_PROGRESO == 0:
            al_avanzar(numero)
    libro.close()
    return numero


def _formato_xlsx(
    columna: columnas_exportacion.Columna, *, con_curp: bool
) -> Callable[[Any], Any] | None:
    """How one column's value becomes its cell in the sheet (None: as read).

    Text without the control characters XML cannot hold; dates as Excel's serial
    numbers; numbers as they are.
    """
    if columna.tipo is columnas_exportacion.Tipo.FECHA:
        return _serial_excel
    if columna.tipo is columnas_exportacion.Tipo.NUMERO:
        return None
    if columna.enmascarar is not None and not con_curp:
        return columna.enmascarar
    if columna.confiable:
        return None
    return _sin_control


def _escritor_xlsx(
    columna: columnas_exportacion.Columna, hoja: Any, *, formato_fecha: Any
) -> Callable[..., Any]:
    """How one column's non-empty cell is written to the sheet.

    Text always with `write_string` (a spreadsheet never reads it as a formula),
    numbers as numbers, dates as serial numbers with a dd/mm/aaaa format.
    """
    if columna.tipo is columnas_exportacion.Tipo.FECHA:
        return partial(hoja.write_number, cell_format=formato_fecha)
    if columna.tipo is columnas_exportacion.Tipo.NUMERO:
        return hoja.write_number
    return hoja.write_string


def nombre_archivo(formato: str) -> str:
    return f"registros-de-acreditacion-{timezone.localdate():%Y-%m-%d}.{formato}"


@transaction.atomic
def solicitar_exportacion(
    *, usuario: Usuario, filtros: reportes.Filtros, formato: str, filas: int
) -> ExportacionSolicitada:
    """Record a background export and queue it once this transaction commits."""
    from cursos.tasks import exportar_registros_task

    exportacion = ExportacionSolicitada.objects.create(
        solicitante=usuario,
        formato=formato,
        filtros=filtros.como_json(),
        total_filas=filas,
        expira_en=timezone.now() + VIGENCIA_EXPORTACION,
    )
    _anotar_alcance(exportacion, usuario)
    registrar_auditoria(
        usuario=usuario,
        accion=RegistroAuditoria.Accion.EXPORTACION_SOLICITADA,
        filtros={**filtros.como_json(), "formato": formato},
        filas=filas,
        objeto=str(exportacion.uid),
    )
    transaction.on_commit(
        lambda: exportar_registros_task.apply_async(args=[exportacion.pk], queue="exportaciones")
    )
    return exportacion


def _anotar_alcance(exportacion: ExportacionSolicitada, usuario: Usuario) -> bool:
    """Record on the export the requester's scope now; False if they coordinate nothing."""
    alcance = alcance_de(usuario)
    if exportacion.nacional != alcance.nacional:
        exportacion.nacional = alcance.nacional
        exportacion.save(update_fields=["nacional"])
    exportacion.entidades.set([] if alcance.nacional else sorted(alcance.entidades))
    return alcance.coordina


def construir_exportacion(*, exportacion_id: int) -> ExportacionSolicitada | None:
    """Build a requested export's file, reporting progress; idempotent once it is ready.

    Runs outside a transaction on purpose: progress updates must be visible to the
    progress page while the file is written. The rows are those the requester may
    see at build time, through the same scoping function as the dashboard, and that
    scope is recorded on the export: downloading it later needs a scope that still
    covers it. A requester who no longer coordinates gets no file.
    """
    exportacion = (
        ExportacionSolicitada.objects.select_related("solicitante")
        .filter(pk=exportacion_id)
        .first()
    )
    if exportacion is None or exportacion.estado == ExportacionSolicitada.Estado.LISTA:
        return exportacion
    ExportacionSolicitada.objects.filter(pk=exportacion.pk).update(
        estado=ExportacionSolicitada.Estado.EN_PROCESO, progreso=0
    )
    usuario = exportacion.solicitante
    if not _anotar_alcance(exportacion, usuario):
        ExportacionSolicitada.objects.filter(pk=exportacion.pk).update(
            estado=ExportacionSolicitada.Estado.FALLIDA
        )
        exportacion.estado = ExportacionSolicitada.Estado.FALLIDA
        return exportacion
    filtros = reportes.Filtros.desde_json(exportacion.filtros)
    qs = reportes.inscripciones_filtradas(usuario, filtros)
    total = max(qs.count(), 1)
    con_curp = reportes.puede_ver_curp(usuario)

    def al_avanzar(hechas: int) -> None:
        ExportacionSolicitada.objects.filter(pk=exportacion.pk).update(
            progreso=min(99, 100 * hechas // total)
        )

    try:
        with tempfile.TemporaryFile() as temporal:
            if exportacion.formato == ExportacionSolicitada.Formato.XLSX:
                filas = escribir_xlsx(qs, temporal, con_curp=con_curp, al_avanzar=al_avanzar)
            else:
                filas = 0
                for parte in csv_en_partes(qs, con_curp=con_curp, al_avanzar=al_avanzar):
                    temporal.write(parte)
                filas = total
            temporal.seek(0)
            exportacion.archivo.save(
                nombre_archivo(exportacion.formato), File(temporal), save=False
            )
    except Exception:
        logger.exception("La exportación %s falló", exportacion.pk)
        ExportacionSolicitada.objects.filter(pk=exportacion.pk).update(
            estado=ExportacionSolicitada.Estado.FALLIDA
        )
        raise
    exportacion.estado = ExportacionSolicitada.Estado.LISTA
    exportacion.progreso = 100
    exportacion.total_filas = filas
    exportacion.terminada_en = timezone.now()
    exportacion.save(update_fields=["archivo", "estado", "progreso", "total_filas", "terminada_en"])
    return exportacion


def borrar_exportaciones_vencidas(*, ahora: datetime.datetime | None = None) -> int:
    """Delete expired exports and their files; returns how many were removed."""
    ahora = ahora or timezone.now()
    borradas = 0
    for exportacion in ExportacionSolicitada.objects.filter(expira_en__lte=ahora):
        if exportacion.archivo:
            exportacion.archivo.delete(save=False)
        exportacion.delete()
        borradas += 1
    return borradas


def enviar_reportes_semanales() -> int:
    """Email each state coordinator their state's key figures; returns the emails sent.

    Reads only aggregate counts, so it is safe to rerun; a rerun sends again.
    """
    from lms.models import AsignacionRol

    enlace_tablero = url_publica(reverse("cursos:tablero"))
    enviados = 0
    asignaciones = (
        AsignacionRol.objects.filter(
            rol=Rol.COORDINADOR_ESTATAL, usuario__is_active=True, entidad__isnull=False
        )
        .select_related("usuario", "entidad")
        .order_by("entidad__clave_inegi", "usuario_id")
    )
    cifras_por_entidad: dict[int, dict[str, int]] = {}
    for asignacion in asignaciones:
        # The query asks for entidad__isnull=False, so it is never None.
        entidad: EntidadFederativa = asignacion.entidad  # type: ignore[assignment]
        if entidad.pk not in cifras_por_entidad:
            cifras_por_entidad[entidad.pk] = reportes.cifras_por_entidad(entidad.pk)
        contexto = {
            "persona": asignacion.usuario,
            "entidad": entidad,
            "cifras": cifras_por_entidad[entidad.pk],
            "enlace_tablero": f"{enlace_tablero}?entidad={entidad.pk}",
            "enlace_exportacion": url_publica(reverse("cursos:exportar", args=["xlsx"]))
            + f"?entidad={entidad.pk}",
        }
        with override(settings.LANGUAGE_CODE):
            asunto = _("Resumen semanal de la capacitación en %(entidad)s") % {
                "entidad": entidad.nombre
            }
            cuerpo = render_to_string("cursos/reportes/correo_semanal.txt", contexto)
        send_mail(asunto, cuerpo, None, [asignacion.usuario.email])
        enviados += 1
    return enviados
