"""Columns of the completion export, declared once: the query, headers, CSV and XLSX read them.

Each `Columna` says what it is called (its Spanish header), what it reads (values
of the main query by field path or expression, small lookup tables loaded once
per export, rows of a secondary stream merged by enrolment id), how a value is
made of what it read, and what kind of value it is (text, number or date), which
decides how each format writes it. `cursos.reportes.registros` builds one query
from the union of what the columns read and, once per export, one row function
from the list; `cursos.services_reportes` writes headers and cells from the same
list. A column whose fields have few distinct values across rows (`compartido`)
is computed and formatted once per distinct value, not once per row.

Higher apps add their own columns from their `AppConfig.ready()` with
`registrar_columnas` (constancias adds the folio and issue date), so this app
never imports them. Adding a column touches one place: its declaration.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Expression, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cursos.models import Edicion, FasePage, Inscripcion
from lms.models import EntidadFederativa, Organizacion


class Tipo(enum.Enum):
    """How a value is written: text as text, numbers as numbers, dates as dd/mm/aaaa."""

    TEXTO = "texto"
    NUMERO = "numero"
    # Read as the text of a UTC instant; the reader turns it into the local date.
    FECHA = "fecha"


@dataclass(frozen=True)
class Tabla:
    """A lookup loaded once per export from the enrolments (without order), e.g. names by id."""

    clave: str
    cargar: Callable[[QuerySet[Inscripcion]], Any]


@dataclass(frozen=True)
class Flujo:
    """A secondary stream merged with the main rows.

    `consulta(base, bloque)` yields tuples whose first item is the enrolment id, in
    id order (`base` is ordered by id); a column receives the first tuple of its
    enrolment, or None.
    """

    clave: str
    consulta: Callable[[QuerySet[Inscripcion], int], Iterable[tuple[Any, ...]]]


Valor = Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True, kw_only=True)
class Columna:
    """One column of the export.

    `campos` maps a name of the row to a field path or an expression of the main
    query (columns that use the same name read the same value); `valor` receives
    the row by those names, plus each of its `tablas` and `flujos` by key, and reads
    nothing else. Without `valor`, the column shows its only field as read (the fast
    path: no call per row).
    """

    clave: str
    encabezado: str | Promise
    ancho: int
    valor: Valor | None = None
    tipo: Tipo = Tipo.TEXTO
    campos: Mapping[str, str | Expression] = field(default_factory=dict)
    tablas: tuple[Tabla, ...] = ()
    flujos: tuple[Flujo, ...] = ()
    # Its fields have few distinct values across rows (ids of states, institutions,
    # editions, a status): the cell is computed, cleaned and formatted once per
    # distinct combination of them, then looked up. Not for a person's own fields.
    compartido: bool = False
    # Text from the platform's own vocabularies (states, statuses, folios): written as is.
    confiable: bool = False
    # Personal data only some readers may see whole: how to hide it and the header then.
    enmascarar: Callable[[str], str] | None = None
    encabezado_enmascarado: str | Promise | None = None

    def __post_init__(self) -> None:
        if self.valor is None and len(self.campos) != 1:
            raise ValueError(f"La columna {self.clave} lee un campo o declara su valor.")
        if self.compartido and self.flujos:
            # A stream's row belongs to one enrolment: nothing to share between rows.
            raise ValueError(f"La columna compartida {self.clave} no lee flujos.")

    def titulo(self, *, completo: bool) -> str:
        if self.enmascarar is not None and not completo and self.encabezado_enmascarado:
            return str(self.encabezado_enmascarado)
        return str(self.encabezado)


_COLUMNAS: list[Columna] = []


def registrar_columnas(*columnas: Columna, antes_de: str | None = None) -> None:
    """Add `columnas` to the export, before the column `antes_de` (or at the end).

    Idempotent: a column whose key is already registered is replaced in place.
    """
    for columna in columnas:
        for i, existente in enumerate(_COLUMNAS):
            if existente.clave == columna.clave:
                _COLUMNAS[i] = columna
                break
        else:
            claves = [c.clave for c in _COLUMNAS]
            posicion = claves.index(antes_de) if antes_de in claves else len(_COLUMNAS)
            # Several columns before the same one keep their given order.
            _COLUMNAS.insert(posicion, columna)


def retirar_columnas(*claves: str) -> None:
    """Undo `registrar_columnas` (for tests and app teardown)."""
    _COLUMNAS[:] = [c for c in _COLUMNAS if c.clave not in claves]


def columnas() -> tuple[Columna, ...]:
    """The export's columns in the order the files show them."""
    return tuple(_COLUMNAS)


def como_texto(campo: str) -> Cast:
    """`campo` read as text, so the database driver and Django convert nothing row by row."""
    return Cast(campo, output_field=CharField())


def como_marca(condicion: Q) -> Case:
    """ "1" where `condicion` holds, else "": a yes or no that nothing converts row by row.

    (Read as a number or a boolean, Django or the SQLite driver would convert every row.)
    """
    return Case(When(condicion, then=Value("1")), default=Value(""), output_field=CharField())


# --- The columns of this app ------------------------------------------------------

SIN_ORGANIZACION = ("", "", "", "")


def _organizaciones(sub: QuerySet[Inscripcion]) -> dict[int | None, tuple[str, str, str, str]]:
    """Guarantor body, obligated subject, scope and type of each person's institution."""
    nombres_ambito = {k: str(v) for k, v in Organizacion.Ambito.choices}
    nombres_tipo = {k: str(v) for k, v in Organizacion.Tipo.choices}
    organizaciones: dict[int | None, tuple[str, str, str, str]] = {None: SIN_ORGANIZACION}
    for pk, clase, nombre, garante, ambito, tipo in Organizacion.objects.filter(
        pk__in=sub.values("usuario__organizacion_id")
    ).values_list("pk", "clase", "nombre", "organo_garante__nombre", "ambito", "tipo"):
        es_garante = clase == Organizacion.Clase.ORGANO_GARANTE
        organizaciones[pk] = (
            (nombre if es_garante else garante) or "",
            "" if es_garante else nombre,
            nombres_ambito.get(ambito, ""),
            nombres_tipo.get(tipo, ""),
        )
    return organizaciones


ENTIDADES = Tabla(
    "entidades", lambda sub: dict(EntidadFederativa.objects.values_list("pk", "nombre"))
)
ORGANIZACIONES = Tabla("organizaciones", _organizaciones)
EDICIONES = Tabla(
    "ediciones",
    lambda sub: {
        e.pk: (e.curso.title, e.nombre)
        for e in Edicion.objects.filter(pk__in=sub.values("edicion_id")).select_related("curso")
    },
)
FASES = Tabla(
    "fases",
    lambda sub: (
        dict(
            FasePage.objects.filter(pk__in=sub.values("fase_actual_id")).values_list("pk", "title")
        ),
        _("Todas completas"),
    ),
)
ESTADOS = Tabla(
    "estados",
    lambda sub: (_("Acreditado"), _("En curso"), str(Inscripcion.Estado.RETIRADA.label)),
)

_ORGANIZACION = {"organizacion_id": "usuario__organizacion_id"}
# Whether the course is passed: what the phase and status columns need of the date.
_ACREDITADA = como_marca(Q(completada_en__isnull=False))


def _de_organizacion(indice: int) -> Valor:
    return lambda f: f["organizaciones"].get(f["organizacion_id"], SIN_ORGANIZACION)[indice]


def _fase_actual(f: Mapping[str, Any]) -> str:
    nombres, todas = f["fases"]
    # No current phase: all done once the course is passed, else not derived yet.
    if f["fase_actual_id"] is not None:
        return nombres.get(f["fase_actual_id"], "")
    return todas if f["acreditada"] else ""


def _estado(f: Mapping[str, Any]) -> str:
    acreditado, en_curso, retirada = f["estados"]
    if f["acreditada"]:
        return acreditado
    return retirada if f["estado"] == Inscripcion.Estado.RETIRADA else en_curso


def enmascarar_curp(curp: str) -> str:
    """Keep the first four characters (initials) and hide the rest."""
    return curp[:4] + "*" * (len(curp) - 4) if curp else ""


registrar_columnas(
    Columna(
        clave="entidad",
        encabezado=gettext_lazy("Entidad federativa"),
        ancho=22,
        campos={"entidad_id": "usuario__entidad_id"},
        tablas=(ENTIDADES,),
        valor=lambda f: f["entidades"].get(f["entidad_id"], ""),
        compartido=True,
        confiable=True,
    ),
    Columna(
        clave="organo_garante",
        encabezado=gettext_lazy("Órgano garante"),
        ancho=34,
        campos=_ORGANIZACION,
        tablas=(ORGANIZACIONES,),
        valor=_de_organizacion(0),
        compartido=True,
    ),
    Columna(
        clave="sujeto_obligado",
        encabezado=gettext_lazy("Sujeto obligado"),
        ancho=34,
        campos=_ORGANIZACION,
        tablas=(ORGANIZACIONES,),
        valor=_de_organizacion(1),
        compartido=True,
    ),
    Columna(
        clave="ambito",
        encabezado=gettext_lazy("Ámbito"),
        ancho=12,
        campos=_ORGANIZACION,
        tablas=(ORGANIZACIONES,),
        valor=_de_organizacion(2),
        compartido=True,
        confiable=True,
    ),
    Columna(
        clave="tipo",
        encabezado=gettext_lazy("Tipo"),
        ancho=22,
        campos=_ORGANIZACION,
        tablas=(ORGANIZACIONES,),
        valor=_de_organizacion(3),
        compartido=True,
        confiable=True,
    ),
    Columna(
        clave="nombre",
        encabezado=gettext_lazy("Nombre(s)"),
        ancho=18,
        campos={"nombre": "usuario__first_name"},
    ),
    Columna(
        clave="apellidos",
        encabezado=gettext_lazy("Apellidos"),
        ancho=22,
        campos={"apellidos": "usuario__last_name"},
    ),
    Columna(
        clave="curp",
        encabezado=gettext_lazy("CURP"),
        encabezado_enmascarado=gettext_lazy("CURP (enmascarada)"),
        enmascarar=enmascarar_curp,
        ancho=20,
        campos={"curp": "usuario__curp"},
        confiable=True,
    ),
    Columna(
        clave="cargo",
        encabezado=gettext_lazy("Cargo"),
        ancho=24,
        campos={"cargo": "usuario__cargo"},
    ),
    Columna(
        clave="email",
        encabezado=gettext_lazy("Correo electrónico"),
        ancho=30,
        campos={"email": "usuario__email"},
    ),
    Columna(
        clave="curso",
        encabezado=gettext_lazy("Curso"),
        ancho=30,
        campos={"edicion_id": "edicion_id"},
        tablas=(EDICIONES,),
        valor=lambda f: f["ediciones"][f["edicion_id"]][0],
        compartido=True,
    ),
    Columna(
        clave="edicion",
        encabezado=gettext_lazy("Edición"),
        ancho=16,
        campos={"edicion_id": "edicion_id"},
        tablas=(EDICIONES,),
        valor=lambda f: f["ediciones"][f["edicion_id"]][1],
        compartido=True,
    ),
    Columna(
        clave="fase_actual",
        encabezado=gettext_lazy("Fase actual"),
        ancho=22,
        campos={"fase_actual_id": "fase_actual_id", "acreditada": _ACREDITADA},
        tablas=(FASES,),
        valor=_fase_actual,
        compartido=True,
    ),
    Columna(
        clave="inscrita_en",
        encabezado=gettext_lazy("Fecha de inscripción"),
        ancho=12,
        tipo=Tipo.FECHA,
        campos={"inscrita": como_texto("inscrita_en")},
    ),
    Columna(
        clave="avance",
        encabezado=gettext_lazy("Avance (%)"),
        ancho=10,
        tipo=Tipo.NUMERO,
        campos={"avance": "avance"},
    ),
    Columna(
        clave="asistencia",
        encabezado=gettext_lazy("Asistencia (%)"),
        ancho=12,
        tipo=Tipo.NUMERO,
        campos={"asistencia": "asistencia"},
    ),
    Columna(
        clave="calificacion",
        encabezado=gettext_lazy("Calificación"),
        ancho=11,
        tipo=Tipo.NUMERO,
        campos={"puntaje": como_texto("calificacion")},
        valor=lambda f: float(f["puntaje"]) if f["puntaje"] is not None else None,
        # Percentages with two decimals: a few thousand values at most.
        compartido=True,
    ),
    Columna(
        clave="horas",
        encabezado=gettext_lazy("Horas acreditadas"),
        ancho=10,
        tipo=Tipo.NUMERO,
        campos={"horas": "horas_acreditadas"},
    ),
    Columna(
        clave="acreditada_en",
        encabezado=gettext_lazy("Fecha de acreditación"),
        ancho=12,
        tipo=Tipo.FECHA,
        campos={"completada": como_texto("completada_en")},
    ),
    Columna(
        clave="estado",
        encabezado=gettext_lazy("Estado"),
        ancho=12,
        campos={"estado": "estado", "acreditada": _ACREDITADA},
        tablas=(ESTADOS,),
        valor=_estado,
        compartido=True,
        confiable=True,
    ),
)
