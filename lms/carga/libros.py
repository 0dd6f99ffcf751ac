"""Excel workbooks (XLSX) written part by part with zipfile (import tests, benchmarks).

`libro_xlsx` writes a minimal but valid package (openpyxl reads it) from
generators of bytes, compressing as it goes, so a test can build a 200 KB file
that would unpack to hundreds of megabytes without ever holding them. The
`HOSTILES` builders are the files of the security review, each paired with the
words of the message that must refuse it.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable, Iterable, Iterator

MIB = 1024 * 1024
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

_TIPOS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
    "</Types>"
).encode()
_RELS = (
    f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
    f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
).encode()
_LIBRO = (
    f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>'
    '<sheet name="Hoja1" sheetId="1" r:id="rId1"/></sheets></workbook>'
).encode()
_LIBRO_RELS = (
    f'<Relationships xmlns="{_PKG}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
).encode()


def _letra(columna: int) -> str:
    letras = ""
    while columna:
        columna, resto = divmod(columna - 1, 26)
        letras = chr(65 + resto) + letras
    return letras


def _texto(valor: str) -> str:
    return valor.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fila(numero: int, valores: Iterable[str]) -> bytes:
    """One `<row>` of inline-string cells, as Excel's "inline" writers produce."""
    celdas = "".join(
        f'<c r="{_letra(i)}{numero}" t="inlineStr"><is><t>{_texto(v)}</t></is></c>'
        for i, v in enumerate(valores, start=1)
    )
    return f'<row r="{numero}">{celdas}</row>'.encode()


def hoja(filas: Iterable[bytes], *, despues: Iterable[bytes] = ()) -> Iterator[bytes]:
    """The worksheet part around `filas`; `despues` goes after `</sheetData>`."""
    yield f'<worksheet xmlns="{_NS}"><sheetData>'.encode()
    yield from filas
    yield b"</sheetData>"
    yield from despues
    yield b"</worksheet>"


def cadenas(textos: Iterable[bytes]) -> Iterator[bytes]:
    """The shared-strings part, one `<si>` per item of `textos` (already XML)."""
    yield f'<sst xmlns="{_NS}">'.encode()
    for texto in textos:
        yield b"<si><t>" + texto + b"</t></si>"
    yield b"</sst>"


def libro_xlsx(
    filas_hoja: Iterable[bytes],
    *,
    parte_cadenas: Iterable[bytes] = (),
    despues_de_los_datos: Iterable[bytes] = (),
    extras: dict[str, bytes] | None = None,
) -> bytes:
    """A workbook whose first sheet holds `filas_hoja`, compressed while written.

    `parte_cadenas` is the shared-strings part as chunks of XML (see `cadenas`).
    """
    salida = io.BytesIO()
    with zipfile.ZipFile(salida, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _TIPOS)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _LIBRO)
        zf.writestr("xl/_rels/workbook.xml.rels", _LIBRO_RELS)
        for nombre, partes in (
            ("xl/sharedStrings.xml", parte_cadenas or cadenas([])),
            ("xl/worksheets/sheet1.xml", hoja(filas_hoja, despues=despues_de_los_datos)),
        ):
            with zf.open(nombre, "w", force_zip64=True) as destino:
                for parte in partes:
                    destino.write(parte)
        for nombre, contenido in (extras or {}).items():
            zf.writestr(nombre, contenido)
    return salida.getvalue()


def _repetido(parte: bytes, veces: int, *, bloque: int = 65536) -> Iterator[bytes]:
    completo, resto = divmod(veces, bloque)
    for _ in range(completo):
        yield parte * bloque
    if resto:
        yield parte * resto


def _en_bloques(partes: Iterable[bytes], *, tamano: int = 65536) -> Iterator[bytes]:
    pendiente: list[bytes] = []
    acumulado = 0
    for parte in partes:
        pendiente.append(parte)
        acumulado += len(parte)
        if acumulado >= tamano:
            yield b"".join(pendiente)
            pendiente, acumulado = [], 0
    yield b"".join(pendiente)


def _sst(*cuerpo: Iterable[bytes]) -> Iterator[bytes]:
    yield f'<sst xmlns="{_NS}">'.encode()
    for partes in cuerpo:
        yield from partes
    yield b"</sst>"


CELDA_COMPARTIDA = b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
ENCABEZADO = fila(1, ["correo", "nombre", "apellidos"])


def cadena_enorme() -> bytes:
    """One shared string of 200 million characters, about 200 KB on disk."""
    return libro_xlsx(
        [ENCABEZADO, CELDA_COMPARTIDA],
        parte_cadenas=_sst([b"<si><t>"], _repetido(b"A", 200 * MIB, bloque=MIB), [b"</t></si>"]),
    )


def cadena_larga_en_parte_pequena() -> bytes:
    """One shared string of 2 million characters that do not compress well."""
    texto = random.Random(5).randbytes(MIB).hex().encode()  # noqa: S311 (test data)
    return libro_xlsx([ENCABEZADO, CELDA_COMPARTIDA], parte_cadenas=cadenas([texto]))


def millones_de_cadenas() -> bytes:
    """Four million tiny shared strings (the file that killed a worker)."""
    return libro_xlsx(
        [ENCABEZADO, CELDA_COMPARTIDA],
        parte_cadenas=_sst(_repetido(b"<si><t>x</t></si>", 4_000_000)),
    )


def muchas_cadenas_en_parte_pequena() -> bytes:
    """Two hundred thousand distinct short strings: a part of a few MB, too many strings."""
    return libro_xlsx(
        [ENCABEZADO, CELDA_COMPARTIDA],
        parte_cadenas=_en_bloques(cadenas(str(n).encode() for n in range(200_000))),
    )


def proporcion_absurda() -> bytes:
    """A worksheet padded with 30 MB of spaces: it compresses a thousand times."""
    return libro_xlsx([ENCABEZADO], despues_de_los_datos=_repetido(b" ", 30 * MIB, bloque=MIB))


def muchas_entradas() -> bytes:
    """A valid workbook plus two thousand tiny extra members."""
    return libro_xlsx([ENCABEZADO], extras={f"xl/media/imagen{i}.png": b"x" for i in range(2_000)})


def muchas_filas() -> bytes:
    """Thirty thousand rows of one short cell each: more than any import takes."""
    return libro_xlsx(
        _en_bloques([ENCABEZADO, *(fila(n, [f"p{n}@x.mx"]) for n in range(2, 30_002))])
    )


def filas_vacias_sin_fin() -> bytes:
    """Two hundred thousand empty rows: nothing to show, much to parse."""
    return libro_xlsx(
        _en_bloques([ENCABEZADO, *(f'<row r="{n}"/>'.encode() for n in range(2, 200_002))])
    )


def muchas_columnas() -> bytes:
    """A header and one row with data in 5,000 columns."""
    return libro_xlsx([ENCABEZADO, fila(2, [f"v{i}" for i in range(5_000)])])


def celda_larga() -> bytes:
    """A cell of 100,000 characters written inline in the sheet."""
    return libro_xlsx([ENCABEZADO, fila(2, ["a@b.mx", "N" * 100_000])])


def lista_legitima(filas: int = 10_000) -> bytes:
    """A plain enrolment list of `filas` people and six columns, as a coordinator sends it."""
    encabezado = fila(
        1, ["Nombre", "Primer apellido", "Segundo apellido", "Correo", "Cargo", "Entidad"]
    )
    return libro_xlsx(
        _en_bloques(
            [
                encabezado,
                *(
                    fila(n, [f"Persona {n}", "Pérez", "Gómez", f"p{n}@x.mx", "Enlace", "JAL"])
                    for n in range(2, filas + 2)
                ),
            ]
        )
    )


# Each hostile file and words of the message that refuses it.
HOSTILES: dict[str, tuple[Callable[[], bytes], str]] = {
    "cadena_enorme": (cadena_enorme, "MB al abrirlo"),
    "cadena_larga_en_parte_pequena": (cadena_larga_en_parte_pequena, "caracteres"),
    "millones_de_cadenas": (millones_de_cadenas, "MB al abrirlo"),
    "muchas_cadenas_en_parte_pequena": (muchas_cadenas_en_parte_pequena, "textos distintos"),
    "proporcion_absurda": (proporcion_absurda, "comprimido de forma anómala"),
    "muchas_entradas": (muchas_entradas, "partes internas"),
    "muchas_filas": (muchas_filas, "filas"),
    "filas_vacias_sin_fin": (filas_vacias_sin_fin, "filas"),
    "muchas_columnas": (muchas_columnas, "columnas"),
    "celda_larga": (celda_larga, "caracteres"),
}
