"""Reading and checking bulk-enrolment files.

Nothing here writes. `leer_hoja` turns an uploaded file into its
header and rows as written; `cursos.columnas` says what each column holds (or
the coordinator does), `aplicar_asignacion` reads the rows that way, and
`revisar_inscripciones` classifies each row against a `ContextoInscripcion`
loaded once per file (`cargar_contexto`): an existing person to enrol, a new
person to create and enrol, someone already enrolled, or a rejection with its
reasons. Institutions the catalogue does not know are listed once each
(`organizaciones_por_resolver`) for the coordinator to decide.
`cursos.services_importacion` does the writing. Meeting attendance reports are
read in `cursos.importacion_asistencia`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cursos import columnas
from cursos.manifestaciones import entidades_abiertas
from lms import tabular
from lms.coincidencias import IndiceOrganizaciones, Sugerencia, clave_nombre
from lms.entidades import IndiceEntidades
from lms.entrada import parsear_id
from lms.services import entidad_de_persona
from lms.tabular import ArchivoInvalido, FilaCruda, limpiar
from lms.validators import normalizar_curp, validar_curp

if TYPE_CHECKING:
    from cursos.models import Edicion
    from lms.models import Usuario

# --- Bulk enrolment ------------------------------------------------------------

COLUMNAS = tuple(columnas.CAMPOS)
# Every row this coordinator may not enrol, whoever it names, gets this one message.
FUERA_DE_COORDINACION = gettext_lazy(
    "Esta fila está fuera de su coordinación: con estos datos no puede inscribir a la "
    "persona. Si debe participar, pida su inscripción a la coordinación nacional."
)
# How many rows above the header a list may have (titles, dates, the office's name).
MAX_FILAS_TITULO = 10

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

# What the coordinator decided for an institution name the catalogue does not know.
USAR = "usar"
CREAR_ORGANIZACION = "crear"
SIN_ORGANIZACION = "sin"


@dataclass(frozen=True)
class Hoja:
    """A list as written: its header cells and its data rows (number in the file, cells)."""

    encabezados: list[str]
    filas: list[tuple[int, list[str]]]
    filas_titulo: int = 0


@dataclass(frozen=True)
class FilaLeida:
    """A data row read with a column assignment: fields by name, and the cells as written."""

    numero: int
    datos: dict[str, str]
    celdas: tuple[str, ...] = ()


@dataclass(frozen=True)
class PersonaRef:
    id: int
    correo: str
    entidad_id: int | None
    organizacion_id: int | None
    en_alcance: bool
    curp: str = ""


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
    indice_entidades: IndiceEntidades
    organizaciones: list[OrganizacionRef]
    organizaciones_en_alcance: set[int]
    personas: dict[str, PersonaRef]
    inscritas: set[int]
    retiradas: set[int]
    entidades_elegibles: set[int]
    organizaciones_elegibles: set[int]
    cupo: int | None
    ocupados: int
    # States whose manifestación de interés opened the programme (None: not required).
    entidades_con_manifestacion: frozenset[int] | None = None
    # None: every entity (national coordination, administrators).
    entidades_en_alcance: set[int] | None = None
    puede_crear_organizacion: bool = False
    curps: dict[str, PersonaRef] = field(default_factory=dict)
    resoluciones: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._por_id = {o.id: o for o in self.organizaciones}
        self.indice_organizaciones = IndiceOrganizaciones(self.organizaciones)

    @property
    def entidad_unica(self) -> int | None:
        """The coordinator's entity, when they coordinate exactly one."""
        if self.entidades_en_alcance is not None and len(self.entidades_en_alcance) == 1:
            return next(iter(self.entidades_en_alcance))
        return None

    def entidad(self, texto: str) -> int | None:
        encontrada = self.indice_entidades.buscar(texto)
        return encontrada.id if encontrada is not None else None

    def entidad_alcanzable(self, entidad_id: int | None) -> bool:
        return self.entidades_en_alcance is None or entidad_id in self.entidades_en_alcance

    def organizacion_por_id(self, texto: str | int) -> OrganizacionRef | None:
        identificador = parsear_id(str(texto))
        return self._por_id.get(identificador) if identificador is not None else None

    def organizaciones_llamadas(self, texto: str, entidad_id: int | None) -> list[OrganizacionRef]:
        """Active organizations named `texto`, in `entidad_id` (or federal) when given."""
        exactas = [o for o in self.indice_organizaciones.exactas(texto) if o.activa]
        if entidad_id is None:
            return exactas
        return [o for o in exactas if o.entidad_id == entidad_id] or [
            o for o in exactas if o.entidad_id is None
        ]

    def sugerencias(self, texto: str, entidad_id: int | None) -> list[Sugerencia]:
        """The closest names among the organizations this coordinator may enrol people in."""
        candidatas = [
            o
            for o in self.organizaciones
            if o.activa
            and o.id in self.organizaciones_en_alcance
            and (entidad_id is None or o.entidad_id in {entidad_id, None})
        ]
        return self.indice_organizaciones.sugerencias(texto, candidatas)


@dataclass
class FilaInscripcion:
    """A row after the checks: what will happen to it and why."""

    numero: int
    datos: dict[str, str]
    estado: str = RECHAZADA
    motivos: list[str] = field(default_factory=list)
    celdas: tuple[str, ...] = ()
    correo: str = ""
    nombre: str = ""
    apellidos: str = ""
    cargo: str = ""
    curp: str = ""
    usuario_id: int | None = None
    reactivar: bool = False
    organizacion_id: int | None = None
    organizacion_nombre: str = ""
    # A name to add to the catalogue at confirmation, as the coordinator decided.
    organizacion_nueva: str = ""
    entidad_id: int | None = None
    # The key of an institution name the catalogue does not know (see `clave_pendiente`).
    pendiente: str = ""

    @property
    def aceptada(self) -> bool:
        return self.estado in {INSCRIBIR, CREAR}

    @property
    def motivo(self) -> str:
        return " ".join(self.motivos)

    @property
    def etiqueta(self) -> str:
        return str(ETIQUETAS[self.estado])


@dataclass
class OrganizacionPorResolver:
    """An institution name the catalogue does not know, once per file, with what to do."""

    clave: str
    texto: str
    entidad_id: int | None
    entidad_nombre: str
    filas: list[int]
    sugerencias: list[Sugerencia]
    decision: dict[str, Any] | None = None

    @property
    def decision_valor(self) -> str:
        """The decision as the form's value: `usar:7`, `crear`, `sin` or ``."""
        if not self.decision:
            return ""
        if self.decision.get("accion") == USAR:
            return f"{USAR}:{self.decision.get('organizacion_id')}"
        return str(self.decision.get("accion", ""))


def clave_pendiente(texto: str, entidad_id: int | None) -> str:
    return f"{entidad_id or 0}:{clave_nombre(texto)}"


# --- Reading ---------------------------------------------------------------------


def leer_hoja(nombre: str, contenido: bytes, *, max_bytes: int | None = None) -> Hoja:
    """The header and data rows of a CSV or XLSX list, or `ArchivoInvalido` saying why not.

    The header is the first non-blank row, unless a later one among the first
    `MAX_FILAS_TITULO` names more known columns (lists often open with a title).
    """
    tabla = tabular.leer_tabla(
        nombre, contenido, max_filas=tabular.MAX_FILAS_INSCRIPCIONES, max_bytes=max_bytes
    )
    no_vacias = [(numero, celdas) for numero, celdas in tabla if any(c.strip() for c in celdas)]
    if not no_vacias:
        raise ArchivoInvalido(_("El archivo está vacío."))
    conocidas = [
        sum(columnas.reconocer(c) not in {None, columnas.IGNORAR} for c in celdas)
        for _numero, celdas in no_vacias[:MAX_FILAS_TITULO]
    ]
    posicion = max(range(len(conocidas)), key=lambda i: (conocidas[i], -i))
    if conocidas[posicion] == 0:
        posicion = 0
    encabezados = [limpiar(c) for c in no_vacias[posicion][1]]
    filas = no_vacias[posicion + 1 :]
    ancho = max([len(encabezados), *(len(celdas) for _n, celdas in filas)])
    # Columns with no header and no value anywhere are Excel's formatting, not data.
    usadas = [
        i
        for i in range(ancho)
        if (i < len(encabezados) and encabezados[i])
        or any(i < len(celdas) and celdas[i].strip() for _n, celdas in filas)
    ]
    ultima = max(usadas, default=-1) + 1
    encabezados = (encabezados + [""] * ultima)[:ultima]
    filas = [(numero, (list(celdas) + [""] * ultima)[:ultima]) for numero, celdas in filas]
    if not filas:
        raise ArchivoInvalido(_("El archivo solo tiene la fila de encabezados; no hay datos."))
    return Hoja(encabezados=encabezados, filas=filas, filas_titulo=posicion)


def asignacion_sugerida(hoja: Hoja) -> list[str | None]:
    """What each column holds, as far as its header says; None where it says nothing known."""
    sugerida = columnas.sugerir(hoja.encabezados)
    for i, texto in enumerate(hoja.encabezados):
        if not texto and sugerida[i] is None:
            vacia = not any(celdas[i].strip() for _n, celdas in hoja.filas)
            sugerida[i] = columnas.IGNORAR if vacia else None
    return sugerida


def aplicar_asignacion(hoja: Hoja, asignacion: Sequence[str | None]) -> list[FilaLeida]:
    """The rows with their fields by name; both surnames are joined, in the order given."""
    posiciones = {campo: i for i, campo in enumerate(asignacion) if campo in columnas.CAMPOS}
    filas = []
    for numero, celdas in hoja.filas:
        datos = {campo: celdas[i] for campo, i in posiciones.items()}
        for campo in COLUMNAS:
            datos.setdefault(campo, "")
        partes = [
            limpiar(datos[columnas.PRIMER_APELLIDO]),
            limpiar(datos[columnas.SEGUNDO_APELLIDO]),
        ]
        if any(partes):
            datos[columnas.APELLIDOS] = " ".join(p for p in partes if p)
        filas.append(FilaLeida(numero=numero, datos=datos, celdas=tuple(celdas)))
    return filas


def leer_inscripciones(
    nombre: str, contenido: bytes, *, max_bytes: int | None = None
) -> list[FilaLeida]:
    """The rows of a list whose headers all say what they hold, or `ArchivoInvalido`."""
    hoja = leer_hoja(nombre, contenido, max_bytes=max_bytes)
    asignacion = asignacion_sugerida(hoja)
    errores = columnas.errores_asignacion(hoja.encabezados, asignacion)
    if errores:
        raise ArchivoInvalido(" ".join(errores))
    return aplicar_asignacion(hoja, asignacion)


def correo_normalizado(texto: str) -> str:
    return limpiar(texto).replace(" ", "").lower()


def curp_normalizada(texto: str) -> str:
    return re.sub(r"[\s.\-]", "", normalizar_curp(limpiar(texto)))


# --- Checking --------------------------------------------------------------------


def revisar_inscripciones(
    filas: Iterable[FilaCruda | FilaLeida], *, contexto: ContextoInscripcion
) -> list[FilaInscripcion]:
    """Each row as a person to enrol, to create and enrol, already enrolled, or rejected."""
    vistos: dict[str, int] = {}
    curps_vistas: dict[str, int] = {}
    lugares = None if contexto.cupo is None else max(0, contexto.cupo - contexto.ocupados)
    revisadas = []
    for fila in filas:
        revisada = FilaInscripcion(
            numero=fila.numero, datos=dict(fila.datos), celdas=getattr(fila, "celdas", ())
        )
        _revisar_fila(revisada, contexto, vistos, curps_vistas)
        if (
            not revisada.motivos
            and revisada.aceptada
            and lugares is not None
            and contexto.cupo is not None  # always, when there are places to count
        ):
            if lugares <= 0:
                revisada.motivos.append(
                    ngettext(
                        "Ya no hay lugares: la edición tiene cupo de %(cupo)s persona.",
                        "Ya no hay lugares: la edición tiene cupo de %(cupo)s personas.",
                        contexto.cupo,
                    )
                    % {"cupo": contexto.cupo}
                )
            else:
                lugares -= 1
        if revisada.motivos:
            revisada.estado = RECHAZADA
        revisadas.append(revisada)
    return revisadas


def _revisar_curp(
    revisada: FilaInscripcion, contexto: ContextoInscripcion, vistas: dict[str, int]
) -> None:
    texto = limpiar(revisada.datos.get(columnas.CURP))
    if not texto:
        return
    curp = curp_normalizada(texto)
    try:
        validar_curp(curp)
    except ValidationError as error:
        revisada.motivos.append(
            _("CURP no válida: %(detalle)s") % {"detalle": " ".join(error.messages)}
        )
        return
    if curp in vistas:
        revisada.motivos.append(
            _("Fila duplicada: la CURP ya aparece en la fila %(fila)s.") % {"fila": vistas[curp]}
        )
        return
    vistas[curp] = revisada.numero
    revisada.curp = curp


def _curp_ajena(revisada: FilaInscripcion, contexto: ContextoInscripcion) -> bool:
    """Whether the row's CURP belongs to an account other than the row's; says why if so."""
    duena = contexto.curps.get(revisada.curp) if revisada.curp else None
    if duena is None or duena.id == revisada.usuario_id:
        return False
    if duena.en_alcance:
        revisada.motivos.append(
            _(
                "Esta CURP ya está registrada en otra cuenta con otro correo; inscriba a la "
                "persona con el correo de esa cuenta o revise la CURP."
            )
        )
    else:
        revisada.motivos.append(str(FUERA_DE_COORDINACION))
    return True


def _revisar_fila(
    revisada: FilaInscripcion,
    contexto: ContextoInscripcion,
    vistos: dict[str, int],
    curps_vistas: dict[str, int],
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
    _revisar_curp(revisada, contexto, curps_vistas)
    if motivos:
        return

    persona = contexto.personas.get(correo)
    if persona is not None and persona.en_alcance:
        revisada.usuario_id = persona.id
        revisada.entidad_id = persona.entidad_id
        revisada.organizacion_id = persona.organizacion_id
        if _curp_ajena(revisada, contexto):
            return
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
    if _curp_ajena(revisada, contexto):
        revisada.estado = CREAR
        return
    _resolver_organizacion(revisada, contexto)
    if revisada.organizacion_id is not None or (
        revisada.entidad_id is not None and not revisada.motivos
    ):
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
            _(
                "No se reconoce la entidad federativa «%(entidad)s»; escríbala con su nombre "
                "o su abreviatura (por ejemplo, Jalisco o JAL)."
            )
            % {"entidad": texto_entidad}
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
        candidatas = contexto.organizaciones_llamadas(texto, entidad_id)
        if not candidatas:
            _resolver_desconocida(revisada, contexto, texto, entidad_id)
            return
        if len(candidatas) > 1:
            motivos.append(
                _(
                    "«%(organizacion)s» coincide con varias organizaciones; "
                    "indique la entidad o use la columna de la clave de la organización."
                )
                % {"organizacion": texto}
            )
            return
        org = candidatas[0]
    else:
        motivos.append(_("Falta la organización de la persona para crear su cuenta."))
        return
    _usar_organizacion(revisada, contexto, org, entidad_id)


def _usar_organizacion(
    revisada: FilaInscripcion,
    contexto: ContextoInscripcion,
    org: OrganizacionRef,
    entidad_id: int | None,
) -> None:
    motivos = revisada.motivos
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
    revisada.entidad_id = entidad_de_persona(organizacion=org, entidad_declarada=entidad_id)


def _resolver_desconocida(
    revisada: FilaInscripcion, contexto: ContextoInscripcion, texto: str, entidad_id: int | None
) -> None:
    """A name the catalogue does not know: apply the coordinator's decision, if any."""
    motivos = revisada.motivos
    clave = clave_pendiente(texto, entidad_id)
    decision = contexto.resoluciones.get(clave) or {}
    accion = decision.get("accion")
    if accion == USAR:
        org = contexto.organizacion_por_id(decision.get("organizacion_id", ""))
        if org is not None and org.activa and org.id in contexto.organizaciones_en_alcance:
            _usar_organizacion(revisada, contexto, org, entidad_id)
            return
    elif accion in {CREAR_ORGANIZACION, SIN_ORGANIZACION}:
        destino = entidad_id if entidad_id is not None else contexto.entidad_unica
        if accion == CREAR_ORGANIZACION and destino is None:
            motivos.append(
                _(
                    "Para agregar «%(organizacion)s» al catálogo, la fila debe decir su "
                    "entidad federativa."
                )
                % {"organizacion": texto}
            )
            return
        if not contexto.entidad_alcanzable(destino):
            motivos.append(str(FUERA_DE_COORDINACION))
            return
        if accion == CREAR_ORGANIZACION and contexto.puede_crear_organizacion:
            revisada.organizacion_nueva = texto[:255]
            revisada.organizacion_nombre = texto[:255]
            # The new organization is created in `destino`, so its people are there too.
            revisada.entidad_id = entidad_de_persona(organizacion=None, entidad_declarada=destino)
            return
        if accion == SIN_ORGANIZACION:
            revisada.entidad_id = entidad_de_persona(organizacion=None, entidad_declarada=destino)
            return
    revisada.pendiente = clave
    motivos.append(
        _(
            "La organización «%(organizacion)s» no está en el catálogo; elija en la vista "
            "previa qué hacer con ella."
        )
        % {"organizacion": texto}
    )


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
    elif (
        contexto.entidades_con_manifestacion is not None
        and revisada.entidad_id not in contexto.entidades_con_manifestacion
    ):
        revisada.motivos.append(
            _(
                "La inscripción para la entidad federativa de esta persona se abrirá cuando "
                "la coordinación nacional acepte la manifestación de interés de su órgano "
                "garante."
            )
        )


def organizaciones_por_resolver(
    filas: Iterable[FilaInscripcion], contexto: ContextoInscripcion
) -> list[OrganizacionPorResolver]:
    """Each unknown institution name of the file once, with its rows, suggestions and decision.

    Names already decided are listed too, so the coordinator can change the decision.
    """
    por_clave: dict[str, OrganizacionPorResolver] = {}
    for fila in filas:
        texto = limpiar(fila.datos.get("organizacion"))
        if not texto or limpiar(fila.datos.get("organizacion_id")):
            continue
        texto_entidad = limpiar(fila.datos.get("entidad"))
        entidad_id = contexto.entidad(texto_entidad) if texto_entidad else None
        if texto_entidad and entidad_id is None:
            continue
        clave = clave_pendiente(texto, entidad_id)
        if clave not in por_clave and not (
            fila.pendiente == clave or clave in contexto.resoluciones
        ):
            continue
        if clave not in por_clave:
            por_clave[clave] = OrganizacionPorResolver(
                clave=clave,
                texto=texto,
                entidad_id=entidad_id,
                entidad_nombre=contexto.entidades.get(entidad_id, "") if entidad_id else "",
                filas=[],
                sugerencias=contexto.sugerencias(texto, entidad_id),
                decision=contexto.resoluciones.get(clave),
            )
        por_clave[clave].filas.append(fila.numero)
    return list(por_clave.values())


def resumen_inscripciones(filas: Iterable[FilaInscripcion]) -> dict[str, int]:
    conteo = {INSCRIBIR: 0, CREAR: 0, YA_INSCRITA: 0, RECHAZADA: 0}
    for fila in filas:
        conteo[fila.estado] += 1
    return conteo


def reporte_rechazadas(filas: Iterable[FilaInscripcion], *, encabezados: Sequence[str]) -> bytes:
    """Rejected rows as they were written, every column, plus why: fix in Excel, upload again.

    CSV in UTF-8 with BOM for Excel. The reason column's header is one the upload
    recognises and leaves aside, so the corrected file goes back in as it is.
    """
    ancho = len(encabezados)
    return tabular.csv_para_excel(
        [*encabezados, str(columnas.ENCABEZADO_MOTIVO)],
        (
            [*(list(f.celdas) + [""] * ancho)[:ancho], f.motivo]
            if f.celdas
            else [*[f.datos.get(c, "") for c in COLUMNAS][:ancho], f.motivo]
            for f in filas
            if f.estado == RECHAZADA
        ),
    )


def _en_lotes(valores: Sequence[Any], tamano: int = 900) -> Iterable[Sequence[Any]]:
    for inicio in range(0, len(valores), tamano):
        yield valores[inicio : inicio + tamano]


def cargar_contexto(
    *,
    edicion: Edicion,
    coordinador: Usuario,
    correos: Iterable[str],
    curps: Iterable[str] = (),
    resoluciones: Mapping[str, dict[str, Any]] | None = None,
) -> ContextoInscripcion:
    """Load, in a handful of queries, what checking a file of `correos` needs."""
    from cursos.models import Inscripcion
    from lms.alcance import alcance_de, filtrar_por_alcance, puede_crear
    from lms.models import Organizacion
    from lms.models import Usuario as UsuarioModel

    indice_entidades = IndiceEntidades.desde_base()
    organizaciones = [
        OrganizacionRef(id=pk, nombre=nombre, siglas=siglas, entidad_id=entidad_id, activa=activa)
        for pk, nombre, siglas, entidad_id, activa in Organizacion.objects.values_list(
            "pk", "nombre", "siglas", "entidad_id", "activa"
        )
    ]
    en_alcance = set(
        filtrar_por_alcance(coordinador, Organizacion.objects.all()).values_list("pk", flat=True)
    )
    alcance = alcance_de(coordinador)
    entidades_en_alcance = (
        None if alcance.nacional or alcance.es_administrador else set(alcance.entidades)
    )

    def _personas(base: Any) -> list[PersonaRef]:
        visibles = set(
            filtrar_por_alcance(coordinador, base, ruta_entidad="entidad").values_list(
                "pk", flat=True
            )
        )
        return [
            PersonaRef(
                id=pk,
                correo=correo,
                entidad_id=entidad_id,
                organizacion_id=organizacion_id,
                en_alcance=pk in visibles,
                curp=curp,
            )
            for pk, correo, entidad_id, organizacion_id, curp in base.values_list(
                "pk", "correo_min", "entidad_id", "organizacion_id", "curp"
            )
        ]

    buscados = sorted({c for c in (correo_normalizado(c) for c in correos) if c})
    personas: dict[str, PersonaRef] = {}
    for lote in _en_lotes(buscados):
        base = UsuarioModel.objects.annotate(correo_min=Lower("email")).filter(
            correo_min__in=list(lote)
        )
        for persona in _personas(base):
            personas[persona.correo] = persona
    curps_buscadas = sorted({c for c in (curp_normalizada(c) for c in curps) if len(c) == 18})
    por_curp: dict[str, PersonaRef] = {}
    for lote in _en_lotes(curps_buscadas):
        base = UsuarioModel.objects.annotate(correo_min=Lower("email")).filter(curp__in=list(lote))
        for persona in _personas(base):
            por_curp[persona.curp] = persona
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
        entidades={e.id: e.nombre for e in indice_entidades.entidades},
        indice_entidades=indice_entidades,
        organizaciones=organizaciones,
        organizaciones_en_alcance=en_alcance,
        personas=personas,
        inscritas=inscritas,
        retiradas=retiradas,
        entidades_elegibles=set(edicion.entidades.values_list("pk", flat=True)),
        organizaciones_elegibles=set(edicion.organizaciones.values_list("pk", flat=True)),
        entidades_con_manifestacion=entidades_abiertas(edicion),
        cupo=edicion.cupo,
        ocupados=ocupados,
        entidades_en_alcance=entidades_en_alcance,
        puede_crear_organizacion=puede_crear(coordinador, Organizacion),
        curps=por_curp,
        resoluciones=dict(resoluciones or {}),
    )
