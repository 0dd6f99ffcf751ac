"""The ownership matrix: every object kind, every role, every action, declared once.

`ESPERADO` says, for each kind of object of the world (`tests.seguridad.mundo`: all of
course A in state A), which roles may list, see, change and delete it. Three tests
read it:

- the policy: `lms.alcance.puede` answers exactly `ESPERADO` for every cell, and every
  model that has a policy, or that the admin exposes, has a row;
- the URLconf: every route that names an object is classified (kind and action, or an
  explicit set of roles for views whose rule is not a single policy action, or an
  exclusion with its reason); each role's GET succeeds exactly when allowed, and a
  refused POST answers a refusal and leaves the database and the file storages as
  they were;
- the listings and choosers: a role that may not list an object never finds its label
  in an index, a search result or a chooser.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest

from django.apps import apps
from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client
from django.urls import get_resolver

from wagtail.snippets.models import get_snippet_models

from lms import alcance
from lms.alcance import Accion
from tests.seguridad.conftest import _recorrer
from tests.seguridad.mundo import ROLES, MundoPropiedad, crear_mundo

pytestmark = pytest.mark.django_db

L, V, C, B = Accion.LISTAR, Accion.VER, Accion.CAMBIAR, Accion.BORRAR
P, NI = "participante", "participante_no_inscrito"
IC, IO = "instructor_curso", "instructor_otro"
CA, CB = "coordinador_a", "coordinador_b"
NA, AD = "nacional", "administrador"
TODOS = frozenset(ROLES)
CON_CUENTA = TODOS - {"anonimo"}


def _fila(ver: set[str], cambiar: set[str], borrar: set[str], listar: set[str] | None = None):
    return {
        L: frozenset(ver if listar is None else listar),
        V: frozenset(ver),
        C: frozenset(cambiar),
        B: frozenset(borrar),
    }


# Who may list, see, change and delete each object of course A / state A.
ESPERADO: dict[str, dict[Accion, frozenset[str]]] = {
    "evaluacion": _fila({IC, NA, AD}, {IC, AD}, {IC, AD}),
    "categoria": _fila({IC, AD}, {IC, AD}, {IC, AD}),
    "pregunta": _fila({IC, AD}, {IC, AD}, {IC, AD}),
    "recalificacion": _fila({IC, AD}, {IC, AD}, {IC, AD}),
    "excepcion": _fila({IC, CA, NA, AD}, {IC, CA, NA, AD}, {IC, CA, NA, AD}),
    "intento": _fila({P, IC, CA, NA, AD}, {IC, CA, NA, AD}, set()),
    "respuesta": _fila({P, IC, CA, NA, AD}, {IC, CA, NA, AD}, set()),
    "edicion": _fila({IC, CA, CB, NA, AD}, {NA, AD}, {NA, AD}),
    "sesion": _fila({IC, CA, CB, NA, AD}, {NA, AD}, {NA, AD}),
    "inscripcion": _fila({P, IC, CA, NA, AD}, {CA, NA, AD}, set()),
    "asistencia": _fila({P, IC, CA, NA, AD}, {CA, NA, AD}, set()),
    "progreso": _fila({P, IC, CA, NA, AD}, {CA, NA, AD}, set()),
    "exportacion": _fila({CA}, set(), {CA}),
    "formato_lista": _fila({CA}, {CA}, {CA}),
    # A state's manifestación de interés: its coordinators and the national coordination.
    "manifestacion": _fila({CA, NA, AD}, {CA, NA, AD}, set()),
    "constancia": _fila({P, CA, NA, AD}, {NA, AD}, set()),
    "trabajo": _fila({CA, NA, AD}, set(), set()),
    "plantilla": _fila({NA, AD}, {NA, AD}, {NA, AD}),
    "regla": _fila({CA, CB, NA, AD}, {NA, AD}, {NA, AD}),
    "verificacion": _fila({NA, AD}, set(), set()),
    "participante": _fila({P, CA, NA, AD}, {AD}, {AD}),
    "organizacion": _fila({NA, AD}, {AD}, set()),
    "entidad": _fila({NA, AD}, {AD}, set()),
    "asignacion": _fila({AD}, set(), {AD}),
    "auditoria": _fila({AD}, set(), set()),
    "curso": _fila({IC, NA, AD}, {IC, NA, AD}, {AD}),
    # Wagtail treats deleting a file as changing it: the course team manages its files.
    "imagen": _fila({IC, NA, AD}, {IC, NA, AD}, {IC, NA, AD}),
    "documento": _fila({IC, NA, AD}, {IC, NA, AD}, {IC, NA, AD}),
}


@pytest.fixture
def mundo(db) -> MundoPropiedad:
    return crear_mundo()


def _usuario(mundo: MundoPropiedad, rol: str) -> Any:
    usuario = mundo.usuarios[rol]
    if usuario is None:
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser()
    return type(usuario).objects.get(pk=usuario.pk)  # fresh: no cached scope


# --- 1. The policy -----------------------------------------------------------------


def test_cada_modelo_tiene_politica_y_fila(mundo):
    modelos_del_mundo = {type(mundo.objetos[tipo]) for tipo in ESPERADO}
    registrados = alcance.modelos_con_politica()
    # Every model the admin edits (snippets and model viewsets) answers to a policy.
    expuestos = set(get_snippet_models())
    for app in ("lms", "cursos", "evaluaciones", "constancias"):
        expuestos |= {
            m for m in apps.get_app_config(app).get_models() if m in registrados or m in expuestos
        }
    sin_politica = [m.__name__ for m in expuestos if not _con_politica(m)]
    assert not sin_politica, f"Modelos del admin sin política en lms.alcance: {sin_politica}"
    # Every registered policy is exercised by an object of the world.
    sin_fila = [
        m.__name__
        for m in registrados
        if not any(issubclass(w, m) or issubclass(m, w) for w in modelos_del_mundo)
    ]
    assert not sin_fila, f"Políticas sin fila en ESPERADO: {sin_fila}"


def _con_politica(modelo: type) -> bool:
    try:
        alcance.politica_de(modelo)
    except LookupError:
        return False
    return True


@pytest.mark.parametrize("rol", ROLES)
def test_matriz_de_la_politica(rol, mundo):
    usuario = _usuario(mundo, rol)
    fallas = []
    for tipo, acciones in ESPERADO.items():
        objeto = mundo.objetos[tipo]
        for accion, roles in acciones.items():
            esperado = rol in roles
            if alcance.puede(usuario, accion, objeto) != esperado:
                fallas.append(f"{tipo}.{accion}: esperado {esperado}")
    assert not fallas, f"{rol}: " + ", ".join(fallas)


# --- 2. Every route of the URLconf ----------------------------------------------------

# The world's object each route names, by full name or by namespace.
TIPO_POR_NOMBRE = {
    **dict.fromkeys(
        [
            "cursos:edicion",
            "cursos:inscribirme",
            "cursos:retirarme",
            "cursos:edicion_ics",
            "cursos:edicion_participantes",
            "cursos:inscribir_subir",
            "cursos:inscribir_revisar",
            "cursos:inscribir_resultado",
            "cursos:inscribir_rechazadas",
            "cursos:inscribir_columnas",
            "cursos:inscribir_organizaciones",
        ],
        "edicion",
    ),
    "cursos:ir_a_leccion": "leccion",
    "cursos:completar_leccion": "leccion",
    **dict.fromkeys(
        [
            "cursos:registrar_asistencia",
            "cursos:sesion_ics",
            "cursos:marcar_asistencia",
            "cursos:asistencia_subir",
            "cursos:asistencia_revisar",
        ],
        "sesion",
    ),
    "cursos:kardex": "participante",
    **dict.fromkeys(
        [
            "cursos:manifestacion",
            "cursos:manifestacion_editar",
            "cursos:manifestacion_enviar",
            "cursos:manifestacion_decidir",
        ],
        "manifestacion",
    ),
    "cursos:exportacion": "exportacion",
    "cursos:exportacion_descargar": "exportacion",
    **dict.fromkeys(
        [
            "evaluaciones:detalle",
            "evaluaciones:iniciar",
            "evaluaciones:resultados",
            "evaluaciones:analisis",
            "evaluaciones:resultados_csv",
            "evaluaciones:respuestas_csv",
        ],
        "evaluacion",
    ),
    **dict.fromkeys(
        [
            "evaluaciones:intento",
            "evaluaciones:guardar",
            "evaluaciones:enviar",
            "evaluaciones:resultado",
        ],
        "intento",
    ),
    "evaluaciones:calificar": "respuesta",
    "evaluaciones:descargar_entregable": "respuesta",
    "constancias:regla": "regla",
    "constancias:zip": "regla",
    "constancias:impresion": "regla",
    "constancias:trabajo": "trabajo",
    "constancias:trabajo_estado": "trabajo",
    "constancias:revocar": "constancia",
    "constancias:reemplazar": "constancia",
    "constancias:descargar": "constancia",
    "constancias:verificar": "constancia",
    "evaluaciones_recalificar": "pregunta",
    "constancias_muestra_plantilla": "plantilla",
    "wagtailadmin_explore": "curso",
    "wagtailadmin_explore_results": "curso",
    "wagtailadmin_choose_page_child": "curso",
}
TIPO_POR_ESPACIO = {
    "wagtailsnippets_evaluaciones_evaluacion": "evaluacion",
    "wagtailsnippetchoosers_evaluaciones_evaluacion": "evaluacion",
    "wagtailsnippets_evaluaciones_pregunta": "pregunta",
    "wagtailsnippetchoosers_evaluaciones_pregunta": "pregunta",
    "wagtailsnippets_evaluaciones_categoriapregunta": "categoria",
    "wagtailsnippetchoosers_evaluaciones_categoriapregunta": "categoria",
    "wagtailsnippets_evaluaciones_excepcion": "excepcion",
    "wagtailsnippetchoosers_evaluaciones_excepcion": "excepcion",
    "wagtailsnippets_cursos_edicion": "edicion",
    "wagtailsnippetchoosers_cursos_edicion": "edicion",
    "wagtailsnippets_constancias_plantillaconstancia": "plantilla",
    "wagtailsnippetchoosers_constancias_plantillaconstancia": "plantilla",
    "wagtailsnippets_constancias_reglaconstancia": "regla",
    "wagtailsnippetchoosers_constancias_reglaconstancia": "regla",
    "organizacion": "organizacion",
    "entidad": "entidad",
    "asignacion": "asignacion",
    "bitacora_auditoria": "auditoria",
    "wagtailusers_users": "participante",
    "usuario_chooser": "participante",
    "wagtailadmin_pages": "curso",
    "wagtailadmin_api:pages": "curso",
    "wagtailimages": "imagen",
    "wagtailimages_chooser": "imagen",
    "wagtailadmin_api:images": "imagen",
    "wagtaildocs": "documento",
    "wagtaildocs_chooser": "documento",
    "wagtailadmin_api:documents": "documento",
}

# What a generic admin view does to its object, by the last part of its name.
ACCION_POR_VISTA = {
    "edit": C,
    "delete": B,
    "copy": V,
    # Wagtail's history and usage screens need "change": they are authors' screens.
    "history": C,
    "history_results": C,
    "usage": C,
    "inspect": V,
    "chosen": L,
    "preview_on_edit": V,
    "revisions_view": C,
    "revisions_compare": C,
    "revisions_revert": C,
    "revisions_unschedule": C,
    "unpublish": C,
    "lock": C,
    "unlock": C,
    "workflow_action": C,
    "collect_workflow_action_data": C,
    "confirm_workflow_cancellation": C,
    "workflow_preview": V,
    "workflow_history": C,
    "workflow_history_detail": C,
    "preview": V,
    "image_usage": C,
    "document_usage": C,
    "url_generator": V,
    "url_generator_output": V,
    "select_format": L,
    "detail": L,
    "edit_multiple": C,
    "delete_multiple": B,
}

# Views that do one policy action on the object in their URL.
ACCION_POR_NOMBRE = {
    "cursos:manifestacion": V,
    "cursos:manifestacion_editar": C,  # a sent one redirects to its page with a message
    "cursos:manifestacion_enviar": C,
    "cursos:exportacion": V,
    "cursos:exportacion_descargar": V,
    "evaluaciones:calificar": C,
    "evaluaciones:descargar_entregable": C,  # the file is read to grade it
    "constancias:descargar": V,
    "constancias:trabajo": V,
    "constancias:trabajo_estado": V,
    "constancias:revocar": C,
    "constancias:reemplazar": C,
    "evaluaciones_recalificar": C,
    "constancias_muestra_plantilla": V,
    "organizacion:fusionar": C,
    "wagtailadmin_pages:view_draft": V,
    "wagtailadmin_pages:revisions_index": V,
    "wagtailadmin_pages:convert_alias": C,
    "wagtailadmin_api:pages:action": C,
}

# Views whose rule is not one policy action on the object in their URL.
ROLES_POR_NOMBRE: dict[str, frozenset[str]] = {
    "cursos:edicion": TODOS,  # the public page of an edition
    "cursos:ir_a_leccion": TODOS,  # a redirect to the lesson page, which decides itself
    "constancias:verificar": TODOS,  # public verification by code
    "cursos:inscribirme": CON_CUENTA,  # acts on the requester only
    "cursos:retirarme": frozenset({P}),  # one's own enrolment
    "cursos:completar_leccion": frozenset({P}),
    "cursos:edicion_ics": frozenset({P, IC, CA, CB, NA, AD}),
    "cursos:registrar_asistencia": frozenset({P, IC, CA, CB, NA, AD}),
    "cursos:sesion_ics": frozenset({P, IC, CA, CB, NA, AD}),
    "cursos:marcar_asistencia": frozenset({IC, CA, CB, NA, AD}),
    "cursos:edicion_participantes": frozenset({IC, CA, CB, NA, AD}),
    "cursos:asistencia_subir": frozenset({IC, CA, CB, NA, AD}),
    "cursos:asistencia_revisar": frozenset({IC, CA, CB, NA, AD}),
    "cursos:inscribir_subir": frozenset({CA, CB, NA, AD}),
    "cursos:inscribir_revisar": frozenset({CA, CB, NA, AD}),
    "cursos:inscribir_resultado": frozenset({CA, CB, NA, AD}),
    "cursos:inscribir_rechazadas": frozenset({CA, CB, NA, AD}),
    "cursos:inscribir_columnas": frozenset({CA, CB, NA, AD}),
    "cursos:inscribir_organizaciones": frozenset({CA, CB, NA, AD}),
    "cursos:kardex": frozenset({CA, NA, AD}),
    # Accepting or asking for changes is the national coordination's (cursos.manifestaciones).
    "cursos:manifestacion_decidir": frozenset({NA, AD}),
    "evaluaciones:detalle": frozenset({P, IC, NA, AD}),  # `selectors.puede_presentar`
    "evaluaciones:iniciar": frozenset({P, IC, NA, AD}),
    "evaluaciones:intento": frozenset({P}),  # one's own attempt
    "evaluaciones:guardar": frozenset({P}),
    "evaluaciones:enviar": frozenset({P}),
    "evaluaciones:resultado": frozenset({P}),
    # Results of an evaluation: its course's team and coordinators (who see only their people).
    "evaluaciones:resultados": frozenset({IC, CA, CB, NA, AD}),
    "evaluaciones:analisis": frozenset({IC, CA, CB, NA, AD}),
    "evaluaciones:resultados_csv": frozenset({IC, CA, CB, NA, AD}),
    "evaluaciones:respuestas_csv": frozenset({IC, CA, CB, NA, AD}),
    "constancias:regla": frozenset({CA, CB, NA, AD}),
    "constancias:zip": frozenset({CA, CB, NA, AD}),
    "constancias:impresion": frozenset({CA, CB, NA, AD}),
    "wagtailusers_users": frozenset({AD}),  # Wagtail's users area: administrators
    "usuario_chooser": frozenset({AD}),
    # Pages: Wagtail's page permissions per course subtree.
    "wagtailadmin_pages:add": frozenset({IC, NA, AD}),
    "wagtailadmin_pages:add_subpage": frozenset({IC, NA, AD}),
    "wagtailadmin_pages:preview_on_add": frozenset({IC, NA, AD}),
    "wagtailadmin_pages:delete": frozenset({AD}),
    "wagtailadmin_pages:move": frozenset({AD}),
    "wagtailadmin_pages:move_confirm": frozenset({AD}),
    "wagtailadmin_pages:set_page_position": frozenset({AD}),
    # Wagtail lets whoever may add pages open the copy form; the destination decides.
    "wagtailadmin_pages:copy": frozenset({IC, NA, AD}),
    "wagtailadmin_pages:unpublish": frozenset({NA, AD}),
    "wagtailadmin_pages:lock": frozenset({NA, AD}),
    "wagtailadmin_pages:unlock": frozenset({NA, AD}),
    "wagtailadmin_pages:set_privacy": frozenset({NA, AD}),
    "wagtailadmin_explore": frozenset({IC, NA, AD}),
    "wagtailadmin_explore_results": frozenset({IC, NA, AD}),
    # Any author may link to published pages; drafts of others are filtered out
    # (test_propiedad.py checks that).
    "wagtailadmin_choose_page_child": frozenset({IC, IO, NA, AD}),
}

# Roles that enter the Wagtail admin at all; state coordinators work on the site.
ROLES_CON_ADMIN = frozenset({IC, IO, NA, AD})

# Routes that answer only with a value the world does not hold (an upload token, a
# revision, a workflow state, an alias, a file): everyone is refused, so only the
# refusal of the roles that may not is checked.
SIN_CASO_POSITIVO = {
    "cursos:inscribir_revisar",
    "cursos:inscribir_columnas",
    "cursos:inscribir_organizaciones",
    "cursos:inscribir_resultado",
    "cursos:inscribir_rechazadas",
    "cursos:asistencia_revisar",
    "cursos:exportacion_descargar",
    "evaluaciones:descargar_entregable",
    "wagtailadmin_pages:convert_alias",
    "wagtailimages:url_generator",  # needs a configured image-serving URL
    "wagtailimages:url_generator_output",
    "wagtailimages:preview",  # needs a valid filter spec
    "wagtailadmin_pages:workflow_action",
    "wagtailadmin_pages:collect_workflow_action_data",
    "wagtailadmin_pages:confirm_workflow_cancellation",
    "wagtailadmin_pages:workflow_preview",
    "wagtailadmin_pages:workflow_history_detail",
    "wagtailadmin_api:pages:action",
}

# Routes with an object parameter that no world object fills, and why that is enough.
EXCLUIDAS = {
    # Wagtail's site settings, groups, workflows, collections, redirects, sites and form
    # submissions: only administrators hold their model permissions (Wagtail checks them);
    # the URL matrix (test_matriz.py) checks nobody else gets in.
    "wagtailadmin_workflows",
    "wagtailsites",
    "wagtailusers_groups",
    "wagtailadmin_collections",
    "wagtailredirects",
    "wagtailsettings",
    "wagtailforms",
    # Tokens and keys of account flows; Wagtail's editing-session heartbeat of the user's
    # own session; password-protected pages and documents.
    "account_reset_password_from_key",
    "account_confirm_email",
    "wagtailadmin_password_reset_confirm",
    "wagtailadmin_editing_sessions",
    "wagtaildocs_authenticate_with_password",
    "wagtailcore_authenticate_with_password",
    # Upload flows of the multiple-upload screens: their ids are upload rows, not images.
    "wagtailimages:create_multiple_from_uploaded_image",
    "wagtailimages:delete_upload_multiple",
    "wagtaildocs:create_multiple_from_uploaded_document",
    "wagtaildocs:delete_upload_multiple",
    # Image renditions are served by signature, not by object permission.
    "wagtailimages_serve",
}

PARAMETRO = re.compile(r"<(?:(?P<conv>\w+):)?(?P<nombre>\w+)>")
PARAMETROS_DE_OBJETO = {
    "pk",
    "page_id",
    "parent_page_id",
    "image_id",
    "document_id",
    "folio",
    "codigo",
    "uid",
}


def _parametros(ruta: str) -> set[str]:
    return {m["nombre"] for m in PARAMETRO.finditer(ruta)} | set(re.findall(r"\(\?P<(\w+)>", ruta))


def _sin_caso_positivo(nombre: str) -> bool:
    # Revisions are named by revision ids the world does not hold.
    return nombre in SIN_CASO_POSITIVO or nombre.rpartition(":")[2].startswith("revisions_")


def _excluida(nombre: str) -> bool:
    return any(nombre == e or nombre.startswith(e + ":") for e in EXCLUIDAS)


def _tipo(nombre: str) -> str | None:
    if nombre in TIPO_POR_NOMBRE:
        return TIPO_POR_NOMBRE[nombre]
    espacio = nombre.rsplit(":", 1)[0] if ":" in nombre else ""
    return TIPO_POR_ESPACIO.get(espacio)


def _roles_permitidos(nombre: str, tipo: str) -> frozenset[str] | None:
    if nombre in ROLES_POR_NOMBRE:
        return ROLES_POR_NOMBRE[nombre]
    if nombre in ACCION_POR_NOMBRE:
        return ESPERADO[tipo][ACCION_POR_NOMBRE[nombre]]
    espacio, _sep, vista = nombre.rpartition(":")
    if espacio in ROLES_POR_NOMBRE:
        return ROLES_POR_NOMBRE[espacio]
    accion = ACCION_POR_VISTA.get(vista)
    if accion is None:
        return None
    if vista == "copy":  # a copy is a new object: may see the original and may create
        return ESPERADO[tipo][V] & ESPERADO[tipo][C]
    return ESPERADO[tipo][accion]


def _valor(parametro: str, tipo: str, mundo: MundoPropiedad) -> str:
    o = mundo.objetos
    if parametro == "folio":
        return o["constancia"].folio
    if parametro == "codigo":
        return o["constancia"].codigo_verificacion
    if parametro == "uid":
        return str(o["exportacion"].uid)
    if parametro in ("page_id", "parent_page_id"):
        return str(o["curso"].pk if tipo != "leccion" else o["leccion"].pk)
    if parametro in PARAMETROS_DE_OBJETO:
        return str(o[tipo].pk)
    return {
        "content_type_app_name": "cursos",
        "content_type_model_name": "fasepage",
        "app_label": "cursos",
        "model_name": "fasepage",
        "token": "token-inexistente",
        "revision_id": "1",
        "revision_id_a": "earliest",
        "revision_id_b": "latest",
        "action_name": "publish",
        "formato": "csv",
    }.get(parametro, "1")


def rutas_con_objeto(mundo: MundoPropiedad) -> Iterator[tuple[str, str, str, frozenset[str]]]:
    """(name, url, kind, roles allowed) of every route naming a world object.

    Fails for a route that names an object and is neither classified nor excluded, so a
    new view cannot skip the matrix.
    """
    sin_clasificar = []
    for nombre, ruta in _recorrer(get_resolver().url_patterns):
        if not (_parametros(ruta) & PARAMETROS_DE_OBJETO) or _excluida(nombre):
            continue
        tipo = _tipo(nombre)
        roles = _roles_permitidos(nombre, tipo) if tipo else None
        if tipo is None or roles is None:
            sin_clasificar.append(f"{nombre} ({ruta})")
            continue

        def llenar(m: re.Match[str], tipo: str = tipo) -> str:
            return _valor(m["nombre"] if "nombre" in m.groupdict() else m[1], tipo, mundo)

        url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m, t=tipo: _valor(m[1], t, mundo), ruta)
        url = PARAMETRO.sub(llenar, url)
        url = "/" + url.replace("^", "").replace("$", "").replace("\\.", ".")
        if url.startswith("/admin/"):
            roles &= ROLES_CON_ADMIN
        yield nombre, url, tipo, roles
    assert not sin_clasificar, "Rutas con objeto sin clasificar en la matriz:\n" + "\n".join(
        sin_clasificar
    )


def _foto_bd() -> str:
    """A digest of every row of every model with a policy (and Wagtail's revisions)."""
    from wagtail.models import Revision

    resumen = hashlib.sha256()
    for modelo in sorted({*alcance.modelos_con_politica(), Revision}, key=lambda m: m._meta.label):
        for fila in modelo._default_manager.order_by("pk").values_list():
            resumen.update(repr(fila).encode())
    return resumen.hexdigest()


def _foto_archivos() -> frozenset[tuple[str, int]]:
    raices = {str(settings.MEDIA_ROOT)}
    for alias in settings.STORAGES:
        ubicacion = getattr(storages[alias], "location", None)
        if ubicacion:
            raices.add(str(ubicacion))
    archivos = set()
    for raiz in raices:
        for carpeta, _dirs, nombres in os.walk(raiz):
            for nombre in nombres:
                ruta = os.path.join(carpeta, nombre)
                archivos.add((ruta, os.path.getsize(ruta)))
    return frozenset(archivos)


def _es_rechazo(respuesta: Any) -> bool:
    estado = respuesta.status_code
    if estado in (400, 401, 403, 404, 405, 409):
        return True
    if estado in (301, 302, 303):
        destino = respuesta.headers.get("Location", "")
        return "login" in destino or "/cuentas/" in destino or destino.rstrip("/") == "/admin"
    return False


def _pedir(cliente: Client, metodo: str, url: str, *, fotos: bool) -> tuple[Any, bool]:
    """Ask inside a rolled-back savepoint; say whether the database or files changed."""
    errores: list[BaseException] = []

    def anotar(sender: Any, request: Any = None, **kwargs: Any) -> None:
        import sys

        errores.append(sys.exc_info()[1])

    got_request_exception.connect(anotar)
    try:
        with transaction.atomic():
            antes = (_foto_bd(), _foto_archivos()) if fotos else None
            respuesta = getattr(cliente, metodo)(url)
            if getattr(respuesta, "streaming", False):
                b"".join(respuesta.streaming_content)
            cambio = fotos and (_foto_bd(), _foto_archivos()) != antes
            transaction.set_rollback(True)
    finally:
        got_request_exception.disconnect(anotar)
    respuesta.excepcion = errores[-1] if errores else None
    return respuesta, bool(cambio)


@pytest.mark.parametrize("rol", ROLES)
def test_matriz_de_rutas(rol, mundo):
    cliente = Client(raise_request_exception=False)
    usuario = mundo.usuarios[rol]
    if usuario is not None:
        cliente.force_login(usuario)
    fallas = []
    for nombre, url, tipo, roles in rutas_con_objeto(mundo):
        permitido = rol in roles
        respuesta, _cambio = _pedir(cliente, "get", url, fotos=False)
        etiqueta = f"GET {url} ({nombre}, {tipo}) -> {respuesta.status_code}"
        if respuesta.status_code >= 500:
            fallas.append(f"error del servidor: {etiqueta}: {respuesta.excepcion!r}"[:300])
        elif permitido and not _sin_caso_positivo(nombre):
            if respuesta.status_code == 405:
                respuesta, _cambio = _pedir(cliente, "post", url, fotos=False)
                etiqueta = f"POST {url} ({nombre}) -> {respuesta.status_code}"
                # An empty form is bad input (400/409) for who may: it reached the view.
                if respuesta.status_code not in (400, 409) and _es_rechazo(respuesta):
                    fallas.append(f"rechazado y debía poder: {etiqueta}")
            elif _es_rechazo(respuesta):
                fallas.append(f"rechazado y debía poder: {etiqueta}")
        elif not permitido:
            if not _es_rechazo(respuesta):
                fallas.append(f"permitido y no debía: {etiqueta}")
            respuesta, cambio = _pedir(cliente, "post", url, fotos=True)
            etiqueta = f"POST {url} ({nombre}, {tipo}) -> {respuesta.status_code}"
            if respuesta.status_code >= 500:
                fallas.append(f"error del servidor: {etiqueta}: {respuesta.excepcion!r}"[:300])
            elif not _es_rechazo(respuesta):
                fallas.append(f"escritura no rechazada: {etiqueta}")
            if cambio:
                fallas.append(f"escritura rechazada que cambió datos o archivos: {etiqueta}")
        if usuario is not None and "_auth_user_id" not in cliente.session:
            cliente.force_login(usuario)
    assert not fallas, f"{len(fallas)} problemas como {rol}:\n" + "\n".join(fallas)


# --- 3. Listings, searches and choosers -----------------------------------------------

LISTADOS = {
    "evaluacion": ["wagtailsnippets_evaluaciones_evaluacion", "evaluacion"],
    "pregunta": ["wagtailsnippets_evaluaciones_pregunta", "pregunta"],
    "categoria": ["wagtailsnippets_evaluaciones_categoriapregunta", "categoriapregunta"],
    "excepcion": ["wagtailsnippets_evaluaciones_excepcion", "excepcion"],
    "edicion": ["wagtailsnippets_cursos_edicion", "edicion"],
}


def _urls_de_listado(tipo: str, palabra: str) -> list[str]:
    from django.urls import reverse

    espacio, modelo = LISTADOS[tipo]
    app = espacio.split("_")[1]
    urls = [reverse(f"{espacio}:list"), reverse(f"{espacio}:list") + f"?q={palabra}"]
    selector = f"wagtailsnippetchoosers_{app}_{modelo}"
    urls += [reverse(f"{selector}:choose"), reverse(f"{selector}:choose_results") + f"?q={palabra}"]
    return urls


def _urls_de_archivos(palabra: str) -> dict[str, list[str]]:
    from django.urls import reverse

    return {
        "imagen": [
            reverse("wagtailimages:index"),
            reverse("wagtailimages:index") + f"?q={palabra}",
            reverse("wagtailimages_chooser:choose"),
            reverse("wagtailimages_chooser:choose_results") + f"?q={palabra}",
        ],
        "documento": [
            reverse("wagtaildocs:index"),
            reverse("wagtaildocs:index") + f"?q={palabra}",
            reverse("wagtaildocs_chooser:choose"),
            reverse("wagtaildocs_chooser:choose_results") + f"?q={palabra}",
        ],
        "organizacion": [reverse("organizacion:index"), reverse("organizacion:index") + "?q=Zac"],
        "participante": [
            reverse("wagtailusers_users:index"),
            reverse("wagtailusers_users:index") + f"?q={palabra}",
            reverse("usuario_chooser:choose"),
            reverse("usuario_chooser:choose_results") + f"?q={palabra}",
        ],
        "auditoria": [reverse("bitacora_auditoria:index")],
    }


@pytest.mark.parametrize("rol", [r for r in ROLES if r != "anonimo"])
def test_listados_y_selectores_sin_objetos_ajenos(rol, mundo):
    cliente = Client(raise_request_exception=False)
    cliente.force_login(mundo.usuarios[rol])
    fallas = []
    for tipo, etiqueta in mundo.etiquetas.items():
        palabra = etiqueta.split()[-1]
        urls = _urls_de_listado(tipo, palabra) if tipo in LISTADOS else []
        urls += _urls_de_archivos(palabra).get(tipo, [])
        for url in urls:
            respuesta = cliente.get(url)
            if respuesta.status_code >= 500:
                fallas.append(f"error del servidor: {url}")
                continue
            # JSON chooser responses escape non-ASCII: labels are ASCII on purpose.
            visible = etiqueta in respuesta.content.decode("utf-8", errors="ignore")
            if visible and rol not in ESPERADO[tipo][L]:
                fallas.append(f"{url} muestra {etiqueta!r} ({tipo})")
            if (
                not visible
                and rol in ESPERADO[tipo][L]
                and respuesta.status_code == 200
                and tipo not in ("participante",)
            ):
                fallas.append(f"{url} no muestra {etiqueta!r} y debía ({tipo})")
    assert not fallas, f"{rol}:\n" + "\n".join(fallas)
