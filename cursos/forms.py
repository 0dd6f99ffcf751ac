from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminPageForm

from evaluaciones.models import Evaluacion
from lms.alcance import Accion, alcance_de, permitidos
from lms.entrada import FiltroChoiceField
from lms.models import EntidadFederativa, Organizacion, Rol, Usuario


class AsistenciaForm(forms.Form):
    codigo = forms.CharField(
        label=_("Código de la sesión"),
        max_length=12,
        help_text=_("Lo comparte quien imparte la sesión mientras está en curso."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class FiltroParticipantesForm(forms.Form):
    q = forms.CharField(
        label=_("Buscar"),
        required=False,
        max_length=100,
        help_text=_("Parte del nombre, de los apellidos, del correo o de la institución."),
        error_messages={"max_length": _("Escriba como máximo %(limit_value)d caracteres.")},
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    entidad = FiltroChoiceField(
        label=_("Entidad federativa"),
        queryset=EntidadFederativa.objects.none(),
        required=False,
        empty_label=_("Todas"),
        error_messages={"invalid_choice": _("Elija una entidad de la lista.")},
    )
    organizacion = FiltroChoiceField(
        label=_("Institución"),
        queryset=Organizacion.objects.none(),
        required=False,
        empty_label=_("Todas"),
        error_messages={"invalid_choice": _("Elija una institución de la lista.")},
    )

    def __init__(self, *args: Any, entidades: Any, organizaciones: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["entidad"]).queryset = entidades
        cast(forms.ModelChoiceField, self.fields["organizacion"]).queryset = organizaciones


class BusquedaForm(forms.Form):
    q = forms.CharField(label=_("Buscar en los cursos"), max_length=200, required=False)


class CursoAdminForm(WagtailAdminPageForm):
    """The course's team: chosen among instructors, and only by the national coordination.

    The list never offers participants (their names are nobody's business here), and
    an instructor sees their colleagues but cannot add anyone to a team: a team
    grants rights over the course's evaluations and people.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campo = self.fields.get("instructores")
        if campo is None:
            return
        campo = cast(forms.ModelMultipleChoiceField, campo)
        instructores = Usuario.objects.filter(
            is_active=True, asignaciones__rol=Rol.INSTRUCTOR
        ).distinct()
        if self.instance.pk:
            instructores = Usuario.objects.filter(
                Q(pk__in=instructores.values("pk")) | Q(pk__in=self.instance.instructores.all())
            )
        campo.queryset = instructores.order_by("first_name", "last_name", "pk")
        # A ModelChoiceField's choices are always its ModelChoiceIterator (the stubs widen
        # the getter to any choices input); handing it over keeps the list lazy.
        campo.widget = forms.CheckboxSelectMultiple(
            choices=cast(ModelChoiceIterator, campo.choices)
        )

        def etiqueta(usuario: Usuario) -> str:
            return usuario.nombre_completo or str(_("(sin nombre)"))

        # Django calls self.label_from_instance, so overriding it on this one field instance
        # (Wagtail builds the field) is how the labels change; mypy forbids method assignment.
        campo.label_from_instance = etiqueta  # type: ignore[method-assign,assignment]
        alcance = alcance_de(self.for_user)
        if not (alcance.es_administrador or Rol.COORDINADOR_NACIONAL in alcance.roles):
            campo.disabled = True
            campo.help_text = _(
                "Solo la Coordinación nacional cambia el equipo docente de un curso."
            )


class FaseAdminForm(WagtailAdminPageForm):
    """A phase may only require evaluations of its own course (`Evaluacion.curso`)."""

    CAMPOS_EVALUACION = ("evaluacion", "actividad_practica")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        padre = self.parent_page if self.instance.pk is None else self.instance.get_parent()
        curso_id = padre.pk if padre is not None else None
        for nombre in self.CAMPOS_EVALUACION:
            campo = self.fields.get(nombre)
            if campo is None:
                continue
            campo = cast(forms.ModelChoiceField, campo)
            actual = getattr(self.instance, f"{nombre}_id", None)
            del_curso = permitidos(self.for_user, Accion.LISTAR, Evaluacion).filter(
                curso_id=curso_id
            )
            campo.queryset = Evaluacion.objects.filter(
                Q(pk__in=del_curso.values("pk")) | Q(pk=actual)
            ).order_by("titulo")
            campo.widget = forms.Select(choices=cast(ModelChoiceIterator, campo.choices))
            campo.help_text = _(
                "Solo evaluaciones de este curso. Créelas en Evaluaciones, indicando el curso."
            )
