"""Every spreadsheet Wagtail's admin exports is safe to open in Excel, and is audited."""

import csv
import io

import openpyxl
import pytest

from wagtail.contrib.redirects.models import Redirect
from wagtail.log_actions import log
from wagtail.models import Page

from lms import services
from lms.models import RegistroAuditoria, Rol, Usuario
from tests.factories import UsuarioFactory

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def administrador(client):
    usuario = UsuarioFactory(first_name="+Ana", last_name="@Admin")
    services.asignar_rol(usuario=usuario, rol=Rol.ADMINISTRADOR)
    usuario = Usuario.objects.get(pk=usuario.pk)
    client.force_login(usuario)
    return usuario


@pytest.fixture
def pagina_hostil(administrador):
    inicio = Page.objects.get(depth=2)
    pagina = inicio.add_child(instance=Page(title=FORMULA, slug="hostil"))
    log(instance=pagina, action="wagtail.create", user=administrador)
    return pagina


def _filas_csv(respuesta):
    texto = b"".join(respuesta.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(texto)))


def _celdas(filas):
    return [celda for fila in filas for celda in fila]


def test_historial_del_sitio_en_csv_no_ejecuta_formulas(client, pagina_hostil):
    respuesta = client.get("/admin/reports/site-history/", {"export": "csv"})
    assert respuesta.status_code == 200
    celdas = _celdas(_filas_csv(respuesta))
    assert "'" + FORMULA in celdas
    assert any(c.startswith("'+Ana") for c in celdas)
    assert not [c for c in celdas if c[:1] in {"=", "+", "-", "@", "\t", "\r"}]


def test_historial_del_sitio_en_xlsx_no_ejecuta_formulas(client, pagina_hostil):
    respuesta = client.get("/admin/reports/site-history/", {"export": "xlsx"})
    assert respuesta.status_code == 200
    libro = openpyxl.load_workbook(io.BytesIO(b"".join(respuesta.streaming_content)))
    celdas = [c for fila in libro.active.iter_rows(values_only=True) for c in fila]
    assert "'" + FORMULA in celdas
    assert not [c for c in celdas if isinstance(c, str) and c[:1] in {"=", "+", "-", "@"}]


@pytest.mark.parametrize("url", ["/admin/reports/locked/", "/admin/reports/aging-pages/"])
def test_los_demas_reportes_tampoco(client, administrador, pagina_hostil, url):
    pagina_hostil.save_revision(user=administrador).publish()
    Page.objects.filter(pk=pagina_hostil.pk).update(locked=True, locked_by=administrador)
    celdas = _celdas(_filas_csv(client.get(url, {"export": "csv"})))
    assert "'" + FORMULA in celdas
    assert not [c for c in celdas if c[:1] in {"=", "+", "-", "@", "\t", "\r"}]


def test_listados_de_modelos_tampoco(client, administrador):
    Redirect.objects.create(old_path="/viejo", redirect_link=FORMULA)
    celdas = _celdas(_filas_csv(client.get("/admin/redirects/", {"export": "csv"})))
    assert "'" + FORMULA in celdas
    assert FORMULA not in celdas


def test_la_exportacion_queda_en_la_bitacora(client, administrador, pagina_hostil):
    respuesta = client.get(
        "/admin/reports/site-history/", {"export": "csv", "action": "wagtail.create"}
    )
    _filas_csv(respuesta)
    registro = RegistroAuditoria.objects.get()
    assert registro.usuario == administrador
    assert registro.accion == RegistroAuditoria.Accion.EXPORTACION_ADMINISTRACION
    assert registro.objeto == "wagtailadmin_reports:site_history"
    assert registro.filtros == {"formato": "csv", "action": "wagtail.create"}


def test_ver_el_reporte_sin_exportar_no_se_audita(client, pagina_hostil):
    assert client.get("/admin/reports/site-history/").status_code == 200
    assert not RegistroAuditoria.objects.exists()
