"""Exports of completion records built in the background, and who may download them."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.archivos import nombre_privado, privado


def _ruta_exportacion(instancia: ExportacionSolicitada, nombre: str) -> str:
    # Neither the id in the download URL nor the date: the user-facing file name is sent
    # only in the download's Content-Disposition.
    return nombre_privado("exportaciones", instancia.formato)


class ExportacionSolicitada(models.Model):
    """A large export of completion records requested by a coordinator."""

    class Formato(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Estado(models.TextChoices):
        PENDIENTE = "pendiente", _("En espera")
        EN_PROCESO = "en_proceso", _("En proceso")
        LISTA = "lista", _("Lista para descargar")
        FALLIDA = "fallida", _("Falló")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    solicitante = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("solicitante"),
        on_delete=models.CASCADE,
        related_name="exportaciones",
    )
    formato = models.CharField(_("formato"), max_length=4, choices=Formato.choices)
    filtros = models.JSONField(_("filtros"), default=dict, blank=True)
    estado = models.CharField(
        _("estado"), max_length=12, choices=Estado.choices, default=Estado.PENDIENTE
    )
    progreso = models.PositiveSmallIntegerField(_("progreso (%)"), default=0)
    total_filas = models.PositiveIntegerField(_("filas"), default=0)
    # The scope the file was built with; downloading it needs a scope that still covers it.
    nacional = models.BooleanField(_("de alcance nacional"), default=False)
    entidades = models.ManyToManyField(
        "lms.EntidadFederativa",
        verbose_name=_("entidades que abarca"),
        blank=True,
        related_name="+",
    )
    archivo = models.FileField(
        _("archivo"), upload_to=_ruta_exportacion, blank=True, storage=privado
    )
    creada_en = models.DateTimeField(_("solicitada en"), default=timezone.now)
    terminada_en = models.DateTimeField(_("terminada en"), null=True, blank=True)
    expira_en = models.DateTimeField(_("expira en"))

    class Meta:
        ordering = ["-creada_en"]
        verbose_name = _("exportación solicitada")
        verbose_name_plural = _("exportaciones solicitadas")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progreso__lte=100), name="exportacion_progreso_hasta_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_formato_display()} — {self.solicitante} — {self.creada_en:%Y-%m-%d}"

    def vencida(self, ahora: datetime.datetime | None = None) -> bool:
        return (ahora or timezone.now()) >= self.expira_en
