"""The HTTP side of a load run: aiohttp over loopback only.

Phase 1: every participant starts the attempt and saves each answer, browsing the
catalogue, the course, a lesson and Mis cursos between saves. Phase 2: everyone submits
inside a window, 10 % of them twice at once. Anonymous visitors verify constancias by
folio and code (valid and invalid ones) throughout; each comes from its own loopback
address (127.0.0.2-127.0.0.250) because the verification page limits requests per IP.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from constancias.carga.escenario import Escenario
from lms.carga.medicion import Medicion
from lms.carga.sesiones import Participante

HOSTS_LOCALES = {"127.0.0.1", "localhost", "::1"}
VISITANTES_A_LA_VEZ = 4
PAUSA_VISITANTE = 0.5  # seconds between one anonymous visitor's verifications
TIPOS = (
    "inicio de intento",
    "guardado de respuesta",
    "envío",
    "doble envío",
    "catálogo",
    "curso",
    "lección",
    "mis cursos",
    "verificación válida",
    "verificación inválida",
)


def exigir_local(url: str) -> str:
    """The URL, if it points at this machine's loopback interface; ValueError otherwise."""
    partes = urllib.parse.urlsplit(url)
    if partes.scheme != "http" or partes.hostname not in HOSTS_LOCALES:
        raise ValueError(url)
    return url.rstrip("/")


@dataclass
class Resultado:
    mediciones: dict[str, Medicion] = field(default_factory=lambda: {t: Medicion() for t in TIPOS})
    segundos: float = 0.0
    interrumpida: bool = False


@dataclass
class Opciones:
    concurrencia: int = 50
    ventana: float = 10.0
    verificaciones: int = 100
    semilla: int = 7
    origenes_propios: bool = True  # one loopback source address per anonymous visitor
    esquema: str = "https"  # what the server believes the scheme is (CSRF Origin check)


async def ejecutar_carga(url: str, escenario: Escenario, opciones: Opciones) -> Resultado:
    import aiohttp

    url = exigir_local(url)
    host = urllib.parse.urlsplit(url).netloc
    resultado = Resultado()
    m = resultado.mediciones
    limite = asyncio.Semaphore(opciones.concurrencia)
    azar = random.Random(opciones.semilla)  # noqa: S311 - load shape, not security
    tiempo = aiohttp.ClientTimeout(total=120)
    # Behind the proxy TLS ends before gunicorn; production settings trust this header.
    base = {"X-Forwarded-Proto": opciones.esquema}

    def cabeceras(p: Participante) -> dict[str, str]:
        return {
            **base,
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={p.sesion}; "
            f"{settings.CSRF_COOKIE_NAME}={p.csrf}",
            "X-CSRFToken": p.csrf,
            "Origin": f"{opciones.esquema}://{host}",
            "Referer": f"{opciones.esquema}://{host}/",
        }

    async def pedir(
        cliente: Any,
        tipo: str,
        metodo: str,
        ruta: str,
        esperado: tuple[int, ...],
        encabezados: dict[str, str],
        datos: Any = None,
    ) -> tuple[int, str] | None:
        t0 = time.perf_counter()
        try:
            async with cliente.request(
                metodo, url + ruta, data=datos, headers=encabezados, allow_redirects=False
            ) as r:
                await r.read()
                estado, ubicacion = r.status, r.headers.get("Location", "")
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            m[tipo].registrar(t0, time.perf_counter(), type(error).__name__)
            return None
        fin = time.perf_counter()
        m[tipo].registrar(t0, fin, None if estado in esperado else f"HTTP {estado}")
        return (estado, ubicacion) if estado in esperado else None

    conector = aiohttp.TCPConnector(limit=opciones.concurrencia + 10)
    # Each request carries its participant's cookies; a shared jar would mix them up.
    sin_frasco = aiohttp.DummyCookieJar()
    async with aiohttp.ClientSession(
        connector=conector, timeout=tiempo, cookie_jar=sin_frasco
    ) as cliente:
        paginas = list(escenario.paginas.items())

        async def estudiar(p: Participante) -> None:
            async with limite:
                h = cabeceras(p)
                salida = await pedir(
                    cliente,
                    "inicio de intento",
                    "POST",
                    f"/evaluaciones/{escenario.evaluacion_id}/iniciar/",
                    (302,),
                    h,
                    {},
                )
                if salida is None or "/intentos/" not in salida[1]:
                    return
                p.intento_id = int(salida[1].rstrip("/").split("/")[-1])
                for n, (pregunta_id, correcta) in enumerate(escenario.correctas.items()):
                    opcion = correcta if azar.random() < 0.8 else escenario.incorrectas[pregunta_id]
                    clave = f"p{pregunta_id}"
                    guardado = await pedir(
                        cliente,
                        "guardado de respuesta",
                        "POST",
                        f"/evaluaciones/intentos/{p.intento_id}/guardar/",
                        (200,),
                        h,
                        {"pregunta": clave, f"p-{clave}": str(opcion)},
                    )
                    if guardado is not None:
                        p.respuestas[clave] = str(opcion)
                    if n < len(paginas):
                        tipo, ruta = paginas[n]
                        await pedir(cliente, tipo, "GET", ruta, (200,), h)

        async def enviar(p: Participante, retraso: float, tipo: str) -> None:
            await asyncio.sleep(retraso)
            async with limite:
                datos = {"accion": "enviar"}
                for clave, opcion in p.respuestas.items():
                    datos[f"p-{clave}"] = opcion
                    datos[f"v-{clave}"] = "1"
                salida = await pedir(
                    cliente,
                    tipo,
                    "POST",
                    f"/evaluaciones/intentos/{p.intento_id}/enviar/",
                    (302,),
                    cabeceras(p),
                    datos,
                )
                if salida is not None and "/resultado/" not in salida[1]:
                    m[tipo].errores["redirección inesperada"] = (
                        m[tipo].errores.get("redirección inesperada", 0) + 1
                    )

        async def verificar(n: int) -> None:
            valida = bool(escenario.verificables) and n % 10 < 7
            if valida:
                folio, codigo = escenario.verificables[n % len(escenario.verificables)]
                tipo, esperado = "verificación válida", (200,)
            else:
                folio, codigo = f"CARGA-2026-{900000 + n:06d}", secrets.token_urlsafe(16)
                tipo, esperado = "verificación inválida", (404,)
            consulta = urllib.parse.urlencode({"folio": folio, "codigo": codigo})
            ruta = f"/constancias/verificar/?{consulta}"
            async with limite:
                if not opciones.origenes_propios:
                    await pedir(cliente, tipo, "GET", ruta, esperado, base)
                    return
                local = (f"127.0.0.{2 + n % 249}", 0)
                visitante = aiohttp.TCPConnector(limit=1, local_addr=local, force_close=True)
                async with aiohttp.ClientSession(
                    connector=visitante, timeout=tiempo, cookie_jar=aiohttp.DummyCookieJar()
                ) as anonimo:
                    await pedir(anonimo, tipo, "GET", ruta, esperado, base)

        terminado = asyncio.Event()
        siguiente = iter(range(max(0, opciones.verificaciones)))

        async def visitantes() -> None:
            """A steady trickle while participants work; whatever is left, at the end."""
            for n in siguiente:
                await verificar(n)
                if not terminado.is_set():
                    await asyncio.sleep(PAUSA_VISITANTE)

        t0 = time.perf_counter()
        ventana = max(opciones.ventana, 0.0)
        anonimos = asyncio.gather(*(visitantes() for _ in range(VISITANTES_A_LA_VEZ)))
        await asyncio.gather(*(estudiar(p) for p in escenario.participantes))
        envios = []
        for p in escenario.participantes:
            if not p.intento_id:
                continue
            retraso = azar.uniform(0, ventana) if ventana else 0.0
            envios.append(enviar(p, retraso, "envío"))
            if azar.random() < 0.1:
                envios.append(enviar(p, retraso, "doble envío"))
        await asyncio.gather(*envios)
        terminado.set()
        await anonimos
        resultado.segundos = time.perf_counter() - t0
    return resultado
