"""Issue 14, finding 4: what GIFT and Moodle XML used to lose in silence, each checked once."""

from decimal import Decimal

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluaciones import services_importacion
from evaluaciones.importers.gift import interpretar_gift
from evaluaciones.importers.moodle_xml import exportar_moodle_xml
from evaluaciones.models import CategoriaPregunta, OpcionPregunta, Pregunta
from lms import services as lms_services
from lms.models import Rol
from tests.evaluaciones.conformidad.lectura import interpretar, leer
from tests.factories import (
    CategoriaPreguntaFactory,
    CursoPageFactory,
    OpcionPreguntaFactory,
    PreguntaFactory,
    UsuarioFactory,
)
from tests.factories.evaluaciones_cursos import curso_impartido

DOS_RAMAS = """$CATEGORY: $course$/top/Módulo 1/Fase teórica

::Uno::¿Primera? {T}

$CATEGORY: $course$/top/Módulo 2/Fase teórica

::Dos::¿Segunda? {F}
"""


def _importar(texto, categoria):
    return services_importacion.importar_preguntas(
        preguntas=interpretar_gift(texto).preguntas, categoria=categoria, importada_por=None
    )


@pytest.mark.django_db
def test_las_rutas_de_categoria_forman_un_arbol_por_curso():
    curso_a, curso_b = CursoPageFactory(), CursoPageFactory()
    uno, dos = _importar(DOS_RAMAS, CategoriaPreguntaFactory(curso=curso_a))
    # Two branches' "Fase teórica" are two categories, each under its own parent.
    assert uno.categoria != dos.categoria
    assert uno.categoria.padre.nombre == "Módulo 1"
    assert dos.categoria.padre.nombre == "Módulo 2"
    assert uno.categoria.padre.padre is None
    # The same file in another course builds that course's own tree.
    tres, _cuatro = _importar(DOS_RAMAS, CategoriaPreguntaFactory(curso=curso_b))
    assert tres.categoria != uno.categoria
    assert tres.categoria.curso_id == curso_b.pk
    assert tres.categoria.padre.curso_id == curso_b.pk
    # Importing again into the first course reuses its tree.
    cinco, _seis = _importar(DOS_RAMAS, CategoriaPreguntaFactory(curso=curso_a))
    assert cinco.categoria == uno.categoria
    assert CategoriaPregunta.objects.filter(nombre="Fase teórica").count() == 4


@pytest.mark.django_db
def test_la_descripcion_de_una_categoria_de_moodle_se_conserva():
    resultado = interpretar("todos_los_tipos.xml")
    (primera, *_resto) = services_importacion.importar_preguntas(
        preguntas=resultado.preguntas, categoria=CategoriaPreguntaFactory(), importada_por=None
    )
    assert primera.categoria.nombre == "Fase teórica"
    assert primera.categoria.descripcion == "Preguntas de la fase teórica"


def test_el_titulo_de_un_enunciado_html_es_texto():
    (pregunta,) = interpretar_gift("[html]<p>¿Qué dice el <b>artículo 70</b>?</p>{T}").preguntas
    assert pregunta.titulo == "¿Qué dice el artículo 70?"
    assert "<b>artículo 70</b>" in pregunta.enunciado


def test_markdown_se_convierte_en_html_seguro():
    (pregunta,) = interpretar_gift(
        "[markdown]**Lea** el [artículo](https://dof.gob.mx) <script>x</script> "
        "[aquí](javascript:alert(1)){T}"
    ).preguntas
    assert "<strong>Lea</strong>" in pregunta.enunciado
    assert '<a href="https://dof.gob.mx">artículo</a>' in pregunta.enunciado
    assert "<script>" not in pregunta.enunciado
    assert "javascript:" not in pregunta.enunciado


def test_verdadero_falso_conserva_la_retroalimentacion_de_cada_respuesta():
    verdadera, falsa = interpretar_gift(
        "Es pública. {T#Incorrecto.#Correcto.}\n\nEs secreta. {F#Incorrecto.#Correcto.}"
    ).preguntas
    # Moodle: the first text is for a wrong answer, the second for a right one.
    assert (verdadera.retroalimentacion_verdadero, verdadera.retroalimentacion_falso) == (
        "Correcto.",
        "Incorrecto.",
    )
    assert (falsa.retroalimentacion_verdadero, falsa.retroalimentacion_falso) == (
        "Incorrecto.",
        "Correcto.",
    )


@pytest.mark.django_db
def test_un_tercio_se_guarda_exacto_y_se_exporta_como_lo_acepta_moodle():
    (pregunta,) = _importar(
        "Elija. {~%33.33%a ~%33.33%b ~%33.33%c ~%-100%d}", CategoriaPreguntaFactory()
    )
    assert [o.fraccion for o in pregunta.opciones.order_by("sort_order")] == [
        Decimal("33.33333"),
        Decimal("33.33333"),
        Decimal("33.33333"),
        Decimal("-100.00000"),
    ]
    xml = exportar_moodle_xml(Pregunta.objects.select_related("categoria"))
    assert xml.count('fraction="33.33333"') == 3
    assert 'fraction="33.33"' not in xml


@pytest.fixture
def instructor(client):
    usuario = UsuarioFactory()
    lms_services.asignar_rol(usuario=usuario, rol=Rol.INSTRUCTOR)
    client.force_login(usuario)
    return usuario


@pytest.mark.django_db
def test_la_vista_previa_muestra_respuestas_creditos_ruta_y_lo_que_no_se_conserva(
    client, instructor, django_assert_max_num_queries
):
    categoria = CategoriaPreguntaFactory(curso=curso_impartido(instructor))
    url = reverse("evaluaciones_importar_gift")
    gift = client.post(
        url,
        {
            "formato": "gift",
            "archivo": SimpleUploadedFile("banco.gift", leer("todos_los_tipos.gift").encode()),
            "categoria": categoria.pk,
            "accion": "previsualizar",
        },
    )
    html = gift.content.decode()
    assert "Fase teórica / Tema 1" in html
    assert "El directorio: 33.33333 %" in html
    assert "Las contraseñas de los sistemas: -50 %" in html
    assert "1806 ± 2: 50 %" in html
    assert "Revise su biografía." in html
    with django_assert_max_num_queries(20):
        xml = client.post(
            url,
            {
                "formato": "moodle_xml",
                "archivo": SimpleUploadedFile("banco.xml", leer("no_conservable.xml").encode()),
                "categoria": categoria.pk,
                "accion": "previsualizar",
            },
        )
    html = xml.content.decode()
    for nombrado in (
        "penalty 0.5",
        "oculta en Moodle",
        "«TP-01»",
        "pistas de Moodle",
        "retroalimentación combinada",
        "numeración de las opciones",
        "Las unidades (días)",
        "ABSOLUTE_POSITION",
        "El crédito de 35 %",
        "«calculated»",
        "«cloze»",
        "«ddwtos»",
    ):
        assert nombrado in html, nombrado
    assert not Pregunta.objects.exists()


@pytest.mark.django_db
def test_exportar_nombra_los_creditos_que_moodle_rechazaria_antes_de_descargar(
    client, instructor, django_assert_max_num_queries
):
    categoria = CategoriaPreguntaFactory(curso=curso_impartido(instructor))
    for i in range(5):
        pregunta = PreguntaFactory(
            titulo=f"Siglas {i}", tipo=Pregunta.Tipo.RESPUESTA_CORTA, categoria=categoria
        )
        OpcionPreguntaFactory(pregunta=pregunta, texto="INAI", correcta=True)
        OpcionPreguntaFactory(pregunta=pregunta, texto="IFAI", fraccion=Decimal(35))
        pregunta.etiquetas.add("siglas")
        pregunta.save()
    url = reverse("evaluaciones_exportar_moodle")
    with django_assert_max_num_queries(25):
        pantalla = client.get(url, {"categoria": categoria.pk})
    assert pantalla.status_code == 200
    html = pantalla.content.decode()
    assert "«Siglas 0»: el crédito de 35 % de «IFAI»" in html
    assert "descargar=1" in html
    with django_assert_max_num_queries(25):
        archivo = client.get(url, {"categoria": categoria.pk, "descargar": "1"})
    assert "attachment" in archivo["Content-Disposition"]
    xml = archivo.content.decode()
    assert 'fraction="35"' in xml
    assert "<text>siglas</text>" in xml
    assert OpcionPregunta.objects.filter(fraccion=Decimal(35)).count() == 5
