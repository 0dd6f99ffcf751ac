"""A person's entity is derived in one place (`lms.services.entidad_de_persona`).

Every path that writes people is exercised, and afterwards everyone's stored entity
is what the rule gives: their organization's when it has one, else the one declared
for them. A static check keeps a sixth copy of the rule from appearing in the sources.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from django.core.management import call_command
from django.urls import reverse

from cursos import importacion, services_importacion
from lms import importacion as importacion_organizaciones
from lms import services
from lms.models import Rol, Usuario
from tests.factories import (
    AsignacionRolFactory,
    EdicionFactory,
    OrganoGaranteFactory,
    SujetoObligadoFactory,
    UsuarioFactory,
)
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db

RAIZ = Path(__file__).resolve().parents[2]
APPS = ("lms", "cursos", "constancias", "evaluaciones")


def _fuera_de_regla(declaradas: dict[str, int | None] | None = None) -> list[tuple]:
    """People whose stored entity is not the rule's: (email, stored, derived).

    `declaradas` gives, by email, the entity a test declared for someone; for anyone
    else the stored value stands as declared, so only the organization part is checked.
    """
    declaradas = declaradas or {}
    fuera = []
    for persona in Usuario.objects.select_related("organizacion"):
        derivada = services.entidad_de_persona(
            organizacion=persona.organizacion,
            entidad_declarada=declaradas.get(persona.email, persona.entidad_id),
        )
        if persona.entidad_id != derivada:
            fuera.append((persona.email, persona.entidad_id, derivada))
    return fuera


@pytest.fixture
def administrador(client):
    usuario = UsuarioFactory(organizacion=None, entidad=None)
    services.asignar_rol(usuario=usuario, rol=Rol.ADMINISTRADOR)
    client.force_login(Usuario.objects.get(pk=usuario.pk))
    return usuario


@pytest.fixture
def jalisco_org(db):
    return SujetoObligadoFactory(nombre="Secretaría de Educación Jalisco", entidad=entidad("14"))


@pytest.fixture
def federal(db):
    return SujetoObligadoFactory(
        nombre="Comisión Federal de Electricidad",
        entidad=None,
        ambito="federal",
        organo_garante=None,
    )


# --- The rule -----------------------------------------------------------------------


def test_la_regla_prefiere_la_entidad_de_la_organizacion(jalisco_org, federal):
    nayarit = entidad("18").pk
    assert services.entidad_de_persona(organizacion=jalisco_org, entidad_declarada=nayarit) == (
        entidad("14").pk
    )
    assert services.entidad_de_persona(organizacion=federal, entidad_declarada=nayarit) == nayarit
    assert services.entidad_de_persona(organizacion=None, entidad_declarada=nayarit) == nayarit
    assert services.entidad_de_persona(organizacion=None, entidad_declarada=None) is None


# --- Each write path ----------------------------------------------------------------


def test_alta_y_edicion_en_el_admin(client, administrador, jalisco_org, federal):
    otra = SujetoObligadoFactory(nombre="Congreso de Nayarit", entidad=entidad("18"))
    respuesta = client.post(
        reverse("wagtailusers_users:add"),
        {
            "email": "luz@ejemplo.gob.mx",
            "first_name": "Luz",
            "last_name": "Ramos",
            "password1": "una-contrasena-larga-9",
            "password2": "una-contrasena-larga-9",
            "organizacion": jalisco_org.pk,
        },
    )
    assert respuesta.status_code == 302, respuesta.content.decode()[:2000]
    luz = Usuario.objects.get(email="luz@ejemplo.gob.mx")
    assert luz.entidad == entidad("14")

    url = reverse("wagtailusers_users:edit", args=[luz.pk])
    datos = {"email": luz.email, "first_name": "Luz", "last_name": "Ramos", "is_active": "on"}
    assert client.post(url, {**datos, "organizacion": otra.pk}).status_code == 302
    luz.refresh_from_db()
    assert luz.entidad == entidad("18")
    assert _fuera_de_regla() == []

    # The form declares no entity: without an organization that says one, none is kept.
    assert client.post(url, {**datos, "organizacion": federal.pk}).status_code == 302
    assert _fuera_de_regla({"luz@ejemplo.gob.mx": None}) == []
    assert client.post(url, datos).status_code == 302
    assert _fuera_de_regla({"luz@ejemplo.gob.mx": None}) == []


def test_perfil_propio(client, jalisco_org, federal):
    persona = UsuarioFactory(organizacion=None, entidad=None, first_name="", last_name="")
    client.force_login(persona)
    datos = {"first_name": "Ana", "last_name": "Pérez", "cargo": "Enlace", "curp": ""}

    respuesta = client.post("/perfil/", {**datos, "organizacion": jalisco_org.pk})
    assert respuesta.status_code == 302
    persona.refresh_from_db()
    assert persona.entidad == entidad("14")
    assert client.post("/perfil/", {**datos, "organizacion": federal.pk}).status_code == 302
    assert _fuera_de_regla({persona.email: None}) == []


def test_importacion_de_organizaciones(jalisco_org):
    UsuarioFactory.create_batch(2, organizacion=jalisco_org)
    filas = importacion_organizaciones.revisar_filas(
        importacion_organizaciones.leer_archivo(
            "sujetos.csv",
            (
                "nombre,siglas,entidad,ambito,tipo\n"
                "Secretaría de Educación Jalisco,SEJ,14,estatal,poder_ejecutivo\n"
                "Congreso del Estado,,14,estatal,poder_legislativo\n"
            ).encode(),
        ),
        catalogo=importacion_organizaciones.cargar_catalogo(),
    )

    assert services.importar_sujetos_obligados(filas=filas) == {"nuevas": 1, "actualizadas": 1}
    assert _fuera_de_regla() == []


@pytest.fixture
def nacional(db):
    return AsignacionRolFactory(rol=Rol.COORDINADOR_NACIONAL, entidad=None).usuario


def _revisar_inscripciones(texto, edicion, coordinador, resoluciones=None):
    filas = importacion.leer_inscripciones("personas.csv", texto.encode())
    contexto = importacion.cargar_contexto(
        edicion=edicion,
        coordinador=coordinador,
        correos=[f.datos["correo"] for f in filas],
        resoluciones=resoluciones,
    )
    return importacion.revisar_inscripciones(filas, contexto=contexto)


def test_inscripcion_masiva_crea_personas_con_la_regla(
    nacional, jalisco_org, federal, django_capture_on_commit_callbacks
):
    edicion = EdicionFactory()
    existente = UsuarioFactory(email="ya@sej.gob.mx", organizacion=jalisco_org)
    desconocida = "Comisión Estatal del Agua"
    resoluciones = {
        importacion.clave_pendiente(desconocida, entidad("20").pk): {
            "accion": importacion.SIN_ORGANIZACION
        }
    }
    texto = (
        "correo,nombre,apellidos,cargo,organizacion,entidad\n"
        # The organization's entity wins over the one written in the row.
        "a@sej.gob.mx,Ana,Uno,,Secretaría de Educación Jalisco,\n"
        # A federal body has none: the row's entity is the person's.
        "b@cfe.gob.mx,Bruno,Dos,,Comisión Federal de Electricidad,18\n"
        # No organization: the row's entity.
        f"c@agua.gob.mx,Carla,Tres,,{desconocida},20\n"
        "ya@sej.gob.mx,,,,,\n"
    )
    filas = _revisar_inscripciones(texto, edicion, nacional, resoluciones)
    assert [f.estado for f in filas] == [importacion.CREAR] * 3 + [importacion.INSCRIBIR], [
        f.motivo for f in filas
    ]
    # Between the preview and the confirmation the organization moves to another state:
    # the account is written with the entity the organization has then.
    services.actualizar_organizacion(
        organizacion=jalisco_org,
        clase=jalisco_org.clase,
        nombre=jalisco_org.nombre,
        siglas=jalisco_org.siglas,
        entidad=entidad("01"),
        organo_garante=None,
        ambito=jalisco_org.ambito,
        tipo=jalisco_org.tipo,
        activa=True,
    )

    with django_capture_on_commit_callbacks(execute=True):
        services_importacion.inscribir_en_bloque(
            edicion=edicion, filas_revisadas=filas, coordinador=nacional
        )

    entidades = dict(Usuario.objects.values_list("email", "entidad__clave_inegi"))
    assert entidades["a@sej.gob.mx"] == "01"
    assert entidades["b@cfe.gob.mx"] == "18"
    assert entidades["c@agua.gob.mx"] == "20"
    existente.refresh_from_db()
    assert existente.entidad == entidad("01")
    assert (
        _fuera_de_regla({"b@cfe.gob.mx": entidad("18").pk, "c@agua.gob.mx": entidad("20").pk}) == []
    )


def test_cambio_de_entidad_de_una_organizacion(client, administrador, jalisco_org, federal):
    personas = UsuarioFactory.create_batch(2, organizacion=jalisco_org)
    declarada = UsuarioFactory(organizacion=federal, entidad=entidad("18"))

    def editar(organizacion, entidad_id):
        datos = {
            "clase": organizacion.clase,
            "nombre": organizacion.nombre,
            "ambito": organizacion.ambito,
            "tipo": organizacion.tipo or "otro",
            "activa": "on",
        }
        if entidad_id is not None:
            datos["entidad"] = entidad_id
        respuesta = client.post(reverse("organizacion:edit", args=[organizacion.pk]), datos)
        assert respuesta.status_code == 302, respuesta.content.decode()[:2000]

    editar(jalisco_org, entidad("20").pk)
    assert {p.entidad for p in Usuario.objects.filter(organizacion=jalisco_org)} == {entidad("20")}
    # Editing a body without an entity says nothing about its people: theirs stands.
    editar(federal, None)
    declarada.refresh_from_db()
    assert declarada.entidad == entidad("18")
    assert _fuera_de_regla() == []
    assert len(personas) == 2


def test_fusion_de_organizaciones(jalisco_org, federal):
    destino = SujetoObligadoFactory(nombre="Secretaría de Bienestar", entidad=entidad("20"))
    UsuarioFactory.create_batch(2, organizacion=jalisco_org)
    otra_federal = SujetoObligadoFactory(
        nombre="Lotería Nacional", entidad=None, ambito="federal", organo_garante=None
    )
    declarada = UsuarioFactory(organizacion=otra_federal, entidad=entidad("18"))

    services.fusionar_organizaciones(origen=jalisco_org, destino=destino)
    services.fusionar_organizaciones(origen=otra_federal, destino=federal)

    assert set(
        Usuario.objects.filter(organizacion=destino).values_list("entidad__clave_inegi", flat=True)
    ) == {"20"}
    declarada.refresh_from_db()
    assert (declarada.organizacion, declarada.entidad) == (federal, entidad("18"))
    assert _fuera_de_regla() == []


def test_demo(settings):
    settings.DEBUG = True
    call_command("cargar_demo")
    assert Usuario.objects.exclude(organizacion=None).exists()
    assert _fuera_de_regla() == []
    # The demo's national body has no entity and its people declare none.
    nacionales = Usuario.objects.filter(organizacion__entidad=None).exclude(organizacion=None)
    assert nacionales.exists()
    assert not nacionales.exclude(entidad=None).exists()


def test_organo_garante_nacional_no_da_entidad():
    nacional = OrganoGaranteFactory(entidad=None, nombre="Órgano garante nacional")
    persona = UsuarioFactory(organizacion=None, entidad=None)
    services.actualizar_perfil(
        usuario=persona, first_name="A", last_name="B", curp="", cargo="", organizacion=nacional
    )
    assert persona.entidad_id is None
    assert _fuera_de_regla({persona.email: None}) == []


# --- Nobody copies the rule ---------------------------------------------------------

PUNTO_DE_ENTRADA = {"entidad_de_persona", "alinear_entidad_de_personas"}
CAMPOS = {"entidad", "entidad_id"}
# Calls that write a person, when made on people (`Usuario...`, `...personas...`).
ESCRITURAS = {
    "create",
    "update",
    "get_or_create",
    "update_or_create",
    "bulk_update",
    "create_user",
    "create_superuser",
}
# Assignments to `<x>.entidad(_id)` that are not a person's, each with why.
NO_SON_PERSONAS = {
    (
        "lms/importacion.py",
        "revisada.entidad_id",
        "entidad.id",
    ): "a row of the organizations import: the organization's own entity",
    (
        "cursos/importacion.py",
        "revisada.entidad_id",
        "persona.entidad_id",
    ): "reads an existing person's stored entity for the eligibility check",
}
ORGANIZACIONES = ("organizacion", "org", "asignacion", "garante", "sujeto")


def _cadena(nodo: ast.AST) -> list[str]:
    """Names along `a.b(...).c(...)`, from the root: ["a", "b", "c"]."""
    nombres: list[str] = []
    while True:
        if isinstance(nodo, ast.Call):
            nodo = nodo.func
        elif isinstance(nodo, ast.Attribute):
            nombres.append(nodo.attr)
            nodo = nodo.value
        elif isinstance(nodo, ast.Subscript):
            nodo = nodo.value
        else:
            if isinstance(nodo, ast.Name):
                nombres.append(nodo.id)
            return nombres[::-1]


def _deriva(valor: ast.AST | None) -> bool:
    return isinstance(valor, ast.Call) and _cadena(valor.func)[-1:] == ["entidad_de_persona"]


def _es_de_persona(cadena: list[str]) -> bool:
    if not cadena:
        return False
    if cadena[-1] in {"create_user", "create_superuser"}:
        return True
    if cadena == ["Usuario"] or cadena[-1] == "Usuario":
        return True  # the constructor
    sobre_personas = cadena[0] == "Usuario" or "personas" in cadena
    return sobre_personas and cadena[-1] in ESCRITURAS


def _base_de_organizacion(objetivo: ast.Attribute) -> bool:
    base = _cadena(objetivo.value)
    nombre = base[-1].lower() if base else ""
    return any(palabra in nombre for palabra in ORGANIZACIONES)


class _Copias(ast.NodeVisitor):
    def __init__(self, ruta: str) -> None:
        self.ruta = ruta
        self.funcion: list[str] = []
        self.halladas: list[str] = []

    def _anotar(self, nodo: ast.AST, texto: str) -> None:
        if not (self.ruta == "lms/services.py" and PUNTO_DE_ENTRADA & set(self.funcion)):
            self.halladas.append(f"{self.ruta}:{getattr(nodo, 'lineno', 0)}: {texto}")

    def visit_FunctionDef(self, nodo: ast.FunctionDef) -> None:
        self.funcion.append(nodo.name)
        self.generic_visit(nodo)
        self.funcion.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Call(self, nodo: ast.Call) -> None:
        cadena = _cadena(nodo.func)
        if _es_de_persona(cadena):
            for argumento in nodo.keywords:
                if argumento.arg in CAMPOS and not _deriva(argumento.value):
                    self._anotar(nodo, ast.unparse(nodo)[:120])
                if argumento.arg == "defaults" and isinstance(argumento.value, ast.Dict):
                    for clave, valor in zip(
                        argumento.value.keys, argumento.value.values, strict=True
                    ):
                        if (
                            isinstance(clave, ast.Constant)
                            and clave.value in CAMPOS
                            and not _deriva(valor)
                        ):
                            self._anotar(nodo, ast.unparse(nodo)[:120])
            if cadena[-1] == "bulk_update" and any(
                isinstance(c, ast.Constant) and c.value in CAMPOS
                for argumento in nodo.args[1:] + [k.value for k in nodo.keywords]
                for c in ast.walk(argumento)
            ):
                self._anotar(nodo, ast.unparse(nodo)[:120])
        if (
            cadena == ["setattr"]
            and len(nodo.args) > 1
            and isinstance(nodo.args[1], ast.Constant)
            and nodo.args[1].value in CAMPOS
        ):
            self._anotar(nodo, ast.unparse(nodo)[:120])
        self.generic_visit(nodo)

    def _asignacion(self, nodo: ast.AST, objetivos: list[ast.expr], valor: ast.AST | None) -> None:
        for objetivo in objetivos:
            if not (isinstance(objetivo, ast.Attribute) and objetivo.attr in CAMPOS):
                continue
            if _deriva(valor) or _base_de_organizacion(objetivo):
                continue
            clave = (self.ruta, ast.unparse(objetivo), ast.unparse(valor) if valor else "")
            if clave not in NO_SON_PERSONAS:
                self._anotar(nodo, f"{clave[1]} = {clave[2]}")

    def visit_Assign(self, nodo: ast.Assign) -> None:
        self._asignacion(nodo, nodo.targets, nodo.value)
        self.generic_visit(nodo)

    def visit_AnnAssign(self, nodo: ast.AnnAssign) -> None:
        self._asignacion(nodo, [nodo.target], nodo.value)
        self.generic_visit(nodo)

    def visit_AugAssign(self, nodo: ast.AugAssign) -> None:
        self._asignacion(nodo, [nodo.target], None)
        self.generic_visit(nodo)


def _copias(fuente: str, ruta: str) -> list[str]:
    visitante = _Copias(ruta)
    visitante.visit(ast.parse(fuente))
    return visitante.halladas


def test_el_control_reconoce_copias_y_no_confunde_otras_entidades():
    copias = """
usuario.entidad_id = usuario.organizacion.entidad_id if usuario.organizacion else None
persona.entidad = organizacion.entidad
Usuario.objects.filter(organizacion=o).update(organizacion=d, entidad_id=d.entidad_id)
organizacion.personas.update(entidad_id=organizacion.entidad_id)
Usuario(email="a@b.mx", organizacion=org, entidad_id=org.entidad_id)
Usuario.objects.create_user(email="a@b.mx", entidad=org.entidad)
Usuario.objects.get_or_create(email="a@b.mx", defaults={"entidad_id": 1})
Usuario.objects.bulk_update(personas, ["entidad"])
setattr(usuario, "entidad_id", 3)
"""
    assert len(_copias(copias, "lms/otro.py")) == 9
    otras = """
organizacion.entidad = entidad
nueva_org.entidad_id = 3
Organizacion(clase="x", entidad=entidad)
Organizacion.objects.create(entidad_id=fila.entidad_id)
AsignacionRol.objects.create(usuario=usuario, rol=rol, entidad=entidad)
AsignacionRol.objects.get_or_create(usuario=usuario, rol=rol, entidad_id=entidad_id)
asignar_rol(usuario=usuario, rol=rol, entidad_id=entidad_id)
Usuario.objects.filter(entidad=entidad).count()
usuario.entidad_id = entidad_de_persona(organizacion=org, entidad_declarada=None)
Usuario(email="a@b.mx", entidad_id=services.entidad_de_persona(organizacion=o, entidad_declarada=1))
"""
    assert _copias(otras, "lms/otro.py") == []
    # The allowance is for one assignment in one module, not for the name anywhere.
    assert _copias("revisada.entidad_id = entidad.id\n", "cursos/otro.py") != []


def test_nadie_copia_la_entidad_de_la_persona_fuera_del_punto_de_entrada():
    halladas = []
    revisados = 0
    for app in APPS:
        for archivo in sorted((RAIZ / app).rglob("*.py")):
            if "migrations" in archivo.parts:
                continue
            ruta = archivo.relative_to(RAIZ).as_posix()
            halladas += _copias(archivo.read_text(encoding="utf-8"), ruta)
            revisados += 1
    assert revisados > 50
    assert halladas == [], "Derive a person's entity with lms.services.entidad_de_persona"
