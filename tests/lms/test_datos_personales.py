import json

import pytest
from allauth.account.models import EmailAddress

from lms import selectors, services
from lms.models import Rol, Usuario
from tests.factories import UsuarioFactory
from tests.factories.cuentas import curp_valida
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db


@pytest.fixture
def usuario(client):
    usuario = UsuarioFactory(
        email="maria@itei.org.mx",
        first_name="María José",
        last_name="Núñez Peña",
        curp=curp_valida(),
    )
    services.registrar_aceptacion_aviso(usuario=usuario, version="2")
    services.asignar_rol(usuario=usuario, rol=Rol.COORDINADOR_ESTATAL, entidad_id=entidad("14").pk)
    client.force_login(usuario)
    return usuario


def test_descarga_json_con_todos_los_datos_propios(client, usuario):
    respuesta = client.get("/perfil/mis-datos.json")
    assert respuesta.status_code == 200
    assert respuesta["Content-Type"] == "application/json; charset=utf-8"
    assert respuesta["Content-Disposition"].startswith('attachment; filename="mis-datos-')
    assert "no-store" in respuesta["Cache-Control"]
    # Accents travel as UTF-8 text, not \u escapes.
    assert "María José".encode() in respuesta.content
    datos = json.loads(respuesta.content)
    assert datos["correo_electronico"] == "maria@itei.org.mx"
    assert (datos["nombre"], datos["apellidos"]) == ("María José", "Núñez Peña")
    assert datos["curp"] == usuario.curp
    assert datos["cargo"] == usuario.cargo
    assert datos["organizacion"]["nombre"] == usuario.organizacion.nombre
    assert datos["entidad_federativa"] == usuario.entidad.nombre
    assert datos["aviso_de_privacidad"]["version_aceptada"] == "2"
    assert datos["aviso_de_privacidad"]["aceptado_en"]
    assert datos["correos"] == [
        {"correo": "maria@itei.org.mx", "verificado": True, "principal": True}
    ]
    assert datos["roles"][0]["rol"] == "Coordinador estatal"
    assert datos["roles"][0]["entidad"] == "Jalisco"


def test_cada_quien_descarga_solo_sus_datos(client, usuario):
    otro = UsuarioFactory(email="otro@ejemplo.gob.mx", curp=curp_valida("GOMA991231MJCRRL0"))
    EmailAddress.objects.create(user=otro, email="secundario@ejemplo.gob.mx")
    contenido = client.get("/perfil/mis-datos.json", {"usuario": otro.pk}).content.decode()
    assert "otro@ejemplo.gob.mx" not in contenido
    assert "secundario@ejemplo.gob.mx" not in contenido
    assert otro.curp not in contenido
    assert json.loads(contenido)["correo_electronico"] == "maria@itei.org.mx"


def test_descarga_pide_iniciar_sesion(client):
    respuesta = client.get("/perfil/mis-datos.json")
    assert respuesta.status_code == 302
    assert respuesta["Location"].startswith("/cuentas/login/")


def test_descarga_solo_acepta_get(client, usuario):
    assert client.post("/perfil/mis-datos.json").status_code == 405


def test_usuario_sin_organizacion_ni_curp(client):
    usuario = UsuarioFactory(organizacion=None, entidad=None, verificado=False)
    datos = selectors.datos_personales(usuario=usuario)
    assert datos["organizacion"] is None
    assert datos["curp"] is None
    assert datos["correos"] == []
    assert datos["aviso_de_privacidad"] == {"version_aceptada": None, "aceptado_en": None}
    json.dumps(datos)


def test_otras_apps_agregan_sus_registros_a_la_descarga(usuario, monkeypatch):
    monkeypatch.setattr(selectors, "_PROVEEDORES_DATOS", {})
    selectors.registrar_proveedor_datos("inscripciones", lambda u: [{"curso": f"curso-{u.pk}"}])
    datos = selectors.datos_personales(usuario=usuario)
    assert datos["inscripciones"] == [{"curso": f"curso-{usuario.pk}"}]


@pytest.mark.parametrize("roles", [0, 3])
def test_consultas_de_la_descarga_no_crecen_con_los_roles(
    client, usuario, roles, django_assert_max_num_queries
):
    for rol in [Rol.INSTRUCTOR, Rol.COORDINADOR_NACIONAL, Rol.ADMINISTRADOR][:roles]:
        services.asignar_rol(usuario=usuario, rol=rol)
    with django_assert_max_num_queries(16):
        assert client.get("/perfil/mis-datos.json").status_code == 200


# --- Everything the other apps hold about the person ----------------------------------


def _entregable():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("Mi tarea final.pdf", b"%PDF-1.7 CONTENIDO-DEL-ENTREGABLE")


def _expediente(persona, *, instructor, sufijo="", **revision):
    """One of everything in a new course for `persona`; returns what the test looks for."""
    from decimal import Decimal

    from constancias import services as constancias
    from cursos import services as cursos
    from evaluaciones import services as evaluaciones
    from evaluaciones.models import Pregunta
    from lms.models import RegistroAuditoria
    from tests.factories import (
        CursoPageFactory,
        EdicionFactory,
        FasePageFactory,
        InscripcionFactory,
        LeccionPageFactory,
        PreguntaFactory,
        ReglaConstanciaFactory,
        SesionEnVivoFactory,
    )
    from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones

    ensayo = PreguntaFactory(tipo=Pregunta.Tipo.ENSAYO, puntos=Decimal("10"))
    entregable = PreguntaFactory(
        tipo=Pregunta.Tipo.ENTREGABLE, extensiones_permitidas="pdf", puntos=Decimal("10")
    )
    opcion = pregunta_con_opciones()
    evaluacion = evaluacion_con(
        opcion, ensayo, entregable, **{"revision_retroalimentacion": "al_enviar", **revision}
    )
    curso = CursoPageFactory(title=f"Curso de datos abiertos{sufijo}")
    fase = FasePageFactory(parent=curso, evaluacion=evaluacion, title=f"Fase teórica{sufijo}")
    leccion = LeccionPageFactory(parent=fase, title=f"Lección de apertura{sufijo}")
    evaluacion.curso = curso
    evaluacion.save()
    edicion = EdicionFactory(curso=curso, nombre=f"Grupo 2026-1{sufijo}")
    inscripcion = InscripcionFactory(edicion=edicion, usuario=persona)
    cursos.marcar_leccion_completada(inscripcion=inscripcion, leccion=leccion)
    sesion = SesionEnVivoFactory(edicion=edicion, fase=fase, titulo=f"Sesión inaugural{sufijo}")
    cursos.marcar_asistencia(
        sesion=sesion, usuario=persona, presente=True, registrada_por=instructor, minutos=80
    )
    evaluaciones.conceder_excepcion(
        evaluacion=evaluacion,
        usuario=persona,
        otorgada_por=instructor,
        intentos_extra=1,
        motivo=f"Falla de conexión{sufijo}",
    )

    def presentar(quien, texto):
        # A fresh instance: what a person may take is cached on the user object.
        quien = Usuario.objects.get(pk=quien.pk)
        intento = evaluaciones.iniciar_intento(evaluacion=evaluacion, usuario=quien)
        elegida = str(opcion.opciones.order_by("sort_order")[1].pk)
        evaluaciones.enviar_intento(
            intento_id=intento.pk,
            usuario=quien,
            datos={f"p-p{opcion.pk}": [elegida], f"p-p{ensayo.pk}": [texto]},
            archivos={f"p{entregable.pk}": _entregable()},
        )
        for respuesta in intento.respuestas.filter(
            clave__in=[f"p{ensayo.pk}", f"p{entregable.pk}"]
        ):
            evaluaciones.calificar_manual(
                respuesta_id=respuesta.pk,
                puntos=Decimal("8"),
                comentario=f"Buen trabajo, {texto}",
                calificador=instructor,
            )
        intento.refresh_from_db()
        return intento

    intento = presentar(persona, f"MI-ENSAYO{sufijo}")
    otra = UsuarioFactory(email=f"otra{sufijo}@ejemplo.gob.mx")
    InscripcionFactory(edicion=edicion, usuario=otra)
    presentar(otra, f"ENSAYO-AJENO{sufijo}")

    from tests.factories.constancias import curso_completable

    regla = ReglaConstanciaFactory(edicion=curso_completable(nombre=f"Grupo acreditado{sufijo}"))
    acreditada = InscripcionFactory(edicion=regla.edicion, usuario=persona)
    [constancia] = constancias.emitir_constancias(
        regla=regla, inscripcion_ids=[acreditada.pk], notificar=False
    ).emitidas
    constancias.registrar_consulta(
        medio="enlace",
        constancia=constancia,
        dato=constancia.codigo_verificacion,
        ip="203.0.113.77",
        agente="Navegador-De-Quien-Verifica",
    )
    services.registrar_auditoria(
        usuario=instructor,
        accion=RegistroAuditoria.Accion.CONSULTA_KARDEX,
        filtros={"persona": persona.pk},
        objeto=str(persona.pk),
    )
    return {"intento": intento, "constancia": constancia, "otra": otra}


@pytest.fixture
def instructor():
    persona = UsuarioFactory(email="instructor@ejemplo.gob.mx", first_name="Instructor")
    services.asignar_rol(usuario=persona, rol=Rol.INSTRUCTOR)
    return persona


def test_la_descarga_incluye_todo_lo_que_la_plataforma_guarda(client, usuario, instructor):
    from django.test import Client

    expediente = _expediente(usuario, instructor=instructor)
    nacional = UsuarioFactory(email="nacional@ejemplo.gob.mx")
    services.asignar_rol(usuario=nacional, rol=Rol.COORDINADOR_NACIONAL)
    coordinacion = Client()
    coordinacion.force_login(nacional)
    folio = expediente["constancia"].folio
    assert coordinacion.get(f"/constancias/descargar/{folio}.pdf").status_code == 200
    respuesta = client.get("/perfil/mis-datos.json")
    contenido = respuesta.content.decode()
    datos = json.loads(contenido)

    inscripcion = next(i for i in datos["inscripciones"] if i["edicion"] == "Grupo 2026-1")
    assert inscripcion["curso"] == "Curso de datos abiertos"
    assert inscripcion["estado"] == "Activa"
    assert inscripcion["inscrita_en"]
    assert inscripcion["avance_por_fase"][0]["fase"] == "Fase teórica"
    assert [(x["leccion"], x["edicion"]) for x in datos["lecciones_completadas"]] == [
        ("Lección de apertura", "Grupo 2026-1")
    ]
    [asistencia] = datos["asistencias"]
    assert (asistencia["sesion"], asistencia["minutos"]) == ("Sesión inaugural", 80)
    [excepcion] = datos["excepciones"]
    assert (excepcion["motivo"], excepcion["intentos_extra"]) == ("Falla de conexión", 1)

    [intento] = datos["intentos"]
    assert intento["numero"] == 1
    assert intento["estado"] == "Calificado"
    assert intento["puntaje"] == str(expediente["intento"].puntaje)
    textos = [r["respuesta"] for r in intento["respuestas"]]
    assert "MI-ENSAYO" in textos
    assert "Mi tarea final.pdf" in [r["archivo"] for r in intento["respuestas"]]
    assert "Buen trabajo, MI-ENSAYO" in [r["comentario"] for r in intento["respuestas"]]
    assert "CONTENIDO-DEL-ENTREGABLE" not in contenido

    constancia = expediente["constancia"]
    [emitida] = datos["constancias"]
    assert emitida["folio"] == constancia.folio
    assert emitida["estado"] == "Vigente"
    assert emitida["url_verificacion"].endswith(f"/{constancia.codigo_verificacion}/")
    assert emitida["consultas_de_verificacion"]["total"] == 1
    assert emitida["consultas_de_verificacion"]["consultas"][0]["medio"] == "Enlace o QR"
    assert [c["accion"] for c in datos["consultas_de_su_expediente"]] == ["Consulta de kárdex"]
    assert len(emitida["descargas_por_personal_autorizado"]) == 1

    # Nobody else's data: the other participant's answers, the verifier, the instructor.
    assert "ENSAYO-AJENO" not in contenido
    assert expediente["otra"].email not in contenido
    assert "203.0.113.77" not in contenido
    assert "Navegador-De-Quien-Verifica" not in contenido
    assert "instructor@ejemplo.gob.mx" not in contenido
    assert "nacional@ejemplo.gob.mx" not in contenido


def test_la_calificacion_retenida_no_se_adelanta(client, usuario, instructor):
    _expediente(
        usuario, instructor=instructor, revision_puntaje="nunca", revision_retroalimentacion="nunca"
    )
    [intento] = json.loads(client.get("/perfil/mis-datos.json").content)["intentos"]
    assert intento["puntaje"] is None
    assert intento["porcentaje"] is None
    assert intento["nota"]
    assert {r["puntos"] for r in intento["respuestas"]} == {None}
    assert {r["comentario"] for r in intento["respuestas"]} == {None}
    assert "MI-ENSAYO" in [r["respuesta"] for r in intento["respuestas"]]


@pytest.mark.parametrize("veces", [1, 3])
def test_consultas_de_la_descarga_no_crecen_con_los_registros(
    client, usuario, instructor, veces, django_assert_max_num_queries
):
    for numero in range(veces):
        _expediente(usuario, instructor=instructor, sufijo=f" {numero}")
    with django_assert_max_num_queries(21):
        datos = json.loads(client.get("/perfil/mis-datos.json").content)
    assert len(datos["intentos"]) == len(datos["constancias"]) == veces
