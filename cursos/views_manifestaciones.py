"""Screens of the manifestación de interés and the national view of commitments.

A state coordinator creates, edits and sends its state's manifestación; the national
coordination accepts it or asks for changes. Every object comes from `lms.alcance`
(`permitidos`): a manifestación outside the person's scope is a 404, and a tampered
state or obligated subject is an invalid choice with a Spanish message.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from cursos import graficas, manifestaciones, services_manifestaciones
from cursos.models import ManifestacionInteres, ProgramaPage
from cursos.models.manifestaciones import ANIO_MAXIMO, ANIO_MINIMO
from cursos.services_manifestaciones import (
    META_MAXIMA,
    DatosContacto,
    DatosManifestacion,
    ManifestacionError,
)
from lms.alcance import Accion, alcance_de, filtrar_por_alcance, permitidos, puede_crear
from lms.entrada import FiltroChoiceField
from lms.models import EntidadFederativa, Organizacion, RegistroAuditoria, Usuario
from lms.services import registrar_auditoria

MAX_CONTACTOS = 5


def _eleccion(mensaje: Any) -> dict[str, Any]:
    return {"invalid_choice": mensaje, "invalid_pk_value": mensaje, "list": mensaje}


def _meta(etiqueta: Any, ayuda: Any = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=etiqueta,
        help_text=ayuda,
        min_value=0,
        max_value=META_MAXIMA,
        initial=0,
        error_messages={
            "required": _("Escriba la meta; use 0 si no aplica."),
            "invalid": _("Escriba un número entero."),
            "min_value": _("La meta no puede ser negativa."),
            "max_value": _("La meta no puede ser mayor que %(limit_value)s."),
        },
    )


class SujetosField(forms.ModelMultipleChoiceField):
    """Obligated subjects of one state: their names alone (the state is the form's)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.nombre)


class EntidadForm(forms.Form):
    """The first step for whoever coordinates more than one state: which one."""

    entidad = FiltroChoiceField(
        label=_("Entidad federativa"),
        queryset=EntidadFederativa.objects.none(),
        error_messages={
            **_eleccion(_("Elija una entidad de las que usted coordina.")),
            "required": _("Elija una entidad federativa."),
        },
    )

    def __init__(self, *args: Any, usuario: Usuario, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A ModelChoiceField; django-stubs types form fields as Field.
        self.fields["entidad"].queryset = filtrar_por_alcance(  # type: ignore[attr-defined]
            usuario, EntidadFederativa.objects.all(), ruta_entidad="pk"
        )


class ManifestacionForm(forms.Form):
    """What the state commits to; the obligated subjects offered are its padrón only."""

    meta_personas_teorica = _meta(
        _("Personas en la fase teórica"), _("Cuántas personas se inscribirán.")
    )
    meta_sujetos_teorica = _meta(
        _("Sujetos obligados en la fase teórica"),
        _("No puede superar el padrón de sujetos obligados de la entidad."),
    )
    meta_personas_practica = _meta(
        _("Personas en la fase práctica"), _("Cuántas personas se espera que acrediten.")
    )
    meta_sujetos_practica = _meta(_("Sujetos obligados en la fase práctica"))
    sujetos_obligados = SujetosField(
        label=_("Sujetos obligados que participarán"),
        queryset=Organizacion.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Mantenga presionada la tecla Ctrl (o Cmd) para elegir varios."),
    )
    fecha_inicio_preferida = forms.DateField(
        label=_("Fecha de inicio preferida"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Escriba una fecha válida (AAAA-MM-DD).")},
    )
    fecha_fin_preferida = forms.DateField(
        label=_("Fecha de término preferida"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Escriba una fecha válida (AAAA-MM-DD).")},
    )
    observaciones = forms.CharField(
        label=_("Observaciones"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, entidad: EntidadFederativa, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entidad_elegida = entidad
        campo = cast(SujetosField, self.fields["sujetos_obligados"])
        campo.queryset = manifestaciones.sujetos_del_padron(entidad.pk).order_by("nombre")
        campo.error_messages.update(
            _eleccion(_t("Elija solo sujetos obligados de %(entidad)s.") % {"entidad": entidad})
        )

    def clean(self) -> dict[str, Any]:
        datos = super().clean() or {}
        if not self.errors:
            errores = services_manifestaciones.validar_datos(
                entidad=self.entidad_elegida, datos=self.datos(datos, contactos=())
            )
            for campo, mensajes in errores.items():
                for mensaje in mensajes:
                    self.add_error(campo, mensaje)
        return datos

    @staticmethod
    def datos(
        limpios: dict[str, Any], *, contactos: tuple[DatosContacto, ...]
    ) -> DatosManifestacion:
        return DatosManifestacion(
            meta_personas_teorica=limpios["meta_personas_teorica"],
            meta_sujetos_teorica=limpios["meta_sujetos_teorica"],
            meta_personas_practica=limpios["meta_personas_practica"],
            meta_sujetos_practica=limpios["meta_sujetos_practica"],
            sujetos_obligados=list(limpios.get("sujetos_obligados") or []),
            contactos=contactos,
            fecha_inicio_preferida=limpios.get("fecha_inicio_preferida"),
            fecha_fin_preferida=limpios.get("fecha_fin_preferida"),
            observaciones=limpios.get("observaciones") or "",
        )


class NuevaManifestacionForm(ManifestacionForm):
    programa = FiltroChoiceField(
        label=_("Programa"),
        queryset=ProgramaPage.objects.none(),
        error_messages={
            **_eleccion(_("El programa elegido no existe.")),
            "required": _("Elija el programa."),
        },
    )
    anio = forms.IntegerField(
        label=_("Año de la edición del programa"),
        min_value=ANIO_MINIMO,
        max_value=ANIO_MAXIMO,
        error_messages={
            "required": _("Escriba el año."),
            "invalid": _("Escriba un año de cuatro cifras."),
            "min_value": _("Escriba un año a partir de %(limit_value)s."),
            "max_value": _("Escriba un año hasta %(limit_value)s."),
        },
    )
    field_order = ["programa", "anio"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A ModelChoiceField; django-stubs types form fields as Field.
        self.fields["programa"].queryset = ProgramaPage.objects.live().order_by("title")  # type: ignore[attr-defined]
        self.fields["anio"].initial = timezone.localdate().year


class ContactoForm(forms.Form):
    nombre = forms.CharField(
        label=_("Nombre"), max_length=200, error_messages={"required": _("Escriba el nombre.")}
    )
    cargo = forms.CharField(label=_("Cargo"), max_length=200, required=False)
    correo = forms.EmailField(
        label=_("Correo electrónico"),
        error_messages={
            "required": _("Escriba el correo electrónico."),
            "invalid": _("Escriba un correo electrónico válido."),
        },
    )
    telefono = forms.CharField(label=_("Teléfono"), max_length=30, required=False)


class ContactosBaseFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_few_forms": _("Registre al menos una persona de contacto."),
        "too_many_forms": _("Registre como máximo %(num)d personas de contacto."),
    }


ContactoFormSet = forms.formset_factory(
    ContactoForm,
    formset=ContactosBaseFormSet,
    extra=1,
    min_num=1,
    validate_min=True,
    max_num=MAX_CONTACTOS,
    validate_max=True,
)


def _contactos_formset(
    request: HttpRequest, manifestacion: ManifestacionInteres | None = None
) -> Any:
    if request.method == "POST":
        formset = ContactoFormSet(request.POST, prefix="contactos")
    else:
        inicial = (
            [
                {"nombre": c.nombre, "cargo": c.cargo, "correo": c.correo, "telefono": c.telefono}
                for c in manifestacion.contactos.all()
            ]
            if manifestacion is not None
            else []
        )
        formset = ContactoFormSet(initial=inicial, prefix="contactos")
    formset.non_form_errors()  # computed now, so its messages are in Spanish
    return formset


def _contactos(formset: Any) -> tuple[DatosContacto, ...]:
    return tuple(
        DatosContacto(
            nombre=f.cleaned_data["nombre"],
            correo=f.cleaned_data["correo"],
            cargo=f.cleaned_data.get("cargo") or "",
            telefono=f.cleaned_data.get("telefono") or "",
        )
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    )


def _coordinador(request: HttpRequest) -> Usuario:
    """The requesting coordinator; anyone else gets a 404 (the area does not exist for them)."""
    usuario = cast(Usuario, request.user)
    if not alcance_de(usuario).coordina:
        raise Http404
    return usuario


def _errores_del_servicio(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for campo, mensajes in error.message_dict.items():
            for mensaje in mensajes:
                form.add_error(campo if campo in form.fields else None, mensaje)
    else:
        for mensaje in error.messages:
            form.add_error(None, mensaje)


# --- Listing and creation ----------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def lista(request: HttpRequest) -> HttpResponse:
    usuario = _coordinador(request)
    filas = manifestaciones.manifestaciones_visibles(usuario).order_by(
        "-anio", "programa__title", "entidad__clave_inegi"
    )
    return render(
        request,
        "cursos/manifestaciones/lista.html",
        {
            "manifestaciones": filas,
            "puede_crear": puede_crear(usuario, ManifestacionInteres),
            "decide": manifestaciones.puede_decidir(usuario),
        },
    )


def _entidad_elegida(request: HttpRequest, usuario: Usuario) -> tuple[Any, EntidadForm]:
    """The state the new manifestación is for: the coordinator's only one, or chosen."""
    form = EntidadForm(request.GET if "entidad" in request.GET else None, usuario=usuario)
    if form.is_bound:
        return (form.cleaned_data["entidad"] if form.is_valid() else None), form
    entidades = alcance_de(usuario).entidades
    if not alcance_de(usuario).nacional and len(entidades) == 1:
        return EntidadFederativa.objects.get(pk=next(iter(entidades))), form
    return None, form


@login_required
@require_http_methods(["GET", "POST"])
def nueva(request: HttpRequest) -> HttpResponse:
    usuario = _coordinador(request)
    if not puede_crear(usuario, ManifestacionInteres):
        raise Http404
    entidad, form_entidad = _entidad_elegida(request, usuario)
    if entidad is None:
        return render(
            request,
            "cursos/manifestaciones/elegir_entidad.html",
            {"form": form_entidad},
            status=400 if form_entidad.is_bound else 200,
        )
    form = NuevaManifestacionForm(
        request.POST if request.method == "POST" else None, entidad=entidad
    )
    contactos = _contactos_formset(request)
    existente_pk = None
    if request.method == "POST" and form.is_valid() and contactos.is_valid():
        try:
            manifestacion = services_manifestaciones.crear_manifestacion(
                usuario=usuario,
                programa=form.cleaned_data["programa"],
                anio=form.cleaned_data["anio"],
                entidad=entidad,
                datos=form.datos(form.cleaned_data, contactos=_contactos(contactos)),
            )
        except ManifestacionError as error:
            if getattr(error, "code", None) == "duplicada":
                existente_pk = (error.params or {}).get("existente")
            _errores_del_servicio(form, error)
        else:
            messages.success(
                request,
                _t(
                    "Se guardó la manifestación como borrador. Revísela y envíela a la "
                    "coordinación nacional cuando esté lista."
                ),
            )
            return HttpResponseRedirect(reverse("cursos:manifestacion", args=[manifestacion.pk]))
    return render(
        request,
        "cursos/manifestaciones/formulario.html",
        {
            "form": form,
            "contactos": contactos,
            "entidad": entidad,
            "padron": manifestaciones.padron(entidad.pk),
            "existente": existente_pk,
            "accion": request.get_full_path(),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- One manifestación ---------------------------------------------------------------


def _manifestacion(request: HttpRequest, pk: int, accion: Accion) -> ManifestacionInteres:
    return get_object_or_404(
        permitidos(request.user, accion, ManifestacionInteres).select_related(
            "programa", "entidad", "organo_garante"
        ),
        pk=pk,
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decisión"),
        choices=[("aceptar", _("Aceptar")), ("cambios", _("Pedir cambios"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Elija si acepta la manifestación o pide cambios."),
            "invalid_choice": _("Elija si acepta la manifestación o pide cambios."),
        },
    )
    comentario = forms.CharField(
        label=_("Comentario para el órgano garante"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatorio si pide cambios."),
    )


def _detalle(
    request: HttpRequest,
    manifestacion: ManifestacionInteres,
    *,
    decision: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    usuario = cast(Usuario, request.user)
    puede_cambiar = (
        permitidos(usuario, Accion.CAMBIAR, ManifestacionInteres)
        .filter(pk=manifestacion.pk)
        .exists()
    )
    decide = (
        manifestaciones.puede_decidir(usuario)
        and manifestacion.estado == ManifestacionInteres.Estado.ENVIADA
    )
    return render(
        request,
        "cursos/manifestaciones/detalle.html",
        {
            "m": manifestacion,
            "contactos": list(manifestacion.contactos.all()),
            "sujetos": list(manifestacion.sujetos_obligados.order_by("nombre")),
            "historial": list(manifestacion.historial.all()),
            "padron": manifestaciones.padron(manifestacion.entidad_id),
            "puede_editar": puede_cambiar and manifestacion.editable,
            "decide": decide,
            "decision": decision or (DecisionForm() if decide else None),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def detalle(request: HttpRequest, pk: int) -> HttpResponse:
    return _detalle(request, _manifestacion(request, pk, Accion.VER))


@login_required
@require_http_methods(["GET", "POST"])
def editar(request: HttpRequest, pk: int) -> HttpResponse:
    manifestacion = _manifestacion(request, pk, Accion.CAMBIAR)
    usuario = cast(Usuario, request.user)
    if not manifestacion.editable:
        messages.info(
            request,
            _t(
                "Esta manifestación está «%(estado)s»: ya no se edita, salvo que la "
                "coordinación nacional pida cambios."
            )
            % {"estado": manifestacion.get_estado_display()},
        )
        return HttpResponseRedirect(reverse("cursos:manifestacion", args=[manifestacion.pk]))
    inicial = {
        campo: getattr(manifestacion, campo)
        for campo in (
            "meta_personas_teorica",
            "meta_sujetos_teorica",
            "meta_personas_practica",
            "meta_sujetos_practica",
            "fecha_inicio_preferida",
            "fecha_fin_preferida",
            "observaciones",
        )
    }
    inicial["sujetos_obligados"] = list(manifestacion.sujetos_obligados.all())
    form = ManifestacionForm(
        request.POST if request.method == "POST" else None,
        entidad=manifestacion.entidad,
        initial=inicial,
    )
    contactos = _contactos_formset(request, manifestacion)
    if request.method == "POST" and form.is_valid() and contactos.is_valid():
        try:
            services_manifestaciones.actualizar_manifestacion(
                usuario=usuario,
                manifestacion=manifestacion,
                datos=form.datos(form.cleaned_data, contactos=_contactos(contactos)),
            )
        except ManifestacionError as error:
            _errores_del_servicio(form, error)
        else:
            messages.success(request, _t("Se guardaron los cambios de la manifestación."))
            return HttpResponseRedirect(reverse("cursos:manifestacion", args=[manifestacion.pk]))
    return render(
        request,
        "cursos/manifestaciones/formulario.html",
        {
            "form": form,
            "contactos": contactos,
            "entidad": manifestacion.entidad,
            "m": manifestacion,
            "padron": manifestaciones.padron(manifestacion.entidad_id),
            "accion": request.get_full_path(),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def enviar(request: HttpRequest, pk: int) -> HttpResponse:
    manifestacion = _manifestacion(request, pk, Accion.CAMBIAR)
    try:
        services_manifestaciones.enviar_manifestacion(
            usuario=cast(Usuario, request.user), manifestacion=manifestacion
        )
    except ManifestacionError as error:
        for mensaje in error.messages:
            messages.error(request, mensaje)
        return HttpResponseRedirect(reverse("cursos:manifestacion", args=[manifestacion.pk]))
    messages.success(
        request,
        _t("La manifestación está enviada a la coordinación nacional, que la revisará."),
    )
    return HttpResponseRedirect(reverse("cursos:manifestacion", args=[manifestacion.pk]))


@login_required
@require_POST
def decidir(request: HttpRequest, pk: int) -> HttpResponse:
    manifestacion = _manifestacion(request, pk, Accion.CAMBIAR)
    if not manifestaciones.puede_decidir(request.user):
        raise Http404
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detalle(request, manifestacion, decision=form, status=400)
    aceptar = form.cleaned_data["decision"] == "aceptar"
    try:
        services_manifestaciones.decidir_manifestacion(
            usuario=cast(Usuario, request.user),
            manifestacion=manifestacion,
            aceptar=aceptar,
            comentario=form.cleaned_data["comentario"],
        )
    except ManifestacionError as error:
        if hasattr(error, "error_dict"):
            _errores_del_servicio(form, error)
            return _detalle(request, manifestacion, decision=form, status=400)
        for mensaje in error.messages:
            messages.error(request, mensaje)
        return HttpResponseRedirect(reverse("cursos:manifestacion", args=[manifestacion.pk]))
    if aceptar and manifestacion.programa.requiere_manifestacion:
        messages.success(
            request,
            _t("Manifestación aceptada: la inscripción queda abierta para %(entidad)s.")
            % {"entidad": manifestacion.entidad.nombre},
        )
    elif aceptar:
        messages.success(request, _t("Manifestación aceptada."))
    else:
        messages.success(request, _t("Se pidieron cambios al órgano garante."))
    return HttpResponseRedirect(reverse("cursos:manifestacion", args=[manifestacion.pk]))


# --- The national view ----------------------------------------------------------------


class CompromisosForm(forms.Form):
    programa = FiltroChoiceField(
        label=_("Programa"),
        queryset=ProgramaPage.objects.none(),
        error_messages={
            **_eleccion(_("El programa elegido no existe.")),
            "required": _("Elija el programa."),
        },
    )
    anio = forms.IntegerField(
        label=_("Año"),
        min_value=ANIO_MINIMO,
        max_value=ANIO_MAXIMO,
        error_messages={
            "required": _("Escriba el año."),
            "invalid": _("Escriba un año de cuatro cifras."),
            "min_value": _("Escriba un año a partir de %(limit_value)s."),
            "max_value": _("Escriba un año hasta %(limit_value)s."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A ModelChoiceField; django-stubs types form fields as Field.
        self.fields["programa"].queryset = ProgramaPage.objects.order_by("title")  # type: ignore[attr-defined]


def _mapas(datos: manifestaciones.Compromisos) -> list[dict[str, Any]]:
    """Two tile maps: % of the enrolment target reached, and of the accreditation target."""
    if len(datos.filas) < 2:
        return []
    nombres = {f.clave: f.nombre for f in datos.filas}
    mapas = []
    for clave_mapa, titulo, leyenda, logrado, meta in (
        (
            "inscritas",
            _t("Personas inscritas frente a la meta de la fase teórica"),
            _t("% de la meta de personas inscritas"),
            "inscritas",
            "meta_inscritas",
        ),
        (
            "acreditadas",
            _t("Personas acreditadas frente a la meta de la fase práctica"),
            _t("% de la meta de personas acreditadas"),
            "acreditadas",
            "meta_acreditadas",
        ),
    ):
        valores = {
            f.clave: (getattr(f, meta), min(100, getattr(f, logrado) * 100 // getattr(f, meta)))
            for f in datos.filas
            if getattr(f, meta) > 0
        }
        mapas.append(
            {
                "id": f"mapa-{clave_mapa}",
                "titulo": titulo,
                "leyenda": leyenda,
                "descripcion": _t(
                    "Cada cuadro es una entidad federativa; el color indica qué parte de su "
                    "meta alcanzó. En gris, las entidades sin meta comprometida. Los mismos "
                    "datos están en la tabla."
                ),
                "mapa": graficas.mapa_mosaicos(
                    nombres, valores, sin_inscripciones=_t("sin meta comprometida")
                ),
            }
        )
    return mapas


@login_required
@require_http_methods(["GET"])
def compromisos(request: HttpRequest) -> HttpResponse:
    usuario = _coordinador(request)
    form = CompromisosForm(request.GET or None)
    datos = None
    if not form.is_bound:
        programa = (
            ProgramaPage.objects.filter(requiere_manifestacion=True).order_by("title").first()
            or ProgramaPage.objects.order_by("title").first()
        )
        form = CompromisosForm(initial={"programa": programa, "anio": timezone.localdate().year})
        if programa is not None:
            datos = manifestaciones.compromisos(
                usuario, programa=programa, anio=timezone.localdate().year
            )
            programa_elegido, anio = programa, timezone.localdate().year
    elif form.is_valid():
        programa_elegido, anio = form.cleaned_data["programa"], form.cleaned_data["anio"]
        datos = manifestaciones.compromisos(usuario, programa=programa_elegido, anio=anio)
    if datos is not None:
        registrar_auditoria(
            usuario=usuario,
            accion=RegistroAuditoria.Accion.CONSULTA_TABLERO,
            filtros={"vista": "compromisos", "programa": programa_elegido.pk, "anio": anio},
            filas=len(datos.filas),
        )
    return render(
        request,
        "cursos/manifestaciones/compromisos.html",
        {
            "form": form,
            "datos": datos,
            "mapas": _mapas(datos) if datos is not None else [],
            "totales": {
                campo: datos.total(campo)
                for campo in (
                    "meta_inscritas",
                    "inscritas",
                    "meta_acreditadas",
                    "acreditadas",
                    "meta_sujetos",
                    "sujetos_con_inscritas",
                    "padron",
                )
            }
            if datos is not None
            else None,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
