"""One language, one register: the admin in es-MX for everyone, "usted", plurals, gender."""

import shutil
from pathlib import Path

import pytest

from django.conf import settings as ajustes
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text
from wagtail.users.models import UserProfile

from constancias.models import TrabajoEmision
from constancias.views import _texto_avance
from cursos.views_importacion import _asistencia_importada
from evaluaciones.models import Pregunta
from evaluaciones.views import _textos_script
from lms import services
from lms.models import Rol
from tests.factories import CategoriaPreguntaFactory, UsuarioFactory
from tests.factories.evaluaciones import PreguntaFactory
from tests.factories.evaluaciones_cursos import curso_impartido

CATALOGO_PAQUETES = Path(ajustes.BASE_DIR) / "locale_paquetes" / "es_MX" / "LC_MESSAGES"


@pytest.fixture(scope="module")
def catalogos_compilados():
    """The project's catalogues compiled (`make messages` does it before the suite)."""
    po, mo = CATALOGO_PAQUETES / "django.po", CATALOGO_PAQUETES / "django.mo"
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        if shutil.which("msgfmt") is None:
            pytest.fail("Se necesita msgfmt (paquete gettext) para compilar los catálogos.")
        call_command("compilemessages", locale=["es_MX"], ignore_patterns=[".venv"], verbosity=0)
    # Drop catalogues loaded before the compilation.
    translation.trans_real._translations = {}
    translation.trans_real._default = None
    translation.trans_real._active = translation.trans_real.Local()


@pytest.fixture
def instructora(client):
    usuario = UsuarioFactory(first_name="Inés", last_name="Muñoz Saldaña")
    services.asignar_rol(usuario=usuario, rol=Rol.INSTRUCTOR)
    client.force_login(usuario)
    return usuario


@pytest.mark.django_db
@pytest.mark.parametrize("preferencia", ["", "en"])
def test_la_administracion_habla_espanol_aunque_el_navegador_pida_ingles(
    client, instructora, catalogos_compilados, preferencia
):
    # "en" was offered before: a profile saved then must not keep the admin in English.
    UserProfile.objects.update_or_create(
        user=instructora, defaults={"preferred_language": preferencia}
    )
    pagina = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="es-mx"' in pagina
    assert "Dashboard" not in pagina
    # Wagtail's own sentence, in "usted" (its Spanish catalogue says "tu navegador").
    assert "habilitar JavaScript en su navegador" in pagina
    assert "tu navegador" not in pagina


@pytest.mark.django_db
def test_la_cuenta_no_ofrece_otro_idioma(client, instructora, catalogos_compilados):
    pagina = client.get("/admin/account/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="locale-preferred_language"' not in pagina
    assert "English" not in pagina


@pytest.mark.parametrize(
    ("n", "texto"),
    [
        (1, "1 persona registrada, 1 ya tenía registro"),
        (2, "2 personas registradas, 2 ya tenían registro"),
    ],
)
def test_resumen_de_asistencia_en_singular_y_plural(n, texto):
    with translation.override("es-mx"):
        resumen = _asistencia_importada(marcadas=n, ya=n, insuficientes=0, sin=n)
    assert resumen.startswith(f"Asistencia importada: {texto}")


def test_avisos_de_tiempo_en_singular_y_plural():
    with translation.override("es-mx"):
        avisos = _textos_script()["quedan"]
    assert avisos == {
        "600": "Quedan 10 minutos.",
        "300": "Quedan 5 minutos.",
        "60": "Queda 1 minuto.",
    }


def _pregunta(categoria):
    return nested_form_data(
        {
            "titulo": "Plazo de respuesta",
            "tipo": "opcion_unica",
            "categoria": categoria.pk,
            "puntos": "2",
            "etiquetas": "",
            "enunciado": rich_text("<p>¿Cuál es el plazo?</p>"),
            "tolerancia": "0",
            "longitud_maxima": "10000",
            "extensiones_permitidas": "pdf",
            "tamano_maximo_mb": "10",
            "retroalimentacion": "",
            "opciones": inline_formset(
                [
                    {"texto": "Diez días", "correcta": "on", "pareja": ""},
                    {"texto": "Treinta días", "correcta": "", "pareja": ""},
                ]
            ),
            "criterios": inline_formset([]),
        }
    )


@pytest.mark.django_db
def test_mensajes_de_un_modelo_femenino(client, instructora, catalogos_compilados):
    curso = curso_impartido(instructora)
    categoria = CategoriaPreguntaFactory(curso=curso)
    respuesta = client.post(
        reverse("wagtailsnippets_evaluaciones_pregunta:add"), _pregunta(categoria), follow=True
    )
    assert "Pregunta «Plazo de respuesta» creada." in respuesta.content.decode()
    assert "creado" not in respuesta.content.decode()

    pregunta = Pregunta.objects.get()
    confirmacion = client.get(
        reverse("wagtailsnippets_evaluaciones_pregunta:delete", args=[pregunta.pk])
    ).content.decode()
    assert "¿Seguro que desea eliminar esta pregunta?" in confirmacion


@pytest.mark.django_db
def test_mensaje_de_edicion_de_un_modelo_femenino(client, instructora, catalogos_compilados):
    curso = curso_impartido(instructora)
    pregunta = PreguntaFactory(categoria=CategoriaPreguntaFactory(curso=curso), titulo="Plazos")
    respuesta = client.post(
        reverse("wagtailsnippets_evaluaciones_pregunta:edit", args=[pregunta.pk]),
        _pregunta(pregunta.categoria),
        follow=True,
    )
    assert "Pregunta «Plazo de respuesta» actualizada." in respuesta.content.decode()


@pytest.mark.parametrize(
    ("total", "texto"),
    [
        (1, "Terminado: 1 de 1 persona revisada, 1 constancia emitida."),
        (3, "Terminado: 3 de 3 personas revisadas, 3 constancias emitidas."),
    ],
)
def test_avance_de_la_emision_en_bloque_en_singular_y_plural(total, texto):
    trabajo = TrabajoEmision(
        estado=TrabajoEmision.Estado.TERMINADO, total=total, hechas=total, emitidas=total
    )
    with translation.override("es-mx"):
        assert _texto_avance(trabajo) == texto


def test_mensajes_de_allauth_en_usted(catalogos_compilados):
    with translation.override("es-mx"):
        assert translation.gettext("Be patient, you are sending too many requests.") == (
            "Tenga paciencia: está enviando demasiadas solicitudes."
        )
