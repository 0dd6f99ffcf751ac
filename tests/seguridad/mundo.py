"""A world for the ownership matrix: one object of every kind, all of course A in state A.

Course A (taught by `instructor_curso`) and its people live in Jalisco (14); course B,
taught by `instructor_otro`, only exists so that its instructor has a course. Each
object carries a label that appears nowhere else, so a listing or a chooser that shows
it to someone who may not list it is caught by a substring check.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from lms.models import Rol

ROLES = (
    "anonimo",
    "participante",
    "participante_no_inscrito",
    "instructor_curso",
    "instructor_otro",
    "coordinador_a",
    "coordinador_b",
    "nacional",
    "administrador",
)


@dataclass
class MundoPropiedad:
    objetos: dict[str, Any]
    usuarios: dict[str, Any]
    etiquetas: dict[str, str]  # object kind -> text that only that object shows


def crear_mundo() -> MundoPropiedad:
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Page

    from constancias import services as servicios_constancias
    from constancias.models import Constancia, TrabajoEmision, VerificacionConsulta
    from cursos import autoria
    from cursos.models import (
        Asistencia,
        ExportacionSolicitada,
        FormatoLista,
        ManifestacionInteres,
        ProgresoLeccion,
    )
    from evaluaciones import services as servicios_evaluaciones
    from evaluaciones.models import Excepcion, Pregunta, Respuesta
    from lms import services as servicios_lms
    from lms.models import AsignacionRol, RegistroAuditoria
    from tests.factories import (
        CursoPageFactory,
        FasePageFactory,
        InscripcionFactory,
        LeccionPageFactory,
        SesionEnVivoFactory,
        SujetoObligadoFactory,
        UsuarioFactory,
    )
    from tests.factories.constancias import ReglaConstanciaFactory, archivo_imagen
    from tests.factories.cursos import EdicionFactory
    from tests.factories.evaluaciones import (
        CategoriaPreguntaFactory,
        PreguntaFactory,
        evaluacion_con,
    )
    from tests.factories.personas import entidad

    autoria.configurar_autoria()
    entidad_a, entidad_b = entidad("14"), entidad("09")
    org_a = SujetoObligadoFactory(entidad=entidad_a, nombre="Instituto Zacualpan de Prueba")
    org_b = SujetoObligadoFactory(entidad=entidad_b)

    def persona(nombre: str, org: Any, rol: str | None = None, clave: str | None = None) -> Any:
        usuario = UsuarioFactory(organizacion=org, first_name=nombre, last_name="Matriz")
        if rol is not None:
            servicios_lms.asignar_rol(
                usuario=usuario, rol=rol, entidad_id=entidad(clave).pk if clave else None
            )
            usuario.refresh_from_db()
        return usuario

    usuarios = {
        "anonimo": None,
        "participante": persona("Xochiquetzal", org_a),
        "participante_no_inscrito": persona("Nadia", org_a),
        "instructor_curso": persona("Itzel", org_b, Rol.INSTRUCTOR),
        "instructor_otro": persona("Otoniel", org_b, Rol.INSTRUCTOR),
        "coordinador_a": persona("Camila", org_a, Rol.COORDINADOR_ESTATAL, "14"),
        "coordinador_b": persona("Bernardo", org_b, Rol.COORDINADOR_ESTATAL, "09"),
        "nacional": persona("Natalia", org_b, Rol.COORDINADOR_NACIONAL),
        "administrador": persona("Adela", org_b, Rol.ADMINISTRADOR),
    }
    participante = usuarios["participante"]

    curso = CursoPageFactory(title="Curso Tlaquepaque")
    curso.instructores.add(usuarios["instructor_curso"])
    curso.save()
    otro = CursoPageFactory(title="Curso Otro")
    otro.instructores.add(usuarios["instructor_otro"])
    otro.save()
    for pagina in (curso, otro):
        autoria.sincronizar_equipo_docente(curso=pagina)

    categoria = CategoriaPreguntaFactory(nombre="Banco Mazatlan", curso=curso)
    ensayo = PreguntaFactory(
        tipo=Pregunta.Tipo.ENSAYO, categoria=categoria, titulo="Pregunta Citlaltepetl"
    )
    evaluacion = evaluacion_con(ensayo, titulo="Examen Popocatepetl", curso=curso)
    # The phase asks nothing, so the enrolment is complete and a constancia can be issued.
    fase = FasePageFactory(parent=curso, title="Fase Ajusco")
    leccion = LeccionPageFactory(parent=fase, title="Leccion Chapultepec", obligatoria=False)
    edicion = EdicionFactory(curso=curso, nombre="Grupo Tonala")
    sesion = SesionEnVivoFactory(edicion=edicion, fase=fase, titulo="Sesion Tepoztlan")
    inscripcion = InscripcionFactory(edicion=edicion, usuario=participante)
    asistencia = Asistencia.objects.create(
        sesion=sesion, usuario=participante, origen=Asistencia.Origen.MANUAL
    )
    progreso = ProgresoLeccion.objects.create(inscripcion=inscripcion, leccion=leccion)

    intento = servicios_evaluaciones.iniciar_intento(evaluacion=evaluacion, usuario=participante)
    clave = intento.instantanea["preguntas"][0]["clave"]
    respuesta = Respuesta.objects.create(
        intento=intento, clave=clave, valor="Texto Huitzilopochtli", guardada_en=timezone.now()
    )
    servicios_evaluaciones.enviar_intento(intento_id=intento.pk, usuario=participante)
    excepcion = Excepcion.objects.create(
        evaluacion=evaluacion,
        usuario=participante,
        otorgada_por=usuarios["instructor_curso"],
        minutos_extra=10,
        motivo="Motivo Popocatepetl",
    )
    recalificacion = servicios_evaluaciones.recalificar_pregunta(
        pregunta=ensayo, realizada_por=usuarios["instructor_curso"], motivo="Clave revisada"
    )

    regla = ReglaConstanciaFactory(edicion=edicion)
    servicios_constancias.emitir_constancias(
        regla=regla, inscripcion_ids=[inscripcion.pk], notificar=False
    )
    constancia = Constancia.objects.get(inscripcion=inscripcion)
    verificacion = VerificacionConsulta.objects.create(
        medio=VerificacionConsulta.Medio.FORMULARIO,
        constancia=constancia,
        encontrada=True,
        dato="codigo",
    )
    trabajo = TrabajoEmision.objects.create(
        regla=regla,
        entidad=entidad_a,
        solicitada_por=usuarios["coordinador_a"],
        inscripciones=[inscripcion.pk],
        total=1,
    )
    exportacion = ExportacionSolicitada.objects.create(
        solicitante=usuarios["coordinador_a"],
        formato=ExportacionSolicitada.Formato.CSV,
        expira_en=timezone.now() + datetime.timedelta(days=1),
    )
    exportacion.entidades.set([entidad_a])  # the scope it was built with
    formato = FormatoLista.objects.create(
        usuario=usuarios["coordinador_a"],
        huella="f" * 64,
        encabezados=["Correo", "Teléfono"],
        asignacion=["correo", "ignorar"],
    )
    auditoria = servicios_lms.registrar_auditoria(
        usuario=usuarios["coordinador_a"],
        accion=RegistroAuditoria.Accion.CONSULTA_KARDEX,
        objeto="Objeto Teotihuacan",
    )
    coleccion = autoria.coleccion_del_curso(curso=curso)
    imagen = get_image_model().objects.create(
        title="Imagen Xochimilco", file=archivo_imagen(), collection=coleccion
    )
    documento = get_document_model().objects.create(
        title="Documento Cholula",
        file=ContentFile(b"%PDF-1.4 guia", name="guia.pdf"),
        collection=coleccion,
    )

    manifestacion = ManifestacionInteres.objects.create(
        programa=curso.get_parent().specific,
        anio=edicion.fecha_inicio.year,
        entidad=entidad_a,
        estado=ManifestacionInteres.Estado.ENVIADA,
        observaciones="Compromiso Tequila",
    )
    manifestacion.contactos.create(nombre="Contacto Matriz", correo="contacto@ejemplo.gob.mx")

    objetos = {
        "manifestacion": manifestacion,
        "evaluacion": evaluacion,
        "categoria": categoria,
        "pregunta": ensayo,
        "recalificacion": recalificacion,
        "excepcion": excepcion,
        "intento": intento,
        "respuesta": respuesta,
        "edicion": edicion,
        "sesion": sesion,
        "inscripcion": inscripcion,
        "asistencia": asistencia,
        "progreso": progreso,
        "exportacion": exportacion,
        "formato_lista": formato,
        "constancia": constancia,
        "trabajo": trabajo,
        "plantilla": regla.plantilla,
        "regla": regla,
        "verificacion": verificacion,
        "participante": participante,
        "organizacion": org_a,
        "entidad": entidad_a,
        "asignacion": AsignacionRol.objects.get(usuario=usuarios["coordinador_a"]),
        "auditoria": auditoria,
        "curso": Page.objects.get(pk=curso.pk),
        "fase": fase,
        "leccion": leccion,
        "imagen": imagen,
        "documento": documento,
    }
    etiquetas = {
        "evaluacion": "Examen Popocatepetl",
        "categoria": "Banco Mazatlan",
        "pregunta": "Pregunta Citlaltepetl",
        "excepcion": "Examen Popocatepetl",  # listings and choosers name its evaluation
        "edicion": "Grupo Tonala",
        "participante": "Xochiquetzal",
        "organizacion": "Instituto Zacualpan",
        "auditoria": "Objeto Teotihuacan",
        "imagen": "Imagen Xochimilco",
        "documento": "Documento Cholula",
    }
    return MundoPropiedad(objetos=objetos, usuarios=usuarios, etiquetas=etiquetas)
