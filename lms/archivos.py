"""Private files: constancia PDFs, coordination exports and deliverables.

They live in their own storage, `settings.STORAGES["privado"]`: a folder outside
MEDIA_ROOT that no URL points at (`AlmacenPrivadoLocal`), or a private S3 bucket or
prefix. Their names carry no folio, id or sequence (`nombre_privado`), and they reach
people only through views that first check who asks and then call `descargar_privado`.
Model fields name the storage through the callable `privado`, so migrations record the
callable and never the settings of one deployment.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage, storages
from django.core.signals import setting_changed
from django.db.models.fields.files import FieldFile
from django.dispatch import receiver
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.functional import LazyObject, empty
from django.utils.http import content_disposition_header

ALIAS = "privado"
# 128 random bits, written as 32 hex characters.
BYTES_NOMBRE = 16
# Where files that no row references are put when moved out of the public storage.
CARPETA_SIN_REFERENCIA = "sin-referencia"


class AlmacenPrivadoLocal(FileSystemStorage):
    """A folder on disk that no URL reaches: `url()` refuses instead of guessing MEDIA_URL."""

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public URL; a view that checks access serves them.")


class _AlmacenPrivado(LazyObject):
    """`storages["privado"]`, looked up on first use and again after STORAGES changes."""

    def _setup(self) -> None:
        self._wrapped = storages[ALIAS]


almacen_privado: Any = _AlmacenPrivado()


@receiver(setting_changed)
def _olvidar_almacen(*, setting: str, **kwargs: Any) -> None:
    if setting == "STORAGES":
        almacen_privado._wrapped = empty


def privado() -> Storage:
    """The private storage, for `FileField(storage=privado)`."""
    return almacen_privado


def nombre_privado(carpeta: str, extension: str) -> str:
    """`<carpeta>/<year>/<32 random hex characters>.<extension>`: nothing to count or derive."""
    anio = timezone.localdate().year
    extension = re.sub(r"[^a-z0-9]", "", extension.lower())[:10] or "bin"
    return f"{carpeta}/{anio}/{secrets.token_hex(BYTES_NOMBRE)}.{extension}"


def _firma_urls(almacen: Any) -> bool:
    """Whether the storage hands out signed, expiring URLs (S3 with querystring auth)."""
    return bool(getattr(almacen, "querystring_auth", False))


def descargar_privado(archivo: FieldFile, *, nombre: str, content_type: str) -> HttpResponseBase:
    """The private file as an attachment named `nombre`; call it only after checking who asks.

    On a storage with signed URLs (S3) the answer is a redirect to a URL valid for
    `AWS_PRIVATE_URL_SECONDS`, so the bytes do not pass through the web host; on disk the
    file is streamed. Either way nothing may cache it. A missing file is a 404.
    """
    almacen: Any = archivo.storage
    guardado = archivo.name
    if not guardado:
        raise Http404
    respuesta: HttpResponseBase
    if _firma_urls(almacen):
        if not almacen.exists(guardado):
            raise Http404
        url = almacen.url(
            guardado,
            parameters={
                "ResponseContentDisposition": content_disposition_header(True, nombre),
                "ResponseContentType": content_type,
            },
        )
        respuesta = HttpResponseRedirect(url)
    else:
        try:
            contenido = archivo.open("rb")
        except OSError as error:
            raise Http404 from error
        respuesta = FileResponse(
            contenido, as_attachment=True, filename=nombre, content_type=content_type
        )
    respuesta["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(respuesta)
    return respuesta


# --- Moving files out of the public storage (data migrations) ---------------------------


def _archivos_de(almacen: Storage, carpeta: str) -> Iterator[str]:
    try:
        carpetas, archivos = almacen.listdir(carpeta)
    except (FileNotFoundError, NotADirectoryError):
        return
    for archivo in archivos:
        yield f"{carpeta}/{archivo}"
    for sub in carpetas:
        yield from _archivos_de(almacen, f"{carpeta}/{sub}")


def _copiar(origen: Storage, nombre: str, destino: str) -> str:
    with origen.open(nombre, "rb") as contenido:
        return almacen_privado.save(destino, File(contenido, name=Path(destino).name))


def mover_a_privado(
    filas: Any, *, campo: str, carpeta: str, carpetas_publicas: Iterable[str]
) -> int:
    """Move the files of `filas` from the public storage to the private one; returns how many.

    For the data migrations of each app. Each file gets an unguessable name under
    `carpeta`; its row is updated, and only then is the public copy deleted, one row at a
    time outside any transaction, so an interruption at any point loses nothing and a
    rerun picks up where it stopped. Files left under `carpetas_publicas` that no row
    references (a discarded race, a crash) are moved too, under `sin-referencia/`: no
    private file stays in MEDIA_ROOT.
    """
    movidos = 0
    # Read first: SQLite gives no isolation between a cursor and updates of its table.
    for pk, nombre in list(filas.exclude(**{campo: ""}).values_list("pk", campo)):
        if not default_storage.exists(nombre):
            continue  # already moved, or lost before this migration
        extension = nombre.rsplit(".", 1)[-1] if "." in nombre else "bin"
        nuevo = _copiar(default_storage, nombre, nombre_privado(carpeta, extension))
        filas.filter(pk=pk).update(**{campo: nuevo})
        default_storage.delete(nombre)
        movidos += 1
    for publica in carpetas_publicas:
        for nombre in list(_archivos_de(default_storage, publica)):
            _copiar(default_storage, nombre, f"{CARPETA_SIN_REFERENCIA}/{nombre}")
            default_storage.delete(nombre)
            movidos += 1
    return movidos


# --- System check ------------------------------------------------------------------------


@checks.register(checks.Tags.security)
def revisar_almacen_privado(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Refuse a private storage that the public media serving or a public URL could reach."""
    almacenes: dict[str, Any] = settings.STORAGES
    configuracion = almacenes.get(ALIAS)
    if configuracion is None:
        return [
            checks.Error(
                'settings.STORAGES no define el almacenamiento "privado".',
                hint="Vea docs/despliegue.md, sección de almacenamiento.",
                id="lms.E101",
            )
        ]
    opciones = configuracion.get("OPTIONS", {})
    if configuracion["BACKEND"].endswith("S3Storage"):
        if opciones.get("custom_domain") or not opciones.get("querystring_auth", True):
            return [
                checks.Error(
                    "El almacenamiento privado en S3 debe usar URL firmadas, sin dominio propio.",
                    id="lms.E102",
                )
            ]
        publico = almacenes["default"].get("OPTIONS", {})
        if publico.get("bucket_name") == opciones.get("bucket_name") and not opciones.get(
            "location"
        ):
            return [
                checks.Error(
                    "En el mismo bucket que los archivos públicos, los privados necesitan "
                    "un prefijo propio.",
                    hint="Defina AWS_PRIVATE_LOCATION o AWS_PRIVATE_BUCKET_NAME.",
                    id="lms.E104",
                )
            ]
        return []
    ubicacion = Path(opciones.get("location") or settings.MEDIA_ROOT).resolve()
    publicas = [Path(settings.MEDIA_ROOT).resolve()]
    if settings.STATIC_ROOT:
        publicas.append(Path(settings.STATIC_ROOT).resolve())
    if any(ubicacion == p or p in ubicacion.parents or ubicacion in p.parents for p in publicas):
        return [
            checks.Error(
                f"La carpeta de archivos privados ({ubicacion}) no debe estar dentro de "
                "MEDIA_ROOT o STATIC_ROOT ni contenerlas.",
                hint="Defina DJANGO_PRIVATE_ROOT fuera de la carpeta de medios.",
                id="lms.E103",
            )
        ]
    return []
