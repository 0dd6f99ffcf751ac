"""Backup and restore (`manage.py respaldar` / `restaurar`): rows and file hashes survive.

Constancia PDFs live in the private storage, lesson files in the public one: both are
carried out and back, each to its own storage.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from constancias import services
from constancias.models import Constancia
from lms.models import Usuario
from tests.factories import InscripcionFactory
from tests.factories.constancias import ReglaConstanciaFactory, curso_completable


def _sha(ruta: Path) -> str:
    return hashlib.sha256(ruta.read_bytes()).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_respaldo_restaurado_en_base_nueva_conserva_filas_y_pdf(
    tmp_path, base_nueva, carpeta_privada
):
    url, leer = base_nueva
    publico = default_storage.save("documents/guia.txt", ContentFile(b"guia publica"))
    regla = ReglaConstanciaFactory(edicion=curso_completable(), automatica=False)
    inscripciones = [InscripcionFactory(edicion=regla.edicion) for _ in range(3)]
    services.emitir_constancias(
        regla=regla, inscripcion_ids=[i.pk for i in inscripciones], notificar=False
    )
    originales = {
        c.folio: (c.codigo_verificacion, c.pdf.name, c.sha256) for c in Constancia.objects.all()
    }
    assert len(originales) == 3
    for _codigo, nombre, sha in originales.values():
        assert _sha(carpeta_privada / nombre) == sha
        assert not (Path(settings.MEDIA_ROOT) / nombre).exists()

    respaldo = tmp_path / "respaldo"
    call_command("respaldar", str(respaldo))

    # Disaster: one PDF deleted, another overwritten, the rows gone.
    nombres = [nombre for _c, nombre, _s in originales.values()]
    (carpeta_privada / nombres[0]).unlink()
    (carpeta_privada / nombres[1]).write_bytes(b"%PDF-1.7 danado")
    Constancia.objects.all().delete()

    destino = tmp_path / "media-restaurada"
    with pytest.raises(CommandError, match="--privado"):
        call_command("restaurar", str(respaldo), base=url, media=str(destino))
    privado = tmp_path / "privado-restaurado"
    call_command("restaurar", str(respaldo), base=url, media=str(destino), privado=str(privado))

    tabla = Constancia._meta.db_table
    restauradas = {
        folio: (codigo, pdf, sha)
        for folio, codigo, pdf, sha in leer(
            f"SELECT folio, codigo_verificacion, pdf, sha256 FROM {tabla}"  # noqa: S608
        )
    }
    assert restauradas == originales
    for _codigo, nombre, sha in restauradas.values():
        assert _sha(privado / nombre) == sha
        assert not (destino / nombre).exists()
    assert (destino / publico).read_bytes() == b"guia publica"
    usuarios = leer(f"SELECT COUNT(*) FROM {Usuario._meta.db_table}")  # noqa: S608
    assert usuarios[0][0] == Usuario.objects.count() >= 3


@pytest.mark.django_db(transaction=True)
def test_restaurar_rechaza_un_respaldo_danado_y_una_base_ocupada(tmp_path, base_nueva):
    url, _leer = base_nueva
    respaldo = tmp_path / "respaldo"
    call_command("respaldar", str(respaldo))
    base = next(respaldo.glob("base.*"))
    contenido = bytearray(base.read_bytes())
    contenido[len(contenido) // 2] ^= 0xFF
    base.write_bytes(bytes(contenido))
    with pytest.raises(CommandError, match="dañado"):
        call_command("restaurar", str(respaldo), base=url, media=str(tmp_path / "m"))

    sano = tmp_path / "sano"
    call_command("respaldar", str(sano))
    call_command("restaurar", str(sano), base=url, media=str(tmp_path / "m1"))
    with pytest.raises(CommandError, match=r"vacía|ya existe"):
        call_command("restaurar", str(sano), base=url, media=str(tmp_path / "m2"))
