"""Stored per-phase progress of each enrolment, derived from the facts of progress.

Like `Inscripcion.completada_en` and the other derived columns of `Inscripcion`,
these rows are written only by `cursos.services.actualizar_completitud`, from
`cursos.progreso.evaluar_curso`, in the same transaction as the fact that changed
them; they exist so that coordination reports aggregate columns in the database
instead of deriving every enrolment in Python.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AvanceFase(models.Model):
    """One enrolment's progress in one phase, as last derived from its facts."""

    inscripcion = models.ForeignKey(
        "cursos.Inscripcion",
        verbose_name=_("inscripción"),
        on_delete=models.CASCADE,
        related_name="avances_fase",
    )
    fase = models.ForeignKey(
        "cursos.FasePage", verbose_name=_("fase"), on_delete=models.CASCADE, related_name="+"
    )
    orden = models.PositiveSmallIntegerField(_("número de fase"))
    completada_en = models.DateTimeField(_("completada en"), null=True, blank=True)
    porcentaje = models.PositiveSmallIntegerField(_("avance (%)"), default=0)
    lecciones = models.PositiveSmallIntegerField(_("lecciones obligatorias completadas"), default=0)
    lecciones_total = models.PositiveSmallIntegerField(_("lecciones obligatorias"), default=0)
    asistencias = models.PositiveSmallIntegerField(_("sesiones asistidas"), default=0)
    sesiones_requeridas = models.PositiveSmallIntegerField(_("sesiones requeridas"), default=0)
    calificacion = models.DecimalField(
        _("calificación"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["inscripcion", "orden"]
        verbose_name = _("avance por fase")
        verbose_name_plural = _("avances por fase")
        constraints = [
            models.UniqueConstraint(fields=["inscripcion", "fase"], name="avance_fase_unico")
        ]

    def __str__(self) -> str:
        return f"{self.inscripcion_id} — {self.fase_id}: {self.porcentaje} %"
