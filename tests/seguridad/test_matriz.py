"""Every URL of the URLconf, asked by every role about one state's records.

Each request runs in a savepoint that is rolled back, so a POST of one role (an
administrator deleting a page, a coordinator revoking a constancia) never changes what
the next request sees. Nothing here may answer 500; a coordinator of another state,
another participant and an anonymous visitor never receive the names, e-mail or CURP of
entidad A's people; anonymous visitors get 200 only on the explicit public list.
"""

from __future__ import annotations

import pytest

from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client

from tests.seguridad.conftest import Mundo, Ruta, rutas

pytestmark = pytest.mark.django_db

ROLES = [
    "anonimo",
    "participante",
    "participante_ajeno",
    "instructor",
    "coordinador_a",
    "coordinador_b",
    "nacional",
    "administrador",
]
# Roles that must learn nothing about entidad A's people.
AJENOS = {"anonimo", "participante_ajeno", "coordinador_b", "instructor"}

# What an anonymous visitor may open (200). Anything else must send them to a login,
# refuse (403/404/405) or be a bad request.
PUBLICAS = {
    "account_login",
    "account_inactive",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key_done",
    # With a wrong key these answer 200 with "el enlace no es válido".
    "account_confirm_email",
    "account_reset_password_from_key",
    "account_email_verification_sent",
    "aviso_privacidad",
    "salud",
    "cursos:buscar",
    "cursos:edicion",
    "constancias:verificar_formulario",
    "constancias:verificar",
    "wagtail_serve",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
    "wagtailcore_login",
}

# Records that belong to entidad A's people: outsiders are refused or redirected.
PERSONALES = {
    "cursos:kardex",
    "evaluaciones:intento",
    "evaluaciones:guardar",
    "evaluaciones:enviar",
    "evaluaciones:resultado",
    "evaluaciones:calificar",
    "evaluaciones:descargar_entregable",
    "constancias:descargar",
    "constancias:revocar",
    "constancias:reemplazar",
    "constancias:trabajo",
    "constancias:trabajo_estado",
    "cursos:exportacion",
    "cursos:exportacion_descargar",
    "wagtailusers_users:edit",
    "wagtailusers_users:delete",
    "wagtailusers_users:history",
    "wagtailusers_users:history_results",
    "usuario_chooser:chosen",
    # A state's manifestación names its contact people.
    "cursos:manifestacion",
    "cursos:manifestacion_editar",
    "cursos:manifestacion_enviar",
    "cursos:manifestacion_decidir",
}
# Public by design: the verification page names the holder to whoever has the code.
SIN_REVISION_DE_FUGAS = {"constancias:verificar"}
# Wagtail's deliberate "raise an error" endpoint for administrators.
ERROR_A_PROPOSITO = {"wagtailadmin_error_test"}
SALIDAS = {"account_logout", "wagtailadmin_logout", "admin:logout"}
# Anonymous visitors may be sent somewhere other than a login by these: logging out of
# nothing goes home, and a lesson link goes to the lesson page, which decides itself.
REDIRIGEN_A_CONTENIDO = SALIDAS | {"cursos:ir_a_leccion"}
# 409 is the autosave endpoint's JSON refusal ("no se encontró el intento").
RECHAZOS = {301, 302, 303, 307, 308, 400, 403, 404, 405, 409}


def _cuerpo(respuesta) -> str:
    if getattr(respuesta, "streaming", False):
        datos = b"".join(respuesta.streaming_content)
    else:
        datos = respuesta.content
    return datos.decode("utf-8", errors="ignore").lower()


def _pedir(cliente: Client, metodo: str, url: str):
    errores: list[BaseException] = []

    def anotar(sender, request=None, **kwargs):
        import sys

        errores.append(sys.exc_info()[1])

    got_request_exception.connect(anotar)
    try:
        with transaction.atomic():
            respuesta = getattr(cliente, metodo)(url)
            transaction.set_rollback(True)
    finally:
        got_request_exception.disconnect(anotar)
    respuesta.excepcion = errores[-1] if errores else None
    return respuesta


def _metodos(ruta: Ruta, rol: str) -> tuple[str, ...]:
    # Admin sites answer POST of privileged roles with their own forms; asking every one
    # of their 400 patterns twice for every role would take minutes. Outsiders still POST.
    if ruta.admin and rol not in AJENOS and rol != "participante":
        return ("get",)
    return ("get", "post")


@pytest.mark.parametrize("rol", ROLES)
def test_matriz_de_seguridad(rol: str, mundo: Mundo) -> None:
    cliente = Client(raise_request_exception=False)
    usuario = mundo.usuarios[rol]
    if usuario is not None:
        cliente.force_login(usuario)
    secretos = [s.lower() for s in mundo.secretos]
    fallas: list[str] = []
    publicas_vistas: set[str] = set()
    for ruta in rutas(mundo):
        if usuario is not None and ruta.nombre in SALIDAS:
            continue
        for metodo in _metodos(ruta, rol):
            respuesta = _pedir(cliente, metodo, ruta.url)
            estado = respuesta.status_code
            etiqueta = f"{metodo.upper()} {ruta.url} ({ruta.nombre}) -> {estado}"
            if estado >= 500 and ruta.nombre not in ERROR_A_PROPOSITO:
                fallas.append(f"error del servidor: {etiqueta}: {respuesta.excepcion!r}"[:400])
                continue
            if rol in AJENOS and ruta.nombre not in SIN_REVISION_DE_FUGAS:
                cuerpo = _cuerpo(respuesta)
                filtrados = [s for s in secretos if s in cuerpo]
                if filtrados:
                    fallas.append(f"fuga de {filtrados}: {etiqueta}")
                if ruta.nombre in PERSONALES and estado not in RECHAZOS:
                    fallas.append(f"registro ajeno accesible: {etiqueta}")
            if rol == "anonimo" and estado == 200 and metodo == "get":
                publicas_vistas.add(ruta.nombre)
            if rol == "anonimo" and estado == 200 and ruta.nombre not in PUBLICAS:
                fallas.append(f"abierta a anónimos sin estar en PUBLICAS: {etiqueta}")
            if rol == "anonimo" and estado in (301, 302, 303):
                destino = respuesta.headers.get("Location", "")
                if (
                    ruta.nombre not in PUBLICAS | REDIRIGEN_A_CONTENIDO
                    and "login" not in destino
                    and "/cuentas/" not in destino
                ):
                    fallas.append(f"redirige a {destino!r} en vez del login: {etiqueta}")
        if usuario is not None and "_auth_user_id" not in cliente.session:
            cliente.force_login(usuario)
    if rol == "anonimo":
        sobrantes = PUBLICAS - publicas_vistas
        assert not sobrantes, f"PUBLICAS lista URL que ya no son públicas: {sorted(sobrantes)}"
    assert not fallas, f"{len(fallas)} problemas como {rol}:\n" + "\n".join(fallas)
