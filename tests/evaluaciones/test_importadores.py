"""Moodle XML and Aiken import (preview, per-question errors) and Moodle XML export."""

from decimal import Decimal

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluaciones import services_importacion
from evaluaciones.importers.aiken import interpretar_aiken
from evaluaciones.importers.moodle_xml import exportar_moodle_xml, interpretar_moodle_xml
from evaluaciones.models import OpcionPregunta, Pregunta
from evaluaciones.scoring import TipoPregunta
from lms import services as lms_services
from lms.models import Rol
from tests.factories import (
    CategoriaPreguntaFactory,
    OpcionPreguntaFactory,
    PreguntaFactory,
    UsuarioFactory,
)
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.factories.evaluaciones_cursos import curso_impartido

MOODLE = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/Ley General</text></category></question>
  <question type="multichoice">
    <name><text>Órgano garante</text></name>
    <questiontext format="html"><text><![CDATA[<p>¿Quién <b>garantiza</b>?</p>]]></text>
    </questiontext>
    <defaultgrade>2.0000000</defaultgrade>
    <single>true</single>
    <answer fraction="100" format="html"><text>El &amp;lt;INAI&amp;gt;</text>
      <feedback format="html"><text>Correcto</text></feedback></answer>
    <answer fraction="0" format="html"><text>Nadie</text></answer>
  </question>
  <question type="multichoice">
    <name><text>Multiple</text></name>
    <questiontext format="html"><text>Elija dos</text></questiontext>
    <single>false</single>
    <answer fraction="60"><text>A</text></answer>
    <answer fraction="40"><text>B</text></answer>
    <answer fraction="-100"><text>C</text></answer>
  </question>
  <question type="truefalse">
    <name><text>VF</text></name>
    <questiontext format="html"><text>La ley es pública</text></questiontext>
    <answer fraction="0"><text>true</text></answer>
    <answer fraction="100"><text>false</text></answer>
  </question>
  <question type="numerical">
    <name><text>Num</text></name>
    <questiontext format="html"><text>¿Cuántos días?</text></questiontext>
    <answer fraction="100"><text>20</text><tolerance>1</tolerance></answer>
  </question>
  <question type="calculated">
    <name><text>Calc</text></name>
    <questiontext format="html"><text>x</text></questiontext>
  </question>
  <question type="multichoice">
    <name><text>Sin correcta</text></name>
    <questiontext format="html"><text>¿?</text></questiontext>
    <answer fraction="0"><text>A</text></answer>
    <answer fraction="0"><text>B</text></answer>
  </question>
</quiz>
"""

AIKEN = """¿Qué ley regula la transparencia?
A. La Ley General de Transparencia
B) El Código Civil
ANSWER: A

Pregunta sin respuesta
A. Uno
B. Dos

¿Respuesta que no existe?
A. Uno
B. Dos
ANSWER: C
¿Pegada a la anterior, sin línea en blanco?
A. Sí
B. No
ANSWER: b
"""


def test_moodle_xml_interpreta_tipos_y_reporta_errores_por_pregunta():
    resultado = interpretar_moodle_xml(MOODLE)
    assert [p.tipo for p in resultado.preguntas] == [
        TipoPregunta.OPCION_UNICA,
        TipoPregunta.OPCION_MULTIPLE,
        TipoPregunta.VERDADERO_FALSO,
        TipoPregunta.NUMERICA,
    ]
    unica, multiple, vf, numerica = resultado.preguntas
    assert unica.categoria == ("Ley General",)
    assert unica.puntos == Decimal("2.00")
    assert unica.enunciado == "<p>¿Quién <b>garantiza</b>?</p>"
    assert unica.opciones[0].texto == "El <INAI>"
    assert unica.opciones[0].correcta
    assert unica.opciones[0].retroalimentacion == "Correcto"
    assert [o.fraccion for o in multiple.opciones] == [
        Decimal(60),
        Decimal(40),
        Decimal(-100),
    ]
    assert vf.es_verdadera is False
    assert [(o.texto, o.tolerancia) for o in numerica.opciones] == [("20", Decimal(1))]
    errores = {e.numero: e for e in resultado.errores}
    assert set(errores) == {5, 6}
    assert "calculated" in errores[5].mensaje
    assert errores[5].linea == MOODLE.splitlines().index('  <question type="calculated">') + 1
    assert "100 %" in errores[6].mensaje


@pytest.mark.parametrize(
    "texto",
    [
        "<quiz><question>",
        "no es xml",
        '<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        "<quiz>&b;</quiz>",
        '<?xml version="1.0"?><!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<quiz>&x;</quiz>",
        "<otra/>",
    ],
)
def test_moodle_xml_malformado_o_peligroso_se_rechaza_sin_preguntas(texto):
    resultado = interpretar_moodle_xml(texto)
    assert resultado.preguntas == ()
    assert len(resultado.errores) == 1


def test_aiken_interpreta_y_reporta_errores():
    resultado = interpretar_aiken(AIKEN)
    assert [p.titulo for p in resultado.preguntas] == [
        "¿Qué ley regula la transparencia?",
        "¿Pegada a la anterior, sin línea en blanco?",
    ]
    primera, pegada = resultado.preguntas
    assert [o.correcta for o in primera.opciones] == [True, False]
    assert [o.texto for o in primera.opciones] == [
        "La Ley General de Transparencia",
        "El Código Civil",
    ]
    assert [o.correcta for o in pegada.opciones] == [False, True]
    mensajes = {e.numero: (e.linea, e.mensaje) for e in resultado.errores}
    assert mensajes[2] == (6, "Falta la línea «ANSWER: letra».")
    assert mensajes[3][0] == 10
    assert "«C»" in mensajes[3][1]


def _efectivas(pregunta):
    """What a question means, independent of ids and of how credit was written."""
    from evaluaciones.instantaneas import clave_correcta

    opciones = list(pregunta.opciones.order_by("sort_order", "pk"))
    clave = clave_correcta(pregunta, opciones)
    por_id = {str(o.pk): i for i, o in enumerate(opciones)}
    fracciones = {por_id[k]: v for k, v in clave.get("fracciones", {}).items() if k in por_id}
    return {
        "tipo": pregunta.tipo,
        "titulo": pregunta.titulo,
        "enunciado": pregunta.enunciado,
        "puntos": pregunta.puntos,
        "categoria": pregunta.categoria.nombre,
        "retro": pregunta.retroalimentacion,
        "es_verdadera": pregunta.es_verdadera if pregunta.tipo == "verdadero_falso" else None,
        "tolerancias": [o.tolerancia for o in opciones],
        "extensiones": pregunta.extensiones_permitidas if pregunta.tipo == "entregable" else "",
        "opciones": [(o.texto, o.pareja, o.retroalimentacion) for o in opciones],
        "fracciones": fracciones,
        "aceptadas": [a[:2] for a in clave.get("aceptadas", [])],
        "numericas": [r[:3] for r in clave.get("respuestas", [])],
    }


@pytest.mark.django_db
def test_exportar_e_importar_da_las_mismas_preguntas():
    categoria = CategoriaPreguntaFactory(nombre="Banco & <ley>")
    originales = [
        pregunta_con_opciones(categoria=categoria, retroalimentacion="General <b>"),
        pregunta_con_opciones(
            tipo=Pregunta.Tipo.OPCION_MULTIPLE, correctas=(True, True, False), categoria=categoria
        ),
        PreguntaFactory(tipo=Pregunta.Tipo.VERDADERO_FALSO, es_verdadera=True, categoria=categoria),
        PreguntaFactory(tipo=Pregunta.Tipo.NUMERICA, categoria=categoria, puntos=Decimal("3")),
        PreguntaFactory(tipo=Pregunta.Tipo.ENSAYO, categoria=categoria),
        PreguntaFactory(
            tipo=Pregunta.Tipo.ENTREGABLE, extensiones_permitidas="pdf,docx", categoria=categoria
        ),
    ]
    corta = PreguntaFactory(tipo=Pregunta.Tipo.RESPUESTA_CORTA, categoria=categoria)
    OpcionPreguntaFactory(pregunta=corta, texto="INAI", correcta=True, sort_order=0)
    OpcionPreguntaFactory(
        pregunta=corta, texto="Instituto", correcta=True, fraccion=Decimal(50), sort_order=1
    )
    relacionar = PreguntaFactory(tipo=Pregunta.Tipo.RELACIONAR, categoria=categoria)
    for i, (premisa, pareja) in enumerate([("Uno", "A"), ("Dos", "B"), ("", "Distractor")]):
        OpcionPreguntaFactory(pregunta=relacionar, texto=premisa, pareja=pareja, sort_order=i)
    ordenar = PreguntaFactory(tipo=Pregunta.Tipo.ORDENAR, categoria=categoria)
    for i, texto in enumerate(["Primero", "Segundo", "Tercero"]):
        OpcionPreguntaFactory(pregunta=ordenar, texto=texto, sort_order=i)
    OpcionPreguntaFactory(
        pregunta=originales[3], texto="3.5", correcta=True, tolerancia=Decimal("0.25")
    )
    originales += [corta, relacionar, ordenar]
    OpcionPregunta.objects.filter(pregunta=originales[1], correcta=False).update(
        fraccion=Decimal("-50")
    )

    xml = exportar_moodle_xml(
        Pregunta.objects.select_related("categoria").prefetch_related("opciones")
    )
    resultado = interpretar_moodle_xml(xml)
    assert resultado.errores == ()
    antes = sorted((_efectivas(p) for p in originales), key=lambda d: d["titulo"])
    Pregunta.objects.all().delete()
    creadas = services_importacion.importar_preguntas(
        preguntas=resultado.preguntas,
        categoria=CategoriaPreguntaFactory(),
        importada_por=UsuarioFactory(),
    )
    despues = sorted(
        (_efectivas(Pregunta.objects.get(pk=p.pk)) for p in creadas), key=lambda d: d["titulo"]
    )
    assert despues == antes


@pytest.fixture
def instructor(client):
    usuario = UsuarioFactory()
    lms_services.asignar_rol(usuario=usuario, rol=Rol.INSTRUCTOR)
    client.force_login(usuario)
    return usuario


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("formato", "nombre", "texto", "esperadas"),
    [("moodle_xml", "banco.xml", MOODLE, 4), ("aiken", "banco.txt", AIKEN, 2)],
)
def test_importar_desde_la_administracion_con_selector_de_formato(
    client, instructor, formato, nombre, texto, esperadas
):
    categoria = CategoriaPreguntaFactory(curso=curso_impartido(instructor))
    url = reverse("evaluaciones_importar_gift")
    previa = client.post(
        url,
        {
            "formato": formato,
            "archivo": SimpleUploadedFile(nombre, texto.encode()),
            "categoria": categoria.pk,
            "accion": "previsualizar",
        },
    )
    assert previa.status_code == 200
    assert "con errores" in previa.content.decode()
    assert not Pregunta.objects.exists()
    inicial = previa.context["form"].initial
    final = client.post(
        url,
        {
            "formato": inicial["formato"],
            "texto": inicial["texto"],
            "categoria": categoria.pk,
            "accion": "importar",
        },
    )
    assert final.status_code == 302
    assert Pregunta.objects.count() == esperadas


@pytest.mark.django_db
def test_extension_equivocada_para_el_formato_se_rechaza(client, instructor):
    categoria = CategoriaPreguntaFactory(curso=curso_impartido(instructor))
    respuesta = client.post(
        reverse("evaluaciones_importar_gift"),
        {
            "formato": "moodle_xml",
            "archivo": SimpleUploadedFile("banco.gift", MOODLE.encode()),
            "categoria": categoria.pk,
        },
    )
    assert ".xml" in respuesta.content.decode()
    assert not Pregunta.objects.exists()


@pytest.mark.django_db
def test_exportar_evaluacion_y_categoria_desde_la_administracion(client, instructor):
    dentro = pregunta_con_opciones(titulo="DENTRO")
    pregunta_con_opciones(titulo="FUERA")
    evaluacion = evaluacion_con(dentro)
    curso_impartido(instructor, evaluacion)
    url = reverse("evaluaciones_exportar_moodle")
    respuesta = client.get(url, {"evaluacion": evaluacion.pk})
    assert respuesta.status_code == 200
    assert "attachment" in respuesta["Content-Disposition"]
    xml = respuesta.content.decode()
    assert "DENTRO" in xml
    assert "FUERA" not in xml
    por_categoria = client.get(url, {"categoria": dentro.categoria_id}).content.decode()
    assert "DENTRO" in por_categoria
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_participante_no_exporta(client):
    client.force_login(UsuarioFactory())
    evaluacion = evaluacion_con(pregunta_con_opciones())
    respuesta = client.get(reverse("evaluaciones_exportar_moodle"), {"evaluacion": evaluacion.pk})
    assert respuesta.status_code in (302, 403)
