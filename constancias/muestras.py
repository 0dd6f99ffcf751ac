"""Sample data for template previews and synthetic people for the benchmark."""

from __future__ import annotations

import random

DATOS_MUESTRA = {
    "nombre": "María José de la Peña Ñúñez O'Connor",
    "curso": "Transparencia Proactiva",
    "fase": "fase teórica",
    "horas": 20,
    "fecha_inicio": "2026-03-03",
    "fecha_fin": "2026-11-27",
    "modalidad": "virtual",
    "lugar_emision": "Ciudad de México",
    "fecha_emision": "2026-11-27",
    "folio": "TP-2026-000123",
    "url_verificacion": "https://capacitacion.example.mx/constancias/verificar/MUESTRA0000000000000000",
}
CONTENIDOS_MUESTRA = [
    "Marco normativo de la transparencia proactiva",
    "Identificación de información de interés público",
    "Publicación en formatos abiertos y accesibles",
    "Evaluación y mejora continua",
]

NOMBRES = (
    "María José",
    "José Ángel",
    "Sofía",
    "Íñigo",
    "Begoña",
    "Martín",
    "Ramón",
    "Inés",
    "Jesús",
    "Guadalupe",
    "Citlali",
    "Xóchitl",
    "Cuauhtémoc",
    "Noé",
    "Zoé",
    "Adrián",
    "Verónica",
    "Raúl",
    "Mónica",
    "Andrés",
    "Maximiliano",
    "Ximena",
    "Lucía",
    "Óscar",
)
APELLIDOS = (
    "Peña",
    "Núñez",
    "Muñoz",
    "Ibáñez",
    "Gómez",
    "Hernández",
    "Martínez",
    "López",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Cortés",
    "Domínguez",
    "Güemes",
    "Álvarez",
    "Ordóñez",
    "O'Connor",
    "D'Alessandro",
    "Yáñez",
    "Echeverría",
    "Zúñiga",
    "Castañeda",
    "Téllez",
    "de la Fuente",
    "del Ángel",
    "Montaño",
    "Villaseñor",
    "Acuña",
)


def nombres_sinteticos(cantidad: int, *, semilla: int = 2026) -> list[str]:
    """Realistic Spanish full names; every tenth one is exactly 120 characters long."""
    azar = random.Random(semilla)  # noqa: S311 - synthetic data, not security
    nombres = []
    for numero in range(cantidad):
        nombre = f"{azar.choice(NOMBRES)} {azar.choice(APELLIDOS)} {azar.choice(APELLIDOS)}"
        if numero % 10 == 0:
            while len(nombre) < 120:
                nombre += f" {azar.choice(NOMBRES)} {azar.choice(APELLIDOS)}"
            nombre = nombre[:120].rstrip()
            nombre = nombre + "ñ" * (120 - len(nombre))
        nombres.append(nombre)
    return nombres
