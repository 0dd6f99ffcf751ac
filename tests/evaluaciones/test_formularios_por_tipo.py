"""One author form per question type, fixed and random rows of an evaluation, total points,
and the category tree in the Wagtail admin."""

import json
import random
import re
from decimal import Decimal

import pytest

from django.urls import reverse

from wagtail.test.utils.form_data import inline_formset, nested_form_data

from evaluaciones import autoria, selectors, services, tipos
from evaluaciones.models import CategoriaPregunta, Evaluacion, Pregunta
from lms import services as lms_services
from lms.models import Rol
from tests.evaluaciones.test_admin import _opcion, _pregunta_post
from tests.evaluaciones.test_calificacion import _entrar, _enviado
from tests.factories import CategoriaPreguntaFactory, UsuarioFactory
from tests.factories.cursos import CursoPageFactory
from tests.factories.evaluaciones import (
    EvaluacionFactory,
    PreguntaFactory,
    SeccionEvaluacionFactory,
    evaluacion_con,
    pregunta_con_opciones,
)
from tests.factories.evaluaciones_cursos import curso_impartido

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


AGREGAR = "wagtailsnippets_evaluaciones_pregunta:add"


def _editar(pregunta):
    return reverse("wagtailsnippets_evaluaciones_pregunta:edit", args=[pregunta.pk])


def _oculto(html, atributo, nombre):
    """Whether the wrapper marked `atributo="nombre"` is rendered hidden."""
    marca = re.search(rf"<[^>]*{atributo}=\"{nombre}\"[^>]*>", html)
    assert marca, f"{atributo}={nombre} no aparece"
    return re.search(r"\shidden(\s|>|=)", marca.group(0)) is not None


# --- One form per type ---------------------------------------------------------------


def test_opcion_unica_guarda_solo_sus_campos(client, instructor, curso):
    """What a single-choice question does not use is not stored, whatever was posted."""
    opciones = [
        {**_opcion("Diez días", correcta=True), "tolerancia": "2", "pareja": "x"},
        {**_opcion("Treinta días"), "tolerancia": "1"},
    ]
    datos = _pregunta_post(
        CategoriaPreguntaFactory(curso=curso),
        opciones,
        criterios=[{"descripcion": "Claridad", "puntos": "1"}],
        es_verdadera="true",
        retroalimentacion_verdadero="bien",
        distinguir_mayusculas="on",
        ignorar_acentos="on",
        notas_para_calificar="Notas",
        plantilla_respuesta="Plantilla",
        longitud_maxima="50",
        extensiones_permitidas="exe",
        tamano_maximo_mb="3",
    )
    respuesta = client.post(reverse(AGREGAR), datos)
    assert respuesta.status_code == 302, respuesta.content.decode()[:3000]
    pregunta = Pregunta.objects.get()
    assert pregunta.es_verdadera is None
    assert pregunta.retroalimentacion_verdadero == ""
    assert not pregunta.distinguir_mayusculas
    assert not pregunta.ignorar_acentos
    assert pregunta.notas_para_calificar == pregunta.plantilla_respuesta == ""
    assert pregunta.longitud_maxima == 10000
    assert (
        pregunta.extensiones_permitidas
        == Pregunta._meta.get_field("extensiones_permitidas").get_default()
    )
    assert pregunta.tamano_maximo_mb == 10
    assert not pregunta.criterios.exists()
    assert [(o.texto, o.correcta, o.tolerancia, o.pareja) for o in pregunta.opciones.all()] == [
        ("Diez días", True, None, ""),
        ("Treinta días", False, None, ""),
    ]


def test_campo_oculto_con_error_no_impide_guardar(client, instructor, curso):
    """A value left in a field the type does not use neither blocks saving nor is kept."""
    datos = _pregunta_post(
        CategoriaPreguntaFactory(curso=curso),
        [_opcion("A", correcta=True), _opcion("B")],
        criterios=[{"descripcion": "Sin puntos", "puntos": ""}],
        longitud_maxima="",
        tamano_maximo_mb="9999",
    )
    respuesta = client.post(reverse(AGREGAR), datos)
    assert respuesta.status_code == 302, respuesta.content.decode()[:3000]
    assert Pregunta.objects.get().longitud_maxima == 10000


def test_numerica_borra_lo_que_no_usa_de_sus_filas(client, instructor, curso):
    opciones = [
        {**_opcion("3.5", correcta=True, pareja="x"), "tolerancia": "0.1", "fraccion": "100"},
    ]
    datos = _pregunta_post(
        CategoriaPreguntaFactory(curso=curso), opciones, tipo="numerica", ignorar_acentos="on"
    )
    respuesta = client.post(reverse(AGREGAR), datos)
    assert respuesta.status_code == 302, respuesta.content.decode()[:3000]
    pregunta = Pregunta.objects.get()
    assert not pregunta.ignorar_acentos
    opcion = pregunta.opciones.get()
    assert (opcion.texto, opcion.tolerancia, opcion.fraccion) == ("3.5", Decimal("0.1"), 100)
    assert (opcion.correcta, opcion.pareja) == (False, "")


def test_ensayo_sin_filas_de_opciones(client, instructor, curso):
    """An essay keeps its rubric and notes and never stores option rows."""
    datos = _pregunta_post(
        CategoriaPreguntaFactory(curso=curso),
        [_opcion("Sobra", correcta=True)],
        tipo="ensayo",
        criterios=[{"descripcion": "Claridad", "puntos": "1"}],
        notas_para_calificar="Busque el artículo 70",
        plantilla_respuesta="Mi respuesta:",
    )
    respuesta = client.post(reverse(AGREGAR), datos)
    assert respuesta.status_code == 302, respuesta.content.decode()[:3000]
    pregunta = Pregunta.objects.get()
    assert not pregunta.opciones.exists()
    assert pregunta.criterios.count() == 1
    assert pregunta.notas_para_calificar == "Busque el artículo 70"
    assert pregunta.plantilla_respuesta == "Mi respuesta:"


def test_validacion_por_tipo_lee_solo_lo_del_tipo(client, instructor, curso):
    """A true/false question is validated on its own fields, not on rows it never shows."""
    categoria = CategoriaPreguntaFactory(curso=curso)
    fila_invalida = [{**_opcion("Sobra", correcta=True), "fraccion": "500"}]
    datos = _pregunta_post(categoria, fila_invalida, tipo="verdadero_falso")
    respuesta = client.post(reverse(AGREGAR), datos)
    assert respuesta.status_code == 200
    assert "Indique si la afirmación es verdadera o falsa" in respuesta.content.decode()
    datos = _pregunta_post(categoria, fila_invalida, tipo="verdadero_falso", es_verdadera="true")
    respuesta = client.post(reverse(AGREGAR), datos)
    assert respuesta.status_code == 302, respuesta.content.decode()[:3000]
    pregunta = Pregunta.objects.get()
    assert pregunta.es_verdadera is True
    assert not pregunta.opciones.exists()


def test_edicion_muestra_solo_los_campos_de_su_tipo(client, instructor, curso):
    pregunta = pregunta_con_opciones(categoria=CategoriaPreguntaFactory(curso=curso))
    html = client.get(_editar(pregunta)).content.decode()
    for campo in ("es_verdadera", "longitud_maxima", "extensiones_permitidas", "criterios"):
        assert _oculto(html, "data-campo-por-tipo", campo), campo
    assert not _oculto(html, "data-campo-por-tipo", "opciones")
    assert _oculto(html, "data-columna-por-tipo", "tolerancia")
    assert _oculto(html, "data-columna-por-tipo", "pareja")
    assert not _oculto(html, "data-columna-por-tipo", "correcta")
    assert "Opciones (marque la correcta)" in html


def test_edicion_de_numerica_nombra_sus_columnas(client, instructor, curso):
    pregunta = PreguntaFactory(tipo="numerica", categoria=CategoriaPreguntaFactory(curso=curso))
    pregunta.opciones.create(texto="3", tolerancia=Decimal("0.5"))
    html = client.get(_editar(pregunta)).content.decode()
    assert not _oculto(html, "data-columna-por-tipo", "tolerancia")
    assert _oculto(html, "data-columna-por-tipo", "correcta")
    for etiqueta in ("Valor", "Tolerancia (±)", "Crédito (%)", "Retroalimentación"):
        assert re.search(rf">\s*{re.escape(etiqueta)}\s*</label>", html), etiqueta


def test_alta_sin_tipo_muestra_todo_y_dice_a_que_tipo_aplica(client, instructor):
    html = client.get(reverse(AGREGAR)).content.decode()
    for campo in ("es_verdadera", "longitud_maxima", "criterios", "opciones"):
        assert not _oculto(html, "data-campo-por-tipo", campo), campo
    assert "Solo para: Verdadero o falso." in html
    assert "Solo para: Ensayo (calificación manual), Entregable" in html
    # The editor script reads the registry from the page, not a list of its own.
    datos = re.search(r'<script id="autoria-tipos-datos"[^>]*>(.*?)</script>', html, re.S)
    assert json.loads(datos.group(1)) == json.loads(json.dumps(autoria.datos_para_el_navegador()))
    assert "evaluaciones/autoria.js" in html


def test_datos_del_navegador_salen_del_registro():
    datos = autoria.datos_para_el_navegador()
    for modulo in tipos.MODULOS:
        propio = datos["tipos"][modulo.tipo.value]
        assert propio["columnas"] == list(modulo.campos_opcion)
        assert ("opciones" in propio["campos"]) == bool(modulo.campos_opcion)
        assert set(propio["campos"]) - {"opciones"} == set(modulo.campos_pregunta)


def test_quien_califica_ve_las_notas_del_ensayo(client):
    _entrar(client, rol="coordinador_nacional")
    ensayo = PreguntaFactory(
        tipo=Pregunta.Tipo.ENSAYO, notas_para_calificar="Debe citar el artículo 70"
    )
    intento = _enviado(evaluacion_con(ensayo), UsuarioFactory(), ensayo=ensayo)
    html = client.get(
        reverse("evaluaciones:calificar", args=[intento.respuestas.get().pk])
    ).content.decode()
    assert "Notas para quien califica" in html
    assert "Debe citar el artículo 70" in html


# --- Fixed and random rows of an evaluation ------------------------------------------


def _evaluacion_post(curso, secciones):
    return nested_form_data(
        {
            "titulo": "Evaluación de la fase teórica",
            "curso": curso.pk,
            "descripcion": "",
            "abre_en": "",
            "cierra_en": "",
            "limite_minutos": "",
            "intentos_permitidos": "1",
            "metodo_calificacion": "mas_alta",
            "puntaje_aprobatorio": "70",
            "revision_puntaje": "al_enviar",
            "revision_respuestas": "al_enviar",
            "revision_correctas": "al_cierre",
            "revision_retroalimentacion": "nunca",
            "secciones": inline_formset(secciones, min=1),
        }
    )


def _fila(pregunta="", categoria="", cantidad="", incluir=False):
    fila = {"pregunta": pregunta, "categoria": categoria, "cantidad": cantidad}
    if incluir:
        fila["incluir_subcategorias"] = "on"
    return fila


AGREGAR_EVALUACION = "wagtailsnippets_evaluaciones_evaluacion:add"


def test_fila_fija_no_pide_ni_guarda_cantidad(client, instructor, curso):
    categoria = CategoriaPreguntaFactory(curso=curso)
    a = pregunta_con_opciones(categoria=categoria)
    b = pregunta_con_opciones(categoria=categoria)
    datos = _evaluacion_post(
        curso, [_fila(pregunta=a.pk), _fila(pregunta=b.pk, cantidad="5", incluir=True)]
    )
    respuesta = client.post(reverse(AGREGAR_EVALUACION), datos)
    assert respuesta.status_code == 302, respuesta.content.decode()[:3000]
    filas = Evaluacion.objects.get().secciones.all()
    assert [(s.pregunta_id, s.cantidad, s.incluir_subcategorias) for s in filas] == [
        (a.pk, None, False),
        (b.pk, None, False),
    ]


def test_fila_aleatoria_sin_cantidad_se_rechaza(client, instructor, curso):
    categoria = CategoriaPreguntaFactory(curso=curso)
    pregunta_con_opciones(categoria=categoria)
    datos = _evaluacion_post(curso, [_fila(categoria=categoria.pk)])
    respuesta = client.post(reverse(AGREGAR_EVALUACION), datos)
    assert respuesta.status_code == 200
    assert "Indique cuántas preguntas sacar al azar de la categoría" in respuesta.content.decode()
    assert not Evaluacion.objects.exists()


def _arbol(curso):
    fase = CategoriaPreguntaFactory(curso=curso, nombre="Fase teórica")
    tema = CategoriaPreguntaFactory(curso=curso, nombre="Tema 1", padre=fase)
    subtema = CategoriaPreguntaFactory(curso=curso, nombre="Subtema", padre=tema)
    return fase, tema, subtema


def test_incluir_subcategorias_saca_de_las_hijas(client, instructor, curso):
    fase, tema, subtema = _arbol(curso)
    hijas = {PreguntaFactory(categoria=tema).pk, PreguntaFactory(categoria=subtema).pk}
    evaluacion = EvaluacionFactory(curso=curso)
    SeccionEvaluacionFactory(
        evaluacion=evaluacion, categoria=fase, cantidad=2, incluir_subcategorias=True
    )
    elegidas = services._preguntas_de(evaluacion, random.Random(1))
    assert {p.pk for p in elegidas} == hijas
    # The form counts them as available too.
    respuesta = client.post(
        reverse(AGREGAR_EVALUACION),
        _evaluacion_post(curso, [_fila(categoria=fase.pk, cantidad="2", incluir=True)]),
    )
    assert respuesta.status_code == 302, respuesta.content.decode()[:3000]
    respuesta = client.post(
        reverse(AGREGAR_EVALUACION),
        _evaluacion_post(curso, [_fila(categoria=fase.pk, cantidad="2")]),
    )
    assert "tiene 0 preguntas disponibles y se piden 2" in respuesta.content.decode()


# --- Total points ---------------------------------------------------------------------


def test_puntos_totales_suma_fijas_y_rango_de_las_aleatorias(instructor, curso):
    categoria = CategoriaPreguntaFactory(curso=curso)
    fija = PreguntaFactory(categoria=categoria, puntos=Decimal("2"))
    otra = CategoriaPreguntaFactory(curso=curso)
    for puntos in ("1", "1", "3"):
        PreguntaFactory(categoria=otra, puntos=Decimal(puntos))
    iguales = CategoriaPreguntaFactory(curso=curso)
    for _ in range(3):
        PreguntaFactory(categoria=iguales, puntos=Decimal("1.5"))
    Fila = selectors.FilaPuntos
    total = selectors.puntos_totales([Fila(fija.pk), Fila(None, iguales.pk, 2)])
    assert (total.minimo, total.maximo) == (Decimal("5"), Decimal("5"))
    assert total.texto == "Puntos totales: 5"
    total = selectors.puntos_totales([Fila(fija.pk), Fila(None, otra.pk, 2)])
    assert (total.minimo, total.maximo) == (Decimal("4"), Decimal("6"))
    assert "entre 4 y 6" in total.texto


def test_edicion_de_evaluacion_muestra_los_puntos_totales(client, instructor, curso):
    categoria = CategoriaPreguntaFactory(curso=curso)
    fija = PreguntaFactory(categoria=categoria, puntos=Decimal("2"))
    for puntos in ("1", "3"):
        PreguntaFactory(categoria=categoria, puntos=Decimal(puntos))
    evaluacion = EvaluacionFactory(curso=curso)
    SeccionEvaluacionFactory(evaluacion=evaluacion, pregunta=fija)
    SeccionEvaluacionFactory(evaluacion=evaluacion, categoria=categoria, cantidad=1)
    url = reverse("wagtailsnippets_evaluaciones_evaluacion:edit", args=[evaluacion.pk])
    html = client.get(url).content.decode()
    assert "Puntos totales: entre 3 y 5" in html
    assert "evaluaciones/puntos_totales.js" in html
    # The live total asks the same function, and knows nothing of another course's bank.
    ajena = PreguntaFactory(puntos=Decimal("50"))
    vivo = client.get(
        reverse("evaluaciones_puntos_totales"),
        {"fila": [f"p:{fija.pk}", f"c:{categoria.pk}:2:", f"p:{ajena.pk}"]},
    ).json()
    assert vivo["texto"] == "Puntos totales: 6"


def test_puntos_en_vivo_solo_para_quien_edita_evaluaciones(client):

    client.force_login(UsuarioFactory())
    respuesta = client.get(reverse("evaluaciones_puntos_totales"), {"fila": "p:1"})
    assert respuesta.status_code in (302, 403)


# --- The category tree ----------------------------------------------------------------


def _categoria_post(curso, padre, nombre="Tema 2"):
    return {
        "nombre": nombre,
        "curso": curso.pk,
        "padre": padre.pk if padre else "",
        "descripcion": "",
    }


def test_categoria_superior_de_otro_curso_se_rechaza(client, instructor, curso):
    otro = curso_impartido(instructor)
    ajena = CategoriaPreguntaFactory(curso=otro, nombre="Fase teórica")
    respuesta = client.post(
        reverse("wagtailsnippets_evaluaciones_categoriapregunta:add"),
        _categoria_post(curso, ajena),
    )
    assert respuesta.status_code == 200
    assert "La categoría superior debe ser del mismo curso" in respuesta.content.decode()
    assert not CategoriaPregunta.objects.filter(nombre="Tema 2").exists()


def test_categoria_superior_fuera_de_alcance_no_se_ofrece(client, instructor, curso):
    extrana = CategoriaPreguntaFactory(curso=CursoPageFactory(), nombre="Banco ajeno")
    respuesta = client.post(
        reverse("wagtailsnippets_evaluaciones_categoriapregunta:add"),
        _categoria_post(curso, extrana),
    )
    assert respuesta.status_code == 200
    assert not CategoriaPregunta.objects.filter(nombre="Tema 2").exists()


def test_categoria_no_cuelga_de_su_descendiente(client, instructor, curso):
    fase, _tema, subtema = _arbol(curso)
    respuesta = client.post(
        reverse("wagtailsnippets_evaluaciones_categoriapregunta:edit", args=[fase.pk]),
        _categoria_post(curso, subtema, nombre="Fase teórica"),
    )
    assert respuesta.status_code == 200
    assert "no puede colgar de sí misma ni de sus subcategorías" in respuesta.content.decode()
    fase.refresh_from_db()
    assert fase.padre_id is None


def test_listado_de_categorias_muestra_la_ruta(client, instructor, curso):
    _arbol(curso)
    html = client.get(reverse("wagtailsnippets_evaluaciones_categoriapregunta:list")).content
    assert "Fase teórica / Tema 1 / Subtema" in html.decode()


def test_ruta_de_categorias_no_consulta_por_fila(
    client, instructor, curso, django_assert_max_num_queries
):
    url = reverse("wagtailsnippets_evaluaciones_categoriapregunta:list")
    _fase, _tema, subtema = _arbol(curso)
    client.get(url)
    with django_assert_max_num_queries(60) as pocas:
        client.get(url)
    for i in range(4):
        CategoriaPreguntaFactory(curso=curso, nombre=f"Caso {i}", padre=subtema)
    with django_assert_max_num_queries(len(pocas.captured_queries)):
        html = client.get(url).content.decode()
    assert "Fase teórica / Tema 1 / Subtema / Caso 3" in html
