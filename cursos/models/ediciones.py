"""Editions of a course, enrolments, live sessions and the facts of progress."""

from __future__ import annotations

import datetime
import secrets
import uuid
from typing import TYPE_CHECKING, Any

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.search import index

if TYPE_CHECKING:
    from cursos.models.paginas import CursoPage
    from lms.models import EntidadFederativa, Organizacion

# Check-in codes avoid letters and digits that are easy to confuse (0/O, 1/I/L).
ALFABETO_CODIGO = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# How long before the start and after the end of a session check-in stays open.
MARGEN_REGISTRO = datetime.timedelta(minutes=15)


def generar_codigo_asistencia() -> str:
    return "".join(secrets.choice(ALFABETO_CODIGO) for _ in range(6))


class Edicion(index.Indexed, ClusterableModel):
    """A dated run of a course for a cohort."""

    class Modalidad(models.TextChoices):
        VIRTUAL = "virtual", _("Virtual")
        PRESENCIAL = "presencial", _("Presencial")
        MIXTA = "mixta", _("Mixta")

    curso: models.ForeignKey[CursoPage, CursoPage] = models.ForeignKey(
        "cursos.CursoPage",
        verbose_name=_("curso"),
        on_delete=models.PROTECT,
        related_name="ediciones",
    )
    nombre: models.CharField[str, str] = models.CharField(
        _("nombre"), max_length=200, help_text=_("Por ejemplo: Grupo 2026-1.")
    )
    modalidad: models.CharField[str, str] = models.CharField(
        _("modalidad"), max_length=12, choices=Modalidad.choices, default=Modalidad.VIRTUAL
    )
    sede: models.CharField[str, str] = models.CharField(
        _("sede"),
        max_length=255,
        blank=True,
        help_text=_("Solo para modalidad presencial o mixta."),
    )
    inscripcion_abre: models.DateTimeField[datetime.datetime, datetime.datetime] = (
        models.DateTimeField(_("la inscripción abre"))
    )
    inscripcion_cierra: models.DateTimeField[datetime.datetime, datetime.datetime] = (
        models.DateTimeField(_("la inscripción cierra"))
    )
    fecha_inicio: models.DateField[datetime.date, datetime.date] = models.DateField(
        _("fecha de inicio")
    )
    fecha_fin: models.DateField[datetime.date, datetime.date] = models.DateField(
        _("fecha de término")
    )
    cupo: models.PositiveIntegerField[int | None, int | None] = models.PositiveIntegerField(
        _("cupo"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Vacío para no limitar el número de personas inscritas."),
    )
    autoinscripcion: models.BooleanField[bool, bool] = models.BooleanField(
        _("permite autoinscripción"),
        default=True,
        help_text=_("Si no, solo la coordinación inscribe a las personas."),
    )
    entidades: models.ManyToManyField[EntidadFederativa, Any] = models.ManyToManyField(
        "lms.EntidadFederativa",
        verbose_name=_("entidades que pueden inscribirse"),
        blank=True,
        related_name="+",
        help_text=_("Vacío: personas de cualquier entidad."),
    )
    organizaciones: models.ManyToManyField[Organizacion, Any] = models.ManyToManyField(
        "lms.Organizacion",
        verbose_name=_("organizaciones que pueden inscribirse"),
        blank=True,
        related_name="+",
        help_text=_("Vacío: personas de cualquier organización."),
    )
    creada_en: models.DateTimeField[datetime.datetime, datetime.datetime] = models.DateTimeField(
        _("creada en"), auto_now_add=True
    )

    panels = [
        FieldPanel("curso"),
        FieldPanel("nombre"),
        FieldRowPanel([FieldPanel("modalidad"), FieldPanel("sede")]),
        FieldRowPanel([FieldPanel("inscripcion_abre"), FieldPanel("inscripcion_cierra")]),
        FieldRowPanel([FieldPanel("fecha_inicio"), FieldPanel("fecha_fin")]),
        MultiFieldPanel(
            [
                FieldPanel("cupo"),
                FieldPanel("autoinscripcion"),
                FieldPanel("entidades"),
                FieldPanel("organizaciones"),
            ],
            heading=_("Quién puede inscribirse"),
        ),
        InlinePanel("sesiones", heading=_("Sesiones en vivo"), label=_("Sesión en vivo")),
    ]
    search_fields = [
        index.SearchField("nombre"),
        index.AutocompleteField("nombre"),
        index.FilterField("id"),
    ]

    class Meta:
        ordering = ["-fecha_inicio", "nombre"]
        verbose_name = _("edición")
        verbose_name_plural = _("ediciones")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fecha_fin__gte=models.F("fecha_inicio")),
                name="edicion_fechas_en_orden",
            ),
            models.CheckConstraint(
                condition=models.Q(inscripcion_cierra__gt=models.F("inscripcion_abre")),
                name="edicion_ventana_inscripcion_en_orden",
            ),
            models.CheckConstraint(
                condition=models.Q(cupo__isnull=True) | models.Q(cupo__gte=1),
                name="edicion_cupo_positivo",
            ),
            models.UniqueConstraint(
                fields=["curso", "nombre"], name="edicion_nombre_unico_por_curso"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.curso.title} — {self.nombre}"

    def inscripcion_abierta(self, ahora: datetime.datetime | None = None) -> bool:
        ahora = ahora or timezone.now()
        return self.inscripcion_abre <= ahora < self.inscripcion_cierra

    def por_comenzar(self, hoy: datetime.date | None = None) -> bool:
        """Before its first day: enrolled people cannot open its lessons yet."""
        return (hoy or timezone.localdate()) < self.fecha_inicio

    def terminada(self, hoy: datetime.date | None = None) -> bool:
        """After its last day: lessons stay readable, but no more progress is recorded."""
        return (hoy or timezone.localdate()) > self.fecha_fin


class Inscripcion(models.Model):
    """A person's enrolment in an edition; one per person and edition, withdrawals kept."""

    class Estado(models.TextChoices):
        ACTIVA = "activa", _("Activa")
        RETIRADA = "retirada", _("Retirada")

    class Origen(models.TextChoices):
        AUTOINSCRIPCION = "autoinscripcion", _("Autoinscripción")
        COORDINACION = "coordinacion", _("Inscripción por la coordinación")
        CARGA_MASIVA = "carga_masiva", _("Carga masiva")

    edicion = models.ForeignKey(
        Edicion, verbose_name=_("edición"), on_delete=models.PROTECT, related_name="inscripciones"
    )
    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persona"),
        on_delete=models.PROTECT,
        related_name="inscripciones",
    )
    estado = models.CharField(
        _("estado"), max_length=10, choices=Estado.choices, default=Estado.ACTIVA
    )
    origen = models.CharField(
        _("origen"), max_length=20, choices=Origen.choices, default=Origen.AUTOINSCRIPCION
    )
    inscrita_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inscrita por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    inscrita_en = models.DateTimeField(_("inscrita en"), default=timezone.now)
    retirada_en = models.DateTimeField(_("retirada en"), null=True, blank=True)
    # Cache of the course completion derived by cursos.progreso from the stored facts;
    # cursos.services.actualizar_completitud rewrites it on every change of those facts.
    completada_en = models.DateTimeField(_("curso acreditado en"), null=True, blank=True)
    # The rest of the derived progress, stored by the same function in the same write, so
    # reports aggregate columns instead of deriving every row (see cursos.models.avance).
    fases_completadas = models.PositiveSmallIntegerField(_("fases completadas seguidas"), default=0)
    fases_total = models.PositiveSmallIntegerField(_("fases del curso"), default=0)
    fase_actual = models.ForeignKey(
        "cursos.FasePage",
        verbose_name=_("fase actual"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    avance = models.PositiveSmallIntegerField(_("avance (%)"), default=0)
    asistencia = models.PositiveSmallIntegerField(_("asistencia (%)"), null=True, blank=True)
    calificacion = models.DecimalField(
        _("calificación"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    horas_acreditadas = models.PositiveSmallIntegerField(_("horas acreditadas"), default=0)
    avance_calculado_en = models.DateTimeField(_("avance calculado en"), null=True, blank=True)

    class Meta:
        ordering = ["-inscrita_en"]
        verbose_name = _("inscripción")
        verbose_name_plural = _("inscripciones")
        constraints = [
            models.UniqueConstraint(
                fields=["usuario", "edicion"], name="inscripcion_unica_por_edicion"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(estado="activa", retirada_en__isnull=True)
                    | models.Q(estado="retirada", retirada_en__isnull=False)
                ),
                name="inscripcion_retiro_con_fecha",
            ),
        ]
        indexes = [models.Index(fields=["edicion", "estado"], name="inscripcion_edicion_estado")]

    def __str__(self) -> str:
        return f"{self.usuario} — {self.edicion}"

    @property
    def activa(self) -> bool:
        return self.estado == self.Estado.ACTIVA


class SesionEnVivo(models.Model):
    """A live session of an edition, within one phase of the course."""

    edicion = ParentalKey(
        Edicion, verbose_name=_("edición"), on_delete=models.CASCADE, related_name="sesiones"
    )
    fase = models.ForeignKey(
        "cursos.FasePage",
        verbose_name=_("fase"),
        on_delete=models.PROTECT,
        related_name="sesiones",
    )
    titulo = models.CharField(_("título"), max_length=200)
    inicio = models.DateTimeField(_("inicio"))
    duracion_minutos = models.PositiveSmallIntegerField(
        _("duración (minutos)"), default=90, validators=[MinValueValidator(1)]
    )
    enlace = models.URLField(_("enlace de la reunión"), blank=True)
    lugar = models.CharField(_("lugar"), max_length=255, blank=True)
    codigo_asistencia = models.CharField(
        _("código de asistencia"),
        max_length=12,
        default=generar_codigo_asistencia,
        help_text=_("Se comparte durante la sesión para registrar la asistencia."),
    )
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)

    panels = [
        FieldPanel("fase"),
        FieldPanel("titulo"),
        FieldRowPanel([FieldPanel("inicio"), FieldPanel("duracion_minutos")]),
        FieldPanel("enlace"),
        FieldPanel("lugar"),
        FieldPanel("codigo_asistencia"),
    ]

    class Meta:
        ordering = ["inicio"]
        verbose_name = _("sesión en vivo")
        verbose_name_plural = _("sesiones en vivo")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duracion_minutos__gte=1), name="sesion_duracion_positiva"
            )
        ]

    def __str__(self) -> str:
        return self.titulo

    def clean(self) -> None:
        super().clean()
        if self.fase_id and self.edicion_id:
            from cursos.models.paginas import CursoPage

            curso = CursoPage.objects.filter(pk=self.edicion.curso_id).first()
            if curso is not None and not self.fase.path.startswith(curso.path):
                raise ValidationError(
                    {"fase": _("La fase debe pertenecer al curso de esta edición.")}
                )

    @property
    def fin(self) -> datetime.datetime:
        return self.inicio + datetime.timedelta(minutes=self.duracion_minutos)

    def registro_abierto(self, ahora: datetime.datetime | None = None) -> bool:
        ahora = ahora or timezone.now()
        return self.inicio - MARGEN_REGISTRO <= ahora <= self.fin + MARGEN_REGISTRO


class Asistencia(models.Model):
    """The fact that a person attended a live session; one per person and session."""

    class Origen(models.TextChoices):
        CODIGO = "codigo", _("Código de la sesión")
        MANUAL = "manual", _("Registro manual")
        REPORTE = "reporte", _("Reporte de la plataforma de reuniones")

    sesion = models.ForeignKey(
        SesionEnVivo, verbose_name=_("sesión"), on_delete=models.CASCADE, related_name="asistencias"
    )
    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persona"),
        on_delete=models.PROTECT,
        related_name="asistencias",
    )
    origen = models.CharField(_("origen"), max_length=10, choices=Origen.choices)
    minutos = models.PositiveSmallIntegerField(_("minutos conectada"), null=True, blank=True)
    registrada_en = models.DateTimeField(_("registrada en"), default=timezone.now)
    registrada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrada por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["sesion", "usuario"]
        verbose_name = _("asistencia")
        verbose_name_plural = _("asistencias")
        constraints = [
            models.UniqueConstraint(
                fields=["sesion", "usuario"], name="asistencia_unica_por_sesion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.usuario} — {self.sesion}"

    @property
    def fecha_hecho(self) -> datetime.datetime:
        """When the attendance happened: check-in time, or the session end if recorded later."""
        return min(self.registrada_en, self.sesion.fin)


class ProgresoLeccion(models.Model):
    """The fact that an enrolled person completed a lesson; one per enrolment and lesson."""

    inscripcion = models.ForeignKey(
        Inscripcion,
        verbose_name=_("inscripción"),
        on_delete=models.CASCADE,
        related_name="lecciones_completadas",
    )
    leccion = models.ForeignKey(
        "cursos.LeccionPage",
        verbose_name=_("lección"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    completada_en = models.DateTimeField(_("completada en"), default=timezone.now)

    class Meta:
        ordering = ["completada_en"]
        verbose_name = _("lección completada")
        verbose_name_plural = _("lecciones completadas")
        constraints = [
            models.UniqueConstraint(
                fields=["inscripcion", "leccion"], name="progreso_leccion_unico"
            )
        ]

    def __str__(self) -> str:
        return f"{self.inscripcion} — {self.leccion_id}"
