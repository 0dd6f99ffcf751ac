import datetime
import threading

import pytest

from django.db import connection
from django.utils import timezone

from cursos import services
from cursos.models import Asistencia, Inscripcion, ProgresoLeccion
from cursos.signals import completitud_cambiada
from evaluaciones.models import Evaluacion
from evaluaciones.signals import resultado_evaluacion_cambiado
from tests.factories import EdicionFactory, SujetoObligadoFactory, UsuarioFactory
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db


# --- Enrolment -----------------------------------------------------------------


def test_autoinscripcion_crea_una_inscripcion_activa(edicion):
    persona = UsuarioFactory()
    inscripcion = services.inscribir_persona(edicion=edicion, usuario=persona)
    assert inscripcion.activa
    assert inscripcion.origen == Inscripcion.Origen.AUTOINSCRIPCION


def test_inscribirse_dos_veces_se_rechaza_y_no_duplica(edicion):
    persona = UsuarioFactory()
    services.inscribir_persona(edicion=edicion, usuario=persona)
    with pytest.raises(services.InscripcionError, match="Ya está inscrita"):
        services.inscribir_persona(edicion=edicion, usuario=persona)
    assert Inscripcion.objects.filter(usuario=persona).count() == 1


@pytest.mark.parametrize(
    ("abre", "cierra", "mensaje"),
    [(1, 5, "todavía no abre"), (-5, -1, "ya cerró")],
)
def test_autoinscripcion_fuera_de_la_ventana_se_rechaza(curso, abre, cierra, mensaje):
    ahora = timezone.now()
    edicion = EdicionFactory(
        curso=curso,
        inscripcion_abre=ahora + datetime.timedelta(days=abre),
        inscripcion_cierra=ahora + datetime.timedelta(days=cierra),
    )
    with pytest.raises(services.InscripcionError, match=mensaje):
        services.inscribir_persona(edicion=edicion, usuario=UsuarioFactory())
    assert not Inscripcion.objects.exists()


def test_coordinacion_inscribe_fuera_de_la_ventana(curso):
    ahora = timezone.now()
    edicion = EdicionFactory(
        curso=curso,
        autoinscripcion=False,
        inscripcion_abre=ahora - datetime.timedelta(days=9),
        inscripcion_cierra=ahora - datetime.timedelta(days=1),
    )
    inscripcion = services.inscribir_persona(
        edicion=edicion, usuario=UsuarioFactory(), origen=Inscripcion.Origen.COORDINACION
    )
    assert inscripcion.activa


def test_sin_autoinscripcion_solo_la_coordinacion_inscribe(curso):
    edicion = EdicionFactory(curso=curso, autoinscripcion=False)
    with pytest.raises(services.InscripcionError, match="solo la coordinación"):
        services.inscribir_persona(edicion=edicion, usuario=UsuarioFactory())


def test_cupo_lleno_rechaza_al_siguiente(curso):
    edicion = EdicionFactory(curso=curso, cupo=1)
    services.inscribir_persona(edicion=edicion, usuario=UsuarioFactory())
    with pytest.raises(services.InscripcionError, match="Ya no hay lugares"):
        services.inscribir_persona(edicion=edicion, usuario=UsuarioFactory())
    assert edicion.inscripciones.count() == 1


def test_un_retiro_libera_el_lugar(curso):
    edicion = EdicionFactory(curso=curso, cupo=1)
    primera = services.inscribir_persona(edicion=edicion, usuario=UsuarioFactory())
    services.retirar_inscripcion(inscripcion=primera)
    assert services.inscribir_persona(edicion=edicion, usuario=UsuarioFactory()).activa


def test_elegibilidad_por_entidad_y_organizacion(curso):
    edicion = EdicionFactory(curso=curso)
    edicion.entidades.set([entidad("14")])
    de_oaxaca = UsuarioFactory(organizacion=SujetoObligadoFactory(entidad=entidad("20")))
    with pytest.raises(services.InscripcionError, match="otras entidades"):
        services.inscribir_persona(edicion=edicion, usuario=de_oaxaca)
    jalisco = SujetoObligadoFactory(entidad=entidad("14"))
    edicion.organizaciones.set([jalisco])
    otra_de_jalisco = UsuarioFactory(organizacion=SujetoObligadoFactory(entidad=entidad("14")))
    with pytest.raises(services.InscripcionError, match="otras organizaciones"):
        services.inscribir_persona(edicion=edicion, usuario=otra_de_jalisco)
    assert services.inscribir_persona(edicion=edicion, usuario=UsuarioFactory(organizacion=jalisco))


def test_retirarse_y_volver_reactiva_la_misma_inscripcion_con_su_avance(inscripcion, curso):
    services.marcar_leccion_completada(inscripcion=inscripcion, leccion=curso.lecciones[0])
    services.retirar_inscripcion(inscripcion=inscripcion)
    with pytest.raises(services.InscripcionError, match="ya estaba retirada"):
        services.retirar_inscripcion(inscripcion=inscripcion)
    otra = services.inscribir_persona(edicion=inscripcion.edicion, usuario=inscripcion.usuario)
    assert otra.pk == inscripcion.pk
    assert otra.lecciones_completadas.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks")
def test_dos_solicitudes_por_el_ultimo_lugar_solo_una_gana(curso):
    edicion = EdicionFactory(curso=curso, cupo=1)
    personas = [UsuarioFactory(), UsuarioFactory()]
    barrera = threading.Barrier(2)
    resultados = []

    def inscribir(persona):
        barrera.wait()
        try:
            services.inscribir_persona(edicion=edicion, usuario=persona)
            resultados.append("ok")
        except services.InscripcionError as error:
            resultados.append(error.code)
        finally:
            connection.close()

    hilos = [threading.Thread(target=inscribir, args=(p,)) for p in personas]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()
    assert sorted(resultados) == ["cupo", "ok"]
    assert edicion.inscripciones.count() == 1


# --- Lessons and completion ------------------------------------------------------


def test_marcar_leccion_dos_veces_guarda_un_solo_hecho(inscripcion, curso):
    primera = services.marcar_leccion_completada(
        inscripcion=inscripcion, leccion=curso.lecciones[0]
    )
    segunda = services.marcar_leccion_completada(
        inscripcion=inscripcion, leccion=curso.lecciones[0]
    )
    assert primera.pk == segunda.pk
    assert ProgresoLeccion.objects.count() == 1


def test_leccion_de_otro_curso_se_rechaza(inscripcion):
    from tests.factories import LeccionPageFactory

    ajena = LeccionPageFactory()
    with pytest.raises(services.ProgresoError, match="no pertenece"):
        services.marcar_leccion_completada(inscripcion=inscripcion, leccion=ajena)
    assert not ProgresoLeccion.objects.exists()


def test_curso_se_acredita_con_la_fecha_del_hecho_que_lo_completa(inscripcion, curso, sesion):
    t = timezone.now() - datetime.timedelta(days=3)
    for n, leccion in enumerate(curso.lecciones):
        services.marcar_leccion_completada(
            inscripcion=inscripcion, leccion=leccion, ahora=t + datetime.timedelta(hours=n)
        )
    inscripcion.refresh_from_db()
    assert inscripcion.completada_en is None
    services.marcar_asistencia(
        sesion=sesion,
        usuario=inscripcion.usuario,
        presente=True,
        registrada_por=UsuarioFactory(),
        ahora=timezone.now() + datetime.timedelta(days=5),
    )
    inscripcion.refresh_from_db()
    # Marked days later: the fact's date is the end of the session, not the marking.
    assert inscripcion.completada_en == sesion.fin


def test_quitar_la_asistencia_retira_la_acreditacion(inscripcion, curso, sesion):
    for leccion in curso.lecciones:
        services.marcar_leccion_completada(inscripcion=inscripcion, leccion=leccion)
    services.marcar_asistencia(
        sesion=sesion, usuario=inscripcion.usuario, presente=True, registrada_por=None
    )
    inscripcion.refresh_from_db()
    assert inscripcion.completada_en is not None
    services.marcar_asistencia(
        sesion=sesion, usuario=inscripcion.usuario, presente=False, registrada_por=None
    )
    inscripcion.refresh_from_db()
    assert inscripcion.completada_en is None
    assert not Asistencia.objects.exists()


def test_senal_de_completitud_se_envia_al_confirmar(
    inscripcion, curso, sesion, django_capture_on_commit_callbacks
):
    avisos = []

    def oir(sender, **kwargs):
        avisos.append(kwargs)

    completitud_cambiada.connect(oir)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            for leccion in curso.lecciones:
                services.marcar_leccion_completada(inscripcion=inscripcion, leccion=leccion)
            services.registrar_asistencia(
                sesion=sesion, usuario=inscripcion.usuario, codigo="abc234"
            )
    finally:
        completitud_cambiada.disconnect(oir)
    assert avisos == [
        {"signal": completitud_cambiada, "inscripcion_id": inscripcion.pk, "completada": True}
    ]


def test_resultado_de_evaluacion_recalcula_la_completitud(inscripcion, curso, monkeypatch):
    examen = Evaluacion.objects.create(titulo="Examen final")
    curso.teorica.evaluacion = examen
    curso.teorica.save_revision().publish()
    curso.practica.asistencia_minima = 0
    curso.practica.save_revision().publish()
    hace_dias = timezone.now() - datetime.timedelta(days=2)
    for leccion in curso.lecciones:
        services.marcar_leccion_completada(
            inscripcion=inscripcion, leccion=leccion, ahora=hace_dias
        )
    inscripcion.refresh_from_db()
    assert inscripcion.completada_en is None
    aprobada = timezone.now() - datetime.timedelta(hours=1)
    monkeypatch.setattr(
        "evaluaciones.selectors.aprobaciones",
        lambda *, usuario_ids, evaluacion_ids: {(inscripcion.usuario_id, examen.pk): aprobada},
    )
    resultado_evaluacion_cambiado.send(
        sender=Evaluacion, usuario_id=inscripcion.usuario_id, evaluacion_id=examen.pk
    )
    inscripcion.refresh_from_db()
    assert inscripcion.completada_en == aprobada


def test_retirarse_despues_de_acreditar_se_rechaza(inscripcion, curso, sesion):
    for leccion in curso.lecciones:
        services.marcar_leccion_completada(inscripcion=inscripcion, leccion=leccion)
    services.marcar_asistencia(
        sesion=sesion, usuario=inscripcion.usuario, presente=True, registrada_por=None
    )
    with pytest.raises(services.InscripcionError, match="Ya acreditó"):
        services.retirar_inscripcion(inscripcion=inscripcion)


# --- Attendance ------------------------------------------------------------------


def test_registro_con_codigo_ignora_mayusculas_y_espacios(inscripcion, sesion):
    asistencia = services.registrar_asistencia(
        sesion=sesion, usuario=inscripcion.usuario, codigo=" abc 234 "
    )
    assert asistencia.origen == Asistencia.Origen.CODIGO


def test_codigo_incorrecto_se_rechaza(inscripcion, sesion):
    with pytest.raises(services.AsistenciaError, match="no es correcto"):
        services.registrar_asistencia(sesion=sesion, usuario=inscripcion.usuario, codigo="ZZZ999")
    assert not Asistencia.objects.exists()


def test_registro_fuera_de_la_ventana_se_rechaza(inscripcion, sesion):
    with pytest.raises(services.AsistenciaError, match="durante la sesión"):
        services.registrar_asistencia(
            sesion=sesion,
            usuario=inscripcion.usuario,
            codigo="ABC234",
            ahora=sesion.fin + datetime.timedelta(hours=1),
        )


def test_registro_de_persona_no_inscrita_se_rechaza(sesion):
    with pytest.raises(services.AsistenciaError, match="Solo las personas inscritas"):
        services.registrar_asistencia(sesion=sesion, usuario=UsuarioFactory(), codigo="ABC234")


def test_doble_registro_guarda_una_asistencia(inscripcion, sesion):
    services.registrar_asistencia(sesion=sesion, usuario=inscripcion.usuario, codigo="ABC234")
    services.registrar_asistencia(sesion=sesion, usuario=inscripcion.usuario, codigo="ABC234")
    assert Asistencia.objects.count() == 1


def test_marcar_asistencias_en_lista_agrega_y_quita(edicion, sesion):
    a, b = InscripcionFactoryPair(edicion)
    services.marcar_asistencias(
        sesion=sesion,
        presentes={a.usuario_id},
        consideradas={a.usuario_id, b.usuario_id},
        registrada_por=None,
    )
    assert set(Asistencia.objects.values_list("usuario_id", flat=True)) == {a.usuario_id}
    services.marcar_asistencias(
        sesion=sesion,
        presentes={b.usuario_id},
        consideradas={a.usuario_id, b.usuario_id},
        registrada_por=None,
    )
    assert set(Asistencia.objects.values_list("usuario_id", flat=True)) == {b.usuario_id}


def InscripcionFactoryPair(edicion):
    from tests.factories import InscripcionFactory

    return InscripcionFactory(edicion=edicion), InscripcionFactory(edicion=edicion)
