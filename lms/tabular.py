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
import itertools
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree
from xml.parsers import expat

from openpyxl import load_workbook
from openpyxl.packaging.manifest import Manifest
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS, WORKSHEET_TYPE
from openpyxl.xml.functions import fromstring

from django.utils.translation import gettext as _

from lms.entrada import quitar_controles

# --- Limits --------------------------------------------------------------------
# The one declaration of how much an uploaded table may hold, for every import
# (bulk enrolment, attendance reports, organizations). A file past any of them is
# refused with a message before it costs more than a few megabytes of memory or a
# fraction of a second: the archive's declared sizes are checked before anything
# is unpacked, and the XML parts openpyxl would load are first walked by expat in
# constant memory.

# Data rows each import takes (the header is one more). 5,000 people is the
# expected large enrolment file; ten thousand leaves room, and beyond that the
# preview would be unreadable and the upload better split by region. A meeting
# report lists every join and leave of each person, so it gets twice as many.
MAX_FILAS_INSCRIPCIONES = 10_000
MAX_FILAS_ASISTENCIA = 20_000
MAX_FILAS_ORGANIZACIONES = 10_000
# Columns with data in one row, and characters in one cell (a name, an e-mail
# address or a meeting's title is far shorter).
MAX_COLUMNAS = 30
MAX_LONGITUD_CELDA = 1_000
# Characters of one CSV line: every column full, plus separators and quotes.
MAX_LONGITUD_LINEA = MAX_COLUMNAS * (MAX_LONGITUD_CELDA + 3) + 2 * 1024
# Characters of the whole table: about ten times the largest real file.
MAX_CARACTERES = 10_000_000

# An XLSX is a ZIP of XML parts. A real one has a dozen members; a worksheet of
# 20,000 rows unpacks to about 10 MB; its shared strings to a few MB; every other
# part (workbook, styles, theme, properties), which openpyxl parses whole, to a
# few dozen KB. XML compresses 5 to 30 times; a thousand times is a bomb.
MAX_ENTRADAS_XLSX = 256
MAX_BYTES_XLSX = 64 * 1024 * 1024
MAX_BYTES_HOJA = 40 * 1024 * 1024
MAX_BYTES_CADENAS = 8 * 1024 * 1024
MAX_BYTES_PARTE = 2 * 1024 * 1024
# Images and other binary members openpyxl never parses in read-only mode.
MAX_BYTES_BINARIO = 16 * 1024 * 1024
MAX_PROPORCION = 100
MIN_BYTES_PROPORCION = 1024 * 1024
# Distinct shared strings: every cell of the largest table, distinct.
MAX_CADENAS = 150_000
# Elements of a part outside its cells or strings (column widths, merged cells…),
# and inside one cell or string (rich-text runs).
MAX_ELEMENTOS_FUERA = 50_000
MAX_ELEMENTOS_CELDA = 500

SEPARADORES = (";", ",", "\t", "|")
LINEAS_SEPARADOR = 12  # lines read to tell the separator
_BLOQUE = 64 * 1024

Tabla = list[tuple[int, list[str]]]


class ArchivoInvalido(Exception):
    """The file as a whole cannot be read; the message is for the person who uploaded it."""

    def __init__(self, mensaje: str) -> None:
        super().__init__(mensaje)
        self.mensaje = mensaje


class LimiteExcedido(ArchivoInvalido):
    """The file passes one of the limits above; the message says which."""


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
    """A cell as it should be stored: trimmed, single spaces, no non-breaking spaces.

    Control characters go too: a spreadsheet does not show them, and PostgreSQL refuses
    a NUL in any text (a UTF-16 CSV can carry one as a character).
    """
    return " ".join(quitar_controles(str(texto or "")).replace("\xa0", " ").split())


def normalizar_encabezado(texto: str, sinonimos: Mapping[str, str] | None = None) -> str:
    """A header cell as a column key: `Correo electrónico` → `correo_electronico`."""
    llave = normalizar(texto).replace("-", " ").replace(" ", "_")
    return (sinonimos or {}).get(llave, llave)


def _megas(numero_bytes: int) -> str:
    return f"{numero_bytes / (1024 * 1024):.0f}"


def _miles(numero: int) -> str:
    return f"{numero:,}"


def demasiadas_filas(max_filas: int) -> LimiteExcedido:
    return LimiteExcedido(
        _("El archivo tiene más de %(max)s filas; divídalo en partes más pequeñas.")
        % {"max": _miles(max_filas)}
    )


def demasiadas_columnas(fila: int) -> LimiteExcedido:
    return LimiteExcedido(
        _(
            "La fila %(fila)s tiene datos en más de %(max)s columnas. Deje solo las columnas "
            "que se piden y vuelva a subir el archivo."
        )
        % {"fila": fila, "max": MAX_COLUMNAS}
    )


def celda_demasiado_larga(fila: int | None) -> LimiteExcedido:
    if fila is None:
        return LimiteExcedido(
            _(
                "El libro de Excel tiene una celda con más de %(max)s caracteres; revise que "
                "sea el archivo correcto."
            )
            % {"max": _miles(MAX_LONGITUD_CELDA)}
        )
    return LimiteExcedido(
        _(
            "La fila %(fila)s tiene una celda con más de %(max)s caracteres; revise que sea "
            "el archivo correcto."
        )
        % {"fila": fila, "max": _miles(MAX_LONGITUD_CELDA)}
    )


def demasiado_texto() -> LimiteExcedido:
    return LimiteExcedido(
        _("El archivo tiene más de %(max)s caracteres de texto; divídalo en partes más pequeñas.")
        % {"max": _miles(MAX_CARACTERES)}
    )


def _libro_invalido() -> ArchivoInvalido:
    return ArchivoInvalido(
        _("No se pudo abrir el libro de Excel; revise que sea un archivo .xlsx válido.")
    )


def _libro_demasiado_complejo() -> LimiteExcedido:
    return LimiteExcedido(
        _(
            "El libro de Excel tiene una estructura demasiado compleja para importarlo. "
            "Copie solo los datos a un libro nuevo o guárdelo como CSV."
        )
    )


class _Medidor:
    """Counts the cells of a table as they are read and refuses it past the limits."""

    def __init__(self, max_filas: int) -> None:
        self.max_filas = max_filas
        self.filas = 0
        self.caracteres = 0

    def fila(self, numero: int, celdas: Sequence[str]) -> None:
        self.filas += 1
        if self.filas > self.max_filas + 1:
            raise demasiadas_filas(self.max_filas)
        if sum(1 for c in celdas if c) > MAX_COLUMNAS:
            raise demasiadas_columnas(numero)
        for celda in celdas:
            if len(celda) > MAX_LONGITUD_CELDA:
                raise celda_demasiado_larga(numero)
            self.caracteres += len(celda)
        if self.caracteres > MAX_CARACTERES:
            raise demasiado_texto()


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
        raise LimiteExcedido(
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


def _utf16_sin_bom(contenido: bytes) -> str | None:
    """Text saved as UTF-16 without its byte-order mark, told by where the zero bytes fall.

    Latin text in UTF-16 has a zero in every other byte: the odd ones in
    little-endian, the even ones in big-endian. Anything else is not this case.
    """
    muestra = contenido[:4096]
    if len(muestra) < 4 or len(muestra) % 2:
        muestra = muestra[: len(muestra) - len(muestra) % 2]
    if len(muestra) < 4:
        return None
    pares, impares = muestra[0::2], muestra[1::2]
    for ceros, codigo in ((impares, "utf-16-le"), (pares, "utf-16-be")):
        if (
            ceros.count(0) >= len(ceros) * 0.9
            and (pares if ceros is impares else impares).count(0) == 0
        ):
            try:
                return contenido.decode(codigo)
            except UnicodeDecodeError:
                return None
    return None


def decodificar(contenido: bytes) -> str:
    """The text of a file saved as UTF-8 (with or without BOM), UTF-16 or Windows-1252."""
    if contenido.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return contenido.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ArchivoInvalido(_("No se pudo leer el texto del archivo.")) from error
    if contenido.startswith(b"\xef\xbb\xbf"):
        contenido = contenido[3:]
    sin_bom = _utf16_sin_bom(contenido)
    if sin_bom is not None:
        return sin_bom
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


_FIN_DE_LINEA = re.compile(r"\r\n|\r|\n")


def _lineas(texto: str) -> Iterator[str]:
    """The lines of `texto` as csv.reader takes them, refusing one longer than any real row.

    Sliced from the text as found, never copied whole (io.StringIO would hold
    four bytes a character).
    """
    inicio, numero = 0, 0
    while inicio < len(texto):
        numero += 1
        fin = _FIN_DE_LINEA.search(texto, inicio, inicio + MAX_LONGITUD_LINEA + 2)
        if (fin.start() if fin else len(texto)) - inicio > MAX_LONGITUD_LINEA:
            raise LimiteExcedido(
                _(
                    "La línea %(linea)s es demasiado larga (más de %(max)s caracteres); revise "
                    "que sea el archivo correcto."
                )
                % {"linea": numero, "max": _miles(MAX_LONGITUD_LINEA)}
            )
        corte = fin.end() if fin else len(texto)
        yield texto[inicio:corte]
        inicio = corte


def primeras_lineas(texto: str, cuantas: int) -> list[str]:
    """The first `cuantas` lines of `texto`, without splitting the rest of it."""
    return list(itertools.islice(_lineas(texto), cuantas))


def _primera_linea(texto: str) -> str:
    """The first non-blank line among the first thousand, stripped ("" if there is none)."""
    for linea in itertools.islice(_lineas(texto), 1_000):
        if linea.strip():
            return linea.strip()
    return ""


def detectar_separador(texto: str) -> str:
    """The separator used most in any of the first non-blank lines (comma if none has one).

    Several lines, because lists often open with a title line that has no separator.
    """
    lineas = [linea for linea in itertools.islice(_lineas(texto), 1_000) if linea.strip()][
        :LINEAS_SEPARADOR
    ]
    conteos = {sep: max((linea.count(sep) for linea in lineas), default=0) for sep in SEPARADORES}
    mejor = max(conteos, key=lambda sep: conteos[sep])
    return mejor if conteos[mejor] else ","


def leer_csv(
    contenido: bytes | str,
    *,
    max_filas: int,
    max_columnas: int = MAX_COLUMNAS,
    separador: str | None = None,
) -> Tabla:
    texto = decodificar(contenido) if isinstance(contenido, bytes) else contenido
    primera = _primera_linea(texto)
    # Excel writes (and honours) a first line "sep=;" naming the separator.
    indicado = primera[4:5] if primera.lower().startswith("sep=") else ""
    delimitador = separador or indicado or detectar_separador(texto)
    lector = csv.reader(_lineas(texto), delimiter=delimitador)
    medidor = _Medidor(max_filas)
    filas: Tabla = []
    try:
        for celdas in lector:
            if indicado and not filas and celdas and celdas[0].strip().lower().startswith("sep="):
                indicado = ""
                continue
            limpias = [limpiar(c) for c in celdas]
            medidor.fila(lector.line_num, limpias)
            filas.append((lector.line_num, limpias[:max_columnas]))
    except csv.Error as error:
        raise ArchivoInvalido(
            _("El CSV está mal formado cerca de la línea %(linea)s.") % {"linea": lector.line_num}
        ) from error
    return filas


# --- XLSX ------------------------------------------------------------------------

_PARTES_BINARIAS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf")
# What reading a damaged package can raise, from zipfile, zlib and the XML parsers.
_ERRORES_DE_LECTURA = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    ValueError,
    TypeError,
    ElementTree.ParseError,
    expat.ExpatError,
    InvalidFileException,
)


def _parte_demasiado_grande(maximo: int, *, total: bool = False) -> LimiteExcedido:
    if total:
        mensaje = _(
            "El libro de Excel ocuparía más de %(max)s MB al abrirlo. Copie solo los datos a "
            "un libro nuevo o guárdelo como CSV."
        )
    else:
        mensaje = _(
            "Una parte del libro de Excel ocuparía más de %(max)s MB al abrirlo. Copie solo "
            "los datos a un libro nuevo o guárdelo como CSV."
        )
    return LimiteExcedido(mensaje % {"max": _megas(maximo)})


def _revisar_paquete(archivo: zipfile.ZipFile) -> tuple[str | None, list[str]]:
    """Refuse a ZIP that is not a plausible workbook, from its directory alone.

    Nothing is unpacked but the small manifest: the entry count, each entry's
    declared size by what openpyxl does with it, its compression ratio and the
    total are checked first. zipfile never inflates an entry past its declared
    size (it stops and fails the CRC), so these bounds hold even if the
    directory lies. Returns the shared-strings part and the worksheet parts,
    which are walked next.
    """
    entradas = archivo.infolist()
    if len(entradas) > MAX_ENTRADAS_XLSX:
        raise LimiteExcedido(
            _(
                "El libro de Excel tiene más de %(max)s partes internas; no parece una tabla de "
                "datos. Copie solo los datos a un libro nuevo o guárdelo como CSV."
            )
            % {"max": MAX_ENTRADAS_XLSX}
        )
    nombres = {entrada.filename for entrada in entradas}
    if len(nombres) != len(entradas) or ARC_CONTENT_TYPES not in nombres:
        raise _libro_invalido()
    for entrada in entradas:
        cifrada = entrada.flag_bits & 0x1
        if cifrada or entrada.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _libro_invalido()
    if archivo.getinfo(ARC_CONTENT_TYPES).file_size > MAX_BYTES_PARTE:
        raise _parte_demasiado_grande(MAX_BYTES_PARTE)
    manifiesto = Manifest.from_tree(fromstring(archivo.read(ARC_CONTENT_TYPES)))
    tipo_cadenas = manifiesto.find(SHARED_STRINGS)
    cadenas = tipo_cadenas.PartName[1:] if tipo_cadenas is not None else None
    hojas = {tipo.PartName[1:] for tipo in manifiesto.findall(WORKSHEET_TYPE)} | {
        nombre for nombre in nombres if nombre.startswith("xl/worksheets/")
    }
    total = 0
    for entrada in entradas:
        if entrada.filename == cadenas:
            maximo = MAX_BYTES_CADENAS
        elif entrada.filename in hojas:
            maximo = MAX_BYTES_HOJA
        elif entrada.filename.lower().endswith(_PARTES_BINARIAS):
            maximo = MAX_BYTES_BINARIO
        else:
            maximo = MAX_BYTES_PARTE
        if entrada.file_size > maximo:
            raise _parte_demasiado_grande(maximo)
        if entrada.file_size > MIN_BYTES_PROPORCION and entrada.file_size > MAX_PROPORCION * max(
            entrada.compress_size, 1
        ):
            raise LimiteExcedido(
                _(
                    "El libro de Excel está comprimido de forma anómala (una de sus partes crece "
                    "más de %(max)s veces al abrirla). Guárdelo de nuevo desde Excel o como CSV."
                )
                % {"max": MAX_PROPORCION}
            )
        total += entrada.file_size
    if total > MAX_BYTES_XLSX:
        raise _parte_demasiado_grande(MAX_BYTES_XLSX, total=True)
    return (
        cadenas if cadenas in nombres else None,
        sorted(hoja for hoja in hojas if hoja in nombres),
    )


class _Suficiente(Exception):
    """Stop walking a part: what was needed of it has been seen."""


class _Recorrido:
    """One XML part of the package walked by expat in constant memory.

    Subclasses count what openpyxl would hold and raise as soon as a limit is
    passed. A DTD is refused outright: no workbook has one, and entities are
    how a small XML part expands.
    """

    def __init__(self) -> None:
        self._parser = expat.ParserCreate(namespace_separator=" ")
        self._parser.buffer_text = True
        self._parser.StartElementHandler = self._abre
        self._parser.EndElementHandler = self._cierra
        self._parser.CharacterDataHandler = self._texto
        self._parser.StartDoctypeDeclHandler = self._dtd

    def recorrer(self, archivo: zipfile.ZipFile, parte: str) -> None:
        try:
            with archivo.open(parte) as fuente:
                while bloque := fuente.read(_BLOQUE):
                    self._parser.Parse(bloque, False)
            self._parser.Parse(b"", True)
        except _Suficiente:
            return
        except _ERRORES_DE_LECTURA as error:
            raise _libro_invalido() from error

    def _dtd(self, *_datos: Any) -> None:
        raise _libro_invalido()

    def _abre(self, nombre: str, atributos: dict[str, str]) -> None:
        raise NotImplementedError

    def _cierra(self, nombre: str) -> None:
        raise NotImplementedError

    def _texto(self, datos: str) -> None:
        raise NotImplementedError


def _local(nombre: str) -> str:
    return nombre.rpartition(" ")[2]


class _RecorridoCadenas(_Recorrido):
    """The shared strings, which openpyxl loads whole: how many, and how long each."""

    def __init__(self) -> None:
        super().__init__()
        self.cadenas = 0
        self.fuera = 0
        self.dentro: int | None = None  # depth inside the current <si>, None outside
        self.largo = 0
        self.elementos = 0

    def _abre(self, nombre: str, atributos: dict[str, str]) -> None:
        if self.dentro is not None:
            self.dentro += 1
            self.elementos += 1
            if self.elementos > MAX_ELEMENTOS_CELDA:
                raise _libro_demasiado_complejo()
        elif _local(nombre) == "si":
            self.cadenas += 1
            if self.cadenas > MAX_CADENAS:
                raise LimiteExcedido(
                    _(
                        "El libro de Excel tiene más de %(max)s textos distintos; divídalo en "
                        "partes más pequeñas."
                    )
                    % {"max": _miles(MAX_CADENAS)}
                )
            self.dentro, self.largo, self.elementos = 0, 0, 0
        else:
            self.fuera += 1
            if self.fuera > MAX_ELEMENTOS_FUERA:
                raise _libro_demasiado_complejo()

    def _cierra(self, nombre: str) -> None:
        if self.dentro:
            self.dentro -= 1
        elif self.dentro == 0:
            self.dentro = None

    def _texto(self, datos: str) -> None:
        if self.dentro is not None:
            self.largo += len(datos)
            if self.largo > MAX_LONGITUD_CELDA:
                raise celda_demasiado_larga(None)


class _RecorridoHoja(_Recorrido):
    """A worksheet: its rows, the cells of each, the characters of each cell.

    With `solo_inicio`, the walk stops at `<sheetData>` if a `<dimension>` came
    before it, as openpyxl does when it opens a workbook; without one openpyxl
    reads the whole sheet there, so the whole sheet is walked (`entera`).
    """

    def __init__(self, *, max_filas: int, solo_inicio: bool) -> None:
        super().__init__()
        self.max_filas = max_filas
        self.max_celdas = (max_filas + 1) * MAX_COLUMNAS
        self.solo_inicio = solo_inicio
        self.con_dimension = False
        self.entera = False
        self.filas = 0
        self.celdas = 0
        self.fuera = 0
        self.en_datos = False
        self.dentro: int | None = None  # depth inside the current <c>, None outside
        self.numero_fila = 0
        self.con_datos = 0
        self.celda_con_valor = False
        self.largo = 0
        self.elementos = 0

    def recorrer(self, archivo: zipfile.ZipFile, parte: str) -> None:
        super().recorrer(archivo, parte)
        self.entera = not (self.solo_inicio and self.con_dimension)

    def _abre(self, nombre: str, atributos: dict[str, str]) -> None:
        local = _local(nombre)
        if self.dentro is not None:
            self.dentro += 1
            self.elementos += 1
            if self.elementos > MAX_ELEMENTOS_CELDA:
                raise _libro_demasiado_complejo()
            if local in {"v", "is"}:
                self.celda_con_valor = True
        elif self.en_datos and local == "row":
            self._fila(atributos.get("r", ""))
        elif self.en_datos and local == "c":
            self.celdas += 1
            if self.celdas > self.max_celdas:
                raise LimiteExcedido(
                    _(
                        "La hoja tiene más de %(max)s celdas, contando las vacías con formato. "
                        "Copie solo los datos a un libro nuevo o guárdelo como CSV."
                    )
                    % {"max": _miles(self.max_celdas)}
                )
            self.dentro, self.celda_con_valor, self.largo, self.elementos = 0, False, 0, 0
        elif local == "sheetData":
            if self.solo_inicio and self.con_dimension:
                raise _Suficiente
            self.en_datos = True
        else:
            self.con_dimension = self.con_dimension or local == "dimension"
            self.fuera += 1
            if self.fuera > MAX_ELEMENTOS_FUERA:
                raise _libro_demasiado_complejo()

    def _fila(self, referencia: str) -> None:
        self.filas += 1
        if self.filas > self.max_filas + 1:
            raise demasiadas_filas(self.max_filas)
        indicada = referencia.isdigit() and len(referencia) < 8
        self.numero_fila = int(referencia) if indicada else self.numero_fila + 1
        self.con_datos = 0

    def _cierra(self, nombre: str) -> None:
        if self.dentro:
            self.dentro -= 1
        elif self.dentro == 0:
            self.dentro = None
            if self.celda_con_valor:
                self.con_datos += 1
                if self.con_datos > MAX_COLUMNAS:
                    raise demasiadas_columnas(self.numero_fila)
        elif _local(nombre) == "sheetData":
            self.en_datos = False

    def _texto(self, datos: str) -> None:
        if self.dentro is not None:
            self.largo += len(datos)
            if self.largo > MAX_LONGITUD_CELDA:
                raise celda_demasiado_larga(self.numero_fila)


def _celda_xlsx(valor: Any) -> str:
    if valor is None:
        return ""
    if isinstance(valor, float) and valor.is_integer():
        return str(int(valor))
    if hasattr(valor, "isoformat"):
        return valor.isoformat()
    return limpiar(valor)


def leer_xlsx(contenido: bytes, *, max_filas: int, max_columnas: int = MAX_COLUMNAS) -> Tabla:
    """The rows of the workbook's first sheet, refused early if it passes a limit.

    openpyxl loads the shared strings whole and every sheet's opening when it
    opens a workbook, and parses a whole row at a time, even in read-only mode;
    so the package is checked and those parts walked (see `_revisar_paquete`,
    `_Recorrido`) before openpyxl sees them.
    """
    try:
        archivo = zipfile.ZipFile(io.BytesIO(contenido))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _libro_invalido() from error
    with archivo:
        try:
            cadenas, hojas = _revisar_paquete(archivo)
        except _ERRORES_DE_LECTURA as error:
            raise _libro_invalido() from error
        if cadenas is not None:
            _RecorridoCadenas().recorrer(archivo, cadenas)
        enteras: set[str] = set()
        for parte in hojas:
            recorrido = _RecorridoHoja(max_filas=max_filas, solo_inicio=True)
            recorrido.recorrer(archivo, parte)
            if recorrido.entera:
                enteras.add(parte)
        try:
            libro = load_workbook(io.BytesIO(contenido), read_only=True, data_only=True)
        except (*_ERRORES_DE_LECTURA, OSError) as error:
            raise _libro_invalido() from error
        try:
            hoja = libro.worksheets[0] if libro.worksheets else None
            if hoja is None:
                raise ArchivoInvalido(_("El archivo está vacío."))
            # The part openpyxl is about to stream (it keeps the path privately).
            if hoja._worksheet_path not in enteras:
                _RecorridoHoja(max_filas=max_filas, solo_inicio=False).recorrer(
                    archivo, hoja._worksheet_path
                )
            medidor = _Medidor(max_filas)
            filas: Tabla = []
            for numero, valores in enumerate(
                hoja.iter_rows(max_col=max_columnas, values_only=True), start=1
            ):
                celdas = [_celda_xlsx(v) for v in valores]
                medidor.fila(numero, celdas)
                filas.append((numero, celdas))
            return filas
        except _ERRORES_DE_LECTURA as error:
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
