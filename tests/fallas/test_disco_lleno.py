"""A full disk while a constancia's PDF or an export's file is written.

The disk is real when the machine allows it: a 1 MiB tmpfs mounted (as root) on a folder
of the test and filled up with a ballast file until the kernel answers ENOSPC; the private
storage, where both kinds of file go, points at it. Where mounting is not allowed (not
root, no CAP_SYS_ADMIN), the storage is replaced by one whose writes raise
OSError(ENOSPC), and the test says so in its output (`-rs` / `-s`): that exercises the
same code paths without a real disk.
"""

from __future__ import annotations

import datetime
import errno
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from constancias import services
from constancias.models import Constancia
from cursos import services_reportes
from cursos.models import ExportacionSolicitada
from lms.archivos import AlmacenPrivadoLocal, almacen_privado
from lms.models import Rol
from lms.services import asignar_rol
from tests.factories import InscripcionFactory, UsuarioFactory
from tests.factories.constancias import ReglaConstanciaFactory, curso_completable
from tests.factories.personas import entidad

pytestmark = [pytest.mark.fallas, pytest.mark.django_db]

LASTRE_MAXIMO = 64 * 1024 * 1024


@dataclass
class Disco:
    carpeta: Path
    real: bool
    lastre: Path

    def llenar(self) -> None:
        """Fill the disk until the kernel refuses one more byte."""
        if not self.real:
            return
        with self.lastre.open("wb", buffering=0) as archivo:
            try:
                for _i in range(LASTRE_MAXIMO // 4096):
                    archivo.write(b"\0" * 4096)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                return
        pytest.fail("El tmpfs no se llenó.")

    def liberar(self) -> None:
        self.lastre.unlink(missing_ok=True)

    def archivos(self) -> set[str]:
        return {
            p.relative_to(self.carpeta).as_posix()
            for p in self.carpeta.rglob("*")
            if p.is_file() and p != self.lastre
        }

    def con_datos(self) -> set[str]:
        """Files with content: Django's FileSystemStorage leaves the empty file it was
        writing when the disk fills (it does not delete it on error)."""
        return {n for n in self.archivos() if (self.carpeta / n).stat().st_size > 0}


class _AlmacenamientoLleno(AlmacenPrivadoLocal):
    lleno = True

    def _save(self, name, content):
        if type(self).lleno:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)
        return super()._save(name, content)


@pytest.fixture
def disco(tmp_path: Path, settings, monkeypatch) -> Iterator[Disco]:
    carpeta = tmp_path / "disco"
    carpeta.mkdir()
    montado = False
    if os.geteuid() == 0 and shutil.which("mount"):
        resultado = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(carpeta)],
            capture_output=True,
            check=False,
        )
        montado = resultado.returncode == 0
    settings.STORAGES = {
        **settings.STORAGES,
        "privado": {**settings.STORAGES["privado"], "OPTIONS": {"location": carpeta}},
    }
    if not montado:
        print(  # noqa: T201
            "AVISO: no se pudo montar un tmpfs (se necesita root con CAP_SYS_ADMIN); "
            "el disco lleno se simula con un almacenamiento que lanza OSError(ENOSPC)."
        )
        monkeypatch.setattr(_AlmacenamientoLleno, "lleno", False)
        lleno = _AlmacenamientoLleno(location=carpeta)
        monkeypatch.setattr(almacen_privado, "_wrapped", lleno)
    disco = Disco(carpeta=carpeta, real=montado, lastre=carpeta / "lastre.bin")
    try:
        if not montado:
            disco.llenar = lambda: monkeypatch.setattr(_AlmacenamientoLleno, "lleno", True)  # type: ignore[method-assign]
            disco.liberar = lambda: monkeypatch.setattr(_AlmacenamientoLleno, "lleno", False)  # type: ignore[method-assign]
        yield disco
    finally:
        if montado:
            subprocess.run(["umount", "-l", str(carpeta)], check=False)


def test_disco_lleno_al_guardar_el_pdf_no_deja_constancia_a_medias_y_se_reintenta(disco):
    regla = ReglaConstanciaFactory(edicion=curso_completable())
    inscripciones = [InscripcionFactory(edicion=regla.edicion) for _i in range(3)]
    ids = [i.pk for i in inscripciones]
    disco.llenar()

    with pytest.raises(OSError, match=r"No space left|\[Errno 28\]") as error:
        services.emitir_constancias(regla=regla, inscripcion_ids=ids)

    assert error.value.errno == errno.ENOSPC
    assert not Constancia.objects.exists()
    assert disco.con_datos() == set(), f"quedaron PDF a medias: {disco.con_datos()}"
    vacios = disco.archivos()

    disco.liberar()
    resultado = services.emitir_constancias(regla=regla, inscripcion_ids=ids)
    assert len(resultado.emitidas) == 3
    emitidas = list(Constancia.objects.all())
    assert sorted(c.inscripcion_id for c in emitidas) == sorted(ids)
    assert len({c.folio for c in emitidas}) == 3
    # Every row's file is whole; the only other files are the empty ones of the failure.
    for constancia in emitidas:
        contenido = (disco.carpeta / constancia.pdf.name).read_bytes()
        assert hashlib.sha256(contenido).hexdigest() == constancia.sha256
    assert disco.archivos() - {c.pdf.name for c in emitidas} == vacios


def test_disco_lleno_en_una_exportacion_avisa_y_se_puede_repetir(disco):
    coordinador = UsuarioFactory()
    asignar_rol(usuario=coordinador, rol=Rol.COORDINADOR_NACIONAL)
    InscripcionFactory(usuario=UsuarioFactory(organizacion__entidad=entidad("14")))
    exportacion = ExportacionSolicitada.objects.create(
        solicitante=coordinador,
        formato=ExportacionSolicitada.Formato.CSV,
        expira_en=timezone.now() + datetime.timedelta(days=1),
    )
    disco.llenar()

    with pytest.raises(OSError, match=r"No space left|\[Errno 28\]") as error:
        services_reportes.construir_exportacion(exportacion_id=exportacion.pk)

    assert error.value.errno == errno.ENOSPC
    exportacion.refresh_from_db()
    assert exportacion.estado == ExportacionSolicitada.Estado.FALLIDA
    assert not exportacion.archivo
    assert disco.con_datos() == set(), f"quedaron archivos a medias: {disco.con_datos()}"
    cliente = Client()
    cliente.force_login(coordinador)
    pagina = cliente.get(reverse("cursos:exportacion", args=[exportacion.uid]))
    assert "No se pudo preparar el archivo. Vuelva a solicitarlo" in pagina.content.decode()

    disco.liberar()
    services_reportes.construir_exportacion(exportacion_id=exportacion.pk)
    exportacion.refresh_from_db()
    assert exportacion.estado == ExportacionSolicitada.Estado.LISTA
    assert exportacion.archivo.name in disco.con_datos()
