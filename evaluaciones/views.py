"""Participant screens: start page, attempt page (with autosave), results and review."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from evaluaciones import instantaneas, selectors, services, tipos
from evaluaciones.models import Evaluacion, Intento, Respuesta
from evaluaciones.respuestas import PREFIJO, DatosFormulario, LecturaNumero, lectura_numero
from evaluaciones.revision import Revision, revision_permitida
from evaluaciones.scoring import TipoPregunta

DEMASIADO_GRANDE = gettext_lazy(
    "Lo que envió es demasiado grande. Acorte su respuesta e inténtelo de nuevo."
)


def _evaluacion_visible(request: HttpRequest, pk: int) -> Evaluacion:
    evaluacion = get_object_or_404(Evaluacion, pk=pk)
    if not selectors.puede_presentar(request.user, evaluacion):
        raise Http404
    return evaluacion


def _intento_propio(request: HttpRequest, pk: int) -> Intento:
    return get_object_or_404(
        Intento.objects.select_related("evaluacion"), pk=pk, usuario_id=request.user.pk
    )


def _leer_post(request: HttpRequest) -> tuple[DatosFormulario, dict[str, Any], dict[str, int]]:
    """Answer fields, uploaded files and the answer versions the page saw."""
    datos = {k: v for k, v in request.POST.lists() if k.startswith(PREFIJO)}
    archivos = {k: f for k, f in request.FILES.items() if k.startswith(PREFIJO)}
    versiones: dict[str, int] = {}
    for nombre, valor in request.POST.items():
        if nombre.startswith("v-"):
            valor = str(valor)
            if not valor.isdigit() or len(valor) > 9:
                raise ValueError(nombre)
            versiones[nombre[2:]] = int(valor)
    return datos, archivos, versiones


@login_required
@require_GET
def evaluacion_detalle(request: HttpRequest, pk: int) -> HttpResponse:
    evaluacion = _evaluacion_visible(request, pk)
    ahora = timezone.now()
    situacion = selectors.situacion(evaluacion=evaluacion, usuario=request.user, ahora=ahora)
    calificacion = selectors.calificacion_participante(
        evaluacion=evaluacion,
        intentos=situacion.intentos,
        cierre=selectors.cierre_para_revision(evaluacion),
        ahora=ahora,
    )
    return render(
        request,
        "evaluaciones/evaluacion_detalle.html",
        {"evaluacion": evaluacion, "situacion": situacion, "calificacion": calificacion},
    )


@login_required
@require_POST
def iniciar(request: HttpRequest, pk: int) -> HttpResponse:
    evaluacion = _evaluacion_visible(request, pk)
    try:
        intento = services.iniciar_intento(evaluacion=evaluacion, usuario=request.user)
    except services.ErrorEvaluacion as error:
        messages.error(request, error.mensaje)
        return redirect("evaluaciones:detalle", pk=evaluacion.pk)
    return redirect("evaluaciones:intento", pk=intento.pk)


def _lectura(tipo: str, valor: Any, *, enviada: bool = False) -> LecturaNumero | None:
    """How a saved numeric answer is read, for the line next to it; None for other types."""
    if tipo != TipoPregunta.NUMERICA or not isinstance(valor, str):
        return None
    return lectura_numero(valor, enviada=enviada)


def _vista_pregunta(numero: int, item: dict[str, Any], respuesta: Respuesta | None) -> dict:
    """What the attempt page may show of one question: never its key or feedback."""
    valor = respuesta.valor if respuesta is not None else None
    vista = item["vista"]
    tipo = item["tipo"]
    elegidas: set[str] = set()
    if isinstance(valor, str):
        elegidas = {valor}
    elif isinstance(valor, list):
        elegidas = {str(v) for v in valor}
    mapa = valor if isinstance(valor, dict) else {}
    opciones = [
        {
            "id": o["id"],
            "texto": o["texto"],
            "marcada": o["id"] in elegidas,
            "elegida": str(mapa.get(o["id"], "")),
        }
        for o in vista.get("opciones", [])
    ]
    return {
        "numero": numero,
        "clave": item["clave"],
        "tipo": tipo,
        "puntos": item["puntos"],
        "enunciado": vista["enunciado"],
        "opciones": opciones,
        "parejas": vista.get("parejas", []),
        "posiciones": list(range(1, len(opciones) + 1)),
        "texto": valor if isinstance(valor, str) and tipo not in _TIPOS_CON_ID else "",
        "archivo": respuesta.archivo_nombre if respuesta is not None else "",
        "plantilla": tipos.modulo(tipo).plantilla,
        "plantilla_respuesta": vista.get("plantilla_respuesta", ""),
        "longitud_maxima": vista.get("longitud_maxima"),
        "extensiones": vista.get("extensiones", []),
        "max_mb": int(vista.get("max_bytes", 0)) // (1024 * 1024),
        "version": respuesta.version if respuesta is not None else 0,
        "respondida": valor is not None,
        "lectura": _lectura(tipo, valor),
    }


_TIPOS_CON_ID = {TipoPregunta.OPCION_UNICA, TipoPregunta.VERDADERO_FALSO}


@never_cache
@login_required
@require_GET
def intento(request: HttpRequest, pk: int) -> HttpResponse:
    intento = _intento_propio(request, pk)
    ahora = timezone.now()
    if intento.estado != Intento.Estado.EN_CURSO:
        return redirect("evaluaciones:resultado", pk=intento.pk)
    if intento.vence_en is not None and ahora >= intento.vence_en:
        resultado = services.enviar_intento(intento_id=intento.pk, usuario=request.user)
        messages.warning(request, resultado.mensaje)
        return redirect("evaluaciones:resultado", pk=intento.pk)
    guardadas = {r.clave: r for r in intento.respuestas.all()}
    preguntas = [
        _vista_pregunta(n, item, guardadas.get(item["clave"]))
        for n, item in enumerate(intento.instantanea.get("preguntas", []), start=1)
    ]
    restante = max(int((intento.vence_en - ahora).total_seconds()), 0) if intento.vence_en else None
    return render(
        request,
        "evaluaciones/intento.html",
        {
            "intento": intento,
            "evaluacion": intento.evaluacion,
            "preguntas": preguntas,
            "restante": restante,
            "con_archivos": any(p["tipo"] == TipoPregunta.ENTREGABLE for p in preguntas),
            "textos": _textos_script(),
        },
    )


# Minutes left at which the attempt page warns, once each.
AVISOS_MINUTOS = (10, 5, 1)


def _textos_script() -> dict[str, Any]:
    """Messages the attempt page's script shows, translated here."""
    return {
        "subiendo": _("Subiendo archivo…"),
        "guardando": _("Guardando…"),
        "guardada": _("Respuesta guardada a las %(hora)s."),
        "no_guardada": _("No se pudo guardar."),
        "sin_conexion": _(
            "Sin conexión: su respuesta todavía no se ha guardado. Se intentará de nuevo al "
            "cambiarla o al enviar."
        ),
        "confirmar": _("¿Enviar sus respuestas? Después ya no podrá cambiarlas."),
        # Seconds left -> warning; the script warns at exactly these thresholds.
        "quedan": {
            str(minutos * 60): ngettext(
                "Queda %(minutos)d minuto.", "Quedan %(minutos)d minutos.", minutos
            )
            % {"minutos": minutos}
            for minutos in AVISOS_MINUTOS
        },
        "vencido": _("El tiempo terminó. Enviando sus respuestas guardadas."),
    }


def _restante(intento: Intento) -> int | None:
    if intento.vence_en is None:
        return None
    return max(int((intento.vence_en - timezone.now()).total_seconds()), 0)


@never_cache
@login_required
@require_POST
def guardar(request: HttpRequest, pk: int) -> JsonResponse:
    """Autosave of one answer, called by the page's script."""
    try:
        datos, archivos, _versiones = _leer_post(request)
        clave = request.POST.get("pregunta", "")
    except (RequestDataTooBig, TooManyFieldsSent):
        return JsonResponse({"ok": False, "mensaje": DEMASIADO_GRANDE}, status=413)
    except ValueError:
        return JsonResponse({"ok": False, "mensaje": _("Solicitud mal formada.")}, status=400)
    archivo = next(iter(archivos.values()), None)
    if len(archivos) > 1:
        return JsonResponse({"ok": False, "mensaje": _("Envíe un solo archivo.")}, status=400)
    try:
        respuesta = services.guardar_respuesta(
            intento_id=pk, usuario=request.user, clave=clave, datos=datos, archivo=archivo
        )
    except services.ErrorEvaluacion as error:
        return JsonResponse({"ok": False, "mensaje": error.mensaje}, status=409)
    intento = respuesta.intento
    cuerpo: dict[str, Any] = {
        "ok": True,
        "version": respuesta.version,
        "guardada_en": timezone.localtime(respuesta.guardada_en).strftime("%H:%M:%S"),
        "restante": _restante(intento),
    }
    item = instantaneas.items_por_clave(intento.instantanea)[clave]
    if item["tipo"] == TipoPregunta.NUMERICA:
        # The page shows this line as is: the reading is the server's, never the script's.
        lectura = _lectura(item["tipo"], respuesta.valor)
        cuerpo["lectura"] = lectura.texto if lectura is not None else ""
    return JsonResponse(cuerpo)


@login_required
@require_POST
def enviar(request: HttpRequest, pk: int) -> HttpResponse:
    """The full-page form: save without submitting, or submit (works without JavaScript).

    The attempt is read once, locked, by the service; someone else's is a 404.
    """
    try:
        datos, archivos, versiones = _leer_post(request)
        accion = request.POST.get("accion", "enviar")
    except (RequestDataTooBig, TooManyFieldsSent):
        intento = _intento_propio(request, pk)
        messages.error(request, DEMASIADO_GRANDE)
        return redirect("evaluaciones:intento", pk=intento.pk)
    except ValueError:
        intento = _intento_propio(request, pk)
        messages.error(request, _("Solicitud mal formada; no se guardó nada."))
        return redirect("evaluaciones:intento", pk=intento.pk)
    try:
        if accion == "guardar":
            errores = services.guardar_respuestas(
                intento_id=pk,
                usuario=request.user,
                datos=datos,
                archivos=archivos,
                versiones=versiones,
            )
            for error in errores:
                messages.error(request, error)
            if errores:
                messages.warning(request, _("Las demás respuestas se guardaron."))
            else:
                messages.success(request, _("Sus respuestas se guardaron."))
            return redirect("evaluaciones:intento", pk=pk)
        resultado = services.enviar_intento(
            intento_id=pk,
            usuario=request.user,
            datos=datos,
            archivos=archivos,
            versiones=versiones,
        )
    except services.IntentoNoEncontrado:
        raise Http404 from None
    except services.ErrorEvaluacion as error:
        messages.error(request, error.mensaje)
        intento = _intento_propio(request, pk)
        if intento.estado != Intento.Estado.EN_CURSO:
            return redirect("evaluaciones:resultado", pk=pk)
        return redirect("evaluaciones:intento", pk=pk)
    if resultado.rechazado:
        messages.error(request, resultado.mensaje)
        messages.warning(
            request,
            _(
                "Su intento no se envió; las demás respuestas se guardaron. Corrija y envíe "
                "de nuevo."
            ),
        )
        return redirect("evaluaciones:intento", pk=pk)
    if resultado.ya_enviado or resultado.vencido:
        messages.warning(request, resultado.mensaje)
    else:
        messages.success(request, resultado.mensaje)
    return redirect("evaluaciones:resultado", pk=pk)


def _revision_pregunta(
    numero: int, item: dict[str, Any], respuesta: Respuesta | None, revision: Revision
) -> dict:
    """One question of the review, holding only what `revision` allows."""
    base = _vista_pregunta(numero, item, respuesta)
    clave = item["clave_correcta"]
    if not revision.respuestas:
        for opcion in base["opciones"]:
            opcion["marcada"] = False
            opcion["elegida"] = ""
        base["texto"] = ""
        base["archivo"] = ""
    base["lectura"] = (
        _lectura(item["tipo"], respuesta.valor, enviada=True)
        if revision.respuestas and respuesta is not None
        else None
    )
    base["puntos_obtenidos"] = (
        respuesta.puntos if revision.puntaje and respuesta is not None else None
    )
    base["comentario"] = respuesta.comentario if revision.retroalimentacion and respuesta else ""
    base["mostrar_respuestas"] = revision.respuestas
    base["correctas"] = _correctas(item) if revision.correctas else None
    if revision.retroalimentacion:
        base["retroalimentacion"] = clave.get("retroalimentacion", "")
        por_opcion = clave.get("retroalimentacion_opciones", {})
        for opcion in base["opciones"]:
            if opcion["marcada"] or revision.correctas:
                opcion["retroalimentacion"] = por_opcion.get(opcion["id"], "")
        if revision.respuestas and respuesta is not None:
            elegida = instantaneas.respuesta_elegida(item, respuesta.valor)
            base["retroalimentacion_respuesta"] = por_opcion.get(elegida or "", "")
    return base


def _correctas(item: dict[str, Any]) -> list[str]:
    """Right answers as lines of text, for the review."""
    return tipos.modulo(item["tipo"]).correctas(item)


@never_cache
@login_required
@require_GET
def resultado(request: HttpRequest, pk: int) -> HttpResponse:
    intento = _intento_propio(request, pk)
    if intento.estado == Intento.Estado.EN_CURSO:
        return redirect("evaluaciones:intento", pk=intento.pk)
    evaluacion = intento.evaluacion
    ahora = timezone.now()
    cierre = selectors.cierre_para_revision(evaluacion)
    revision = revision_permitida(
        puntaje=evaluacion.revision_puntaje,
        respuestas=evaluacion.revision_respuestas,
        correctas=evaluacion.revision_correctas,
        retroalimentacion=evaluacion.revision_retroalimentacion,
        enviado=True,
        cierre=cierre,
        ahora=ahora,
    )
    calificacion = selectors.calificacion_participante(
        evaluacion=evaluacion,
        intentos=[
            intento,
            *Intento.objects.filter(evaluacion=evaluacion, usuario_id=intento.usuario_id)
            .exclude(pk=intento.pk)
            .defer("instantanea"),
        ],
        cierre=cierre,
        ahora=ahora,
    )
    preguntas = []
    if revision.respuestas or revision.correctas or revision.retroalimentacion:
        guardadas = {r.clave: r for r in intento.respuestas.all()}
        preguntas = [
            _revision_pregunta(n, item, guardadas.get(item["clave"]), revision)
            for n, item in enumerate(intento.instantanea.get("preguntas", []), start=1)
        ]
    aprobado = (
        intento.porcentaje is not None and intento.porcentaje >= evaluacion.puntaje_aprobatorio
    )
    return render(
        request,
        "evaluaciones/resultado.html",
        {
            "intento": intento,
            "evaluacion": evaluacion,
            "revision": revision,
            "preguntas": preguntas,
            "aprobado": aprobado,
            "calificacion": calificacion,
            "recalificaciones": instantaneas.cambios_de_clave(intento.instantanea),
        },
    )
