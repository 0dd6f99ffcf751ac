"""PAdES signing with a certificate generated at test time, verified with pyHanko."""

import datetime
import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from constancias import firma, pdf
from tests.factories.constancias import NOMBRE_DIFICIL, datos, diseno


def _certificado(carpeta, *, llave=None, clave: bytes | None = None):
    llave = llave or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    nombre = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Firma de constancias de prueba"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Órgano Garante de Prueba"),
        ]
    )
    ahora = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(nombre)
        .issuer_name(nombre)
        .public_key(llave.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(ahora - datetime.timedelta(days=1))
        .not_valid_after(ahora + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(llave, hashes.SHA256())
    )
    ruta_cert, ruta_llave = carpeta / "cert.pem", carpeta / "llave.pem"
    ruta_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    cifrado = (
        serialization.BestAvailableEncryption(clave) if clave else serialization.NoEncryption()
    )
    ruta_llave.write_bytes(
        llave.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, cifrado)
    )
    return ruta_cert, ruta_llave


def _estado(firmado: bytes, ruta_cert):
    lector = PdfFileReader(io.BytesIO(firmado))
    (firma_incrustada,) = lector.embedded_signatures
    contexto = ValidationContext(trust_roots=[load_cert_from_pemder(str(ruta_cert))])
    return validate_pdf_signature(firma_incrustada, contexto)


@pytest.fixture
def constancia():
    return pdf.renderizar_constancias(diseno(), [datos()])[0]


def test_sin_certificado_la_constancia_no_se_firma(settings, constancia):
    settings.CONSTANCIAS_FIRMA_CERT = ""
    settings.CONSTANCIAS_FIRMA_KEY = ""
    assert not firma.firma_configurada()
    assert firma.firmar_si_configurado(constancia) == constancia


def test_firma_pades_valida_e_integra_sobre_todo_el_documento(settings, tmp_path, constancia):
    ruta_cert, ruta_llave = _certificado(tmp_path)
    settings.CONSTANCIAS_FIRMA_CERT = str(ruta_cert)
    settings.CONSTANCIAS_FIRMA_KEY = str(ruta_llave)
    firmado = firma.firmar_si_configurado(constancia)
    estado = _estado(firmado, ruta_cert)
    assert estado.intact
    assert estado.valid
    assert estado.trusted
    assert estado.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert estado.bottom_line
    lector = PdfFileReader(io.BytesIO(firmado))
    assert lector.embedded_signatures[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    # The signed file is still the same constancia, readable and with its text.
    texto = " ".join(PdfReader(io.BytesIO(firmado)).pages[0].extract_text().split())
    assert " ".join(NOMBRE_DIFICIL.split()) in texto


def test_firma_alterada_se_detecta(tmp_path, constancia):
    ruta_cert, ruta_llave = _certificado(tmp_path)
    firmante = firma.cargar_firmante(cert=str(ruta_cert), llave=str(ruta_llave))
    firmado = bytearray(firma.firmar_pdf(constancia, firmante=firmante))
    posicion = firmado.index(b"TP-2026-000123")
    firmado[posicion : posicion + 14] = b"TP-2026-999999"
    estado = _estado(bytes(firmado), ruta_cert)
    assert not estado.intact


def test_llave_con_frase_y_llave_ec(settings, tmp_path, constancia):
    ruta_cert, ruta_llave = _certificado(
        tmp_path, llave=ec.generate_private_key(ec.SECP256R1()), clave=b"frase secreta"
    )
    settings.CONSTANCIAS_FIRMA_CERT = str(ruta_cert)
    settings.CONSTANCIAS_FIRMA_KEY = str(ruta_llave)
    settings.CONSTANCIAS_FIRMA_CLAVE = "frase secreta"
    estado = _estado(firma.firmar_si_configurado(constancia), ruta_cert)
    assert estado.intact
    assert estado.valid


def test_firmas_con_la_estructura_cms_reutilizada_son_validas_y_distintas(tmp_path):
    """From the second document on, the signer reuses its CMS structure (only the digest
    and the signature change); every signature must still validate on its own file."""
    ruta_cert, ruta_llave = _certificado(tmp_path)
    firmante = firma.cargar_firmante(cert=str(ruta_cert), llave=str(ruta_llave))
    lote = [datos(folio=f"TP-2026-00012{n}") for n in range(3)]
    firmados = [
        firma.firmar_pdf(documento, firmante=firmante)
        for documento in pdf.renderizar_constancias(diseno(), lote)
    ]

    assert firmante._plantillas, "the reused CMS structure was not built"
    contenidos = set()
    for firmado, datos_constancia in zip(firmados, lote, strict=True):
        estado = _estado(firmado, ruta_cert)
        assert estado.intact
        assert estado.valid
        assert estado.trusted
        assert estado.coverage == SignatureCoverageLevel.ENTIRE_FILE
        assert datos_constancia["folio"] in PdfReader(io.BytesIO(firmado)).pages[0].extract_text()
        lector = PdfFileReader(io.BytesIO(firmado))
        contenidos.add(bytes(lector.embedded_signatures[0].sig_object["/Contents"]))
    assert len(contenidos) == 3
    # A signature built from the reused structure still detects tampering.
    alterado = bytearray(firmados[2])
    posicion = alterado.index(b"TP-2026-000122")
    alterado[posicion : posicion + 14] = b"TP-2026-999999"
    assert not _estado(bytes(alterado), ruta_cert).intact


def test_llave_ec_firma_varias_veces_por_el_camino_de_pyhanko(tmp_path, constancia):
    # ECDSA signatures vary in length, so they are never built from the reused structure.
    ruta_cert, ruta_llave = _certificado(tmp_path, llave=ec.generate_private_key(ec.SECP256R1()))
    firmante = firma.cargar_firmante(cert=str(ruta_cert), llave=str(ruta_llave))
    for _ in range(2):
        estado = _estado(firma.firmar_pdf(constancia, firmante=firmante), ruta_cert)
        assert estado.intact
        assert estado.valid
    assert not firmante._plantillas


def test_firmar_conserva_los_metadatos_del_documento(tmp_path, constancia):
    """/Info stays as the PDF engine wrote it, and signing adds no XMP packet."""
    ruta_cert, ruta_llave = _certificado(tmp_path)
    firmante = firma.cargar_firmante(cert=str(ruta_cert), llave=str(ruta_llave))
    firmado = firma.firmar_pdf(constancia, firmante=firmante)

    antes, despues = PdfReader(io.BytesIO(constancia)), PdfReader(io.BytesIO(firmado))
    assert despues.metadata == antes.metadata
    assert despues.metadata["/Title"].startswith("Constancia")
    assert despues.metadata["/Producer"] == antes.metadata["/Producer"]
    assert antes.xmp_metadata is None
    assert despues.xmp_metadata is None
    assert _estado(firmado, ruta_cert).intact
