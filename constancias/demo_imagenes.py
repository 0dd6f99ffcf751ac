"""Original demo artwork for the default constancia: two issuer logos, a seal and signatures.

Drawn with Pillow at print resolution so the demo needs no asset files. They are demo
DATA: the template stores them as ordinary Wagtail images that an administrator replaces
with the issuers' real logos, seal and signatures in the admin.
"""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw, ImageFont

from constancias.pdf import FUENTES_DEJAVU

GUINDA = (74, 29, 63, 255)
ORO = (168, 135, 79, 255)
TINTA_SELLO = (74, 29, 63, 215)
TINTA_FIRMA = (24, 32, 96, 255)
# Drawn at 4x and reduced, for smooth edges without an anti-aliasing option in ImageDraw.
SOBREMUESTREO = 4


def _fuente(nombre: str, tam: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FUENTES_DEJAVU / nombre), tam * SOBREMUESTREO)


def _png(imagen: Image.Image) -> bytes:
    reducida = imagen.resize(
        (imagen.width // SOBREMUESTREO, imagen.height // SOBREMUESTREO), Image.Resampling.LANCZOS
    )
    salida = io.BytesIO()
    reducida.save(salida, "PNG", optimize=True)
    return salida.getvalue()


def _ancho_texto(lineas: tuple[str, ...], fuente: ImageFont.FreeTypeFont) -> int:
    """The widest of `lineas` at `fuente`, in final (reduced) pixels."""
    return max(round(fuente.getlength(linea)) for linea in lineas) // SOBREMUESTREO


def _lienzo(ancho: int, alto: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    imagen = Image.new("RGBA", (ancho * SOBREMUESTREO, alto * SOBREMUESTREO), (0, 0, 0, 0))
    return imagen, ImageDraw.Draw(imagen)


def logo_organo(lineas: tuple[str, str]) -> bytes:
    """A guarantor body's mark: a round emblem with an open document and a wordmark."""
    s = SOBREMUESTREO
    fuente = _fuente("DejaVuSerif-Bold.ttf", 58)
    ancho = 330 + _ancho_texto(lineas, fuente)
    imagen, dibujo = _lienzo(ancho, 300)
    cx, cy, r = 150 * s, 150 * s, 130 * s
    dibujo.ellipse([cx - r, cy - r, cx + r, cy + r], fill=GUINDA)
    dibujo.ellipse(
        [cx - r + 14 * s, cy - r + 14 * s, cx + r - 14 * s, cy + r - 14 * s],
        outline=ORO,
        width=5 * s,
    )
    # An open document with lines of text, seen through a lens: published information.
    dibujo.rounded_rectangle(
        [cx - 62 * s, cy - 78 * s, cx + 48 * s, cy + 70 * s],
        radius=10 * s,
        fill=(255, 255, 255, 255),
    )
    for numero in range(5):
        y = cy - 52 * s + numero * 24 * s
        dibujo.line([cx - 44 * s, y, cx + 30 * s, y], fill=GUINDA, width=7 * s)
    lx, ly, lr = cx + 38 * s, cy + 30 * s, 40 * s
    dibujo.ellipse([lx - lr, ly - lr, lx + lr, ly + lr], outline=ORO, width=13 * s)
    dibujo.line([lx + 28 * s, ly + 28 * s, lx + 70 * s, ly + 70 * s], fill=ORO, width=18 * s)
    dibujo.text((310 * s, 70 * s), lineas[0], font=fuente, fill=GUINDA)
    dibujo.text((310 * s, 150 * s), lineas[1], font=fuente, fill=GUINDA)
    dibujo.line([310 * s, 238 * s, (ancho - 20) * s, 238 * s], fill=ORO, width=5 * s)
    return _png(imagen)


def logo_programa(lineas: tuple[str, str]) -> bytes:
    """The training programme's mark: rising steps under an arc, and a wordmark."""
    s = SOBREMUESTREO
    fuente = _fuente("DejaVuSans-Bold.ttf", 52)
    imagen, dibujo = _lienzo(330 + _ancho_texto(lineas, fuente), 300)
    dibujo.rounded_rectangle([20 * s, 20 * s, 280 * s, 280 * s], radius=46 * s, fill=ORO)
    for numero, alto in enumerate((70, 115, 160)):
        x = 62 * s + numero * 62 * s
        dibujo.rectangle([x, (240 - alto) * s, x + 44 * s, 240 * s], fill=(255, 255, 255, 255))
    dibujo.arc([48 * s, 44 * s, 252 * s, 248 * s], start=200, end=340, fill=GUINDA, width=12 * s)
    dibujo.text((310 * s, 72 * s), lineas[0], font=fuente, fill=GUINDA)
    dibujo.text((310 * s, 148 * s), lineas[1], font=fuente, fill=ORO)
    return _png(imagen)


def _texto_en_circulo(
    imagen: Image.Image, texto: str, centro: float, radio: float, fuente: ImageFont.FreeTypeFont
) -> None:
    """Write `texto` clockwise around a circle, evenly spread over the whole turn."""
    paso = 360 / len(texto)
    for numero, letra in enumerate(texto):
        if letra == " ":
            continue
        angulo = -90 + numero * paso
        caja = fuente.getbbox(letra)
        ancho, alto = round(caja[2] - caja[0]) + 8, round(caja[3] - caja[1]) + 8
        glifo = Image.new("RGBA", (ancho, alto), (0, 0, 0, 0))
        ImageDraw.Draw(glifo).text((4 - caja[0], 4 - caja[1]), letra, font=fuente, fill=TINTA_SELLO)
        girado = glifo.rotate(-(angulo + 90), resample=Image.Resampling.BICUBIC, expand=True)
        x = centro + radio * math.cos(math.radians(angulo)) - girado.width / 2
        y = centro + radio * math.sin(math.radians(angulo)) - girado.height / 2
        imagen.alpha_composite(girado, (round(x), round(y)))


def sello(leyenda: str, centro_texto: tuple[str, str]) -> bytes:
    """A round institutional seal: double ring, legend around it, a star and two lines."""
    s = SOBREMUESTREO
    imagen, dibujo = _lienzo(600, 600)
    c = 300 * s
    for radio, grosor in ((288, 9), (268, 3), (186, 3), (176, 7)):
        dibujo.ellipse(
            [c - radio * s, c - radio * s, c + radio * s, c + radio * s],
            outline=TINTA_SELLO,
            width=grosor * s,
        )
    # Capitals are about 0.72 em wide: a longer legend gets a smaller size to fit the turn.
    tam = min(40, int(2 * math.pi * 228 / len(leyenda) / 0.72))
    _texto_en_circulo(imagen, leyenda, c, 228 * s, _fuente("DejaVuSans-Bold.ttf", tam))
    puntas = []
    for numero in range(10):
        radio = (62 if numero % 2 == 0 else 26) * s
        angulo = math.radians(-90 + numero * 36)
        puntas.append((c + radio * math.cos(angulo), c - 58 * s + radio * math.sin(angulo)))
    dibujo.polygon(puntas, fill=TINTA_SELLO)
    fuente = _fuente("DejaVuSerif-Bold.ttf", 38)
    for numero, linea in enumerate(centro_texto):
        caja = dibujo.textbbox((0, 0), linea, font=fuente)
        ancho = caja[2] - caja[0]
        dibujo.text(
            (c - ancho / 2, c + (30 + numero * 52) * s), linea, font=fuente, fill=TINTA_SELLO
        )
    return _png(imagen)


def firma(semilla: int) -> bytes:
    """A handwritten-looking flourish (a looped stroke and a swash), different per `semilla`."""
    s = SOBREMUESTREO
    imagen, dibujo = _lienzo(600, 200)
    vueltas = 5 + semilla % 3
    puntos = []
    for paso in range(0, 721):
        t = paso / 720 * vueltas * 2 * math.pi
        envolvente = 0.55 + 0.45 * math.sin(paso / 720 * math.pi)
        x = 50 + paso / 720 * 430 - (22 + 4 * semilla) * math.sin(t)
        y = 100 - 48 * envolvente * math.cos(t + semilla)
        puntos.append((x * s, y * s))
    dibujo.line(puntos, fill=TINTA_FIRMA, width=5 * s, joint="curve")
    dibujo.arc(
        [30 * s, 120 * s, 590 * s, 190 * s], start=190, end=350, fill=TINTA_FIRMA, width=4 * s
    )
    return _png(imagen)
