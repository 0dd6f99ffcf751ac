"""Admin screens that are actions rather than model editing: regrades, import and export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from evaluaciones import instantaneas, selectors, services, services_importacion
from evaluaciones.importers import ResultadoImportacion, respuestas_de_vista_previa
from evaluaciones.importers.aiken import interpretar_aiken
from evaluaciones.importers.gift import interpretar_gift
from evaluaciones.importers.moodle_xml import (
    avisos_de_exportacion,
    exportar_moodle_xml,
    interpretar_moodle_xml,
)
from evaluaciones.models import CategoriaPregunta, Evaluacion, Intento, Pregunta, Recalificacion
from lms import alcance, subidas
from lms.alcance import Accion
from lms.entrada import id_de_consulta


def recalificar(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then put the question's current key into every attempt holding it."""
    pregunta = get_object_or_404(alcance.permitidos(request.user, Accion.CAMBIAR, Pregunta), pk=pk)
    if request.method == "POST":
        registro = services.recalificar_pregunta(
            pregunta=pregunta,
            realizada_por=request.user,
            motivo=request.POST.get("motivo", "")[:255],
        )
        messages.success(
            request,
            _("%(revisados)s; cambió la calificación de %(c)d. %(en_curso)s")
            % {
                "revisados": ngettext(
                    "Se revisó %(n)d intento",
                    "Se revisaron %(n)d intentos",
                    registro.intentos_revisados,
                )
                % {"n": registro.intentos_revisados},
                "c": len(registro.cambios),
                "en_curso": ngettext(
                    "Se actualizó la clave de %(n)d intento en curso.",
                    "Se actualizó la clave de %(n)d intentos en curso.",
                    registro.intentos_en_curso,
                )
                % {"n": registro.intentos_en_curso},
            },
        )
        return redirect("evaluaciones_recalificar", pk=pregunta.pk)
    conteo = Intento.objects.filter(preguntas=pregunta).aggregate(
        enviados=Count("pk", filter=Q(estado__in=services.ESTADOS_ENVIADOS)),
        en_curso=Count("pk", filter=Q(estado=Intento.Estado.EN_CURSO)),
    )
    registros = list(
        Recalificacion.objects.filter(pregunta=pregunta).select_related("realizada_por")[:20]
    )
    historial = []
    if registros:
        # Options deleted since a regrade keep their id in its key: it is shown as is.
        textos = {"verdadero": _("Verdadero"), "falso": _("Falso")}
        for opcion in pregunta.opciones.all():
            textos[str(opcion.pk)] = opcion.texto
            textos.setdefault(f"m{opcion.pk}", opcion.pareja)
        historial = [
            {
                "registro": registro,
                "clave_anterior": instantaneas.describir_clave(
                    registro.clave_anterior, textos, pregunta.tipo
                ),
                "clave_nueva": instantaneas.describir_clave(
                    registro.clave_nueva, textos, pregunta.tipo
                ),
            }
            for registro in registros
        ]
    return TemplateResponse(
        request,
        "evaluaciones/admin/recalificar.html",
        {
            "pregunta": pregunta,
            "afectados": conteo["enviados"],
            "en_curso": conteo["en_curso"],
            "historial": historial,
            "header_title": _("Recalificar: %(titulo)s") % {"titulo": pregunta.titulo},
            "page_title": _("Recalificar: %(titulo)s") % {"titulo": pregunta.titulo},
            "header_icon": "resubmit",
        },
    )


FORMATOS = {
    "gift": (_lazy("GIFT"), (".gift", ".txt"), interpretar_gift),
    "moodle_xml": (_lazy("Moodle XML"), (".xml",), interpretar_moodle_xml),
    "aiken": (_lazy("Aiken"), (".txt",), interpretar_aiken),
}


class ImportarPreguntasForm(forms.Form):
    formato = forms.ChoiceField(
        label=_lazy("Formato"),
        choices=[(clave, etiqueta) for clave, (etiqueta, _ext, _f) in FORMATOS.items()],
        initial="gift",
        required=False,
    )
    archivo = forms.FileField(
        label=_lazy("Archivo (.gift, .txt o .xml)"),
        required=False,
        help_text=_lazy("Codificado en UTF-8; máximo 2 MB."),
    )
    categoria = forms.ModelChoiceField(
        label=_lazy("Categoría"),
        queryset=CategoriaPregunta.objects.none(),
        help_text=_lazy(
            "Donde quedan las preguntas que no indiquen su propia categoría. Las categorías "
            "que el archivo nombre se crean en el curso de esta categoría."
        ),
    )
    texto = forms.CharField(required=False, widget=forms.HiddenInput)

    MAX_BYTES = subidas.MAX_PREGUNTAS

    def __init__(self, *args: Any, usuario: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A ModelChoiceField; django-stubs types form fields as Field.
        self.fields["categoria"].queryset = alcance.permitidos(  # type: ignore[attr-defined]
            usuario, Accion.CAMBIAR, CategoriaPregunta
        ).select_related("curso")

    def clean(self) -> dict[str, Any]:
        super().clean()
        datos = self.cleaned_data
        datos["formato"] = datos.get("formato") or "gift"
        extensiones = FORMATOS[datos["formato"]][1]
        archivo = datos.get("archivo")
        if archivo is not None:
            nombre = (archivo.name or "").lower()
            if not nombre.endswith(extensiones):
                raise forms.ValidationError(
                    _lazy("Para este formato suba un archivo %(ext)s.")
                    % {"ext": " o ".join(extensiones)}
                )
            if archivo.size > self.MAX_BYTES:
                raise forms.ValidationError(_lazy("El archivo pesa más de 2 MB."))
            try:
                datos["texto"] = archivo.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    _lazy("El archivo no está en UTF-8. Guárdelo como UTF-8 e inténtelo de nuevo.")
                ) from None
        if not datos.get("texto"):
            raise forms.ValidationError(_lazy("Elija un archivo para importar."))
        if len(datos["texto"]) > self.MAX_BYTES:
            raise forms.ValidationError(_lazy("El archivo pesa más de 2 MB."))
        return datos


def _vista_previa(
    resultado: ResultadoImportacion | None, categoria: CategoriaPregunta | None
) -> list[dict[str, Any]]:
    """Each parsed question as the preview shows it: answers, credits, category path, warnings."""
    if resultado is None:
        return []
    return [
        {
            "pregunta": p,
            "tipo": Pregunta.Tipo(p.tipo).label,
            "categoria": " / ".join(p.categoria) if p.categoria else str(categoria or "—"),
            "respuestas": respuestas_de_vista_previa(p),
        }
        for p in resultado.preguntas
    ]


def importar_gift(request: HttpRequest) -> HttpResponse:
    """Upload a GIFT, Moodle XML or Aiken file, preview every question and its errors,
    then import the valid ones."""
    if not alcance.puede_crear(request.user, Pregunta):
        raise PermissionDenied
    form = ImportarPreguntasForm(request.POST or None, request.FILES or None, usuario=request.user)
    resultado = None
    categoria = None
    formato = "gift"
    if request.method == "POST" and form.is_valid():
        categoria = form.cleaned_data["categoria"]
        formato = form.cleaned_data["formato"]
        resultado = FORMATOS[formato][2](form.cleaned_data["texto"])
        if request.POST.get("accion") == "importar" and resultado.preguntas:
            creadas = services_importacion.importar_preguntas(
                preguntas=resultado.preguntas,
                categoria=form.cleaned_data["categoria"],
                importada_por=request.user,
            )
            messages.success(
                request,
                _("%(importadas)s; %(con_errores)s.")
                % {
                    "importadas": ngettext(
                        "Se importó %(n)d pregunta", "Se importaron %(n)d preguntas", len(creadas)
                    )
                    % {"n": len(creadas)},
                    "con_errores": ngettext(
                        "%(n)d tenía errores y no se importó",
                        "%(n)d tenían errores y no se importaron",
                        len(resultado.errores),
                    )
                    % {"n": len(resultado.errores)},
                },
            )
            return redirect("wagtailsnippets_evaluaciones_pregunta:list")
        form = ImportarPreguntasForm(
            usuario=request.user,
            initial={
                "formato": formato,
                "categoria": form.cleaned_data["categoria"],
                "texto": form.cleaned_data["texto"],
            },
        )
    return TemplateResponse(
        request,
        "evaluaciones/admin/importar_gift.html",
        {
            "form": form,
            "resultado": resultado,
            "vista_previa": _vista_previa(resultado, categoria),
            "con_avisos": sum(1 for p in resultado.preguntas if p.avisos) if resultado else 0,
            "formato_nombre": FORMATOS[formato][0],
            "header_title": _("Importar preguntas"),
            "page_title": _("Importar preguntas"),
            "header_icon": "upload",
        },
    )


def exportar_moodle(request: HttpRequest) -> HttpResponse:
    """Moodle XML of an evaluation's fixed and category questions, or of one category.

    Only what the user may see: the evaluation or category, and of its questions those
    of the user's courses (an answer key is never exported to another course's team).
    When Moodle would refuse or lose part of it (a credit not in its list), a page names
    each problem first and the file is downloaded from there.
    """
    preguntas = (
        alcance.permitidos(request.user, Accion.VER, Pregunta)
        .select_related("categoria")
        .prefetch_related("opciones", "etiquetas", "criterios")
    )
    evaluacion_id = id_de_consulta(request, "evaluacion")
    categoria_id = id_de_consulta(request, "categoria")
    if evaluacion_id is not None:
        evaluacion = get_object_or_404(
            alcance.permitidos(request.user, Accion.VER, Evaluacion), pk=evaluacion_id
        )
        secciones = list(evaluacion.secciones.all())
        categorias = {s.categoria_id for s in secciones if s.categoria_id}
        categorias |= selectors.descendientes_de_categorias(
            s.categoria_id for s in secciones if s.categoria_id and s.incluir_subcategorias
        )
        preguntas = preguntas.filter(
            Q(pk__in=[s.pregunta_id for s in secciones if s.pregunta_id])
            | Q(categoria_id__in=categorias)
        )
        nombre = f"evaluacion-{evaluacion.pk}.xml"
        origen = str(evaluacion)
    elif categoria_id is not None:
        categoria = get_object_or_404(
            alcance.permitidos(request.user, Accion.VER, CategoriaPregunta), pk=categoria_id
        )
        # A category goes with its subcategories, as Moodle exports a category.
        preguntas = preguntas.filter(
            categoria_id__in={categoria.pk} | selectors.descendientes_de_categorias([categoria.pk])
        )
        nombre = f"categoria-{categoria.pk}.xml"
        origen = str(categoria)
    else:
        raise Http404
    lista = list(preguntas)
    avisos = avisos_de_exportacion(lista)
    if avisos and request.GET.get("descargar") != "1":
        consulta = request.GET.copy()
        consulta["descargar"] = "1"
        return TemplateResponse(
            request,
            "evaluaciones/admin/exportar_moodle.html",
            {
                "avisos": avisos,
                "origen": origen,
                "descarga": f"{request.path}?{consulta.urlencode()}",
                "header_title": _("Exportar a Moodle XML"),
                "page_title": _("Exportar a Moodle XML"),
                "header_icon": "download",
            },
        )
    respuesta = HttpResponse(
        exportar_moodle_xml(lista), content_type="application/xml; charset=utf-8"
    )
    respuesta["Content-Disposition"] = f'attachment; filename="{nombre}"'
    return respuesta
