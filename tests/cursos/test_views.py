import datetime

import pytest

from django.urls import reverse

from cursos import services
from cursos.models import Asistencia, Inscripcion, ProgresoLeccion
from lms.models import Rol
from tests.factories import (
    AsignacionRolFactory,
    EdicionFactory,
    InscripcionFactory,
    LeccionPageFactory,
    SesionEnVivoFactory,
    SujetoObligadoFactory,
    UsuarioFactory,
)
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db


def test_pagina_de_curso_muestra_temario_y_ediciones(client, curso, edicion):
    respuesta = client.get(curso.url)
    assert respuesta.status_code == 200
    contenido = respuesta.content.decode()
    assert "Fase teórica" in contenido
    assert "Marco normativo" in contenido
    assert reverse("cursos:edicion", args=[edicion.pk]) in contenido


def test_pagina_de_curso_muestra_avance_y_continuar_a_inscrita(client, curso, inscripcion):
    services.marcar_leccion_completada(inscripcion=inscripcion, leccion=curso.lecciones[0])
    client.force_login(inscripcion.usuario)
    contenido = client.get(curso.url).content.decode()
    assert "Le falta:" in contenido
    assert reverse("cursos:ir_a_leccion", args=[curso.lecciones[1].pk]) in contenido


def test_leccion_pide_sesion_a_anonimos(client, curso):
    respuesta = client.get(curso.lecciones[0].url)
    assert respuesta.status_code == 302
    assert "/cuentas/login/" in respuesta["Location"]


def test_leccion_sin_inscripcion_invita_a_inscribirse(client, curso, edicion):
    client.force_login(UsuarioFactory())
    contenido = client.get(curso.lecciones[0].url).content.decode()
    assert "necesita estar inscrita o inscrito" in contenido
    assert "Marcar como completada" not in contenido


def test_leccion_muestra_indice_navegacion_y_boton(client, curso, inscripcion):
    client.force_login(inscripcion.usuario)
    contenido = client.get(curso.lecciones[0].url).content.decode()
    assert 'href="#sec-que-es-la-transparencia-proactiva"' in contenido
    assert 'id="sec-que-es-la-transparencia-proactiva"' in contenido
    assert "Marcar como completada" in contenido
    assert f'href="{curso.lecciones[1].url}" rel="next"' in contenido


def test_completar_leccion_avanza_a_la_siguiente(client, curso, inscripcion):
    client.force_login(inscripcion.usuario)
    url = reverse("cursos:completar_leccion", args=[curso.lecciones[0].pk])
    respuesta = client.post(url)
    assert respuesta.status_code == 302
    assert respuesta["Location"] == curso.lecciones[1].url
    client.post(url)
    assert ProgresoLeccion.objects.count() == 1
    contenido = client.get(curso.lecciones[0].url).content.decode()
    assert "Usted completó esta lección" in contenido


def test_completar_leccion_sin_inscripcion_es_404(client, curso):
    client.force_login(UsuarioFactory())
    url = reverse("cursos:completar_leccion", args=[curso.lecciones[0].pk])
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 405


def test_pagina_de_fase_muestra_lo_que_falta(client, curso, inscripcion, sesion):
    client.force_login(inscripcion.usuario)
    contenido = client.get(curso.practica.url).content.decode()
    assert "Le falta:" in contenido
    assert "asistir a 1 sesión en vivo más" in contenido
    assert reverse("cursos:sesion_ics", args=[sesion.pk]) in contenido


def test_inscribirse_y_retirarse_desde_la_edicion(client, edicion):
    persona = UsuarioFactory()
    client.force_login(persona)
    url = reverse("cursos:edicion", args=[edicion.pk])
    assert "Inscribirme" in client.get(url).content.decode()
    respuesta = client.post(reverse("cursos:inscribirme", args=[edicion.pk]), follow=True)
    assert "Quedó inscrita o inscrito" in respuesta.content.decode()
    respuesta = client.post(reverse("cursos:inscribirme", args=[edicion.pk]), follow=True)
    assert "Ya está inscrita o inscrito" in respuesta.content.decode()
    assert Inscripcion.objects.filter(usuario=persona).count() == 1
    respuesta = client.post(reverse("cursos:retirarme", args=[edicion.pk]), follow=True)
    assert "Se retiró de esta edición" in respuesta.content.decode()
    assert Inscripcion.objects.get(usuario=persona).estado == "retirada"


def test_inscripcion_con_cupo_lleno_da_mensaje_claro(client, curso):
    edicion = EdicionFactory(curso=curso, cupo=1)
    InscripcionFactory(edicion=edicion)
    client.force_login(UsuarioFactory())
    respuesta = client.post(reverse("cursos:inscribirme", args=[edicion.pk]), follow=True)
    assert "Ya no hay lugares disponibles" in respuesta.content.decode()
    assert edicion.inscripciones.count() == 1


def test_inscribirse_requiere_sesion_y_post(client, edicion):
    url = reverse("cursos:inscribirme", args=[edicion.pk])
    assert client.post(url).status_code == 302
    client.force_login(UsuarioFactory())
    assert client.get(url).status_code == 405
    assert not Inscripcion.objects.exists()


def test_mis_cursos_muestra_barras_siguiente_paso_y_sesiones(client, curso, inscripcion, sesion):
    client.force_login(inscripcion.usuario)
    respuesta = client.get(reverse("cursos:mis_cursos"))
    contenido = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert contenido.count('role="progressbar"') == 2
    assert "Siguiente paso: Marco normativo" in contenido
    assert sesion.titulo in contenido
    assert reverse("cursos:registrar_asistencia", args=[sesion.pk]) in contenido
    assert "Le falta:" in contenido
    assert reverse("cursos:ediciones_gestion") not in contenido
    assert reverse("evaluaciones:mis_evaluaciones") in contenido


def test_mis_cursos_muestra_horas_en_la_zona_de_la_persona(client, curso, edicion):
    sonora = UsuarioFactory(organizacion=SujetoObligadoFactory(entidad=entidad("26")))
    InscripcionFactory(edicion=edicion, usuario=sonora)
    inicio = datetime.datetime(2030, 5, 6, 17, 0, tzinfo=datetime.UTC)
    SesionEnVivoFactory(edicion=edicion, fase=curso.practica, inicio=inicio)
    client.force_login(sonora)
    contenido = client.get(reverse("cursos:mis_cursos")).content.decode()
    assert "10:00" in contenido  # 17:00 UTC is 10:00 in Hermosillo
    assert "America/Hermosillo" in contenido


def test_ics_de_la_sesion(client, inscripcion, sesion):
    client.force_login(inscripcion.usuario)
    respuesta = client.get(reverse("cursos:sesion_ics", args=[sesion.pk]))
    assert respuesta["Content-Type"].startswith("text/calendar")
    texto = respuesta.content.decode()
    assert "BEGIN:VEVENT" in texto
    assert f"UID:{sesion.uid}@testserver" in texto
    assert sesion.inicio.astimezone(datetime.UTC).strftime("DTSTART:%Y%m%dT%H%M%SZ") in texto


def test_ics_de_sesion_ajena_es_404(client, sesion):
    client.force_login(UsuarioFactory())
    assert client.get(reverse("cursos:sesion_ics", args=[sesion.pk])).status_code == 404


def test_registrar_asistencia_con_codigo(client, inscripcion, sesion):
    client.force_login(inscripcion.usuario)
    url = reverse("cursos:registrar_asistencia", args=[sesion.pk])
    respuesta = client.post(url, {"codigo": "XXXXXX"})
    assert "El código de asistencia no es correcto" in respuesta.content.decode()
    assert not Asistencia.objects.exists()
    respuesta = client.post(url, {"codigo": "abc234"})
    assert respuesta.status_code == 302
    assert Asistencia.objects.get().usuario == inscripcion.usuario
    assert "ya está registrada" in client.get(url).content.decode()


def _coordinador_estatal(clave):
    coordinador = UsuarioFactory()
    AsignacionRolFactory(usuario=coordinador, rol=Rol.COORDINADOR_ESTATAL, entidad=entidad(clave))
    return coordinador


def test_coordinacion_estatal_ve_solo_su_entidad(client, edicion):
    de_jalisco = InscripcionFactory(
        edicion=edicion, usuario__organizacion=SujetoObligadoFactory(entidad=entidad("14"))
    )
    de_oaxaca = InscripcionFactory(
        edicion=edicion, usuario__organizacion=SujetoObligadoFactory(entidad=entidad("20"))
    )
    client.force_login(_coordinador_estatal("14"))
    contenido = client.get(
        reverse("cursos:edicion_participantes", args=[edicion.pk])
    ).content.decode()
    assert de_jalisco.usuario.last_name in contenido
    assert de_oaxaca.usuario.last_name not in contenido
    # Asking for another state's people through the filter shows nobody.
    respuesta = client.get(
        reverse("cursos:edicion_participantes", args=[edicion.pk]),
        {"entidad": entidad("20").pk},
    )
    assert de_oaxaca.usuario.last_name not in respuesta.content.decode()


def test_filtro_por_institucion(client, edicion):
    org_a = SujetoObligadoFactory(entidad=entidad("14"))
    org_b = SujetoObligadoFactory(entidad=entidad("14"))
    a = InscripcionFactory(edicion=edicion, usuario__organizacion=org_a)
    b = InscripcionFactory(edicion=edicion, usuario__organizacion=org_b)
    nacional = UsuarioFactory()
    AsignacionRolFactory(usuario=nacional, rol=Rol.COORDINADOR_NACIONAL)
    client.force_login(nacional)
    contenido = client.get(
        reverse("cursos:edicion_participantes", args=[edicion.pk]), {"organizacion": org_a.pk}
    ).content.decode()
    assert a.usuario.last_name in contenido
    assert b.usuario.last_name not in contenido


def test_participante_no_ve_la_vista_de_edicion(client, inscripcion):
    client.force_login(inscripcion.usuario)
    url = reverse("cursos:edicion_participantes", args=[inscripcion.edicion_id])
    assert client.get(url).status_code == 404
    assert client.get(reverse("cursos:ediciones_gestion")).status_code == 404


def test_instructor_ve_solo_las_ediciones_de_sus_cursos(client, curso, edicion, inscripcion):
    instructor = UsuarioFactory()
    AsignacionRolFactory(usuario=instructor, rol=Rol.INSTRUCTOR)
    otra = EdicionFactory(nombre="Edición ajena")
    curso.instructores.add(instructor)
    curso.save()
    client.force_login(instructor)
    contenido = client.get(reverse("cursos:mis_cursos")).content.decode()
    assert reverse("cursos:ediciones_gestion") in contenido
    contenido = client.get(reverse("cursos:ediciones_gestion")).content.decode()
    assert edicion.nombre in contenido
    assert otra.nombre not in contenido
    contenido = client.get(
        reverse("cursos:edicion_participantes", args=[edicion.pk])
    ).content.decode()
    assert inscripcion.usuario.last_name in contenido
    assert client.get(reverse("cursos:edicion_participantes", args=[otra.pk])).status_code == 404


def test_instructor_marca_asistencia_a_mano(client, curso, edicion, sesion, inscripcion):
    instructor = UsuarioFactory()
    AsignacionRolFactory(usuario=instructor, rol=Rol.INSTRUCTOR)
    curso.instructores.add(instructor)
    curso.save()
    client.force_login(instructor)
    url = reverse("cursos:marcar_asistencia", args=[sesion.pk])
    assert inscripcion.usuario.last_name in client.get(url).content.decode()
    client.post(url, {"presentes": [inscripcion.usuario_id]})
    assert Asistencia.objects.get().origen == Asistencia.Origen.MANUAL
    ajeno = UsuarioFactory()
    respuesta = client.post(url, {"presentes": [ajeno.pk]}, follow=True)
    assert "personas que no puede registrar" in respuesta.content.decode()
    respuesta = client.post(url, {"presentes": ["x"]}, follow=True)
    assert "no es válida" in respuesta.content.decode()
    client.post(url, {})
    assert not Asistencia.objects.exists()


def test_marcar_asistencia_ajena_es_404(client, sesion):
    client.force_login(UsuarioFactory())
    assert client.get(reverse("cursos:marcar_asistencia", args=[sesion.pk])).status_code == 404


def test_busqueda_encuentra_lecciones_publicadas(client, curso):
    borrador = LeccionPageFactory(parent=curso.teorica, title="Proactiva borrador", live=False)
    respuesta = client.get(reverse("cursos:buscar"), {"q": "socialmente"})
    contenido = respuesta.content.decode()
    assert "Información socialmente útil" in contenido
    respuesta = client.get(reverse("cursos:buscar"), {"q": "borrador"})
    assert borrador.title not in respuesta.content.decode()


def test_inicio_y_programa_enlazan_a_los_cursos(client, curso):
    programa = curso.get_parent()
    contenido = client.get("/").content.decode()
    assert programa.url in contenido
    contenido = client.get(programa.url).content.decode()
    assert curso.url in contenido


def test_edicion_para_anonimos_invita_a_iniciar_sesion(client, edicion, sesion):
    contenido = client.get(reverse("cursos:edicion", args=[edicion.pk])).content.decode()
    assert "Inicie sesión para inscribirse" in contenido
    assert sesion.titulo in contenido
    assert sesion.codigo_asistencia not in contenido


def test_edicion_fuera_de_elegibilidad_explica_el_motivo(client, edicion):
    edicion.entidades.set([entidad("31")])
    client.force_login(UsuarioFactory(organizacion=SujetoObligadoFactory(entidad=entidad("14"))))
    contenido = client.get(reverse("cursos:edicion", args=[edicion.pk])).content.decode()
    assert "solo para personas de otras entidades" in contenido
    assert "Inscribirme" not in contenido


def test_retirada_ya_no_ve_las_lecciones(client, curso, inscripcion):
    services.retirar_inscripcion(inscripcion=inscripcion)
    client.force_login(inscripcion.usuario)
    contenido = client.get(curso.lecciones[0].url).content.decode()
    assert "necesita estar inscrita o inscrito" in contenido


def test_ics_de_la_edicion_con_todas_sus_sesiones(client, curso, inscripcion, sesion):
    SesionEnVivoFactory(edicion=inscripcion.edicion, fase=curso.practica, titulo="Cierre, y más")
    client.force_login(inscripcion.usuario)
    contenido = client.get(
        reverse("cursos:edicion", args=[inscripcion.edicion_id])
    ).content.decode()
    url = reverse("cursos:edicion_ics", args=[inscripcion.edicion_id])
    assert url in contenido
    texto = client.get(url).content.decode()
    assert texto.count("BEGIN:VEVENT") == 2
    assert "SUMMARY:Cierre\\, y más" in texto
    client.force_login(UsuarioFactory())
    assert client.get(url).status_code == 404


def test_ir_a_leccion_redirige_a_su_pagina(client, curso):
    respuesta = client.get(reverse("cursos:ir_a_leccion", args=[curso.lecciones[1].pk]))
    assert respuesta.status_code == 302
    assert respuesta["Location"] == curso.lecciones[1].url


def test_demasiados_codigos_incorrectos_bloquean_el_registro(client, inscripcion, sesion):
    client.force_login(inscripcion.usuario)
    url = reverse("cursos:registrar_asistencia", args=[sesion.pk])
    for _ in range(10):
        client.post(url, {"codigo": "ZZZZZZ"})
    respuesta = client.post(url, {"codigo": sesion.codigo_asistencia})
    assert "Demasiados intentos" in respuesta.content.decode()
    assert not Asistencia.objects.exists()
