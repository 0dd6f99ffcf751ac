"""Finding people and institutions ignoring accents and case, on SQLite and PostgreSQL."""

import pytest
from bs4 import BeautifulSoup

from django.urls import reverse, reverse_lazy

from lms import services
from lms.busqueda_texto import MAX_PALABRAS, normalizar, palabras
from lms.busqueda_texto import filtrar_por_texto as filtrar
from lms.models import AsignacionRol, EntidadFederativa, Organizacion, Rol, Usuario
from tests.factories import SujetoObligadoFactory, UsuarioFactory
from tests.factories.personas import entidad

# --- The rule, without a database -----------------------------------------------


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [
        ("Peña", "pena"),
        ("JOSÉ ÁNGEL", "jose angel"),
        ("Núñez Ibáñez", "nunez ibanez"),
        ("Müller Françoise Ærø", "muller francoise ærø"),  # Ø has no base letter
        ("Pen\u0303a", "pena"),  # typed decomposed: n + combining tilde
        ("Straße", "straße"),  # no one-letter base: left as is
        ("ana.lopez@SEJ.gob.mx", "ana.lopez@sej.gob.mx"),
    ],
)
def test_normalizar(texto, esperado):
    assert normalizar(texto) == esperado


def test_palabras_normalizadas_y_acotadas():
    assert palabras("  José\tÁNGEL  ") == ["jose", "angel"]
    assert len(palabras(" ".join(["x"] * 20))) == MAX_PALABRAS
    assert palabras("   ") == []


# --- The stored columns follow every write path ------------------------------------


@pytest.mark.django_db
def test_columna_de_personas_la_calcula_la_base_con_la_misma_regla():
    persona = UsuarioFactory(
        first_name="José Ángel", last_name="PEÑA Núñez", email="jose.pena@sej.gob.mx"
    )
    persona.refresh_from_db()
    assert persona.busqueda == "jose angel pena nunez jose.pena@sej.gob.mx"
    assert persona.busqueda == normalizar(
        f"{persona.first_name} {persona.last_name} {persona.email}"
    )


@pytest.mark.django_db
def test_columna_sigue_a_update_y_bulk_create():
    persona = UsuarioFactory(first_name="Ana", last_name="Sola")
    Usuario.objects.filter(pk=persona.pk).update(last_name="Íñiguez")
    (creada,) = Usuario.objects.bulk_create(
        [Usuario(email="lupita@ejemplo.gob.mx", first_name="Guadalupe", last_name="Ávila")]
    )
    organizacion = SujetoObligadoFactory(nombre="Secretaría de Educación", siglas="SEJ")
    Organizacion.objects.filter(pk=organizacion.pk).update(nombre="Comisión Estatal")

    assert Usuario.objects.get(pk=persona.pk).busqueda.startswith("ana iniguez ")
    assert Usuario.objects.get(pk=creada.pk).busqueda.startswith("guadalupe avila ")
    assert Organizacion.objects.get(pk=organizacion.pk).busqueda == "comision estatal sej"


@pytest.fixture
def personas(db):
    educacion = SujetoObligadoFactory(
        entidad=entidad("14"), nombre="Secretaría de Educación Jalisco", siglas="SEJ"
    )
    salud = SujetoObligadoFactory(entidad=entidad("14"), nombre="Instituto de Salud", siglas="")
    return {
        "jose": UsuarioFactory(
            first_name="José Ángel",
            last_name="Peña Ruiz",
            email="jangel@ejemplo.gob.mx",
            organizacion=educacion,
        ),
        "maria": UsuarioFactory(
            first_name="MARÍA",
            last_name="Pena Ávila",
            email="mpa@ejemplo.gob.mx",
            organizacion=salud,
        ),
        "angela": UsuarioFactory(
            first_name="Ángela",
            last_name="Ortiz",
            email="aortiz@ejemplo.gob.mx",
            organizacion=salud,
        ),
    }


def _quienes(personas, consulta, campos=("busqueda", "organizacion__busqueda")):
    nombres = {v.pk: k for k, v in personas.items()}
    encontradas = filtrar(Usuario.objects.filter(pk__in=nombres), consulta, campos)
    return sorted(nombres[pk] for pk in encontradas.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("consulta", "esperadas"),
    [
        ("pena", ["jose", "maria"]),
        ("PEÑA", ["jose", "maria"]),
        ("jose angel", ["jose"]),
        ("Ángel José", ["jose"]),  # any order, name and surnames in different columns
        ("angel", ["angela", "jose"]),
        ("maria avila", ["maria"]),
        ("jose maria", []),  # every word must match
        ("JANGEL@", ["jose"]),  # email
        ("educacion", ["jose"]),  # institution
        ("sej pena", ["jose"]),  # acronym and surname
        ("salud ortiz", ["angela"]),
        ("%", []),  # LIKE wildcards are plain characters
        ("_", []),
        ("   ", ["angela", "jose", "maria"]),
    ],
)
def test_filtrar_por_texto(personas, consulta, esperadas):
    assert _quienes(personas, consulta) == esperadas


@pytest.mark.django_db
def test_quien_no_tiene_institucion_tambien_se_encuentra():
    sin_institucion = UsuarioFactory(first_name="Íñigo", last_name="Sola", organizacion=None)
    encontradas = filtrar(Usuario.objects.all(), "inigo", ("busqueda", "organizacion__busqueda"))
    assert list(encontradas) == [sin_institucion]


@pytest.mark.django_db
def test_campos_sin_columna_normalizada_se_normalizan_al_consultar():
    def nombres(consulta):
        campos = ["nombre", "abreviatura"]
        return set(
            filtrar(EntidadFederativa.objects.all(), consulta, campos).values_list(
                "clave_inegi", flat=True
            )
        )

    assert nombres("michoacan") == {"16"}
    assert nombres("NUEVO LEÓN") == {"19"}
    assert "15" in nombres("mexico")  # Estado de México


@pytest.mark.django_db
def test_a_traves_de_relaciones(personas):
    for persona, rol in ((personas["jose"], Rol.INSTRUCTOR), (personas["maria"], Rol.INSTRUCTOR)):
        services.asignar_rol(usuario=persona, rol=rol)
    encontradas = filtrar(AsignacionRol.objects.all(), "peña ángel", ["usuario__busqueda"])
    assert [a.usuario_id for a in encontradas] == [personas["jose"].pk]


# --- Each screen -------------------------------------------------------------------


def _entrar(client, rol, clave=None):
    usuario = UsuarioFactory(first_name="Quien", last_name="Consulta", email="quien@consulta.mx")
    services.asignar_rol(usuario=usuario, rol=rol, entidad_id=entidad(clave).pk if clave else None)
    client.force_login(Usuario.objects.get(pk=usuario.pk))


def _textos(respuesta, selector):
    sopa = BeautifulSoup(respuesta.content, "html.parser")
    return " | ".join(celda.get_text(" ", strip=True) for celda in sopa.select(selector))


@pytest.mark.parametrize(
    ("consulta", "esperadas"),
    [
        ("pena", ["Peña Ruiz", "Pena Ávila"]),
        ("JOSÉ ángel", ["Peña Ruiz"]),
        ("educacion", ["Peña Ruiz"]),
        ("mpa@ejemplo", ["Pena Ávila"]),
    ],
)
def test_coordinacion_busca_sin_acentos(client, personas, consulta, esperadas):
    _entrar(client, Rol.COORDINADOR_ESTATAL, "14")
    listado = _textos(client.get("/coordinacion/", {"q": consulta}), "tbody tr td:first-child")
    for apellidos in ("Peña Ruiz", "Pena Ávila", "Ortiz"):
        assert (apellidos in listado) == (apellidos in esperadas), listado


@pytest.mark.django_db
@pytest.mark.parametrize("cantidad", [3, 30])
def test_coordinacion_buscando_consultas_constantes(
    client, django_assert_max_num_queries, cantidad
):
    sujeto = SujetoObligadoFactory(entidad=entidad("14"), nombre="Secretaría de Educación")
    UsuarioFactory.create_batch(cantidad, first_name="Ñeli", organizacion=sujeto)
    _entrar(client, Rol.COORDINADOR_NACIONAL)
    client.get("/coordinacion/")
    with django_assert_max_num_queries(12):
        respuesta = client.get("/coordinacion/", {"q": "neli educacion"})
    assert respuesta.content.decode().count("Ñeli") == cantidad


@pytest.mark.parametrize(
    ("url", "consulta", "aparece", "no_aparece"),
    [
        (reverse_lazy("wagtailusers_users:index"), "pena jose", "jangel@", "mpa@"),
        (reverse_lazy("wagtailusers_users:index"), "SALUD ávila", "mpa@", "aortiz@"),
        (reverse_lazy("usuario_chooser:choose_results"), "angel pena", "jangel@", "aortiz@"),
        (reverse_lazy("usuario_chooser:choose_results"), "ANGELA", "aortiz@", "jangel@"),
        (reverse_lazy("asignacion:index"), "peña maria", "mpa@", "jangel@"),
        (reverse_lazy("organizacion:index"), "educacion", "Educación Jalisco", "Instituto de"),
        (reverse_lazy("organizacion:index"), "sej", "Educación Jalisco", "Instituto de"),
        (reverse_lazy("entidad:index"), "michoacan", "Michoacán", "Nuevo León"),
    ],
)
def test_listados_de_wagtail_buscan_sin_acentos(
    client, personas, url, consulta, aparece, no_aparece
):
    for persona in personas.values():
        services.asignar_rol(usuario=persona, rol=Rol.INSTRUCTOR)
    _entrar(client, Rol.ADMINISTRADOR)
    respuesta = client.get(url, {"q": consulta})
    assert respuesta.status_code == 200
    contenido = _textos(respuesta, "tbody")
    assert aparece in contenido
    assert no_aparece not in contenido


@pytest.mark.django_db
@pytest.mark.parametrize("cantidad", [3, 15])  # Wagtail shows 20 a page
def test_listado_de_usuarios_buscando_consultas_constantes(
    client, django_assert_max_num_queries, cantidad
):
    sujeto = SujetoObligadoFactory(entidad=entidad("14"), nombre="Secretaría de Educación")
    UsuarioFactory.create_batch(cantidad, first_name="Ñeli", organizacion=sujeto)
    _entrar(client, Rol.ADMINISTRADOR)
    url = reverse("wagtailusers_users:index")
    client.get(url)
    with django_assert_max_num_queries(20):
        respuesta = client.get(url, {"q": "NELI educacion"})
    assert _textos(respuesta, "tbody").count("Ñeli") == cantidad
