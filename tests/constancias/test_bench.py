"""The benchmark command runs end to end on a tiny sample and reports every figure."""

import io

import pytest

from django.core.management import call_command

from constancias.models import SerieFolio


@pytest.mark.django_db
def test_bench_constancias_reporta_tasas_y_no_deja_series(tmp_path):
    salida = io.StringIO()
    call_command(
        "bench_constancias",
        cantidad=6,
        muestra_simple=2,
        muestra_dividido=2,
        muestra_firmada=2,
        procesos=2,
        tamano_lote=3,
        destino=str(tmp_path),
        stdout=salida,
    )
    texto = salida.getvalue()
    for etiqueta in (
        "Diseño elegido",
        "Camino simple",
        "Lote de WeasyPrint",
        "Firmadas",
        "Aceleración",
    ):
        assert etiqueta in texto
    assert len(list((tmp_path / "estampado").glob("BENCH-2026-*.pdf"))) == 6
    assert len(list((tmp_path / "firmado").glob("*.pdf"))) == 2
    assert not SerieFolio.objects.filter(prefijo="BENCH").exists()
