"""Folios, verification codes and template permissions."""

import base64

import pytest

from django.db import transaction

from constancias import services
from constancias.models import SerieFolio
from lms import services as lms_services
from lms.models import Rol
from tests.factories import SerieFolioFactory, UsuarioFactory

pytestmark = pytest.mark.django_db


def test_codigo_de_verificacion_tiene_128_bits_aleatorios():
    codigos = {services.generar_codigo_verificacion() for _ in range(2000)}
    assert len(codigos) == 2000
    for codigo in list(codigos)[:50]:
        assert len(codigo) == 22
        assert len(base64.urlsafe_b64decode(codigo + "==")) == 16


def test_folios_consecutivos_con_formato_humano():
    serie = services.obtener_serie(prefijo="TP", anio=2026)
    assert services.asignar_folio(serie=serie) == "TP-2026-000001"
    assert services.asignar_folio(serie=serie) == "TP-2026-000002"
    assert services.asignar_folios(serie=serie, cantidad=3) == [
        "TP-2026-000003",
        "TP-2026-000004",
        "TP-2026-000005",
    ]
    assert SerieFolio.objects.get(pk=serie.pk).ultimo == 5


def test_cada_serie_y_anio_cuenta_aparte():
    tp26 = services.obtener_serie(prefijo="TP", anio=2026)
    tp27 = services.obtener_serie(prefijo="TP", anio=2027)
    otra = services.obtener_serie(prefijo="DAI", anio=2026)
    services.asignar_folios(serie=tp26, cantidad=4)
    assert services.asignar_folio(serie=tp27) == "TP-2027-000001"
    assert services.asignar_folio(serie=otra) == "DAI-2026-000001"
    assert services.obtener_serie(prefijo="TP", anio=2026).pk == tp26.pk


def test_emision_revertida_devuelve_sus_folios():
    serie = SerieFolioFactory()
    with transaction.atomic():
        services.asignar_folio(serie=serie)
        transaction.set_rollback(True)
    serie.refresh_from_db()
    assert services.asignar_folio(serie=serie) == "TP-2026-000001"


def test_folio_usa_el_contador_de_la_base_no_el_del_objeto():
    # Two issuers holding stale copies of the series still get distinct folios.
    serie_a = SerieFolioFactory()
    serie_b = SerieFolio.objects.get(pk=serie_a.pk)
    assert services.asignar_folio(serie=serie_a) == "TP-2026-000001"
    assert services.asignar_folio(serie=serie_b) == "TP-2026-000002"


def test_cero_folios_no_cambia_nada():
    serie = SerieFolioFactory()
    assert services.asignar_folios(serie=serie, cantidad=0) == []
    assert SerieFolio.objects.get(pk=serie.pk).ultimo == 0


def test_coordinacion_nacional_puede_editar_y_publicar_plantillas():
    services.asegurar_permisos_plantillas()
    nacional, estatal = UsuarioFactory(), UsuarioFactory()
    lms_services.asignar_rol(usuario=nacional, rol=Rol.COORDINADOR_NACIONAL)
    lms_services.asignar_rol(usuario=estatal, rol=Rol.INSTRUCTOR)
    for permiso in ("change_plantillaconstancia", "publish_plantillaconstancia"):
        assert nacional.has_perm(f"constancias.{permiso}")
        assert not estatal.has_perm(f"constancias.{permiso}")


@pytest.mark.django_db(transaction=True)
def test_emisores_concurrentes_nunca_repiten_folio():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("El bloqueo de filas se prueba contra PostgreSQL (DATABASE_URL).")
    serie = SerieFolioFactory(prefijo="CC")

    def emitir(_numero):
        try:
            with transaction.atomic():
                return services.asignar_folios(
                    serie=SerieFolio.objects.get(pk=serie.pk), cantidad=5
                )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as hilos:
        folios = [f for bloque in hilos.map(emitir, range(12)) for f in bloque]
    assert len(folios) == len(set(folios)) == 60
    assert SerieFolio.objects.get(pk=serie.pk).ultimo == 60
