"""Exports of completion records (CSV and XLSX) and the weekly report to state coordinators.

Both formats are written row by row from `cursos.reportes.registros`, so memory
stays bounded whatever the number of rows: CSV is yielded in small byte chunks
for a streaming response, XLSX goes through openpyxl's write-only mode into a
temporary file.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from cursos import reportes
from cursos.models import ExportacionSolicitada, Inscripcion
from lms.models import EntidadFederativa, RegistroAuditoria, Rol, Usuario
from lms.services import registrar_auditoria
from lms.tabular import sin_formula

logger = logging.getLogger(__name__)

# Above this many rows an export is built in the background instead of in the request
# (CSV streams at about 15,000 rows/s; XLSX is several times slower, see BENCHMARKS.md).
MAX_FILAS_DIRECTAS = {"csv": 20_000, "xlsx": 5_000}
# How long a background export can be downloaded.
VIGENCIA_EXPORTACION = datetime.timedelta(hours=48)
# Rows between progress updates of a background export.
PASO_PROGRESO = 5_000


def encabezado(*, con_curp: bool) -> list[str]:
    """Column titles of the completion export, in Spanish."""
    return [
        _("Entidad federativa"),
        _("Órgano garante"),
        _("Sujeto obligado"),
        _("Ámbito"),
        _("Tipo"),
        _("Nombre(s)"),
        _("Apellidos"),
        _("CURP") if con_curp else _("CURP (enmascarada)"),
        _("Cargo"),
        _("Correo electrónico"),
        _("Curso"),
        _("Edición"),
        _("Fase actual"),
        _("Fecha de inscripción"),
        _("Avance (%)"),
        _("Asistencia (%)"),
        _("Calificación"),
        _("Horas acreditadas"),
        _("Fecha de acreditación"),
        _("Folio de constancia"),
        _("Fecha de emisión de la constancia"),
        _("Estado"),
    ]


def preparar_fila(*, con_curp: bool) -> Callable[[reportes.Registro], list[Any]]:
    """A function turning a record into an export row.

    Dates stay dates and numbers stay numbers, so spreadsheets sort them. The
    translated labels are looked up once here: a catalog lookup per row and column
    would cost more than everything else the row needs.
    """
    acreditado, en_curso, todas = _("Acreditado"), _("En curso"), _("Todas completas")
    retirada = str(Inscripcion.Estado.RETIRADA.label)
    zona = timezone.get_current_timezone()
    enmascarar = reportes.enmascarar_curp

    def fecha(valor: datetime.datetime | None) -> datetime.date | None:
        return valor.astimezone(zona).date() if valor is not None else None

    def fila(registro: reportes.Registro) -> list[Any]:
        if registro.acreditada_en is not None:
            estado = acreditado
        elif registro.estado_inscripcion == retirada:
            estado = retirada
        else:
            estado = en_curso
        return [
            registro.entidad,
            registro.organo_garante,
            registro.sujeto_obligado,
            registro.ambito,
            registro.tipo,
            registro.nombre,
            registro.apellidos,
            registro.curp if con_curp else enmascarar(registro.curp),
            registro.cargo,
            registro.email,
            registro.curso,
            registro.edicion,
            registro.avance.fase_actual or todas,
            fecha(registro.inscrita_en),
            registro.avance.porcentaje,
            registro.porcentaje_asistencia,
            float(registro.puntaje) if registro.puntaje is not None else None,
            registro.avance.horas,
            fecha(registro.acreditada_en),
            # Constancia folio and issue date: filled once constancias records issuance.
            "",
            None,
            estado,
        ]

    return fila


def _texto(valor: Any) -> Any:
    if valor is None:
        return ""
    if isinstance(valor, str):
        return sin_formula(valor)
    if isinstance(valor, datetime.date):
        return valor.strftime("%d/%m/%Y")
    return valor


def csv_en_partes(
    qs: Any, *, con_curp: bool, al_avanzar: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """The export as CSV in UTF-8 with BOM, yielded in chunks of about 64 KiB."""
    buffer = io.StringIO(newline="")
    escritor = csv.writer(buffer)
    buffer.write("\ufeff")
    escritor.writerow(encabezado(con_curp=con_curp))
    fila = preparar_fila(con_curp=con_curp)
    for numero, registro in enumerate(reportes.registros(qs), start=1):
        escritor.writerow([_texto(c) for c in fila(registro)])
        if buffer.tell() > 65_536:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
        if al_avanzar is not None and numero % PASO_PROGRESO == 0:
            al_avanzar(numero)
    yield buffer.getvalue().encode("utf-8")


def escribir_xlsx(
    qs: Any, destino: IO[bytes], *, con_curp: bool, al_avanzar: Callable[[int], None] | None = None
) -> int:
    """Write the export as XLSX (openpyxl write-only mode) into `destino`; returns the rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    libro = Workbook(write_only=True)
    hoja = libro.create_sheet(_("Registros"))
    negrita = Font(bold=True)
    titulos = []
    for titulo in encabezado(con_curp=con_curp):
        celda = WriteOnlyCell(hoja, value=titulo)
        celda.font = negrita
        titulos.append(celda)
    hoja.append(titulos)
    numero = 0
    fila = preparar_fila(con_curp=con_curp)
    for numero, registro in enumerate(reportes.registros(qs), start=1):
        hoja.append([sin_formula(c) if isinstance(c, str) else c for c in fila(registro)])
        if al_avanzar is not None and numero % PASO_PROGRESO == 0:
            al_avanzar(numero)
    libro.save(destino)
    return numero


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


def construir_exportacion(*, exportacion_id: int) -> ExportacionSolicitada | None:
    """Build a requested export's file, reporting progress; idempotent once it is ready.

    Runs outside a transaction on purpose: progress updates must be visible to the
    progress page while the file is written. The rows are those the requester may
    see at build time, through the same scoping function as the dashboard.
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

    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    enlace_tablero = base + reverse("cursos:tablero")
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
        entidad: EntidadFederativa = asignacion.entidad  # type: ignore[assignment]
        if entidad.pk not in cifras_por_entidad:
            cifras_por_entidad[entidad.pk] = reportes.cifras_por_entidad(entidad.pk)
        contexto = {
            "persona": asignacion.usuario,
            "entidad": entidad,
            "cifras": cifras_por_entidad[entidad.pk],
            "enlace_tablero": f"{enlace_tablero}?entidad={entidad.pk}",
            "enlace_exportacion": f"{base}{reverse('cursos:exportar', args=['xlsx'])}"
            f"?entidad={entidad.pk}",
        }
        with override(settings.LANGUAGE_CODE):
            asunto = _("Resumen semanal de la capacitación en %(entidad)s") % {
                "entidad": entidad.nombre
            }
            cuerpo = render_to_string("cursos/reportes/correo_semanal.txt", contexto)
        send_mail(asunto, cuerpo, None, [asignacion.usuario.email])
        enviados += 1
    return enviados
