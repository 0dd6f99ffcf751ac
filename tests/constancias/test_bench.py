"""The benchmark command issues real constancias end to end and cleans up after itself."""

import io

import pytest

from django.core.management import call_command

from constancias.models import Constancia, PlantillaConstancia, SerieFolio
from cursos.models import Inscripcion


@pytest.mark.django_db
def test_bench_constancias_emite_filas_reales_reporta_y_limpia(tmp_path):
    salida = io.StringIO()
    call_command(
        "bench_constancias",
        cantidad=6,
        muestra_simple=2,
        muestra_dividido=2,
        muestra_firmada=2,
        procesos=1,
        tamano_lote=4,
        destino=str(tmp_path),
        stdout=salida,
    )
    texto = salida.getvalue()
    for etiqueta in (
        "Emisión de punta a punta (emitir_constancias",
        "Camino simple",
        "Lote de WeasyPrint",
        "Emisión de punta a punta firmada",
        "Aceleración",
        "Antes: misma emisión con el candado de la serie durante el render",
        "Antes: firmada con el candado durante el render",
        "Después/antes (emisión de punta a punta)",
        "Después/antes (emisión de punta a punta firmada)",
    ):
        assert etiqueta in texto
    assert (
        "Emisión de punta a punta (emitir_constancias: folios, capa común + capa personal, "
        in texto
    )
    # Six and two signed with the current design, the same again with the previous one,
    # stored under unguessable names (never the folio).
    emitidos = list((tmp_path / "constancias").rglob("*.pdf"))
    assert len(emitidos) == 2 * (6 + 2)
    assert not any("BENCH" in p.name for p in emitidos)
    assert not Constancia.objects.exists()
    assert not Inscripcion.objects.exists()
    assert not PlantillaConstancia.objects.exists()
    assert not SerieFolio.objects.filter(prefijo="BENCH").exists()
