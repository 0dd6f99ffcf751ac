"""The manual grading queue through the real URLs: who may grade, rubric, files, tampering."""

from decimal import Decimal

import pytest

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluaciones import selectors, services
from evaluaciones.models import CriterioRubrica, Intento, Pregunta, Respuesta
from tests.factories import AsignacionRolFactory, PreguntaFactory, UsuarioFactory
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.factories.evaluaciones_cursos import curso_impartido, iniciar
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db


def _persona_de(clave_inegi):
    persona = UsuarioFactory()
    persona.entidad = entidad(clave_inegi)
    persona.save(update_fields=["entidad"])
    return persona


def _enviado(evaluacion, persona, *, ensayo=None, entregable=None, texto="Mi ensayo largo"):
    intento = iniciar(evaluacion, persona)
    if ensayo is not None:
        services.guardar_respuesta(
            intento_id=intento.pk,
            usuario=persona,
            clave=f"p{ensayo.pk}",
            datos={f"p-p{ensayo.pk}": [texto]},
        )
    if entregable is not None:
        services.guardar_respuesta(
            intento_id=intento.pk,
            usuario=persona,
            clave=f"p{entregable.pk}",
            datos={},
            archivo=SimpleUploadedFile("Mi tarea.pdf", b"%PDF-1.7 contenido secreto"),
        )
    services.enviar_intento(intento_id=intento.pk, usuario=persona)
    intento.refresh_from_db()
    return intento


@pytest.fixture
def escenario():
    ensayo = PreguntaFactory(tipo=Pregunta.Tipo.ENSAYO, puntos=Decimal("10"))
    CriterioRubrica.objects.create(pregunta=ensayo, descripcion="Claridad", puntos=4, sort_order=0)
    CriterioRubrica.objects.create(
        pregunta=ensayo, descripcion="Fundamentación", puntos=6, sort_order=1
    )
    evaluacion = evaluacion_con(pregunta_con_opciones(), ensayo)
    jalisco = _persona_de("14")
    cdmx = _persona_de("09")
    intento_jal = _enviado(evaluacion, jalisco, ensayo=ensayo, texto="ENSAYO-DE-JALISCO")
    intento_cdmx = _enviado(evaluacion, cdmx, ensayo=ensayo, texto="ENSAYO-DE-CDMX")
    return {
        "evaluacion": evaluacion,
        "ensayo": ensayo,
        "jal": Respuesta.objects.get(intento=intento_jal, clave=f"p{ensayo.pk}"),
        "cdmx": Respuesta.objects.get(intento=intento_cdmx, clave=f"p{ensayo.pk}"),
    }


def _entrar(client, rol="instructor", entidad_clave=None):
    asignacion = AsignacionRolFactory(
        rol=rol, entidad=entidad(entidad_clave) if entidad_clave else None
    )
    if rol == "instructor":
        # An instructor grades the evaluations of the courses they teach.
        curso_impartido(asignacion.usuario)
    client.force_login(asignacion.usuario)
    return asignacion.usuario


def test_cola_lista_pendientes_y_filtra_por_evaluacion(client, escenario):
    otra = evaluacion_con(PreguntaFactory(tipo=Pregunta.Tipo.ENSAYO))
    _enviado(otra, UsuarioFactory(), ensayo=otra.secciones.first().pregunta)
    _entrar(client)
    html = client.get(reverse("evaluaciones:cola_calificacion")).content.decode()
    assert html.count(reverse("evaluaciones:calificar", args=[escenario["jal"].pk])) == 1
    assert otra.titulo in html
    filtrada = client.get(
        reverse("evaluaciones:cola_calificacion"), {"evaluacion": escenario["evaluacion"].pk}
    ).content.decode()
    assert "Calificar" in filtrada
    assert filtrada.count('class="boton" href=') == 2


def test_participante_no_puede_ver_la_cola(client, escenario):
    client.force_login(UsuarioFactory())
    assert client.get(reverse("evaluaciones:cola_calificacion")).status_code == 403
    url = reverse("evaluaciones:calificar", args=[escenario["jal"].pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"modo": "directo", "puntos": "10"}).status_code == 403
    assert Respuesta.objects.get(pk=escenario["jal"].pk).puntos is None


def test_calificar_con_rubrica_suma_criterios_y_notifica(
    client, escenario, django_capture_on_commit_callbacks
):
    calificador = _entrar(client)
    respuesta = escenario["jal"]
    url = reverse("evaluaciones:calificar", args=[respuesta.pk])
    pagina = client.get(url).content.decode()
    assert "ENSAYO-DE-JALISCO" in pagina
    assert "Fundamentación" in pagina
    criterios = list(escenario["ensayo"].criterios.order_by("sort_order"))
    with django_capture_on_commit_callbacks(execute=True):
        salida = client.post(
            url,
            {
                "modo": "rubrica",
                f"criterio-{criterios[0].pk}": "3",
                f"criterio-{criterios[1].pk}": "5,5",
                "comentario": "Buen trabajo",
            },
        )
    assert salida.status_code == 302
    # The next pending answer of the same evaluation comes next.
    assert salida["Location"] == reverse("evaluaciones:calificar", args=[escenario["cdmx"].pk])
    respuesta.refresh_from_db()
    assert respuesta.puntos == Decimal("8.5")
    assert respuesta.calificada_por == calificador
    assert respuesta.comentario == "Buen trabajo"
    assert [f["obtenidos"] for f in respuesta.rubrica] == ["3", "5.5"]
    intento = respuesta.intento
    intento.refresh_from_db()
    assert intento.estado == Intento.Estado.CALIFICADO
    assert len(mail.outbox) == 1
    assert intento.usuario.email in mail.outbox[0].to


def test_criterio_por_encima_de_su_maximo_no_cambia_nada(client, escenario):
    _entrar(client)
    respuesta = escenario["jal"]
    criterios = list(escenario["ensayo"].criterios.order_by("sort_order"))
    salida = client.post(
        reverse("evaluaciones:calificar", args=[respuesta.pk]),
        {"modo": "rubrica", f"criterio-{criterios[0].pk}": "5", f"criterio-{criterios[1].pk}": "1"},
    )
    assert salida.status_code == 400
    assert "Claridad" in salida.content.decode()
    respuesta.refresh_from_db()
    assert respuesta.puntos is None
    assert respuesta.calificada_en is None
    assert mail.outbox == []


@pytest.mark.parametrize("puntos", ["abc", "", "11", "-1", "NaN", "1e999"])
def test_puntos_directos_invalidos_se_rechazan(client, escenario, puntos):
    _entrar(client)
    respuesta = escenario["jal"]
    salida = client.post(
        reverse("evaluaciones:calificar", args=[respuesta.pk]),
        {"modo": "directo", "puntos": puntos},
    )
    assert salida.status_code == 400
    respuesta.refresh_from_db()
    assert respuesta.calificada_en is None


def test_puntos_directos_sin_rubrica(client):
    _entrar(client, rol="coordinador_nacional")
    ensayo = PreguntaFactory(tipo=Pregunta.Tipo.ENSAYO, puntos=Decimal("4"))
    evaluacion = evaluacion_con(ensayo)
    intento = _enviado(evaluacion, UsuarioFactory(), ensayo=ensayo)
    respuesta = intento.respuestas.get()
    salida = client.post(
        reverse("evaluaciones:calificar", args=[respuesta.pk]), {"puntos": "4", "comentario": ""}
    )
    assert salida.status_code == 302
    intento.refresh_from_db()
    assert intento.porcentaje == Decimal("100.00")


def test_coordinador_estatal_solo_califica_su_estado(client, escenario):
    _entrar(client, rol="coordinador_estatal", entidad_clave="14")
    html = client.get(reverse("evaluaciones:cola_calificacion")).content.decode()
    assert reverse("evaluaciones:calificar", args=[escenario["jal"].pk]) in html
    assert reverse("evaluaciones:calificar", args=[escenario["cdmx"].pk]) not in html
    ajena = reverse("evaluaciones:calificar", args=[escenario["cdmx"].pk])
    assert client.get(ajena).status_code == 404
    assert client.post(ajena, {"modo": "directo", "puntos": "10"}).status_code == 404
    assert Respuesta.objects.get(pk=escenario["cdmx"].pk).calificada_en is None


def test_id_de_respuesta_automatica_o_inexistente_da_404(client, escenario):
    _entrar(client)
    automatica = Respuesta.objects.create(
        intento=escenario["jal"].intento,
        clave=next(
            i["clave"]
            for i in escenario["jal"].intento.instantanea["preguntas"]
            if i["tipo"] == "opcion_unica"
        ),
        valor=None,
        guardada_en=escenario["jal"].guardada_en,
    )
    for pk in (automatica.pk, 999999):
        url = reverse("evaluaciones:calificar", args=[pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"modo": "directo", "puntos": "1"}).status_code == 404


def test_intento_en_curso_no_se_califica(client):
    _entrar(client)
    ensayo = PreguntaFactory(tipo=Pregunta.Tipo.ENSAYO)
    persona = UsuarioFactory()
    intento = iniciar(evaluacion_con(ensayo), persona)
    respuesta = services.guardar_respuesta(
        intento_id=intento.pk,
        usuario=persona,
        clave=f"p{ensayo.pk}",
        datos={f"p-p{ensayo.pk}": ["borrador"]},
    )
    url = reverse("evaluaciones:calificar", args=[respuesta.pk])
    assert client.post(url, {"puntos": "1"}).status_code == 404


def test_entregable_se_descarga_solo_con_permiso(client):
    entregable = PreguntaFactory(tipo=Pregunta.Tipo.ENTREGABLE, extensiones_permitidas="pdf")
    evaluacion = evaluacion_con(entregable)
    persona = _persona_de("09")
    intento = _enviado(evaluacion, persona, entregable=entregable)
    respuesta = intento.respuestas.get()
    url = reverse("evaluaciones:descargar_entregable", args=[respuesta.pk])

    client.force_login(persona)
    assert client.get(url).status_code == 403
    _entrar(client, rol="coordinador_estatal", entidad_clave="14")
    assert client.get(url).status_code == 404
    _entrar(client)
    salida = client.get(url)
    assert salida.status_code == 200
    assert salida["Content-Type"] == "application/octet-stream"
    assert "attachment" in salida["Content-Disposition"]
    assert "Mi tarea.pdf" in salida["Content-Disposition"]
    assert b"".join(salida.streaming_content) == b"%PDF-1.7 contenido secreto"
    pagina = client.get(reverse("evaluaciones:calificar", args=[respuesta.pk])).content.decode()
    assert url in pagina
    assert respuesta.archivo.name not in pagina


def test_cola_hace_consultas_fijas(client, django_assert_max_num_queries):
    _entrar(client)
    ensayo = PreguntaFactory(tipo=Pregunta.Tipo.ENSAYO)
    evaluacion = evaluacion_con(ensayo)
    for cantidad in (2, 8):
        while Respuesta.objects.filter(intento__evaluacion=evaluacion).count() < cantidad:
            _enviado(evaluacion, UsuarioFactory(), ensayo=ensayo)
        with django_assert_max_num_queries(15):
            assert client.get(reverse("evaluaciones:cola_calificacion")).status_code == 200


def test_instructor_de_otro_curso_no_ve_ni_califica_intentos_ajenos(client, escenario):
    """The queue, grading and results show only the evaluations of the instructor's courses."""
    ajena = escenario["evaluacion"]
    propia = evaluacion_con(PreguntaFactory(tipo=Pregunta.Tipo.ENSAYO))
    pendiente_propia = _enviado(propia, UsuarioFactory(), ensayo=propia.secciones.first().pregunta)
    instructor = AsignacionRolFactory(rol="instructor").usuario
    curso_impartido(instructor, propia)
    client.force_login(instructor)
    cola = client.get(reverse("evaluaciones:cola_calificacion")).content.decode()
    assert "ENSAYO-DE-JALISCO" not in cola
    assert reverse("evaluaciones:calificar", args=[escenario["jal"].pk]) not in cola
    respuesta_propia = Respuesta.objects.get(intento=pendiente_propia, puntos__isnull=True)
    assert reverse("evaluaciones:calificar", args=[respuesta_propia.pk]) in cola
    url = reverse("evaluaciones:calificar", args=[escenario["jal"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"modo": "directo", "puntos": "10"}).status_code == 404
    assert Respuesta.objects.get(pk=escenario["jal"].pk).puntos is None
    archivo = reverse("evaluaciones:descargar_entregable", args=[escenario["jal"].pk])
    assert client.get(archivo).status_code == 404
    lista = client.get(reverse("evaluaciones:resultados_lista")).content.decode()
    assert reverse("evaluaciones:resultados", args=[propia.pk]) in lista
    assert reverse("evaluaciones:resultados", args=[ajena.pk]) not in lista
    assert client.get(reverse("evaluaciones:resultados", args=[ajena.pk])).status_code == 404
    assert not selectors.intentos_a_cargo(instructor).filter(evaluacion=ajena).exists()
    assert selectors.intentos_a_cargo(instructor).filter(evaluacion=propia).exists()


def test_instructor_sin_cursos_tiene_la_cola_vacia(client, escenario):
    instructor = AsignacionRolFactory(rol="instructor").usuario
    client.force_login(instructor)
    cola = client.get(reverse("evaluaciones:cola_calificacion"))
    assert cola.status_code == 200
    assert "ENSAYO-DE-JALISCO" not in cola.content.decode()
