"""The manifestación de interés end to end through the views, and the national view."""

from __future__ import annotations

import datetime

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cursos import importacion, manifestaciones, services, services_manifestaciones
from cursos.models import DecisionManifestacion, Inscripcion, ManifestacionInteres
from cursos.services_manifestaciones import DatosManifestacion, ManifestacionError
from lms import services as servicios_lms
from lms.models import Rol, Usuario
from tests.factories import (
    CursoPageFactory,
    EdicionFactory,
    InscripcionFactory,
    OrganoGaranteFactory,
    ProgramaPageFactory,
    SujetoObligadoFactory,
    UsuarioFactory,
)
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db

Estado = ManifestacionInteres.Estado


def _con_rol(rol: str, clave: str | None = None, **datos):
    persona = UsuarioFactory(**datos)
    servicios_lms.asignar_rol(
        usuario=persona, rol=rol, entidad_id=entidad(clave).pk if clave else None
    )
    persona.refresh_from_db()
    return persona


@pytest.fixture
def jal():
    return entidad("14")


@pytest.fixture
def cdmx():
    return entidad("09")


@pytest.fixture
def padron_jal(jal):
    """Jalisco's padrón: two active obligated subjects (an inactive one does not count)."""
    garante = OrganoGaranteFactory(entidad=jal, nombre="ITEI")
    activos = [
        SujetoObligadoFactory(entidad=jal, organo_garante=garante, nombre="Secretaría de Salud"),
        SujetoObligadoFactory(entidad=jal, organo_garante=garante, nombre="Congreso de Jalisco"),
    ]
    SujetoObligadoFactory(entidad=jal, organo_garante=garante, nombre="Extinto", activa=False)
    return activos


@pytest.fixture
def sujeto_cdmx(cdmx):
    return SujetoObligadoFactory(entidad=cdmx, nombre="Alcaldía Coyoacán")


@pytest.fixture
def programa(db):
    return ProgramaPageFactory(title="Campaña nacional", requiere_manifestacion=True)


@pytest.fixture
def edicion(programa):
    curso = CursoPageFactory(parent=programa, title="Transparencia proactiva")
    return EdicionFactory(curso=curso, nombre="Grupo 2026")


@pytest.fixture
def coord_jal(padron_jal):
    return _con_rol(Rol.COORDINADOR_ESTATAL, "14", organizacion=padron_jal[0])


@pytest.fixture
def coord_cdmx(sujeto_cdmx):
    return _con_rol(Rol.COORDINADOR_ESTATAL, "09", organizacion=sujeto_cdmx)


@pytest.fixture
def nacional(sujeto_cdmx):
    return _con_rol(Rol.COORDINADOR_NACIONAL, organizacion=sujeto_cdmx)


def _cliente(usuario) -> Client:
    cliente = Client()
    cliente.force_login(usuario)
    return cliente


def _datos(programa, anio, **cambios):
    datos = {
        "programa": programa.pk,
        "anio": anio,
        "meta_personas_teorica": 40,
        "meta_sujetos_teorica": 2,
        "meta_personas_practica": 20,
        "meta_sujetos_practica": 1,
        "fecha_inicio_preferida": "2026-03-01",
        "fecha_fin_preferida": "2026-06-30",
        "observaciones": "",
        "contactos-TOTAL_FORMS": "2",
        "contactos-INITIAL_FORMS": "0",
        "contactos-MIN_NUM_FORMS": "1",
        "contactos-MAX_NUM_FORMS": "5",
        "contactos-0-nombre": "Lucía Robles",
        "contactos-0-cargo": "Directora de capacitación",
        "contactos-0-correo": "lucia.robles@itei.org.mx",
        "contactos-0-telefono": "33 1234 5678",
    }
    datos.update(cambios)
    return datos


def _crear(cliente, programa, anio, **cambios):
    return cliente.post(reverse("cursos:manifestacion_nueva"), _datos(programa, anio, **cambios))


def _texto(respuesta) -> str:
    return respuesta.content.decode()


def test_flujo_completo_abre_la_inscripcion_solo_a_su_entidad(
    programa, edicion, padron_jal, coord_jal, nacional, sujeto_cdmx
):
    anio = edicion.fecha_inicio.year
    persona_jal = UsuarioFactory(organizacion=padron_jal[1])
    persona_cdmx = UsuarioFactory(organizacion=sujeto_cdmx)
    assert services.motivo_no_elegible(edicion=edicion, usuario=persona_jal)
    cerrada = _cliente(persona_jal).post(
        reverse("cursos:inscribirme", args=[edicion.pk]), follow=True
    )
    assert "manifestación de interés" in _texto(cerrada)
    assert not Inscripcion.objects.filter(usuario=persona_jal).exists()

    estatal = _cliente(coord_jal)
    assert estatal.get(reverse("cursos:manifestacion_nueva")).status_code == 200
    respuesta = _crear(
        estatal, programa, anio, sujetos_obligados=[padron_jal[0].pk, padron_jal[1].pk]
    )
    m = ManifestacionInteres.objects.get()
    assert respuesta.status_code == 302
    assert respuesta["Location"] == reverse("cursos:manifestacion", args=[m.pk])
    assert (m.estado, m.entidad.clave_inegi, m.anio) == (Estado.BORRADOR, "14", anio)
    assert m.organo_garante.nombre == "ITEI"
    assert list(m.contactos.values_list("correo", flat=True)) == ["lucia.robles@itei.org.mx"]
    assert set(m.sujetos_obligados.all()) == set(padron_jal)

    enviar = reverse("cursos:manifestacion_enviar", args=[m.pk])
    estatal.post(enviar)
    estatal.post(enviar)  # a double click sends once
    m.refresh_from_db()
    assert m.estado == Estado.ENVIADA
    assert m.historial.filter(accion=DecisionManifestacion.Accion.ENVIADA).count() == 1
    # Once sent, the state no longer edits it.
    editar = reverse("cursos:manifestacion_editar", args=[m.pk])
    assert estatal.get(editar)["Location"] == reverse("cursos:manifestacion", args=[m.pk])

    nal = _cliente(nacional)
    decidir = reverse("cursos:manifestacion_decidir", args=[m.pk])
    alterada = nal.post(decidir, {"decision": "borrar"})
    assert alterada.status_code == 400
    assert "Elija si acepta la manifestación o pide cambios." in _texto(alterada)
    sin_comentario = nal.post(decidir, {"decision": "cambios", "comentario": " "})
    assert sin_comentario.status_code == 400
    assert "Explique qué cambios necesita" in _texto(sin_comentario)
    nal.post(decidir, {"decision": "cambios", "comentario": "Suba la meta de la fase práctica."})
    m.refresh_from_db()
    assert m.estado == Estado.CAMBIOS_SOLICITADOS
    assert "Suba la meta de la fase práctica." in _texto(
        estatal.get(reverse("cursos:manifestacion", args=[m.pk]))
    )
    assert services.motivo_no_elegible(edicion=edicion, usuario=persona_jal) is not None

    cambios = _datos(
        programa, anio, meta_personas_practica=30, sujetos_obligados=[padron_jal[0].pk]
    )
    cambios["contactos-INITIAL_FORMS"] = "1"
    assert estatal.post(editar, cambios).status_code == 302
    estatal.post(enviar)
    m.refresh_from_db()
    assert (m.estado, m.meta_personas_practica) == (Estado.ENVIADA, 30)
    assert list(m.sujetos_obligados.all()) == [padron_jal[0]]

    nal.post(decidir, {"decision": "aceptar"})
    nal.post(decidir, {"decision": "aceptar"})
    m.refresh_from_db()
    assert m.estado == Estado.ACEPTADA
    assert [paso.accion for paso in m.historial.all()] == [
        "enviada",
        "cambios_solicitados",
        "enviada",
        "aceptada",
    ]
    assert m.historial.last().usuario == nacional

    # Enrolment is open for Jalisco, and only for Jalisco.
    assert services.motivo_no_elegible(edicion=edicion, usuario=persona_jal) is None
    _cliente(persona_jal).post(reverse("cursos:inscribirme", args=[edicion.pk]))
    assert Inscripcion.objects.filter(usuario=persona_jal, edicion=edicion).exists()
    assert services.motivo_no_elegible(edicion=edicion, usuario=persona_cdmx)
    _cliente(persona_cdmx).post(reverse("cursos:inscribirme", args=[edicion.pk]))
    assert not Inscripcion.objects.filter(usuario=persona_cdmx).exists()
    # Another year's editions of the same programme stay closed.
    siguiente = EdicionFactory(
        curso=edicion.curso,
        fecha_inicio=edicion.fecha_inicio.replace(year=anio + 1),
        fecha_fin=edicion.fecha_inicio.replace(year=anio + 1) + datetime.timedelta(days=30),
    )
    assert services.motivo_no_elegible(edicion=siguiente, usuario=persona_jal)


def test_un_programa_que_no_la_requiere_no_cambia_la_inscripcion(padron_jal):
    edicion = EdicionFactory(curso=CursoPageFactory())
    persona = UsuarioFactory(organizacion=padron_jal[0])
    assert services.motivo_no_elegible(edicion=edicion, usuario=persona) is None
    assert manifestaciones.entidades_abiertas(edicion) is None


def test_segunda_manifestacion_de_la_entidad_se_rechaza_y_enlaza_la_existente(
    programa, coord_jal, jal
):
    estatal = _cliente(coord_jal)
    _crear(estatal, programa, 2026)
    primera = ManifestacionInteres.objects.get()
    respuesta = _crear(estatal, programa, 2026, meta_personas_teorica=99)
    assert respuesta.status_code == 400
    assert "Jalisco ya tiene una manifestación de interés para Campaña nacional 2026" in _texto(
        respuesta
    )
    assert reverse("cursos:manifestacion", args=[primera.pk]) in _texto(respuesta)
    assert ManifestacionInteres.objects.count() == 1
    primera.refresh_from_db()
    assert primera.meta_personas_teorica == 40  # nothing lost, nothing overwritten
    # Another year is another edition of the programme.
    assert _crear(estatal, programa, 2027).status_code == 302
    assert ManifestacionInteres.objects.count() == 2


def test_dos_creaciones_simultaneas_dejan_una_y_la_segunda_recibe_el_mismo_mensaje(
    programa, coord_jal, jal, monkeypatch
):
    """The check before the insert can pass for both; the unique constraint decides."""
    services_manifestaciones.crear_manifestacion(
        usuario=coord_jal, programa=programa, anio=2026, entidad=jal, datos=DatosManifestacion()
    )
    real = services_manifestaciones.existente
    llamadas = []

    def tarde(**kwargs):
        llamadas.append(kwargs)
        return None if len(llamadas) == 1 else real(**kwargs)

    monkeypatch.setattr(services_manifestaciones, "existente", tarde)
    with pytest.raises(ManifestacionError) as error:
        services_manifestaciones.crear_manifestacion(
            usuario=coord_jal,
            programa=programa,
            anio=2026,
            entidad=jal,
            datos=DatosManifestacion(),
        )
    assert error.value.code == "duplicada"
    assert len(llamadas) == 2
    assert ManifestacionInteres.objects.count() == 1


@pytest.mark.parametrize(
    ("campo", "valor", "mensaje"),
    [
        ("meta_personas_teorica", "-1", "La meta no puede ser negativa."),
        ("meta_sujetos_teorica", "-3", "La meta no puede ser negativa."),
        ("meta_sujetos_teorica", "3", "La meta supera el padrón de Jalisco: tiene 2 sujetos"),
        ("meta_personas_teorica", "diez", "Escriba un número entero."),
        ("meta_personas_practica", "41", "no puede ser mayor que la de la fase teórica"),
        ("fecha_fin_preferida", "2026-01-01", "La fecha final no puede ser anterior"),
        ("contactos-0-correo", "no-es-correo", "Escriba un correo electrónico válido."),
        ("contactos-TOTAL_FORMS", "x", "Registre al menos una persona de contacto."),
    ],
)
def test_metas_invalidas_se_rechazan_con_mensaje(programa, coord_jal, campo, valor, mensaje):
    respuesta = _crear(_cliente(coord_jal), programa, 2026, **{campo: valor})
    assert respuesta.status_code == 400
    assert mensaje in _texto(respuesta)
    assert not ManifestacionInteres.objects.exists()


def test_sin_persona_de_contacto_no_se_guarda(programa, coord_jal):
    sin_contacto = {f"contactos-0-{c}": "" for c in ("nombre", "cargo", "correo", "telefono")}
    respuesta = _crear(_cliente(coord_jal), programa, 2026, **sin_contacto)
    assert respuesta.status_code == 400
    assert "Registre al menos una persona de contacto." in _texto(respuesta)
    assert not ManifestacionInteres.objects.exists()


def test_el_servicio_rechaza_metas_sobre_el_padron(programa, coord_jal, jal):
    with pytest.raises(ManifestacionError) as error:
        services_manifestaciones.crear_manifestacion(
            usuario=coord_jal,
            programa=programa,
            anio=2026,
            entidad=jal,
            datos=DatosManifestacion(meta_sujetos_teorica=3, meta_personas_teorica=-1),
        )
    assert set(error.value.message_dict) == {"meta_sujetos_teorica", "meta_personas_teorica"}
    assert not ManifestacionInteres.objects.exists()


def test_ids_alterados_se_rechazan(programa, coord_jal, coord_cdmx, sujeto_cdmx, cdmx):
    estatal = _cliente(coord_jal)
    ajeno = _crear(estatal, programa, 2026, sujetos_obligados=[sujeto_cdmx.pk])
    assert ajeno.status_code == 400
    assert "Elija solo sujetos obligados de Jalisco." in _texto(ajeno)
    otra_entidad = estatal.get(reverse("cursos:manifestacion_nueva") + f"?entidad={cdmx.pk}")
    assert otra_entidad.status_code == 400
    assert "Elija una entidad de las que usted coordina." in _texto(otra_entidad)
    estatal.post(
        reverse("cursos:manifestacion_nueva") + f"?entidad={cdmx.pk}", _datos(programa, 2026)
    )
    assert not ManifestacionInteres.objects.exists()

    # CDMX's manifestación is not Jalisco's coordinator's to read, edit or send.
    _crear(_cliente(coord_cdmx), programa, 2026, meta_sujetos_teorica=1)
    de_cdmx = ManifestacionInteres.objects.get(entidad=cdmx)
    for nombre in ("cursos:manifestacion", "cursos:manifestacion_editar"):
        assert estatal.get(reverse(nombre, args=[de_cdmx.pk])).status_code == 404
    for nombre in ("cursos:manifestacion_editar", "cursos:manifestacion_enviar"):
        url = reverse(nombre, args=[de_cdmx.pk])
        assert estatal.post(url, _datos(programa, 2026, meta_personas_teorica=1)).status_code == 404
    de_cdmx.refresh_from_db()
    assert (de_cdmx.estado, de_cdmx.meta_personas_teorica) == (Estado.BORRADOR, 40)


def test_alcance_de_listas_y_decisiones(programa, coord_jal, coord_cdmx, nacional, padron_jal):
    _crear(_cliente(coord_jal), programa, 2026)
    _crear(_cliente(coord_cdmx), programa, 2026, meta_sujetos_teorica=1)
    de_jal = ManifestacionInteres.objects.get(entidad__clave_inegi="14")
    services_manifestaciones.enviar_manifestacion(usuario=coord_jal, manifestacion=de_jal)

    lista = _texto(_cliente(coord_jal).get(reverse("cursos:manifestaciones")))
    assert "Jalisco" in lista
    assert "Ciudad de México" not in lista
    nal = _texto(_cliente(nacional).get(reverse("cursos:manifestaciones")))
    assert "Jalisco" in nal
    assert "Ciudad de México" in nal

    # Whoever coordinates several states first chooses one; its padrón is then offered.
    eleccion = _cliente(nacional).get(reverse("cursos:manifestacion_nueva"))
    assert "¿Para qué entidad federativa es la manifestación?" in _texto(eleccion)
    formulario = _cliente(nacional).get(
        reverse("cursos:manifestacion_nueva") + f"?entidad={de_jal.entidad_id}"
    )
    assert "Secretaría de Salud" in _texto(formulario)
    assert "Extinto" not in _texto(formulario)

    participante = _cliente(UsuarioFactory(organizacion=padron_jal[0]))
    for url in (
        reverse("cursos:manifestaciones"),
        reverse("cursos:manifestacion_nueva"),
        reverse("cursos:compromisos"),
        reverse("cursos:manifestacion", args=[de_jal.pk]),
    ):
        assert participante.get(url).status_code == 404

    # A state coordinator does not decide, not even on its own state's manifestación.
    decidir = reverse("cursos:manifestacion_decidir", args=[de_jal.pk])
    assert _cliente(coord_jal).post(decidir, {"decision": "aceptar"}).status_code == 404
    assert _cliente(coord_cdmx).post(decidir, {"decision": "aceptar"}).status_code == 404
    de_jal.refresh_from_db()
    assert de_jal.estado == Estado.ENVIADA
    # Nor can anyone accept a draft that was never sent.
    de_cdmx = ManifestacionInteres.objects.get(entidad__clave_inegi="09")
    with pytest.raises(ManifestacionError):
        services_manifestaciones.decidir_manifestacion(
            usuario=nacional, manifestacion=de_cdmx, aceptar=True
        )


def test_vista_nacional_compara_metas_con_inscritas_y_acreditadas(
    programa, edicion, padron_jal, sujeto_cdmx, coord_jal, nacional, jal
):
    anio = edicion.fecha_inicio.year
    m = ManifestacionInteres.objects.create(
        programa=programa,
        anio=anio,
        entidad=jal,
        estado=Estado.ACEPTADA,
        meta_personas_teorica=10,
        meta_personas_practica=4,
        meta_sujetos_teorica=2,
    )
    otro_curso = EdicionFactory(curso=CursoPageFactory(parent=programa))
    ana, beto = (UsuarioFactory(organizacion=padron_jal[0]) for _ in range(2))
    InscripcionFactory(edicion=edicion, usuario=ana, completada_en=timezone.now())
    InscripcionFactory(edicion=otro_curso, usuario=ana)  # one person, two courses: once
    InscripcionFactory(edicion=edicion, usuario=beto)
    retirada = InscripcionFactory(
        edicion=edicion, usuario=UsuarioFactory(organizacion=padron_jal[1])
    )
    Inscripcion.objects.filter(pk=retirada.pk).update(
        estado=Inscripcion.Estado.RETIRADA, retirada_en=timezone.now()
    )
    InscripcionFactory(edicion=edicion, usuario=UsuarioFactory(organizacion=sujeto_cdmx))
    fuera = EdicionFactory(curso=CursoPageFactory())  # another programme does not count
    InscripcionFactory(edicion=fuera, usuario=UsuarioFactory(organizacion=padron_jal[0]))

    url = reverse("cursos:compromisos") + f"?programa={programa.pk}&anio={anio}"
    respuesta = _cliente(nacional).get(url)
    assert respuesta.status_code == 200
    filas = {f.clave: f for f in respuesta.context["datos"].filas}
    assert len(filas) == 32
    jalisco = filas["14"]
    assert jalisco.manifestacion == m
    assert (jalisco.meta_inscritas, jalisco.inscritas, jalisco.porcentaje_inscritas) == (10, 2, 20)
    assert (jalisco.meta_acreditadas, jalisco.acreditadas, jalisco.porcentaje_acreditadas) == (
        4,
        1,
        25,
    )
    assert (jalisco.meta_sujetos, jalisco.sujetos_con_inscritas, jalisco.padron) == (2, 1, 2)
    assert (filas["09"].manifestacion, filas["09"].inscritas) == (None, 1)
    assert [g["id"] for g in respuesta.context["mapas"]] == ["mapa-inscritas", "mapa-acreditadas"]
    assert "Jalisco: 20 % de la meta de 10" in _texto(respuesta)

    # A state coordinator sees its own state only, and no map of one tile.
    estatal = _cliente(coord_jal).get(url)
    assert [f.clave for f in estatal.context["datos"].filas] == ["14"]
    assert estatal.context["mapas"] == []

    invalida = _cliente(nacional).get(reverse("cursos:compromisos") + "?programa=x&anio=-5")
    assert invalida.status_code == 400
    assert "El programa elegido no existe." in _texto(invalida)


def _consultas(cliente, url) -> int:
    with CaptureQueriesContext(connection) as capturadas:
        assert cliente.get(url).status_code == 200
    return len(capturadas)


def test_consultas_de_lista_y_vista_nacional_no_crecen_con_las_filas(
    programa, edicion, nacional, django_assert_max_num_queries
):
    anio = edicion.fecha_inicio.year
    cliente = _cliente(nacional)
    lista = reverse("cursos:manifestaciones")
    vista = reverse("cursos:compromisos") + f"?programa={programa.pk}&anio={anio}"

    def poblar(claves):
        for clave in claves:
            estado = entidad(clave)
            organizacion = SujetoObligadoFactory(entidad=estado)
            ManifestacionInteres.objects.create(
                programa=programa, anio=anio, entidad=estado, meta_personas_teorica=5
            )
            for _ in range(3):
                InscripcionFactory(
                    edicion=edicion, usuario=UsuarioFactory(organizacion=organizacion)
                )

    poblar(["01", "02"])
    # The first requests of a session read more (session, settings, content types).
    cliente.get(lista)
    cliente.get(vista)
    pocas = (_consultas(cliente, lista), _consultas(cliente, vista))
    poblar(["03", "04", "05", "06", "07", "08"])
    muchas = (_consultas(cliente, lista), _consultas(cliente, vista))
    assert muchas == pocas
    # Five of the view's own (programme, states, manifestaciones, padrones, enrolments);
    # the rest are the session, the scope, the audit entry and the base template.
    with django_assert_max_num_queries(20):
        cliente.get(vista)
    with django_assert_max_num_queries(10):
        cliente.get(lista)


def test_carga_masiva_rechaza_las_filas_de_entidades_sin_manifestacion_aceptada(
    programa, edicion, padron_jal, sujeto_cdmx, nacional, jal
):
    assert manifestaciones.entidades_abiertas(edicion) == frozenset()
    ManifestacionInteres.objects.create(
        programa=programa, anio=edicion.fecha_inicio.year, entidad=jal, estado=Estado.ACEPTADA
    )
    assert manifestaciones.entidades_abiertas(edicion) == {jal.pk}
    de_jal = UsuarioFactory(organizacion=padron_jal[0])
    de_cdmx = UsuarioFactory(organizacion=sujeto_cdmx)
    texto = f"correo,nombre,apellidos,cargo,organizacion,entidad\n{de_jal.email},,,,,\n"
    texto += f"{de_cdmx.email},,,,,\n"
    filas = importacion.leer_inscripciones("personas.csv", texto.encode())
    contexto = importacion.cargar_contexto(
        edicion=edicion, coordinador=nacional, correos=[f.datos["correo"] for f in filas]
    )
    fila_jal, fila_cdmx = importacion.revisar_inscripciones(filas, contexto=contexto)
    assert fila_jal.estado == importacion.INSCRIBIR
    assert fila_cdmx.estado == importacion.RECHAZADA
    assert "manifestación de interés" in fila_cdmx.motivo


def test_la_demo_trae_una_manifestacion_aceptada_y_una_pendiente(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("cargar_demo")
    call_command("cargar_demo")
    estados = dict(ManifestacionInteres.objects.values_list("entidad__clave_inegi", "estado"))
    assert estados == {"14": Estado.ACEPTADA, "09": Estado.ENVIADA}
    jalisco = ManifestacionInteres.objects.get(entidad__clave_inegi="14")
    assert [p.accion for p in jalisco.historial.all()] == ["enviada", "aceptada"]
    assert jalisco.contactos.count() == 1
    nacional = Client()
    nacional.force_login(Usuario.objects.get(email="coordinacion.nacional@demo.mx"))
    respuesta = nacional.get(
        reverse("cursos:compromisos") + f"?programa={jalisco.programa_id}&anio={jalisco.anio}"
    )
    assert respuesta.status_code == 200
    filas = {f.clave: f for f in respuesta.context["datos"].filas}
    assert filas["14"].manifestacion == jalisco


def test_cada_paso_avisa_por_correo_a_quien_sigue(
    programa,
    edicion,
    padron_jal,
    coord_jal,
    coord_cdmx,
    nacional,
    monkeypatch,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    from cursos import tasks

    monkeypatch.setattr(
        tasks.notificar_manifestacion_task,
        "delay",
        lambda *args: tasks.notificar_manifestacion_task.apply(args=args),
    )
    anio = edicion.fecha_inicio.year
    estatal, nal = _cliente(coord_jal), _cliente(nacional)
    _crear(estatal, programa, anio, sujetos_obligados=[padron_jal[0].pk])
    m = ManifestacionInteres.objects.get()
    assert mailoutbox == []  # a draft tells no one
    enviar = reverse("cursos:manifestacion_enviar", args=[m.pk])
    with django_capture_on_commit_callbacks(execute=True):
        estatal.post(enviar)
    with django_capture_on_commit_callbacks(execute=True):
        estatal.post(enviar)  # a double click sends one notice
    assert [correo.to for correo in mailoutbox] == [[nacional.email]]
    aviso = mailoutbox[0]
    assert "Jalisco" in aviso.subject
    assert "enviada" in aviso.subject
    assert f"/cursos/coordinacion/manifestaciones/{m.pk}/" in aviso.body
    # The contacts' personal data stay on the platform.
    assert "lucia.robles@itei.org.mx" not in aviso.body
    assert "1234" not in aviso.body

    decidir = reverse("cursos:manifestacion_decidir", args=[m.pk])
    with django_capture_on_commit_callbacks(execute=True):
        nal.post(decidir, {"decision": "cambios", "comentario": "Suba la meta práctica."})
    # Only Jalisco's coordination hears of it, with the comment; Mexico City's does not.
    assert mailoutbox[1].to == [coord_jal.email]
    assert "Suba la meta práctica." in mailoutbox[1].body
    assert "cambios" in mailoutbox[1].subject
    with django_capture_on_commit_callbacks(execute=True):
        estatal.post(enviar)
    with django_capture_on_commit_callbacks(execute=True):
        nal.post(decidir, {"decision": "aceptar"})
    assert [correo.to for correo in mailoutbox[2:]] == [[nacional.email], [coord_jal.email]]
    assert "aceptó" in mailoutbox[3].body
    assert coord_cdmx.email not in {d for correo in mailoutbox for d in correo.to}


def test_sin_broker_el_paso_se_guarda_y_solo_se_pierde_el_aviso(
    programa, edicion, padron_jal, coord_jal, monkeypatch, django_capture_on_commit_callbacks
):
    from cursos import tasks

    def caido(*args):
        raise OSError("broker caído")

    monkeypatch.setattr(tasks.notificar_manifestacion_task, "delay", caido)
    estatal = _cliente(coord_jal)
    _crear(estatal, programa, edicion.fecha_inicio.year, sujetos_obligados=[padron_jal[0].pk])
    m = ManifestacionInteres.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = estatal.post(reverse("cursos:manifestacion_enviar", args=[m.pk]))
    assert respuesta.status_code == 302
    m.refresh_from_db()
    assert m.estado == Estado.ENVIADA
