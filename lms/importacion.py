"""Reading and checking a file of sujetos obligados before anything is written.

Two steps, both free of HTTP: `leer_archivo` turns the bytes Excel or a text
editor produced into rows of strings (or raises `ArchivoInvalido` with a
message for the person who uploaded it), and `revisar_filas` classifies each
row as new, an update or rejected, against a `Catalogo` of what the database
holds. Nothing here writes; `services.importar_sujetos_obligados` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from lms import tabular
from lms.entidades import EntidadRef, IndiceEntidades
from lms.tabular import (  # noqa: F401  (re-exported for callers)
    ArchivoInvalido,
    FilaCruda,
    limpiar,
    normalizar,
)

ENCABEZADOS = ("nombre", "siglas", "entidad", "ambito", "tipo", "organo_garante")
ENCABEZADOS_REQUERIDOS = ("nombre", "entidad", "ambito", "tipo")
# Header spellings people use for the same column, after normalizing.
SINONIMOS_ENCABEZADO = {
    "entidad_federativa": "entidad",
    "estado": "entidad",
    "nombre_del_sujeto_obligado": "nombre",
    "sujeto_obligado": "nombre",
    "organo_garante_local": "organo_garante",
    "garante": "organo_garante",
}
# Organizacion.Ambito codes, repeated here so the checks need no database.
AMBITO_FEDERAL = "federal"
AMBITOS_LOCALES = {"estatal", "municipal"}

NUEVA = "nueva"
ACTUALIZADA = "actualizada"
RECHAZADA = "rechazada"


@dataclass(frozen=True)
class OrganizacionRef:
    id: int
    nombre: str
    siglas: str
    entidad_id: int | None
    activa: bool = True
    fusionada_en: str = ""


@dataclass
class Catalogo:
    """What the checks need from the database, loaded once per file."""

    entidades: list[EntidadRef]
    organos_garantes: list[OrganizacionRef]
    sujetos_obligados: list[OrganizacionRef]
    ambitos: dict[str, str]
    tipos: dict[str, str]

    def __post_init__(self) -> None:
        self._entidades = IndiceEntidades(self.entidades)
        self._ambitos = _indice_opciones(self.ambitos)
        self._tipos = _indice_opciones(self.tipos)
        self._sujetos: dict[tuple[int | None, str], list[OrganizacionRef]] = {}
        for sujeto in self.sujetos_obligados:
            llave = (sujeto.entidad_id, normalizar(sujeto.nombre))
            self._sujetos.setdefault(llave, []).append(sujeto)

    def entidad(self, texto: str) -> EntidadRef | None:
        return self._entidades.buscar(texto)

    def ambito(self, texto: str) -> str | None:
        return self._ambitos.get(normalizar(texto))

    def tipo(self, texto: str) -> str | None:
        return self._tipos.get(normalizar(texto))

    def garantes_de(self, entidad_id: int | None) -> list[OrganizacionRef]:
        return [g for g in self.organos_garantes if g.entidad_id == entidad_id and g.activa]

    def garante(self, texto: str, entidad_id: int | None) -> list[OrganizacionRef]:
        buscado = normalizar(texto)
        candidatos = [
            g
            for g in self.organos_garantes
            if g.activa and buscado in {normalizar(g.nombre), normalizar(g.siglas)}
        ]
        if len(candidatos) > 1:
            candidatos = [g for g in candidatos if g.entidad_id == entidad_id] or candidatos
        return candidatos

    def sujetos(self, entidad_id: int | None, nombre: str) -> list[OrganizacionRef]:
        return self._sujetos.get((entidad_id, normalizar(nombre)), [])


@dataclass
class FilaRevisada:
    """A row after the checks: what will happen to it and why."""

    numero: int
    datos: dict[str, str]
    estado: str = NUEVA
    motivos: list[str] = field(default_factory=list)
    nombre: str = ""
    siglas: str = ""
    entidad_id: int | None = None
    entidad_nombre: str = ""
    ambito: str = ""
    tipo: str = ""
    organo_garante_id: int | None = None
    organo_garante_nombre: str = ""
    organizacion_id: int | None = None

    @property
    def aceptada(self) -> bool:
        return self.estado != RECHAZADA

    @property
    def motivo(self) -> str:
        return " ".join(self.motivos)


def _indice_opciones(opciones: dict[str, str]) -> dict[str, str]:
    indice: dict[str, str] = {}
    for codigo, etiqueta in opciones.items():
        for texto in (codigo, codigo.replace("_", " "), etiqueta):
            indice[normalizar(texto)] = codigo
    return indice


# --- Reading -----------------------------------------------------------------


def leer_archivo(nombre: str, contenido: bytes, *, max_bytes: int | None = None) -> list[FilaCruda]:
    """The rows of a CSV or XLSX file, or `ArchivoInvalido` saying what is wrong with it."""
    tabla = tabular.leer_tabla(
        nombre, contenido, max_filas=tabular.MAX_FILAS_ORGANIZACIONES, max_bytes=max_bytes
    )
    return tabular.filas_con_encabezado(
        tabla,
        columnas=ENCABEZADOS,
        requeridas=ENCABEZADOS_REQUERIDOS,
        sinonimos=SINONIMOS_ENCABEZADO,
    )


# --- Checking ----------------------------------------------------------------


def revisar_filas(filas: Iterable[FilaCruda], *, catalogo: Catalogo) -> list[FilaRevisada]:
    """Each row as new, an update of an existing body, or rejected with its reasons."""
    vistas: dict[tuple[int | None, str], int] = {}
    revisadas = []
    for fila in filas:
        revisada = FilaRevisada(numero=fila.numero, datos=dict(fila.datos))
        motivos = revisada.motivos
        datos = fila.datos

        revisada.nombre = limpiar(datos.get("nombre"))
        revisada.siglas = limpiar(datos.get("siglas"))
        if not revisada.nombre:
            motivos.append(_("Falta el nombre."))
        elif len(revisada.nombre) > 255:
            motivos.append(_("El nombre tiene más de 255 caracteres."))
        if len(revisada.siglas) > 30:
            motivos.append(_("Las siglas tienen más de 30 caracteres."))

        texto_entidad = limpiar(datos.get("entidad"))
        entidad = catalogo.entidad(texto_entidad) if texto_entidad else None
        if texto_entidad and entidad is None:
            motivos.append(
                _("No se reconoce la entidad federativa «%(entidad)s».")
                % {"entidad": texto_entidad}
            )
        elif entidad is not None:
            revisada.entidad_id = entidad.id
            revisada.entidad_nombre = entidad.nombre

        texto_ambito = limpiar(datos.get("ambito"))
        ambito = catalogo.ambito(texto_ambito) if texto_ambito else None
        if not texto_ambito:
            motivos.append(_("Falta el ámbito (federal, estatal o municipal)."))
        elif ambito is None:
            motivos.append(
                _("El ámbito «%(valor)s» no es válido; use federal, estatal o municipal.")
                % {"valor": texto_ambito}
            )
        else:
            revisada.ambito = ambito
            local = ambito in AMBITOS_LOCALES
            if local and not texto_entidad:
                motivos.append(_("Un sujeto obligado estatal o municipal necesita su entidad."))
            if ambito == AMBITO_FEDERAL and texto_entidad:
                motivos.append(
                    _("Un sujeto obligado federal no lleva entidad; deje vacía esa columna.")
                )

        texto_tipo = limpiar(datos.get("tipo"))
        tipo = catalogo.tipo(texto_tipo) if texto_tipo else None
        if not texto_tipo:
            motivos.append(_("Falta el tipo."))
        elif tipo is None:
            motivos.append(
                _("El tipo «%(valor)s» no es válido; use uno de: %(opciones)s.")
                % {"valor": texto_tipo, "opciones": ", ".join(catalogo.tipos.values())}
            )
        else:
            revisada.tipo = tipo

        if not (texto_entidad and entidad is None):
            _resolver_garante(revisada, datos, catalogo)

        if revisada.nombre and not (texto_entidad and entidad is None):
            llave = (revisada.entidad_id, normalizar(revisada.nombre))
            if llave in vistas:
                motivos.append(
                    _("Fila duplicada: repite el nombre y la entidad de la fila %(fila)s.")
                    % {"fila": vistas[llave]}
                )
            else:
                vistas[llave] = fila.numero
                _resolver_existente(revisada, catalogo)

        if motivos:
            revisada.estado = RECHAZADA
        revisadas.append(revisada)
    return revisadas


def _resolver_garante(revisada: FilaRevisada, datos: dict[str, str], catalogo: Catalogo) -> None:
    texto = limpiar(datos.get("organo_garante"))
    if texto:
        candidatos = catalogo.garante(texto, revisada.entidad_id)
        if not candidatos:
            revisada.motivos.append(
                _("No se reconoce el órgano garante «%(valor)s».") % {"valor": texto}
            )
            return
        if len(candidatos) > 1:
            revisada.motivos.append(
                _("«%(valor)s» coincide con varios órganos garantes; escriba el nombre completo.")
                % {"valor": texto}
            )
            return
    else:
        candidatos = catalogo.garantes_de(revisada.entidad_id)
        if len(candidatos) != 1:
            return
    revisada.organo_garante_id = candidatos[0].id
    revisada.organo_garante_nombre = candidatos[0].nombre


def _resolver_existente(revisada: FilaRevisada, catalogo: Catalogo) -> None:
    existentes = catalogo.sujetos(revisada.entidad_id, revisada.nombre)
    if len(existentes) > 1:
        exactas = [o for o in existentes if o.nombre.casefold() == revisada.nombre.casefold()]
        existentes = exactas if len(exactas) == 1 else existentes
    if not existentes:
        return
    if len(existentes) > 1:
        revisada.motivos.append(
            _("El nombre coincide con varias organizaciones registradas; corríjalo en el sistema.")
        )
        return
    existente = existentes[0]
    if existente.fusionada_en:
        revisada.motivos.append(
            _("«%(nombre)s» se fusionó en «%(destino)s»; no se actualiza.")
            % {"nombre": existente.nombre, "destino": existente.fusionada_en}
        )
        return
    revisada.organizacion_id = existente.id
    revisada.estado = ACTUALIZADA


def resumen(filas: Iterable[FilaRevisada]) -> dict[str, int]:
    """How many rows are new, updates and rejected."""
    conteo = {NUEVA: 0, ACTUALIZADA: 0, RECHAZADA: 0}
    for fila in filas:
        conteo[fila.estado] += 1
    return conteo


def reporte_rechazadas(filas: Iterable[FilaRevisada]) -> bytes:
    """The rejected rows and their reasons as CSV, UTF-8 with BOM so Excel reads the accents."""
    return tabular.csv_para_excel(
        [_("fila"), *ENCABEZADOS, _("motivo")],
        (
            [fila.numero, *(fila.datos.get(c, "") for c in ENCABEZADOS), fila.motivo]
            for fila in filas
            if fila.estado == RECHAZADA
        ),
    )


def cargar_catalogo() -> Catalogo:
    """The entities, guarantor bodies and obligated subjects the checks compare against."""
    from lms.models import EntidadFederativa, Organizacion

    entidades = [
        EntidadRef(id=e.pk, clave_inegi=e.clave_inegi, nombre=e.nombre, abreviatura=e.abreviatura)
        for e in EntidadFederativa.objects.all()
    ]
    organizaciones = Organizacion.objects.values_list(
        "pk", "clase", "nombre", "siglas", "entidad_id", "activa", "fusionada_en__nombre"
    )
    garantes, sujetos = [], []
    for pk, clase, nombre, siglas, entidad_id, activa, fusionada_en in organizaciones:
        ref = OrganizacionRef(
            id=pk,
            nombre=nombre,
            siglas=siglas,
            entidad_id=entidad_id,
            activa=activa,
            fusionada_en=fusionada_en or "",
        )
        if clase == Organizacion.Clase.ORGANO_GARANTE:
            garantes.append(ref)
        else:
            sujetos.append(ref)
    return Catalogo(
        entidades=entidades,
        organos_garantes=garantes,
        sujetos_obligados=sujetos,
        ambitos={c: str(e) for c, e in Organizacion.Ambito.choices},
        tipos={c: str(e) for c, e in Organizacion.Tipo.choices},
    )
