"""Demo content loads, and loading it twice duplicates nothing."""

import io

import pytest

from django.core.management import call_command
from django.core.management.base import CommandError

from lms.models import AsignacionRol, Organizacion, Rol, Usuario

pytestmark = pytest.mark.django_db


def _conteos():
    return (
        Usuario.objects.count(),
        Organizacion.objects.count(),
        AsignacionRol.objects.count(),
    )


def test_cargar_demo_dos_veces_no_duplica(settings):
    settings.DEBUG = True
    call_command("cargar_demo")
    primera = _conteos()
    call_command("cargar_demo")
    assert _conteos() == primera
    assert primera[0] >= 5


def test_hay_una_cuenta_por_rol_y_puede_iniciar_sesion(client, settings):
    settings.DEBUG = True
    call_command("cargar_demo")
    from lms.demo import CONTRASENA_DEMO

    roles = set(AsignacionRol.objects.values_list("rol", flat=True))
    assert {
        Rol.ADMINISTRADOR,
        Rol.COORDINADOR_NACIONAL,
        Rol.COORDINADOR_ESTATAL,
        Rol.INSTRUCTOR,
    } <= roles
    assert client.login(email="participante@demo.mx", password=CONTRASENA_DEMO)


def test_cargar_demo_se_niega_sin_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("cargar_demo")


def test_cargar_demo_se_niega_con_ajustes_de_produccion_aunque_se_fuerce(settings):
    settings.DEBUG = True
    settings.LMS_ENTORNO = "produccion"
    with pytest.raises(CommandError, match="contraseña pública"):
        call_command("cargar_demo", "--forzar")
    assert not Usuario.objects.exists()


@pytest.mark.parametrize(("debug", "entorno"), [(True, "produccion"), (False, "pruebas")])
def test_cuentas_demo_no_publica_la_contrasena_fuera_del_desarrollo(settings, debug, entorno):
    from lms.demo import CONTRASENA_DEMO

    settings.DEBUG = debug
    settings.LMS_ENTORNO = entorno
    salida = io.StringIO()
    with pytest.raises(CommandError, match="modo de desarrollo"):
        call_command("cuentas_demo", stdout=salida)
    assert CONTRASENA_DEMO not in salida.getvalue()


def test_cuentas_demo_en_desarrollo_muestra_las_cuentas(settings):
    settings.DEBUG = True
    settings.LMS_ENTORNO = "desarrollo"
    salida = io.StringIO()
    call_command("cuentas_demo", stdout=salida)
    assert "participante@demo.mx" in salida.getvalue()


# --- Every flow of the demo (issue 13) ---------------------------------------------------


def _cargar(settings):
    settings.DEBUG = True
    call_command("cargar_demo", stdout=io.StringIO())


def _conteos_completos():
    from constancias.models import Constancia
    from cursos.models import Asistencia, AvanceFase, Edicion, Inscripcion, SesionEnVivo
    from evaluaciones.models import CategoriaPregunta, Evaluacion, Intento, Pregunta, Respuesta

    modelos = (
        Evaluacion,
        CategoriaPregunta,
        Pregunta,
        Intento,
        Respuesta,
        Edicion,
        SesionEnVivo,
        Inscripcion,
        Asistencia,
        AvanceFase,
        Constancia,
    )
    return {m.__name__: m.objects.count() for m in modelos}


def _persona(correo):
    return Usuario.objects.get(email=correo)


def test_la_demo_muestra_cada_flujo_y_recargarla_no_duplica_y_recalcula_fechas(settings):
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from constancias.models import Constancia
    from cursos import services as cursos_services
    from cursos.demo import CODIGO_SESION_ABIERTA, SESION_ABIERTA
    from cursos.models import CursoPage, Edicion, FasePage, Inscripcion, SesionEnVivo
    from evaluaciones import selectors
    from evaluaciones.models import Evaluacion, Intento, Pregunta
    from evaluaciones.scoring import TIPOS_MANUALES
    from evaluaciones.selectors import EstadoParticipante

    _cargar(settings)
    primera = _conteos_completos()
    curso = CursoPage.objects.get()
    teorica = FasePage.objects.child_of(curso).get(slug="fase-teorica")
    practica = FasePage.objects.child_of(curso).get(slug="fase-practica")

    # An evaluation with every question type on the theoretical phase, owned by the course.
    evaluacion = teorica.evaluacion
    assert evaluacion.curso_id == curso.pk
    assert evaluacion.publicada
    preguntas = [s.pregunta for s in evaluacion.secciones.select_related("pregunta")]
    assert {p.tipo for p in preguntas} == set(Pregunta.Tipo.values)
    for pregunta in preguntas:
        assert pregunta.categoria.curso_id == curso.pk
        assert pregunta.latest_revision_id is not None
        opciones = list(pregunta.opciones.all())
        criterios = sum(c.puntos for c in pregunta.criterios.all())
        if pregunta.tipo in TIPOS_MANUALES:
            assert criterios == pregunta.puntos
        if pregunta.tipo in (Pregunta.Tipo.OPCION_UNICA, Pregunta.Tipo.OPCION_MULTIPLE):
            assert len(opciones) >= 2
            assert any(o.correcta for o in opciones)
        if pregunta.tipo == Pregunta.Tipo.RELACIONAR:
            assert sum(1 for o in opciones if o.texto and o.pareja) >= 2
    # Answered right, every automatic question scores its full points (the keys are sound).
    lucia = Intento.objects.get(evaluacion=evaluacion, usuario__email="lucia.hernandez@demo.mx")
    items = {i["clave"]: i for i in lucia.instantanea["preguntas"]}
    automaticas = [
        r for r in lucia.respuestas.all() if items[r.clave]["tipo"] not in TIPOS_MANUALES
    ]
    assert len(automaticas) == len(Pregunta.Tipo.values) - len(TIPOS_MANUALES)
    for respuesta in automaticas:
        assert respuesta.puntos == Decimal(items[respuesta.clave]["puntos"])
    assert lucia.porcentaje == Decimal("95.00")

    # A practical deliverable waits for the demo instructor's grade.
    assert practica.actividad_practica.curso_id == curso.pk
    instructora = _persona("instructora@demo.mx")
    pendientes = list(selectors.respuestas_por_calificar(instructora))
    assert [(r.intento.usuario.email, r.intento.evaluacion_id) for r in pendientes] == [
        ("mario.lopez@demo.mx", practica.actividad_practica_id)
    ]
    assert pendientes[0].archivo.read().startswith(b"%PDF-")

    # A live session is open now, and its check-in works now.
    sesion = SesionEnVivo.objects.get(titulo=SESION_ABIERTA)
    assert sesion.registro_abierto()
    cursos_services.registrar_asistencia(
        sesion=sesion, usuario=_persona("participante@demo.mx"), codigo=CODIGO_SESION_ABIERTA
    )

    # One participant part-way, one finished with a constancia; each state shows in the list.
    ahora = timezone.now()
    estados = {
        correo: [f.estado for f in selectors.evaluaciones_propias(_persona(correo), ahora=ahora)]
        for correo in (
            "participante@demo.mx",
            "pedro.santiago@demo.mx",
            "mario.lopez@demo.mx",
            "lucia.hernandez@demo.mx",
        )
    }
    assert estados == {
        "participante@demo.mx": [EstadoParticipante.EN_CURSO, EstadoParticipante.SIN_INICIAR],
        "pedro.santiago@demo.mx": [
            EstadoParticipante.NO_APROBADA,
            EstadoParticipante.SIN_INICIAR,
        ],
        "mario.lopez@demo.mx": [EstadoParticipante.APROBADA, EstadoParticipante.POR_CALIFICAR],
        "lucia.hernandez@demo.mx": [EstadoParticipante.APROBADA, EstadoParticipante.APROBADA],
    }
    jose = Inscripcion.objects.get(usuario__email="participante@demo.mx")
    assert jose.completada_en is None
    assert jose.lecciones_completadas.exists()
    lucia_inscripcion = Inscripcion.objects.get(usuario__email="lucia.hernandez@demo.mx")
    assert lucia_inscripcion.completada_en is not None
    assert Constancia.objects.filter(inscripcion=lucia_inscripcion).exists()
    assert not Constancia.objects.filter(inscripcion=jose).exists()
    # The stored progress is what the facts derive (one truth per fact).
    assert cursos_services.recalcular_avances(inscripciones=Inscripcion.objects.all()) == 0

    # A week later, loading again moves the dates and duplicates nothing.
    atras = datetime.timedelta(days=7)
    for edicion in Edicion.objects.all():
        edicion.fecha_inicio -= atras
        edicion.fecha_fin -= atras
        edicion.inscripcion_abre -= atras
        edicion.inscripcion_cierra -= atras
        edicion.save()
    for sesion_vieja in SesionEnVivo.objects.all():
        sesion_vieja.inicio -= atras
        sesion_vieja.save()
    Evaluacion.objects.update(cierra_en=ahora - atras)
    _cargar(settings)
    segunda = _conteos_completos()
    assert segunda == {**primera, "Asistencia": primera["Asistencia"] + 1}
    assert SesionEnVivo.objects.get(titulo=SESION_ABIERTA).registro_abierto()
    nacional = Edicion.objects.get(nombre="Edición nacional 2026")
    assert nacional.fecha_inicio == timezone.localdate() - datetime.timedelta(days=20)
    evaluacion.refresh_from_db()
    assert evaluacion.cierra_en > timezone.now()
    en_curso = Intento.objects.get(estado=Intento.Estado.EN_CURSO)
    assert en_curso.vence_en == evaluacion.cierra_en


def test_tras_iniciar_sesion_la_persona_participante_llega_a_mis_cursos(client, settings):
    from lms.demo import CONTRASENA_DEMO

    _cargar(settings)
    for correo, destino in (
        ("participante@demo.mx", "/cursos/mis-cursos/"),
        ("instructora@demo.mx", "/"),
        ("coordinacion.jalisco@demo.mx", "/"),
    ):
        respuesta = client.post("/cuentas/login/", {"login": correo, "password": CONTRASENA_DEMO})
        assert respuesta.status_code == 302
        assert respuesta["Location"] == destino, correo
        client.post("/cuentas/logout/")
    # An explicit destination still wins.
    respuesta = client.post(
        "/cuentas/login/?next=/evaluaciones/",
        {"login": "participante@demo.mx", "password": CONTRASENA_DEMO},
    )
    assert respuesta["Location"] == "/evaluaciones/"
