"""What each column of a coordinator's enrolment list holds, remembered per layout."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FormatoLista(models.Model):
    """A coordinator's answer to "what is in each column" for one layout of headers.

    The next upload with the same headers (`cursos.columnas.huella`) reads the
    columns this way without asking again; the coordinator can change it from
    the preview.
    """

    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persona"),
        on_delete=models.CASCADE,
        related_name="formatos_lista",
    )
    huella = models.CharField(_("huella de los encabezados"), max_length=64)
    encabezados = models.JSONField(_("encabezados"), default=list)
    asignacion = models.JSONField(_("contenido de cada columna"), default=list)
    actualizado_en = models.DateTimeField(_("actualizado en"), auto_now=True)

    class Meta:
        verbose_name = _("formato de lista de inscripción")
        verbose_name_plural = _("formatos de lista de inscripción")
        constraints = [
            models.UniqueConstraint(fields=["usuario", "huella"], name="formato_lista_unico")
        ]

    def __str__(self) -> str:
        return ", ".join(str(e) for e in self.encabezados)[:120]
