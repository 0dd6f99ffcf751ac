"""iCalendar (RFC 5545) files for live sessions."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone

from cursos.models import SesionEnVivo


def _escapar(texto: str) -> str:
    return texto.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _plegar(linea: str) -> str:
    """Fold a content line at 75 octets, as RFC 5545 requires."""
    partes: list[str] = []
    actual = ""
    for caracter in linea:
        limite = 75 if not partes else 74
        if len((actual + caracter).encode()) > limite:
            partes.append(actual)
            actual = caracter
        else:
            actual += caracter
    partes.append(actual)
    return "\r\n ".join(partes)


def _utc(momento: datetime.datetime) -> str:
    return momento.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendario(sesiones: Iterable[SesionEnVivo], *, dominio: str) -> str:
    """An .ics calendar with one event per session (times in UTC)."""
    ahora = _utc(timezone.now())
    lineas = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Capacitacion en Transparencia Proactiva//LMS//ES",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    for sesion in sesiones:
        descripcion = f"{sesion.edicion.curso.title} — {sesion.edicion.nombre}"
        if sesion.enlace:
            descripcion += f"\n{sesion.enlace}"
        lineas += [
            "BEGIN:VEVENT",
            f"UID:{sesion.uid}@{dominio}",
            f"DTSTAMP:{ahora}",
            f"DTSTART:{_utc(sesion.inicio)}",
            f"DTEND:{_utc(sesion.fin)}",
            f"SUMMARY:{_escapar(sesion.titulo)}",
            f"DESCRIPTION:{_escapar(descripcion)}",
        ]
        if sesion.enlace:
            lineas.append(f"URL:{sesion.enlace}")
        lugar = sesion.lugar or sesion.enlace
        if lugar:
            lineas.append(f"LOCATION:{_escapar(lugar)}")
        lineas.append("END:VEVENT")
    lineas.append("END:VCALENDAR")
    return "\r\n".join(_plegar(linea) for linea in lineas) + "\r\n"
