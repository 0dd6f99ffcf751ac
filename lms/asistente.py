"""One import wizard: upload, preview, confirm, for every bulk import of the platform.

Bulk enrolment, attendance from a meeting report and the import of obligated
subjects all read a file, show what it would do and write only when the person
confirms. This module is the part they share: the upload form's checks, where
the parsed upload waits between the steps, and the confirmation that applies
once.

The parsed upload never travels through the browser. It stays in the shared
cache (Redis in production, the database cache in the embedded mode: every
process sees it) under a random key, for `VIGENCIA` seconds. The URL carries
that key signed for the person, the kind of import and the object it was
uploaded for, with the time it was signed: a token held by someone else, edited
or invented fails the signature; an old one is told apart as expired. Each
stored upload carries its flow's version, so one stored by an older layout is
asked for again instead of being misread.

Confirming is idempotent here, not in the views: the confirmation takes a lock
on the upload (`cache.add`, atomic in every cache backend), re-reads it under
the lock, applies it, and stores the result next to it. A second submit (double
click, another tab, a retry) finds the result and shows it again; one that
arrives while the first is still writing waits a moment for that result.
"""

from __future__ import annotations

import enum
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.tabular import ArchivoInvalido

VIGENCIA = 60 * 60 * 2  # seconds a preview stays available
DURACION_CANDADO = 15 * 60  # a confirmation that dies mid-way frees its upload after this
ESPERA_CANDADO = 5.0  # seconds a second confirmation waits for the first one's result
PREFIJO = "lms:asistente:"
LARGO_MAXIMO_TOKEN = 200


class Motivo(enum.StrEnum):
    AJENA = "ajena"  # invented, edited, or signed for another person or object
    VENCIDA = "vencida"  # past its validity, or no longer in the cache
    VERSION = "version"  # stored by an older version of the flow


class ImportacionNoDisponible(Exception):
    """The token does not lead to an upload this person may continue."""

    def __init__(self, motivo: Motivo) -> None:
        super().__init__(motivo)
        self.motivo = motivo

    @property
    def mensaje(self) -> str:
        match self.motivo:
            case Motivo.AJENA:
                return _("Esa importación no existe o no es suya; no se hizo ningún cambio.")
            case Motivo.VENCIDA:
                return _("Esa importación ya no está disponible; suba el archivo de nuevo.")
            case Motivo.VERSION:
                return _(
                    "Esa vista previa se preparó con una versión anterior del sistema; "
                    "suba el archivo de nuevo."
                )


class ConfirmacionRechazada(Exception):
    """Raised by an apply function that wrote nothing: the upload stays open to review."""

    def __init__(self, mensaje: str) -> None:
        super().__init__(mensaje)
        self.mensaje = mensaje


class Estado(enum.StrEnum):
    APLICADA = "aplicada"  # this confirmation applied the upload
    YA_APLICADA = "ya_aplicada"  # an earlier one did; nothing was written now
    EN_CURSO = "en_curso"  # another confirmation is still writing


@dataclass
class Entrada:
    """One stored upload: what the flow saved, and whether and how it was applied."""

    token: str
    clave: str
    usuario_id: int
    objeto_id: int | None
    datos: dict[str, Any]
    creada: datetime
    aplicada: bool = False
    resultado: Any = None


@dataclass(frozen=True)
class Confirmacion:
    estado: Estado
    resultado: Any = field(default=None)  # None only while EN_CURSO


@dataclass(frozen=True)
class Asistente:
    """The storage and confirmation of one kind of import; each flow declares one."""

    tipo: str
    version: int = 1
    vigencia: int = VIGENCIA

    def _firmante(self, usuario: Any, objeto_id: int | None) -> signing.TimestampSigner:
        return signing.TimestampSigner(salt=f"{PREFIJO}{self.tipo}:{usuario.pk}:{objeto_id or 0}")

    def guardar(self, *, usuario: Any, objeto_id: int | None, datos: dict[str, Any]) -> str:
        """Keep a parsed upload for `usuario` and the object; the token that leads back to it."""
        aleatorio = secrets.token_urlsafe(24)
        cache.set(
            PREFIJO + aleatorio,
            {
                "tipo": self.tipo,
                "version": self.version,
                "usuario_id": usuario.pk,
                "objeto_id": objeto_id,
                "creada": timezone.now(),
                "datos": datos,
                "aplicada": False,
                "resultado": None,
            },
            self.vigencia,
        )
        return self._firmante(usuario, objeto_id).sign(aleatorio)

    def entrada(self, *, token: str, usuario: Any, objeto_id: int | None) -> Entrada:
        """The stored upload behind `token`, only for the person and object it was signed for.

        Raises `ImportacionNoDisponible` saying why not.
        """
        if len(token) > LARGO_MAXIMO_TOKEN or not getattr(usuario, "pk", None):
            raise ImportacionNoDisponible(Motivo.AJENA)
        try:
            aleatorio = self._firmante(usuario, objeto_id).unsign(token, max_age=self.vigencia)
        except signing.SignatureExpired:
            raise ImportacionNoDisponible(Motivo.VENCIDA) from None
        except signing.BadSignature:
            raise ImportacionNoDisponible(Motivo.AJENA) from None
        entrada, _guardada = self._leer(
            token, PREFIJO + aleatorio, usuario_id=usuario.pk, objeto_id=objeto_id
        )
        return entrada

    def _leer(
        self, token: str, clave: str, *, usuario_id: int, objeto_id: int | None
    ) -> tuple[Entrada, dict[str, Any]]:
        guardada = cache.get(clave)
        if not isinstance(guardada, dict):
            raise ImportacionNoDisponible(Motivo.VENCIDA)
        if (
            guardada.get("tipo") != self.tipo
            or guardada.get("usuario_id") != usuario_id
            or guardada.get("objeto_id") != objeto_id
        ):
            raise ImportacionNoDisponible(Motivo.AJENA)
        if guardada.get("version") != self.version:
            raise ImportacionNoDisponible(Motivo.VERSION)
        entrada = Entrada(
            token=token,
            clave=clave,
            usuario_id=usuario_id,
            objeto_id=objeto_id,
            datos=guardada["datos"],
            creada=guardada["creada"],
            aplicada=guardada["aplicada"],
            resultado=guardada["resultado"],
        )
        return entrada, guardada

    def _releer(self, entrada: Entrada) -> tuple[Entrada, dict[str, Any]]:
        return self._leer(
            entrada.token,
            entrada.clave,
            usuario_id=entrada.usuario_id,
            objeto_id=entrada.objeto_id,
        )

    def actualizar(self, entrada: Entrada) -> bool:
        """Store the flow's changed `datos` of an upload not yet applied.

        False, storing nothing, once the upload was applied or while it is being
        confirmed: a preview open in another tab never reopens an applied upload.
        """
        candado = _candado(entrada.clave)
        if not cache.add(candado, "1", DURACION_CANDADO):
            return False
        try:
            actual, guardada = self._releer(entrada)
            if actual.aplicada:
                return False
            cache.set(entrada.clave, {**guardada, "datos": entrada.datos}, self.vigencia)
            return True
        finally:
            cache.delete(candado)

    def confirmar(self, entrada: Entrada, aplicar: Callable[[Entrada], Any]) -> Confirmacion:
        """Apply the upload once, whatever number of confirmations arrive, and keep the result.

        `aplicar` receives the upload re-read under the lock and returns what the
        result page shows; it raises `ConfirmacionRechazada` (or any error) having
        written nothing, and the upload stays open. A confirmation arriving while
        another writes waits up to `ESPERA_CANDADO` seconds for its result.
        """
        candado = _candado(entrada.clave)
        limite = time.monotonic() + ESPERA_CANDADO
        while True:
            actual, _guardada = self._releer(entrada)
            if actual.aplicada:
                return Confirmacion(Estado.YA_APLICADA, actual.resultado)
            if cache.add(candado, "1", DURACION_CANDADO):
                break
            if time.monotonic() >= limite:
                return Confirmacion(Estado.EN_CURSO)
            time.sleep(0.1)
        try:
            # Under the lock: an earlier confirmation may have finished in between.
            actual, guardada = self._releer(entrada)
            if actual.aplicada:
                return Confirmacion(Estado.YA_APLICADA, actual.resultado)
            resultado = aplicar(actual)
            cache.set(
                entrada.clave,
                {**guardada, "datos": actual.datos, "aplicada": True, "resultado": resultado},
                self.vigencia,
            )
            entrada.aplicada, entrada.resultado = True, resultado
            return Confirmacion(Estado.APLICADA, resultado)
        finally:
            cache.delete(candado)


def _candado(clave: str) -> str:
    return f"{clave}:candado"


def candado_de(token: str) -> str:
    """The cache key of the confirmation lock of `token` (for tests and operations)."""
    return _candado(PREFIJO + token.split(":", 1)[0])


# --- Upload form and download -------------------------------------------------------


class ArchivoForm(forms.Form):
    """An upload form whose file is read on validation, with Spanish reasons when it cannot be.

    A subclass declares the `archivo` field with its label and help, and `leer`
    with the parser of its flow; `cleaned_data["archivo"]` is what `leer` returns.
    """

    nombre_archivo = ""

    def leer(self, nombre: str, contenido: bytes, *, max_bytes: int) -> Any:
        raise NotImplementedError

    def clean_archivo(self) -> Any:
        archivo = self.cleaned_data["archivo"]
        self.nombre_archivo = str(archivo.name)
        maximo = settings.LMS_MAX_UPLOAD_BYTES
        if archivo.size > maximo:
            raise forms.ValidationError(
                _("El archivo pesa más de %(max)s MB; divídalo en partes más pequeñas.")
                % {"max": f"{maximo / (1024 * 1024):.0f}"}
            )
        try:
            return self.leer(str(archivo.name), archivo.read(), max_bytes=maximo)
        except ArchivoInvalido as error:
            raise forms.ValidationError(error.mensaje) from error


def descarga_csv(contenido: bytes | str, nombre: str) -> HttpResponse:
    """A CSV (rejected rows, say) as a private download the browser does not keep."""
    respuesta = HttpResponse(contenido, content_type="text/csv; charset=utf-8")
    respuesta["Content-Disposition"] = f'attachment; filename="{nombre}"'
    respuesta["Cache-Control"] = "no-store"
    return respuesta


def no_disponible(
    request: HttpRequest, error: ImportacionNoDisponible, destino: str
) -> HttpResponse:
    """404 for a token that is not this person's (never say whose); else say why and go back."""
    if error.motivo is Motivo.AJENA:
        raise Http404
    messages.error(request, error.mensaje)
    return redirect(destino)
