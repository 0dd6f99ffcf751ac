"""Results per evaluation, item analysis and CSV exports through the real URLs."""

import csv
import io

import pytest

from django.urls import reverse

from evaluaciones import services
from evaluaciones.models import Pregunta
from tests.factories import AsignacionRolFactory, UsuarioFactory
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.factories.evaluaciones_cursos import curso_impartido, iniciar
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db


def _responder(evaluacion, persona, elecciones):
    """Start, answer each question by option index (None: leave blank), submit."""
    intento = iniciar(evaluacion, persona)
    items = intento.instantanea["preguntas"]
    for item, eleccion in zip(items, elecciones, strict=True):
        if eleccion is None:
            continue
        pregunta = Pregunta.objects.get(pk=item["pregunta_id"])
        opcion = pregunta.opciones.order_by("sort_order")[eleccion]
        services.guardar_respuesta(
            intento_id=intento.pk,
            usuario=persona,
            clave=item["clave"],
            datos={f"p-{item['clave']}": [str(opcion.pk)]},
        )
    services.enviar_intento(intento_id=intento.pk, usuario=persona)
    return intento


def _persona(clave):
    persona = UsuarioFactory(first_name=f"Persona-{clave}")
    persona.entidad = entidad(clave)
    persona.save(update_fields=["entidad"])
    return persona


@pytest.fixture
def evaluacion():
    facil = pregunta_con_opciones(correctas=(True, False, False), titulo="FACIL")
    invertida = pregunta_con_opciones(correctas=(True, False, False), titulo="INVERTIDA")
    normal = pregunta_con_opciones(correctas=(True, False, False), titulo="NORMAL")
    otra = pregunta_con_opciones(correctas=(True, False, False), titulo="OTRA")
    evaluacion = evaluacion_con(facil, invertida, normal, otra, puntaje_aprobatorio=60)
    # The strong (75 %) miss "invertida" and get "normal" right; the weak (50 %, 25 %)
    # the reverse; everyone gets "facil" right.
    for clave, elecciones in [
        ("14", [0, 1, 0, 0]),
        ("14", [0, 1, 0, 0]),
        ("09", [0, 0, 1, 1]),
        ("09", [0, 1, None, 1]),
    ]:
        _responder(evaluacion, _persona(clave), elecciones)
    return evaluacion


def _entrar(client, rol="instructor", entidad_clave=None):
    asignacion = AsignacionRolFactory(
        rol=rol, entidad=entidad(entidad_clave) if entidad_clave else None
    )
    if rol == "instructor":
        # An instructor grades the evaluations of the courses they teach.
        curso_impartido(asignacion.usuario)
    client.force_login(asignacion.usuario)


def test_participante_no_ve_resultados(client, evaluacion):
    client.force_login(UsuarioFactory())
    for nombre in ("resultados", "analisis", "resultados_csv", "respuestas_csv"):
        url = reverse(f"evaluaciones:{nombre}", args=[evaluacion.pk])
        assert client.get(url).status_code == 403


def test_resultados_muestran_intentos_y_aprobacion(client, evaluacion):
    _entrar(client)
    html = client.get(reverse("evaluaciones:resultados", args=[evaluacion.pk])).content.decode()
    assert "4 intentos enviados" in html
    assert html.count("Persona-14") == 2
    assert "Jalisco" in html


def test_coordinador_estatal_ve_solo_su_estado_en_resultados_y_csv(client, evaluacion):
    _entrar(client, rol="coordinador_estatal", entidad_clave="14")
    html = client.get(reverse("evaluaciones:resultados", args=[evaluacion.pk])).content.decode()
    assert "Persona-14" in html
    assert "Persona-09" not in html
    salida = client.get(reverse("evaluaciones:resultados_csv", args=[evaluacion.pk]))
    contenido = b"".join(salida.streaming_content).decode("utf-8")
    assert "Persona-09" not in contenido
    assert contenido.count("Persona-14") == 2


def test_csv_de_resultados_lleva_bom_y_columnas(client, evaluacion):
    _entrar(client, rol="coordinador_nacional")
    salida = client.get(reverse("evaluaciones:resultados_csv", args=[evaluacion.pk]))
    assert salida["Content-Type"] == "text/csv; charset=utf-8"
    crudo = b"".join(salida.streaming_content)
    assert crudo.startswith(b"\xef\xbb\xbf")
    filas = list(csv.reader(io.StringIO(crudo.decode("utf-8-sig"))))
    assert filas[0][:4] == ["Nombre", "Apellidos", "Organización", "Entidad federativa"]
    assert len(filas) == 5
    aprobados = sorted(f[9] for f in filas[1:])
    assert aprobados == ["No", "No", "Sí", "Sí"]


def test_csv_de_respuestas_da_texto_de_opciones_y_neutraliza_formulas(client, evaluacion):
    _entrar(client)
    persona = UsuarioFactory(first_name="=HYPERLINK(1)")
    _responder(evaluacion, persona, [0, 0, 0, 0])
    salida = client.get(reverse("evaluaciones:respuestas_csv", args=[evaluacion.pk]))
    filas = list(csv.reader(io.StringIO(b"".join(salida.streaming_content).decode("utf-8-sig"))))
    assert len(filas) == 1 + 5 * 4
    assert any(f[5].startswith("Opción 0 de FACIL") for f in filas[1:])
    assert any(f[0] == "'=HYPERLINK(1)" for f in filas[1:])


def test_analisis_marca_preguntas_que_no_funcionan(client, evaluacion):
    _entrar(client)
    html = client.get(reverse("evaluaciones:analisis", args=[evaluacion.pk])).content.decode()
    secciones = {
        titulo: html.split(titulo, 1)[1].split("</section>", 1)[0]
        for titulo in ("FACIL", "INVERTIDA", "NORMAL")
    }
    assert "Muy fácil" in secciones["FACIL"]
    assert "Discriminación negativa" in secciones["INVERTIDA"]
    assert "no funciona" not in secciones["NORMAL"]
    assert "Sin respuesta</td><td>1<" in secciones["NORMAL"].replace("\n", "")


@pytest.mark.parametrize("nombre", ["resultados", "analisis"])
def test_resultados_y_analisis_hacen_consultas_fijas(client, django_assert_max_num_queries, nombre):
    preguntas = [pregunta_con_opciones() for _ in range(3)]
    evaluacion = evaluacion_con(*preguntas, intentos_permitidos=0)
    _entrar(client)
    for cantidad in (2, 10):
        while evaluacion.intentos.count() < cantidad:
            _responder(evaluacion, UsuarioFactory(), [0, 1, None])
        url = reverse(f"evaluaciones:{nombre}", args=[evaluacion.pk])
        # 16 plus the instructor's scope (the courses they teach; no phase lookup any more).
        with django_assert_max_num_queries(18):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("metodo", "final"),
    [("mas_alta", "100 %"), ("ultima", "50 %"), ("primera", "50 %"), ("promedio", "66.67 %")],
)
def test_resultados_muestran_la_calificacion_final_de_cada_persona(client, metodo, final):
    """The same final grade the participant sees, by the evaluation's grading method."""
    preguntas = [pregunta_con_opciones(correctas=(True, False)) for _ in range(2)]
    evaluacion = evaluacion_con(*preguntas, intentos_permitidos=0, metodo_calificacion=metodo)
    persona = _persona("14")
    for elecciones in ([0, 1], [0, 0], [1, 0]):
        # 50 %, 100 %, 50 %: the first and the last attempt differ from the best.
        _responder(evaluacion, persona, elecciones)
    _entrar(client)
    html = client.get(reverse("evaluaciones:resultados", args=[evaluacion.pk])).content.decode()
    assert "Calificación final" in html
    celdas = [c for c in html.split("<td>") if c.startswith(final + "</td>")]
    assert len(celdas) >= 3  # the person's final grade on each of their three rows
