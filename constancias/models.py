"""Constancia templates (edited in the Wagtail admin) and folio series."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.images.models import AbstractImage
from wagtail.models import DraftStateMixin, Orderable, PreviewableMixin, RevisionMixin
from wagtail.search import index

from constancias import pdf
from lms.archivos import privado

if TYPE_CHECKING:
    from lms.models import Organizacion

CUERPO_PREDETERMINADO = (
    "por haber acreditado la {fase} del curso {curso}, con una duración de {horas} horas, "
    "impartido {periodo} en modalidad {modalidad}."
)


def url_de_imagen(imagen: Any) -> str | None:
    """A URL WeasyPrint can read for a Wagtail image: its file on disk, or its storage URL."""
    if imagen is None:
        return None
    archivo = imagen.file
    try:
        return Path(archivo.path).as_uri()
    except NotImplementedError:
        return archivo.url


class PlantillaConstancia(
    DraftStateMixin, RevisionMixin, PreviewableMixin, index.Indexed, ClusterableModel
):
    """The printed design of a constancia: page, images, issuers, signatories and text."""

    class Tamano(models.TextChoices):
        CARTA = "letter", _("Carta")
        OFICIO = "legal", _("Oficio")
        A4 = "A4", _("A4")

    class Orientacion(models.TextChoices):
        HORIZONTAL = "landscape", _("Horizontal")
        VERTICAL = "portrait", _("Vertical")

    nombre: models.CharField[str, str] = models.CharField(
        _("nombre"),
        max_length=150,
        unique=True,
        help_text=_("Para identificarla en la administración; no se imprime."),
    )
    tamano: models.CharField[str, str] = models.CharField(
        _("tamaño de página"), max_length=10, choices=Tamano.choices, default=Tamano.CARTA
    )
    orientacion: models.CharField[str, str] = models.CharField(
        _("orientación"),
        max_length=10,
        choices=Orientacion.choices,
        default=Orientacion.HORIZONTAL,
    )
    fondo: models.ForeignKey[AbstractImage | None, AbstractImage | None] = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("imagen de fondo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Ocupa toda la hoja; use una imagen clara para que el texto se lea."),
    )
    sello: models.ForeignKey[AbstractImage | None, AbstractImage | None] = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("sello"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Sello de la institución, redondo y con fondo transparente; se imprime entre las "
            "firmas."
        ),
    )
    titulo: models.CharField[str, str] = models.CharField(
        _("título"), max_length=100, default="Constancia"
    )
    texto_previo: models.CharField[str, str] = models.CharField(
        _("texto antes del nombre"), max_length=200, default="otorga la presente constancia a"
    )
    cuerpo: models.TextField[str, str] = models.TextField(
        _("texto de la constancia"),
        default=CUERPO_PREDETERMINADO,
        help_text=_(
            "Se imprime después del nombre. Marcadores disponibles: {nombre}, {curso}, "
            "{fase}, {horas}, {fecha_inicio}, {fecha_fin}, {periodo}, {modalidad}, {lugar}, "
            "{fecha_emision} y {folio}."
        ),
    )
    lugar_emision: models.CharField[str, str] = models.CharField(
        _("lugar de emisión"), max_length=150, default="Ciudad de México"
    )
    prefijo_folio: models.CharField[str, str] = models.CharField(
        _("prefijo del folio"),
        max_length=10,
        default="TP",
        validators=[
            RegexValidator(
                r"^[A-Z0-9]{1,10}$",
                _("Use de 1 a 10 letras mayúsculas sin acentos o dígitos, por ejemplo TP."),
            )
        ],
        help_text=_("Los folios se numeran por prefijo y año: TP-2026-000123."),
    )
    reverso: models.BooleanField[bool, bool] = models.BooleanField(
        _("imprimir reverso con los contenidos"),
        default=False,
        help_text=_("Agrega una segunda hoja con los temas estudiados en el curso."),
    )
    reverso_titulo: models.CharField[str, str] = models.CharField(
        _("título del reverso"), max_length=150, default="Contenidos estudiados"
    )
    creada_en: models.DateTimeField[datetime.datetime, datetime.datetime] = models.DateTimeField(
        _("creada en"), auto_now_add=True
    )
    actualizada_en: models.DateTimeField[datetime.datetime, datetime.datetime] = (
        models.DateTimeField(_("actualizada en"), auto_now=True)
    )

    panels = [
        FieldPanel("nombre"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("tamano"), FieldPanel("orientacion")]),
                FieldPanel("fondo"),
            ],
            heading=_("Página"),
        ),
        InlinePanel("logotipos", label=_("Logotipos"), max_num=4),
        InlinePanel(
            "emisores",
            label=_("Institución emisora"),
            min_num=1,
            max_num=4,
            help_text=_("Instituciones que otorgan la constancia, en el orden en que se imprimen."),
        ),
        MultiFieldPanel(
            [
                FieldPanel("titulo"),
                FieldPanel("texto_previo"),
                FieldPanel("cuerpo"),
                FieldRowPanel([FieldPanel("lugar_emision"), FieldPanel("prefijo_folio")]),
            ],
            heading=_("Texto"),
        ),
        InlinePanel("firmantes", label=_("Firmante"), max_num=4),
        FieldPanel("sello"),
        MultiFieldPanel(
            [FieldPanel("reverso"), FieldPanel("reverso_titulo")], heading=_("Reverso")
        ),
    ]

    search_fields = [
        index.SearchField("nombre"),
        index.AutocompleteField("nombre"),
        index.FilterField("id"),
    ]

    class Meta:
        ordering = ["nombre"]
        verbose_name = _("plantilla de constancia")
        verbose_name_plural = _("plantillas de constancia")

    def __str__(self) -> str:
        return self.nombre

    def clean(self) -> None:
        super().clean()
        try:
            pdf.validar_cuerpo(self.cuerpo or "")
        except pdf.PlantillaInvalida as error:
            raise ValidationError({"cuerpo": str(error)}) from error

    def diseno(
        self, *, fecha: datetime.date | None = None, contenidos: list[str] | None = None
    ) -> dict[str, Any]:
        """The frozen design for the PDF engine, with issuer names as they were on `fecha`."""
        fecha = fecha or datetime.date.today()  # noqa: DTZ011
        return {
            "tamano": self.tamano,
            "orientacion": self.orientacion,
            "fondo": url_de_imagen(self.fondo),
            "sello": url_de_imagen(self.sello),
            "logos": [
                url_de_imagen(logo.imagen) for logo in self.logotipos.all() if logo.imagen_id
            ],
            "emisores": [e.nombre_impreso(fecha) for e in self.emisores.all()],
            "titulo": self.titulo,
            "texto_previo": self.texto_previo,
            "cuerpo": self.cuerpo,
            "firmantes": [
                {"nombre": f.nombre, "cargo": f.cargo, "firma": url_de_imagen(f.firma)}
                for f in self.firmantes.all()
            ],
            "reverso": self.reverso,
            "reverso_titulo": self.reverso_titulo,
            "contenidos": list(contenidos or []),
        }

    # --- Preview with sample data -----------------------------------------------

    @property
    def preview_modes(self) -> list[tuple[str, Any]]:
        return [("pdf", _("PDF con datos de muestra"))]

    @property
    def default_preview_size(self) -> str:
        return "desktop"

    def serve_preview(self, request: HttpRequest, mode_name: str) -> HttpResponse:
        from constancias.muestras import CONTENIDOS_MUESTRA, DATOS_MUESTRA

        diseno = self.diseno(contenidos=CONTENIDOS_MUESTRA)
        datos = dict(DATOS_MUESTRA, lugar_emision=self.lugar_emision)
        try:
            contenido = pdf.renderizar_constancia(diseno, datos)
        except pdf.PlantillaInvalida as error:
            return TemplateResponse(
                request, "constancias/vista_previa_error.html", {"error": str(error)}
            )
        respuesta = HttpResponse(contenido, content_type="application/pdf")
        respuesta["Content-Disposition"] = 'inline; filename="constancia-muestra.pdf"'
        return respuesta


class LogotipoPlantilla(Orderable):
    plantilla = ParentalKey(PlantillaConstancia, on_delete=models.CASCADE, related_name="logotipos")
    imagen: models.ForeignKey[AbstractImage, AbstractImage] = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("imagen"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    panels = [FieldPanel("imagen")]

    class Meta(Orderable.Meta):
        verbose_name = _("logotipo")
        verbose_name_plural = _("logotipos")


class EmisorPlantilla(Orderable):
    """An issuing institution; its printed name is the one it had on the date of issue."""

    plantilla = ParentalKey(PlantillaConstancia, on_delete=models.CASCADE, related_name="emisores")
    organizacion: models.ForeignKey[Organizacion | None, Organizacion | None] = models.ForeignKey(
        "lms.Organizacion",
        verbose_name=_("organización"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"clase": "organo_garante"},
    )
    nombre: models.CharField[str, str] = models.CharField(
        _("nombre impreso"),
        max_length=255,
        blank=True,
        help_text=_(
            "Déjelo vacío para imprimir el nombre que la organización tenía en la fecha de "
            "emisión; escríbalo solo para una institución que no está en el catálogo."
        ),
    )

    panels = [FieldPanel("organizacion"), FieldPanel("nombre")]

    class Meta(Orderable.Meta):
        verbose_name = _("institución emisora")
        verbose_name_plural = _("instituciones emisoras")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organizacion__isnull=False) | ~models.Q(nombre=""),
                name="emisor_con_organizacion_o_nombre",
                violation_error_message=_(
                    "Elija una organización del catálogo o escriba el nombre de la institución."
                ),
            )
        ]

    def nombre_impreso(self, fecha: datetime.date) -> str:
        if self.nombre.strip():
            return self.nombre.strip()
        if self.organizacion is not None:
            return self.organizacion.nombre_en(fecha)
        return ""


class FirmantePlantilla(Orderable):
    plantilla = ParentalKey(PlantillaConstancia, on_delete=models.CASCADE, related_name="firmantes")
    nombre: models.CharField[str, str] = models.CharField(_("nombre"), max_length=150)
    cargo: models.CharField[str, str] = models.CharField(_("cargo"), max_length=200)
    firma: models.ForeignKey[AbstractImage | None, AbstractImage | None] = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("imagen de la firma"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("PNG con fondo transparente, de preferencia."),
    )

    panels = [FieldPanel("nombre"), FieldPanel("cargo"), FieldPanel("firma")]

    class Meta(Orderable.Meta):
        verbose_name = _("firmante")
        verbose_name_plural = _("firmantes")


class SerieFolio(models.Model):
    """The counter behind human folios: one row per prefix and year (TP-2026-000123)."""

    prefijo = models.CharField(_("prefijo"), max_length=10)
    anio = models.PositiveIntegerField(_("año"))
    ultimo = models.PositiveIntegerField(_("último número asignado"), default=0)

    class Meta:
        ordering = ["prefijo", "-anio"]
        verbose_name = _("serie de folios")
        verbose_name_plural = _("series de folios")
        constraints = [
            models.UniqueConstraint(fields=["prefijo", "anio"], name="serie_folio_unica")
        ]

    def __str__(self) -> str:
        return f"{self.prefijo}-{self.anio}"

    def folio(self, numero: int) -> str:
        return f"{self.prefijo}-{self.anio}-{numero:06d}"


def _codigo_verificacion() -> str:
    from constancias.services import generar_codigo_verificacion

    return generar_codigo_verificacion()


class Tipo(models.TextChoices):
    PARTICIPACION = "participacion", _("Constancia de participación")
    ACREDITACION = "acreditacion", _("Constancia de acreditación")


class Alcance(models.TextChoices):
    CURSO = "curso", _("Curso completo")
    FASE = "fase", _("Una fase")


class ReglaConstancia(models.Model):
    """Which constancia an edition grants, for what, and with which template."""

    edicion = models.ForeignKey(
        "cursos.Edicion",
        verbose_name=_("edición"),
        on_delete=models.CASCADE,
        related_name="reglas_constancia",
    )
    tipo = models.CharField(_("tipo"), max_length=15, choices=Tipo.choices)
    alcance = models.CharField(
        _("alcance"), max_length=5, choices=Alcance.choices, default=Alcance.CURSO
    )
    fase = models.ForeignKey(
        "cursos.FasePage",
        verbose_name=_("fase"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Solo si el alcance es una fase."),
    )
    plantilla = models.ForeignKey(
        PlantillaConstancia,
        verbose_name=_("plantilla"),
        on_delete=models.PROTECT,
        related_name="reglas",
    )
    automatica = models.BooleanField(
        _("emitir automáticamente"),
        default=True,
        help_text=_("Emite la constancia en cuanto la persona cumple el requisito."),
    )
    activa = models.BooleanField(_("activa"), default=True)

    panels = [
        FieldPanel("edicion"),
        FieldRowPanel([FieldPanel("tipo"), FieldPanel("alcance")]),
        FieldPanel("fase"),
        FieldPanel("plantilla"),
        FieldRowPanel([FieldPanel("automatica"), FieldPanel("activa")]),
    ]

    class Meta:
        ordering = ["edicion", "tipo", "alcance"]
        verbose_name = _("regla de constancia")
        verbose_name_plural = _("reglas de constancia")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(alcance="fase") & models.Q(fase__isnull=False))
                | (models.Q(alcance="curso") & models.Q(fase__isnull=True)),
                name="regla_fase_solo_con_alcance_fase",
                violation_error_message=_(
                    "Elija una fase solo cuando el alcance sea una fase, y siempre en ese caso."
                ),
            ),
            models.UniqueConstraint(
                fields=["edicion", "tipo"],
                condition=models.Q(alcance="curso"),
                name="regla_constancia_unica_por_curso",
                violation_error_message=_("Esta edición ya tiene una regla igual."),
            ),
            models.UniqueConstraint(
                fields=["edicion", "tipo", "fase"],
                condition=models.Q(alcance="fase"),
                name="regla_constancia_unica_por_fase",
                violation_error_message=_("Esta edición ya tiene una regla igual para esa fase."),
            ),
        ]

    def __str__(self) -> str:
        if self.alcance == Alcance.FASE and self.fase_id and self.fase is not None:
            return f"{self.get_tipo_display()} — {self.fase.title} ({self.edicion})"
        return f"{self.get_tipo_display()} — {self.edicion}"

    def clean(self) -> None:
        super().clean()
        if (
            self.alcance == Alcance.FASE
            and self.fase_id
            and self.edicion_id
            and self.fase is not None
            and not self.fase.is_descendant_of(self.edicion.curso)
        ):
            raise ValidationError({"fase": _("La fase no pertenece al curso de la edición.")})


class Constancia(models.Model):
    """An issued constancia: its folio, code, frozen snapshot and stored PDF."""

    class Estado(models.TextChoices):
        VIGENTE = "vigente", _("Vigente")
        REVOCADA = "revocada", _("Revocada")
        REEMPLAZADA = "reemplazada", _("Reemplazada")

    usuario = models.ForeignKey(
        "lms.Usuario",
        verbose_name=_("persona"),
        on_delete=models.PROTECT,
        related_name="constancias",
    )
    edicion = models.ForeignKey(
        "cursos.Edicion",
        verbose_name=_("edición"),
        on_delete=models.PROTECT,
        related_name="constancias",
    )
    inscripcion = models.ForeignKey(
        "cursos.Inscripcion",
        verbose_name=_("inscripción"),
        on_delete=models.PROTECT,
        related_name="constancias",
    )
    regla = models.ForeignKey(
        ReglaConstancia,
        verbose_name=_("regla"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="constancias",
    )
    tipo = models.CharField(_("tipo"), max_length=15, choices=Tipo.choices)
    alcance = models.CharField(_("alcance"), max_length=5, choices=Alcance.choices)
    fase = models.ForeignKey(
        "cursos.FasePage",
        verbose_name=_("fase"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    plantilla = models.ForeignKey(
        PlantillaConstancia,
        verbose_name=_("plantilla"),
        on_delete=models.PROTECT,
        related_name="constancias",
    )
    revision_plantilla = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name=_("revisión de la plantilla"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    serie = models.ForeignKey(
        SerieFolio, verbose_name=_("serie"), on_delete=models.PROTECT, related_name="constancias"
    )
    folio = models.CharField(_("folio"), max_length=30, unique=True)
    codigo_verificacion = models.CharField(
        _("código de verificación"), max_length=64, unique=True, default=_codigo_verificacion
    )
    instantanea = models.JSONField(_("datos impresos"))
    pdf = models.FileField(_("PDF"), upload_to="constancias/", max_length=255, storage=privado)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    firmada = models.BooleanField(_("firmada digitalmente"), default=False)
    emitida_en = models.DateTimeField(_("emitida en"))
    emitida_por = models.ForeignKey(
        "lms.Usuario",
        verbose_name=_("emitida por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    trabajo = models.ForeignKey(
        "TrabajoEmision",
        verbose_name=_("trabajo de emisión"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="constancias",
    )
    estado = models.CharField(
        _("estado"), max_length=12, choices=Estado.choices, default=Estado.VIGENTE
    )
    revocada_en = models.DateTimeField(_("revocada en"), null=True, blank=True)
    revocada_por = models.ForeignKey(
        "lms.Usuario",
        verbose_name=_("revocada por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    motivo_revocacion = models.TextField(_("motivo"), blank=True)
    reemplazada_por = models.OneToOneField(
        "self",
        verbose_name=_("reemplazada por"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reemplaza_a",
    )

    class Meta:
        ordering = ["-emitida_en", "-pk"]
        verbose_name = _("constancia")
        verbose_name_plural = _("constancias")
        constraints = [
            models.UniqueConstraint(
                fields=["usuario", "edicion", "tipo"],
                condition=models.Q(estado="vigente", alcance="curso"),
                name="constancia_vigente_unica_por_curso",
            ),
            models.UniqueConstraint(
                fields=["usuario", "edicion", "tipo", "fase"],
                condition=models.Q(estado="vigente", alcance="fase"),
                name="constancia_vigente_unica_por_fase",
            ),
            models.CheckConstraint(
                condition=(models.Q(alcance="fase") & models.Q(fase__isnull=False))
                | (models.Q(alcance="curso") & models.Q(fase__isnull=True)),
                name="constancia_fase_solo_con_alcance_fase",
            ),
            models.CheckConstraint(
                condition=~models.Q(estado="revocada") | models.Q(revocada_en__isnull=False),
                name="constancia_revocada_con_fecha",
            ),
        ]
        indexes = [models.Index(fields=["edicion", "estado"], name="constancia_edicion_estado")]

    def __str__(self) -> str:
        return self.folio

    @property
    def datos(self) -> dict[str, Any]:
        return dict(self.instantanea.get("datos", {}))


class TrabajoEmision(models.Model):
    """A coordinator's bulk issuance, processed by Celery in resumable chunks."""

    class Estado(models.TextChoices):
        PENDIENTE = "pendiente", _("En cola")
        EN_PROCESO = "en_proceso", _("En proceso")
        TERMINADO = "terminado", _("Terminado")
        FALLIDO = "fallido", _("Con errores")

    regla = models.ForeignKey(
        ReglaConstancia, verbose_name=_("regla"), on_delete=models.PROTECT, related_name="+"
    )
    entidad = models.ForeignKey(
        "lms.EntidadFederativa",
        verbose_name=_("entidad"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Vacío: todas las entidades del alcance de quien la solicita."),
    )
    solicitada_por = models.ForeignKey(
        "lms.Usuario",
        verbose_name=_("solicitada por"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    inscripciones = models.JSONField(_("inscripciones"), default=list)
    total = models.PositiveIntegerField(_("total"), default=0)
    hechas = models.PositiveIntegerField(_("procesadas"), default=0)
    emitidas = models.PositiveIntegerField(_("emitidas"), default=0)
    estado = models.CharField(
        _("estado"), max_length=12, choices=Estado.choices, default=Estado.PENDIENTE
    )
    errores = models.JSONField(_("errores"), default=list)
    creado_en = models.DateTimeField(_("creado en"), auto_now_add=True)
    actualizado_en = models.DateTimeField(_("actualizado en"), auto_now=True)
    terminado_en = models.DateTimeField(_("terminado en"), null=True, blank=True)

    class Meta:
        ordering = ["-creado_en", "-pk"]
        verbose_name = _("trabajo de emisión")
        verbose_name_plural = _("trabajos de emisión")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hechas__lte=models.F("total")), name="trabajo_hechas_hasta_total"
            )
        ]

    def __str__(self) -> str:
        return f"{self.regla} ({self.hechas}/{self.total})"

    @property
    def porcentaje(self) -> int:
        return 100 if not self.total else round(100 * self.hechas / self.total)


class VerificacionConsulta(models.Model):
    """One public verification lookup, kept for audit."""

    class Medio(models.TextChoices):
        ENLACE = "enlace", _("Enlace o QR")
        FORMULARIO = "formulario", _("Folio y código")
        ARCHIVO = "archivo", _("Archivo PDF")

    medio = models.CharField(_("medio"), max_length=12, choices=Medio.choices)
    constancia = models.ForeignKey(
        Constancia,
        verbose_name=_("constancia"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultas",
    )
    encontrada = models.BooleanField(_("encontrada"), default=False)
    dato = models.CharField(_("dato consultado"), max_length=100, blank=True)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    agente = models.CharField(_("navegador"), max_length=255, blank=True)
    consultada_en = models.DateTimeField(_("consultada en"), default=timezone.now)
    # Set when the lookup is buffered before reaching the database: a flush that runs
    # twice (a worker died between the insert and the trim) inserts each one once.
    clave = models.UUIDField(_("clave"), null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-consultada_en"]
        verbose_name = _("consulta de verificación")
        verbose_name_plural = _("consultas de verificación")

    def __str__(self) -> str:
        return f"{self.get_medio_display()} {self.consultada_en:%Y-%m-%d %H:%M}"
