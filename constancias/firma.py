"""PAdES digital signature of constancia PDFs with pyHanko.

Signing is on when settings ``CONSTANCIAS_FIRMA_CERT`` and ``CONSTANCIAS_FIRMA_KEY`` name
a PEM (or DER) certificate and private key; ``CONSTANCIAS_FIRMA_CLAVE`` is the key's
passphrase, if any, and ``CONSTANCIAS_FIRMA_CADENA`` an optional list of intermediate
certificate files. Without them constancias are issued unsigned. See docs/constancias.md.
"""

from __future__ import annotations

import asyncio
import io
import os
import threading
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

# Room for the CMS blob: an RSA-4096 signature with a three-certificate chain fits.
# Fixing it spares pyHanko a trial signature per document.
BYTES_RESERVADOS = 16384


def firma_configurada() -> bool:
    """Whether a signing certificate and key are configured."""
    return bool(
        getattr(settings, "CONSTANCIAS_FIRMA_CERT", "")
        and getattr(settings, "CONSTANCIAS_FIRMA_KEY", "")
    )


@lru_cache(maxsize=1)
def _clase_firmante() -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding
    from pyhanko.sign import signers
    from pyhanko.sign.general import get_pyca_cryptography_hash

    class FirmanteConstancias(signers.SimpleSigner):
        """SimpleSigner that parses its private key once instead of once per signature.

        pyHanko re-reads the key from DER on every call; with an RSA key that check costs
        more than the rest of signing a constancia together.
        """

        _llave_pyca: Any = None

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mecanismo = self.get_signature_mechanism_for_digest(digest_algorithm)
            try:
                algoritmo = mecanismo.signature_algo
            except ValueError:
                algoritmo = mecanismo["algorithm"].native
            if algoritmo not in ("rsassa_pkcs1v15", "ecdsa"):
                return super().sign_raw(data, digest_algorithm)
            if self._llave_pyca is None:
                self._llave_pyca = serialization.load_der_private_key(
                    self.signing_key.dump(), password=None
                )
            resumen = get_pyca_cryptography_hash(digest_algorithm)
            if algoritmo == "ecdsa":
                return self._llave_pyca.sign(data, ec.ECDSA(resumen))
            return self._llave_pyca.sign(data, padding.PKCS1v15(), resumen)

    return FirmanteConstancias


@lru_cache(maxsize=4)
def _firmante(cert: str, llave: str, clave: str, cadena: tuple[str, ...]) -> Any:
    from pyhanko.sign import signers

    firmante = signers.SimpleSigner.load(
        key_file=llave,
        cert_file=cert,
        ca_chain_files=cadena or None,
        key_passphrase=clave.encode() if clave else None,
    )
    if firmante is None:
        raise ImproperlyConfigured(
            _("No se pudo leer el certificado o la llave de firma de constancias.")
        )
    # SimpleSigner.load() always builds a SimpleSigner; the subclass only adds a cache.
    firmante.__class__ = _clase_firmante()
    return firmante


def cargar_firmante(*, cert: str, llave: str, clave: str = "", cadena: tuple[str, ...] = ()) -> Any:
    """A pyHanko signer for the given certificate and key files (cached per process)."""
    return _firmante(cert, llave, clave, cadena)


def firmante_configurado() -> Any:
    """The pyHanko signer built from settings (read once per process)."""
    cadena = getattr(settings, "CONSTANCIAS_FIRMA_CADENA", None) or ()
    return _firmante(
        str(settings.CONSTANCIAS_FIRMA_CERT),
        str(settings.CONSTANCIAS_FIRMA_KEY),
        str(getattr(settings, "CONSTANCIAS_FIRMA_CLAVE", "") or ""),
        tuple(str(ruta) for ruta in cadena),
    )


@lru_cache(maxsize=8)
def _firmador_pdf(firmante: Any, motivo: str) -> Any:
    from pyhanko.sign import fields, signers

    metadatos = signers.PdfSignatureMetadata(
        field_name="FirmaConstancia",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=motivo,
    )
    return signers.PdfSigner(metadatos, signer=firmante)


_LOCAL = threading.local()


def _bucle() -> asyncio.AbstractEventLoop:
    """One event loop per thread and process, reused across signatures.

    pyHanko's synchronous helper starts a new loop for every document, which costs as
    much as the rest of the signature; a forked worker must not reuse its parent's loop.
    """
    bucle = getattr(_LOCAL, "bucle", None)
    if bucle is None or bucle.is_closed() or getattr(_LOCAL, "pid", None) != os.getpid():
        bucle = asyncio.new_event_loop()
        _LOCAL.bucle, _LOCAL.pid = bucle, os.getpid()
    return bucle


def firmar_pdf(pdf: bytes, *, firmante: Any, motivo: str | None = None) -> bytes:
    """`pdf` with an invisible PAdES B-B signature that covers the whole file."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    escritor = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    firmador = _firmador_pdf(firmante, motivo or str(_("Emisión de constancia")))
    salida = _bucle().run_until_complete(
        firmador.async_sign_pdf(escritor, bytes_reserved=BYTES_RESERVADOS)
    )
    return salida.getvalue()


def firmar_si_configurado(pdf: bytes) -> bytes:
    """Sign `pdf` when a certificate is configured; otherwise return it unchanged."""
    if not firma_configurada():
        return pdf
    return firmar_pdf(pdf, firmante=firmante_configurado())
