"""Item analysis as pure functions, checked against hand-computed tables, and its pages."""

import csv
import io
import re
from decimal import Decimal

import pytest

from django.urls import reverse

from evaluaciones import services, tipos
from evaluaciones.analisis import (
    SIN_RESPUESTA,
    IntentoAnalizado,
    ItemIntento,
    Problema,
    analizar,
    analizar_pregunta,
    correlacion,
    problemas,
)
from evaluaciones.models import Pregunta
from tests.factories import (
    AsignacionRolFactory,
    OpcionPreguntaFactory,
    PreguntaFactory,
    UsuarioFactory,
)
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.factories.evaluaciones_cursos import curso_impartido, iniciar


def _intentos(tabla):
    """Rows of {clave: (obtenidos, posibles, elegidas)} -> attempts."""
    return [
        IntentoAnalizado(
            n,
            {
                c: ItemIntento(o, p, frozenset(e), respondida=bool(e) or o > 0)
                for c, (o, p, e) in fila.items()
            },
        )
        for n, fila in enumerate(tabla, start=1)
    ]


@pytest.mark.parametrize(
    ("xs", "ys", "esperado"),
    [
        ([0, 1, 0, 1], [0, 1, 0, 1], 1.0),
        ([0, 1, 0, 1], [1, 0, 1, 0], -1.0),
        ([1, 1, 1, 1], [0, 1, 0, 1], None),
        ([0], [1], None),
        ([0, 1, 1], [0.2, 0.5, 0.8], 0.8660254),
    ],
)
def test_correlacion(xs, ys, esperado):
    resultado = correlacion(xs, ys)
    if esperado is None:
        assert resultado is None
    else:
        assert resultado == pytest.approx(esperado, abs=1e-6)


@pytest.mark.parametrize(
    ("facilidad", "discriminacion", "esperado"),
    [
        (0.5, 0.4, ()),
        (0.1, 0.4, (Problema.MUY_DIFICIL,)),
        (0.2, 0.2, ()),
        (0.96, None, (Problema.MUY_FACIL,)),
        (0.95, 0.5, ()),
        (0.5, 0.1, (Problema.DISCRIMINA_POCO,)),
        (0.5, -0.3, (Problema.DISCRIMINACION_NEGATIVA,)),
        (0.1, -0.3, (Problema.MUY_DIFICIL, Problema.DISCRIMINACION_NEGATIVA)),
        (None, None, ()),
    ],
)
def test_problemas(facilidad, discriminacion, esperado):
    assert problemas(facilidad, discriminacion) == esperado


def test_pregunta_buena_discrimina_y_mala_discrimina_al_reves():
    # "a" is answered right by the strong participants, "b" by the weak ones.
    tabla = [
        {"a": (1, 1, "x"), "b": (0, 1, "n"), "c": (1, 1, ""), "d": (1, 1, "")},
        {"a": (1, 1, "x"), "b": (0, 1, "n"), "c": (1, 1, ""), "d": (1, 1, "")},
        {"a": (0, 1, "y"), "b": (1, 1, "m"), "c": (0, 1, ""), "d": (0, 1, "")},
        {"a": (0, 1, ""), "b": (1, 1, "m"), "c": (0, 1, ""), "d": (0, 1, "")},
    ]
    resultado = {r.clave: r for r in analizar(_intentos(tabla))}
    assert resultado["a"].facilidad == pytest.approx(0.5)
    assert resultado["a"].discriminacion == pytest.approx(1.0)
    assert resultado["a"].problemas == ()
    assert resultado["b"].discriminacion == pytest.approx(-1.0)
    assert Problema.DISCRIMINACION_NEGATIVA in resultado["b"].problemas
    assert resultado["a"].frecuencias == {"x": 2, "y": 1, SIN_RESPUESTA: 1}
    assert [r.clave for r in analizar(_intentos(tabla))] == ["a", "b", "c", "d"]


def test_pregunta_que_todos_aciertan_es_muy_facil_sin_discriminacion():
    tabla = [{"a": (2, 2, "x"), "b": (o, 1, "")} for o in (0, 1, 1, 0, 1)]
    resultado = analizar_pregunta("a", _intentos(tabla))
    assert resultado.facilidad == 1.0
    assert resultado.discriminacion is None
    assert resultado.problemas == (Problema.MUY_FACIL,)
    assert resultado.intentos == 5


def test_credito_parcial_cuenta_como_fraccion():
    tabla = [{"a": (0.5, 2, "")}, {"a": (2, 2, "")}, {"b": (1, 1, "")}]
    resultado = analizar_pregunta("a", _intentos(tabla))
    assert resultado.intentos == 2
    assert resultado.facilidad == pytest.approx(0.625)


def test_sin_intentos_no_hay_datos():
    resultado = analizar_pregunta("a", [])
    assert (resultado.intentos, resultado.facilidad, resultado.discriminacion) == (0, None, None)


def test_respuestas_escritas_mas_frecuentes_y_las_demas_juntas():
    # Thirteen distinct answers: "a" four times (right), "b" three (half credit), "c"
    # twice, earning credit once and once not (a key changed in between), ten once each.
    textos = ["a"] * 4 + ["b"] * 3 + ["c", "c"] + [f"x{n:02d}" for n in range(10)]
    obtenidos = [1] * 4 + [0.5] * 3 + [1, 0] + [0] * 10
    intentos = [
        IntentoAnalizado(n, {"q": ItemIntento(o, 1, texto=t)})
        for n, (t, o) in enumerate(zip(textos, obtenidos, strict=True))
    ]
    resultado = analizar_pregunta("q", intentos)
    assert [(r.texto, r.veces) for r in resultado.respuestas] == [
        ("a", 4),
        ("b", 3),
        ("c", 2),
        *[(f"x{n:02d}", 1) for n in range(7)],
    ]
    assert [r.fraccion for r in resultado.respuestas[:3]] == [1.0, 0.5, None]
    assert resultado.respuestas[1].porcentaje == 50.0
    assert (resultado.otras_veces, resultado.otras_distintas) == (3, 3)


def test_preguntas_de_opciones_no_cuentan_respuestas_escritas():
    resultado = analizar_pregunta("a", _intentos([{"a": (1, 1, "x")}]))
    assert resultado.respuestas == ()
    assert (resultado.otras_veces, resultado.otras_distintas) == (0, 0)


# --- The item analysis page and the answers export, through the real URLs ---------------


@pytest.fixture
def instructor(client):
    asignacion = AsignacionRolFactory(rol="instructor")
    client.force_login(asignacion.usuario)
    return asignacion.usuario


def _pregunta_escrita(tipo, titulo, enunciado, aceptadas):
    pregunta = PreguntaFactory(tipo=tipo, titulo=titulo, enunciado=enunciado)
    for i, (texto, fraccion) in enumerate(aceptadas):
        OpcionPreguntaFactory(
            pregunta=pregunta, texto=texto, correcta=True, fraccion=fraccion, sort_order=i
        )
    return pregunta


def _contestar(evaluacion, respuestas):
    """One person's attempt answering each question (by bank id) with its text or option."""
    persona = UsuarioFactory()
    intento = iniciar(evaluacion, persona)
    for item in intento.instantanea["preguntas"]:
        valor = respuestas.get(item["pregunta_id"])
        if valor is None:
            continue
        services.guardar_respuesta(
            intento_id=intento.pk,
            usuario=persona,
            clave=item["clave"],
            datos={f"p-{item['clave']}": [str(valor)]},
        )
    services.enviar_intento(intento_id=intento.pk, usuario=persona)
    return intento


@pytest.fixture
def evaluacion_escrita(instructor):
    corta = _pregunta_escrita(
        Pregunta.Tipo.RESPUESTA_CORTA,
        "Artículo de obligaciones comunes",
        "<p>¿Qué <b>artículo</b> de la Ley General fija las obligaciones &amp; comunes?</p>",
        [("Artículo 70", None), ("70", Decimal("50"))],
    )
    numerica = _pregunta_escrita(
        Pregunta.Tipo.NUMERICA,
        "Sujetos obligados",
        "<p>¿Cuántos sujetos hay?</p>",
        [("3145", None)],
    )
    opciones = pregunta_con_opciones(
        tipo=Pregunta.Tipo.OPCION_MULTIPLE, correctas=(True, False, True), titulo="Principios"
    )
    evaluacion = evaluacion_con(corta, numerica, opciones, intentos_permitidos=0)
    curso_impartido(instructor, evaluacion)
    textos = ["artículo  70", "ARTÍCULO 70", "Artículo 70", "70", "articulo 70", "Art. 70"]
    textos += [f"otra {n}" for n in range(12)]
    numeros = ["3,145", "3145", "3 145", "3.145", "3145.0"]
    for n, texto in enumerate(textos):
        _contestar(
            evaluacion,
            {
                corta.pk: texto,
                numerica.pk: numeros[n % len(numeros)] if n < 10 else None,
            },
        )
    return evaluacion, corta, numerica, opciones


def _seccion(html, titulo):
    return html.split(f">{titulo}</h2>", 1)[1].split("</section>", 1)[0]


def _filas(seccion):
    return [
        [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<td>(.*?)</td>", f)]
        for f in re.findall(r"<tr>(.*?)</tr>", seccion.split("<tbody>", 1)[1], re.S)
    ]


@pytest.mark.django_db
def test_analisis_nombra_preguntas_por_titulo_y_extracto_del_enunciado(client, evaluacion_escrita):
    evaluacion, corta, _numerica, _opciones = evaluacion_escrita
    html = client.get(reverse("evaluaciones:analisis", args=[evaluacion.pk])).content.decode()
    seccion = _seccion(html, "Artículo de obligaciones comunes")
    assert "¿Qué artículo de la Ley General fija las obligaciones &amp; comunes?" in seccion
    assert f"p{corta.pk}<" not in html
    assert f"p{corta.pk} " not in html
    assert "Pregunta 1" not in html


@pytest.mark.django_db
def test_analisis_cuenta_respuestas_cortas_como_las_compara_la_calificacion(
    client, evaluacion_escrita
):
    evaluacion, *_resto = evaluacion_escrita
    html = client.get(reverse("evaluaciones:analisis", args=[evaluacion.pk])).content.decode()
    filas = _filas(_seccion(html, "Artículo de obligaciones comunes"))
    # Case and spaces fold; accents count (the question does not ignore them).
    assert filas[0] == ["artículo 70", "3", "Sí"]
    assert ["70", "1", "Parcial (50 %)"] in filas
    assert ["articulo 70", "1", "No"] in filas
    assert len(filas) == 10 + 2
    assert filas[-2] == ["Otras respuestas (6 distintas)", "6", "—"]
    assert filas[-1] == ["Sin respuesta", "0", "—"]


@pytest.mark.django_db
def test_analisis_cuenta_respuestas_numericas_leidas_como_en_mexico(client, evaluacion_escrita):
    evaluacion, *_resto = evaluacion_escrita
    html = client.get(reverse("evaluaciones:analisis", args=[evaluacion.pk])).content.decode()
    filas = _filas(_seccion(html, "Sujetos obligados"))
    # "3,145", "3145", "3 145" and "3145.0" are all 3145; "3.145" is three point one.
    assert filas == [
        ["3145", "8", "Sí"],
        ["3.145", "2", "No"],
        ["Sin respuesta", "8", "—"],
    ]


@pytest.mark.django_db
def test_analisis_marca_las_opciones_correctas(client, evaluacion_escrita):
    evaluacion, *_resto = evaluacion_escrita
    html = client.get(reverse("evaluaciones:analisis", args=[evaluacion.pk])).content.decode()
    seccion = _seccion(html, "Principios")
    celdas = re.findall(r"<tr><td>(.*?)</td>", seccion.split("<tbody>", 1)[1])
    marcadas = [c for c in celdas if "respuesta correcta" in c]
    assert len(marcadas) == 2
    assert all("✓" in c and 'aria-hidden="true"' in c for c in marcadas)
    assert all("visualmente-oculto" in c for c in marcadas)
    assert any("Opción 1 de Principios" in c for c in celdas if c not in marcadas)


@pytest.mark.django_db
def test_csv_de_respuestas_nombra_la_pregunta_y_su_enunciado(client, evaluacion_escrita):
    evaluacion, corta, *_resto = evaluacion_escrita
    salida = client.get(reverse("evaluaciones:respuestas_csv", args=[evaluacion.pk]))
    filas = list(csv.reader(io.StringIO(b"".join(salida.streaming_content).decode("utf-8-sig"))))
    encabezado = filas[0]
    assert encabezado[3:6] == ["Pregunta", "Enunciado", "Respuesta"]
    de_corta = [f for f in filas[1:] if f[3] == "Artículo de obligaciones comunes"]
    assert len(de_corta) == 18
    assert de_corta[0][4].startswith("¿Qué artículo de la Ley General fija las obligaciones & ")
    assert all(f"p{corta.pk}" not in celda for f in filas for celda in f)


@pytest.mark.django_db
def test_analisis_con_respuestas_escritas_hace_consultas_fijas(
    client, instructor, django_assert_max_num_queries
):
    corta = _pregunta_escrita(Pregunta.Tipo.RESPUESTA_CORTA, "C", "<p>c</p>", [("sí", None)])
    numerica = _pregunta_escrita(Pregunta.Tipo.NUMERICA, "N", "<p>n</p>", [("1", None)])
    evaluacion = evaluacion_con(corta, numerica, intentos_permitidos=0)
    curso_impartido(instructor, evaluacion)
    url = reverse("evaluaciones:analisis", args=[evaluacion.pk])
    _contestar(evaluacion, {corta.pk: "sí", numerica.pk: "1"})
    with django_assert_max_num_queries(18) as pocas:
        assert client.get(url).status_code == 200
    for n in range(8):
        _contestar(evaluacion, {corta.pk: f"r{n}", numerica.pk: str(n)})
    with django_assert_max_num_queries(len(pocas.captured_queries)):
        respuesta = client.get(url)
    filas = _filas(_seccion(respuesta.content.decode(), "C"))
    assert ["r7", "1", "No"] in filas
    assert ["sí", "1", "Sí"] in filas


@pytest.mark.parametrize(
    ("clave", "dada", "esperada"),
    [
        # Keys frozen before the options existed fold case and accents, as they were graded.
        ({"aceptadas": []}, "  Artículo   70 ", "articulo 70"),
        ({"aceptadas": [], "ignorar_acentos": False}, "AÑO", "año"),
        ({"aceptadas": [], "ignorar_acentos": True}, "AÑO", "ano"),
        (
            {"aceptadas": [], "ignorar_acentos": False, "distinguir_mayusculas": True},
            "CURP",
            "CURP",
        ),
        ({"aceptadas": [], "ignorar_acentos": False}, "   ", None),
        ({"aceptadas": [], "ignorar_acentos": False}, None, None),
    ],
)
def test_respuesta_corta_se_agrupa_como_la_compara_la_calificacion(clave, dada, esperada):
    assert tipos.modulo("respuesta_corta").respuesta_analizada(clave, dada) == esperada


@pytest.mark.parametrize(
    ("dada", "esperada"),
    [("3,145", "3145"), ("3145.0", "3145"), ("3.145", "3.145"), ("3,5", "3.5"), ("-0", "0")],
)
def test_respuesta_numerica_se_agrupa_por_el_numero_leido(dada, esperada):
    modulo = tipos.modulo("numerica")
    assert modulo.respuesta_analizada({"respuestas": []}, dada) == esperada


@pytest.mark.parametrize(
    ("tipo", "fracciones", "guardada", "elegidas", "correctas"),
    [
        ("opcion_unica", {"a": "0/1", "b": "1/1", "c": "1/2"}, "c", {"c"}, {"b"}),
        (
            "verdadero_falso",
            {"verdadero": "1/1", "falso": "0/1"},
            "falso",
            {"falso"},
            {"verdadero"},
        ),
        (
            "opcion_multiple",
            {"a": "1/2", "b": "1/2", "c": "-1/1"},
            ["a", "c"],
            {"a", "c"},
            {"a", "b"},
        ),
    ],
)
def test_opciones_elegidas_y_correctas_por_tipo(tipo, fracciones, guardada, elegidas, correctas):
    modulo = tipos.modulo(tipo)
    item = {"clave_correcta": {"fracciones": fracciones}, "vista": {"opciones": []}}
    assert modulo.elige_opciones
    assert modulo.elegidas(guardada) == elegidas
    assert modulo.ids_correctos(item) == correctas
    assert modulo.respuesta_analizada(item["clave_correcta"], guardada) is None
