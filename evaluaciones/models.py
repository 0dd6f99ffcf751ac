"""Evaluations and their attempts. The quiz engine knows nothing of courses."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Evaluacion(models.Model):
    """An evaluation a course hands to the engine; results are read back through selectors."""

    titulo = models.CharField(_("título"), max_length=255)
    descripcion = models.TextField(_("instrucciones"), blank=True)
    puntaje_aprobatorio = models.DecimalField(
        _("calificación aprobatoria (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("70"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    creada_en = models.DateTimeField(_("creada en"), auto_now_add=True)
    actualizada_en = models.DateTimeField(_("actualizada en"), auto_now=True)

    class Meta:
        ordering = ["titulo"]
        verbose_name = _("evaluación")
        verbose_name_plural = _("evaluaciones")

    def __str__(self) -> str:
        return self.titulo
