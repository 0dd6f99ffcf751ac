"""Bulk-issuance pages name people, never "Inscripción 7"."""

import re

import pytest
from bs4 import BeautifulSoup

from django.urls import reverse

from constancias import services
from constancias.models import TrabajoEmision

pytestmark = pytest.mark.django_db


def _no_emitidas(respuesta):
    sopa = BeautifulSoup(respuesta.content, "html.parser")
    seccion = sopa.find("section", attrs={"aria-labelledby": "no-emitidas-titulo"})
    return [li.get_text(" ", strip=True) for li in seccion.select("li")] if seccion else []


def test_quien_no_recibio_constancia_aparece_por_su_nombre(
    client, regla, inscribir, coordinador_nacional
):
    inscribir()
    sin_nombre = inscribir(first_name="", last_name="", email="sin.nombre@ejemplo.gob.mx")
    trabajo = services.crear_trabajo_emision(regla=regla, solicitante=coordinador_nacional)
    services.procesar_trabajo_emision(trabajo_id=trabajo.pk)
    client.force_login(coordinador_nacional)

    (linea,) = _no_emitidas(client.get(reverse("constancias:trabajo", args=[trabajo.pk])))

    # Without a name, the email is all the coordination has to find the person by.
    assert linea.startswith("sin.nombre@ejemplo.gob.mx: ")
    assert not re.search(rf"Inscripci[oó]n\s*{sin_nombre.pk}\b", linea)


def test_cada_motivo_con_su_persona_en_consultas_constantes(
    client, regla, inscribir, coordinador_nacional, django_assert_max_num_queries
):
    conteos = []
    for cantidad in (1, 30):
        inscripciones = [
            inscribir(first_name="José Ángel", last_name=f"Peña {n}") for n in range(cantidad)
        ]
        borrada = inscribir(first_name="Ya", last_name="No Está")
        trabajo = services.crear_trabajo_emision(regla=regla, solicitante=coordinador_nacional)
        errores = [
            {"inscripcion": i.pk, "motivo": "Le falta la fase práctica."} for i in inscripciones
        ]
        errores += [
            {"inscripcion": borrada.pk, "motivo": "Sin calificación."},
            {"inscripcion": None, "motivo": "La plantilla no se pudo dibujar."},
        ]
        TrabajoEmision.objects.filter(pk=trabajo.pk).update(errores=errores)
        borrada.delete()
        client.force_login(coordinador_nacional)
        url = reverse("constancias:trabajo", args=[trabajo.pk])
        client.get(url)
        with django_assert_max_num_queries(20) as consultas:
            lineas = _no_emitidas(client.get(url))
        conteos.append(len(consultas))

        assert lineas == [
            *(f"José Ángel Peña {n}: Le falta la fase práctica." for n in range(cantidad)),
            "Inscripción eliminada: Sin calificación.",
            "La plantilla no se pudo dibujar.",
        ]
    assert conteos[0] == conteos[1]


def test_pagina_de_regla_nombra_a_quien_no_tiene_nombre_por_su_correo(
    client, regla, inscribir, coordinador_nacional
):
    sin_nombre = inscribir(first_name="", last_name="", email="sin.nombre@ejemplo.gob.mx")
    client.force_login(coordinador_nacional)
    sopa = BeautifulSoup(
        client.get(reverse("constancias:regla", args=[regla.pk])).content, "html.parser"
    )
    personas = [fila.find("td").get_text(strip=True) for fila in sopa.select("tbody tr")]
    assert personas == ["sin.nombre@ejemplo.gob.mx"]
    assert str(sin_nombre.usuario.pk) not in personas
