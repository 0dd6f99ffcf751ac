"""Dates print as Spanish writes them: month and weekday names in lower case."""

import datetime

import pytest

from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize(
    ("formato", "esperado"),
    [
        ("j \\d\\e F \\d\\e Y", "2 de diciembre de 2026"),
        ("l j", "miércoles 2"),
        ("N Y", "dic. 2026"),
    ],
)
def test_fechas_en_minusculas(formato: str, esperado: str) -> None:
    plantilla = Template("{{ fecha|date:formato }}")
    with translation.override("es-mx"):
        texto = plantilla.render(Context({"fecha": datetime.date(2026, 12, 2), "formato": formato}))
    assert texto == esperado
