"""Benchmark of bulk constancia issuance: the chosen design against the alternatives."""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import multiprocessing
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection, connections, transaction
from django.template.loader import render_to_string
from django.test.utils import override_settings
from django.utils import timezone

from constancias import firma, pdf, services
from constancias.models import (
    Alcance,
    Constancia,
    EmisorPlantilla,
    FirmantePlantilla,
    LogotipoPlantilla,
    PlantillaConstancia,
    ReglaConstancia,
    SerieFolio,
    Tipo,
)
from constancias.muestras import CONTENIDOS_MUESTRA, nombres_sinteticos

# Worker state set up once per process (signing key, storage).
_ESTADO: dict[str, Any] = {}


def _preparar_trabajador(destino: str, cert: str, llave: str) -> None:
    logging.disable(logging.INFO)
    _ESTADO["almacen"] = FileSystemStorage(location=destino)
    _ESTADO["cert"], _ESTADO["llave"] = cert, llave


def _guardar(pdfs: Sequence[bytes], lote: Sequence[dict[str, Any]], carpeta: str) -> list[tuple]:
    almacen = _ESTADO["almacen"]
    filas = []
    for contenido, datos in zip(pdfs, lote, strict=True):
        resumen = hashlib.sha256(contenido).hexdigest()
        nombre = almacen.save(f"{carpeta}/{datos['folio']}.pdf", ContentFile(contenido))
        filas.append((datos["folio"], nombre, resumen, len(contenido)))
    return filas


def _capa_personal(args: tuple) -> list[tuple]:
    diseno, lote = args
    return _guardar(pdf.renderizar_constancias(diseno, lote), lote, "capa_personal")


def _simple(args: tuple) -> list[tuple]:
    diseno, lote = args
    pdfs = [pdf.renderizar_constancia_weasyprint(diseno, datos) for datos in lote]
    return _guardar(pdfs, lote, "simple")


def lote_dividido(diseno: dict[str, Any], lote: Sequence[dict[str, Any]]) -> list[bytes]:
    """An alternative bulk design, measured for comparison only: one WeasyPrint document,
    split. Lays out every constancia of `lote` in one document (fonts subset once), then
    copies each constancia's pages into its own file with pypdf. Production never uses it:
    drawing the personal layer over the shared page is faster."""
    from pypdf import PdfReader, PdfWriter
    from weasyprint import HTML

    pdf.verificar_diseno(diseno)
    paginas_por_constancia = 2 if diseno.get("reverso") else 1
    html = []
    for datos in lote:
        pagina = render_to_string(
            "constancias/pdf/constancia.html", pdf.contexto_html(diseno, datos)
        )
        html.append(pagina.split("<body>", 1)[1].rsplit("</body>", 1)[0])
    plantilla = render_to_string("constancias/pdf/constancia.html", pdf.contexto_html(diseno, None))
    cabeza = plantilla.split("<body>", 1)[0]
    completo = HTML(string=cabeza + "<body>" + "".join(html) + "</body></html>").write_pdf()
    lector = PdfReader(io.BytesIO(completo))
    resultado = []
    for indice, datos in enumerate(lote):
        escritor = PdfWriter()
        for numero in range(paginas_por_constancia):
            escritor.add_page(lector.pages[indice * paginas_por_constancia + numero])
        meta = pdf.metadatos(diseno, datos)
        escritor.add_metadata(
            {"/Title": meta["titulo"], "/Author": meta["autor"], "/Subject": meta["asunto"]}
        )
        salida = io.BytesIO()
        escritor.write(salida)
        resultado.append(salida.getvalue())
    return resultado


def _lote_dividido(args: tuple) -> list[tuple]:
    diseno, lote = args
    return _guardar(lote_dividido(diseno, lote), lote, "dividido")


def _firmado(args: tuple) -> list[tuple]:
    diseno, lote = args
    firmante = firma.cargar_firmante(cert=_ESTADO["cert"], llave=_ESTADO["llave"])
    pdfs = [
        firma.firmar_pdf(contenido, firmante=firmante)
        for contenido in pdf.renderizar_constancias(diseno, lote)
    ]
    return _guardar(pdfs, lote, "firmado")


_DISENOS: dict[str, Callable[[tuple], list[tuple]]] = {
    "capa_personal": _capa_personal,
    "simple": _simple,
    "dividido": _lote_dividido,
    "firmado": _firmado,
}


def _ejecutar(args: tuple) -> tuple[list[tuple], float]:
    """Run one chunk of one design; also return the CPU seconds this process spent."""
    nombre, diseno, lote = args
    cpu = time.process_time()
    filas = _DISENOS[nombre]((diseno, lote))
    return filas, time.process_time() - cpu


def _trozos(datos: Sequence[dict[str, Any]], tamano: int) -> list[list[dict[str, Any]]]:
    return [list(datos[i : i + tamano]) for i in range(0, len(datos), tamano)]


class Command(BaseCommand):
    help = (
        "Mide la emisión masiva de constancias (render, almacenamiento y SHA-256) con el "
        "diseño elegido, el camino simple de WeasyPrint, el lote dividido y la variante firmada."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--cantidad", type=int, default=10_000)
        parser.add_argument("--muestra-simple", type=int, default=50)
        parser.add_argument("--muestra-dividido", type=int, default=200)
        parser.add_argument("--muestra-firmada", type=int, default=1000)
        parser.add_argument(
            "--muestra-en-fila",
            type=int,
            default=2000,
            help="Constancias emitidas con el diseño anterior (candado durante el render), "
            "sin firma y firmadas, para comparar en la misma ejecución (0: no se mide).",
        )
        parser.add_argument("--procesos", type=int, default=os.cpu_count() or 2)
        parser.add_argument("--tamano-lote", type=int, default=250)
        parser.add_argument(
            "--sin-imagenes",
            action="store_true",
            help="Diseño solo de texto: sin fondo, logotipos ni imágenes de firma.",
        )
        parser.add_argument(
            "--destino", help="Carpeta para los PDF (por omisión, una temporal que se borra)."
        )

    def handle(self, *args: Any, **opciones: Any) -> None:
        logging.getLogger("fontTools").setLevel(logging.WARNING)
        # The split-batch design repeats element ids on purpose; WeasyPrint warns each time.
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        cantidad = opciones["cantidad"]
        procesos = opciones["procesos"]
        if cantidad < 1 or procesos < 1:
            raise CommandError("La cantidad y los procesos deben ser positivos.")
        temporal = tempfile.mkdtemp(prefix="bench-constancias-")
        destino = opciones["destino"] or os.path.join(temporal, "pdf")
        try:
            self._medir(opciones, cantidad, procesos, Path(temporal), destino)
        finally:
            shutil.rmtree(temporal, ignore_errors=True)

    def _medir(
        self, opciones: dict, cantidad: int, procesos: int, temporal: Path, destino: str
    ) -> None:
        diseno = _diseno_de_prueba(temporal)
        if opciones["sin_imagenes"]:
            diseno["fondo"], diseno["logos"] = None, []
            diseno["firmantes"] = [dict(f, firma=None) for f in diseno["firmantes"]]
        cert, llave = _certificado_de_prueba(temporal)
        muestra_firmada = opciones["muestra_firmada"]
        muestra_max = max(opciones["muestra_simple"], opciones["muestra_dividido"])

        # Issued PDFs go to the private storage: point it (on local disk) at `destino` too.
        almacenes = {
            **settings.STORAGES,
            "privado": {
                "BACKEND": "lms.archivos.AlmacenPrivadoLocal",
                "OPTIONS": {"location": destino},
            },
        }
        with override_settings(MEDIA_ROOT=destino, STORAGES=almacenes):
            escenario = _crear_escenario(diseno, cantidad, muestra_firmada)
            try:
                medidas, filas = self._correr(
                    escenario,
                    opciones,
                    cantidad,
                    procesos,
                    destino,
                    cert,
                    llave,
                    diseno,
                    _personas([f"CMP-2026-{n:06d}" for n in range(1, muestra_max + 1)]),
                )
            finally:
                _borrar_escenario(escenario)
        self._informar(medidas, filas, procesos, opciones)

    def _correr(
        self,
        escenario: dict[str, Any],
        opciones: dict,
        cantidad: int,
        procesos: int,
        destino: str,
        cert: str,
        llave: str,
        diseno: dict[str, Any],
        comparacion: list[dict[str, Any]],
    ) -> tuple[dict[str, tuple], list[tuple]]:
        contexto = multiprocessing.get_context("fork")

        def pool() -> Any:
            if procesos == 1:  # in this process: also works inside a test's transaction
                _preparar_trabajador(destino, cert, llave)
                return _EnProceso()
            # Forked workers must not share the parent's database connection.
            connections.close_all()
            return contexto.Pool(
                procesos, initializer=_preparar_trabajador, initargs=(destino, cert, llave)
            )

        bloqueos = [0]

        def emitir(
            regla_id: int, ids: list[int], tamano: int, en_fila: bool = False
        ) -> tuple[float, float, list]:
            t0 = time.perf_counter()
            filas: list[tuple] = []
            cpu = 0.0
            with pool() as trabajadores:
                trabajos = [
                    (regla_id, ids[i : i + tamano], en_fila) for i in range(0, len(ids), tamano)
                ]
                for parte, segundos_cpu, esperas in trabajadores.imap_unordered(
                    _emitir_trozo, trabajos
                ):
                    filas += parte
                    cpu += segundos_cpu
                    bloqueos[0] += esperas
            return time.perf_counter() - t0, cpu, filas

        def correr(nombre: str, lote: list, tamano: int) -> tuple[float, float, list[tuple]]:
            t0 = time.perf_counter()
            filas: list[tuple] = []
            cpu = 0.0
            with pool() as trabajadores:
                trabajos = [(nombre, diseno, trozo) for trozo in _trozos(lote, tamano)]
                for parte, segundos_cpu in trabajadores.imap_unordered(_ejecutar, trabajos):
                    filas += parte
                    cpu += segundos_cpu
            return time.perf_counter() - t0, cpu, filas

        ids = escenario["inscripciones"]
        elegido = emitir(escenario["regla"], ids[:cantidad], opciones["tamano_lote"])
        _comprobar(elegido[2], destino, cantidad)
        if Constancia.objects.filter(regla_id=escenario["regla"]).count() != cantidad:
            raise CommandError("El número de filas Constancia no coincide.")
        # A second run issues nothing: every constancia already exists.
        if emitir(escenario["regla"], ids[:cantidad], opciones["tamano_lote"])[2]:
            raise CommandError("La segunda emisión duplicó constancias.")
        en_fila = min(opciones["muestra_en_fila"], cantidad)
        medidas = {"elegido": elegido}
        if en_fila:
            medidas["en_fila"] = emitir(
                escenario["regla_en_fila"], ids[:en_fila], opciones["tamano_lote"], en_fila=True
            )
            _comprobar(medidas["en_fila"][2], destino, en_fila)
        with override_settings(CONSTANCIAS_FIRMA_CERT=cert, CONSTANCIAS_FIRMA_KEY=llave):
            medidas["firmado"] = emitir(
                escenario["regla_firmada"], ids[: opciones["muestra_firmada"]], 50
            )
            en_fila_firmadas = min(en_fila, opciones["muestra_firmada"])
            if en_fila_firmadas:
                # The previous design also signed through pyHanko's own CMS builder.
                firma.PLANTILLA_CMS = False
                try:
                    medidas["firmado_en_fila"] = emitir(
                        escenario["regla_firmada_en_fila"],
                        ids[:en_fila_firmadas],
                        50,
                        en_fila=True,
                    )
                finally:
                    firma.PLANTILLA_CMS = True
        firmadas = Constancia.objects.filter(
            regla_id__in=[escenario["regla_firmada"], escenario["regla_firmada_en_fila"]]
        )
        if firmadas.filter(firmada=False).exists():
            raise CommandError("Hay constancias sin firmar en la variante firmada.")
        if bloqueos[0]:
            self.stdout.write(
                f"Antes (en fila): {bloqueos[0]} transacciones esperaron el candado de la base "
                "más que su tiempo límite y se reintentaron."
            )
        medidas["simple"] = correr("simple", comparacion[: opciones["muestra_simple"]], 5)
        medidas["dividido"] = correr("dividido", comparacion[: opciones["muestra_dividido"]], 50)
        return medidas, elegido[2]

    def _informar(
        self, medidas: dict[str, tuple], filas: list[tuple], procesos: int, opciones: dict
    ) -> None:
        # Other work on a shared machine slows the wall clock; CPU seconds per document
        # give the rate the same code reaches on `procesos` dedicated cores.
        tasas = {k: len(f) / s for k, (s, _c, f) in medidas.items()}
        tasas_cpu = {k: len(f) / c * procesos for k, (_s, c, f) in medidas.items()}
        tamano_medio = sum(f[3] for f in filas) / len(filas)
        etiquetas = {
            "elegido": "Emisión de punta a punta (emitir_constancias: folios, capa común + "
            "capa personal, archivo, SHA-256, filas Constancia)",
            "en_fila": "Antes: misma emisión con el candado de la serie durante el render "
            "(transacciones de 100)",
            "simple": "Camino simple (WeasyPrint por constancia, solo render y archivo)",
            "dividido": "Lote de WeasyPrint dividido con pypdf (solo render y archivo)",
            "firmado": "Emisión de punta a punta firmada (PAdES, RSA 2048)",
            "firmado_en_fila": "Antes: firmada con el candado durante el render y el CMS de "
            "pyHanko (transacciones de 10)",
        }
        etiquetas = {k: v for k, v in etiquetas.items() if k in medidas}
        modelo = _modelo_cpu()
        lineas = [
            f"Máquina: {modelo}, {os.cpu_count()} núcleos; procesos: {procesos}; "
            f"Python {platform.python_version()}; base de datos: {connection.vendor}; "
            f"carga media al terminar: {os.getloadavg()[0]:.1f}",
            "Diseño: "
            + ("solo texto" if opciones["sin_imagenes"] else "con fondo, 2 logotipos y 3 firmas"),
        ]
        for clave, etiqueta in etiquetas.items():
            segundos, _cpu, filas_diseno = medidas[clave]
            lineas.append(
                f"{etiqueta}: {len(filas_diseno)} en {segundos:.1f} s = {tasas[clave]:.1f} "
                f"constancias/s (con {procesos} núcleos dedicados, por tiempo de CPU: "
                f"{tasas_cpu[clave]:.1f}/s)"
            )
        lineas += [
            f"Tamaño medio del PDF elegido: {tamano_medio / 1024:.0f} KiB",
            f"Aceleración frente al camino simple: {tasas['elegido'] / tasas['simple']:.1f}x "
            f"(por tiempo de CPU: {tasas_cpu['elegido'] / tasas_cpu['simple']:.1f}x)",
        ]
        for despues, antes in (("elegido", "en_fila"), ("firmado", "firmado_en_fila")):
            if antes in medidas:
                lineas.append(
                    f"Después/antes ({etiquetas[despues].split(' (')[0].lower()}): "
                    f"{tasas[despues] / tasas[antes]:.2f}x por reloj "
                    f"(por tiempo de CPU: {tasas_cpu[despues] / tasas_cpu[antes]:.2f}x)"
                )
        for linea in lineas:
            self.stdout.write(linea)


def _emitir_en_fila(regla: ReglaConstancia, ids: list[int]) -> list[Constancia]:
    """The previous design, for comparison: the series stays locked while a batch renders.

    The same service inside one transaction per batch that locks the series row first
    (on SQLite, BEGIN IMMEDIATE takes the database write lock), with the previous batch
    sizes: 100 constancias, or 10 when signing.
    """
    serie = services.obtener_serie(
        prefijo=regla.plantilla.prefijo_folio, anio=timezone.localdate().year
    )
    paso = 10 if firma.firma_configurada() else 100
    emitidas: list[Constancia] = []
    for inicio in range(0, len(ids), paso):
        for _intento in range(30):
            try:
                with transaction.atomic():
                    SerieFolio.objects.select_for_update().filter(pk=serie.pk).first()
                    emitidas += services.emitir_constancias(
                        regla=regla, inscripcion_ids=ids[inicio : inicio + paso], notificar=False
                    ).emitidas
                break
            except OperationalError:
                # SQLite: the other process kept the write lock past the busy timeout (it
                # commits and begins again before the waiter wakes up). Counted and retried.
                _ESTADO["bloqueos"] = _ESTADO.get("bloqueos", 0) + 1
        else:
            raise CommandError("La emisión en fila no obtuvo el candado de la base.")
    return emitidas


def _emitir_trozo(args: tuple) -> tuple[list[tuple], float, int]:
    """Issue one chunk through the real service in a worker process."""
    regla_id, ids, en_fila = args
    cpu = time.process_time()
    regla = ReglaConstancia.objects.select_related(
        "plantilla", "edicion", "edicion__curso", "fase"
    ).get(pk=regla_id)
    if en_fila:
        emitidas = _emitir_en_fila(regla, ids)
    else:
        emitidas = services.emitir_constancias(
            regla=regla, inscripcion_ids=ids, notificar=False
        ).emitidas
    almacen = _ESTADO["almacen"]
    filas = [(c.folio, c.pdf.name, c.sha256, almacen.size(c.pdf.name)) for c in emitidas]
    if _ESTADO.get("en_proceso") is None:
        connections.close_all()
    return filas, time.process_time() - cpu, _ESTADO.pop("bloqueos", 0)


class _EnProceso:
    """Stand-in for a one-process pool that runs the work here, without forking."""

    def __enter__(self) -> _EnProceso:
        _ESTADO["en_proceso"] = True
        return self

    def __exit__(self, *args: Any) -> None:
        _ESTADO.pop("en_proceso", None)
        # `_preparar_trabajador` silenced INFO logging for a worker process; this is ours.
        logging.disable(logging.NOTSET)

    def imap_unordered(self, funcion: Callable, trabajos: Sequence) -> Any:
        return map(funcion, trabajos)


def _imagen(ruta: str, titulo: str) -> Any:
    from django.core.files.images import ImageFile

    from wagtail.images import get_image_model

    if not ruta:
        return None
    archivo = Path(ruta.removeprefix("file://"))
    with archivo.open("rb") as datos:
        imagen = get_image_model()(title=titulo, file=ImageFile(datos, name=archivo.name))
        imagen.save()
    return imagen


@transaction.atomic
def _crear_escenario(diseno: dict[str, Any], cantidad: int, firmadas: int) -> dict[str, Any]:
    """A real template, course, edition, people and enrolments for the run (removed after)."""
    from cursos.models import CursoPage, Edicion, FasePage, HomePage, Inscripcion, ProgramaPage
    from lms.models import Usuario

    marca = f"bench{int(time.time())}"
    plantilla = PlantillaConstancia(
        nombre=f"Benchmark {marca}",
        prefijo_folio="BENCH",
        fondo=_imagen(diseno["fondo"], "Fondo benchmark"),
    )
    for posicion, logo in enumerate(diseno["logos"]):
        plantilla.logotipos.add(
            LogotipoPlantilla(imagen=_imagen(logo, f"Logo {posicion}"), sort_order=posicion)
        )
    for posicion, nombre in enumerate(diseno["emisores"]):
        plantilla.emisores.add(EmisorPlantilla(nombre=nombre, sort_order=posicion))
    for posicion, firmante in enumerate(diseno["firmantes"]):
        plantilla.firmantes.add(
            FirmantePlantilla(
                nombre=firmante["nombre"],
                cargo=firmante["cargo"],
                firma=_imagen(firmante["firma"] or "", "Firma"),
                sort_order=posicion,
            )
        )
    plantilla.save()
    plantilla.save_revision().publish()
    inicio = HomePage.objects.first()
    programa = inicio.add_child(instance=ProgramaPage(title=f"Programa {marca}", slug=marca))
    curso = programa.add_child(
        instance=CursoPage(title="Transparencia Proactiva en los Sujetos Obligados", slug="curso")
    )
    fase = curso.add_child(instance=FasePage(title="fase teórica", slug="fase", horas=20))
    ahora = timezone.now()
    edicion = Edicion.objects.create(
        curso=curso,
        nombre=marca,
        inscripcion_abre=ahora - datetime.timedelta(days=300),
        inscripcion_cierra=ahora - datetime.timedelta(days=1),
        fecha_inicio=datetime.date(2026, 3, 3),
        fecha_fin=datetime.date(2026, 11, 20),
    )
    nombres = nombres_sinteticos(cantidad)
    usuarios = Usuario.objects.bulk_create(
        [
            Usuario(email=f"{marca}-{n}@bench.invalid", first_name=nombre, password="!")  # noqa: S106 - unusable
            for n, nombre in enumerate(nombres)
        ],
        batch_size=1000,
    )
    inscripciones = Inscripcion.objects.bulk_create(
        [Inscripcion(edicion=edicion, usuario=u) for u in usuarios], batch_size=1000
    )
    reglas = {
        tipo: ReglaConstancia.objects.create(
            edicion=edicion, tipo=tipo, plantilla=plantilla, automatica=False
        )
        for tipo in (Tipo.ACREDITACION, Tipo.PARTICIPACION)
    }
    # Per-phase rules: other constancias of the same people, for the previous design.
    por_fase = {
        tipo: ReglaConstancia.objects.create(
            edicion=edicion,
            tipo=tipo,
            alcance=Alcance.FASE,
            fase=fase,
            plantilla=plantilla,
            automatica=False,
        )
        for tipo in (Tipo.ACREDITACION, Tipo.PARTICIPACION)
    }
    return {
        "marca": marca,
        "plantilla": plantilla.pk,
        "programa": programa.pk,
        "edicion": edicion.pk,
        "regla": reglas[Tipo.ACREDITACION].pk,
        "regla_firmada": reglas[Tipo.PARTICIPACION].pk,
        "regla_en_fila": por_fase[Tipo.ACREDITACION].pk,
        "regla_firmada_en_fila": por_fase[Tipo.PARTICIPACION].pk,
        "inscripciones": [i.pk for i in inscripciones],
        "firmadas": firmadas,
    }


@transaction.atomic
def _borrar_escenario(escenario: dict[str, Any]) -> None:
    from wagtail.models import Page

    from cursos.models import Edicion, Inscripcion
    from lms.models import Usuario

    Constancia.objects.filter(edicion_id=escenario["edicion"]).delete()
    ReglaConstancia.objects.filter(edicion_id=escenario["edicion"]).delete()
    Inscripcion.objects.filter(edicion_id=escenario["edicion"]).delete()
    Usuario.objects.filter(email__startswith=f"{escenario['marca']}-").delete()
    Edicion.objects.filter(pk=escenario["edicion"]).delete()
    Page.objects.get(pk=escenario["programa"]).delete()
    plantilla = PlantillaConstancia.objects.get(pk=escenario["plantilla"])
    imagenes = [plantilla.fondo_id, *plantilla.logotipos.values_list("imagen_id", flat=True)]
    imagenes += list(plantilla.firmantes.values_list("firma_id", flat=True))
    plantilla.revisions.all().delete()
    plantilla.delete()
    from wagtail.images import get_image_model

    get_image_model().objects.filter(pk__in=[i for i in imagenes if i]).delete()
    SerieFolio.objects.filter(prefijo="BENCH").delete()


def _personas(folios: list[str]) -> list[dict[str, Any]]:
    nombres = nombres_sinteticos(len(folios))
    personas = []
    for folio, nombre in zip(folios, nombres, strict=True):
        codigo = services.generar_codigo_verificacion()
        personas.append(
            {
                "nombre": nombre,
                "curso": "Transparencia Proactiva en los Sujetos Obligados",
                "fase": "fase teórica",
                "horas": 20,
                "fecha_inicio": "2026-03-03",
                "fecha_fin": "2026-11-20",
                "modalidad": "virtual",
                "lugar_emision": "Ciudad de México",
                "fecha_emision": "2026-11-27",
                "folio": folio,
                "url_verificacion": services.url_verificacion(codigo),
            }
        )
    return personas


def _comprobar(filas: list[tuple], destino: str, cantidad: int) -> None:
    """Fail loudly if any file is missing, duplicated or differs from its recorded hash."""
    if len(filas) != cantidad or len({f[0] for f in filas}) != cantidad:
        raise CommandError("Faltan constancias o hay folios repetidos.")
    for folio, nombre, resumen, _tamano in filas[:: max(1, cantidad // 50)]:
        contenido = Path(destino, nombre).read_bytes()
        if hashlib.sha256(contenido).hexdigest() != resumen:
            raise CommandError(f"El SHA-256 de {folio} no coincide.")


def _modelo_cpu() -> str:
    try:
        for linea in Path("/proc/cpuinfo").read_text().splitlines():
            if linea.startswith("model name"):
                return linea.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "desconocido"


def _diseno_de_prueba(carpeta: Path) -> dict[str, Any]:
    """A realistic design: background, two logos, three signatures, two issuers."""
    from PIL import Image, ImageDraw

    fondo = Image.new("RGB", (1650, 1275), (255, 253, 247))
    dibujo = ImageDraw.Draw(fondo)
    for margen, color in ((30, (120, 40, 90)), (45, (200, 170, 120))):
        dibujo.rectangle([margen, margen, 1650 - margen, 1275 - margen], outline=color, width=6)
    fondo.save(carpeta / "fondo.jpg", quality=85)
    rutas_logos = []
    for numero, relleno in enumerate(((120, 40, 90, 255), (20, 90, 140, 255))):
        logo = Image.new("RGBA", (400, 200), (0, 0, 0, 0))
        ImageDraw.Draw(logo).ellipse([20, 20, 380, 180], fill=relleno)
        ruta = carpeta / f"logo{numero}.png"
        logo.save(ruta)
        rutas_logos.append(ruta.as_uri())
    firma_img = Image.new("RGBA", (500, 160), (0, 0, 0, 0))
    ImageDraw.Draw(firma_img).line(
        [(20, 120), (120, 30), (200, 130), (300, 40), (480, 110)], fill=(20, 20, 80, 255), width=6
    )
    firma_img.save(carpeta / "firma.png")
    firma_uri = (carpeta / "firma.png").as_uri()
    return {
        "tamano": "letter",
        "orientacion": "landscape",
        "fondo": (carpeta / "fondo.jpg").as_uri(),
        "logos": rutas_logos,
        "emisores": [
            "Instituto Nacional de Transparencia, Acceso a la Información y Protección de "
            "Datos Personales",
            "Sistema Nacional de Transparencia",
        ],
        "titulo": "Constancia",
        "texto_previo": "otorga la presente constancia a",
        "cuerpo": (
            "por haber acreditado la {fase} del curso {curso}, con una duración de {horas} "
            "horas, impartido {periodo} en modalidad {modalidad}."
        ),
        "firmantes": [
            {
                "nombre": "Mtra. Ana Peña Ibáñez",
                "cargo": "Comisionada Presidenta",
                "firma": firma_uri,
            },
            {"nombre": "Lic. José Núñez", "cargo": "Secretario Ejecutivo", "firma": firma_uri},
            {"nombre": "Dra. Inés Muñoz", "cargo": "Coordinadora Académica", "firma": firma_uri},
        ],
        "reverso": False,
        "reverso_titulo": "Contenidos estudiados",
        "contenidos": CONTENIDOS_MUESTRA,
    }


def _certificado_de_prueba(carpeta: Path) -> tuple[str, str]:
    """The configured signing files, or a throwaway self-signed RSA 2048 pair."""
    if firma.firma_configurada():
        return str(settings.CONSTANCIAS_FIRMA_CERT), str(settings.CONSTANCIAS_FIRMA_KEY)
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    llave = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    nombre = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Benchmark de constancias")])
    ahora = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(nombre)
        .issuer_name(nombre)
        .public_key(llave.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(ahora - datetime.timedelta(days=1))
        .not_valid_after(ahora + datetime.timedelta(days=1))
        .sign(llave, hashes.SHA256())
    )
    ruta_cert, ruta_llave = carpeta / "cert.pem", carpeta / "llave.pem"
    ruta_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    ruta_llave.write_bytes(
        llave.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(ruta_cert), str(ruta_llave)
