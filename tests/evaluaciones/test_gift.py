"""GIFT import: every supported question type, a per-question error report, and the admin flow."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluaciones import services, services_importacion
from evaluaciones.importers.gift import interpretar_gift
from evaluaciones.models import CategoriaPregunta, Pregunta
from evaluaciones.scoring import TipoPregunta
from lms import services as lms_services
from lms.models import Rol
from tests.factories import CategoriaPreguntaFactory, CursoPageFactory, UsuarioFactory
from tests.factories.evaluaciones import evaluacion_con
from tests.factories.evaluaciones_cursos import curso_impartido, iniciar

GIFT = """// Preguntas de prueba
$CATEGORY: $course$/top/Plazos

::Plazo::¿Cuál es el plazo ordinario de respuesta? {
  =20 días hábiles#Correcto, artículo 132.
  ~10 días hábiles#No.
  ~30 días naturales
}

::Obligaciones::¿Cuáles son obligaciones comunes? {
  ~%50%Directorio
  ~%50%Remuneraciones
  ~%-100%Domicilio particular
}

La información pública es gratuita. {T#Sí, salvo costos de reproducción.}

::Ley:: ¿Qué siglas tiene la ley general? {=LGTAIP =Ley General de Transparencia}

::Años:: ¿En qué año se publicó la LGTAIP? {#2015:0}

::Rango:: Un número entre 1 y 5 {#1..5}

::Pares:: Relacione. {
  =INAI -> Nacional
  =ITEI -> Jalisco
}

::Ensayo:: Explique la transparencia proactiva. {}

La solicitud se presenta {~por fax =en línea ~por telegrama} o en la oficina.

::Escapes:: ¿Cuánto es 1 \\= 1? {=Verdadero \\{sí\\} ~Falso}

::Rota:: Sin llaves de cierre {=a ~b

::Sin correcta:: ¿Cuál? {~a ~b}

::Vacía:: Pregunta { =a ~ }

::Num mal:: ¿Cuánto? {#dos}

::Dos iguales:: ¿Cuál? {=a =b ~c}

####sin pregunta
"""


def test_interpreta_cada_tipo():
    resultado = interpretar_gift(GIFT)
    por_titulo = {p.titulo: p for p in resultado.preguntas}
    unica = por_titulo["Plazo"]
    assert unica.tipo == TipoPregunta.OPCION_UNICA
    assert [o.correcta for o in unica.opciones] == [True, False, False]
    assert unica.opciones[0].retroalimentacion == "Correcto, artículo 132."
    assert unica.categoria == ("Plazos",)
    multiple = por_titulo["Obligaciones"]
    assert multiple.tipo == TipoPregunta.OPCION_MULTIPLE
    assert [o.fraccion for o in multiple.opciones] == [Decimal(50), Decimal(50), Decimal(-100)]
    vf = next(p for p in resultado.preguntas if p.tipo == TipoPregunta.VERDADERO_FALSO)
    assert vf.es_verdadera is True
    assert vf.retroalimentacion == ""
    corta = por_titulo["Ley"]
    assert corta.tipo == TipoPregunta.RESPUESTA_CORTA
    assert [o.texto for o in corta.opciones] == ["LGTAIP", "Ley General de Transparencia"]
    assert [o.texto for o in por_titulo["Años"].opciones] == ["2015"]
    rango = por_titulo["Rango"]
    assert [(o.texto, o.tolerancia) for o in rango.opciones] == [("3", Decimal(2))]
    pares = por_titulo["Pares"]
    assert [(o.texto, o.pareja) for o in pares.opciones] == [
        ("INAI", "Nacional"),
        ("ITEI", "Jalisco"),
    ]
    assert por_titulo["Ensayo"].tipo == TipoPregunta.ENSAYO
    hueco = next(p for p in resultado.preguntas if "_____" in p.enunciado)
    assert "o en la oficina" in hueco.enunciado
    escapes = por_titulo["Escapes"]
    assert "1 = 1" in escapes.enunciado
    assert escapes.opciones[0].texto == "Verdadero {sí}"
    # As in Moodle, two `=` answers are a single choice where either is right.
    dos = por_titulo["Dos iguales"]
    assert dos.tipo == TipoPregunta.OPCION_UNICA
    assert [o.correcta for o in dos.opciones] == [True, True, False]


def test_reporta_errores_por_pregunta_con_su_linea():
    resultado = interpretar_gift(GIFT)
    mensajes = {
        e.extracto.split("::")[1] if "::" in e.extracto else e.extracto: e
        for e in resultado.errores
    }
    assert "llave de cierre" in mensajes["Rota"].mensaje
    assert "Ninguna respuesta es correcta" in mensajes["Sin correcta"].mensaje
    assert "vacía" in mensajes["Vacía"].mensaje
    assert "no es un número" in mensajes["Num mal"].mensaje
    assert "Falta el bloque de respuestas" in mensajes["####sin pregunta"].mensaje
    lineas = GIFT.splitlines()
    for error in resultado.errores:
        assert lineas[error.linea - 1].strip()


def test_enunciado_html_se_limpia_y_el_texto_se_escapa():
    resultado = interpretar_gift(
        "[html]<p onclick='x()'>Hola <script>alert(1)</script><b>mundo</b></p>{T}\n\n"
        "<b>texto</b> plano {F}"
    )
    html, plano = (p.enunciado for p in resultado.preguntas)
    assert "onclick" not in html
    assert "<script>" not in html
    assert "<b>mundo</b>" in html
    assert "&lt;b&gt;texto&lt;/b&gt;" in plano


@settings(deadline=None)
@given(st.text(max_size=300))
def test_nunca_falla_con_texto_arbitrario(texto):
    resultado = interpretar_gift(texto)
    for pregunta in resultado.preguntas:
        assert pregunta.enunciado


@pytest.mark.django_db
def test_importar_crea_preguntas_que_se_pueden_presentar():
    resultado = interpretar_gift(GIFT)
    curso = CursoPageFactory()
    categoria = CategoriaPreguntaFactory(curso=curso)
    de_otro_curso = CategoriaPreguntaFactory(nombre="Plazos", curso=CursoPageFactory())
    creadas = services_importacion.importar_preguntas(
        preguntas=resultado.preguntas, categoria=categoria, importada_por=None
    )
    assert len(creadas) == len(resultado.preguntas) == Pregunta.objects.count()
    # `$CATEGORY` lands in the bank of the chosen category's course, never in another's.
    plazos = CategoriaPregunta.objects.get(nombre="Plazos", curso=curso)
    assert plazos.preguntas.exists()
    assert not de_otro_curso.preguntas.exists()
    assert all(p.categoria.curso_id == curso.pk for p in creadas)
    assert all(p.revisions.count() == 1 for p in creadas)
    persona = UsuarioFactory()
    evaluacion = evaluacion_con(*creadas, curso=curso)
    intento = iniciar(evaluacion, persona)
    plazo = next(p for p in creadas if p.titulo == "Plazo")
    correcta = str(plazo.opciones.get(correcta=True).pk)
    ley = next(p for p in creadas if p.titulo == "Ley")
    resultado_envio = services.enviar_intento(
        intento_id=intento.pk,
        usuario=persona,
        datos={f"p-p{plazo.pk}": [correcta], f"p-p{ley.pk}": ["  lgtaip "]},
    )
    assert resultado_envio.intento.puntaje == Decimal("2.00")


@pytest.mark.django_db
def test_vista_previa_e_importacion_desde_la_administracion(client):
    instructor = UsuarioFactory()
    lms_services.asignar_rol(usuario=instructor, rol=Rol.INSTRUCTOR)
    client.force_login(instructor)
    categoria = CategoriaPreguntaFactory(curso=curso_impartido(instructor))
    url = reverse("evaluaciones_importar_gift")
    previa = client.post(
        url,
        {
            "archivo": SimpleUploadedFile("banco.gift", GIFT.encode()),
            "categoria": categoria.pk,
            "accion": "previsualizar",
        },
    )
    html = previa.content.decode()
    assert previa.status_code == 200
    assert "Ninguna respuesta es correcta" in html
    assert not Pregunta.objects.exists()
    texto = previa.context["form"].initial["texto"]
    final = client.post(url, {"texto": texto, "categoria": categoria.pk, "accion": "importar"})
    assert final.status_code == 302
    assert Pregunta.objects.count() == len(interpretar_gift(GIFT).preguntas)


@pytest.mark.django_db
def test_archivo_que_no_es_utf8_o_no_es_gift_se_rechaza(client):
    instructor = UsuarioFactory()
    lms_services.asignar_rol(usuario=instructor, rol=Rol.INSTRUCTOR)
    client.force_login(instructor)
    categoria = CategoriaPreguntaFactory(curso=curso_impartido(instructor))
    url = reverse("evaluaciones_importar_gift")
    for archivo, mensaje in [
        (SimpleUploadedFile("banco.gift", "¿Qué? {T}".encode("latin-1")), "UTF-8"),
        (SimpleUploadedFile("banco.exe", b"MZ"), ".gift o .txt"),
    ]:
        respuesta = client.post(url, {"archivo": archivo, "categoria": categoria.pk})
        assert mensaje in respuesta.content.decode()
    assert not Pregunta.objects.exists()
