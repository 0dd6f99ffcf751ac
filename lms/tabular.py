"""Reading the tables people upload: CSV or XLSX as Excel in Mexico writes them.

Nothing here knows what the columns mean. `leer_tabla` turns the bytes into
numbered rows of clean strings; `filas_con_encabezado` takes the first
non-blank row as the header, maps its spellings to canonical column names and
returns one `FilaCruda` per data row. Every problem with the file as a whole
raises `ArchivoInvalido` with a Spanish message for the person who uploaded it.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

MAX_COLUMNAS = 30
SEPARADORES = (";", ",", "\t", "|")

Tabla = list[tuple[int, list[str]]]


class ArchivoInvalido(Exception):
    """The file as a whole cannot be read; the message is for the person who uploaded it."""

    def __init__(self, mensaje: str) -> None:
        super().__init__(mensaje)
        self.mensaje = mensaje


@dataclass(frozen=True)
class FilaCruda:
    """One non-blank row of the file: its line number and its cells by column name."""

    numero: int
    datos: dict[str, str]


def normalizar(texto: Any) -> str:
    """Compare text the way people read it: no accents, no case, single spaces."""
    texto = unicodedata.normalize("NFKD", str(texto or ""))
    sin_acentos = "".join(c for c in texto if not unicodedata.combining(c))
    return " ".join(sin_acentos.casefold().split())


def limpiar(texto: Any) -> str:
    """A cell as it should be stored: trimmed, single spaces, no non-breaking spaces."""
    return " ".join(str(texto or "").replace("\xa0", " ").split())


def normalizar_encabezado(texto: str, sinonimos: Mapping[str, str] | None = None) -> str:
    """A header cell as a column key: `Correo electrónico` → `correo_electronico`."""
    llave = normalizar(texto).replace("-", " ").replace(" ", "_")
    return (sinonimos or {}).get(llave, llave)


def _megas(numero_bytes: int) -> str:
    return f"{numero_bytes / (1024 * 1024):.0f}"


def demasiadas_filas(max_filas: int) -> ArchivoInvalido:
    return ArchivoInvalido(
        _("El archivo tiene más de %(max)s filas; divídalo en partes más pequeñas.")
        % {"max": f"{max_filas:,}"}
    )


def leer_tabla(
    nombre: str,
    contenido: bytes,
    *,
    max_filas: int,
    max_bytes: int | None = None,
    max_columnas: int = MAX_COLUMNAS,
    separador: str | None = None,
) -> Tabla:
    """The numbered rows of a CSV or XLSX file, blank rows included.

    `max_filas` counts data rows (the header is one more); `separador` forces the
    CSV separator instead of detecting it.
    """
    if max_bytes is not None and len(contenido) > max_bytes:
        raise ArchivoInvalido(
            _("El archivo pesa más de %(max)s MB; divídalo en partes más pequeñas.")
            % {"max": _megas(max_bytes)}
        )
    extension = nombre.rsplit(".", 1)[-1].lower() if "." in nombre else ""
    if not contenido.strip(b" \t\r\n\xef\xbb\xbf\x00\xff\xfe"):
        raise ArchivoInvalido(_("El archivo está vacío."))
    if contenido.startswith(b"\xd0\xcf\x11\xe0"):
        raise ArchivoInvalido(
            _(
                "El formato .xls (Excel 97-2003) no se admite. "
                "En Excel use «Guardar como» y elija «Libro de Excel (.xlsx)» o CSV."
            )
        )
    if contenido.startswith(b"PK\x03\x04"):
        if extension not in {"xlsx", "xlsm", ""}:
            raise ArchivoInvalido(_("El archivo no es un CSV ni un libro de Excel (.xlsx)."))
        return leer_xlsx(contenido, max_filas=max_filas, max_columnas=max_columnas)
    if extension in {"csv", "txt", "tsv", ""}:
        return leer_csv(
            contenido, max_filas=max_filas, max_columnas=max_columnas, separador=separador
        )
    raise ArchivoInvalido(
        _("Suba un archivo CSV o XLSX; «%(nombre)s» no es ninguno de los dos.") % {"nombre": nombre}
    )


def decodificar(contenido: bytes) -> str:
    """The text of a file saved as UTF-8 (with or without BOM), UTF-16 or Windows-1252."""
    if contenido.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return contenido.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ArchivoInvalido(_("No se pudo leer el texto del archivo.")) from error
    if contenido.startswith(b"\xef\xbb\xbf"):
        contenido = contenido[3:]
    if b"\x00" in contenido:
        raise ArchivoInvalido(_("El archivo no es un CSV ni un libro de Excel (.xlsx)."))
    try:
        return contenido.decode("utf-8")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page; cp1252 is a superset
        # of Latin-1 for printable text, and Latin-1 decodes any remaining byte.
        try:
            return contenido.decode("cp1252")
        except UnicodeDecodeError:
            return contenido.decode("latin-1")


def detectar_separador(texto: str) -> str:
    """The separator of the first non-blank line that has one (comma by default)."""
    for linea in texto.splitlines():
        if linea.strip():
            conteos = {sep: linea.count(sep) for sep in SEPARADORES}
            mejor = max(conteos, key=lambda sep: conteos[sep])
            return mejor if conteos[mejor] else ","
    return ","


def leer_csv(
    contenido: bytes | str,
    *,
    max_filas: int,
    max_columnas: int = MAX_COLUMNAS,
    separador: str | None = None,
) -> Tabla:
    texto = decodificar(contenido) if isinstance(contenido, bytes) else contenido
    primera = texto.lstrip().split("\n", 1)[0].strip()
    # Excel writes (and honours) a first line "sep=;" naming the separator.
    indicado = primera[4:5] if primera.lower().startswith("sep=") else ""
    delimitador = separador or indicado or detectar_separador(texto)
    lector = csv.reader(io.StringIO(texto, newline=""), delimiter=delimitador)
    filas: Tabla = []
    try:
        for celdas in lector:
            if indicado and not filas and celdas and celdas[0].strip().lower().startswith("sep="):
                indicado = ""
                continue
            filas.append((lector.line_num, [limpiar(c) for c in celdas[:max_columnas]]))
            if len(filas) > max_filas + 1:
                raise demasiadas_filas(max_filas)
    except csv.Error as error:
        raise ArchivoInvalido(
            _("El CSV está mal formado cerca de la línea %(linea)s.") % {"linea": lector.line_num}
        ) from error
    return filas


def _celda_xlsx(valor: Any) -> str:
    if valor is None:
        return ""
    if isinstance(valor, float) and valor.is_integer():
        return str(int(valor))
    if hasattr(valor, "isoformat"):
        return valor.isoformat()
    return limpiar(valor)


def leer_xlsx(contenido: bytes, *, max_filas: int, max_columnas: int = MAX_COLUMNAS) -> Tabla:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        libro = load_workbook(io.BytesIO(contenido), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
        raise ArchivoInvalido(
            _("No se pudo abrir el libro de Excel; revise que sea un archivo .xlsx válido.")
        ) from error
    try:
        hoja = libro.worksheets[0] if libro.worksheets else None
        if hoja is None:
            raise ArchivoInvalido(_("El archivo está vacío."))
        filas: Tabla = []
        for numero, valores in enumerate(
            hoja.iter_rows(max_col=max_columnas, values_only=True), start=1
        ):
            filas.append((numero, [_celda_xlsx(v) for v in valores]))
            if len(filas) > max_filas + 1:
                raise demasiadas_filas(max_filas)
        return filas
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as error:
        raise ArchivoInvalido(
            _("No se pudo leer el libro de Excel; revise que sea un archivo .xlsx válido.")
        ) from error
    finally:
        libro.close()


def filas_con_encabezado(
    tabla: Iterable[tuple[int, list[str]]],
    *,
    columnas: Sequence[str],
    requeridas: Sequence[str],
    sinonimos: Mapping[str, str] | None = None,
) -> list[FilaCruda]:
    """Data rows keyed by canonical column name; the first non-blank row is the header.

    Unknown columns are dropped; missing optional ones read as "". A header
    without a required column, or with a known column twice, is refused.
    """
    no_vacias = [(numero, celdas) for numero, celdas in tabla if any(celdas)]
    if not no_vacias:
        raise ArchivoInvalido(_("El archivo está vacío."))
    encabezado = no_vacias[0][1]
    claves = [normalizar_encabezado(c, sinonimos) for c in encabezado]
    faltan = [c for c in requeridas if c not in claves]
    if faltan:
        raise ArchivoInvalido(
            _(
                "La primera fila debe tener los nombres de las columnas. Faltan: %(faltan)s. "
                "Las columnas son: %(columnas)s."
            )
            % {"faltan": ", ".join(faltan), "columnas": ", ".join(columnas)}
        )
    repetidas = sorted({c for c in claves if c in columnas and claves.count(c) > 1})
    if repetidas:
        raise ArchivoInvalido(
            _("La columna %(columna)s aparece más de una vez en la primera fila.")
            % {"columna": ", ".join(repetidas)}
        )
    posiciones = {c: i for i, c in enumerate(claves) if c in columnas}
    filas = []
    for numero, celdas in no_vacias[1:]:
        datos = {
            columna: (celdas[i] if i < len(celdas) else "") for columna, i in posiciones.items()
        }
        for columna in columnas:
            datos.setdefault(columna, "")
        filas.append(FilaCruda(numero=numero, datos=datos))
    if not filas:
        raise ArchivoInvalido(_("El archivo solo tiene la fila de encabezados; no hay datos."))
    return filas


def sin_formula(valor: str) -> str:
    """A cell Excel will not run as a formula when the report is opened."""
    return "'" + valor if valor[:1] in {"=", "+", "-", "@", "\t", "\r"} else valor


def csv_para_excel(encabezado: Sequence[str], filas: Iterable[Sequence[Any]]) -> bytes:
    """Rows as CSV in UTF-8 with BOM (so Excel reads the accents), formulas neutralized."""
    salida = io.StringIO(newline="")
    escritor = csv.writer(salida)
    escritor.writerow(list(encabezado))
    for fila in filas:
        escritor.writerow([sin_formula(str(c)) if isinstance(c, str) else c for c in fila])
    return salida.getvalue().encode("utf-8-sig")
