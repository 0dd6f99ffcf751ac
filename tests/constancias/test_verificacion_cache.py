"""The QR's page from the cache: no database on a repeated scan, never stale, log in batches."""

import json

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from constancias import services, tasks, verificacion
from constancias.models import VerificacionConsulta
from lms.models import ConfiguracionSitio

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _en_lote(settings):
    settings.CONSTANCIAS_CONSULTAS_EN_LOTE = True
    buffer = verificacion.pendientes()
    buffer.quitar(buffer.cantidad())
    yield
    buffer.quitar(buffer.cantidad())


@pytest.fixture
def constancia(regla, inscripcion):
    [emitida] = services.emitir_constancias(regla=regla, inscripcion_ids=[inscripcion.pk]).emitidas
    return emitida


def _url(constancia):
    return reverse("constancias:verificar", args=[constancia.codigo_verificacion])


def _visitante(n=1):
    return Client(REMOTE_ADDR=f"198.51.100.{n}", HTTP_USER_AGENT=f"Telefono {n}")


def test_un_escaneo_repetido_no_toca_la_base_ni_la_sesion(
    constancia, django_assert_num_queries, settings
):
    primera = _visitante(1).get(_url(constancia))
    with django_assert_num_queries(0):
        segunda = _visitante(2).get(_url(constancia))

    assert primera.status_code == segunda.status_code == 200
    assert segunda.content == primera.content
    html = segunda.content.decode()
    assert "Constancia válida" in html
    assert constancia.folio in html
    assert "csrfmiddlewaretoken" not in html
    assert "Cookie" in segunda["Vary"]
    assert settings.SESSION_COOKIE_NAME not in segunda.cookies
    assert "Content-Security-Policy" in segunda
    # Neither scan wrote its log row yet; the flush writes both, each with its visitor.
    assert not VerificacionConsulta.objects.exists()
    assert services.guardar_consultas() == 2
    consultas = VerificacionConsulta.objects.order_by("consultada_en")
    assert [(c.ip, c.agente, c.constancia_id, c.encontrada, c.medio) for c in consultas] == [
        ("198.51.100.1", "Telefono 1", constancia.pk, True, "enlace"),
        ("198.51.100.2", "Telefono 2", constancia.pk, True, "enlace"),
    ]


def test_revocar_cambia_la_pagina_en_cuanto_se_confirma(
    constancia, coordinador_nacional, django_capture_on_commit_callbacks
):
    assert "Constancia válida" in _visitante().get(_url(constancia)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.revocar_constancia(
            constancia=constancia, motivo="Datos incorrectos", usuario=coordinador_nacional
        )

    html = _visitante(2).get(_url(constancia)).content.decode()
    assert "Constancia revocada" in html
    assert "Constancia válida" not in html


def test_reemplazar_cambia_la_pagina_y_enlaza_a_la_nueva(
    constancia, coordinador_nacional, django_capture_on_commit_callbacks
):
    _visitante().get(_url(constancia))
    with django_capture_on_commit_callbacks(execute=True):
        nueva = services.reemplazar_constancia(
            constancia=constancia, motivo="Corrección del nombre", usuario=coordinador_nacional
        )

    html = _visitante(2).get(_url(constancia)).content.decode()
    assert "Constancia reemplazada" in html
    assert _url(nueva) in html


def test_una_pagina_leida_antes_de_revocar_no_queda_guardada(constancia):
    """A render that raced a revocation is stored under the old generation: never served."""
    guardada, generacion = verificacion.respuesta_guardada(constancia.codigo_verificacion)
    assert guardada is None
    verificacion.invalidar_verificacion()  # the revocation commits meanwhile
    verificacion.guardar_respuesta(
        constancia.codigo_verificacion, "pagina vieja", generacion, constancia_id=constancia.pk
    )

    assert verificacion.respuesta_guardada(constancia.codigo_verificacion)[0] is None
    assert "pagina vieja" not in _visitante().get(_url(constancia)).content.decode()


def test_el_nombre_del_sitio_cambia_en_las_paginas_guardadas(
    constancia, django_capture_on_commit_callbacks
):
    _visitante().get(_url(constancia))
    configuracion = ConfiguracionSitio.objects.get_or_create(pk=1)[0]
    with django_capture_on_commit_callbacks(execute=True):
        configuracion.nombre_plataforma = "Plataforma Renombrada de Capacitación"
        configuracion.save()

    assert "Plataforma Renombrada de Capacitación" in (
        _visitante(2).get(_url(constancia)).content.decode()
    )


def test_con_sesion_se_dibuja_y_no_se_guarda_para_otros(client, constancia, coordinador_nacional):
    client.force_login(coordinador_nacional)
    propia = client.get(_url(constancia)).content.decode()
    assert "Cerrar sesión" in propia

    anonima = _visitante().get(_url(constancia)).content.decode()
    assert "Cerrar sesión" not in anonima
    assert "Constancia válida" in anonima
    # The signed-in visitor's page never comes from the anonymous one either.
    assert "Cerrar sesión" in client.get(_url(constancia)).content.decode()


def test_un_codigo_inexistente_se_recuerda_sin_guardar_una_pagina_por_codigo(
    constancia, django_assert_num_queries
):
    url = reverse("constancias:verificar", args=["no-existe-1234567890"])
    otra = reverse("constancias:verificar", args=["tampoco-existe-0987654321"])
    assert _visitante().get(url).status_code == 404
    with CaptureQueriesContext(connection) as consultas:
        respuesta = _visitante(2).get(url)
    assert respuesta.status_code == 404
    assert "No corresponde a ninguna constancia" in respuesta.content.decode()
    assert not any("constancias_constancia" in q["sql"] for q in consultas.captured_queries)
    # Another unknown code asks the database once and gets the same page, not re-rendered.
    tercera = _visitante(3).get(otra)
    assert tercera.status_code == 404
    assert tercera.content == respuesta.content
    assert "Constancia válida" in _visitante(4).get(_url(constancia)).content.decode()
    services.guardar_consultas()
    assert sorted(VerificacionConsulta.objects.values_list("dato", "encontrada")) == sorted(
        [
            ("no-existe-1234567890", False),
            ("no-existe-1234567890", False),
            (constancia.codigo_verificacion, True),
            ("tampoco-existe-0987654321", False),
        ]
    )


def test_el_limite_por_direccion_vale_tambien_desde_la_cache(constancia, settings):
    settings.CONSTANCIAS_LIMITE_VERIFICACION = (2, 60)
    visitante = _visitante()
    assert [visitante.get(_url(constancia)).status_code for _ in range(3)] == [200, 200, 429]
    assert services.guardar_consultas() == 2


def test_un_vaciado_interrumpido_no_pierde_ni_duplica(constancia, monkeypatch):
    for n in range(5):
        _visitante(n).get(_url(constancia))
    buffer = verificacion.pendientes()
    quitar = type(buffer).quitar

    def caida(self, cantidad):
        raise ConnectionError("el worker murió antes de recortar")

    monkeypatch.setattr(type(buffer), "quitar", caida)
    with pytest.raises(ConnectionError):
        services.guardar_consultas(lote=3)
    monkeypatch.setattr(type(buffer), "quitar", quitar)
    # The first 3 reached the table; the buffer still holds all 5.
    assert VerificacionConsulta.objects.count() == 3
    assert buffer.cantidad() == 5

    assert services.guardar_consultas(lote=3) == 5
    assert VerificacionConsulta.objects.count() == 5
    assert buffer.cantidad() == 0
    assert services.guardar_consultas() == 0


def test_una_entrada_ilegible_no_detiene_a_las_demas(constancia):
    buffer = verificacion.pendientes()
    buffer.anotar("{no es json")
    buffer.anotar(json.dumps({"medio": "enlace"}))
    _visitante().get(_url(constancia))

    assert services.guardar_consultas() == 3
    assert VerificacionConsulta.objects.get().constancia_id == constancia.pk
    assert buffer.cantidad() == 0


def test_un_solo_vaciado_a_la_vez(constancia):
    _visitante().get(_url(constancia))
    with verificacion.candado_de_vaciado() as obtenido:
        assert obtenido
        assert services.guardar_consultas() == 0
    assert services.guardar_consultas() == 1


def test_la_tarea_periodica_guarda_las_consultas(constancia):
    from django_celery_beat.models import PeriodicTask

    programada = PeriodicTask.objects.get(name="Guardar consultas de verificación")
    assert programada.task == "constancias.tasks.guardar_consultas_task"
    assert programada.enabled
    assert (programada.interval.every, programada.interval.period) == (1, "minutes")

    for n in range(3):
        _visitante(n).get(_url(constancia))
    assert tasks.guardar_consultas_task.apply().get() == 3
    assert VerificacionConsulta.objects.filter(constancia=constancia).count() == 3


def test_sin_lote_cada_consulta_se_escribe_al_momento(constancia, settings):
    settings.CONSTANCIAS_CONSULTAS_EN_LOTE = False
    _visitante().get(_url(constancia))
    _visitante(2).get(_url(constancia))
    assert VerificacionConsulta.objects.count() == 2
    assert services.guardar_consultas() == 0


def test_un_codigo_inexistente_no_busca_redirecciones_pero_las_demas_rutas_si(constancia):
    from wagtail.contrib.redirects.models import Redirect

    Redirect.objects.create(old_path="/pagina-vieja", redirect_link="/aviso-de-privacidad/")
    assert _visitante().get("/pagina-vieja/").status_code in (301, 302)

    url = reverse("constancias:verificar", args=["inventado-1234567890"])
    with CaptureQueriesContext(connection) as consultas:
        assert _visitante(2).get(url).status_code == 404
    assert not any("wagtailredirects" in q["sql"] for q in consultas.captured_queries)
