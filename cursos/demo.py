"""Demo course for `make run`: the national proactive-transparency training day.

Every step is idempotent: pages are found by slug, editions by name, sessions by
title, and enrolments, lesson completions, attendance and attempts go through the
services, which never duplicate a fact. Dates of editions, sessions and evaluations
are recomputed relative to today on every load, so a live session is always open
right after `make run`; facts already recorded keep their dates.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress

from django.db import transaction
from django.utils import timezone

from wagtail.models import Page

from cursos import autoria, manifestaciones, services
from cursos.models import (
    CursoPage,
    Edicion,
    FasePage,
    HomePage,
    Inscripcion,
    LeccionPage,
    ManifestacionInteres,
    ProgramaPage,
    SesionEnVivo,
)
from evaluaciones import demo as evaluaciones_demo
from evaluaciones.demo import Perfil
from lms import services as lms_services
from lms.demo import CONTRASENA_DEMO
from lms.models import EntidadFederativa, Organizacion, Rol, Usuario

LGTAIP_2015 = "Ley General de Transparencia y Acceso a la Información Pública"
CITA_2015 = "texto publicado en el DOF el 4 de mayo de 2015"
LINEAMIENTOS = (
    "Lineamientos para determinar los catálogos y publicación de información de interés "
    "público; y para la emisión y evaluación de políticas de transparencia proactiva"
)


def _texto(html: str) -> tuple[str, str]:
    return ("texto", html)


def _titulo(texto: str, nivel: str = "h2") -> tuple[str, dict[str, str]]:
    return ("encabezado", {"texto": texto, "nivel": nivel})


def _aviso(tipo: str, titulo: str, html: str) -> tuple[str, dict[str, str]]:
    return ("aviso", {"tipo": tipo, "titulo": titulo, "texto": html})


def _articulo(articulo: str, texto: str, ordenamiento: str = LGTAIP_2015, cita: str = CITA_2015):
    return (
        "articulo_legal",
        {
            "ordenamiento": ordenamiento,
            "articulo": articulo,
            "texto": texto,
            "cita": cita,
            "enlace": "",
        },
    )


def _actividad(titulo: str, html: str, minutos: int, entregable: str):
    return (
        "actividad",
        {
            "titulo": titulo,
            "instrucciones": html,
            "duracion_minutos": minutos,
            "entregable": entregable,
        },
    )


NOTA_LEY_2025 = _aviso(
    "importante",
    "Sobre la ley vigente",
    "<p>La Ley General de Transparencia y Acceso a la Información Pública publicada en el "
    "Diario Oficial de la Federación el 20 de marzo de 2025 abrogó la ley de 2015 y "
    "reorganizó a las autoridades garantes. Citamos el texto de 2015 porque con él se "
    "emitieron los lineamientos nacionales de transparencia proactiva que se estudian en "
    "esta jornada; al aplicar lo aprendido, consulte el artículo correlativo del texto "
    "vigente y la normativa que emita su autoridad garante.</p>",
)

LECCIONES_TEORICAS: list[dict[str, Any]] = [
    {
        "slug": "que-es-la-transparencia-proactiva",
        "title": "¿Qué es la transparencia proactiva?",
        "resumen": "La diferencia entre cumplir obligaciones y anticiparse a las necesidades "
        "de información de la población.",
        "duracion_minutos": 40,
        "cuerpo": [
            _titulo("De la obligación a la iniciativa"),
            _texto(
                "<p>La transparencia en México descansa en tres vías complementarias. La "
                "primera es el <b>derecho de acceso a la información</b>: cualquier persona "
                "pregunta y la institución responde. La segunda son las <b>obligaciones de "
                "transparencia</b>: la ley enumera información que todos los sujetos "
                "obligados deben publicar y mantener actualizada, como su estructura, "
                "sueldos, contratos o presupuesto. La tercera es la <b>transparencia "
                "proactiva</b>: la publicación de información <i>adicional</i> a ese mínimo, "
                "que la institución decide difundir porque identificó que es útil para un "
                "grupo de personas.</p>"
            ),
            _texto(
                "<p>La diferencia no es de cantidad sino de propósito. Una obligación de "
                "transparencia se cumple publicando el formato que la ley exige; una práctica "
                "de transparencia proactiva solo se justifica si alguien usa la información "
                "para resolver un problema concreto: saber qué requisitos pide un trámite, "
                "comparar precios de medicamentos, conocer el avance de una obra en su "
                "colonia o prepararse ante una temporada de lluvias.</p>"
            ),
            _titulo("Rasgos de una práctica proactiva"),
            _texto(
                "<ul><li><b>Es voluntaria y adicional</b>: no sustituye ni repite las "
                "obligaciones de transparencia.</li><li><b>Responde a una demanda "
                "identificada</b>: parte de evidencia sobre lo que la población necesita "
                "saber.</li><li><b>Tiene un público definido</b>: un sector de la sociedad "
                "determinado o determinable (por ejemplo, personas productoras de maíz de "
                "una región o madres y padres de familia de escuelas públicas).</li>"
                "<li><b>Se comunica en el formato que ese público usa</b>: lenguaje claro, "
                "medios accesibles y, cuando conviene, datos abiertos.</li><li><b>Se "
                "evalúa por su uso</b>: su éxito se mide por la reutilización que la "
                "sociedad hace de la información.</li></ul>"
            ),
            _articulo(
                "Artículo 56",
                "Los Organismos garantes emitirán políticas de transparencia proactiva, en "
                "atención a los lineamientos generales definidos para ello por el Sistema "
                "Nacional, diseñadas para incentivar a los sujetos obligados a publicar "
                "información adicional a la que establece como mínimo la presente Ley. "
                "Dichas políticas tendrán por objeto, entre otros, promover la reutilización "
                "de la información que generan los sujetos obligados, considerando la "
                "demanda de la sociedad, identificada con base en las metodologías "
                "previamente establecidas.",
            ),
            NOTA_LEY_2025,
            _aviso(
                "consejo",
                "Para reflexionar",
                "<p>Piense en las tres preguntas que más recibe su área por teléfono, en "
                "ventanilla o por solicitud de información. Si las respuestas estuvieran "
                "publicadas de forma clara, ¿cuántas consultas se evitarían?</p>",
            ),
        ],
    },
    {
        "slug": "marco-normativo",
        "title": "El marco normativo: ley general y lineamientos nacionales",
        "resumen": "Qué dicen la ley general y los lineamientos sobre la emisión, "
        "publicación y evaluación de las políticas de transparencia proactiva.",
        "duracion_minutos": 50,
        "cuerpo": [
            _titulo("La ley general"),
            _texto(
                "<p>La ley general de 2015 dedicó un capítulo a la transparencia proactiva "
                "dentro del título sobre cultura de transparencia y apertura gubernamental. "
                "Sus tres artículos fijan la lógica de toda la política: los órganos "
                "garantes la impulsan, los sujetos obligados publican información adicional "
                "en los formatos que convienen a su público, y la efectividad se evalúa por "
                "el uso que la sociedad hace de ella.</p>"
            ),
            _articulo(
                "Artículo 57",
                "La información publicada por los sujetos obligados, en el marco de la "
                "política de transparencia proactiva, se difundirá en los medios y formatos "
                "que más convengan al público al que va dirigida.",
            ),
            _articulo(
                "Artículo 58",
                "Los Organismos garantes emitirán los criterios para evaluar la efectividad "
                "de la política de la transparencia proactiva, considerando como base, la "
                "reutilización que la sociedad haga a la información. La información que se "
                "publique, como resultado de las políticas de transparencia, deberá permitir "
                "la generación de conocimiento público útil, para disminuir asimetrías de la "
                "información, mejorar los accesos a trámites y servicios, optimizar la toma "
                "de decisiones de autoridades o ciudadanos y deberá tener un objeto claro "
                "enfocado en las necesidades de sectores de la sociedad determinados o "
                "determinables.",
            ),
            _titulo("Los lineamientos nacionales"),
            _texto(
                "<p>El Sistema Nacional de Transparencia aprobó los <i>" + LINEAMIENTOS + "</i>, "
                "publicados en el Diario Oficial de la Federación el 15 de abril de 2016. "
                "En lo que toca a la transparencia proactiva, ordenan el trabajo en tres "
                "momentos:</p><ol><li><b>Identificación</b> de la información susceptible "
                "de publicarse, a partir de la demanda de la sociedad.</li><li><b>Publicación "
                "y difusión</b> en medios y formatos adecuados al público al que se "
                "dirige.</li><li><b>Evaluación</b> de los resultados, considerando el uso y "
                "la reutilización de la información.</li></ol>"
            ),
            _texto(
                "<p>Los lineamientos también previeron que los órganos garantes reconozcan "
                "públicamente las prácticas de transparencia proactiva que cumplan estos "
                "criterios, como incentivo para que otras instituciones las adopten.</p>"
            ),
            _titulo("Límites que no cambian", "h3"),
            _texto(
                "<p>La transparencia proactiva nunca autoriza publicar información "
                "clasificada como reservada o confidencial. Antes de difundir bases de datos "
                "o documentos, revise que no contengan datos personales y, si los contienen, "
                "elabore versiones públicas o publique información agregada.</p>"
            ),
            NOTA_LEY_2025,
        ],
    },
    {
        "slug": "informacion-socialmente-util",
        "title": "Cómo identificar información socialmente útil",
        "resumen": "Fuentes de evidencia y criterios para decidir qué publicar y para quién.",
        "duracion_minutos": 60,
        "cuerpo": [
            _titulo("Empezar por la demanda, no por la oferta"),
            _texto(
                "<p>Un error frecuente es publicar lo que ya se tiene a la mano (informes, "
                "boletines, presentaciones) y llamarlo transparencia proactiva. La pregunta "
                "correcta es la inversa: <b>¿qué necesita saber un grupo de personas para "
                "tomar una decisión o ejercer un derecho, y qué información de la "
                "institución le ayudaría?</b></p>"
            ),
            _titulo("Fuentes para detectar la demanda"),
            _texto(
                "<ul><li><b>Solicitudes de acceso a la información</b>: agrúpelas por tema; "
                "las preguntas repetidas son el indicio más directo de información que "
                "conviene publicar.</li><li><b>Recursos de revisión</b>: muestran dónde las "
                "respuestas no satisficieron a las personas.</li><li><b>Consultas en "
                "ventanilla, teléfono y redes sociales</b>: registran dudas sobre trámites "
                "y servicios.</li><li><b>Búsquedas en el portal institucional</b>: los "
                "términos más buscados revelan necesidades no resueltas.</li><li><b>Diálogo "
                "con sociedad civil, academia y personas usuarias</b>: mesas de trabajo o "
                "encuestas breves con el público al que se quiere llegar.</li><li><b>Quejas "
                "y denuncias</b>: señalan problemas en los que la información puede "
                "prevenir conflictos.</li></ul>"
            ),
            _titulo("Criterios para elegir"),
            _texto(
                "<p>Con la lista de temas, valore cada uno con preguntas sencillas:</p>"
                "<ol><li>¿Quién usaría la información y para qué decisión?</li><li>¿Reduce "
                "una asimetría de información entre la institución y ese público?</li>"
                "<li>¿Mejora el acceso a un trámite o servicio?</li><li>¿La institución la "
                "genera o la posee, y puede mantenerla actualizada?</li><li>¿Puede "
                "publicarse sin datos personales ni información reservada?</li></ol>"
            ),
            _aviso(
                "nota",
                "Ejemplo",
                "<p>Un ayuntamiento recibe cada año cientos de solicitudes sobre el "
                "calendario de recolección de residuos. Publicar las rutas y horarios por "
                "colonia, en un mapa y en datos abiertos, responde a una demanda medible, "
                "tiene un público definido (las y los vecinos) y su uso puede evaluarse "
                "por las visitas y la disminución de solicitudes.</p>",
            ),
            _actividad(
                "Su primer inventario de demanda",
                "<ol><li>Reúna las solicitudes de información que recibió su institución "
                "en el último año.</li><li>Clasifíquelas en no más de diez temas.</li>"
                "<li>Elija los tres temas más frecuentes y, para cada uno, anote quién "
                "pregunta y para qué le sirve la respuesta.</li></ol>",
                45,
                "Una tabla con tres temas, su público y el uso esperado de la información.",
            ),
        ],
    },
]

LECCIONES_PRACTICAS: list[dict[str, Any]] = [
    {
        "slug": "taller-diagnostico",
        "title": "Taller: diagnóstico de la demanda de información",
        "resumen": "Aplicar las fuentes de evidencia a un caso de su institución.",
        "duracion_minutos": 90,
        "cuerpo": [
            _titulo("Objetivo del taller"),
            _texto(
                "<p>Al terminar, cada equipo contará con un diagnóstico breve que justifique "
                "una práctica de transparencia proactiva: qué información, para quién, y con "
                "qué evidencia de que se necesita.</p>"
            ),
            _actividad(
                "Diagnóstico en equipo",
                "<ol><li>Con el inventario de la fase teórica, elija un tema.</li><li>"
                "Describa al público objetivo con la mayor precisión posible.</li><li>"
                "Documente al menos dos fuentes de evidencia de la demanda.</li><li>"
                "Verifique que la información pueda publicarse sin datos personales ni "
                "información reservada.</li></ol>",
                90,
                "Diagnóstico de una cuartilla, que se comenta en la sesión en vivo.",
            ),
        ],
    },
    {
        "slug": "taller-publicacion",
        "title": "Taller: de la necesidad a la publicación",
        "resumen": "Elegir formatos y medios, y preparar la evaluación de uso.",
        "duracion_minutos": 90,
        "cuerpo": [
            _titulo("Formatos y medios"),
            _texto(
                "<p>La ley pide difundir la información en los medios y formatos que más "
                "convengan a su público. Para una comunidad rural puede ser la radio "
                "comunitaria o carteles en la presidencia municipal; para periodistas o "
                "personas investigadoras, datos abiertos descargables con su diccionario de "
                "datos. Use lenguaje claro y, cuando corresponda, lenguas indígenas.</p>"
            ),
            _titulo("Evaluar por el uso"),
            _texto(
                "<p>Defina desde el inicio cómo sabrá si la práctica funciona: descargas, "
                "visitas, menos solicitudes repetidas, menciones en medios, o testimonios de "
                "personas usuarias. La evaluación debe centrarse en la reutilización de la "
                "información, no en cuántos documentos se publicaron.</p>"
            ),
            _actividad(
                "Ficha de la práctica",
                "<ol><li>Redacte el objetivo de la práctica en una oración.</li><li>Elija "
                "formato y medio de difusión, y explique por qué convienen a su público."
                "</li><li>Proponga dos indicadores de uso.</li></ol>",
                60,
                "Ficha de la práctica de transparencia proactiva.",
            ),
        ],
    },
    {
        "slug": "lecturas-complementarias",
        "title": "Lecturas complementarias",
        "resumen": "Material opcional para profundizar.",
        "duracion_minutos": 20,
        "obligatoria": False,
        "cuerpo": [
            _texto(
                "<p>Consulte el texto vigente de la ley general y los lineamientos de su "
                "autoridad garante, y revise las prácticas reconocidas en su entidad "
                "federativa para inspirar la suya.</p>"
            ),
        ],
    },
]


@dataclass(frozen=True)
class ParticipanteDemo:
    email: str
    nombre: str
    apellidos: str
    clave_entidad: str
    # 0 nothing, 1 one lesson, 2 theoretical phase done, 3 everything done.
    etapa: int
    # How they fare in the theoretical evaluation and in the practical activity.
    teorica: Perfil | None = None
    practica: Perfil | None = None


PARTICIPANTES_DEMO = [
    # Part-way: one lesson read and the evaluation started, not submitted.
    ParticipanteDemo("participante@demo.mx", "José Ángel", "Peña Güemes", "14", 1, Perfil.EN_CURSO),
    # Finished: passed both, attended, constancia issued.
    ParticipanteDemo(
        "lucia.hernandez@demo.mx",
        "Lucía",
        "Hernández Ruiz",
        "09",
        3,
        Perfil.SOBRESALIENTE,
        Perfil.SOBRESALIENTE,
    ),
    # Theoretical phase passed; the practice sheet waits for the instructor's grade.
    ParticipanteDemo(
        "mario.lopez@demo.mx",
        "Mario",
        "López Cruz",
        "20",
        2,
        Perfil.SUFICIENTE,
        Perfil.POR_CALIFICAR,
    ),
    ParticipanteDemo("ana.canul@demo.mx", "Ana María", "Canul Pech", "31", 0),
    ParticipanteDemo(
        "rocio.navarro@demo.mx",
        "Rocío",
        "Navarro Íñiguez",
        "14",
        3,
        Perfil.SUFICIENTE,
        Perfil.SUFICIENTE,
    ),
    # Failed a first attempt; two are left.
    ParticipanteDemo(
        "pedro.santiago@demo.mx", "Pedro", "Santiago Ramírez", "20", 1, Perfil.INSUFICIENTE
    ),
]

# The session open right after loading the demo, and its check-in code.
SESION_ABIERTA = "Asesoría en vivo: dudas sobre la ficha de la práctica"
CODIGO_SESION_ABIERTA = "TRANSP"


def _pagina(padre: Page, modelo: type[Page], slug: str, **campos: Any) -> Page:
    existente = modelo.objects.child_of(padre).filter(slug=slug).first()
    if existente is not None:
        return existente
    pagina = modelo(slug=slug, **campos)
    padre.add_child(instance=pagina)
    pagina.save_revision().publish()
    return pagina


def _persona(datos: ParticipanteDemo) -> Usuario:
    usuario = Usuario.objects.filter(email__iexact=datos.email).first()
    if usuario is None:
        usuario = Usuario.objects.create_user(email=datos.email, password=CONTRASENA_DEMO)
        entidad = EntidadFederativa.objects.get(clave_inegi=datos.clave_entidad)
        organizacion = (
            Organizacion.objects.filter(
                entidad=entidad, clase=Organizacion.Clase.SUJETO_OBLIGADO
            ).first()
            or Organizacion.objects.filter(entidad=entidad).first()
        )
        lms_services.actualizar_perfil(
            usuario=usuario,
            first_name=datos.nombre,
            last_name=datos.apellidos,
            curp="",
            cargo="Enlace de transparencia",
            organizacion=organizacion,
        )
        lms_services.registrar_aceptacion_aviso(usuario=usuario, version="1")
    EmailAddress.objects.get_or_create(
        user=usuario, email=usuario.email, defaults={"verified": True, "primary": True}
    )
    return usuario


def _contenido() -> CursoPage:
    inicio = HomePage.objects.get()
    programa = _pagina(
        inicio,
        ProgramaPage,
        "programa-nacional",
        title="Programa Nacional de Capacitación en Transparencia Proactiva",
        resumen="Formación para órganos garantes y sujetos obligados de las 32 entidades.",
    )
    curso = _pagina(
        programa,
        CursoPage,
        "jornada-nacional-transparencia-proactiva",
        title="Jornada Nacional de Capacitación en materia de Transparencia Proactiva",
        resumen="Fundamentos, marco normativo y práctica para diseñar una política de "
        "transparencia proactiva en su institución.",
        dirigido_a="Personas servidoras públicas de órganos garantes y sujetos obligados.",
        descripcion="<p>La jornada combina una fase teórica en línea, a su propio ritmo, con "
        "una fase práctica de talleres y sesiones en vivo en la que cada equipo diseña una "
        "práctica de transparencia proactiva para su institución.</p>",
        objetivos="<ul><li>Distinguir la transparencia proactiva de las obligaciones de "
        "transparencia.</li><li>Conocer sus bases en la ley general y en los lineamientos "
        "nacionales.</li><li>Identificar información socialmente útil a partir de "
        "evidencia.</li><li>Diseñar y evaluar una práctica propia.</li></ul>",
    )
    teorica = _pagina(
        curso,
        FasePage,
        "fase-teorica",
        title="Fase teórica: fundamentos",
        tipo=FasePage.Tipo.TEORICA,
        horas=6,
        resumen="Conceptos y marco normativo, a su propio ritmo.",
    )
    practica = _pagina(
        curso,
        FasePage,
        "fase-practica",
        title="Fase práctica: diseño de una práctica proactiva",
        tipo=FasePage.Tipo.PRACTICA,
        horas=10,
        asistencia_minima=50,
        resumen="Talleres y sesiones en vivo para diseñar una práctica en equipo.",
    )
    for fase, lecciones in ((teorica, LECCIONES_TEORICAS), (practica, LECCIONES_PRACTICAS)):
        for datos in lecciones:
            campos = {k: v for k, v in datos.items() if k != "slug"}
            _pagina(fase, LeccionPage, datos["slug"], **campos)
    return curso


def _ediciones(curso: CursoPage) -> tuple[Edicion, Edicion]:
    hoy = timezone.localdate()
    ahora = timezone.now()
    fechas_nacional = {
        "inscripcion_abre": ahora - datetime.timedelta(days=30),
        "inscripcion_cierra": ahora + datetime.timedelta(days=10),
        "fecha_inicio": hoy - datetime.timedelta(days=20),
        "fecha_fin": hoy + datetime.timedelta(days=40),
    }
    nacional, _ = Edicion.objects.update_or_create(
        curso=curso,
        nombre="Edición nacional 2026",
        defaults=fechas_nacional,
        create_defaults={
            **fechas_nacional,
            "modalidad": Edicion.Modalidad.VIRTUAL,
            "cupo": 300,
        },
    )
    fechas_occidente = {
        "inscripcion_abre": ahora - datetime.timedelta(days=2),
        "inscripcion_cierra": ahora + datetime.timedelta(days=25),
        "fecha_inicio": hoy + datetime.timedelta(days=30),
        "fecha_fin": hoy + datetime.timedelta(days=60),
    }
    occidente, creada = Edicion.objects.update_or_create(
        curso=curso,
        nombre="Edición regional Occidente",
        defaults=fechas_occidente,
        create_defaults={
            **fechas_occidente,
            "modalidad": Edicion.Modalidad.MIXTA,
            "sede": "Guadalajara, Jalisco",
            "cupo": 40,
        },
    )
    if creada:
        occidente.entidades.set(
            EntidadFederativa.objects.filter(clave_inegi__in=["14", "06", "16", "18"])
        )
    return nacional, occidente


def _sesion(
    edicion: Edicion,
    fase: FasePage,
    titulo: str,
    inicio: datetime.datetime,
    *,
    duracion_minutos: int = 120,
    codigo: str = "",
) -> SesionEnVivo:
    extra = {"codigo_asistencia": codigo} if codigo else {}
    sesion, _ = SesionEnVivo.objects.update_or_create(
        edicion=edicion,
        titulo=titulo,
        defaults={"inicio": inicio, "duracion_minutos": duracion_minutos, **extra},
        create_defaults={
            "fase": fase,
            "inicio": inicio,
            "duracion_minutos": duracion_minutos,
            "enlace": "https://reuniones.example.org/transparencia-proactiva",
            **extra,
        },
    )
    return sesion


def _a_las(fecha: datetime.date, hora: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(fecha, hora))


def _evaluaciones(
    curso: CursoPage, edicion: Edicion, instructora: Usuario | None
) -> evaluaciones_demo.Evaluaciones:
    """The phases' evaluation and practical activity, open while the national edition runs."""
    evaluaciones = evaluaciones_demo.cargar(
        curso=curso,
        abre_en=_a_las(edicion.fecha_inicio, datetime.time(9)),
        abre_practica_en=_a_las(
            edicion.fecha_inicio + datetime.timedelta(days=7), datetime.time(9)
        ),
        cierra_en=_a_las(edicion.fecha_fin, datetime.time(23, 59)),
        autora=instructora,
    )
    for slug, campo, evaluacion in (
        ("fase-teorica", "evaluacion", evaluaciones.teorica),
        ("fase-practica", "actividad_practica", evaluaciones.practica),
    ):
        fase = FasePage.objects.child_of(curso).get(slug=slug)
        if getattr(fase, f"{campo}_id") != evaluacion.pk:
            # A new published revision, as an author would do in the admin.
            setattr(fase, campo, evaluacion)
            fase.save_revision().publish()
    return evaluaciones


def _historia(
    persona: Usuario,
    datos: ParticipanteDemo,
    evaluaciones: evaluaciones_demo.Evaluaciones,
    instructora: Usuario | None,
    hace: datetime.datetime,
) -> None:
    """The person's attempts and grades, told once: someone with attempts is left alone."""
    institucion = persona.organizacion.nombre if persona.organizacion else ""
    dias = datetime.timedelta(days=1)
    casos = (
        (
            evaluaciones.teorica,
            datos.teorica,
            evaluaciones_demo.desempeno_teorica,
            # After the theoretical lessons (one lesson, for whoever read only one).
            hace + (2 if datos.etapa <= 1 else 3) * dias + datetime.timedelta(hours=3),
            hace + 5 * dias,
        ),
        (
            evaluaciones.practica,
            datos.practica,
            evaluaciones_demo.desempeno_practica,
            # After the first workshop; graded the day before today.
            hace + (14 if datos.practica == Perfil.POR_CALIFICAR else 11) * dias,
            hace + 14 * dias,
        ),
    )
    for evaluacion, perfil, desempeno_de, inicio, calificada in casos:
        if perfil is None or evaluaciones_demo.ya_presento(evaluacion=evaluacion, usuario=persona):
            continue
        if perfil == Perfil.EN_CURSO:
            inicio = timezone.now() - dias
        desempeno = desempeno_de(perfil, institucion=institucion)
        intento = evaluaciones_demo.presentar(
            evaluacion=evaluacion, usuario=persona, desempeno=desempeno, inicio=inicio
        )
        if desempeno.enviar and desempeno.rubrica:
            evaluaciones_demo.calificar(
                intento=intento, desempeno=desempeno, calificador=instructora, ahora=calificada
            )


@transaction.atomic
def _manifestaciones(programa: ProgramaPage, anio: int) -> None:
    """Jalisco's manifestación accepted and Mexico City's waiting for the national decision.

    The demo programme does not require one to enrol, so the demo participants of every
    state keep their enrolments; the national view still compares targets and progress.
    """
    nacional = Usuario.objects.filter(email__iexact="coordinacion.nacional@demo.mx").first()
    for clave, estado, metas in (
        ("14", ManifestacionInteres.Estado.ACEPTADA, (40, 2, 20, 1)),
        ("09", ManifestacionInteres.Estado.ENVIADA, (30, 1, 15, 1)),
    ):
        entidad = EntidadFederativa.objects.get(clave_inegi=clave)
        sujetos = list(manifestaciones.sujetos_del_padron(entidad.pk))
        tope = len(sujetos)
        m, creada = ManifestacionInteres.objects.get_or_create(
            programa=programa,
            anio=anio,
            entidad=entidad,
            defaults={
                "estado": estado,
                "organo_garante": Organizacion.objects.filter(
                    entidad=entidad, clase=Organizacion.Clase.ORGANO_GARANTE
                ).first(),
                "meta_personas_teorica": metas[0],
                "meta_sujetos_teorica": min(metas[1], tope),
                "meta_personas_practica": metas[2],
                "meta_sujetos_practica": min(metas[3], tope),
                "observaciones": "Preferimos sesiones en vivo por la tarde.",
            },
        )
        if not creada:
            continue
        m.sujetos_obligados.set(sujetos)
        m.contactos.create(
            nombre=f"Enlace de capacitación ({entidad.abreviatura})",
            cargo="Dirección de capacitación",
            correo=f"capacitacion.{entidad.abreviatura.lower()}@demo.mx",
        )
        estatal = Usuario.objects.filter(
            asignaciones__rol=Rol.COORDINADOR_ESTATAL, asignaciones__entidad=entidad
        ).first()
        m.historial.create(
            accion="enviada", usuario=estatal, usuario_email=estatal.email if estatal else ""
        )
        if estado == ManifestacionInteres.Estado.ACEPTADA:
            m.historial.create(
                accion="aceptada",
                usuario=nacional,
                usuario_email=nacional.email if nacional else "",
                comentario="Bienvenidos al programa.",
            )


def cargar() -> None:
    """Create the demo course, its editions and sessions, and participants at several stages."""
    curso = _contenido()
    instructora = Usuario.objects.filter(email__iexact="instructora@demo.mx").first()
    if instructora is not None and not curso.instructores.filter(pk=instructora.pk).exists():
        curso.instructores.add(instructora)
        curso.save_revision().publish()
    nacional, occidente = _ediciones(curso)
    evaluaciones = _evaluaciones(curso, nacional, instructora)
    teorica = FasePage.objects.child_of(curso).get(slug="fase-teorica")
    practica = FasePage.objects.child_of(curso).get(slug="fase-practica")
    hoy_10 = timezone.now().replace(hour=17, minute=0, second=0, microsecond=0)
    # Open now, long enough to try checking in after `make run`.
    _sesion(
        nacional,
        practica,
        SESION_ABIERTA,
        timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(minutes=30),
        duracion_minutos=240,
        codigo=CODIGO_SESION_ABIERTA,
    )
    sesiones = [
        _sesion(nacional, practica, "Taller 1: diagnóstico", hoy_10 - datetime.timedelta(days=6)),
        _sesion(nacional, practica, "Taller 2: publicación", hoy_10 - datetime.timedelta(days=2)),
        _sesion(
            nacional, practica, "Presentación de prácticas", hoy_10 + datetime.timedelta(days=5)
        ),
    ]
    _sesion(
        occidente, practica, "Sesión presencial de arranque", hoy_10 + datetime.timedelta(days=31)
    )
    _sesion(occidente, practica, "Taller regional", hoy_10 + datetime.timedelta(days=45))

    lecciones_teoricas = list(LeccionPage.objects.child_of(teorica).live().order_by("path"))
    lecciones_practicas = list(
        LeccionPage.objects.child_of(practica).live().filter(obligatoria=True).order_by("path")
    )
    hace = timezone.now() - datetime.timedelta(days=15)
    for datos in PARTICIPANTES_DEMO:
        persona = _persona(datos)
        inscripcion = Inscripcion.objects.filter(edicion=nacional, usuario=persona).first()
        if inscripcion is None:
            inscripcion = services.inscribir_persona(
                edicion=nacional,
                usuario=persona,
                origen=Inscripcion.Origen.COORDINACION,
                ahora=hace,
            )
        hechas = {1: lecciones_teoricas[:1], 2: lecciones_teoricas, 3: lecciones_teoricas}.get(
            datos.etapa, []
        )
        if datos.etapa == 3:
            hechas = hechas + lecciones_practicas
        for n, leccion in enumerate(hechas):
            services.marcar_leccion_completada(
                inscripcion=inscripcion,
                leccion=leccion,
                ahora=hace + datetime.timedelta(days=n + 1),
            )
        if datos.etapa == 3:
            for sesion in sesiones[:2]:
                services.marcar_asistencia(
                    sesion=sesion,
                    usuario=persona,
                    presente=True,
                    registrada_por=instructora,
                    ahora=sesion.fin,
                )
        _historia(persona, datos, evaluaciones, instructora, hace)
    # Progress is derived from the facts above; publishing the phases' rules queues the
    # same recomputation for a worker, done here at once so the demo is right on load.
    services.recalcular_avances(inscripciones=Inscripcion.objects.filter(edicion__curso=curso))
    _manifestaciones(curso.get_parent().specific, nacional.fecha_inicio.year)
    autoria.configurar_autoria()
