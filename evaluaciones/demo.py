"""Demo evaluations for `make run`: one question of every type, a practical activity, and attempts.

The engine knows nothing of courses: the caller hands the page of the course that owns
the evaluations and says who answers what. Attempts go through the engine's services
(start, autosave, submit, grade by hand), so scores, grades and the results other apps
derive from them are exactly those of a real attempt. Every step is idempotent: the
bank is found by category and title, evaluations by course and title, and a person
who already has attempts at an evaluation is left alone.
"""

from __future__ import annotations

import datetime
import enum
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, assert_never

import xlsxwriter
from PIL import Image, ImageDraw, ImageFont

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from evaluaciones import selectors, services
from evaluaciones.models import (
    CategoriaPregunta,
    CriterioRubrica,
    Evaluacion,
    Intento,
    OpcionPregunta,
    Pregunta,
    SeccionEvaluacion,
)
from evaluaciones.respuestas import nombre_campo
from evaluaciones.scoring import TIPOS_MANUALES, TipoPregunta

TITULO_TEORICA = "Evaluación de la fase teórica"
TITULO_PRACTICA = "Actividad práctica: ficha de su práctica de transparencia proactiva"
CATEGORIA_TEORICA = "Fundamentos de la transparencia proactiva"
CATEGORIA_PRACTICA = "Práctica de transparencia proactiva"


@dataclass(frozen=True)
class OpcionDemo:
    texto: str = ""
    correcta: bool = False
    pareja: str = ""
    retroalimentacion: str = ""
    tolerancia: Decimal | None = None


@dataclass(frozen=True)
class PreguntaDemo:
    titulo: str
    tipo: TipoPregunta
    enunciado: str
    puntos: Decimal
    opciones: tuple[OpcionDemo, ...] = ()
    es_verdadera: bool | None = None
    retroalimentacion: str = ""
    # Rubric of hand-graded questions: (criterion, maximum points).
    criterios: tuple[tuple[str, Decimal], ...] = ()
    extensiones: str = ""
    longitud_maxima: int = 10000
    etiquetas: tuple[str, ...] = ()


PREGUNTAS_TEORICAS: tuple[PreguntaDemo, ...] = (
    PreguntaDemo(
        titulo="Definición de transparencia proactiva",
        tipo=TipoPregunta.OPCION_UNICA,
        enunciado="<p>¿Cuál de las siguientes afirmaciones describe mejor la "
        "<b>transparencia proactiva</b>?</p>",
        puntos=Decimal(1),
        opciones=(
            OpcionDemo(
                "Publicar información adicional a la que la ley exige como mínimo, elegida a "
                "partir de la demanda de la sociedad.",
                correcta=True,
                retroalimentacion="Correcto: es voluntaria, adicional y responde a una "
                "demanda identificada.",
            ),
            OpcionDemo(
                "Publicar en tiempo y forma los formatos de las obligaciones de transparencia.",
                retroalimentacion="Eso es cumplir las obligaciones de transparencia, el mínimo "
                "que la ley exige a todo sujeto obligado.",
            ),
            OpcionDemo(
                "Responder las solicitudes de acceso a la información antes del plazo legal.",
                retroalimentacion="Responder pronto es una buena práctica del derecho de acceso, "
                "no una política de transparencia proactiva.",
            ),
            OpcionDemo(
                "Difundir boletines de prensa sobre las actividades de la institución.",
                retroalimentacion="La comunicación social no parte de la demanda de información "
                "de un público definido.",
            ),
        ),
        retroalimentacion="Repase la lección «¿Qué es la transparencia proactiva?».",
        etiquetas=("conceptos",),
    ),
    PreguntaDemo(
        titulo="Fuentes de evidencia de la demanda",
        tipo=TipoPregunta.OPCION_MULTIPLE,
        enunciado="<p>¿Qué fuentes le sirven para identificar la demanda de información de "
        "la sociedad? Marque todas las que correspondan.</p>",
        puntos=Decimal(2),
        opciones=(
            OpcionDemo("Las solicitudes de acceso a la información recibidas.", correcta=True),
            OpcionDemo("Los recursos de revisión interpuestos.", correcta=True),
            OpcionDemo("Los términos más buscados en el portal institucional.", correcta=True),
            OpcionDemo(
                "El número de documentos que la institución ya tiene digitalizados.",
                retroalimentacion="Publicar lo que se tiene a la mano es partir de la oferta, "
                "no de la demanda.",
            ),
            OpcionDemo("Las preferencias personales de la persona titular del área."),
        ),
        retroalimentacion="Las solicitudes, los recursos, las búsquedas, las consultas en "
        "ventanilla y el diálogo con las personas usuarias muestran qué se necesita saber.",
        etiquetas=("diagnóstico",),
    ),
    PreguntaDemo(
        titulo="Límites: información reservada",
        tipo=TipoPregunta.VERDADERO_FALSO,
        enunciado="<p>La transparencia proactiva permite publicar información clasificada "
        "como reservada cuando es de interés público.</p>",
        puntos=Decimal(1),
        es_verdadera=False,
        retroalimentacion="Falso: nunca autoriza publicar información reservada o "
        "confidencial. Elabore versiones públicas o publique información agregada.",
        etiquetas=("marco normativo",),
    ),
    PreguntaDemo(
        titulo="Artículo 58: base de la evaluación",
        tipo=TipoPregunta.RESPUESTA_CORTA,
        enunciado="<p>Según el artículo 58 de la ley general de 2015, los organismos garantes "
        "evalúan la efectividad de la política de transparencia proactiva considerando como "
        "base la ______ que la sociedad haga de la información. Escriba la palabra que "
        "falta.</p>",
        puntos=Decimal(1),
        opciones=(
            OpcionDemo("reutilización"),
            OpcionDemo("la reutilización"),
            OpcionDemo("reutilización de la información"),
        ),
        retroalimentacion="La efectividad se mide por la reutilización de la información, no "
        "por cuántos documentos se publicaron.",
        etiquetas=("marco normativo",),
    ),
    PreguntaDemo(
        titulo="Peso de un tema en las solicitudes",
        tipo=TipoPregunta.NUMERICA,
        enunciado="<p>Un ayuntamiento recibió 480 solicitudes de información en el año; 120 "
        "preguntaban por el calendario de recolección de residuos. ¿Qué porcentaje del total "
        "representan? Escriba solo el número.</p>",
        puntos=Decimal(1),
        opciones=(OpcionDemo("25", correcta=True, tolerancia=Decimal("0.5")),),
        retroalimentacion="120 ÷ 480 = 0.25, es decir, 25 %: una demanda medible que justifica "
        "publicar rutas y horarios por colonia.",
        etiquetas=("diagnóstico",),
    ),
    PreguntaDemo(
        titulo="Qué revela cada fuente de evidencia",
        tipo=TipoPregunta.RELACIONAR,
        enunciado="<p>Relacione cada fuente de evidencia con lo que revela sobre la demanda "
        "de información.</p>",
        puntos=Decimal(2),
        opciones=(
            OpcionDemo(
                "Solicitudes de acceso a la información",
                pareja="Las preguntas que la población repite",
            ),
            OpcionDemo(
                "Recursos de revisión",
                pareja="Las respuestas que no satisficieron a quien preguntó",
            ),
            OpcionDemo(
                "Búsquedas en el portal institucional",
                pareja="Las necesidades que el sitio web no resuelve",
            ),
            OpcionDemo("Quejas y denuncias", pareja="Los problemas que la información prevendría"),
            # A match without a premise is a distractor.
            OpcionDemo(pareja="El presupuesto del área de comunicación social"),
        ),
        retroalimentacion="Repase «Fuentes para detectar la demanda» en la lección «Cómo "
        "identificar información socialmente útil».",
        etiquetas=("diagnóstico",),
    ),
    PreguntaDemo(
        titulo="Pasos del inventario de demanda",
        tipo=TipoPregunta.ORDENAR,
        enunciado="<p>Ordene los pasos para elaborar su primer inventario de demanda de "
        "información.</p>",
        puntos=Decimal(2),
        opciones=(
            OpcionDemo("Reunir las solicitudes de información recibidas en el último año."),
            OpcionDemo("Clasificarlas en no más de diez temas."),
            OpcionDemo("Elegir los tres temas más frecuentes."),
            OpcionDemo("Anotar, para cada tema, quién pregunta y para qué le sirve la respuesta."),
        ),
        etiquetas=("diagnóstico",),
    ),
    PreguntaDemo(
        titulo="Obligación o práctica proactiva (ensayo)",
        tipo=TipoPregunta.ENSAYO,
        enunciado="<p>En no más de 200 palabras, explique la diferencia entre una obligación "
        "de transparencia y una práctica de transparencia proactiva, con un ejemplo de su "
        "institución.</p>",
        puntos=Decimal(5),
        longitud_maxima=2000,
        criterios=(
            ("Distingue el mínimo legal de la información adicional y voluntaria", Decimal(2)),
            ("Vincula la práctica con una demanda identificada y un público", Decimal(2)),
            ("Da un ejemplo concreto y pertinente de su institución", Decimal(1)),
        ),
        etiquetas=("conceptos",),
    ),
    PreguntaDemo(
        titulo="Primer inventario de demanda (entregable)",
        tipo=TipoPregunta.ENTREGABLE,
        enunciado="<p>Suba su primer inventario de demanda: una hoja de cálculo o un PDF con "
        "los tres temas más frecuentes de las solicitudes que recibió su institución, el "
        "público que pregunta por cada uno y el uso que le daría a la información.</p>",
        puntos=Decimal(5),
        extensiones="xlsx,ods,pdf",
        criterios=(
            ("Tres temas sustentados en solicitudes reales", Decimal(2)),
            ("Público determinado o determinable de cada tema", Decimal(2)),
            ("Uso esperado de la información", Decimal(1)),
        ),
        etiquetas=("diagnóstico",),
    ),
)

PREGUNTAS_PRACTICAS: tuple[PreguntaDemo, ...] = (
    PreguntaDemo(
        titulo="Ficha de la práctica (entregable)",
        tipo=TipoPregunta.ENTREGABLE,
        enunciado="<p>Suba la ficha de la práctica de transparencia proactiva que diseñó su "
        "equipo: el objetivo en una oración, el público al que se dirige, la información que "
        "publicará, el formato y el medio de difusión, y dos indicadores de uso.</p>",
        puntos=Decimal(10),
        extensiones="pdf,docx,odt",
        criterios=(
            ("Diagnóstico: demanda documentada con al menos dos fuentes", Decimal(4)),
            ("Público, formato y medio de difusión congruentes", Decimal(3)),
            ("Indicadores de uso y reutilización de la información", Decimal(3)),
        ),
        etiquetas=("práctica",),
    ),
)


@dataclass(frozen=True)
class EvaluacionDemo:
    titulo: str
    categoria: str
    descripcion: str
    preguntas: tuple[PreguntaDemo, ...]
    intentos_permitidos: int


TEORICA = EvaluacionDemo(
    titulo=TITULO_TEORICA,
    categoria=CATEGORIA_TEORICA,
    descripcion="Siete preguntas sobre los conceptos y el marco normativo, un ensayo breve y "
    "su primer inventario de demanda. Sus respuestas se guardan solas: puede salir y continuar "
    "después. El ensayo y el inventario los califica la persona instructora.\n\n"
    "Se aprueba con 70 %; cuenta su mejor intento.",
    preguntas=PREGUNTAS_TEORICAS,
    intentos_permitidos=3,
)
PRACTICA = EvaluacionDemo(
    titulo=TITULO_PRACTICA,
    categoria=CATEGORIA_PRACTICA,
    descripcion="Entregue la ficha de la práctica que su equipo trabajó en los talleres. La "
    "persona instructora la califica con la rúbrica de la actividad y le deja comentarios.",
    preguntas=PREGUNTAS_PRACTICAS,
    intentos_permitidos=2,
)


@dataclass(frozen=True)
class Evaluaciones:
    teorica: Evaluacion
    practica: Evaluacion


def _pregunta(datos: PreguntaDemo, categoria: CategoriaPregunta, autora: Any) -> Pregunta:
    existente = Pregunta.objects.filter(categoria=categoria, titulo=datos.titulo).first()
    if existente is not None:
        return existente
    pregunta = Pregunta(
        titulo=datos.titulo,
        tipo=datos.tipo,
        categoria=categoria,
        enunciado=datos.enunciado,
        puntos=datos.puntos,
        retroalimentacion=datos.retroalimentacion,
        es_verdadera=datos.es_verdadera,
        longitud_maxima=datos.longitud_maxima,
    )
    if datos.extensiones:
        pregunta.extensiones_permitidas = datos.extensiones
    pregunta.opciones = [
        OpcionPregunta(
            texto=o.texto,
            correcta=o.correcta,
            pareja=o.pareja,
            retroalimentacion=o.retroalimentacion,
            tolerancia=o.tolerancia,
            sort_order=i,
        )
        for i, o in enumerate(datos.opciones)
    ]
    pregunta.criterios = [
        CriterioRubrica(descripcion=d, puntos=p, sort_order=i)
        for i, (d, p) in enumerate(datos.criterios)
    ]
    pregunta.etiquetas.add(*datos.etiquetas)
    pregunta.save()
    # Attempts record the revision of each question they showed, as for authored questions.
    pregunta.save_revision(user=autora, log_action=True)
    return pregunta


def _evaluacion(
    datos: EvaluacionDemo,
    *,
    curso: Any,
    abre_en: datetime.datetime,
    cierra_en: datetime.datetime,
    autora: Any,
) -> Evaluacion:
    categoria, _creada = CategoriaPregunta.objects.get_or_create(
        curso=curso,
        nombre=datos.categoria,
        defaults={"descripcion": "Preguntas de la jornada nacional de demostración."},
    )
    preguntas = [_pregunta(p, categoria, autora) for p in datos.preguntas]
    evaluacion = Evaluacion.objects.filter(curso=curso, titulo=datos.titulo).first()
    if evaluacion is None:
        evaluacion = Evaluacion(
            titulo=datos.titulo,
            curso=curso,
            descripcion=datos.descripcion,
            publicada=True,
            abre_en=abre_en,
            cierra_en=cierra_en,
            intentos_permitidos=datos.intentos_permitidos,
            puntaje_aprobatorio=Decimal(70),
        )
        evaluacion.secciones = [
            SeccionEvaluacion(pregunta=p, sort_order=i) for i, p in enumerate(preguntas)
        ]
        evaluacion.save()
        return evaluacion
    if (evaluacion.abre_en, evaluacion.cierra_en) != (abre_en, cierra_en):
        _reprogramar(evaluacion, abre_en=abre_en, cierra_en=cierra_en)
    return evaluacion


def _reprogramar(
    evaluacion: Evaluacion, *, abre_en: datetime.datetime, cierra_en: datetime.datetime
) -> None:
    """Move the evaluation's dates, and the deadline of attempts in progress with them.

    An attempt's deadline is derived from the close date when it starts
    (`selectors.vencimiento`); the demo moves its dates on every load, so the derived
    deadlines are recomputed with the same rule.
    """
    evaluacion.abre_en = abre_en
    evaluacion.cierra_en = cierra_en
    evaluacion.save(update_fields=["abre_en", "cierra_en", "actualizada_en"])
    for intento in Intento.objects.select_for_update().filter(
        evaluacion=evaluacion, estado=Intento.Estado.EN_CURSO
    ):
        excepcion = selectors.excepcion_de(evaluacion=evaluacion, usuario_id=intento.usuario_id)
        intento.vence_en = selectors.vencimiento(evaluacion, excepcion, intento.iniciado_en)
        intento.save(update_fields=["vence_en"])


@transaction.atomic
def cargar(
    *,
    curso: Any,
    abre_en: datetime.datetime,
    abre_practica_en: datetime.datetime,
    cierra_en: datetime.datetime,
    autora: Any = None,
) -> Evaluaciones:
    """The course's theoretical evaluation and practical activity, dated as given; idempotent."""
    return Evaluaciones(
        teorica=_evaluacion(
            TEORICA, curso=curso, abre_en=abre_en, cierra_en=cierra_en, autora=autora
        ),
        practica=_evaluacion(
            PRACTICA, curso=curso, abre_en=abre_practica_en, cierra_en=cierra_en, autora=autora
        ),
    )


# --- Attempts -------------------------------------------------------------------------


@dataclass(frozen=True)
class Desempeno:
    """How one demo participant answers an evaluation, and how the instructor grades it.

    Automatic questions whose type is in `aciertos` are answered right, the others
    wrong; `sin_responder` are left blank. `rubrica` gives the points per rubric
    criterion of each hand-graded type; without it, those answers wait for a grade.
    """

    aciertos: frozenset[TipoPregunta] = frozenset()
    sin_responder: frozenset[TipoPregunta] = frozenset()
    ensayo: str = ""
    archivo: tuple[str, bytes] | None = None
    enviar: bool = True
    rubrica: Mapping[TipoPregunta, tuple[Decimal, ...]] = field(default_factory=dict)
    comentario: str = ""


def _correcta(item: Mapping[str, Any]) -> dict[str, list[str]]:
    """The form fields that answer snapshot `item` right, read from the attempt's own key."""
    tipo = item["tipo"]
    clave = item["clave"]
    correcta = item["clave_correcta"]
    campo = nombre_campo(clave)
    match tipo:
        case TipoPregunta.OPCION_UNICA | TipoPregunta.VERDADERO_FALSO:
            return {campo: [next(i for i, f in correcta["fracciones"].items() if f == "1/1")]}
        case TipoPregunta.OPCION_MULTIPLE:
            return {campo: [i for i, f in correcta["fracciones"].items() if _positiva(f)]}
        case TipoPregunta.RESPUESTA_CORTA:
            return {campo: [correcta["aceptadas"][0][0]]}
        case TipoPregunta.NUMERICA:
            primera = next(r for r in correcta["respuestas"] if r[2] == "1/1")
            return {campo: [primera[0]]}
        case TipoPregunta.RELACIONAR:
            return {nombre_campo(clave, p): [m] for p, m in correcta["pares"]}
        case TipoPregunta.ORDENAR:
            return {nombre_campo(clave, e): [str(n)] for n, e in enumerate(correcta["orden"], 1)}
    raise ValueError(tipo)


def _incorrecta(item: Mapping[str, Any]) -> dict[str, list[str]]:
    """Form fields that answer snapshot `item` wrong (no credit at all)."""
    tipo = item["tipo"]
    clave = item["clave"]
    correcta = item["clave_correcta"]
    campo = nombre_campo(clave)
    match tipo:
        case TipoPregunta.OPCION_UNICA | TipoPregunta.VERDADERO_FALSO:
            return {campo: [next(i for i, f in correcta["fracciones"].items() if f == "0/1")]}
        case TipoPregunta.OPCION_MULTIPLE:
            return {campo: [i for i, f in correcta["fracciones"].items() if not _positiva(f)]}
        case TipoPregunta.RESPUESTA_CORTA:
            return {campo: ["publicación"]}
        case TipoPregunta.NUMERICA:
            return {campo: ["12"]}
        case TipoPregunta.RELACIONAR:
            pares = correcta["pares"]
            # Every premise gets the match of the next one.
            return {
                nombre_campo(clave, p): [pares[(n + 1) % len(pares)][1]]
                for n, (p, _m) in enumerate(pares)
            }
        case TipoPregunta.ORDENAR:
            orden = correcta["orden"]
            return {nombre_campo(clave, e): [str(len(orden) - n)] for n, e in enumerate(orden)}
    raise ValueError(tipo)


def _positiva(fraccion: str) -> bool:
    numerador, _barra, _denominador = fraccion.partition("/")
    return int(numerador) > 0


@transaction.atomic
def presentar(
    *, evaluacion: Evaluacion, usuario: Any, desempeno: Desempeno, inicio: datetime.datetime
) -> Intento:
    """Take the evaluation as `desempeno` says, one autosaved answer at a time from `inicio`."""
    intento = services.iniciar_intento(evaluacion=evaluacion, usuario=usuario, ahora=inicio)
    momento = inicio
    for item in intento.instantanea["preguntas"]:
        tipo = TipoPregunta(item["tipo"])
        if tipo in desempeno.sin_responder:
            continue
        momento += datetime.timedelta(minutes=3)
        datos: dict[str, list[str]] = {}
        archivo = None
        if tipo == TipoPregunta.ENTREGABLE:
            if desempeno.archivo is None:
                continue
            nombre, contenido = desempeno.archivo
            archivo = SimpleUploadedFile(nombre, contenido)
        elif tipo == TipoPregunta.ENSAYO:
            if not desempeno.ensayo:
                continue
            datos = {nombre_campo(item["clave"]): [desempeno.ensayo]}
        elif tipo in desempeno.aciertos:
            datos = _correcta(item)
        else:
            datos = _incorrecta(item)
        services.guardar_respuesta(
            intento_id=intento.pk,
            usuario=usuario,
            clave=item["clave"],
            datos=datos,
            archivo=archivo,
            ahora=momento,
        )
    if desempeno.enviar:
        intento = services.enviar_intento(
            intento_id=intento.pk, usuario=usuario, ahora=momento + datetime.timedelta(minutes=5)
        ).intento
    return intento


@transaction.atomic
def calificar(
    *, intento: Intento, desempeno: Desempeno, calificador: Any, ahora: datetime.datetime
) -> Intento:
    """Grade the attempt's hand-graded answers with the rubric points of `desempeno`."""
    items = {i["clave"]: i for i in intento.instantanea["preguntas"]}
    for respuesta in intento.respuestas.order_by("pk"):
        item = items[respuesta.clave]
        tipo = TipoPregunta(item["tipo"])
        if tipo not in TIPOS_MANUALES or tipo not in desempeno.rubrica:
            continue
        criterios = list(
            CriterioRubrica.objects.filter(pregunta_id=item["pregunta_id"]).order_by("sort_order")
        )
        puntos: Sequence[Decimal] = desempeno.rubrica[tipo]
        intento = services.calificar_manual(
            respuesta_id=respuesta.pk,
            criterios={c.pk: p for c, p in zip(criterios, puntos, strict=True)},
            comentario=desempeno.comentario,
            calificador=calificador,
            ahora=ahora,
        )
    return intento


def ya_presento(*, evaluacion: Evaluacion, usuario: Any) -> bool:
    return Intento.objects.filter(evaluacion=evaluacion, usuario=usuario).exists()


# --- Sample deliverables ----------------------------------------------------------------

TEMAS_INVENTARIO = (
    (
        "Requisitos y costos de licencias de funcionamiento",
        "Personas que abren un negocio",
        "Reunir los documentos antes de acudir a ventanilla",
        "64",
    ),
    (
        "Calendario de recolección de residuos por colonia",
        "Vecinas y vecinos",
        "Sacar la basura el día y a la hora de paso del camión",
        "41",
    ),
    (
        "Avance de obras públicas en curso",
        "Comités vecinales y medios locales",
        "Dar seguimiento a plazos y montos de cada obra",
        "27",
    ),
)


def inventario_xlsx(*, institucion: str) -> tuple[str, bytes]:
    """A filled-in demand inventory, the theoretical phase's deliverable, as an XLSX file."""
    salida = io.BytesIO()
    libro = xlsxwriter.Workbook(salida, {"in_memory": True})
    hoja = libro.add_worksheet("Inventario")
    negritas = libro.add_format({"bold": True})
    hoja.write(0, 0, f"Inventario de demanda de información — {institucion}", negritas)
    encabezados = ("Tema", "Público que pregunta", "Uso esperado", "Solicitudes en el año")
    for columna, texto in enumerate(encabezados):
        hoja.write(2, columna, texto, negritas)
    for fila, tema in enumerate(TEMAS_INVENTARIO, start=3):
        for columna, texto in enumerate(tema):
            if columna == 3:
                hoja.write_number(fila, columna, int(texto))
            else:
                hoja.write(fila, columna, texto)
    hoja.set_column(0, 2, 48)
    hoja.set_column(3, 3, 22)
    libro.close()
    return "inventario-de-demanda.xlsx", salida.getvalue()


def ficha_pdf(*, institucion: str) -> tuple[str, bytes]:
    """A one-page practice sheet, the practical phase's deliverable, as a PDF (via Pillow)."""
    lineas = [
        ("Ficha de la práctica de transparencia proactiva", 34),
        (institucion, 26),
        ("", 20),
        ("Objetivo: que las personas que abren un negocio conozcan requisitos,", 22),
        ("costos y plazos de la licencia de funcionamiento antes de acudir.", 22),
        ("", 20),
        ("Público: personas emprendedoras del municipio (64 solicitudes en el año).", 22),
        ("Información: requisitos, costos, plazos y ventanillas, actualizados cada mes.", 22),
        ("Formato y medio: guía en lenguaje claro, mapa de ventanillas y datos", 22),
        ("abiertos (CSV) en el portal; carteles en las ventanillas.", 22),
        ("", 20),
        ("Indicadores de uso:", 22),
        ("1. Descargas mensuales de la guía y del conjunto de datos.", 22),
        ("2. Disminución de solicitudes de información sobre el trámite.", 22),
    ]
    pagina = Image.new("RGB", (1240, 1754), "white")
    lapiz = ImageDraw.Draw(pagina)
    y = 120
    for texto, tamano in lineas:
        if texto:
            lapiz.text((110, y), texto, fill="black", font=ImageFont.load_default(size=tamano))
        y += int(tamano * 1.8)
    salida = io.BytesIO()
    pagina.save(salida, "PDF", resolution=150.0, title="Ficha de la práctica")
    return "ficha-de-la-practica.pdf", salida.getvalue()


# --- Who answers what -------------------------------------------------------------------


class Perfil(enum.StrEnum):
    """How a demo participant fares in an evaluation."""

    SOBRESALIENTE = "sobresaliente"
    SUFICIENTE = "suficiente"
    INSUFICIENTE = "insuficiente"
    # Submitted; the hand-graded answers wait for the instructor.
    POR_CALIFICAR = "por_calificar"
    # Started and partly answered, not submitted.
    EN_CURSO = "en_curso"


AUTOMATICAS = frozenset(TipoPregunta) - TIPOS_MANUALES
M = TipoPregunta  # short alias for the tables below

ENSAYOS = {
    Perfil.SOBRESALIENTE: (
        "Una obligación de transparencia es el mínimo que la ley exige publicar a todo sujeto "
        "obligado, en los formatos y plazos que fija, como la estructura orgánica o los "
        "contratos. Una práctica de transparencia proactiva es información adicional y "
        "voluntaria que la institución decide publicar porque identificó que un grupo de "
        "personas la necesita. En nuestra secretaría, un tercio de las solicitudes del año "
        "preguntaban por los requisitos de las licencias de funcionamiento; publicar una guía "
        "en lenguaje claro con costos y plazos, y medir sus descargas, sería una práctica "
        "proactiva dirigida a las personas que abren un negocio."
    ),
    Perfil.SUFICIENTE: (
        "Las obligaciones de transparencia son lo que la ley obliga a publicar a todos. La "
        "transparencia proactiva es publicar información extra que le sirve a la gente, por "
        "ejemplo el calendario de recolección de basura por colonia, que es lo que más nos "
        "preguntan."
    ),
    Perfil.INSUFICIENTE: (
        "La transparencia proactiva es publicar más rápido la información de las obligaciones "
        "de transparencia."
    ),
    Perfil.EN_CURSO: (
        "Una obligación de transparencia es el mínimo que la ley exige publicar; la práctica "
        "proactiva es adicional y parte de lo que la gente pregunta. En mi área…"
    ),
}


def desempeno_teorica(perfil: Perfil, *, institucion: str) -> Desempeno:
    """The theoretical evaluation as a participant of `perfil` answers it."""
    inventario = inventario_xlsx(institucion=institucion)
    match perfil:
        case Perfil.SOBRESALIENTE:
            return Desempeno(
                aciertos=AUTOMATICAS,
                ensayo=ENSAYOS[perfil],
                archivo=inventario,
                rubrica={
                    M.ENSAYO: (Decimal(2), Decimal(2), Decimal(1)),
                    M.ENTREGABLE: (Decimal(2), Decimal(1), Decimal(1)),
                },
                comentario="Muy buen trabajo: el ejemplo parte de una demanda medida.",
            )
        case Perfil.SUFICIENTE | Perfil.POR_CALIFICAR:
            return Desempeno(
                aciertos=AUTOMATICAS - {M.NUMERICA, M.RELACIONAR},
                ensayo=ENSAYOS[Perfil.SUFICIENTE],
                archivo=inventario,
                rubrica={}
                if perfil == Perfil.POR_CALIFICAR
                else {
                    M.ENSAYO: (Decimal(2), Decimal(1), Decimal(1)),
                    M.ENTREGABLE: (Decimal(2), Decimal(1), Decimal(1)),
                },
                comentario="Aprobado. Precise a qué público se dirige cada tema.",
            )
        case Perfil.INSUFICIENTE:
            return Desempeno(
                aciertos=frozenset({M.OPCION_UNICA, M.VERDADERO_FALSO, M.RESPUESTA_CORTA}),
                ensayo=ENSAYOS[perfil],
                archivo=inventario,
                rubrica={
                    M.ENSAYO: (Decimal(1), Decimal(0), Decimal(0)),
                    M.ENTREGABLE: (Decimal(1), Decimal(1), Decimal(0)),
                },
                comentario="Repase la diferencia entre obligaciones y prácticas proactivas y "
                "vuelva a intentarlo.",
            )
        case Perfil.EN_CURSO:
            return Desempeno(
                aciertos=AUTOMATICAS,
                sin_responder=frozenset({M.NUMERICA, M.RELACIONAR, M.ORDENAR, M.ENTREGABLE}),
                ensayo=ENSAYOS[perfil],
                enviar=False,
            )
    assert_never(perfil)


def desempeno_practica(perfil: Perfil, *, institucion: str) -> Desempeno:
    """The practical activity (a practice sheet) as a participant of `perfil` hands it in."""
    ficha = ficha_pdf(institucion=institucion)
    match perfil:
        case Perfil.SOBRESALIENTE:
            return Desempeno(
                archivo=ficha,
                rubrica={M.ENTREGABLE: (Decimal(4), Decimal(3), Decimal(2))},
                comentario="Ficha completa y congruente; agregue la meta de cada indicador.",
            )
        case Perfil.SUFICIENTE:
            return Desempeno(
                archivo=ficha,
                rubrica={M.ENTREGABLE: (Decimal(3), Decimal(3), Decimal(2))},
                comentario="Documente una segunda fuente de evidencia de la demanda.",
            )
        case Perfil.INSUFICIENTE:
            return Desempeno(
                archivo=ficha,
                rubrica={M.ENTREGABLE: (Decimal(1), Decimal(2), Decimal(1))},
                comentario="Falta el diagnóstico de la demanda; revise el taller 1.",
            )
        case Perfil.POR_CALIFICAR:
            return Desempeno(archivo=ficha)
        case Perfil.EN_CURSO:
            return Desempeno(archivo=ficha, enviar=False)
    assert_never(perfil)
