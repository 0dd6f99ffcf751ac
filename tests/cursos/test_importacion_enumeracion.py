"""Bulk enrolment never tells a state coordinator who has an account in another state.

A row whose e-mail belongs to someone outside the coordinator's scope is checked as if
the address were unknown: it gets exactly the messages an unknown address with the same
data would get, and never the other state, the person's organization or their account.
"""

import csv
import io

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cursos.importacion import RECHAZADA
from lms.models import Rol, Usuario
from tests.factories import AsignacionRolFactory, SujetoObligadoFactory, UsuarioFactory
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db

ENCABEZADO = "correo;nombre;apellidos;cargo;organizacion;entidad\r\n"


@pytest.fixture
def sej(db):
    return SujetoObligadoFactory(
        nombre="Secretaría de Educación Jalisco", siglas="SEJ", entidad=entidad("14")
    )


@pytest.fixture
def ajena(db):
    """Someone with an account in Oaxaca, in an organization whose name says nothing of it."""
    organizacion = SujetoObligadoFactory(
        nombre="Fiscalía Anticorrupción", siglas="FA", entidad=entidad("20")
    )
    return UsuarioFactory(
        email="ajena@fiscalia.gob.mx", last_name="Zárate Quintanilla", organizacion=organizacion
    )


@pytest.fixture
def coordinador(client):
    usuario = AsignacionRolFactory(rol=Rol.COORDINADOR_ESTATAL, entidad=entidad("14")).usuario
    client.force_login(usuario)
    return usuario


def _vista_previa(client, edicion, texto):
    archivo = SimpleUploadedFile("personas.csv", texto.encode("utf-8"), content_type="text/csv")
    subida = client.post(reverse("cursos:inscribir_subir", args=[edicion.pk]), {"archivo": archivo})
    assert subida.status_code == 302, subida.content.decode()[:500]
    token = subida["Location"].rstrip("/").rsplit("/", 1)[-1]
    previa = client.get(reverse("cursos:inscribir_revisar", args=[edicion.pk, token]))
    rechazadas = client.get(reverse("cursos:inscribir_rechazadas", args=[edicion.pk, token]))
    filas = list(csv.reader(io.StringIO(rechazadas.content.decode("utf-8-sig"))))
    return previa, {fila[0]: fila[-1] for fila in filas[1:]}


@pytest.mark.parametrize(
    "datos",
    [
        ";;;;",  # only the e-mail
        "Ana;Ruiz;Analista;;",  # no organization
        "Ana;Ruiz;Analista;FA;",  # an organization outside the coordination
        "Ana;Ruiz;Analista;SEJ;Jalisco",  # the coordinator's own organization
    ],
)
def test_correo_de_otro_estado_recibe_el_mismo_mensaje_que_un_correo_desconocido(
    client, edicion, sej, ajena, coordinador, datos
):
    # The unknown address gets the same data, but with the coordinator's own organization
    # it would be created; only rows that cannot be enrolled are compared.
    texto = ENCABEZADO + f"{ajena.email};{datos}\r\n" + f"nadie@fiscalia.gob.mx;{datos}\r\n"

    previa, motivos = _vista_previa(client, edicion, texto)

    html = previa.content.decode()
    assert ajena.email in motivos
    motivo = motivos[ajena.email]
    if "SEJ" not in datos:
        assert motivo == motivos["nadie@fiscalia.gob.mx"]
    for pista in ("Oaxaca", "existe", "registrad", "pertenece", ajena.last_name):
        assert pista not in motivo
    for pista in ("Oaxaca", ajena.last_name, "Fiscalía Anticorrupción"):
        assert pista not in html
    assert Usuario.objects.filter(email=ajena.email).get().pk == ajena.pk


def test_fila_ajena_no_revela_la_organizacion_de_la_persona(
    client, edicion, sej, ajena, coordinador
):
    previa, motivos = _vista_previa(client, edicion, ENCABEZADO + f"{ajena.email};;;;;\r\n")

    assert "Fiscalía Anticorrupción" not in previa.content.decode()
    assert "Fiscalía Anticorrupción" not in motivos[ajena.email]


def test_fila_ajena_con_datos_completos_se_rechaza_sin_crear_ni_inscribir(
    client, edicion, sej, ajena, coordinador
):
    texto = ENCABEZADO + f"{ajena.email};Ana;Ruiz;Analista;SEJ;Jalisco\r\n"

    previa, motivos = _vista_previa(client, edicion, texto)
    client.post(previa.request["PATH_INFO"])

    assert "fuera de su coordinación" in motivos[ajena.email]
    assert "Ninguna fila se puede inscribir" in previa.content.decode()
    assert previa.context["filas"][0].estado == RECHAZADA
    assert previa.context["filas"][0].usuario_id is None
    assert not edicion.inscripciones.exists()
    ajena.refresh_from_db()
    assert ajena.organizacion.siglas == "FA"


def test_coordinacion_nacional_sigue_inscribiendo_a_personas_de_cualquier_estado(
    client, edicion, ajena
):
    nacional = AsignacionRolFactory(rol=Rol.COORDINADOR_NACIONAL).usuario
    client.force_login(nacional)

    previa, motivos = _vista_previa(client, edicion, ENCABEZADO + f"{ajena.email};;;;;\r\n")

    assert motivos == {}
    assert "1 persona con cuenta se inscribe" in previa.content.decode()
