"""A state's manifestación de interés: its commitment to a programme's yearly edition."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from cursos.models.paginas import ProgramaPage
    from lms.models import EntidadFederativa, Organizacion

ANIO_MINIMO = 2020
ANIO_MAXIMO = 2100


class ManifestacionInteres(models.Model):
    """One state's commitment to one programme in one year (the programme's edition).

    The edition of a programme is its year: an edition of one of its courses belongs
    to the year it starts in. One manifestación per programme, year and state; while
    the national coordination has not accepted it, a programme that requires it keeps
    enrolment closed to that state's people.
    """

    class Estado(models.TextChoices):
        BORRADOR = "borrador", _("Borrador")
        ENVIADA = "enviada", _("Enviada")
        CAMBIOS_SOLICITADOS = "cambios_solicitados", _("Cambios solicitados")
        ACEPTADA = "aceptada", _("Aceptada")

    programa: models.ForeignKey[ProgramaPage, ProgramaPage] = models.ForeignKey(
        "cursos.ProgramaPage",
        verbose_name=_("programa"),
        on_delete=models.PROTECT,
        related_name="manifestaciones",
    )
    anio: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(
        _("año de la edición del programa"),
        validators=[MinValueValidator(ANIO_MINIMO), MaxValueValidator(ANIO_MAXIMO)],
    )
    entidad: models.ForeignKey[EntidadFederativa, EntidadFederativa] = models.ForeignKey(
        "lms.EntidadFederativa",
        verbose_name=_("entidad federativa"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    organo_garante: models.ForeignKey[Organizacion | None, Organizacion | None] = models.ForeignKey(
        "lms.Organizacion",
        verbose_name=_("órgano garante"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sujetos_obligados: models.ManyToManyField[Organizacion, Any] = models.ManyToManyField(
        "lms.Organizacion",
        verbose_name=_("sujetos obligados que participarán"),
        blank=True,
        related_name="manifestaciones",
    )
    meta_personas_teorica: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(
        _("personas en la fase teórica"), default=0
    )
    meta_sujetos_teorica: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(
        _("sujetos obligados en la fase teórica"), default=0
    )
    meta_personas_practica: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(
        _("personas en la fase práctica"), default=0
    )
    meta_sujetos_practica: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(
        _("sujetos obligados en la fase práctica"), default=0
    )
    fecha_inicio_preferida: models.DateField[datetime.date | None, datetime.date | None] = (
        models.DateField(_("fecha de inicio preferida"), null=True, blank=True)
    )
    fecha_fin_preferida: models.DateField[datetime.date | None, datetime.date | None] = (
        models.DateField(_("fecha de término preferida"), null=True, blank=True)
    )
    observaciones: models.TextField[str, str] = models.TextField(_("observaciones"), blank=True)
    estado: models.CharField[str, str] = models.CharField(
        _("estado"), max_length=20, choices=Estado.choices, default=Estado.BORRADOR
    )
    creada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("creada por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    creada_en = models.DateTimeField(_("creada en"), auto_now_add=True)
    actualizada_en = models.DateTimeField(_("actualizada en"), auto_now=True)

    class Meta:
        ordering = ["-anio", "entidad__clave_inegi"]
        verbose_name = _("manifestación de interés")
        verbose_name_plural = _("manifestaciones de interés")
        constraints = [
            models.UniqueConstraint(
                fields=["programa", "anio", "entidad"], name="manifestacion_unica_por_entidad"
            ),
            models.CheckConstraint(
                condition=models.Q(fecha_inicio_preferida__isnull=True)
                | models.Q(fecha_fin_preferida__isnull=True)
                | models.Q(fecha_fin_preferida__gte=models.F("fecha_inicio_preferida")),
                name="manifestacion_fechas_en_orden",
            ),
            models.CheckConstraint(
                condition=models.Q(anio__gte=ANIO_MINIMO, anio__lte=ANIO_MAXIMO),
                name="manifestacion_anio_razonable",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programa.title} {self.anio} — {self.entidad.nombre}"

    @property
    def editable(self) -> bool:
        """The state edits it while it is a draft or changes were asked for."""
        return self.estado in (self.Estado.BORRADOR, self.Estado.CAMBIOS_SOLICITADOS)


class ContactoManifestacion(models.Model):
    """A contact person of the guarantor body for the programme."""

    manifestacion = models.ForeignKey(
        ManifestacionInteres, on_delete=models.CASCADE, related_name="contactos"
    )
    nombre: models.CharField[str, str] = models.CharField(_("nombre"), max_length=200)
    cargo: models.CharField[str, str] = models.CharField(_("cargo"), max_length=200, blank=True)
    correo: models.EmailField[str, str] = models.EmailField(_("correo electrónico"))
    telefono: models.CharField[str, str] = models.CharField(
        _("teléfono"), max_length=30, blank=True
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("persona de contacto")
        verbose_name_plural = _("personas de contacto")

    def __str__(self) -> str:
        return self.nombre


class DecisionManifestacion(models.Model):
    """One step of a manifestación's history: sent, changes asked for, accepted; never edited."""

    class Accion(models.TextChoices):
        ENVIADA = "enviada", _("Enviada a la coordinación nacional")
        CAMBIOS_SOLICITADOS = "cambios_solicitados", _("Cambios solicitados")
        ACEPTADA = "aceptada", _("Aceptada")

    manifestacion = models.ForeignKey(
        ManifestacionInteres, on_delete=models.CASCADE, related_name="historial"
    )
    accion: models.CharField[str, str] = models.CharField(
        _("acción"), max_length=20, choices=Accion.choices
    )
    comentario: models.TextField[str, str] = models.TextField(_("comentario"), blank=True)
    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persona"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    usuario_email: models.EmailField[str, str] = models.EmailField(
        _("correo de quien actuó"), blank=True
    )
    registrada_en = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        ordering = ["registrada_en", "pk"]
        verbose_name = _("paso del historial de la manifestación")
        verbose_name_plural = _("historial de la manifestación")

    def __str__(self) -> str:
        return f"{self.registrada_en:%Y-%m-%d %H:%M} {self.accion}"
