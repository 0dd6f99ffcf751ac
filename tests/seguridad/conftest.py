"""A small world of one state's records, and every URL of the URLconf filled with its ids.

Entidad A is Jalisco (14), entidad B the Ciudad de México (09). The people of A carry
names, e-mail and CURP that appear nowhere else, so a response that contains them shows
a leak. `rutas(mundo)` walks `django.urls.get_resolver()` and builds one concrete path per
pattern, with each parameter filled from the world's objects by the pattern's name.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from lms.models import Rol

CLAVE_A, CLAVE_B = "14", "09"
# What must never reach anyone outside entidad A's coordination (and the person herself).
APELLIDO_A = "Tlacuilotzin"
CORREO_A = "anacleta.tlacuilotzin@ejemplo.jalisco.gob.mx"
CURP_A_PREFIJO = "TLEA850101MJCLHN0"


@dataclass
class Mundo:
    objetos: dict[str, Any]
    usuarios: dict[str, Any]
    secretos: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Ruta:
    nombre: str  # namespaced URL name, or the route itself when unnamed
    ruta: str  # the pattern, prefixes included
    url: str  # a concrete path, parameters filled from the world
    admin: bool  # Wagtail admin, Django admin or documents


def _crear_mundo() -> Mundo:
    from constancias import services as servicios_constancias
    from constancias.models import Constancia, TrabajoEmision
    from cursos.models import ExportacionSolicitada, ManifestacionInteres
    from evaluaciones import services as servicios_evaluaciones
    from evaluaciones.models import Excepcion, Pregunta, Respuesta
    from lms import services as servicios_lms
    from lms.models import AsignacionRol
    from tests.factories import (
        InscripcionFactory,
        LeccionPageFactory,
        SesionEnVivoFactory,
        SujetoObligadoFactory,
        UsuarioFactory,
    )
    from tests.factories.constancias import ReglaConstanciaFactory, curso_completable
    from tests.factories.cuentas import curp_valida
    from tests.factories.evaluaciones import PreguntaFactory, evaluacion_con
    from tests.factories.personas import entidad

    entidad_a, entidad_b = entidad(CLAVE_A), entidad(CLAVE_B)
    org_a = SujetoObligadoFactory(entidad=entidad_a)
    org_b = SujetoObligadoFactory(entidad=entidad_b)
    curp_a = curp_valida(CURP_A_PREFIJO)
    participante = UsuarioFactory(
        organizacion=org_a,
        first_name="Anacleta",
        last_name=f"{APELLIDO_A} Ehécatl",
        email=CORREO_A,
        curp=curp_a,
    )
    ajeno = UsuarioFactory(organizacion=org_b, first_name="Bruno", last_name="Ajeno Sosa")

    def con_rol(rol: str, clave: str | None = None, **datos: Any) -> Any:
        persona = UsuarioFactory(**datos)
        servicios_lms.asignar_rol(
            usuario=persona, rol=rol, entidad_id=entidad(clave).pk if clave else None
        )
        persona.refresh_from_db()
        return persona

    instructor = con_rol(Rol.INSTRUCTOR, organizacion=org_b)
    coord_a = con_rol(Rol.COORDINADOR_ESTATAL, CLAVE_A, organizacion=org_a)
    coord_b = con_rol(Rol.COORDINADOR_ESTATAL, CLAVE_B, organizacion=org_b)
    nacional = con_rol(Rol.COORDINADOR_NACIONAL, organizacion=org_b)
    admin = con_rol(Rol.ADMINISTRADOR, organizacion=org_b)

    edicion = curso_completable()
    fase = edicion.curso.get_children().specific().first()
    leccion = LeccionPageFactory(parent=fase, obligatoria=False)
    sesion = SesionEnVivoFactory(edicion=edicion, fase=fase)
    inscripcion = InscripcionFactory(edicion=edicion, usuario=participante)
    InscripcionFactory(edicion=edicion, usuario=ajeno)

    ensayo = PreguntaFactory(tipo=Pregunta.Tipo.ENSAYO)
    evaluacion = evaluacion_con(ensayo, curso=edicion.curso)
    intento = servicios_evaluaciones.iniciar_intento(evaluacion=evaluacion, usuario=participante)
    clave = intento.instantanea["preguntas"][0]["clave"]
    respuesta = Respuesta.objects.create(
        intento=intento, clave=clave, valor="Texto de Anacleta", guardada_en=timezone.now()
    )
    excepcion = Excepcion.objects.create(
        evaluacion=evaluacion, usuario=participante, minutos_extra=10, motivo="Conexión"
    )

    regla = ReglaConstanciaFactory(edicion=edicion)
    servicios_constancias.emitir_constancias(
        regla=regla, inscripcion_ids=[inscripcion.pk], notificar=False
    )
    constancia = Constancia.objects.get(inscripcion=inscripcion)
    trabajo = TrabajoEmision.objects.create(
        regla=regla,
        entidad=entidad_a,
        solicitada_por=coord_a,
        inscripciones=[inscripcion.pk],
        total=1,
    )
    exportacion = ExportacionSolicitada.objects.create(
        solicitante=coord_a,
        formato=ExportacionSolicitada.Formato.CSV,
        expira_en=timezone.now() + datetime.timedelta(days=1),
    )
    # Entidad A's manifestación names its people as contacts: outsiders must not see them.
    manifestacion = ManifestacionInteres.objects.create(
        programa=edicion.curso.get_parent().specific,
        anio=edicion.fecha_inicio.year,
        entidad=entidad_a,
        estado=ManifestacionInteres.Estado.ENVIADA,
    )
    manifestacion.contactos.create(nombre=f"Anacleta {APELLIDO_A}", correo=CORREO_A)
    objetos = {
        "manifestacion": manifestacion,
        "entidad": entidad_a,
        "organizacion": org_a,
        "participante": participante,
        "asignacion": AsignacionRol.objects.get(usuario=coord_a),
        "edicion": edicion,
        "curso": edicion.curso,
        "fase": fase,
        "leccion": leccion,
        "sesion": sesion,
        "inscripcion": inscripcion,
        "evaluacion": evaluacion,
        "pregunta": ensayo,
        "categoria": ensayo.categoria if getattr(ensayo, "categoria_id", None) else None,
        "intento": intento,
        "respuesta": respuesta,
        "excepcion": excepcion,
        "regla": regla,
        "plantilla": regla.plantilla,
        "constancia": constancia,
        "trabajo": trabajo,
        "exportacion": exportacion,
    }
    usuarios = {
        "anonimo": None,
        "participante": participante,
        "participante_ajeno": ajeno,
        "instructor": instructor,
        "coordinador_a": coord_a,
        "coordinador_b": coord_b,
        "nacional": nacional,
        "administrador": admin,
    }
    return Mundo(objetos=objetos, usuarios=usuarios, secretos=[APELLIDO_A, curp_a, CORREO_A])


@pytest.fixture
def mundo(db) -> Mundo:
    return _crear_mundo()


# --- Filling the URLconf ------------------------------------------------------------

# URL name (or namespace) -> the world's object whose pk fills an integer parameter.
_OBJETO_POR_NOMBRE = {
    "cursos:edicion": "edicion",
    "cursos:inscribirme": "edicion",
    "cursos:retirarme": "edicion",
    "cursos:edicion_ics": "edicion",
    "cursos:edicion_participantes": "edicion",
    "cursos:inscribir_subir": "edicion",
    "cursos:inscribir_revisar": "edicion",
    "cursos:inscribir_resultado": "edicion",
    "cursos:inscribir_columnas": "edicion",
    "cursos:inscribir_organizaciones": "edicion",
    "cursos:inscribir_rechazadas": "edicion",
    "cursos:ir_a_leccion": "leccion",
    "cursos:completar_leccion": "leccion",
    "cursos:registrar_asistencia": "sesion",
    "cursos:sesion_ics": "sesion",
    "cursos:marcar_asistencia": "sesion",
    "cursos:asistencia_subir": "sesion",
    "cursos:asistencia_revisar": "sesion",
    "cursos:kardex": "participante",
    "evaluaciones:detalle": "evaluacion",
    "evaluaciones:iniciar": "evaluacion",
    "evaluaciones:intento": "intento",
    "evaluaciones:guardar": "intento",
    "evaluaciones:enviar": "intento",
    "evaluaciones:resultado": "intento",
    "evaluaciones:calificar": "respuesta",
    "evaluaciones:descargar_entregable": "respuesta",
    "evaluaciones:resultados": "evaluacion",
    "evaluaciones:analisis": "evaluacion",
    "evaluaciones:resultados_csv": "evaluacion",
    "evaluaciones:respuestas_csv": "evaluacion",
    "constancias:regla": "regla",
    "constancias:zip": "regla",
    "constancias:impresion": "regla",
    "constancias:trabajo": "trabajo",
    "constancias:trabajo_estado": "trabajo",
    "constancias:revocar": "constancia",
    "constancias:reemplazar": "constancia",
    "evaluaciones_recalificar": "pregunta",
    "constancias_muestra_plantilla": "plantilla",
    "cursos:manifestacion": "manifestacion",
    "cursos:manifestacion_editar": "manifestacion",
    "cursos:manifestacion_enviar": "manifestacion",
    "cursos:manifestacion_decidir": "manifestacion",
}
_OBJETO_POR_ESPACIO = {
    "wagtailsnippets_cursos_edicion": "edicion",
    "wagtailsnippetchoosers_cursos_edicion": "edicion",
    "wagtailsnippets_evaluaciones_evaluacion": "evaluacion",
    "wagtailsnippetchoosers_evaluaciones_evaluacion": "evaluacion",
    "wagtailsnippets_evaluaciones_pregunta": "pregunta",
    "wagtailsnippetchoosers_evaluaciones_pregunta": "pregunta",
    "wagtailsnippets_evaluaciones_categoriapregunta": "categoria",
    "wagtailsnippetchoosers_evaluaciones_categoriapregunta": "categoria",
    "wagtailsnippets_evaluaciones_excepcion": "excepcion",
    "wagtailsnippetchoosers_evaluaciones_excepcion": "excepcion",
    "wagtailsnippets_constancias_plantillaconstancia": "plantilla",
    "wagtailsnippetchoosers_constancias_plantillaconstancia": "plantilla",
    "wagtailsnippets_constancias_reglaconstancia": "regla",
    "wagtailsnippetchoosers_constancias_reglaconstancia": "regla",
    "organizacion": "organizacion",
    "entidad": "entidad",
    "asignacion": "asignacion",
    "usuario_chooser": "participante",
    "wagtailusers_users": "participante",
    "wagtailadmin_pages": "curso",
    "wagtailadmin_api": "curso",
}
_PAGINAS = {"page_id", "parent_page_id", "page_to_move_id", "destination_id", "page_pk"}
_TEXTO = {
    "content_type_app_name": "cursos",
    "content_type_model_name": "cursopage",
    "app_label": "cursos",
    "app_name": "cursos",
    "model_name": "edicion",
    "action": "delete",
    "action_name": "approve",
    "filter_spec": "original",
    "formato": "csv",
    "token": "token-inexistente",
    "key": "clave-inexistente",
    "uidb36": "1",
    "uidb64": "MQ",
    "revision_id_a": "earliest",
    "revision_id_b": "latest",
    "object_id": "1",
    "content_type_id": "1",
}


def _recorrer(patrones: list[Any], prefijo: str = "", espacio: str = "") -> list[tuple[str, str]]:
    filas = []
    for patron in patrones:
        if isinstance(patron, URLResolver):
            nombre = patron.namespace or ""
            anidado = f"{espacio}:{nombre}" if espacio and nombre else (nombre or espacio)
            filas += _recorrer(patron.url_patterns, prefijo + str(patron.pattern), anidado)
        elif isinstance(patron, URLPattern):
            nombre = patron.name or ""
            completo = f"{espacio}:{nombre}" if espacio and nombre else nombre
            filas.append((completo, prefijo + str(patron.pattern)))
    return filas


def _valor(parametro: str, nombre: str, objetos: dict[str, Any]) -> str:
    espacio = nombre.split(":")[0]
    if parametro == "uid":
        return str(objetos["exportacion"].uid)
    if parametro == "codigo":
        return objetos["constancia"].codigo_verificacion
    if parametro == "folio":
        return objetos["constancia"].folio
    if parametro in _TEXTO:
        return _TEXTO[parametro]
    if parametro in _PAGINAS:
        return str(objetos["curso"].pk)
    clave = _OBJETO_POR_NOMBRE.get(nombre) or _OBJETO_POR_ESPACIO.get(espacio)
    objeto = objetos.get(clave) if clave else None
    return str(objeto.pk) if objeto is not None else "1"


def _concreta(nombre: str, ruta: str, objetos: dict[str, Any]) -> str:
    if nombre == "wagtail_serve":
        return objetos["curso"].url
    if nombre == "wagtaildocs_serve":
        return "/documentos/1/documento.pdf"
    # Regex groups first: "(?P<pk>...)" also looks like a path converter "<pk>".
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: _valor(m[1], nombre, objetos), ruta)
    url = re.sub(
        r"<(?:(?P<conv>\w+):)?(?P<nombre>\w+)>",
        lambda m: _valor(m["nombre"], nombre, objetos),
        url,
    )
    url = url.replace("^", "").replace("$", "").replace("\\.", ".")
    return "/" + url


def rutas(mundo: Mundo) -> list[Ruta]:
    """Every pattern of the URLconf as a concrete path about the world's objects."""
    vistas = set()
    resultado = []
    for nombre, ruta in _recorrer(get_resolver().url_patterns):
        url = _concreta(nombre, ruta, mundo.objetos)
        if url in vistas:
            continue
        vistas.add(url)
        admin = url.startswith(("/admin/", "/django-admin/", "/documentos/"))
        resultado.append(Ruta(nombre=nombre or ruta, ruta=ruta, url=url, admin=admin))
    return resultado
