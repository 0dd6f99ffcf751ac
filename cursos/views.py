"""Participant, trainer and coordinator screens of courses and editions."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wagtail.models import Page

from cursos import extensiones, selectors, services
from cursos.forms import AsistenciaForm, BusquedaForm, FiltroParticipantesForm
from cursos.ics import calendario
from cursos.models import (
    CursoPage,
    Edicion,
    FasePage,
    Inscripcion,
    LeccionPage,
    SesionEnVivo,
)
from cursos.models.paginas import PASO_RUTA
from cursos.progreso import siguiente_leccion
from lms.alcance import alcance_de
from lms.busqueda_texto import campos_persona, filtrar_por_texto
from lms.models import EntidadFederativa, Organizacion, Usuario

MAX_INTENTOS_CODIGO = 10


def _render(request: HttpRequest, plantilla: str, contexto: dict[str, Any]) -> HttpResponse:
    """Render with dates in the viewer's time zone."""
    zona = selectors.zona_horaria(request.user)
    with timezone.override(zona):
        contexto.setdefault("zona_horaria", zona)
        return render(request, plantilla, contexto)


def _puede_ver_todo(request: HttpRequest, curso: CursoPage) -> bool:
    """Staff who author or follow the course read every lesson without enrolling."""
    if getattr(request, "is_preview", False):
        return True
    usuario = request.user
    if not usuario.is_authenticated:
        return False
    alcance = alcance_de(usuario)
    if alcance.coordina or alcance.es_administrador:
        return True
    return curso.instructores.filter(pk=usuario.pk).exists()


# --- Page tree ----------------------------------------------------------------


def _usuario(request: HttpRequest) -> Usuario:
    """The signed-in person (views using it are behind login_required)."""
    return cast(Usuario, request.user)


def _memo(request: HttpRequest, clave: Any, calcular: Any) -> Any:
    """Compute a value once per request (the access check and the context share it)."""
    memo = request.__dict__.setdefault("_cursos_memo", {})
    if clave not in memo:
        memo[clave] = calcular()
    return memo[clave]


# How many levels a page sits below its course (parent_page_types hold the tree's shape).
NIVELES_BAJO_CURSO = {FasePage: 1, LeccionPage: 2}


def _curso_de(request: HttpRequest, pagina: Page) -> CursoPage | None:
    """The page's course: the one its enrolment brings along, else read by tree path."""
    if isinstance(pagina, CursoPage):
        return pagina
    niveles = NIVELES_BAJO_CURSO.get(type(pagina))
    if niveles is None:
        return _memo(
            request, ("curso", pagina.pk), lambda: CursoPage.objects.ancestor_of(pagina).first()
        )
    ruta = pagina.path[: -PASO_RUTA * niveles]
    inscripcion = _inscripcion_por_ruta(request, ruta)
    if inscripcion is not None:
        return inscripcion.edicion.curso
    return _memo(request, ("curso", ruta), lambda: CursoPage.objects.filter(path=ruta).first())


def _inscripcion_por_ruta(request: HttpRequest, ruta: str) -> Inscripcion | None:
    return _memo(
        request,
        ("inscripcion", ruta),
        lambda: selectors.inscripcion_vigente(request.user, ruta_curso=ruta),
    )


def _inscripcion_en(request: HttpRequest, curso: CursoPage | None) -> Inscripcion | None:
    if curso is None:
        return None
    return _inscripcion_por_ruta(request, curso.path)


def _estructura(request: HttpRequest, curso: CursoPage) -> selectors.Estructura:
    """The course's phases and lessons, read once per request."""
    return _memo(
        request,
        ("estructura", curso.pk),
        lambda: selectors.estructura_de_cursos([curso])[curso.pk],
    )


def servir(request: HttpRequest, pagina: Page, *args: Any, **kwargs: Any) -> HttpResponse:
    """Serve a course page with its dates rendered in the viewer's time zone.

    Who reads a lesson's body: the people enrolled (active enrolment) in an
    edition of its course from the edition's first day on, also after it ends;
    the course's instructors, coordinators and administrators; and, when the
    course is marked `lecciones_abiertas`, anyone. Everyone else sees the course
    and phase pages and the editions to enrol in, never a lesson body.
    """
    if isinstance(pagina, LeccionPage) and not getattr(request, "is_preview", False):
        curso = _curso_de(request, pagina)
        if curso is None:
            raise Http404
        if not curso.lecciones_abiertas:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            inscripcion = _inscripcion_en(request, curso)
            abierta = inscripcion is not None and not inscripcion.edicion.por_comenzar()
            if not abierta and not _puede_ver_todo(request, curso):
                contexto = {"page": pagina, "curso": curso}
                if inscripcion is not None:
                    contexto["edicion_por_comenzar"] = inscripcion.edicion
                return _render(request, "cursos/sin_inscripcion.html", contexto)
    respuesta = Page.serve(pagina, request, *args, **kwargs)
    with timezone.override(selectors.zona_horaria(request.user)):
        respuesta.render()
    return respuesta


def contexto_curso(request: HttpRequest, curso: CursoPage) -> dict[str, Any]:
    inscripcion = _inscripcion_en(request, curso)
    fases = list(selectors.fases_de(curso))
    lecciones = selectors.lecciones_de_fases(fases)
    ediciones = list(
        Edicion.objects.filter(curso=curso, fecha_fin__gte=timezone.localdate())
        .annotate(inscritas=Count("inscripciones", filter=Q(inscripciones__estado="activa")))
        .order_by("fecha_inicio")
    )
    contexto: dict[str, Any] = {
        "fases": [(fase, lecciones.get(fase.pk, [])) for fase in fases],
        "ediciones": ediciones,
        "inscripcion": inscripcion,
        "zona_horaria": selectors.zona_horaria(request.user),
    }
    if inscripcion is not None:
        contexto.update(_avance(inscripcion))
    return contexto


def _avance(
    inscripcion: Inscripcion, estructura: selectors.Estructura | None = None
) -> dict[str, Any]:
    leido = services.leer_avances(
        [inscripcion],
        estructura=None if estructura is None else {inscripcion.edicion.curso_id: estructura},
    )[inscripcion.pk]
    return {
        "estado": leido.estado,
        "estados_fase": {f.fase_id: f for f in leido.estado.fases},
        "completadas": set(leido.hechos.lecciones),
        "continuar": siguiente_leccion(leido.reglas, leido.hechos),
    }


def contexto_fase(request: HttpRequest, fase: FasePage) -> dict[str, Any]:
    curso = _curso_de(request, fase)
    inscripcion = _inscripcion_en(request, curso)
    contexto: dict[str, Any] = {
        "curso": curso,
        "lecciones": list(selectors.lecciones_de(fase)),
        "inscripcion": inscripcion,
        "zona_horaria": selectors.zona_horaria(request.user),
        "sesiones": (
            list(SesionEnVivo.objects.filter(edicion_id=inscripcion.edicion_id, fase=fase))
            if inscripcion
            else []
        ),
    }
    if inscripcion is not None:
        avance = _avance(inscripcion)
        contexto["estado_fase"] = avance["estados_fase"].get(fase.pk)
        contexto["completadas"] = avance["completadas"]
    return contexto


def contexto_leccion(request: HttpRequest, leccion: LeccionPage) -> dict[str, Any]:
    curso = _curso_de(request, leccion)
    inscripcion = _inscripcion_en(request, curso)
    # The phase and its lessons come with the course's structure, which progress reads too.
    estructura = _estructura(request, curso) if curso is not None else []
    ruta_fase = leccion.path[:-PASO_RUTA]
    fase, hermanas = next(
        ((f, lecciones) for f, lecciones in estructura if f.path == ruta_fase), (None, [])
    )
    posicion = next((i for i, h in enumerate(hermanas) if h.pk == leccion.pk), None)
    anterior = hermanas[posicion - 1] if posicion else None
    siguiente = (
        hermanas[posicion + 1] if posicion is not None and posicion + 1 < len(hermanas) else None
    )
    contexto: dict[str, Any] = {
        "fase": fase,
        "curso": curso,
        "hermanas": hermanas,
        "anterior": anterior,
        "siguiente": siguiente,
        "inscripcion": inscripcion,
        "indice": leccion.indice,
    }
    if inscripcion is not None and fase is not None:
        avance = _avance(inscripcion, estructura)
        contexto["estado_fase"] = avance["estados_fase"].get(fase.pk)
        contexto["completadas"] = avance["completadas"]
        contexto["completada"] = leccion.pk in avance["completadas"]
        contexto["edicion_terminada"] = inscripcion.edicion.terminada()
        contexto["edicion_por_comenzar"] = inscripcion.edicion.por_comenzar()
    return contexto


@require_GET
def ir_a_leccion(request: HttpRequest, pk: int) -> HttpResponse:
    leccion = get_object_or_404(LeccionPage.objects.live(), pk=pk)
    return redirect(leccion.url)


@login_required
@require_POST
def completar_leccion(request: HttpRequest, pk: int) -> HttpResponse:
    leccion = get_object_or_404(LeccionPage.objects.live(), pk=pk)
    curso = _curso_de(request, leccion)
    inscripcion = _inscripcion_en(request, curso)
    if inscripcion is None:
        raise Http404
    try:
        services.marcar_leccion_completada(inscripcion=inscripcion, leccion=leccion)
    except services.ProgresoError as error:
        messages.error(request, error.messages[0])
        return redirect(leccion.url)
    messages.success(request, _("Lección completada."))
    siguiente = (
        LeccionPage.objects.live()
        .sibling_of(leccion, inclusive=False)
        .filter(path__gt=leccion.path)
        .order_by("path")
        .first()
    )
    return redirect(siguiente.url if siguiente else leccion.get_parent().url)


# --- Editions and enrolment ---------------------------------------------------


def _edicion_publica(pk: int) -> Edicion:
    return get_object_or_404(
        Edicion.objects.select_related("curso").filter(curso__live=True), pk=pk
    )


@require_GET
def edicion_detalle(request: HttpRequest, pk: int) -> HttpResponse:
    edicion = _edicion_publica(pk)
    inscripcion = None
    motivo = None
    if request.user.is_authenticated:
        inscripcion = Inscripcion.objects.filter(edicion=edicion, usuario=request.user).first()
        motivo = services.motivo_no_elegible(edicion=edicion, usuario=request.user)
    inscritas = edicion.inscripciones.filter(estado=Inscripcion.Estado.ACTIVA).count()
    return _render(
        request,
        "cursos/edicion_detalle.html",
        {
            "edicion": edicion,
            "curso": edicion.curso,
            "inscripcion": inscripcion,
            "motivo_no_elegible": motivo,
            "lugares": None if edicion.cupo is None else max(edicion.cupo - inscritas, 0),
            "abierta": edicion.inscripcion_abierta(),
            "sesiones": list(edicion.sesiones.select_related("fase")),
            "gestiona": selectors.puede_gestionar_edicion(request.user, edicion),
        },
    )


@login_required
@require_POST
def inscribirme(request: HttpRequest, pk: int) -> HttpResponse:
    edicion = _edicion_publica(pk)
    try:
        services.inscribir_persona(edicion=edicion, usuario=_usuario(request))
    except services.InscripcionError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Quedó inscrita o inscrito en esta edición."))
    return redirect("cursos:edicion", pk=edicion.pk)


@login_required
@require_POST
def retirarme(request: HttpRequest, pk: int) -> HttpResponse:
    edicion = _edicion_publica(pk)
    inscripcion = get_object_or_404(Inscripcion, edicion=edicion, usuario=_usuario(request))
    try:
        services.retirar_inscripcion(inscripcion=inscripcion)
    except services.InscripcionError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Se retiró de esta edición. Su avance se conserva."))
    return redirect("cursos:edicion", pk=edicion.pk)


@login_required
@require_GET
def mis_cursos(request: HttpRequest) -> HttpResponse:
    inscripciones = selectors.mis_inscripciones(request.user)
    # One read of the editions' sessions serves the rules and the upcoming list.
    todas_sesiones = selectors.sesiones_de([i.edicion_id for i in inscripciones])
    leidos = services.leer_avances(inscripciones, sesiones_cargadas=todas_sesiones)
    tarjetas = []
    for inscripcion in inscripciones:
        leido = leidos[inscripcion.pk]
        tarjetas.append(
            {
                "inscripcion": inscripcion,
                "edicion": inscripcion.edicion,
                "curso": inscripcion.edicion.curso,
                "estado": leido.estado,
                "siguiente": siguiente_leccion(leido.reglas, leido.hechos),
            }
        )
    ediciones = {i.edicion_id: i.edicion for i in inscripciones}
    ahora = timezone.now()
    sesiones = [s for s in todas_sesiones if s.fin >= ahora]
    for sesion in sesiones:
        sesion.edicion = ediciones[sesion.edicion_id]
    # Panels other apps add (e.g. the participant's constancias): each registered
    # function is called once for the whole page, never once per edition.
    with timezone.override(selectors.zona_horaria(request.user)):
        secciones = [
            render_to_string(seccion["plantilla"], seccion["contexto"], request=request)
            for seccion in extensiones.secciones_mis_cursos(request, inscripciones)
        ]
    return _render(
        request,
        "cursos/mis_cursos.html",
        {
            "tarjetas": tarjetas,
            "sesiones": sesiones,
            "ahora": ahora,
            "gestiona": selectors.puede_gestionar_alguna(
                request.user,
                # `imparte` is an annotation of selectors.mis_inscripciones.
                imparte=inscripciones[0].imparte if inscripciones else None,  # type: ignore[attr-defined]
            ),
            "secciones": secciones,
        },
    )


# --- Live sessions --------------------------------------------------------------


def _sesion_de_inscrita(request: HttpRequest, pk: int) -> SesionEnVivo:
    sesion = get_object_or_404(
        SesionEnVivo.objects.select_related("edicion", "edicion__curso", "fase"), pk=pk
    )
    inscrita = Inscripcion.objects.filter(
        edicion_id=sesion.edicion_id, usuario=_usuario(request), estado=Inscripcion.Estado.ACTIVA
    ).exists()
    if not inscrita and not selectors.puede_gestionar_edicion(request.user, sesion.edicion):
        raise Http404
    return sesion


@login_required
def registrar_asistencia(request: HttpRequest, pk: int) -> HttpResponse:
    sesion = _sesion_de_inscrita(request, pk)
    form = AsistenciaForm(request.POST or None)
    # Wrong codes are counted per person and session, so a code cannot be guessed.
    clave_intentos = f"cursos:asistencia:{sesion.pk}:{request.user.pk}"
    if request.method == "POST" and form.is_valid():
        if cache.get(clave_intentos, 0) >= MAX_INTENTOS_CODIGO:
            form.add_error(
                "codigo",
                _(
                    "Demasiados intentos con códigos incorrectos. Pida a quien imparte la "
                    "sesión que registre su asistencia."
                ),
            )
        else:
            try:
                services.registrar_asistencia(
                    sesion=sesion, usuario=_usuario(request), codigo=form.cleaned_data["codigo"]
                )
            except services.AsistenciaError as error:
                if error.code == "codigo":
                    cache.add(clave_intentos, 0, timeout=6 * 3600)
                    cache.incr(clave_intentos)
                form.add_error("codigo", error.messages[0])
            else:
                messages.success(request, _("Su asistencia quedó registrada."))
                return redirect("cursos:mis_cursos")
    ya_registrada = sesion.asistencias.filter(usuario=_usuario(request)).exists()
    return _render(
        request,
        "cursos/asistencia_form.html",
        {"sesion": sesion, "form": form, "ya_registrada": ya_registrada},
    )


@login_required
@require_GET
def sesion_ics(request: HttpRequest, pk: int) -> HttpResponse:
    sesion = _sesion_de_inscrita(request, pk)
    respuesta = HttpResponse(
        calendario([sesion], dominio=request.get_host().split(":")[0]),
        content_type="text/calendar; charset=utf-8",
    )
    respuesta["Content-Disposition"] = f'attachment; filename="sesion-{sesion.pk}.ics"'
    return respuesta


@login_required
@require_GET
def edicion_ics(request: HttpRequest, pk: int) -> HttpResponse:
    edicion = get_object_or_404(Edicion.objects.select_related("curso"), pk=pk)
    inscrita = Inscripcion.objects.filter(
        edicion=edicion, usuario=_usuario(request), estado=Inscripcion.Estado.ACTIVA
    ).exists()
    if not inscrita and not selectors.puede_gestionar_edicion(request.user, edicion):
        raise Http404
    sesiones = edicion.sesiones.select_related("edicion", "edicion__curso")
    respuesta = HttpResponse(
        calendario(sesiones, dominio=request.get_host().split(":")[0]),
        content_type="text/calendar; charset=utf-8",
    )
    respuesta["Content-Disposition"] = f'attachment; filename="edicion-{edicion.pk}.ics"'
    return respuesta


# --- Trainers and coordinators --------------------------------------------------


def _edicion_gestionable(request: HttpRequest, pk: int) -> Edicion:
    edicion = get_object_or_404(selectors.ediciones_gestionables(request.user), pk=pk)
    return edicion


@login_required
@require_GET
def ediciones_gestion(request: HttpRequest) -> HttpResponse:
    ediciones = selectors.ediciones_gestionables(request.user)
    if not selectors.puede_gestionar_alguna(request.user):
        raise Http404
    return _render(
        request,
        "cursos/gestion_ediciones.html",
        {
            "ediciones": ediciones.annotate(
                inscritas=Count("inscripciones", filter=Q(inscripciones__estado="activa"))
            )
        },
    )


@login_required
@require_GET
def edicion_participantes(request: HttpRequest, pk: int) -> HttpResponse:
    edicion = _edicion_gestionable(request, pk)
    visibles = selectors.inscripciones_visibles(request.user, edicion).filter(
        estado=Inscripcion.Estado.ACTIVA
    )
    form = FiltroParticipantesForm(
        request.GET or None,
        entidades=EntidadFederativa.objects.filter(pk__in=visibles.values("usuario__entidad")),
        organizaciones=Organizacion.objects.filter(
            pk__in=visibles.values("usuario__organizacion")
        ).select_related("entidad"),
    )
    filtradas = visibles
    if form.is_bound and not form.is_valid():
        # A tampered or stale filter shows its error and no one, as in the people list.
        filtradas = visibles.none()
    elif form.is_bound:
        filtradas = filtrar_por_texto(filtradas, form.cleaned_data["q"], campos_persona("usuario"))
        if form.cleaned_data["entidad"]:
            filtradas = filtradas.filter(usuario__entidad=form.cleaned_data["entidad"])
        if form.cleaned_data["organizacion"]:
            filtradas = filtradas.filter(usuario__organizacion=form.cleaned_data["organizacion"])
    filtradas = filtradas.select_related(
        "edicion", "edicion__curso", "usuario", "usuario__entidad", "usuario__organizacion"
    ).order_by("usuario__last_name", "usuario__first_name", "pk")
    pagina = Paginator(filtradas, 100).get_page(request.GET.get("pagina"))
    inscripciones = list(pagina.object_list)
    estados = services.estados_de(inscripciones)
    filas = [{"inscripcion": i, "estado": estados[i.pk]} for i in inscripciones]
    fases = list(selectors.fases_de(edicion.curso))
    consulta = request.GET.copy()
    consulta.pop("pagina", None)
    return _render(
        request,
        "cursos/edicion_participantes.html",
        {
            "edicion": edicion,
            "form": form,
            "filas": filas,
            "fases": fases,
            "pagina": pagina,
            "consulta": consulta.urlencode(),
            "sesiones": list(edicion.sesiones.all()),
        },
    )


@login_required
def marcar_asistencia(request: HttpRequest, pk: int) -> HttpResponse:
    sesion = get_object_or_404(
        SesionEnVivo.objects.select_related("edicion", "edicion__curso"), pk=pk
    )
    if not selectors.puede_gestionar_edicion(request.user, sesion.edicion):
        raise Http404
    inscripciones = list(
        selectors.inscripciones_visibles(request.user, sesion.edicion)
        .filter(estado=Inscripcion.Estado.ACTIVA)
        .select_related("usuario", "usuario__entidad")
        .order_by("usuario__last_name", "usuario__first_name", "pk")
    )
    presentes = set(sesion.asistencias.values_list("usuario_id", flat=True))
    if request.method == "POST":
        try:
            marcadas = {int(valor) for valor in request.POST.getlist("presentes")}
        except ValueError:
            messages.error(request, _("La lista de asistencia enviada no es válida."))
            return redirect("cursos:marcar_asistencia", pk=sesion.pk)
        permitidas = {i.usuario_id for i in inscripciones}
        if not marcadas <= permitidas:
            messages.error(request, _("La lista incluye personas que no puede registrar."))
            return redirect("cursos:marcar_asistencia", pk=sesion.pk)
        services.marcar_asistencias(
            sesion=sesion,
            presentes=marcadas,
            consideradas=permitidas,
            registrada_por=_usuario(request),
        )
        messages.success(request, _("La asistencia se guardó."))
        return redirect("cursos:marcar_asistencia", pk=sesion.pk)
    return _render(
        request,
        "cursos/marcar_asistencia.html",
        {"sesion": sesion, "inscripciones": inscripciones, "presentes": presentes},
    )


# --- Search ---------------------------------------------------------------------


@require_GET
def buscar(request: HttpRequest) -> HttpResponse:
    form = BusquedaForm(request.GET or None)
    resultados: Any = []
    consulta = ""
    if form.is_valid() and form.cleaned_data["q"].strip():
        consulta = form.cleaned_data["q"].strip()
        paginas = Page.objects.live().public().type(CursoPage, FasePage, LeccionPage).specific()
        resultados = Paginator(paginas.search(consulta), 20).get_page(request.GET.get("pagina"))
    return _render(
        request,
        "cursos/buscar.html",
        {"form": form, "resultados": resultados, "consulta": consulta},
    )
