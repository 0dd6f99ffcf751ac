"""Conformance: each corpus file imports, exports to Moodle XML, re-imports, and loses nothing."""

import re
from decimal import Decimal

import pytest
from defusedxml import ElementTree as ET

from evaluaciones.importers.moodle_xml import (
    avisos_de_exportacion,
    exportar_moodle_xml,
    interpretar_moodle_xml,
)
from evaluaciones.scoring import TipoPregunta
from tests.evaluaciones.conformidad.lectura import (
    ARCHIVOS,
    cargadas,
    huella,
    importar,
    interpretar,
    leer,
)
from tests.factories import CategoriaPreguntaFactory, CursoPageFactory

# Errors a file is written to contain: (question number, words of the message).
ERRORES_ESPERADOS = {
    "no_conservable.xml": {
        (6, "«calculated»"),
        (7, "«cloze»"),
        (8, "«ddwtos»"),
        (9, "«description»"),
    },
}

CREDITOS_FUERA_DE_LA_LISTA = {"no_conservable.xml": ["35"]}

# Moodle's grade list (question_bank::fraction_options_full), seven decimals of a share.
LISTA_MOODLE = [
    Decimal(v)
    for v in (
        "1", "0.9", "0.8333333", "0.8", "0.75", "0.7", "0.6666667", "0.6", "0.5", "0.4",
        "0.3333333", "0.3", "0.25", "0.2", "0.1666667", "0.1428571", "0.125", "0.1111111",
        "0.1", "0.05", "0",
    )
]  # fmt: skip


def _moodle_acepta(fraccion: str) -> bool:
    """Moodle's match_grade_options in 'error' mode, applied to a written percentage."""
    valor = abs(Decimal(fraccion) / 100)
    return any(abs(valor - v) < Decimal("0.00001") for v in LISTA_MOODLE)


def test_el_corpus_cubre_cada_tipo_de_pregunta():
    tipos = {p.tipo for nombre in ARCHIVOS for p in interpretar(nombre).preguntas}
    assert tipos == set(TipoPregunta)


@pytest.mark.parametrize("nombre", ARCHIVOS)
def test_cada_archivo_se_interpreta_sin_errores_inesperados(nombre):
    resultado = interpretar(nombre)
    assert resultado.preguntas
    esperados = ERRORES_ESPERADOS.get(nombre, set())
    assert len(resultado.errores) == len(esperados)
    for numero, palabras in esperados:
        error = next(e for e in resultado.errores if e.numero == numero)
        assert palabras in error.mensaje


@pytest.mark.parametrize("nombre", ARCHIVOS)
def test_bom_y_fin_de_linea_crlf_no_cambian_nada(nombre):
    texto = leer(nombre)
    assert interpretar(nombre, "\ufeff" + texto.replace("\n", "\r\n")) == interpretar(nombre)


@pytest.mark.django_db
@pytest.mark.parametrize("nombre", ARCHIVOS)
def test_importar_exportar_y_reimportar_no_pierde_nada(nombre):
    primera = interpretar(nombre)
    curso_a, curso_b = CursoPageFactory(), CursoPageFactory()
    originales = cargadas(
        importar(primera, CategoriaPreguntaFactory(nombre="Importadas", curso=curso_a))
    )

    xml = exportar_moodle_xml(originales)

    # What Moodle's importer needs: its grade list, five decimals, category paths.
    raiz = ET.fromstring(xml)
    for respuesta in raiz.iter("answer"):
        if respuesta.get("fraction") is not None:
            assert re.fullmatch(r"-?\d+(\.\d{1,5})?", respuesta.get("fraction"))
    rechazadas = [
        respuesta.get("fraction")
        for pregunta in raiz.findall("question")
        if pregunta.get("type") in ("multichoice", "shortanswer", "numerical")
        for respuesta in pregunta.findall("answer")
        if not _moodle_acepta(respuesta.get("fraction"))
    ]
    # Only a credit the file itself gave outside Moodle's list, and the export screen names it.
    assert rechazadas == CREDITOS_FUERA_DE_LA_LISTA.get(nombre, [])
    avisos = avisos_de_exportacion(originales)
    assert len(avisos) == len(rechazadas)
    for fraccion, aviso in zip(rechazadas, avisos, strict=True):
        assert f"{fraccion} %" in aviso
    for pregunta in raiz.findall("question"):
        if pregunta.get("type") == "category":
            assert pregunta.findtext("category/text").startswith("$course$/top/")

    segunda = interpretar_moodle_xml(xml)
    assert segunda.errores == ()
    # Our own export re-imports without a single warning but the credits Moodle refuses.
    assert all("lista de Moodle" in a for p in segunda.preguntas for a in p.avisos)
    copias = cargadas(
        importar(segunda, CategoriaPreguntaFactory(nombre="Importadas", curso=curso_b))
    )
    assert all(p.categoria.curso_id == curso_b.pk for p in copias)

    def ordenar(huellas):
        return sorted(huellas, key=lambda h: (h["categoria"], h["titulo"]))

    assert ordenar(map(huella, copias)) == ordenar(map(huella, originales))
