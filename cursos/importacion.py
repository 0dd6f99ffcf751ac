"""Reading and checking bulk-enrolment files and meeting attendance reports.

Nothing here writes. For enrolment, `leer_inscripciones` turns an uploaded
file into rows and `revisar_inscripciones` classifies each row against a
`ContextoInscripcion` loaded once per file (`cargar_contexto`): an existing
person to enrol, a new person to create and enrol, someone already enrolled,
or a rejection with its reasons. For attendance, `leer_reporte_asistencia`
recognizes a Zoom, Microsoft Teams or Google Meet report and returns each
person's total minutes; `revisar_asistencia` matches them to the enrolments.
`cursos.services_importacion` does the writing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms import tabular
from lms.entrada import parsear_id
from lms.importacion import ALIAS_ENTIDAD
from lms.tabular import ArchivoInvalido, FilaCruda, limpiar, normalizar

if TYPE_CHECKING:
    from cursos.models import Edicion, SesionEnVivo
    from lms.models import Usuario

# --- Bulk enrolment ------------------------------------------------------------

COLUMNAS = ("correo", "nombre", "apellidos", "cargo", "organizacion", "organizacion_id", "entidad")
COLUMNAS_REQUERIDAS = ("correo",)
SINONIMOS = {
    "correo_electronico": "correo",
    "email": "correo",
    "e_mail": "correo",
    "mail": "correo",
    "correo_institucional": "correo",
    "nombres": "nombre",
    "nombre(s)": "nombre",
    "nombre_s": "nombre",
    "apellido": "apellidos",
    "apellido(s)": "apellidos",
    "puesto": "cargo",
    "institucion": "organizacion",
    "dependencia": "organizacion",
    "sujeto_obligado": "organizacion",
    "organismo": "organizacion",
    "id_organizacion": "organizacion_id",
    "clave_organizacion": "organizacion_id",
    "id_de_organizacion": "organizacion_id",
    "estado": "entidad",
    "entidad_federativa": "entidad",
}
# Every row this coordinator may not enrol, whoever it names, gets this one message.
FUERA_DE_COORDINACION = gettext_lazy(
    "Esta fila está fuera de su coordinación: con estos datos no puede inscribir a la "
    "persona. Si debe participar, pida su inscripción a la coordinación nacional."
)

INSCRIBIR = "inscribir"
CREAR = "crear"
YA_INSCRITA = "ya_inscrita"
RECHAZADA = "rechazada"
ETIQUETAS = {
    INSCRIBIR: gettext_lazy("Se inscribe"),
    CREAR: gettext_lazy("Cuenta nueva y se inscribe"),
    YA_INSCRITA: gettext_lazy("Ya estaba inscrita"),
    RECHAZADA: gettext_lazy("Rechazada"),
}


@dataclass(frozen=True)
class PersonaRef:
    id: int
    correo: str
    entidad_id: int | None
    organizacion_id: int | None
    en_alcance: bool


@dataclass(frozen=True)
class OrganizacionRef:
    id: int
    nombre: str
    siglas: str
    entidad_id: int | None
    activa: bool


@dataclass
class ContextoInscripcion:
    """What the checks need from the database for one file, loaded in a few queries."""

    entidades: dict[int, str]
    alias_entidades: dict[str, int]
    organizaciones: list[OrganizacionRef]
    organizaciones_en_alcance: set[int]
    personas: dict[str, PersonaRef]
    inscritas: set[int]
    retiradas: set[int]
    entidades_elegibles: set[int]
    organizaciones_elegibles: set[int]
    cupo: int | None
    ocupados: int

    def __post_init__(self) -> None:
        self._por_id = {o.id: o for o in self.organizaciones}
        self._por_nombre: dict[tuple[int | None, str], list[OrganizacionRef]] = {}
        for org in self.organizaciones:
            for texto in {org.nombre, org.siglas} - {""}:
                llave = (org.entidad_id, normalizar(texto))
                self._por_nombre.setdefault(llave, []).append(org)

    def entidad(self, texto: str) -> int | None:
        return self.alias_entidades.get(normalizar(texto))

    def organizacion_por_id(self, texto: str) -> OrganizacionRef | None:
        identificador = parsear_id(texto)
        return self._por_id.get(identificador) if identificador is not None else None

    def organizaciones_llamadas(self, texto: str, entidad_id: int | None) -> list[OrganizacionRef]:
        buscado = normalizar(texto)
        if entidad_id is not None:
            return self._por_nombre.get((entidad_id, buscado), [])
        return [o for (_e, t), orgs in self._por_nombre.items() if t == buscado for o in orgs]


@dataclass
class FilaInscripcion:
    """A row after the checks: what will happen to it and why."""

    numero: int
    datos: dict[str, str]
    estado: str = RECHAZADA
    motivos: list[str] = field(default_factory=list)
    correo: str = ""
    nombre: str = ""
    apellidos: str = ""
    cargo: str = ""
    usuario_id: int | None = None
    reactivar: bool = False
    organizacion_id: int | None = None
    organizacion_nombre: str = ""
    entidad_id: int | None = None

    @property
    def aceptada(self) -> bool:
        return self.estado in {INSCRIBIR, CREAR}

    @property
    def motivo(self) -> str:
        return " ".join(self.motivos)

    @property
    def etiqueta(self) -> str:
        return str(ETIQUETAS[self.estado])


def leer_inscripciones(
    nombre: str, contenido: bytes, *, max_bytes: int | None = None
) -> list[FilaCruda]:
    """The rows of an enrolment file, or `ArchivoInvalido` saying what is wrong with it."""
    tabla = tabular.leer_tabla(
        nombre, contenido, max_filas=tabular.MAX_FILAS_INSCRIPCIONES, max_bytes=max_bytes
    )
    return tabular.filas_con_encabezado(
        tabla, columnas=COLUMNAS, requeridas=COLUMNAS_REQUERIDAS, sinonimos=SINONIMOS
    )


def correo_normalizado(texto: str) -> str:
    return limpiar(texto).replace(" ", "").lower()


def revisar_inscripciones(
    filas: Iterable[FilaCruda], *, contexto: ContextoInscripcion
) -> list[FilaInscripcion]:
    """Each row as a person to enrol, to create and enrol, already enrolled, or rejected."""
    vistos: dict[str, int] = {}
    lugares = None if contexto.cupo is None else max(0, contexto.cupo - contexto.ocupados)
    revisadas = []
    for fila in filas:
        revisada = FilaInscripcion(numero=fila.numero, datos=dict(fila.datos))
        _revisar_fila(revisada, contexto, vistos)
        if not revisada.motivos and revisada.aceptada and lugares is not None:
            if lugares <= 0:
                revisada.motivos.append(
                    _("Ya no hay lugares: la edición tiene cupo de %(cupo)s personas.")
                    % {"cupo": contexto.cupo}
                )
            else:
                lugares -= 1
        if revisada.motivos:
            revisada.estado = RECHAZADA
        revisadas.append(revisada)
    return revisadas


def _revisar_fila(
    revisada: FilaInscripcion, contexto: ContextoInscripcion, vistos: dict[str, int]
) -> None:
    datos, motivos = revisada.datos, revisada.motivos
    revisada.correo = correo = correo_normalizado(datos.get("correo", ""))
    revisada.nombre = limpiar(datos.get("nombre"))[:150]
    revisada.apellidos = limpiar(datos.get("apellidos"))[:150]
    revisada.cargo = limpiar(datos.get("cargo"))[:200]
    if not correo:
        motivos.append(_("Falta el correo electrónico."))
        return
    try:
        validate_email(correo)
    except ValidationError:
        motivos.append(
            _("El correo «%(correo)s» no es válido.") % {"correo": limpiar(datos.get("correo"))}
        )
        return
    if correo in vistos:
        motivos.append(
            _("Fila duplicada: el correo ya aparece en la fila %(fila)s.")
            % {"fila": vistos[correo]}
        )
        return
    vistos[correo] = revisada.numero

    persona = contexto.personas.get(correo)
    if persona is not None and persona.en_alcance:
        revisada.usuario_id = persona.id
        revisada.entidad_id = persona.entidad_id
        revisada.organizacion_id = persona.organizacion_id
        if persona.id in contexto.inscritas:
            revisada.estado = YA_INSCRITA
            return
        _revisar_elegibilidad(revisada, contexto)
        revisada.reactivar = persona.id in contexto.retiradas
        revisada.estado = INSCRIBIR
        return

    # Someone outside the coordination is checked as an unknown address would be, so
    # the answer never tells that the account exists, nor where. Only a row that would
    # create the account is refused, with the message of any row out of reach.
    if not revisada.nombre:
        motivos.append(_("Falta el nombre de la persona para crear su cuenta."))
    if not revisada.apellidos:
        motivos.append(_("Faltan los apellidos de la persona para crear su cuenta."))
    _resolver_organizacion(revisada, contexto)
    if revisada.organizacion_id is not None:
        _revisar_elegibilidad(revisada, contexto)
    if persona is not None and not motivos:
        motivos.append(str(FUERA_DE_COORDINACION))
    revisada.estado = CREAR


def _resolver_organizacion(revisada: FilaInscripcion, contexto: ContextoInscripcion) -> None:
    datos, motivos = revisada.datos, revisada.motivos
    texto_entidad = limpiar(datos.get("entidad"))
    entidad_id = contexto.entidad(texto_entidad) if texto_entidad else None
    if texto_entidad and entidad_id is None:
        motivos.append(
            _("No se reconoce la entidad federativa «%(entidad)s».") % {"entidad": texto_entidad}
        )
        return
    texto_id = limpiar(datos.get("organizacion_id"))
    texto = limpiar(datos.get("organizacion"))
    if texto_id:
        org = contexto.organizacion_por_id(texto_id)
        if org is None:
            motivos.append(
                _("No existe una organización con la clave «%(clave)s».") % {"clave": texto_id}
            )
            return
    elif texto:
        candidatas = [o for o in contexto.organizaciones_llamadas(texto, entidad_id) if o.activa]
        if not candidatas:
            motivos.append(
                _("No se reconoce la organización «%(organizacion)s»%(en)s.")
                % {
                    "organizacion": texto,
                    "en": (_(" en %(entidad)s") % {"entidad": contexto.entidades[entidad_id]})
                    if entidad_id
                    else "",
                }
            )
            return
        if len(candidatas) > 1:
            motivos.append(
                _(
                    "«%(organizacion)s» coincide con varias organizaciones; "
                    "indique la entidad o use la columna organizacion_id."
                )
                % {"organizacion": texto}
            )
            return
        org = candidatas[0]
    else:
        motivos.append(_("Falta la organización de la persona para crear su cuenta."))
        return
    if not org.activa:
        motivos.append(
            _("La organización «%(organizacion)s» ya no está activa.")
            % {"organizacion": org.nombre}
        )
        return
    if entidad_id is not None and org.entidad_id not in {None, entidad_id}:
        motivos.append(
            _("La organización «%(organizacion)s» no pertenece a %(entidad)s.")
            % {"organizacion": org.nombre, "entidad": contexto.entidades[entidad_id]}
        )
        return
    if org.id not in contexto.organizaciones_en_alcance:
        motivos.append(str(FUERA_DE_COORDINACION))
        return
    revisada.organizacion_id = org.id
    revisada.organizacion_nombre = org.nombre
    revisada.entidad_id = org.entidad_id if org.entidad_id is not None else entidad_id


def _revisar_elegibilidad(revisada: FilaInscripcion, contexto: ContextoInscripcion) -> None:
    """The rule of `cursos.services.motivo_no_elegible`, on the preloaded sets."""
    if contexto.entidades_elegibles and revisada.entidad_id not in contexto.entidades_elegibles:
        revisada.motivos.append(
            _("La edición es solo para personas de otras entidades federativas.")
        )
    elif (
        contexto.organizaciones_elegibles
        and revisada.organizacion_id not in contexto.organizaciones_elegibles
    ):
        revisada.motivos.append(_("La edición es solo para personas de otras organizaciones."))


def resumen_inscripciones(filas: Iterable[FilaInscripcion]) -> dict[str, int]:
    conteo = {INSCRIBIR: 0, CREAR: 0, YA_INSCRITA: 0, RECHAZADA: 0}
    for fila in filas:
        conteo[fila.estado] += 1
    return conteo


def reporte_rechazadas(filas: Iterable[FilaInscripcion]) -> bytes:
    """Rejected rows and why, as CSV in UTF-8 with BOM for Excel."""
    return tabular.csv_para_excel(
        [_("fila"), *COLUMNAS, _("motivo")],
        (
            [f.numero, *(f.datos.get(c, "") for c in COLUMNAS), f.motivo]
            for f in filas
            if f.estado == RECHAZADA
        ),
    )


def _en_lotes(valores: Sequence[Any], tamano: int = 900) -> Iterable[Sequence[Any]]:
    for inicio in range(0, len(valores), tamano):
        yield valores[inicio : inicio + tamano]


def cargar_contexto(
    *, edicion: Edicion, coordinador: Usuario, correos: Iterable[str]
) -> ContextoInscripcion:
    """Load, in a handful of queries, what checking a file of `correos` needs."""
    from cursos.models import Inscripcion
    from lms.alcance import filtrar_por_alcance
    from lms.models import EntidadFederativa, Organizacion
    from lms.models import Usuario as UsuarioModel

    entidades: dict[int, str] = {}
    alias: dict[str, int] = {}
    for entidad in EntidadFederativa.objects.all():
        entidades[entidad.pk] = entidad.nombre
        for texto in {
            entidad.clave_inegi,
            str(int(entidad.clave_inegi)),
            entidad.nombre,
            entidad.abreviatura,
            *ALIAS_ENTIDAD.get(entidad.clave_inegi, ()),
        }:
            alias[normalizar(texto)] = entidad.pk
    organizaciones = [
        OrganizacionRef(id=pk, nombre=nombre, siglas=siglas, entidad_id=entidad_id, activa=activa)
        for pk, nombre, siglas, entidad_id, activa in Organizacion.objects.values_list(
            "pk", "nombre", "siglas", "entidad_id", "activa"
        )
    ]
    en_alcance = set(
        filtrar_por_alcance(coordinador, Organizacion.objects.all()).values_list("pk", flat=True)
    )
    buscados = sorted({c for c in (correo_normalizado(c) for c in correos) if c})
    personas: dict[str, PersonaRef] = {}
    for lote in _en_lotes(buscados):
        base = UsuarioModel.objects.annotate(correo_min=Lower("email")).filter(
            correo_min__in=list(lote)
        )
        visibles = set(
            filtrar_por_alcance(coordinador, base, ruta_entidad="entidad").values_list(
                "pk", flat=True
            )
        )
        for pk, correo, entidad_id, organizacion_id in base.values_list(
            "pk", "correo_min", "entidad_id", "organizacion_id"
        ):
            personas[correo] = PersonaRef(
                id=pk,
                correo=correo,
                entidad_id=entidad_id,
                organizacion_id=organizacion_id,
                en_alcance=pk in visibles,
            )
    inscritas: set[int] = set()
    retiradas: set[int] = set()
    ids = [p.id for p in personas.values()]
    for lote in _en_lotes(ids):
        for usuario_id, estado in Inscripcion.objects.filter(
            edicion=edicion, usuario_id__in=list(lote)
        ).values_list("usuario_id", "estado"):
            (inscritas if estado == Inscripcion.Estado.ACTIVA else retiradas).add(usuario_id)
    ocupados = Inscripcion.objects.filter(edicion=edicion, estado=Inscripcion.Estado.ACTIVA).count()
    return ContextoInscripcion(
        entidades=entidades,
        alias_entidades=alias,
        organizaciones=organizaciones,
        organizaciones_en_alcance=en_alcance,
        personas=personas,
        inscritas=inscritas,
        retiradas=retiradas,
        entidades_elegibles=set(edicion.entidades.values_list("pk", flat=True)),
        organizaciones_elegibles=set(edicion.organizaciones.values_list("pk", flat=True)),
        cupo=edicion.cupo,
        ocupados=ocupados,
    )


# --- Attendance reports ----------------------------------------------------------

ZOOM = "zoom"
TEAMS = "teams"
MEET = "meet"
NOMBRES_FORMATO = {ZOOM: "Zoom", TEAMS: "Microsoft Teams", MEET: "Google Meet"}

# Header spellings (normalized) of each column in the reports, English and Spanish.
_ENC_CORREO = {
    "email",
    "user email",
    "correo electronico",
    "correo electronico del usuario",
    "correo",
    "participant email",
    "correo electronico del participante",
    "e-mail",
}
_ENC_NOMBRE = {
    "name",
    "name (original name)",
    "nombre (nombre original)",
    "nombre",
    "full name",
    "nombre completo",
    "participant name",
    "nombre del participante",
}
_ENC_NOMBRE_PILA = {"first name", "nombre de pila"}
_ENC_APELLIDO = {"last name", "apellido", "apellidos"}
_ENC_DURACION = {
    "duration (minutes)",
    "duracion (minutos)",
    "total duration (minutes)",
    "duracion total (minutos)",
    "in-meeting duration",
    "duracion en la reunion",
    "duration",
    "duracion",
    "attendance duration",
    "duracion de la asistencia",
}
_ENC_REUNION = {"meeting id", "id de reunion", "id de la reunion", "topic", "tema"}
_SECCIONES_TEAMS = {
    "1. summary",
    "1. resumen",
    "2. participants",
    "2. participantes",
    "3. in-meeting activities",
    "3. actividades en la reunion",
}


@dataclass
class PersonaReporte:
    """A person in a meeting report: their email, a name, and their minutes summed over joins."""

    correo: str
    nombre: str
    minutos: int
    lineas: list[int] = field(default_factory=list)


@dataclass
class FilaSinCorreo:
    numero: int
    nombre: str
    minutos: int


@dataclass
class ReporteAsistencia:
    formato: str
    personas: list[PersonaReporte]
    sin_correo: list[FilaSinCorreo]

    @property
    def nombre_formato(self) -> str:
        return NOMBRES_FORMATO[self.formato]


def _formato_desconocido() -> ArchivoInvalido:
    return ArchivoInvalido(
        _(
            "No se reconoce el formato del reporte de asistencia. Se admiten: la lista de "
            "participantes de Zoom (CSV), la lista de asistencia de Microsoft Teams (CSV) y el "
            "reporte de asistencia de Google Meet (CSV). Descárguelo de la plataforma sin "
            "modificar sus columnas."
        )
    )


_RE_HMS = re.compile(r"^(\d+):(\d{1,2})(?::(\d{1,2}))?$")
_RE_PARTE = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(h|hr|hrs|hora|horas|hour|hours|m|min|mins|minuto|minutos|minute|"
    r"minutes|s|seg|segs|sec|secs|segundo|segundos|second|seconds)\b"
)


def minutos_de(texto: str) -> int | None:
    """Minutes in a duration as the platforms write it: 45, 1:05:30, 1h 5m 30s, 1 hr 5 min."""
    texto = normalizar(texto)
    if not texto:
        return None
    if re.fullmatch(r"\d+(?:[.,]\d+)?", texto):
        return int(float(texto.replace(",", ".")))
    hms = _RE_HMS.match(texto)
    if hms:
        horas, minutos, segundos = hms.group(1), hms.group(2), hms.group(3)
        if segundos is None:  # "1:05" is hours and minutes
            return int(horas) * 60 + int(minutos)
        return int(horas) * 60 + int(minutos) + int(segundos) // 60
    segundos_totales = 0.0
    encontrado = False
    for numero, unidad in _RE_PARTE.findall(texto):
        valor = float(numero.replace(",", "."))
        encontrado = True
        if unidad.startswith("h"):
            segundos_totales += valor * 3600
        elif unidad.startswith("m"):
            segundos_totales += valor * 60
        else:
            segundos_totales += valor
    return int(segundos_totales // 60) if encontrado else None


def _es_encabezado(celdas: list[str]) -> dict[str, int] | None:
    """Column positions if `celdas` is a report header with an email and a duration."""
    normal = [normalizar(c) for c in celdas]
    posiciones: dict[str, int] = {}
    for i, texto in enumerate(normal):
        if texto in _ENC_CORREO and "correo" not in posiciones:
            posiciones["correo"] = i
        elif texto in _ENC_DURACION and "duracion" not in posiciones:
            posiciones["duracion"] = i
        elif texto in _ENC_NOMBRE and "nombre" not in posiciones:
            posiciones["nombre"] = i
        elif texto in _ENC_NOMBRE_PILA:
            posiciones["nombre_pila"] = i
        elif texto in _ENC_APELLIDO:
            posiciones["apellido"] = i
        elif texto in _ENC_REUNION:
            posiciones["reunion"] = i
    if "duracion" in posiciones and ("correo" in posiciones or "nombre" in posiciones):
        return posiciones
    return None


def _detectar_formato(tabla: list[tuple[int, list[str]]], encabezado: list[str]) -> str:
    normal = {normalizar(c) for c in encabezado}
    primeras = {normalizar(celdas[0]) for _n, celdas in tabla[:60] if celdas}
    if primeras & _SECCIONES_TEAMS or normal & {
        "in-meeting duration",
        "duracion en la reunion",
        "participant id (upn)",
        "id de participante (upn)",
        "first join",
        "primera union",
    }:
        return TEAMS
    if normal & {
        "name (original name)",
        "nombre (nombre original)",
        "duration (minutes)",
        "duracion (minutos)",
        "total duration (minutes)",
        "user email",
        "correo electronico del usuario",
    }:
        return ZOOM
    if normal & {"first name", "last name", "time joined", "time exited", "hora de entrada"}:
        return MEET
    if {"duration", "duracion"} & normal:
        return MEET
    raise _formato_desconocido()


def leer_reporte_asistencia(
    nombre: str, contenido: bytes, *, max_bytes: int | None = None
) -> ReporteAsistencia:
    """Each person's email, name and total minutes in a Zoom, Teams or Meet report."""
    separador = None
    if not contenido.startswith(b"PK\x03\x04"):
        texto = tabular.decodificar(contenido)
        # Teams reports start with a section title and no separator; Excel's
        # "Unicode text" and Teams use tabs throughout.
        if any("\t" in linea for linea in tabular.primeras_lineas(texto, 40)):
            separador = "\t"
    try:
        tabla = tabular.leer_tabla(
            nombre,
            contenido,
            max_filas=tabular.MAX_FILAS_ASISTENCIA,
            max_bytes=max_bytes,
            separador=separador,
        )
    except ArchivoInvalido as error:
        if isinstance(error, tabular.LimiteExcedido) or "vacío" in error.mensaje:
            raise
        raise _formato_desconocido() from error
    inicio, posiciones = None, None
    for indice, (_numero, celdas) in enumerate(tabla):
        encontradas = _es_encabezado(celdas)
        if encontradas is not None and "reunion" not in encontradas:
            inicio, posiciones = indice, encontradas
            break
    if inicio is None or posiciones is None:
        raise _formato_desconocido()
    formato = _detectar_formato(tabla, tabla[inicio][1])

    por_correo: dict[str, PersonaReporte] = {}
    sin_correo: list[FilaSinCorreo] = []
    for numero, celdas in tabla[inicio + 1 :]:
        if not any(celdas):
            if formato == TEAMS:
                break  # the participants section ends; activities repeat the same joins
            continue
        if len(celdas) == 1 and normalizar(celdas[0]) in _SECCIONES_TEAMS:
            break
        if _es_encabezado(celdas) is not None:
            break

        def celda(clave: str, celdas: list[str] = celdas) -> str:
            i = posiciones.get(clave)
            return celdas[i] if i is not None and i < len(celdas) else ""

        nombre_persona = " ".join(
            p for p in (celda("nombre") or celda("nombre_pila"), celda("apellido")) if p
        )
        minutos = minutos_de(celda("duracion")) or 0
        correo = correo_normalizado(celda("correo"))
        valido = bool(correo)
        if valido:
            try:
                validate_email(correo)
            except ValidationError:
                valido = False
        if not valido:
            sin_correo.append(FilaSinCorreo(numero=numero, nombre=nombre_persona, minutos=minutos))
            continue
        persona = por_correo.get(correo)
        if persona is None:
            por_correo[correo] = PersonaReporte(
                correo=correo, nombre=nombre_persona, minutos=minutos, lineas=[numero]
            )
        else:
            persona.minutos += minutos
            persona.lineas.append(numero)
            persona.nombre = persona.nombre or nombre_persona
    if not por_correo and not sin_correo:
        raise ArchivoInvalido(_("El reporte no tiene participantes."))
    return ReporteAsistencia(
        formato=formato, personas=list(por_correo.values()), sin_correo=sin_correo
    )


PRESENTE = "presente"
YA_REGISTRADA = "ya_registrada"
INSUFICIENTE = "insuficiente"
SIN_COINCIDENCIA = "sin_coincidencia"


@dataclass
class FilaAsistencia:
    correo: str
    nombre: str
    minutos: int
    estado: str
    usuario_id: int | None = None
    lineas: list[int] = field(default_factory=list)


def revisar_asistencia(
    reporte: ReporteAsistencia,
    *,
    inscritas: dict[str, int],
    registradas: set[int],
    minimos_minutos: int,
) -> list[FilaAsistencia]:
    """Each person of the report as present, below the minimum, already recorded or unmatched.

    `inscritas` maps lower-case emails of the active enrolments to user ids;
    `registradas` holds the user ids whose attendance is already recorded.
    """
    filas = []
    for persona in reporte.personas:
        usuario_id = inscritas.get(persona.correo)
        if usuario_id is None:
            estado = SIN_COINCIDENCIA
        elif persona.minutos < minimos_minutos:
            estado = INSUFICIENTE
        elif usuario_id in registradas:
            estado = YA_REGISTRADA
        else:
            estado = PRESENTE
        filas.append(
            FilaAsistencia(
                correo=persona.correo,
                nombre=persona.nombre,
                minutos=persona.minutos,
                estado=estado,
                usuario_id=usuario_id,
                lineas=persona.lineas,
            )
        )
    for sin in reporte.sin_correo:
        filas.append(
            FilaAsistencia(
                correo="",
                nombre=sin.nombre,
                minutos=sin.minutos,
                estado=SIN_COINCIDENCIA,
                lineas=[sin.numero],
            )
        )
    return filas


def inscritas_de_sesion(sesion: SesionEnVivo, usuario: Any) -> tuple[dict[str, int], set[int]]:
    """Lower-case emails → user ids of the active enrolments `usuario` may see, and who
    of them is already recorded as present."""
    from cursos import selectors
    from cursos.models import Asistencia, Inscripcion

    inscritas = dict(
        selectors.inscripciones_visibles(usuario, sesion.edicion)
        .filter(estado=Inscripcion.Estado.ACTIVA)
        .annotate(correo_min=Lower("usuario__email"))
        .values_list("correo_min", "usuario_id")
    )
    registradas = set(Asistencia.objects.filter(sesion=sesion).values_list("usuario_id", flat=True))
    return inscritas, registradas
