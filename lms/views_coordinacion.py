"""The coordinators' area: the people a state or national coordinator may follow.

Every person listed comes from `lms.alcance.personas_visibles`, and the filter
choices (entities, organizations) from `filtrar_por_alcance`, so a tampered
filter value can narrow the list but never widen it past the user's scope.

Columns are name, position, organization and entity. CURP and email are left
out on purpose: a coordinator needs to find and follow people here, not to
contact or identify them officially, and exports that need more data will
state their own purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from lms.alcance import alcance_de, filtrar_por_alcance, personas_visibles
from lms.busqueda_texto import campos_persona, filtrar_por_texto
from lms.entrada import FiltroChoiceField
from lms.models import EntidadFederativa, Organizacion, Usuario

PERSONAS_POR_PAGINA = 50
MAX_BUSQUEDA = 100


class _OrganizacionesPorEntidad(forms.models.ModelChoiceIterator):
    """One <optgroup> per entity, so a national list of bodies stays navigable."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for entidad, grupo in groupby(self.queryset, key=lambda o: o.entidad):
            etiqueta = entidad.nombre if entidad else gettext("Nacional y federal")
            yield (etiqueta, [self.choice(organizacion) for organizacion in grupo])


class OrganizacionChoiceField(FiltroChoiceField):
    iterator = _OrganizacionesPorEntidad

    def label_from_instance(self, obj: Organizacion) -> str:
        if obj.siglas and obj.siglas.lower() not in obj.nombre.lower():
            return f"{obj.nombre} ({obj.siglas})"
        return obj.nombre


class FiltroPersonasForm(forms.Form):
    """GET filters of the people list; the choices are limited to the user's scope."""

    q = forms.CharField(
        label=_("Buscar"),
        required=False,
        max_length=MAX_BUSQUEDA,
        help_text=_("Parte del nombre, de los apellidos, del correo o de la institución."),
        error_messages={
            "max_length": _("Escriba como máximo %(limit_value)d caracteres."),
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    entidad = FiltroChoiceField(
        label=_("Entidad federativa"),
        queryset=EntidadFederativa.objects.none(),
        required=False,
        empty_label=_("Todas las de mi alcance"),
        error_messages={"invalid_choice": _("Elija una entidad de las que usted coordina.")},
    )
    organizacion = OrganizacionChoiceField(
        label=_("Organización"),
        queryset=Organizacion.objects.none(),
        required=False,
        empty_label=_("Todas"),
        error_messages={"invalid_choice": _("Elija una organización de la lista.")},
    )
    clase = forms.ChoiceField(
        label=_("Clase de organización"),
        required=False,
        choices=[("", _("Todas")), *Organizacion.Clase.choices],
        error_messages={"invalid_choice": _("Elija una clase de la lista.")},
    )
    ambito = forms.ChoiceField(
        label=_("Ámbito"),
        required=False,
        choices=[("", _("Todos")), *Organizacion.Ambito.choices],
        error_messages={"invalid_choice": _("Elija un ámbito de la lista.")},
    )
    tipo = forms.ChoiceField(
        label=_("Tipo de organización"),
        required=False,
        choices=[("", _("Todos")), *Organizacion.Tipo.choices],
        error_messages={"invalid_choice": _("Elija un tipo de la lista.")},
    )

    def __init__(self, *args: Any, usuario: Usuario, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        entidades = filtrar_por_alcance(usuario, EntidadFederativa.objects.all(), ruta_entidad="pk")
        # These are ModelChoiceFields; django-stubs types form fields as Field.
        self.fields["entidad"].queryset = entidades  # type: ignore[attr-defined]
        self.fields["organizacion"].queryset = filtrar_por_alcance(  # type: ignore[attr-defined]
            usuario,
            Organizacion.objects.select_related("entidad").order_by(
                F("entidad__clave_inegi").asc(nulls_first=True), "nombre"
            ),
            ruta_entidad="entidad",
        )

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data.get("q", "").split())


def filtrar_personas(usuario: Usuario, datos: dict[str, Any]) -> QuerySet[Usuario]:
    """The people `usuario` may see, narrowed by the cleaned filter values in `datos`."""
    # The coordinator is left out: this is the list of people they follow.
    personas = personas_visibles(usuario).filter(is_active=True).exclude(pk=usuario.pk)
    if datos.get("entidad"):
        personas = personas.filter(entidad=datos["entidad"])
    if datos.get("organizacion"):
        personas = personas.filter(organizacion=datos["organizacion"])
    for campo in ("clase", "ambito", "tipo"):
        if datos.get(campo):
            personas = personas.filter(**{f"organizacion__{campo}": datos[campo]})
    # Found by name, email or institution; the email is never listed.
    personas = filtrar_por_texto(personas, datos.get("q") or "", campos_persona())
    return personas.select_related("organizacion", "entidad").order_by(
        "last_name", "first_name", "pk"
    )


@login_required
@require_GET
def coordinacion(request: HttpRequest) -> HttpResponse:
    usuario = cast(Usuario, request.user)
    alcance = alcance_de(usuario)
    if not alcance.coordina:
        raise PermissionDenied
    form = FiltroPersonasForm(request.GET or None, usuario=usuario)
    if form.is_bound and not form.is_valid():
        # A tampered or stale filter shows its error and no one, never a wider list.
        personas = Usuario.objects.none()
    else:
        datos = form.cleaned_data if form.is_bound else {}
        personas = filtrar_personas(usuario, datos)
    pagina = Paginator(personas, PERSONAS_POR_PAGINA).get_page(request.GET.get("pagina"))
    consulta = request.GET.copy()
    consulta.pop("pagina", None)
    entidades_coordinadas = (
        None
        if alcance.nacional
        else filtrar_por_alcance(usuario, EntidadFederativa.objects.all(), ruta_entidad="pk")
    )
    return render(
        request,
        "lms/coordinacion/inicio.html",
        {
            "form": form,
            "pagina": pagina,
            "consulta": consulta.urlencode(),
            "filtrado": form.is_bound and any(request.GET.get(c) for c in form.fields),
            "alcance": alcance,
            "entidades_coordinadas": entidades_coordinadas,
        },
    )
