"""The demo issues constancias to the demo participants who completed, once."""

import pytest

from constancias import demo as demo_constancias
from constancias.models import Constancia, PlantillaConstancia
from cursos import demo as demo_cursos
from lms import demo as demo_lms

pytestmark = pytest.mark.django_db


def test_demo_emite_a_quien_termino_y_es_idempotente():
    demo_lms.cargar()
    demo_cursos.cargar()
    demo_constancias.cargar()

    plantilla = PlantillaConstancia.objects.get(nombre=demo_constancias.NOMBRE_PLANTILLA)
    assert plantilla.live_revision_id is not None
    assert plantilla.emisores.get().organizacion.entidad is None  # the national body, as data
    correos = set(Constancia.objects.values_list("usuario__email", flat=True))
    assert {"lucia.hernandez@demo.mx", "rocio.navarro@demo.mx"} <= correos
    assert "ana.canul@demo.mx" not in correos
    total = Constancia.objects.count()

    assert demo_constancias.cargar() == 0
    assert Constancia.objects.count() == total
