"""Coordination reports on completion: key figures, charts' data and export rows.

Everything starts from `inscripciones_en_alcance`, which passes through the one
scoping function, so a filter can narrow a coordinator's view but never widen it.

Progress is derived from the facts by `cursos.progreso` and stored with every
fact by `cursos.services.actualizar_completitud` (columns of `Inscripcion` and
`AvanceFase` rows), so the dashboard is a fixed number of aggregate queries and
the exports are two streamed queries merged by enrolment id: no row is derived
here, the number of queries does not depend on the number of rows and memory
holds one block of rows at a time.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict, namedtuple
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from operator import call, itemgetter
from typing import Any

from django.db import connection, transaction
from django.db.models import CharField, Count, F, Func, Max, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cursos import columnas_exportacion, extensiones
from cursos.models import CursoPage, FasePage, Inscripcion, ProgramaPage
from cursos.progreso import EstadoCurso
from cursos.selectors import reglas_por_edicion
from evaluaciones.models import Intento
from lms.alcance import alcance_de, filtrar_por_alcance
from lms.models import EntidadFederativa

# Rows fetched per round trip while streaming; memory stays bounded by this.
TAMANO_BLOQUE = 2000
# Width of each bar of the score histogram, in percentage points.
ANCHO_INTERVALO = 10


@dataclass(frozen=True)
class Filtros:
    """Cleaned filter values; ids are already checked against the user's scope."""

    programa_id: int | None = None
    curso_id: int | None = None
    edicion_id: int | None = None
    fase_id: int | None = None
    entidad_id: int | None = None
    organo_garante_id: int | None = None
    organizacion_id: int | None = None
    ambito: str = ""
    tipo: str = ""
    estado: str = ""
    desde: datetime.date | None = None
    hasta: datetime.date | None = None

    def como_json(self) -> dict[str, Any]:
        """The filters as stored in the audit log and in a background export request."""
        datos = asdict(self)
        for llave in ("desde", "hasta"):
            if datos[llave] is not None:
                datos[llave] = datos[llave].isoformat()
        return {llave: valor for llave, valor in datos.items() if valor not in (None, "")}

    @classmethod
    def desde_json(cls, datos: dict[str, Any]) -> Filtros:
        valores = dict(datos)
        for llave in ("desde", "hasta"):
            if valores.get(llave):
                valores[llave] = datetime.date.fromisoformat(valores[llave])
        return cls(**valores)


# Status filter values: the two stored states plus "passed" and "in progress".
ESTADO_ACTIVA = "activa"
ESTADO_RETIRADA = "retirada"
ESTADO_ACREDITADA = "acreditada"
ESTADO_EN_CURSO = "en_curso"


def inscripciones_en_alcance(usuario: Any) -> QuerySet[Inscripcion]:
    """Every enrolment whose person `usuario` may see."""
    return filtrar_por_alcance(
        usuario,
        Inscripcion.objects.all(),
        ruta_entidad="usuario__entidad",
        ruta_persona="usuario",
    )


def inscripciones_filtradas(usuario: Any, filtros: Filtros) -> QuerySet[Inscripcion]:
    """The enrolments in scope narrowed by `filtros` (never widened)."""
    qs = inscripciones_en_alcance(usuario)
    if filtros.edicion_id:
        qs = qs.filter(edicion_id=filtros.edicion_id)
    if filtros.curso_id:
        qs = qs.filter(edicion__curso_id=filtros.curso_id)
    if filtros.programa_id:
        programa = ProgramaPage.objects.filter(pk=filtros.programa_id).first()
        if programa is None:
            return qs.none()
        cursos = CursoPage.objects.child_of(programa).values("pk")
        qs = qs.filter(edicion__curso_id__in=cursos)
    if filtros.fase_id:
        fase = FasePage.objects.filter(pk=filtros.fase_id).first()
        curso = fase.get_parent() if fase is not None else None
        if curso is None:
            return qs.none()
        qs = qs.filter(edicion__curso_id=curso.pk)
    if filtros.entidad_id:
        qs = qs.filter(usuario__entidad_id=filtros.entidad_id)
    if filtros.organo_garante_id:
        qs = qs.filter(
            Q(usuario__organizacion__organo_garante_id=filtros.organo_garante_id)
            | Q(usuario__organizacion_id=filtros.organo_garante_id)
        )
    if filtros.organizacion_id:
        qs = qs.filter(usuario__organizacion_id=filtros.organizacion_id)
    if filtros.ambito:
        qs = qs.filter(usuario__organizacion__ambito=filtros.ambito)
    if filtros.tipo:
        qs = qs.filter(usuario__organizacion__tipo=filtros.tipo)
    if filtros.estado == ESTADO_ACTIVA:
        qs = qs.filter(estado=Inscripcion.Estado.ACTIVA)
    elif filtros.estado == ESTADO_RETIRADA:
        qs = qs.filter(estado=Inscripcion.Estado.RETIRADA)
    elif filtros.estado == ESTADO_ACREDITADA:
        qs = qs.filter(completada_en__isnull=False)
    elif filtros.estado == ESTADO_EN_CURSO:
        qs = qs.filter(estado=Inscripcion.Estado.ACTIVA, completada_en__isnull=True)
    zona = timezone.get_current_timezone()
    if filtros.desde:
        inicio = datetime.datetime.combine(filtros.desde, datetime.time.min, tzinfo=zona)
        qs = qs.filter(inscrita_en__gte=inicio)
    if filtros.hasta:
        fin = datetime.datetime.combine(
            filtros.hasta + datetime.timedelta(days=1), datetime.time.min, tzinfo=zona
        )
        qs = qs.filter(inscrita_en__lt=fin)
    return qs


# --- Aggregates done in the database ----------------------------------------


@dataclass(frozen=True)
class CifrasClave:
    inscritas: int
    activas: int
    retiradas: int
    acreditadas: int
    # Per phase (by position in the course): how many completed phase 1, 2, … in a row.
    fases_completadas: tuple[int, ...] = ()
    # Enrolments holding a valid constancia (recorded by the constancias app).
    con_constancia: int | None = None

    def fase(self, numero: int) -> int:
        return self.fases_completadas[numero - 1] if len(self.fases_completadas) >= numero else 0


# Score histogram: one bucket per ANCHO_INTERVALO points; 100 falls in the last one.
CUBETAS = 100 // ANCHO_INTERVALO


def _cubeta(indice: int) -> Q:
    condicion = Q(calificacion__gte=indice * ANCHO_INTERVALO)
    if indice < CUBETAS - 1:
        condicion &= Q(calificacion__lt=(indice + 1) * ANCHO_INTERVALO)
    return condicion


def conteos(qs: QuerySet[Inscripcion]) -> dict[str, int]:
    """Enrolled, active, withdrawn and passed, in one query."""
    return qs.aggregate(
        inscritas=Count("pk"),
        activas=Count("pk", filter=Q(estado=Inscripcion.Estado.ACTIVA)),
        retiradas=Count("pk", filter=Q(estado=Inscripcion.Estado.RETIRADA)),
        acreditadas=Count("pk", filter=Q(completada_en__isnull=False)),
    )


@dataclass(frozen=True)
class Agregados:
    """Key figures, funnel and score histogram of a set of enrolments."""

    cifras: CifrasClave
    puntajes: tuple[int, ...]
    con_puntaje: int


def agregados(qs: QuerySet[Inscripcion]) -> Agregados:
    """Figures, funnel by phase and score histogram from the stored progress, in three queries.

    The progress columns are written by `cursos.services.actualizar_completitud`
    with every fact, so nothing is derived here row by row.
    """
    cubetas = {f"c{i}": Count("pk", filter=_cubeta(i)) for i in range(CUBETAS)}
    fila = qs.aggregate(
        inscritas=Count("pk"),
        activas=Count("pk", filter=Q(estado=Inscripcion.Estado.ACTIVA)),
        retiradas=Count("pk", filter=Q(estado=Inscripcion.Estado.RETIRADA)),
        acreditadas=Count("pk", filter=Q(completada_en__isnull=False)),
        con_puntaje=Count("calificacion"),
        fases=Max("fases_total"),
        **cubetas,
    )
    por_fases = dict(
        qs.order_by()
        .values_list("fases_completadas")
        .annotate(n=Count("pk"))
        .values_list("fases_completadas", "n")
    )
    embudo = tuple(
        sum(n for completadas, n in por_fases.items() if completadas >= posicion)
        for posicion in range(1, (fila["fases"] or 0) + 1)
    )
    con_constancia = extensiones.conteo("con_constancia", qs)
    return Agregados(
        cifras=CifrasClave(
            inscritas=fila["inscritas"],
            activas=fila["activas"],
            retiradas=fila["retiradas"],
            acreditadas=fila["acreditadas"],
            fases_completadas=embudo,
            con_constancia=con_constancia,
        ),
        puntajes=tuple(fila[f"c{i}"] for i in range(CUBETAS)),
        con_puntaje=fila["con_puntaje"],
    )


@dataclass(frozen=True)
class FilaEntidad:
    entidad_id: int | None
    nombre: str
    clave: str
    inscritas: int
    acreditadas: int

    @property
    def porcentaje(self) -> int:
        return round(100 * self.acreditadas / self.inscritas) if self.inscritas else 0


def completitud_por_entidad(qs: QuerySet[Inscripcion]) -> list[FilaEntidad]:
    """Enrolled and passed per state, in two small queries, in INEGI order."""
    filas = (
        qs.order_by()
        .values_list("usuario__entidad_id")
        .annotate(
            inscritas=Count("pk"), acreditadas=Count("pk", filter=Q(completada_en__isnull=False))
        )
        .values_list("usuario__entidad_id", "inscritas", "acreditadas")
    )
    conteo = {entidad_id: (n, a) for entidad_id, n, a in filas}
    entidades = {
        e.pk: e
        for e in EntidadFederativa.objects.filter(pk__in=[pk for pk in conteo if pk is not None])
    }
    resultado = [
        FilaEntidad(
            entidad_id=pk,
            nombre=entidades[pk].nombre if pk in entidades else "",
            clave=entidades[pk].clave_inegi if pk in entidades else "",
            inscritas=n,
            acreditadas=a,
        )
        for pk, (n, a) in conteo.items()
    ]
    return sorted(resultado, key=lambda f: (f.entidad_id is None, f.clave))


def inscripciones_por_mes(qs: QuerySet[Inscripcion]) -> list[tuple[datetime.date, int]]:
    """Enrolments per calendar month (in the site's time zone), in one query.

    PostgreSQL truncates in the site's zone itself. SQLite can only do that with a
    Python function called for every row, so there the database groups by UTC hour
    (a C function) and the few thousand hours are folded into local months here:
    exact, since every Mexican time zone is a whole number of hours from UTC.
    """
    zona = timezone.get_current_timezone()
    meses: Counter[datetime.date] = Counter()
    if connection.vendor == "sqlite":
        filas = (
            qs.order_by()
            .annotate(
                hora=Func(
                    F("inscrita_en"),
                    function="SUBSTR",
                    template="SUBSTR(%(expressions)s, 1, 13)",
                    output_field=CharField(),
                )
            )
            .values_list("hora")
            .annotate(n=Count("pk"))
            .values_list("hora", "n")
        )
        for hora, n in filas:
            instante = datetime.datetime.strptime(hora, "%Y-%m-%d %H").replace(tzinfo=datetime.UTC)
            meses[instante.astimezone(zona).date().replace(day=1)] += n
        return sorted(meses.items())
    por_mes = (
        qs.order_by()
        .annotate(mes=TruncMonth("inscrita_en"))
        .values_list("mes")
        .annotate(n=Count("pk"))
        .values_list("mes", "n")
    )
    for mes, n in por_mes:
        if isinstance(mes, datetime.datetime):
            mes = timezone.localtime(mes).date() if timezone.is_aware(mes) else mes.date()
        meses[mes.replace(day=1)] += n
    return sorted(meses.items())


# --- Export rows, streamed ------------------------------------------------------


Formato = Callable[[Any], Any]
Fila = tuple[Any, ...]


class Memo(dict[Any, Any]):
    """`funcion(valor)` computed once per distinct value: a dict that fills itself."""

    def __init__(self, funcion: Formato) -> None:
        super().__init__()
        self.funcion = funcion

    def __missing__(self, valor: Any) -> Any:
        self[valor] = resultado = self.funcion(valor)
        return resultado


class _Cursor:
    """Walks a stream of (enrolment id, …) rows in id order, in step with the main rows."""

    def __init__(self, filas: Iterable[Fila]) -> None:
        self._filas = iter(filas)
        self._actual: Fila | None = next(self._filas, None)

    def tomar(self, inscripcion_id: int) -> Fila | None:
        """The first row of this enrolment (the rest of its rows are skipped), or None."""
        while self._actual is not None and self._actual[0] < inscripcion_id:
            self._actual = next(self._filas, None)
        if self._actual is not None and self._actual[0] == inscripcion_id:
            return self._actual
        return None


def _elegir(posiciones: list[int]) -> Callable[[Fila], Fila]:
    """Pick `posiciones` of a row as a tuple, in one C call, however many they are."""
    if not posiciones:
        return lambda fila: ()
    if len(posiciones) == 1:
        # itemgetter of one position returns the item, not a tuple.
        return itemgetter(slice(posiciones[0], posiciones[0] + 1))
    return itemgetter(*posiciones)


def _compuesta(valor: Formato, formato: Formato | None) -> Formato:
    return valor if formato is None else lambda fila: formato(valor(fila))


def _celdas_de_grupo(
    claves: tuple[str, ...], calculos: tuple[Formato, ...], cargadas: dict[str, Any]
) -> Callable[[Any], Fila]:
    """The cells of a group of shared columns from the value (or values) of what they read."""
    varias = len(claves) > 1

    def celdas(clave: Any) -> Fila:
        fila = dict(cargadas)
        fila.update(zip(claves, clave if varias else (clave,), strict=True))
        return tuple(calcular(fila) for calcular in calculos)

    return celdas


@dataclass(frozen=True)
class _Plan:
    """How one export turns each row read into its cells, resolved once before the first row.

    A row becomes one tuple: the row as read (its id, then each field), the cells of
    each group of shared columns (looked up by the fields they read, computed on the
    first row that has them), the cells formatted one by one (a person's own text,
    dates: one call each, mapped in C) and the cells computed one by one (from
    secondary streams). `elegir` then picks the columns' cells from it in order.
    """

    grupos: tuple[tuple[Callable[[Fila], Any], Memo], ...]
    elegir_sueltos: Callable[[Fila], Fila]
    sueltos: tuple[Formato, ...]
    elegir_leidos: Callable[[Fila], Fila]
    leidos: tuple[str, ...]
    calculadas: tuple[Formato, ...]
    elegir: Callable[[Fila], Fila]


def _planear(
    columnas: tuple[columnas_exportacion.Columna, ...],
    formatos: Sequence[Formato | None],
    nombres: list[str],
    cargadas: dict[str, Any],
    *,
    con_id: bool,
) -> _Plan:
    """The `_Plan` of `columnas` over rows (id, *`nombres`), each cell through its format."""
    lugar = {nombre: i for i, nombre in enumerate(nombres, start=1)}
    zona = timezone.get_current_timezone()

    def fecha_local(hora: str) -> datetime.date:
        instante = datetime.datetime.fromisoformat(hora).replace(tzinfo=datetime.UTC)
        return instante.astimezone(zona).date()

    def final(columna: columnas_exportacion.Columna, formato: Formato | None) -> Formato | None:
        """A value to its cell: dates (text of a UTC instant) to the local date first."""
        if columna.tipo is not columnas_exportacion.Tipo.FECHA:
            return formato
        # Most rows fall on a few hundred hours: each is converted and formatted once.
        por_hora = Memo(fecha_local if formato is None else lambda h: formato(fecha_local(h)))
        return lambda texto: None if texto is None else por_hora[texto[:13]]

    # Where each column's cell sits in the row's tuple; the groups' and the loose cells
    # follow the row as read.
    sitio = [0] * len(columnas)
    grupos: dict[tuple[str, ...], list[tuple[int, Formato]]] = {}
    sueltos: list[tuple[int, str, Formato]] = []
    calculadas: list[tuple[int, Formato]] = []
    for i, (columna, formato) in enumerate(zip(columnas, formatos, strict=True)):
        celda = final(columna, formato)
        if columna.valor is None:
            (nombre,) = columna.campos
            if celda is None:
                sitio[i] = lugar[nombre]
            elif columna.compartido and columna.tipo is not columnas_exportacion.Tipo.FECHA:
                grupos.setdefault((nombre,), []).append((i, _compuesta(itemgetter(nombre), celda)))
            else:
                sueltos.append((i, nombre, celda))
        elif columna.compartido:
            grupos.setdefault(tuple(sorted(columna.campos)), []).append(
                (i, _compuesta(columna.valor, celda))
            )
        else:
            calculadas.append((i, _compuesta(columna.valor, celda)))

    siguiente = 1 + len(nombres)
    memos = []
    for claves, miembros in grupos.items():
        calculos = tuple(calcular for _i, calcular in miembros)
        memos.append(
            (
                # One field: its value is the key; several: the tuple of their values.
                itemgetter(*(lugar[n] for n in claves)),
                Memo(_celdas_de_grupo(claves, calculos, cargadas)),
            )
        )
        for i, _calcular in miembros:
            sitio[i] = siguiente
            siguiente += 1
    for i, _nombre, _celda in sueltos:
        sitio[i] = siguiente
        siguiente += 1
    for i, _calcular in calculadas:
        sitio[i] = siguiente
        siguiente += 1
    leidos = sorted(
        {n for c in columnas if c.valor is not None and not c.compartido for n in c.campos}
    )
    return _Plan(
        grupos=tuple(memos),
        elegir_sueltos=_elegir([lugar[nombre] for _i, nombre, _celda in sueltos]),
        sueltos=tuple(celda for _i, _nombre, celda in sueltos),
        elegir_leidos=_elegir([lugar[n] for n in leidos]),
        leidos=tuple(leidos),
        calculadas=tuple(c for _i, c in calculadas),
        elegir=_elegir([0, *sitio] if con_id else sitio),
    )


def tipo_registro(columnas: tuple[columnas_exportacion.Columna, ...]) -> type[tuple[Any, ...]]:
    """The row type of the export: the enrolment id, then one field per column, by key."""
    return namedtuple("Registro", ["inscripcion_id", *(c.clave for c in columnas)])


def registros(
    qs: QuerySet[Inscripcion],
    *,
    bloque: int = TAMANO_BLOQUE,
    columnas: tuple[columnas_exportacion.Columna, ...] | None = None,
) -> Iterator[tuple[Any, ...]]:
    """Each enrolment of `qs` as the export's columns show it, in id order.

    Rows are named tuples: `inscripcion_id`, then one field per column key.
    """
    columnas = columnas_exportacion.columnas() if columnas is None else columnas
    Registro = tipo_registro(columnas)
    for celdas in celdas_de_registros(qs, bloque=bloque, columnas=columnas, con_id=True):
        yield Registro(*celdas)


def celdas_de_registros(
    qs: QuerySet[Inscripcion],
    *,
    columnas: tuple[columnas_exportacion.Columna, ...],
    formatos: Sequence[Formato | None] | None = None,
    con_id: bool = False,
    bloque: int = TAMANO_BLOQUE,
) -> Iterator[Fila]:
    """Each enrolment of `qs` as a tuple of its columns' cells (after its id if `con_id`).

    `formatos` says, column by column, how a value becomes the cell a file shows
    (None: as it is); it receives every value, None included, except in date
    columns, whose values are local dates and whose None stays None. A shared
    column's cell is formatted once per distinct value of what it reads.

    The read runs inside one transaction: on PostgreSQL the streamed queries then
    use plain server-side cursors, which the server produces while Python writes
    the rows (outside a transaction Django declares them WITH HOLD, and PostgreSQL
    materializes the whole result before the first row). Leaving the loop early
    ends the transaction.
    """
    formatos = [None] * len(columnas) if formatos is None else formatos
    with transaction.atomic():
        yield from _celdas(qs, bloque=bloque, columnas=columnas, formatos=formatos, con_id=con_id)


def _celdas(
    qs: QuerySet[Inscripcion],
    *,
    bloque: int,
    columnas: tuple[columnas_exportacion.Columna, ...],
    formatos: Sequence[Formato | None],
    con_id: bool,
) -> Iterator[Fila]:
    """Each enrolment of `qs` with the cells of its columns, in id order.

    One streamed query of what the columns read from the enrolment and its person,
    one streamed query per secondary stream (valid constancias), merged by
    enrolment id, plus each small lookup table once, whatever the number of rows;
    memory holds one block. Dates travel as text and become local dates once per
    distinct hour.
    """
    base = qs.order_by("pk")
    sub = qs.order_by()
    campos: dict[str, Any] = {}
    tablas: dict[str, columnas_exportacion.Tabla] = {}
    flujos: dict[str, columnas_exportacion.Flujo] = {}
    for columna in columnas:
        campos.update(columna.campos)
        tablas.update((t.clave, t) for t in columna.tablas)
        flujos.update((f.clave, f) for f in columna.flujos)
    cargadas = {clave: tabla.cargar(sub) for clave, tabla in tablas.items()}
    cursores = [(clave, _Cursor(flujo.consulta(base, bloque))) for clave, flujo in flujos.items()]
    nombres = list(campos)
    expresiones = {n: e for n, e in campos.items() if not isinstance(e, str)}
    filas = (
        base.annotate(**expresiones)
        .values_list("pk", *(e if isinstance(e, str) else n for n, e in campos.items()))
        .iterator(chunk_size=bloque)
    )
    plan = _planear(columnas, formatos, nombres, cargadas, con_id=con_id)
    grupos, elegir_sueltos, sueltos = plan.grupos, plan.elegir_sueltos, plan.sueltos
    elegir_leidos, leidos, calculadas = plan.elegir_leidos, plan.leidos, plan.calculadas
    elegir = plan.elegir
    # The mapping the computed columns receive, reused for every row: each row
    # overwrites every field and stream they read.
    fila = dict(cargadas)
    for leida in filas:
        celdas = leida
        for clave, memo in grupos:
            celdas += memo[clave(leida)]
        if sueltos:
            celdas += tuple(map(call, sueltos, elegir_sueltos(leida)))
        if calculadas:
            pk = leida[0]
            for nombre, cursor in cursores:
                fila[nombre] = cursor.tomar(pk)
            if leidos:
                fila.update(zip(leidos, elegir_leidos(leida), strict=True))
            celdas += tuple([calcular(fila) for calcular in calculadas])
        yield elegir(celdas)


@dataclass(frozen=True)
class Tablero:
    cifras: CifrasClave
    por_entidad: list[FilaEntidad]
    por_mes: list[tuple[datetime.date, int]]
    puntajes: tuple[int, ...]
    con_puntaje: int


def tablero(usuario: Any, filtros: Filtros) -> Tablero:
    """Everything the coordination dashboard shows, for `usuario`'s scope and `filtros`.

    Aggregate queries only (a fixed number, whatever the number of enrolments).
    """
    qs = inscripciones_filtradas(usuario, filtros)
    datos = agregados(qs)
    return Tablero(
        cifras=datos.cifras,
        por_entidad=completitud_por_entidad(qs),
        por_mes=inscripciones_por_mes(qs),
        puntajes=datos.puntajes,
        con_puntaje=datos.con_puntaje,
    )


def cifras_por_entidad(entidad_id: int) -> dict[str, int]:
    """Key figures of one state, for its weekly email (no user scope: the caller decides)."""
    return conteos(Inscripcion.objects.filter(usuario__entidad_id=entidad_id))


def puede_ver_curp(usuario: Any) -> bool:
    """Only administrators and national coordinators see CURPs in exports."""
    alcance = alcance_de(usuario)
    return alcance.nacional


def enmascarar_curp(curp: str) -> str:
    """Keep the first four characters (initials) and hide the rest."""
    return columnas_exportacion.enmascarar_curp(curp)


# --- Participant record (kardex) ---------------------------------------------


@dataclass(frozen=True)
class FilaKardex:
    inscripcion: Inscripcion
    estado: EstadoCurso
    asistencias: list[Any]
    intentos: list[Any]
    # Panels other apps add under the enrolment (constancias: every constancia issued).
    secciones: list[extensiones.SeccionKardex]


@dataclass(frozen=True)
class Kardex:
    inscripciones: list[FilaKardex]


def kardex(usuario: Any, persona: Any) -> Kardex:
    """One person's enrolments (those `usuario` may see) with progress, attendance and attempts.

    A fixed number of queries whatever the number of enrolments.
    """
    from cursos.models import Asistencia
    from cursos.services import estados_de

    inscripciones = list(
        inscripciones_en_alcance(usuario)
        .filter(usuario=persona)
        .select_related("edicion", "edicion__curso")
        .order_by("-inscrita_en", "pk")
    )
    estados = estados_de(inscripciones)
    secciones = extensiones.secciones_kardex(inscripciones)
    asistencias: dict[int, list[Any]] = defaultdict(list)
    for asistencia in (
        Asistencia.objects.filter(
            usuario=persona, sesion__edicion_id__in=[i.edicion_id for i in inscripciones]
        )
        .select_related("sesion", "sesion__fase")
        .order_by("sesion__inicio")
    ):
        asistencias[asistencia.sesion.edicion_id].append(asistencia)
    reglas = reglas_por_edicion([i.edicion for i in inscripciones])
    evaluaciones_por_edicion = {
        edicion_id: {e for r in lista for e in (r.evaluacion_id, r.actividad_id) if e}
        for edicion_id, lista in reglas.items()
    }
    todas = set().union(*evaluaciones_por_edicion.values()) if evaluaciones_por_edicion else set()
    intentos = list(
        Intento.objects.filter(usuario=persona, evaluacion_id__in=todas)
        .select_related("evaluacion")
        .order_by("evaluacion_id", "numero")
    )
    return Kardex(
        inscripciones=[
            FilaKardex(
                inscripcion=i,
                estado=estados[i.pk],
                asistencias=asistencias[i.edicion_id],
                intentos=[
                    t
                    for t in intentos
                    if t.evaluacion_id in evaluaciones_por_edicion.get(i.edicion_id, set())
                ],
                secciones=secciones[i.pk],
            )
            for i in inscripciones
        ]
    )
