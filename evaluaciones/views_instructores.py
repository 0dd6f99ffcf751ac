"""Staff screens: the manual grading queue, results per evaluation, item analysis, CSV exports.

Who may use them and whose records they show is decided by
`selectors.intentos_a_cargo`; anything outside it is a 404.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from evaluaciones import instantaneas, selectors, services
from evaluaciones.analisis import Problema
from evaluaciones.models import CriterioRubrica, Evaluacion, Intento, Pregunta, Respuesta
from evaluaciones.respuestas import texto_de_respuesta
from evaluaciones.scoring import TIPOS_MANUALES, TipoPregunta
from lms.archivos import descargar_privado
from lms.entrada import parsear_id
from lms.models import RegistroAuditoria, Usuario
from lms.services import registrar_auditoria
from lms.tabular import sin_formula

PROBLEMAS = {
    Problema.MUY_DIFICIL: gettext_lazy("Muy difícil: casi nadie la responde bien."),
    Problema.MUY_FACIL: gettext_lazy("Muy fácil: casi todos la responden bien."),
    Problema.DISCRIMINA_POCO: gettext_lazy(
        "Discrimina poco entre quienes dominan el tema y quienes no."
    ),
    Problema.DISCRIMINACION_NEGATIVA: gettext_lazy(
        "Discriminación negativa: la responden mejor quienes peor resultado obtienen. "
        "Revise la clave."
    ),
}
MAX_COMENTARIO = 5000


def _revisor(request: HttpRequest) -> None:
    if not selectors.puede_revisar(request.user):
        raise PermissionDenied


def _evaluacion_id(request: HttpRequest) -> int | None:
    return parsear_id(request.GET.get("evaluacion", ""))


def _respuesta_manual(request: HttpRequest, pk: int) -> tuple[Respuesta, dict[str, Any]]:
    """A hand-graded answer of a submitted attempt in the user's scope, or 404."""
    respuesta = get_object_or_404(
        Respuesta.objects.select_related(
            "intento__evaluacion", "intento__usuario__organizacion", "intento__usuario__entidad"
        ),
        pk=pk,
        intento__in=selectors.intentos_a_cargo(request.user).exclude(
            estado__in=[Intento.Estado.EN_CURSO, Intento.Estado.ABANDONADO]
        ),
    )
    item = instantaneas.items_por_clave(respuesta.intento.instantanea).get(respuesta.clave)
    if item is None or item["tipo"] not in TIPOS_MANUALES:
        raise Http404
    return respuesta, item


@never_cache
@login_required
@require_GET
def cola_calificacion(request: HttpRequest) -> HttpResponse:
    """Answers waiting for a hand grade, optionally of one evaluation."""
    _revisor(request)
    evaluacion_id = _evaluacion_id(request)
    pendientes = selectors.respuestas_por_calificar(
        request.user, evaluacion_id=evaluacion_id
    ).defer("intento__instantanea")
    pagina = Paginator(pendientes, 50).get_page(request.GET.get("pagina"))
    evaluaciones = Evaluacion.objects.filter(
        pk__in=selectors.respuestas_por_calificar(request.user).values("intento__evaluacion_id")
    ).order_by("titulo")
    return render(
        request,
        "evaluaciones/instructores/cola.html",
        {"pagina": pagina, "evaluaciones": evaluaciones, "evaluacion_id": evaluacion_id},
    )


def _leer_puntos(texto: str) -> Decimal | None:
    texto = texto.strip().replace(",", ".")
    if not texto or len(texto) > 12:
        return None
    try:
        valor = Decimal(texto)
    except InvalidOperation:
        return None
    return valor if valor.is_finite() else None


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def calificar(request: HttpRequest, pk: int) -> HttpResponse:
    """One answer at a time: the question, the answer or its file, the rubric, feedback."""
    _revisor(request)
    respuesta, item = _respuesta_manual(request, pk)
    criterios = list(
        CriterioRubrica.objects.filter(pregunta_id=item.get("pregunta_id")).order_by(
            "sort_order", "pk"
        )
    )
    errores: list[str] = []
    valores: dict[str, str] = {}
    if request.method == "POST":
        comentario = request.POST.get("comentario", "")
        if len(comentario) > MAX_COMENTARIO:
            errores.append(_("La retroalimentación es demasiado larga."))
        puntos_criterio: dict[int, Decimal] = {}
        puntos_directos: Decimal | None = None
        usar_rubrica = bool(criterios) and request.POST.get("modo", "rubrica") == "rubrica"
        if usar_rubrica:
            for criterio in criterios:
                nombre = f"criterio-{criterio.pk}"
                valores[nombre] = request.POST.get(nombre, "")
                valor = _leer_puntos(valores[nombre])
                if valor is None:
                    errores.append(
                        _("Escriba los puntos de «%(criterio)s».")
                        % {"criterio": criterio.descripcion}
                    )
                else:
                    puntos_criterio[criterio.pk] = valor
        else:
            valores["puntos"] = request.POST.get("puntos", "")
            puntos_directos = _leer_puntos(valores["puntos"])
            if puntos_directos is None:
                errores.append(_("Escriba los puntos como un número, por ejemplo 7.5."))
        if not errores:
            try:
                services.calificar_manual(
                    respuesta_id=respuesta.pk,
                    puntos=puntos_directos,
                    criterios=puntos_criterio if usar_rubrica else None,
                    comentario=comentario,
                    calificador=request.user,
                )
            except services.ErrorEvaluacion as error:
                errores.append(error.mensaje)
            else:
                messages.success(request, _("La calificación se guardó."))
                siguiente = (
                    selectors.respuestas_por_calificar(
                        request.user, evaluacion_id=respuesta.intento.evaluacion_id
                    )
                    .exclude(pk=respuesta.pk)
                    .first()
                )
                if siguiente is not None:
                    return redirect("evaluaciones:calificar", pk=siguiente.pk)
                url = reverse("evaluaciones:cola_calificacion")
                return redirect(f"{url}?evaluacion={respuesta.intento.evaluacion_id}")
    elif respuesta.calificada_en is not None:
        valores["puntos"] = str(respuesta.puntos.normalize()) if respuesta.puntos else "0"
        for fila in respuesta.rubrica:
            for criterio in criterios:
                if criterio.descripcion == fila.get("criterio"):
                    valores[f"criterio-{criterio.pk}"] = fila.get("obtenidos", "")
    anteriores = {c.pk: valores.get(f"criterio-{c.pk}", "") for c in criterios}
    return render(
        request,
        "evaluaciones/instructores/calificar.html",
        {
            "respuesta": respuesta,
            "intento": respuesta.intento,
            "persona": respuesta.intento.usuario,
            "item": item,
            "es_entregable": item["tipo"] == TipoPregunta.ENTREGABLE,
            "texto": respuesta.valor if isinstance(respuesta.valor, str) else "",
            "criterios": [(c, anteriores[c.pk]) for c in criterios],
            # The author's notes for graders, as the question says them now (like the rubric).
            "notas_para_calificar": Pregunta.objects.filter(pk=item.get("pregunta_id"))
            .values_list("notas_para_calificar", flat=True)
            .first(),
            "puntos_valor": valores.get("puntos", ""),
            "comentario": request.POST.get("comentario", respuesta.comentario),
            "errores": errores,
        },
        status=400 if errores else 200,
    )


@never_cache
@login_required
@require_GET
def descargar_entregable(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The uploaded file, only to someone who may grade it; always as a download."""
    _revisor(request)
    respuesta, _item = _respuesta_manual(request, pk)
    if not respuesta.archivo:
        raise Http404
    return descargar_privado(
        respuesta.archivo,
        nombre=respuesta.archivo_nombre or respuesta.archivo.name.rsplit("/", 1)[-1],
        content_type="application/octet-stream",
    )


# --- Results ------------------------------------------------------------------------


def _intentos_de(request: HttpRequest, evaluacion: Evaluacion) -> Any:
    return (
        selectors.intentos_a_cargo(request.user)
        .filter(evaluacion=evaluacion)
        .exclude(estado=Intento.Estado.EN_CURSO)
    )


@never_cache
@login_required
@require_GET
def resultados_lista(request: HttpRequest) -> HttpResponse:
    _revisor(request)
    evaluaciones = selectors.evaluaciones_a_cargo(request.user).order_by("titulo")
    return render(
        request, "evaluaciones/instructores/evaluaciones.html", {"evaluaciones": evaluaciones}
    )


@never_cache
@login_required
@require_GET
def resultados(request: HttpRequest, pk: int) -> HttpResponse:
    """Submitted attempts of one evaluation, of the people the user may see."""
    _revisor(request)
    evaluacion = get_object_or_404(selectors.evaluaciones_a_cargo(request.user), pk=pk)
    intentos = (
        _intentos_de(request, evaluacion)
        .select_related("usuario__organizacion", "usuario__entidad")
        .defer("instantanea")
        .order_by("usuario__last_name", "usuario__first_name", "usuario_id", "numero")
    )
    pagina = Paginator(intentos, 100).get_page(request.GET.get("pagina"))
    finales = selectors.calificaciones_finales(
        evaluacion=evaluacion, usuario_ids={i.usuario_id for i in pagina.object_list}
    )
    for intento in pagina.object_list:
        intento.calificacion_final = finales.get(intento.usuario_id)
    return render(
        request,
        "evaluaciones/instructores/resultados.html",
        {"evaluacion": evaluacion, "pagina": pagina},
    )


@never_cache
@login_required
@require_GET
def analisis(request: HttpRequest, pk: int) -> HttpResponse:
    """Facility, discrimination and option counts per question, with the ones that fail."""
    _revisor(request)
    evaluacion = get_object_or_404(selectors.evaluaciones_a_cargo(request.user), pk=pk)
    preguntas = selectors.analisis_de_preguntas(_intentos_de(request, evaluacion))
    filas = [{"p": p, "problemas": [PROBLEMAS[x] for x in p.analisis.problemas]} for p in preguntas]
    return render(
        request,
        "evaluaciones/instructores/analisis.html",
        {"evaluacion": evaluacion, "filas": filas},
    )


class _Eco:
    def write(self, valor: str) -> str:
        return valor


def _celda(valor: Any) -> str:
    """Text for a CSV cell; formulas are neutralised for spreadsheets."""
    if valor is None:
        return ""
    if isinstance(valor, bool):
        return _("Sí") if valor else _("No")
    if hasattr(valor, "isoformat"):
        return timezone.localtime(valor).strftime("%Y-%m-%d %H:%M")
    return sin_formula(str(valor))


def _csv(nombre: str, filas: Iterator[list[Any]]) -> StreamingHttpResponse:
    escritor = csv.writer(_Eco())

    def contenido() -> Iterator[str]:
        yield "\ufeff"
        for fila in filas:
            yield escritor.writerow([_celda(v) for v in fila])

    respuesta = StreamingHttpResponse(contenido(), content_type="text/csv; charset=utf-8")
    respuesta["Content-Disposition"] = f'attachment; filename="{nombre}"'
    return respuesta


def _auditar(request: HttpRequest, evaluacion: Evaluacion, accion: str, intentos: int) -> None:
    registrar_auditoria(
        usuario=cast(Usuario, request.user),
        accion=accion,
        filtros={"evaluacion": evaluacion.pk},
        filas=intentos,
        objeto=str(evaluacion.pk),
    )


@never_cache
@login_required
@require_GET
def resultados_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    _revisor(request)
    evaluacion = get_object_or_404(selectors.evaluaciones_a_cargo(request.user), pk=pk)
    aprobatorio = evaluacion.puntaje_aprobatorio
    filas = (
        _intentos_de(request, evaluacion)
        .order_by("usuario__last_name", "usuario__first_name", "usuario_id", "numero")
        .values_list(
            "usuario__first_name",
            "usuario__last_name",
            "usuario__organizacion__nombre",
            "usuario__entidad__nombre",
            "numero",
            "estado",
            "puntaje",
            "puntaje_maximo",
            "porcentaje",
            "iniciado_en",
            "enviado_en",
            "calificado_en",
        )
    )
    estados = dict(Intento.Estado.choices)

    def generar() -> Iterator[list[Any]]:
        yield [
            _("Nombre"),
            _("Apellidos"),
            _("Organización"),
            _("Entidad federativa"),
            _("Intento"),
            _("Estado"),
            _("Puntos"),
            _("Puntos posibles"),
            _("Calificación (%)"),
            _("Aprobado"),
            _("Iniciado"),
            _("Enviado"),
            _("Calificado"),
        ]
        for (
            nombre,
            apellidos,
            org,
            entidad,
            numero,
            estado,
            pts,
            maximo,
            pct,
            ini,
            env,
            cal,
        ) in filas.iterator(chunk_size=1000):
            yield [
                nombre,
                apellidos,
                org,
                entidad,
                numero,
                estados.get(estado, estado),
                pts,
                maximo,
                pct,
                pct is not None and pct >= aprobatorio,
                ini,
                env,
                cal,
            ]

    _auditar(request, evaluacion, RegistroAuditoria.Accion.DESCARGA_RESULTADOS, filas.count())
    return _csv(f"resultados-evaluacion-{evaluacion.pk}.csv", generar())


@never_cache
@login_required
@require_GET
def respuestas_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """One row per attempt and question, read in chunks of attempts (three queries each at most).

    Questions are named by their internal name in the bank and an excerpt of the
    statement the attempt showed; the bank id closes the row for joining.
    """
    _revisor(request)
    evaluacion = get_object_or_404(selectors.evaluaciones_a_cargo(request.user), pk=pk)
    ids = list(
        _intentos_de(request, evaluacion)
        .exclude(estado=Intento.Estado.ABANDONADO)
        .order_by("pk")
        .values_list("pk", flat=True)
    )

    def generar() -> Iterator[list[Any]]:
        yield [
            _("Nombre"),
            _("Apellidos"),
            _("Intento"),
            _("Pregunta"),
            _("Enunciado"),
            _("Respuesta"),
            _("Puntos"),
            _("Puntos posibles"),
            _("Número en el intento"),
            _("Id de la pregunta en el banco"),
        ]
        titulos: dict[int, str] = {}
        for inicio in range(0, len(ids), 500):
            bloque = ids[inicio : inicio + 500]
            intentos = list(Intento.objects.filter(pk__in=bloque).select_related("usuario"))
            nuevas = {
                item["pregunta_id"]
                for intento in intentos
                for item in intento.instantanea.get("preguntas", [])
            } - titulos.keys()
            if nuevas:
                titulos.update(dict.fromkeys(nuevas, ""))
                titulos.update(selectors.titulos_de_preguntas(nuevas))
            guardadas: dict[tuple[int, str], tuple[Any, str, Any]] = {
                (i, c): (v, a, p)
                for i, c, v, a, p in Respuesta.objects.filter(intento_id__in=bloque).values_list(
                    "intento_id", "clave", "valor", "archivo_nombre", "puntos"
                )
            }
            for intento in sorted(intentos, key=lambda i: i.pk):
                for numero, item in enumerate(intento.instantanea.get("preguntas", []), start=1):
                    valor, archivo, puntos = guardadas.get(
                        (intento.pk, item["clave"]), (None, "", None)
                    )
                    yield [
                        intento.usuario.first_name,
                        intento.usuario.last_name,
                        intento.numero,
                        titulos[item["pregunta_id"]],
                        selectors.extracto(item["vista"].get("enunciado", "")),
                        texto_de_respuesta(item, valor, archivo),
                        puntos,
                        item["puntos"],
                        numero,
                        item["pregunta_id"],
                    ]

    _auditar(request, evaluacion, RegistroAuditoria.Accion.DESCARGA_RESPUESTAS, len(ids))
    return _csv(f"respuestas-evaluacion-{evaluacion.pk}.csv", generar())
