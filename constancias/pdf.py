"""PDF rendering of constancias; the only module that imports WeasyPrint.

A constancia is drawn from two frozen dicts taken from its snapshot:

``diseno`` holds what every constancia of one template and edition shares: ``tamano``
("letter", "A4", "legal"), ``orientacion`` ("landscape", "portrait"), ``fondo``, ``sello``
and ``logos`` (image URLs, ``file://`` or ``http(s)://``; logos go half left, half right of
the issuers, the seal between the signatories), ``emisores`` (names of the issuing
institutions), ``titulo``, ``texto_previo``, ``cuerpo`` (text with placeholders such as
``{curso}``), ``firmantes`` (up to four dicts with ``nombre``, ``cargo`` and ``firma``),
and the optional back page: ``reverso``, ``reverso_titulo`` and ``contenidos``.

``datos`` holds what is personal: ``nombre``, ``curso``, ``fase``, ``horas``,
``fecha_inicio``, ``fecha_fin``, ``modalidad``, ``lugar_emision``, ``fecha_emision``
(ISO dates), ``folio``, ``url_verificacion`` and optionally ``emitida_en`` (ISO
datetime written as the PDF's creation date; noon UTC of ``fecha_emision`` otherwise).

Two renderers produce the same document. ``renderizar_constancia_weasyprint`` lays out
the whole page with WeasyPrint (the straightforward path, kept as the fallback and as
the benchmark baseline). ``renderizar_constancias`` is the bulk path: WeasyPrint lays
out and renders the shared part of a design once (background, logos, institutions,
signatories, back page) and reports where the personal boxes are; each constancia is
then written as its own PDF/A-3B file that reuses those prebuilt objects and stamps the
personal text, in an embedded subset of the same font, plus its QR code. A person whose
text needs a glyph outside that subset falls back to the WeasyPrint path.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import logging
import math
import string
import urllib.parse
import urllib.request
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import segno

from django.conf import settings
from django.core import checks
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from lms.direcciones import url_publica

FUENTES_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
PRODUCTOR = "Plataforma de Capacitación en Transparencia Proactiva"
MESES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
# Placeholders that a template body may use; each is filled from the constancia's data.
MARCADORES = (
    "nombre",
    "curso",
    "fase",
    "horas",
    "fecha_inicio",
    "fecha_fin",
    "periodo",
    "modalidad",
    "lugar",
    "fecha_emision",
    "folio",
)
TAMANOS_MM = {"letter": (215.9, 279.4), "legal": (215.9, 355.6), "A4": (210.0, 297.0)}
PT_POR_PX = 0.75
PT_POR_MM = 72 / 25.4
# The stamped font subset covers Spanish and every Latin-1 / Latin Extended-A letter,
# so names such as "Ñúñez", "Müller" or "Łukasz" stay on the fast path.
CARACTERES_ESTAMPA = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "".join(chr(c) for c in range(0xA0, 0x180))
    + "‘’‚“”„–—…•€™ǅǈǋǲȘșȚț"
)
COLOR_TEXTO = "0.102 0.102 0.102"
TAM_NOMBRE = (24.0, 13.0)  # largest and smallest size (pt) of the person's name
TAM_CUERPO = (12.5, 8.5)
TAM_PIE = (8.0, 5.0)
INTERLINEA_PIE = 1.25
INTERLINEA_NOMBRE = 1.2
INTERLINEA_CUERPO = 1.3
# The QR is sized for a 150 dpi scan of the printed page: at that resolution a module of
# 0.5 mm is 3 pixels, which zbar and phone cameras read. LADO_QR_MM (quiet zone included)
# is the one declaration of the QR's size; the template and the stamping path read it.
LADO_QR_MM = 28.0
MODULO_QR_MIN_MM = 0.5
# Any of the eight QR masks is valid; fixing one skips segno's scoring of all eight,
# which is most of the encoding time. The tests decode the result with zbarimg.
MASCARA_QR = 2


# fontTools logs every glyph list at INFO and WeasyPrint every layout step: one
# constancia would flood the worker's log.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class PlantillaInvalida(ValueError):
    """A template that cannot produce a correct constancia; the message is for the editor."""


# --- Data that both renderers share ------------------------------------------------


def fecha_es(valor: datetime.date | str | None) -> str:
    """A date written the Spanish way: "27 de noviembre de 2026"."""
    if not valor:
        return ""
    if isinstance(valor, str):
        valor = datetime.date.fromisoformat(valor[:10])
    return f"{valor.day} de {MESES[valor.month - 1]} de {valor.year}"


def periodo_es(inicio: datetime.date | str | None, fin: datetime.date | str | None) -> str:
    """ "del 3 de marzo al 27 de noviembre de 2026", or one date when both are equal."""
    if not inicio or not fin:
        return fecha_es(inicio or fin)
    if str(inicio)[:10] == str(fin)[:10]:
        return _("el %(fecha)s") % {"fecha": fecha_es(inicio)}
    return _("del %(inicio)s al %(fin)s") % {"inicio": fecha_es(inicio), "fin": fecha_es(fin)}


def validar_cuerpo(texto: str) -> None:
    """Raise PlantillaInvalida when `texto` has a malformed or unknown placeholder."""
    try:
        partes = list(string.Formatter().parse(texto))
    except ValueError as error:
        raise PlantillaInvalida(
            _(
                "El texto tiene una llave sin cerrar o sin abrir. Use marcadores como "
                "{nombre} y escriba {{ o }} para mostrar una llave. Detalle: %(detalle)s"
            )
            % {"detalle": error}
        ) from error
    campos = [campo for _, campo, _, _ in partes if campo is not None]
    for _literal, campo, formato, conversion in partes:
        if campo is not None and (formato or conversion):
            raise PlantillaInvalida(
                _("El marcador {%(campo)s} lleva un formato que no se admite; escríbalo solo.")
                % {"campo": campo.split("!")[0].split(":")[0]}
            )
    desconocidos = sorted({campo for campo in campos if campo not in MARCADORES})
    if "" in desconocidos:
        raise PlantillaInvalida(_("El texto tiene un marcador vacío: {}."))
    if desconocidos:
        raise PlantillaInvalida(
            _("Marcadores desconocidos: %(desconocidos)s. Los válidos son: %(validos)s.")
            % {
                "desconocidos": ", ".join(f"{{{c}}}" for c in desconocidos),
                "validos": ", ".join(f"{{{c}}}" for c in MARCADORES),
            }
        )


def valores_marcadores(datos: dict[str, Any]) -> dict[str, str]:
    """The printed text of every placeholder for one constancia."""
    return {
        "nombre": str(datos.get("nombre", "")),
        "curso": str(datos.get("curso", "")),
        "fase": str(datos.get("fase", "")),
        "horas": str(datos.get("horas", "")),
        "fecha_inicio": fecha_es(datos.get("fecha_inicio")),
        "fecha_fin": fecha_es(datos.get("fecha_fin")),
        "periodo": periodo_es(datos.get("fecha_inicio"), datos.get("fecha_fin")),
        "modalidad": str(datos.get("modalidad", "")),
        "lugar": str(datos.get("lugar_emision", "")),
        "fecha_emision": fecha_es(datos.get("fecha_emision")),
        "folio": str(datos.get("folio", "")),
    }


def tramos_cuerpo(cuerpo: str, datos: dict[str, Any]) -> list[tuple[str, bool]]:
    """The body as (text, bold) runs: literal text is regular, filled-in values bold."""
    validar_cuerpo(cuerpo)
    valores = valores_marcadores(datos)
    tramos: list[tuple[str, bool]] = []
    for literal, campo, _spec, _conv in string.Formatter().parse(cuerpo):
        if literal:
            tramos.append((literal, False))
        if campo:
            tramos.append((valores[campo], True))
    return tramos


def lugar_y_fecha(datos: dict[str, Any]) -> str:
    lugar = str(datos.get("lugar_emision", "")).strip()
    fecha = fecha_es(datos.get("fecha_emision"))
    if not lugar:
        return fecha
    return _("%(lugar)s, a %(fecha)s") % {"lugar": lugar, "fecha": fecha}


def lineas_pie(datos: dict[str, Any]) -> list[str]:
    """The footer beside the QR: folio, and the verification URL on a line of its own."""
    return [
        _("Folio: %(folio)s") % {"folio": datos.get("folio", "")},
        _("Verifique su autenticidad en:"),
        str(datos.get("url_verificacion", "")),
    ]


def tam_pie(fuentes: _Fuentes, lineas: list[str], ancho: float) -> float:
    """The footer's size: TAM_PIE[0], smaller when a long public address needs it."""
    mayor, menor = TAM_PIE
    ancho_1pt = max(fuentes.regular.ancho(linea, 1.0) for linea in lineas)
    return max(menor, min(mayor, math.floor(ancho / ancho_1pt * 10) / 10))


def metadatos(diseno: dict[str, Any], datos: dict[str, Any]) -> dict[str, str]:
    """Title, author and subject written into the PDF's metadata."""
    return {
        "titulo": _("Constancia %(folio)s") % {"folio": datos.get("folio", "")},
        "autor": "; ".join(diseno.get("emisores") or []) or PRODUCTOR,
        "asunto": _("Constancia de %(curso)s otorgada a %(nombre)s")
        % {"curso": datos.get("curso", ""), "nombre": datos.get("nombre", "")},
    }


def rutas_fuentes() -> tuple[Path, Path]:
    """Regular and bold TrueType files, from settings or Debian's fonts-dejavu-core."""
    regular = getattr(settings, "CONSTANCIAS_FUENTE_REGULAR", None)
    negrita = getattr(settings, "CONSTANCIAS_FUENTE_NEGRITA", None)
    return (
        Path(regular or FUENTES_DEJAVU / "DejaVuSerif.ttf"),
        Path(negrita or FUENTES_DEJAVU / "DejaVuSerif-Bold.ttf"),
    )


def verificar_diseno(diseno: dict[str, Any]) -> None:
    """Raise PlantillaInvalida for a body, page size or image that cannot be printed."""
    validar_cuerpo(diseno.get("cuerpo", ""))
    if diseno.get("tamano") not in TAMANOS_MM:
        raise PlantillaInvalida(_("Tamaño de página no válido."))
    if diseno.get("orientacion") not in ("landscape", "portrait"):
        raise PlantillaInvalida(_("Orientación de página no válida."))
    if len(diseno.get("firmantes") or []) > 4:
        raise PlantillaInvalida(_("Una constancia admite como máximo cuatro firmantes."))
    for regular_o_negrita in rutas_fuentes():
        if not regular_o_negrita.is_file():
            raise PlantillaInvalida(
                _("No se encontró la fuente %(ruta)s (paquete fonts-dejavu-core).")
                % {"ruta": regular_o_negrita}
            )
    imagenes = [("fondo", diseno.get("fondo")), ("sello", diseno.get("sello"))]
    imagenes += [("logotipo", url) for url in diseno.get("logos") or []]
    imagenes += [("firma", f.get("firma")) for f in diseno.get("firmantes") or []]
    for clase, url in imagenes:
        if url and not _imagen_disponible(url):
            raise PlantillaInvalida(
                _("No se pudo leer la imagen de %(clase)s (%(url)s). Vuelva a subirla.")
                % {"clase": clase, "url": url}
            )


def _imagen_disponible(url: str) -> bool:
    partes = urllib.parse.urlparse(url)
    if partes.scheme == "file":
        return Path(urllib.request.url2pathname(partes.path)).is_file()
    if partes.scheme == "data":
        return True
    if partes.scheme in ("http", "https"):
        try:
            with urllib.request.urlopen(url, timeout=10) as respuesta:  # noqa: S310
                return respuesta.status == 200
        except OSError:
            return False
    return False


def modulo_qr_mm(url: str) -> float:
    """The printed side of one QR module of `url`, in millimetres."""
    return LADO_QR_MM / len(qr_matriz(url))


@checks.register()
def revisar_tamano_qr(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The QR of a verification URL at the public address must read from a 150 dpi scan."""
    # A verification code is 128 bits in base64url: 22 characters.
    muestra = url_publica(reverse("constancias:verificar", args=["A" * 22]))
    modulo = modulo_qr_mm(muestra)
    if modulo >= MODULO_QR_MIN_MM:
        return []
    return [
        checks.Warning(
            f"Con LMS_BASE_URL así de larga, el QR de las constancias tendría módulos de "
            f"{modulo:.2f} mm (mínimo {MODULO_QR_MIN_MM} mm) y podría no leerse de una "
            "copia escaneada a 150 dpi.",
            hint="Use una dirección pública más corta.",
            id="constancias.W001",
        )
    ]


def qr_matriz(url: str) -> list[list[bool]]:
    """The QR modules of `url` (True = dark) with the 4-module quiet zone around them."""
    qr = segno.make(url, error="m", micro=False, mask=MASCARA_QR)
    blanco = [False] * (len(qr.matrix) + 8)
    filas = [[False] * 4 + [bool(v) for v in fila] + [False] * 4 for fila in qr.matrix]
    return [blanco] * 4 + filas + [blanco] * 4


# --- Naive path: the whole page through WeasyPrint ---------------------------------


def _mitades(elementos: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    """Split logos or signatories between the left and right of the page, left first."""
    mitad = (len(elementos) + 1) // 2
    return list(elementos[:mitad]), list(elementos[mitad:])


def _contexto_html(diseno: dict[str, Any], datos: dict[str, Any] | None) -> dict[str, Any]:
    regular, negrita = rutas_fuentes()
    ancho, alto = TAMANOS_MM[diseno["tamano"]]
    if diseno["orientacion"] == "landscape":
        ancho, alto = alto, ancho
    logos_izquierda, logos_derecha = _mitades(diseno.get("logos") or [])
    firmantes_izquierda, firmantes_derecha = _mitades(diseno.get("firmantes") or [])
    contexto: dict[str, Any] = {
        "diseno": diseno,
        "datos": datos,
        "fuente_regular": regular.as_uri(),
        "fuente_negrita": negrita.as_uri(),
        "ancho_mm": f"{ancho:.2f}",
        "alto_mm": f"{alto:.2f}",
        "lado_qr_mm": f"{LADO_QR_MM:.2f}",
        "logos_en_fila": len(diseno.get("logos") or []) > 2,
        "logos_izquierda": logos_izquierda,
        "logos_derecha": logos_derecha,
        "firmantes_izquierda": firmantes_izquierda,
        "firmantes_derecha": firmantes_derecha,
        "titulo_documento": diseno.get("titulo", ""),
    }
    if datos is not None:
        # The boxes measured once per design (without personal text) size the text here
        # exactly as the stamping path does, so both renderers print the same sizes.
        capa = _capa(diseno)
        fuentes = capa.fuentes
        tramos = tramos_cuerpo(diseno.get("cuerpo", ""), datos)
        pie = lineas_pie(datos)
        nombre, cuerpo = capa.cajas["nombre"], capa.cajas["cuerpo"]
        tam_nombre, lineas_nombre = _ajustar(
            fuentes,
            [(datos.get("nombre", ""), True)],
            nombre.ancho,
            nombre.alto,
            TAM_NOMBRE,
            INTERLINEA_NOMBRE,
        )
        tam_cuerpo, lineas_cuerpo = _ajustar(
            fuentes, tramos, cuerpo.ancho, cuerpo.alto, TAM_CUERPO, INTERLINEA_CUERPO
        )
        # The text is centred in its box by a top padding, as the stamping path places it:
        # a nested flexbox would centre it too but makes WeasyPrint lay the page out
        # several times over (three times slower).
        alto_nombre = len(lineas_nombre) * tam_nombre * INTERLINEA_NOMBRE
        alto_cuerpo = len(lineas_cuerpo) * tam_cuerpo * INTERLINEA_CUERPO
        contexto.update(
            {
                "tramos": tramos,
                "tam_nombre": f"{tam_nombre:.1f}",
                "tam_cuerpo": f"{tam_cuerpo:.1f}",
                "sangria_nombre": f"{max(0.0, (nombre.alto - alto_nombre) / 2):.2f}",
                "sangria_cuerpo": f"{max(0.0, (cuerpo.alto - alto_cuerpo) / 2):.2f}",
                "lugar_fecha": lugar_y_fecha(datos),
                "lineas_pie": pie,
                "tam_pie": f"{tam_pie(fuentes, pie, capa.cajas['folio'].ancho):.1f}",
                "qr_uri": segno.make(
                    datos.get("url_verificacion", ""), error="m", micro=False, mask=MASCARA_QR
                ).png_data_uri(scale=8, border=4),
                "titulo_documento": metadatos(diseno, datos)["titulo"],
            }
        )
    return contexto


def _weasyprint_html(contexto: dict[str, Any]) -> Any:
    from weasyprint import HTML

    html = render_to_string("constancias/pdf/constancia.html", contexto)
    return HTML(string=html, base_url=str(FUENTES_DEJAVU))


def renderizar_constancia_weasyprint(diseno: dict[str, Any], datos: dict[str, Any]) -> bytes:
    """One standalone PDF/A-3B constancia laid out entirely by WeasyPrint."""
    verificar_diseno(diseno)
    meta = metadatos(diseno, datos)
    documento = _weasyprint_html(_contexto_html(diseno, datos)).render()
    documento.metadata.title = meta["titulo"]
    documento.metadata.authors = [meta["autor"]]
    documento.metadata.description = meta["asunto"]
    documento.metadata.generator = PRODUCTOR
    return documento.write_pdf(
        pdf_variant="pdf/a-3b",
        pdf_identifier=_identificador(datos),
    )


def renderizar_lote_dividido(diseno: dict[str, Any], lote: Sequence[dict[str, Any]]) -> list[bytes]:
    """Alternative bulk design kept for the benchmark: one WeasyPrint document, split.

    Lays out every constancia of `lote` in one document (fonts subset once), then copies
    each constancia's pages into its own file with pypdf. Not used in production: the
    stamping path is faster and keeps PDF/A metadata per file.
    """
    from pypdf import PdfReader, PdfWriter
    from weasyprint import HTML

    verificar_diseno(diseno)
    paginas_por_constancia = 2 if diseno.get("reverso") else 1
    html = []
    for datos in lote:
        pagina = render_to_string("constancias/pdf/constancia.html", _contexto_html(diseno, datos))
        html.append(pagina.split("<body>", 1)[1].rsplit("</body>", 1)[0])
    plantilla = render_to_string("constancias/pdf/constancia.html", _contexto_html(diseno, None))
    cabeza = plantilla.split("<body>", 1)[0]
    completo = HTML(string=cabeza + "<body>" + "".join(html) + "</body></html>").write_pdf()
    lector = PdfReader(io.BytesIO(completo))
    resultado = []
    for indice, datos in enumerate(lote):
        escritor = PdfWriter()
        for numero in range(paginas_por_constancia):
            escritor.add_page(lector.pages[indice * paginas_por_constancia + numero])
        meta = metadatos(diseno, datos)
        escritor.add_metadata(
            {"/Title": meta["titulo"], "/Author": meta["autor"], "/Subject": meta["asunto"]}
        )
        salida = io.BytesIO()
        escritor.write(salida)
        resultado.append(salida.getvalue())
    return resultado


# --- Bulk path: shared layer rendered once, personal text stamped ------------------


@dataclass
class _Fuente:
    """A font subset embedded as a CIDFontType2 with Identity-H encoding."""

    nombre: str
    programa: bytes
    gid: dict[str, int]
    anchos: dict[int, float]  # glyph widths in 1/1000 em
    ascenso: int
    descenso: int
    altura_mayusculas: int
    caja: tuple[int, int, int, int]

    def ancho(self, texto: str, tam: float) -> float:
        # A glyph outside the subset only occurs when sizing text for the WeasyPrint
        # fallback; an average width is close enough there.
        anchos, gid = self.anchos, self.gid
        return sum(anchos[gid[c]] if c in gid else 600.0 for c in texto) * tam / 1000

    def cubre(self, texto: str) -> bool:
        return all(c in self.gid for c in texto)

    def codificar(self, texto: str) -> str:
        return "".join(f"{self.gid[c]:04X}" for c in texto)


@dataclass
class _Fuentes:
    regular: _Fuente
    negrita: _Fuente

    def de(self, negrita: bool) -> _Fuente:
        return self.negrita if negrita else self.regular


def _subconjunto(ruta: Path, etiqueta: str) -> _Fuente:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    opciones = subset.Options()
    opciones.layout_features = []
    opciones.hinting = False
    opciones.notdef_outline = True
    opciones.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    opciones.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM"]
    fuente = TTFont(str(ruta))
    subconjunto = subset.Subsetter(options=opciones)
    subconjunto.populate(text=CARACTERES_ESTAMPA)
    subconjunto.subset(fuente)
    salida = io.BytesIO()
    fuente.save(salida)
    fuente = TTFont(io.BytesIO(salida.getvalue()))
    unidades = fuente["head"].unitsPerEm
    orden = fuente.getGlyphOrder()
    indice = {nombre: numero for numero, nombre in enumerate(orden)}
    mapa = fuente.getBestCmap()
    gid = {chr(codigo): indice[nombre] for codigo, nombre in mapa.items()}
    hmtx = fuente["hmtx"]
    anchos = {indice[nombre]: hmtx[nombre][0] * 1000 / unidades for nombre in orden}
    head, os2 = fuente["head"], fuente["OS/2"]
    escala = 1000 / unidades
    nombre_ps = fuente["name"].getDebugName(6) or ruta.stem
    return _Fuente(
        nombre=f"{etiqueta}+{nombre_ps}",
        programa=salida.getvalue(),
        gid=gid,
        anchos=anchos,
        ascenso=round(fuente["hhea"].ascent * escala),
        descenso=round(fuente["hhea"].descent * escala),
        altura_mayusculas=round(getattr(os2, "sCapHeight", 0) * escala or 700),
        caja=(
            round(head.xMin * escala),
            round(head.yMin * escala),
            round(head.xMax * escala),
            round(head.yMax * escala),
        ),
    )


@lru_cache(maxsize=4)
def _fuentes_cache(regular: Path, negrita: Path) -> _Fuentes:
    return _Fuentes(_subconjunto(regular, "CSTREG"), _subconjunto(negrita, "CSTNEG"))


def _fuentes_estampa() -> _Fuentes:
    return _fuentes_cache(*rutas_fuentes())


def _palabras(
    fuentes: _Fuentes, tramos: Iterable[tuple[str, bool]]
) -> list[tuple[list[tuple[str, bool]], float]]:
    """Words as styled runs, each with its width at 1 pt (breaks happen only at spaces)."""
    palabras: list[list[tuple[str, bool]]] = [[]]
    for texto, negrita in tramos:
        for numero, trozo in enumerate(texto.split(" ")):
            if numero > 0:
                palabras.append([])
            if trozo:
                palabras[-1].append((trozo, negrita))
    return [(p, sum(fuentes.de(n).ancho(t, 1.0) for t, n in p)) for p in palabras if p]


def _partir(
    palabras: list[tuple[list[tuple[str, bool]], float]], espacio: float, ancho: float, tam: float
) -> list[list[tuple[str, bool]]]:
    """Greedy line breaking at `tam` points; a word never splits."""
    lineas: list[list[tuple[str, bool]]] = []
    actual: list[tuple[str, bool]] = []
    ancho_actual = 0.0
    limite = ancho / tam
    for palabra, ancho_palabra in palabras:
        if actual and ancho_actual + espacio + ancho_palabra > limite:
            lineas.append(actual)
            actual, ancho_actual = [], 0.0
        if actual:
            actual.append((" ", actual[-1][1] and palabra[0][1]))
            ancho_actual += espacio
        actual.extend(palabra)
        ancho_actual += ancho_palabra
    if actual:
        lineas.append(actual)
    return lineas


def _ajustar(
    fuentes: _Fuentes,
    tramos: list[tuple[str, bool]],
    ancho: float,
    alto: float,
    tamanos: tuple[float, float],
    interlinea: float,
) -> tuple[float, list[list[tuple[str, bool]]]]:
    """The largest size (0.5 pt steps) at which the runs fit the box, and their lines."""
    palabras = _palabras(fuentes, tramos)
    espacio = fuentes.regular.ancho(" ", 1.0)
    mayor, menor = tamanos
    tam = mayor
    while True:
        lineas = _partir(palabras, espacio, ancho, tam)
        if len(lineas) * tam * interlinea <= alto or tam <= menor:
            return tam, lineas
        tam -= 0.5


@dataclass
class _Caja:
    x: float  # points, PDF user space (origin bottom left)
    arriba: float
    ancho: float
    alto: float


@dataclass
class _Capa:
    """The shared part of one design, rendered once and serialized for reuse."""

    ancho: float
    alto: float
    cajas: dict[str, _Caja]
    objetos: bytes  # serialized shared objects, written right after the header
    desplazamientos: list[int]  # offset of each shared object inside `objetos`
    primero_propio: int  # number of the first per-document object
    recursos: int
    contenido: int
    recursos_reverso: int | None
    contenido_reverso: int | None
    salida_intencion: bytes
    grupo: bytes
    fuentes: _Fuentes
    reverso: bool = field(default=False)


CABECERA = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


def _cadena_pdf(texto: str) -> bytes:
    """A PDF text string: UTF-16BE with byte order mark, hex encoded."""
    return b"<FEFF" + texto.encode("utf-16-be").hex().upper().encode() + b">"


def _objetos_fuente(fuente: _Fuente, primero: int) -> list[bytes]:
    """Type0 font, CIDFont, descriptor, font file and ToUnicode map (5 objects)."""
    _tipo0, cid, descriptor, archivo, a_unicode = range(primero, primero + 5)
    gids = sorted(fuente.anchos)
    anchos = " ".join(f"{round(fuente.anchos[g])}" for g in gids)
    mapa = sorted((g, c) for c, g in fuente.gid.items())
    pares = "\n".join(f"<{g:04X}> <{ord(c):04X}>" for g, c in mapa)
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(mapa)} beginbfchar\n{pares}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end"
    ).encode()
    cmap_z = zlib.compress(cmap)
    programa_z = zlib.compress(fuente.programa)
    x0, y0, x1, y1 = fuente.caja
    return [
        (
            f"<< /Type /Font /Subtype /Type0 /BaseFont /{fuente.nombre} /Encoding /Identity-H "
            f"/DescendantFonts [{cid} 0 R] /ToUnicode {a_unicode} 0 R >>"
        ).encode(),
        (
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{fuente.nombre} "
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            f"/FontDescriptor {descriptor} 0 R /CIDToGIDMap /Identity /DW 1000 "
            f"/W [{gids[0]} [{anchos}]] >>"
        ).encode(),
        (
            f"<< /Type /FontDescriptor /FontName /{fuente.nombre} /Flags 4 "
            f"/FontBBox [{x0} {y0} {x1} {y1}] /ItalicAngle 0 /Ascent {fuente.ascenso} "
            f"/Descent {fuente.descenso} /CapHeight {fuente.altura_mayusculas} /StemV 80 "
            f"/FontFile2 {archivo} 0 R >>"
        ).encode(),
        (
            f"<< /Length {len(programa_z)} /Length1 {len(fuente.programa)} "
            "/Filter /FlateDecode >>\n"
        ).encode()
        + b"stream\n"
        + programa_z
        + b"\nendstream",
        f"<< /Length {len(cmap_z)} /Filter /FlateDecode >>\n".encode()
        + b"stream\n"
        + cmap_z
        + b"\nendstream",
    ]


def _serializar(objeto: Any) -> bytes:
    salida = io.BytesIO()
    objeto.write_to_stream(salida)
    return salida.getvalue()


def _caja_de(pagina: Any, elemento_id: str, alto_pagina: float) -> _Caja:
    for caja in pagina._page_box.descendants():
        elemento = getattr(caja, "element", None)
        if elemento is not None and elemento.get("id") == elemento_id and caja.element_tag:
            return _Caja(
                x=caja.content_box_x() * PT_POR_PX,
                arriba=alto_pagina - caja.content_box_y() * PT_POR_PX,
                ancho=caja.width * PT_POR_PX,
                alto=caja.height * PT_POR_PX,
            )
    raise PlantillaInvalida(_("La plantilla no tiene el espacio %(id)s.") % {"id": elemento_id})


def _contenido_de(pagina: Any) -> bytes:
    contenido = pagina.get_contents()
    return contenido.get_data() if contenido is not None else b""


def _construir_capa(diseno: dict[str, Any]) -> _Capa:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import IndirectObject, NameObject

    verificar_diseno(diseno)
    fuentes = _fuentes_estampa()
    documento = _weasyprint_html(_contexto_html(diseno, None)).render()
    pagina = documento.pages[0]
    ancho, alto = pagina.width * PT_POR_PX, pagina.height * PT_POR_PX
    cajas = {
        nombre: _caja_de(pagina, f"hueco-{nombre}", alto)
        for nombre in ("nombre", "cuerpo", "lugar", "folio", "qr")
    }
    reverso = bool(diseno.get("reverso"))
    if len(documento.pages) != (2 if reverso else 1):
        raise PlantillaInvalida(
            _("El diseño no cabe en una hoja: reduzca los textos, logotipos o firmantes.")
        )
    pdf = documento.write_pdf(pdf_variant="pdf/a-3b")
    lector = PdfReader(io.BytesIO(pdf))
    proto = PdfWriter()
    # Objects 1-3 of the writer (info, pages, catalog) are replaced per document.
    raiz: Any = lector.trailer["/Root"]
    recursos: Any = lector.pages[0]["/Resources"].clone(proto)
    intencion = raiz["/OutputIntents"].clone(proto)
    recursos_reverso = lector.pages[1]["/Resources"].clone(proto) if reverso else None
    grupo = lector.pages[0].get("/Group")
    grupo_bytes = b"/Group " + _serializar(grupo.clone(proto)) if grupo is not None else b""
    siguiente = len(proto._objects) + 1
    propios: dict[int, bytes] = {}
    fuentes_ids = {}
    for clave, fuente in (("/CSR", fuentes.regular), ("/CSB", fuentes.negrita)):
        for desplazamiento, datos in enumerate(_objetos_fuente(fuente, siguiente)):
            propios[siguiente + desplazamiento] = datos
        fuentes_ids[clave] = siguiente
        siguiente += 5

    def flujo(datos: bytes) -> bytes:
        z = zlib.compress(datos)
        return (
            f"<< /Length {len(z)} /Filter /FlateDecode >>\nstream\n".encode() + z + (b"\nendstream")
        )

    contenido = siguiente
    propios[contenido] = flujo(b"q\n" + _contenido_de(lector.pages[0]) + b"\nQ\n")
    siguiente += 1
    contenido_reverso = None
    if reverso:
        contenido_reverso = siguiente
        propios[contenido_reverso] = flujo(_contenido_de(lector.pages[1]))
        siguiente += 1
    id_recursos = siguiente
    id_recursos_reverso = siguiente + 1 if reverso else None
    primero_propio = siguiente + (2 if reverso else 1)
    # The per-document objects come right after the shared ones, always numbered the same.
    id_qr = primero_propio + _QR

    fuentes_dic = recursos.get("/Font")
    fuentes_dic = fuentes_dic.get_object() if fuentes_dic is not None else None
    if fuentes_dic is None:
        from pypdf.generic import DictionaryObject

        fuentes_dic = DictionaryObject()
        recursos[NameObject("/Font")] = fuentes_dic
    for clave, numero in fuentes_ids.items():
        fuentes_dic[NameObject(clave)] = IndirectObject(numero, 0, proto)
    imagenes = recursos.get("/XObject")
    imagenes = imagenes.get_object() if imagenes is not None else None
    if imagenes is None:
        from pypdf.generic import DictionaryObject

        imagenes = DictionaryObject()
        recursos[NameObject("/XObject")] = imagenes
    imagenes[NameObject("/CQR")] = IndirectObject(id_qr, 0, proto)
    propios[id_recursos] = _serializar(recursos)
    if reverso and id_recursos_reverso is not None and recursos_reverso is not None:
        propios[id_recursos_reverso] = _serializar(recursos_reverso)

    # Serialize: writer objects 4.. then our own, in number order.
    cuerpo = io.BytesIO()
    desplazamientos = []
    for numero in range(1, primero_propio):
        desplazamientos.append(cuerpo.tell())
        if numero <= 3:
            datos = b"null"
        elif numero in propios:
            datos = propios[numero]
        else:
            objeto = proto._objects[numero - 1]
            datos = _serializar(objeto) if objeto is not None else b"null"
        cuerpo.write(b"%d 0 obj\n" % numero + datos + b"\nendobj\n")
    return _Capa(
        ancho=ancho,
        alto=alto,
        cajas=cajas,
        objetos=cuerpo.getvalue(),
        desplazamientos=desplazamientos,
        primero_propio=primero_propio,
        recursos=id_recursos,
        contenido=contenido,
        recursos_reverso=id_recursos_reverso,
        contenido_reverso=contenido_reverso,
        salida_intencion=_serializar(intencion),
        grupo=grupo_bytes,
        fuentes=fuentes,
        reverso=reverso,
    )


# Per-document objects, relative to _Capa.primero_propio (1, 2 and 3 are fixed).
_PAGINA, _ESTAMPA, _QR, _METADATOS, _ENLACE, _REVERSO = range(6)
_INFO, _PAGINAS, _CATALOGO = 1, 2, 3


@lru_cache(maxsize=16)
def _capa_cache(clave: str) -> _Capa:
    return _construir_capa(json.loads(clave))


def _capa(diseno: dict[str, Any]) -> _Capa:
    return _capa_cache(json.dumps(diseno, sort_keys=True, ensure_ascii=False, default=str))


def _texto(
    fuentes: _Fuentes,
    lineas: list[list[tuple[str, bool]]],
    caja: _Caja,
    tam: float,
    interlinea: float,
    centrado_vertical: bool = False,
) -> list[str]:
    alto_lineas = len(lineas) * tam * interlinea
    arriba = caja.arriba
    if centrado_vertical:
        arriba -= max(0.0, (caja.alto - alto_lineas) / 2)
    ops = []
    for numero, linea in enumerate(lineas):
        ancho = sum(fuentes.de(n).ancho(t, tam) for t, n in linea)
        x = caja.x + (caja.ancho - ancho) / 2
        # Baseline: half the leading above the ascent, as CSS places it.
        base = arriba - numero * tam * interlinea - tam * (interlinea - 1) / 2
        base -= tam * fuentes.regular.ascenso / 1000
        ops.append(f"1 0 0 1 {x:.2f} {base:.2f} Tm")
        for texto, negrita in linea:
            fuente = fuentes.de(negrita)
            ops.append(
                f"/{'CSB' if negrita else 'CSR'} {tam:.2f} Tf <{fuente.codificar(texto)}> Tj"
            )
    return ops


def _texto_izquierda(fuentes: _Fuentes, lineas: list[str], caja: _Caja, tam: float) -> list[str]:
    ops = []
    for numero, linea in enumerate(lineas):
        base = caja.arriba - numero * tam * INTERLINEA_PIE - tam * (INTERLINEA_PIE - 1) / 2
        base -= tam * fuentes.regular.ascenso / 1000
        ops.append(f"1 0 0 1 {caja.x:.2f} {base:.2f} Tm")
        ops.append(f"/CSR {tam:.2f} Tf <{fuentes.regular.codificar(linea)}> Tj")
    return ops


def _imagen_qr(url: str) -> tuple[bytes, int]:
    """The QR as a 1-bit grey image XObject, one pixel per module."""
    matriz = qr_matriz(url)
    lado = len(matriz)
    filas = bytearray()
    for fila in matriz:
        bits = 0
        cuenta = 0
        for oscuro in fila:
            bits = (bits << 1) | (0 if oscuro else 1)
            cuenta += 1
            if cuenta == 8:
                filas.append(bits)
                bits = cuenta = 0
        if cuenta:
            filas.append(bits << (8 - cuenta))
    z = zlib.compress(bytes(filas))
    cabecera = (
        f"<< /Type /XObject /Subtype /Image /Width {lado} /Height {lado} /ColorSpace /DeviceGray "
        f"/BitsPerComponent 1 /Interpolate false /Filter /FlateDecode /Length {len(z)} >>\n"
    ).encode()
    return cabecera + b"stream\n" + z + b"\nendstream", lado


def _fecha_pdf(momento: datetime.datetime) -> tuple[str, str]:
    utc = momento.astimezone(datetime.UTC)
    return utc.strftime("D:%Y%m%d%H%M%S+00'00'"), utc.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _xmp(meta: dict[str, str], fecha_xmp: str, identificador: str) -> bytes:
    titulo, autor, asunto = (xml_escape(meta[k]) for k in ("titulo", "autor", "asunto"))
    productor = xml_escape(PRODUCTOR)
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        'xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">\n'
        "<pdfaid:part>3</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>\n"
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{titulo}</rdf:li></rdf:Alt></dc:title>\n'
        f"<dc:creator><rdf:Seq><rdf:li>{autor}</rdf:li></rdf:Seq></dc:creator>\n"
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{asunto}</rdf:li></rdf:Alt>'
        "</dc:description>\n"
        f"<pdf:Producer>{productor}</pdf:Producer>\n"
        f"<xmp:CreatorTool>{productor}</xmp:CreatorTool>\n"
        f"<xmp:CreateDate>{fecha_xmp}</xmp:CreateDate><xmp:ModifyDate>{fecha_xmp}</xmp:ModifyDate>\n"
        f"<xmpMM:DocumentID>uuid:{identificador}</xmpMM:DocumentID>\n"
        "</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    ).encode()


def _identificador(datos: dict[str, Any]) -> bytes:
    semilla = f"{datos.get('folio', '')}|{datos.get('url_verificacion', '')}"
    return hashlib.md5(semilla.encode(), usedforsecurity=False).hexdigest().encode()


def _estampar(capa: _Capa, diseno: dict[str, Any], datos: dict[str, Any]) -> bytes | None:
    """One standalone PDF for `datos`, or None if its text needs the WeasyPrint path."""
    fuentes = capa.fuentes
    tramos = tramos_cuerpo(diseno.get("cuerpo", ""), datos)
    lugar = lugar_y_fecha(datos)
    pie = lineas_pie(datos)
    nombre = str(datos.get("nombre", ""))
    todo = nombre + "".join(t for t, _n in tramos) + lugar + "".join(pie)
    if not (fuentes.regular.cubre(todo) and fuentes.negrita.cubre(todo)):
        return None
    cajas = capa.cajas
    ops = ["q", "BT", f"{COLOR_TEXTO} rg"]
    tam, lineas = _ajustar(
        fuentes,
        [(nombre, True)],
        cajas["nombre"].ancho,
        cajas["nombre"].alto,
        TAM_NOMBRE,
        INTERLINEA_NOMBRE,
    )
    ops += _texto(fuentes, lineas, cajas["nombre"], tam, INTERLINEA_NOMBRE, True)
    tam, lineas = _ajustar(
        fuentes,
        tramos,
        cajas["cuerpo"].ancho,
        cajas["cuerpo"].alto,
        TAM_CUERPO,
        INTERLINEA_CUERPO,
    )
    ops += _texto(fuentes, lineas, cajas["cuerpo"], tam, INTERLINEA_CUERPO, True)
    ops += _texto(fuentes, [[(lugar, False)]], cajas["lugar"], 11.0, 1.2)
    ops += _texto_izquierda(
        fuentes, pie, cajas["folio"], tam_pie(fuentes, pie, cajas["folio"].ancho)
    )
    ops.append("ET")
    qr = cajas["qr"]
    ops.append(f"{qr.ancho:.2f} 0 0 {qr.alto:.2f} {qr.x:.2f} {qr.arriba - qr.alto:.2f} cm /CQR Do")
    ops.append("Q")
    estampa = zlib.compress("\n".join(ops).encode("ascii"))

    url = str(datos.get("url_verificacion", ""))
    meta = metadatos(diseno, datos)
    fecha_info, fecha_xmp = _fecha_pdf(_momento(datos))
    identificador = _identificador(datos)
    base = capa.primero_propio
    n_pagina, n_estampa, n_qr = base + _PAGINA, base + _ESTAMPA, base + _QR
    n_meta, n_enlace, n_reverso = base + _METADATOS, base + _ENLACE, base + _REVERSO
    imagen_qr, _lado = _imagen_qr(url)
    xmp = _xmp(meta, fecha_xmp, identificador.decode())
    url_pdf = url.encode("ascii", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(")
    url_pdf = url_pdf.replace(b")", b"\\)")
    hijos = f"{n_pagina} 0 R" + (f" {n_reverso} 0 R" if capa.reverso else "")
    propios: list[tuple[int, bytes]] = [
        (
            _INFO,
            b"<< /Title "
            + _cadena_pdf(meta["titulo"])
            + b" /Author "
            + _cadena_pdf(meta["autor"])
            + b" /Subject "
            + _cadena_pdf(meta["asunto"])
            + b" /Creator "
            + _cadena_pdf(PRODUCTOR)
            + b" /Producer "
            + _cadena_pdf(PRODUCTOR)
            + f" /CreationDate ({fecha_info}) /ModDate ({fecha_info}) >>".encode(),
        ),
        (
            _PAGINAS,
            f"<< /Type /Pages /Kids [{hijos}] /Count {2 if capa.reverso else 1} >>".encode(),
        ),
        (
            _CATALOGO,
            f"<< /Type /Catalog /Pages {_PAGINAS} 0 R /Metadata {n_meta} 0 R /Lang (es-MX) "
            "/ViewerPreferences << /DisplayDocTitle true >> /OutputIntents ".encode()
            + capa.salida_intencion
            + b" >>",
        ),
        (
            n_pagina,
            f"<< /Type /Page /Parent {_PAGINAS} 0 R /MediaBox [0 0 {capa.ancho:.2f} "
            f"{capa.alto:.2f}] /Resources {capa.recursos} 0 R /Contents [{capa.contenido} 0 R "
            f"{n_estampa} 0 R] /Annots [{n_enlace} 0 R] ".encode()
            + capa.grupo
            + b" >>",
        ),
        (
            n_estampa,
            f"<< /Length {len(estampa)} /Filter /FlateDecode >>\nstream\n".encode()
            + estampa
            + b"\nendstream",
        ),
        (n_qr, imagen_qr),
        (
            n_meta,
            f"<< /Type /Metadata /Subtype /XML /Length {len(xmp)} >>\nstream\n".encode()
            + xmp
            + b"\nendstream",
        ),
        (
            n_enlace,
            f"<< /Type /Annot /Subtype /Link /F 4 /Border [0 0 0] /Rect [{qr.x:.2f} "
            f"{qr.arriba - qr.alto:.2f} {qr.x + qr.ancho:.2f} {qr.arriba:.2f}] ".encode()
            + b"/A << /S /URI /URI ("
            + url_pdf
            + b") >> >>",
        ),
    ]
    if capa.reverso:
        propios.append(
            (
                n_reverso,
                f"<< /Type /Page /Parent {_PAGINAS} 0 R /MediaBox [0 0 {capa.ancho:.2f} "
                f"{capa.alto:.2f}] /Resources {capa.recursos_reverso} 0 R "
                f"/Contents {capa.contenido_reverso} 0 R ".encode()
                + capa.grupo
                + b" >>",
            )
        )
    salida = bytearray(CABECERA)
    desplazamientos = {
        numero: len(CABECERA) + d for numero, d in enumerate(capa.desplazamientos, start=1)
    }
    salida += capa.objetos
    for numero, datos_objeto in propios:
        desplazamientos[numero] = len(salida)
        salida += b"%d 0 obj\n" % numero + datos_objeto + b"\nendobj\n"
    total = max(desplazamientos) + 1
    inicio_xref = len(salida)
    salida += b"xref\n0 %d\n0000000000 65535 f \n" % total
    for numero in range(1, total):
        salida += b"%010d 00000 n \n" % desplazamientos[numero]
    salida += (
        f"trailer\n<< /Size {total} /Root {_CATALOGO} 0 R /Info {_INFO} 0 R "
        f"/ID [<{identificador.decode()}> <{identificador.decode()}>] >>\n"
        f"startxref\n{inicio_xref}\n%%EOF\n"
    ).encode()
    return bytes(salida)


def _momento(datos: dict[str, Any]) -> datetime.datetime:
    emitida = datos.get("emitida_en")
    if emitida:
        return datetime.datetime.fromisoformat(emitida)
    fecha = datetime.date.fromisoformat(str(datos.get("fecha_emision"))[:10])
    return datetime.datetime(fecha.year, fecha.month, fecha.day, 12, tzinfo=datetime.UTC)


def renderizar_constancias(diseno: dict[str, Any], lote: Sequence[dict[str, Any]]) -> list[bytes]:
    """One standalone PDF/A-3B file per item of `lote`, in order.

    Raises PlantillaInvalida before producing anything if the design cannot be printed.
    """
    capa = _capa(diseno)
    resultado = []
    for datos in lote:
        pdf = _estampar(capa, diseno, datos)
        if pdf is None:
            pdf = renderizar_constancia_weasyprint(diseno, datos)
        resultado.append(pdf)
    return resultado


def renderizar_constancia(diseno: dict[str, Any], datos: dict[str, Any]) -> bytes:
    """One standalone PDF for one constancia (bulk path, falling back to WeasyPrint)."""
    return renderizar_constancias(diseno, [datos])[0]
