"""Coordination reports on completion: key figures, charts' data and export rows.

Everything starts from `inscripciones_en_alcance`, which passes through the one
scoping function, so a filter can narrow a coordinator's view but never widen it.

Counts that the database can do alone (enrolled, active, passed, by state, by
month) are single aggregate queries. Phase completion is derived, never stored
(cursos.progreso), so the funnel, the score distribution and the export rows come
from `registros`: a merge of a fixed number of streamed queries ordered by
enrolment id, each row evaluated by the same pure functions the participant's own
pages use. The number of queries does not depend on the number of rows and the
memory held is that of one enrolment's facts at a time.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from itertools import groupby
from typing import Any

from django.core.cache import cache
from django.db.models import Count, F, FilteredRelation, Max, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import override

from cursos.models import CursoPage, Edicion, FasePage, Inscripcion, ProgramaPage, ProgresoLeccion
from cursos.progreso import EstadoCurso, Hechos, ReglaFase, evaluar_curso
from cursos.selectors import reglas_por_edicion
from evaluaciones import scoring
from evaluaciones.models import Evaluacion, Intento
from lms.alcance import alcance_de, filtrar_por_alcance
from lms.models import Organizacion

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
    # Derived per phase (by position in the course): how many completed phase 1, 2, …
    fases_completadas: tuple[int, ...] = ()
    # Constancias are issued by the constancias app; not counted here yet.
    con_constancia: int | None = None

    def fase(self, numero: int) -> int:
        return self.fases_completadas[numero - 1] if len(self.fases_completadas) >= numero else 0


def conteos(qs: QuerySet[Inscripcion]) -> dict[str, int]:
    """Enrolled, active, withdrawn and passed, in one query."""
    return qs.aggregate(
        inscritas=Count("pk"),
        activas=Count("pk", filter=Q(estado=Inscripcion.Estado.ACTIVA)),
        retiradas=Count("pk", filter=Q(estado=Inscripcion.Estado.RETIRADA)),
        acreditadas=Count("pk", filter=Q(completada_en__isnull=False)),
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
    """Enrolled and passed per state, in one query, in INEGI order."""
    filas = (
        qs.values(
            "usuario__entidad_id", "usuario__entidad__nombre", "usuario__entidad__clave_inegi"
        )
        .annotate(
            inscritas=Count("pk"), acreditadas=Count("pk", filter=Q(completada_en__isnull=False))
        )
        .order_by(F("usuario__entidad__clave_inegi").asc(nulls_last=True))
    )
    return [
        FilaEntidad(
            entidad_id=f["usuario__entidad_id"],
            nombre=f["usuario__entidad__nombre"] or "",
            clave=f["usuario__entidad__clave_inegi"] or "",
            inscritas=f["inscritas"],
            acreditadas=f["acreditadas"],
        )
        for f in filas
    ]


def inscripciones_por_mes(qs: QuerySet[Inscripcion]) -> list[tuple[datetime.date, int]]:
    """Enrolments per calendar month (in the site's time zone), in one query."""
    filas = (
        qs.annotate(mes=TruncMonth("inscrita_en"))
        .values("mes")
        .annotate(n=Count("pk"))
        .order_by("mes")
    )
    resultado = []
    for fila in filas:
        mes = fila["mes"]
        if isinstance(mes, datetime.datetime):
            mes = timezone.localtime(mes).date() if timezone.is_aware(mes) else mes.date()
        resultado.append((mes.replace(day=1), fila["n"]))
    return resultado


# --- Derived completion, streamed ------------------------------------------


@dataclass(frozen=True)
class Avance:
    """The date-free part of a derived completion: what a report shows of it."""

    fases_completas: tuple[bool, ...]
    porcentaje: int
    fase_actual: str
    horas: int

    @property
    def fases_seguidas(self) -> int:
        """How many phases are complete counting from the first, for the funnel."""
        total = 0
        for completa in self.fases_completas:
            if not completa:
                break
            total += 1
        return total


@dataclass(frozen=True)
class Registro:
    """One enrolment with its person, organization and derived progress."""

    inscripcion_id: int
    usuario_id: int
    nombre: str
    apellidos: str
    email: str
    curp: str
    cargo: str
    entidad: str
    organo_garante: str
    sujeto_obligado: str
    ambito: str
    tipo: str
    curso: str
    edicion: str
    estado_inscripcion: str
    inscrita_en: datetime.datetime
    acreditada_en: datetime.datetime | None
    avance: Avance
    asistencias: int
    sesiones: int
    puntaje: Decimal | None

    @property
    def porcentaje_asistencia(self) -> int | None:
        return round(100 * self.asistencias / self.sesiones) if self.sesiones else None


@dataclass
class _Contexto:
    reglas: dict[int, list[ReglaFase]]
    horas: dict[int, int]
    metodos: dict[int, tuple[scoring.MetodoCalificacion, Decimal]]
    sesiones: dict[int, int] = field(default_factory=dict)


def _contexto(qs: QuerySet[Inscripcion]) -> _Contexto:
    ediciones = list(
        Edicion.objects.filter(pk__in=qs.order_by().values("edicion_id")).select_related("curso")
    )
    reglas = reglas_por_edicion(ediciones)
    fase_ids = {regla.id for lista in reglas.values() for regla in lista}
    horas = dict(FasePage.objects.filter(pk__in=fase_ids).values_list("pk", "horas"))
    evaluacion_ids = {
        e
        for lista in reglas.values()
        for r in lista
        for e in (r.evaluacion_id, r.actividad_id)
        if e
    }
    metodos = {
        pk: (scoring.MetodoCalificacion(metodo), aprobatorio)
        for pk, metodo, aprobatorio in Evaluacion.objects.filter(pk__in=evaluacion_ids).values_list(
            "pk", "metodo_calificacion", "puntaje_aprobatorio"
        )
    }
    sesiones = {
        edicion_id: sum(len(r.sesiones) for r in lista) for edicion_id, lista in reglas.items()
    }
    return _Contexto(reglas=reglas, horas=horas, metodos=metodos, sesiones=sesiones)


def _por_inscripcion(filas: Iterable[tuple[Any, ...]]) -> Iterator[tuple[int, list[tuple]]]:
    for llave, grupo in groupby(filas, key=lambda fila: fila[0]):
        yield llave, [fila[1:] for fila in grupo]


class _Cursor:
    """Walks a stream grouped by enrolment id, in step with the main rows."""

    def __init__(self, filas: Iterable[tuple[Any, ...]]) -> None:
        self._grupos = _por_inscripcion(filas)
        self._actual: tuple[int, list[tuple]] | None = next(self._grupos, None)

    def tomar(self, inscripcion_id: int) -> list[tuple]:
        while self._actual is not None and self._actual[0] < inscripcion_id:
            self._actual = next(self._grupos, None)
        if self._actual is not None and self._actual[0] == inscripcion_id:
            return self._actual[1]
        return []


CAMPOS = (
    "pk",
    "usuario_id",
    "edicion_id",
    "estado",
    "inscrita_en",
    "completada_en",
    "usuario__first_name",
    "usuario__last_name",
    "usuario__email",
    "usuario__curp",
    "usuario__cargo",
    "usuario__entidad__nombre",
    "usuario__organizacion__clase",
    "usuario__organizacion__nombre",
    "usuario__organizacion__organo_garante__nombre",
    "usuario__organizacion__ambito",
    "usuario__organizacion__tipo",
    "edicion__nombre",
    "edicion__curso__title",
)


def _avance(estado: EstadoCurso, horas: dict[int, int]) -> Avance:
    actual = next((fase.titulo for fase in estado.fases if not fase.completa), "")
    return Avance(
        fases_completas=tuple(fase.completa for fase in estado.fases),
        porcentaje=estado.porcentaje,
        fase_actual=actual,
        horas=sum(horas.get(f.fase_id, 0) for f in estado.fases if f.completa),
    )


def registros(qs: QuerySet[Inscripcion], *, bloque: int = TAMANO_BLOQUE) -> Iterator[Registro]:
    """Each enrolment of `qs` with its derived progress, in enrolment-id order.

    Runs a fixed number of queries (rules, then four streams merged by enrolment
    id) whatever the number of rows, and holds one enrolment's facts at a time.

    Whether each phase is complete, and the percentages, depend only on which
    facts exist, not on their dates (dates only decide *when* a phase completed,
    and the course's date is already stored in `completada_en`). So the one
    derivation function runs once per distinct set of facts and edition, and
    people with the same facts share its answer: that is what makes 100,000 rows
    cheap, since most people are at one of a few stages.
    """
    ctx = _contexto(qs)
    evaluacion_ids = sorted(ctx.metodos)
    base = qs.order_by("pk")
    lecciones = _Cursor(
        ProgresoLeccion.objects.filter(inscripcion_id__in=qs.order_by().values("pk"))
        .order_by("inscripcion_id")
        .values_list("inscripcion_id", "leccion_id")
        .iterator(chunk_size=bloque)
    )
    # Attendance hangs from the person, not the enrolment: join it back through the
    # person and keep the sessions of the enrolment's own edition.
    asistencias = _Cursor(
        base.filter(usuario__asistencias__sesion__edicion_id=F("edicion_id"))
        .values_list("pk", "usuario__asistencias__sesion_id")
        .iterator(chunk_size=bloque)
    )
    intentos = _Cursor(
        base.annotate(
            calif=FilteredRelation(
                "usuario__intentos",
                condition=Q(
                    usuario__intentos__evaluacion_id__in=evaluacion_ids,
                    usuario__intentos__estado=Intento.Estado.CALIFICADO,
                    usuario__intentos__porcentaje__isnull=False,
                    usuario__intentos__calificado_en__isnull=False,
                ),
            )
        )
        .filter(calif__isnull=False)
        .values_list(
            "pk",
            "calif__evaluacion_id",
            "calif__numero",
            "calif__porcentaje",
            "calif__calificado_en",
        )
        .iterator(chunk_size=bloque)
        if evaluacion_ids
        else ()
    )
    # Labels resolved once, not once per row.
    nombres_estado = {k: str(v) for k, v in Inscripcion.Estado.choices}
    nombres_ambito = {k: str(v) for k, v in Organizacion.Ambito.choices}
    nombres_tipo = {k: str(v) for k, v in Organizacion.Tipo.choices}
    sesiones_por_edicion = {
        edicion_id: {s.id for r in lista for s in r.sesiones}
        for edicion_id, lista in ctx.reglas.items()
    }
    memoria: dict[tuple, Avance] = {}
    for fila in base.values_list(*CAMPOS).iterator(chunk_size=bloque):
        (pk, usuario_id, edicion_id, estado, inscrita_en, completada_en, nombre, apellidos) = fila[
            :8
        ]
        email, curp, cargo, entidad, clase, organizacion, garante, ambito, tipo = fila[8:17]
        edicion, curso = fila[17:19]
        reglas = ctx.reglas.get(edicion_id, [])
        hechas = lecciones.tomar(pk)
        asistidas = asistencias.tomar(pk)
        por_evaluacion: dict[int, list[scoring.IntentoCalificado]] = defaultdict(list)
        for evaluacion_id, numero, porcentaje, calificado_en in intentos.tomar(pk):
            por_evaluacion[evaluacion_id].append(
                scoring.IntentoCalificado(numero, porcentaje, calificado_en)
            )
        aprobaciones = {}
        finales: dict[int, Decimal | None] = {}
        for evaluacion_id, lista in por_evaluacion.items():
            metodo, aprobatorio = ctx.metodos[evaluacion_id]
            finales[evaluacion_id] = scoring.calificacion_final(metodo, lista)
            fecha = scoring.fecha_aprobacion(metodo, lista, aprobatorio)
            if fecha is not None:
                aprobaciones[evaluacion_id] = fecha
        llave = (
            edicion_id,
            frozenset(leccion for (leccion,) in hechas),
            frozenset(sesion for (sesion,) in asistidas),
            frozenset(aprobaciones),
        )
        avance = memoria.get(llave)
        if avance is None:
            # Only which facts exist matters for `Avance`, so their dates are not fetched.
            hechos = Hechos(
                lecciones=dict.fromkeys(llave[1], inscrita_en),
                asistencias=dict.fromkeys(llave[2], inscrita_en),
                aprobaciones=aprobaciones,
                inscrita_en=inscrita_en,
            )
            # Reports never show the "what is missing" messages; looking each one up
            # in the translation catalogs would cost more than the rule itself.
            with override(None):
                avance = _avance(evaluar_curso(reglas, hechos), ctx.horas)
            memoria[llave] = avance
        # The score shown is the grade of the last phase that has an evaluation.
        puntaje = None
        for regla in reversed(reglas):
            if regla.evaluacion_id:
                puntaje = finales.get(regla.evaluacion_id)
                break
        es_garante = clase == Organizacion.Clase.ORGANO_GARANTE
        yield Registro(
            inscripcion_id=pk,
            usuario_id=usuario_id,
            nombre=nombre,
            apellidos=apellidos,
            email=email,
            curp=curp,
            cargo=cargo,
            entidad=entidad or "",
            organo_garante=(organizacion if es_garante else garante) or "",
            sujeto_obligado="" if es_garante else organizacion or "",
            ambito=nombres_ambito.get(ambito, ""),
            tipo=nombres_tipo.get(tipo, ""),
            curso=curso,
            edicion=edicion,
            estado_inscripcion=nombres_estado.get(estado, estado),
            inscrita_en=inscrita_en,
            acreditada_en=completada_en,
            avance=avance,
            asistencias=len(llave[2] & sesiones_por_edicion.get(edicion_id, set())),
            sesiones=ctx.sesiones.get(edicion_id, 0),
            puntaje=puntaje,
        )


@dataclass(frozen=True)
class Derivados:
    """What only the derived completion can tell: the phase funnel and the scores."""

    fases_completadas: tuple[int, ...]
    puntajes: tuple[int, ...]  # counts per ANCHO_INTERVALO-wide bucket, 0–100
    con_puntaje: int


def derivados(qs: QuerySet[Inscripcion]) -> Derivados:
    """Funnel by phase position and score histogram, from one streamed pass."""
    fases: Counter[int] = Counter()
    cubetas = [0] * (100 // ANCHO_INTERVALO)
    con_puntaje = 0
    maximo = 0
    for registro in registros(qs):
        maximo = max(maximo, len(registro.avance.fases_completas))
        for posicion in range(1, registro.avance.fases_seguidas + 1):
            fases[posicion] += 1
        if registro.puntaje is not None:
            con_puntaje += 1
            indice = min(int(registro.puntaje) // ANCHO_INTERVALO, len(cubetas) - 1)
            cubetas[indice] += 1
    return Derivados(
        fases_completadas=tuple(fases[i] for i in range(1, maximo + 1)),
        puntajes=tuple(cubetas),
        con_puntaje=con_puntaje,
    )


@dataclass(frozen=True)
class Tablero:
    cifras: CifrasClave
    por_entidad: list[FilaEntidad]
    por_mes: list[tuple[datetime.date, int]]
    puntajes: tuple[int, ...]
    con_puntaje: int


# Derived figures are kept this long at most, even if no fact changed.
VIGENCIA_DERIVADOS = 10 * 60


def huella_de_hechos() -> tuple[Any, ...]:
    """Changes whenever a fact or rule that the derived figures read changes.

    Four aggregate queries on indexed columns; cheaper than one derivation pass.
    """
    from wagtail.models import Revision

    from cursos.models import Asistencia

    return (
        tuple(Inscripcion.objects.aggregate(n=Count("pk"), m=Max("pk")).values()),
        tuple(ProgresoLeccion.objects.aggregate(n=Count("pk"), m=Max("pk")).values()),
        tuple(Asistencia.objects.aggregate(n=Count("pk"), m=Max("pk")).values()),
        tuple(
            Intento.objects.aggregate(n=Count("pk"), m=Max("calificado_en"), r=Max("pk")).values()
        ),
        Revision.objects.aggregate(m=Max("pk"))["m"],
    )


def derivados_en_cache(usuario: Any, filtros: Filtros, qs: QuerySet[Inscripcion]) -> Derivados:
    """`derivados(qs)`, reused while no fact changed: a full pass costs seconds at 100,000."""
    alcance = alcance_de(usuario)
    llave = (
        "reportes:derivados:"
        + hashlib.sha256(
            repr(
                (
                    alcance.nacional,
                    sorted(alcance.entidades),
                    alcance.usuario_id,
                    sorted(filtros.como_json().items()),
                    huella_de_hechos(),
                )
            ).encode()
        ).hexdigest()
    )
    guardado = cache.get(llave)
    if guardado is not None:
        return guardado
    calculados = derivados(qs)
    cache.set(llave, calculados, VIGENCIA_DERIVADOS)
    return calculados


def tablero(usuario: Any, filtros: Filtros) -> Tablero:
    """Everything the coordination dashboard shows, for `usuario`'s scope and `filtros`."""
    qs = inscripciones_filtradas(usuario, filtros)
    totales = conteos(qs)
    calculados = derivados_en_cache(usuario, filtros, qs)
    return Tablero(
        cifras=CifrasClave(**totales, fases_completadas=calculados.fases_completadas),
        por_entidad=completitud_por_entidad(qs),
        por_mes=inscripciones_por_mes(qs),
        puntajes=calculados.puntajes,
        con_puntaje=calculados.con_puntaje,
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
    if not curp:
        return ""
    return curp[:4] + "*" * (len(curp) - 4)


# --- Participant record (kardex) ---------------------------------------------


@dataclass(frozen=True)
class FilaKardex:
    inscripcion: Inscripcion
    estado: EstadoCurso
    asistencias: list[Any]
    intentos: list[Any]


@dataclass(frozen=True)
class Kardex:
    inscripciones: list[FilaKardex]


def kardex(usuario: Any, persona: Any) -> Kardex:
    """One person's enrolments (those `usuario` may see) with progress, attendance and attempts.

    A fixed number of queries whatever the number of enrolments.
    """
    from cursos.models import Asistencia
    from cursos.selectors import estados_de

    inscripciones = list(
        inscripciones_en_alcance(usuario)
        .filter(usuario=persona)
        .select_related("edicion", "edicion__curso")
        .order_by("-inscrita_en", "pk")
    )
    estados = estados_de(inscripciones)
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
            )
            for i in inscripciones
        ]
    )
