"""Authoring in the Wagtail admin by an instructor: bank questions, evaluations, extras, regrade."""

import datetime
from decimal import Decimal

import pytest

from django.urls import reverse

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from evaluaciones import services
from evaluaciones.models import Evaluacion, Excepcion, Intento, Pregunta, Recalificacion
from lms import services as lms_services
from lms.models import Rol
from tests.factories import CategoriaPreguntaFactory, UsuarioFactory
from tests.factories.cursos import EdicionFactory, InscripcionFactory
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.factories.evaluaciones_cursos import curso_impartido, iniciar

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructor(client):
    usuario = UsuarioFactory()
    lms_services.asignar_rol(usuario=usuario, rol=Rol.INSTRUCTOR)
    client.force_login(usuario)
    return usuario


@pytest.fixture
def curso(instructor):
    """A course the instructor teaches: its bank is theirs to author."""
    return curso_impartido(instructor)


def _pregunta_post(categoria, opciones, tipo="opcion_unica", criterios=None, **extra):
    datos = {
        "titulo": "Plazo de respuesta",
        "tipo": tipo,
        "categoria": categoria.pk,
        "puntos": "2",
        "etiquetas": "plazos, solicitudes",
        "enunciado": rich_text("<p>¿Cuál es el plazo?</p>"),
        "tolerancia": "0",
        "longitud_maxima": "10000",
        "extensiones_permitidas": "pdf",
        "tamano_maximo_mb": "10",
        "retroalimentacion": "",
        "opciones": inline_formset(opciones),
        "criterios": inline_formset(criterios or []),
    }
    datos.update(extra)
    return nested_form_data(datos)


def _opcion(texto, correcta=False, pareja="", fraccion=""):
    return {
        "texto": texto,
        "correcta": "on" if correcta else "",
        "pareja": pareja,
        "fraccion": fraccion,
        "retroalimentacion": "",
    }


def test_instructor_ve_el_menu_y_los_listados(client, instructor):
    for nombre in ("evaluacion", "pregunta", "categoriapregunta", "excepcion"):
        url = reverse(f"wagtailsnippets_evaluaciones_{nombre}:list")
        assert client.get(url).status_code == 200, nombre
    assert client.get(reverse("wagtailsnippets_evaluaciones_pregunta:add")).status_code == 200


def test_participante_no_entra_a_la_autoria(client):
    client.force_login(UsuarioFactory())
    respuesta = client.get(reverse("wagtailsnippets_evaluaciones_pregunta:list"))
    assert respuesta.status_code in (302, 403)


def test_instructor_crea_pregunta_con_opciones_en_linea(client, instructor, curso):
    categoria = CategoriaPreguntaFactory(curso=curso)
    datos = _pregunta_post(
        categoria, [_opcion("Diez días", correcta=True), _opcion("Treinta días")]
    )
    respuesta = client.post(reverse("wagtailsnippets_evaluaciones_pregunta:add"), datos)
    assert respuesta.status_code == 302, respuesta.content.decode()[:3000]
    pregunta = Pregunta.objects.get()
    assert [o.texto for o in pregunta.opciones.all()] == ["Diez días", "Treinta días"]
    assert sorted(pregunta.etiquetas.names()) == ["plazos", "solicitudes"]
    assert pregunta.revisions.count() == 1


def test_instructor_define_rubrica_de_un_ensayo(client, instructor, curso):
    datos = _pregunta_post(
        CategoriaPreguntaFactory(curso=curso),
        [],
        tipo="ensayo",
        criterios=[
            {"descripcion": "Claridad", "puntos": "1"},
            {"descripcion": "Fundamentación", "puntos": "1"},
        ],
    )
    respuesta = client.post(reverse("wagtailsnippets_evaluaciones_pregunta:add"), datos)
    assert respuesta.status_code == 302, respuesta.content.decode()[:3000]
    pregunta = Pregunta.objects.get()
    assert [c.descripcion for c in pregunta.criterios.all()] == ["Claridad", "Fundamentación"]


@pytest.mark.parametrize(
    ("tipo", "opciones", "extra", "mensaje"),
    [
        ("opcion_unica", [_opcion("A"), _opcion("B")], {}, "Marque al menos una opción correcta"),
        ("opcion_multiple", [_opcion("A", True)], {}, "al menos dos opciones"),
        ("verdadero_falso", [], {}, "verdadera o falsa"),
        ("numerica", [], {}, "al menos un valor aceptado"),
        ("numerica", [_opcion("tres")], {}, "No lo son: «tres»"),
        ("numerica", [_opcion("3", fraccion="50")], {}, "Una de las respuestas debe valer 100 %"),
        ("respuesta_corta", [_opcion("INAI", fraccion="50")], {}, "debe valer 100 %"),
        ("relacionar", [_opcion("A", pareja="1")], {}, "premisa y pareja"),
        ("respuesta_corta", [], {}, "respuesta aceptada"),
        # Moodle refuses both: no option worth 100 %, positive credits adding to 80 %.
        (
            "opcion_unica",
            [_opcion("A", True, fraccion="50"), _opcion("B", fraccion="25")],
            {},
            "Una de las respuestas debe valer 100 %",
        ),
        (
            "opcion_multiple",
            [_opcion("A", True, fraccion="40"), _opcion("B", True, fraccion="40"), _opcion("C")],
            {},
            "deben sumar 100 %; suman 80 %",
        ),
        # Exact credits: three thirds written with two decimals are 100 %, not 99.99 %;
        # 33.3 three times is 99.9 %.
        (
            "opcion_multiple",
            [_opcion(t, True, fraccion="33.3") for t in "ABC"] + [_opcion("D")],
            {},
            "suman 99.9 %",
        ),
        (
            "opcion_multiple",
            [_opcion("A", True, fraccion="60"), _opcion("B", True, fraccion="40.5")],
            {},
            "suman 100.5 %",
        ),
    ],
)
def test_pregunta_incompleta_se_rechaza_con_mensaje(
    client, instructor, curso, tipo, opciones, extra, mensaje
):
    datos = _pregunta_post(CategoriaPreguntaFactory(curso=curso), opciones, tipo=tipo, **extra)
    respuesta = client.post(reverse("wagtailsnippets_evaluaciones_pregunta:add"), datos)
    assert respuesta.status_code == 200
    assert mensaje in respuesta.content.decode()
    assert not Pregunta.objects.exists()


@pytest.mark.parametrize(
    ("tipo", "opciones"),
    [
        ("opcion_unica", [_opcion("A", True), _opcion("B", fraccion="-25")]),
        ("opcion_unica", [_opcion("A", fraccion="100"), _opcion("B", fraccion="50")]),
        (
            "opcion_multiple",
            [_opcion(t, True, fraccion="33.33") for t in "ABC"] + [_opcion("D", fraccion="-50")],
        ),
        ("opcion_multiple", [_opcion("A", True), _opcion("B", True), _opcion("C")]),
    ],
)
def test_creditos_que_pueden_llegar_a_100_se_aceptan(client, instructor, curso, tipo, opciones):
    datos = _pregunta_post(CategoriaPreguntaFactory(curso=curso), opciones, tipo=tipo)
    respuesta = client.post(reverse("wagtailsnippets_evaluaciones_pregunta:add"), datos)
    assert respuesta.status_code == 302, respuesta.content.decode()[:3000]
    assert Pregunta.objects.count() == 1


def test_instructor_crea_evaluacion_con_pregunta_fija_y_seccion_aleatoria(
    client, instructor, curso
):
    categoria = CategoriaPreguntaFactory(curso=curso)
    pregunta = pregunta_con_opciones(categoria=CategoriaPreguntaFactory(curso=curso))
    for _ in range(3):
        pregunta_con_opciones(categoria=categoria)
    secciones = [
        {"pregunta": pregunta.pk, "categoria": "", "cantidad": "1"},
        {"pregunta": "", "categoria": categoria.pk, "cantidad": "3"},
    ]
    datos = nested_form_data(
        {
            "titulo": "Evaluación de la fase teórica",
            "curso": curso.pk,
            "descripcion": "",
            "publicada": "on",
            "abre_en": "",
            "cierra_en": "",
            "limite_minutos": "30",
            "intentos_permitidos": "2",
            "metodo_calificacion": "mas_alta",
            "puntaje_aprobatorio": "80",
            "barajar_opciones": "on",
            "revision_puntaje": "al_enviar",
            "revision_respuestas": "al_enviar",
            "revision_correctas": "al_cierre",
            "revision_retroalimentacion": "nunca",
            "secciones": inline_formset(secciones, min=1),
        }
    )
    respuesta = client.post(reverse("wagtailsnippets_evaluaciones_evaluacion:add"), datos)
    assert respuesta.status_code == 302, respuesta.content.decode()[:3000]
    evaluacion = Evaluacion.objects.get()
    assert evaluacion.curso_id == curso.pk
    assert [(s.pregunta_id, s.categoria_id, s.cantidad) for s in evaluacion.secciones.all()] == [
        (pregunta.pk, None, None),
        (None, categoria.pk, 3),
    ]
    # Asking for more random questions than the category holds is refused.
    secciones[1]["cantidad"] = "4"
    datos = nested_form_data({**datos, "secciones": inline_formset(secciones, min=1)})
    respuesta = client.post(reverse("wagtailsnippets_evaluaciones_evaluacion:add"), datos)
    assert respuesta.status_code == 200
    assert "tiene 3 preguntas disponibles y se piden 4" in respuesta.content.decode()
    # A row with both a question and a category is refused, not a database error.
    secciones[1]["pregunta"] = pregunta.pk
    datos = nested_form_data({**datos, "secciones": inline_formset(secciones, min=1)})
    respuesta = client.post(reverse("wagtailsnippets_evaluaciones_evaluacion:add"), datos)
    assert respuesta.status_code == 200
    assert "no ambas" in respuesta.content.decode()


def test_excepcion_desde_la_administracion_extiende_el_intento_en_curso(client, instructor):
    evaluacion = evaluacion_con(pregunta_con_opciones(), limite_minutos=10)
    persona = UsuarioFactory(email="Persona.Inscrita@ejemplo.gob.mx")
    curso = curso_impartido(instructor, evaluacion)
    InscripcionFactory(edicion=EdicionFactory(curso=curso), usuario=persona)
    intento = iniciar(evaluacion, persona)
    vence = intento.vence_en
    respuesta = client.post(
        reverse("wagtailsnippets_evaluaciones_excepcion:add"),
        {
            "evaluacion": evaluacion.pk,
            "usuario": " persona.inscrita@ejemplo.gob.mx ",
            "minutos_extra": "20",
            "intentos_extra": "0",
            "cierra_en": "",
            "motivo": "Ajuste razonable",
        },
    )
    assert respuesta.status_code == 302, respuesta.context["form"].errors
    excepcion = Excepcion.objects.get()
    assert excepcion.otorgada_por == instructor
    intento.refresh_from_db()
    assert intento.vence_en == vence + datetime.timedelta(minutes=20)


def test_excepciones_solo_de_evaluaciones_y_personas_a_cargo_del_instructor(client, instructor):
    propia = evaluacion_con(pregunta_con_opciones())
    ajena = evaluacion_con(pregunta_con_opciones())
    curso = curso_impartido(instructor, propia)
    inscrita = InscripcionFactory(edicion=EdicionFactory(curso=curso)).usuario
    extrana = UsuarioFactory()
    de_otro = Excepcion.objects.create(evaluacion=ajena, usuario=extrana, minutos_extra=5)
    url = reverse("wagtailsnippets_evaluaciones_excepcion:add")

    con_ajena = client.post(
        url,
        {
            "evaluacion": ajena.pk,
            "usuario": inscrita.email,
            "minutos_extra": "5",
            "intentos_extra": "0",
        },
    )
    con_extrana = client.post(
        url,
        {
            "evaluacion": propia.pk,
            "usuario": extrana.email,
            "minutos_extra": "5",
            "intentos_extra": "0",
        },
    )
    listado = client.get(reverse("wagtailsnippets_evaluaciones_excepcion:list"))
    edicion = client.get(reverse("wagtailsnippets_evaluaciones_excepcion:edit", args=[de_otro.pk]))

    assert con_ajena.status_code == 200
    assert "No hay ninguna persona a su cargo" in con_extrana.content.decode()
    assert extrana.last_name not in listado.content.decode()
    assert edicion.status_code == 404
    assert Excepcion.objects.count() == 1


def test_editar_excepcion_muestra_el_correo_y_se_guarda(client, instructor):
    evaluacion = evaluacion_con(pregunta_con_opciones())
    curso = curso_impartido(instructor, evaluacion)
    persona = InscripcionFactory(edicion=EdicionFactory(curso=curso)).usuario
    excepcion = Excepcion.objects.create(evaluacion=evaluacion, usuario=persona, minutos_extra=5)
    url = reverse("wagtailsnippets_evaluaciones_excepcion:edit", args=[excepcion.pk])

    formulario = client.get(url).content.decode()
    respuesta = client.post(
        url,
        {
            "evaluacion": evaluacion.pk,
            "usuario": persona.email,
            "minutos_extra": "15",
            "intentos_extra": "1",
        },
    )

    assert f'value="{persona.email}"' in formulario
    assert respuesta.status_code == 302
    excepcion.refresh_from_db()
    assert (excepcion.minutos_extra, excepcion.intentos_extra) == (15, 1)


def test_recalificar_desde_la_administracion(client, instructor):
    pregunta = pregunta_con_opciones(correctas=(True, False))
    evaluacion = evaluacion_con(pregunta)
    curso_impartido(instructor, evaluacion)
    persona = UsuarioFactory()
    intento = iniciar(evaluacion, persona)
    segunda = str(pregunta.opciones.order_by("sort_order")[1].pk)
    services.enviar_intento(
        intento_id=intento.pk, usuario=persona, datos={f"p-p{pregunta.pk}": [segunda]}
    )
    pregunta.opciones.update(correcta=True)
    url = reverse("evaluaciones_recalificar", args=[pregunta.pk])
    pagina = client.get(url)
    assert "1 intento enviado" in pagina.content.decode()
    respuesta = client.post(url, {"motivo": "Ambas son correctas"}, follow=True)
    assert "cambió la calificación de 1" in respuesta.content.decode()
    intento.refresh_from_db()
    assert intento.porcentaje == Decimal("100.00")
    assert Recalificacion.objects.get().realizada_por == instructor
    assert Intento.objects.count() == 1


def test_recalificar_requiere_permiso(client):
    client.force_login(UsuarioFactory())
    pregunta = pregunta_con_opciones()
    respuesta = client.post(reverse("evaluaciones_recalificar", args=[pregunta.pk]))
    assert respuesta.status_code in (302, 403)
    assert not Recalificacion.objects.exists()


def test_busqueda_en_el_banco_responde_y_encuentra_por_titulo(client, instructor, curso):
    # It was a 500 on SQLite ("no such column: titulo") when the listing named fields.
    pregunta = pregunta_con_opciones(categoria=CategoriaPreguntaFactory(curso=curso))
    pregunta.titulo = "Plazo de respuesta a solicitudes"
    pregunta.save()  # saving keeps the search index current
    for nombre in (
        "wagtailsnippets_evaluaciones_pregunta:list",
        "wagtailsnippetchoosers_evaluaciones_pregunta:choose_results",
    ):
        respuesta = client.get(reverse(nombre) + "?q=plazo")
        assert respuesta.status_code == 200, nombre
        assert "Plazo de respuesta a solicitudes" in respuesta.content.decode(), nombre
