"""Search terms reach SQLite's FTS5 quoted: no syntax error, and the terms still match."""

import pytest

from django.core.signals import got_request_exception
from django.urls import reverse

from wagtail.search.query import And, MatchAll, Not, Phrase, PlainText

from lms import services
from lms.busqueda import consulta_segura
from lms.models import Rol, Usuario
from tests.factories import CursoPageFactory, UsuarioFactory


def test_cada_termino_dobla_sus_comillas_y_los_signos_sueltos_se_omiten():
    consulta = consulta_segura(PlainText('ley "general" - NEAR( *'))
    assert consulta.query_string == 'ley ""general"" NEAR('


def test_frase_con_comillas_y_nulos_queda_como_cadena_de_fts5():
    assert consulta_segura(Phrase('transparencia" OR "x\x00')).query_string == (
        'transparencia"" OR ""x'
    )


def test_consulta_sin_letras_no_busca_nada_y_su_negacion_todo():
    assert consulta_segura(PlainText('" - *')) is None
    assert consulta_segura(And([PlainText('"'), Phrase("-")])) is None
    assert isinstance(consulta_segura(Not(PlainText('"'))), MatchAll)


@pytest.mark.django_db
@pytest.mark.parametrize("consulta", ['"Transparencia"', 'Transparencia "', "(Transparencia)"])
def test_busqueda_de_paginas_del_admin_encuentra_con_comillas_y_signos(client, consulta):
    CursoPageFactory(title="Transparencia proactiva")
    CursoPageFactory(title="Datos abiertos")
    administrador = UsuarioFactory()
    services.asignar_rol(usuario=administrador, rol=Rol.ADMINISTRADOR)
    client.force_login(Usuario.objects.get(pk=administrador.pk))
    errores = []

    def anotar(sender, **kwargs):
        errores.append(sender)

    got_request_exception.connect(anotar)
    try:
        respuesta = client.get(reverse("wagtailadmin_pages:search"), {"q": consulta})
    finally:
        got_request_exception.disconnect(anotar)

    html = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert errores == []
    assert "Transparencia proactiva" in html
    assert "Datos abiertos" not in html
