"""Constancia templates (edited in the Wagtail admin) and folio series."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import DraftStateMixin, Orderable, PreviewableMixin, RevisionMixin
from wagtail.search import index

from constancias import pdf

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

    nombre = models.CharField(
        _("nombre"),
        max_length=150,
        unique=True,
        help_text=_("Para identificarla en la administración; no se imprime."),
    )
    tamano = models.CharField(
        _("tamaño de página"), max_length=10, choices=Tamano.choices, default=Tamano.CARTA
    )
    orientacion = models.CharField(
        _("orientación"),
        max_length=10,
        choices=Orientacion.choices,
        default=Orientacion.HORIZONTAL,
    )
    fondo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("imagen de fondo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Ocupa toda la hoja; use una imagen clara para que el texto se lea."),
    )
    titulo = models.CharField(_("título"), max_length=100, default="Constancia")
    texto_previo = models.CharField(
        _("texto antes del nombre"), max_length=200, default="otorga la presente constancia a"
    )
    cuerpo = models.TextField(
        _("texto de la constancia"),
        default=CUERPO_PREDETERMINADO,
        help_text=_(
            "Se imprime después del nombre. Marcadores disponibles: {nombre}, {curso}, "
            "{fase}, {horas}, {fecha_inicio}, {fecha_fin}, {periodo}, {modalidad}, {lugar}, "
            "{fecha_emision} y {folio}."
        ),
    )
    lugar_emision = models.CharField(
        _("lugar de emisión"), max_length=150, default="Ciudad de México"
    )
    prefijo_folio = models.CharField(
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
    reverso = models.BooleanField(
        _("imprimir reverso con los contenidos"),
        default=False,
        help_text=_("Agrega una segunda hoja con los temas estudiados en el curso."),
    )
    reverso_titulo = models.CharField(
        _("título del reverso"), max_length=150, default="Contenidos estudiados"
    )
    creada_en = models.DateTimeField(_("creada en"), auto_now_add=True)
    actualizada_en = models.DateTimeField(_("actualizada en"), auto_now=True)

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
        MultiFieldPanel(
            [FieldPanel("reverso"), FieldPanel("reverso_titulo")], heading=_("Reverso")
        ),
    ]

    search_fields = [index.SearchField("nombre"), index.AutocompleteField("nombre")]

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
    imagen = models.ForeignKey(
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
    organizacion = models.ForeignKey(
        "lms.Organizacion",
        verbose_name=_("organización"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"clase": "organo_garante"},
    )
    nombre = models.CharField(
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
    nombre = models.CharField(_("nombre"), max_length=150)
    cargo = models.CharField(_("cargo"), max_length=200)
    firma = models.ForeignKey(
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
