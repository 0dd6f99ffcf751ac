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
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

# Reuse each signer's CMS structure (see _PlantillaCMS); the benchmark turns it off to
# measure pyHanko's own path in the same run.
PLANTILLA_CMS = True

# Room for the CMS blob: an RSA-4096 signature with a three-certificate chain fits.
# Fixing it spares pyHanko a trial signature per document.
BYTES_RESERVADOS = 16384


def firma_configurada() -> bool:
    """Whether a signing certificate and key are configured."""
    return bool(
        getattr(settings, "CONSTANCIAS_FIRMA_CERT", "")
        and getattr(settings, "CONSTANCIAS_FIRMA_KEY", "")
    )


@dataclass(frozen=True)
class _PlantillaCMS:
    """A signer's DER SignedData with the two per-document fields located by offset.

    Only for RSA PKCS#1 v1.5, whose signature length is fixed by the key: every other
    byte of the structure (certificates, algorithms, signing-certificate attribute) is
    the same for every document signed with the same key and digest.
    """

    der: bytes
    atributos_set: bytes
    digest_en_atributos: int
    digest_en_der: int
    firma_en_der: int
    largo_digest: int
    largo_firma: int

    @classmethod
    def de(cls, contenido: Any, digest: bytes) -> _PlantillaCMS | None:
        der = contenido.dump()
        info = contenido["content"]["signer_infos"][0]
        # The signature covers the signed attributes DER-encoded as a SET (tag 0x31),
        # not with the [0] IMPLICIT tag they carry inside SignerInfo.
        atributos = info["signed_attrs"].dump()
        atributos_set = b"\x31" + atributos[1:]
        firma = info["signature"].native
        if (
            atributos_set.count(digest) != 1
            or der.count(digest) != 1
            or der.count(firma) != 1
            or der.find(digest) > der.find(firma)
        ):
            return None
        return cls(
            der=der,
            atributos_set=atributos_set,
            digest_en_atributos=atributos_set.find(digest),
            digest_en_der=der.find(digest),
            firma_en_der=der.find(firma),
            largo_digest=len(digest),
            largo_firma=len(firma),
        )

    def atributos(self, digest: bytes) -> bytes:
        """The signed attributes (to be signed) for a document with this digest."""
        if len(digest) != self.largo_digest:
            raise ValueError("digest length")
        i = self.digest_en_atributos
        return self.atributos_set[:i] + digest + self.atributos_set[i + len(digest) :]

    def contenido(self, digest: bytes, firma: bytes) -> bytes:
        """The whole SignedData DER with this document's digest and signature."""
        if len(firma) != self.largo_firma or len(digest) != self.largo_digest:
            raise ValueError("signature length")
        d, f = self.digest_en_der, self.firma_en_der
        return (
            self.der[:d]
            + digest
            + self.der[d + len(digest) : f]
            + firma
            + self.der[f + len(firma) :]
        )


@lru_cache(maxsize=1)
def _clase_firmante() -> Any:
    from asn1crypto import cms
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding
    from pyhanko.sign import signers
    from pyhanko.sign.general import get_pyca_cryptography_hash

    class FirmanteConstancias(signers.SimpleSigner):
        """SimpleSigner that parses its key once and reuses its own CMS structure.

        pyHanko re-reads the key from DER on every call; with an RSA key that check costs
        more than the rest of signing a constancia together. And it rebuilds the whole
        CMS SignedData with asn1crypto for every document, although in a PAdES signature
        without timestamp only two fields change (the document digest, inside the signed
        attributes, and the signature value): that costs about two thirds of signing.
        """

        _llave_pyca: Any = None
        _plantillas: dict[tuple[str, bool], _PlantillaCMS] | None = None

        async def async_sign(
            self,
            data_digest: bytes,
            digest_algorithm: str,
            dry_run: bool = False,
            use_pades: bool = False,
            timestamper: Any = None,
            signed_attr_settings: Any = None,
            is_pdf_sig: bool = True,
            encap_content_info: Any = None,
        ) -> Any:
            argumentos = {
                "dry_run": dry_run,
                "use_pades": use_pades,
                "timestamper": timestamper,
                "signed_attr_settings": signed_attr_settings,
                "is_pdf_sig": is_pdf_sig,
                "encap_content_info": encap_content_info,
            }
            fijos = (
                PLANTILLA_CMS
                and use_pades
                and not dry_run
                and is_pdf_sig
                and timestamper is None
                and encap_content_info is None
                and self.unsigned_attr_prov_spec is None
                and (
                    signed_attr_settings is None
                    or (
                        signed_attr_settings.cades_signed_attrs is None
                        and getattr(signed_attr_settings, "adobe_revinfo_attr", None) is None
                    )
                )
            )
            if not fijos or self._mecanismo(digest_algorithm) != "rsassa_pkcs1v15":
                return await super().async_sign(data_digest, digest_algorithm, **argumentos)
            if self._plantillas is None:
                self._plantillas = {}
            clave = (digest_algorithm, use_pades)
            plantilla = self._plantillas.get(clave)
            if plantilla is None:
                contenido = await super().async_sign(data_digest, digest_algorithm, **argumentos)
                plantilla = _PlantillaCMS.de(contenido, data_digest)
                if plantilla is None:
                    return contenido
                self._plantillas[clave] = plantilla
                return contenido
            atributos = plantilla.atributos(data_digest)
            firma = self.sign_raw(atributos, digest_algorithm)
            return cms.ContentInfo.load(plantilla.contenido(data_digest, firma))

        def _mecanismo(self, digest_algorithm: str) -> str:
            mecanismo = self.get_signature_mechanism_for_digest(digest_algorithm)
            try:
                return str(mecanismo.signature_algo)
            except ValueError:
                return str(mecanismo["algorithm"].native)

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


@lru_cache(maxsize=1)
def _clase_escritor() -> Any:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class EscritorConstancias(IncrementalPdfFileWriter):
        """Incremental writer that leaves the document information as the engine wrote it.

        pyHanko re-parses /Info (and XMP, if any) and rewrites them on every signature,
        about 40% of what is left of its cost, and replaces the engine's /Producer. The
        signature dictionary records the signing time.
        """

        def _update_meta(self) -> None:
            return None

    return EscritorConstancias


def firmar_pdf(pdf: bytes, *, firmante: Any, motivo: str | None = None) -> bytes:
    """`pdf` with an invisible PAdES B-B signature that covers the whole file."""
    escritor = _clase_escritor()(io.BytesIO(pdf), strict=False)
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
