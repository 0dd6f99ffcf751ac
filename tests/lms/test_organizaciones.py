"""Organizations: name history, merges, and their admin screens by role."""

import datetime

import pytest

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from lms import services
from lms.models import NombreOrganizacion, Organizacion, Rol, Usuario
from tests.factories import OrganoGaranteFactory, SujetoObligadoFactory, UsuarioFactory
from tests.factories.personas import entidad

pytestmark = pytest.mark.django_db

D = datetime.date


def _creada_el(organizacion, fecha):
    Organizacion.objects.filter(pk=organizacion.pk).update(
        creada_en=datetime.datetime.combine(fecha, datetime.time(12), tzinfo=datetime.UTC)
    )
    organizacion.refresh_from_db()
    return organizacion


def _con_rol(client, rol):
    usuario = UsuarioFactory()
    if rol == "superusuario":
        usuario.is_superuser = usuario.is_staff = True
        usuario.save()
    elif rol is not None:
        services.asignar_rol(usuario=usuario, rol=rol)
    client.force_login(usuario)
    return usuario


@pytest.fixture
def administrador(client):
    return _con_rol(client, "superusuario")


# --- Name history ------------------------------------------------------------


def test_nombre_en_fecha_despues_de_dos_cambios():
    organizacion = _creada_el(
        SujetoObligadoFactory(nombre="Instituto de Acceso", siglas="IA"), D(2019, 1, 1)
    )
    services.renombrar_organizacion(
        organizacion=organizacion,
        nombre="Instituto de Transparencia",
        siglas="IT",
        fecha=D(2021, 5, 1),
    )
    services.renombrar_organizacion(
        organizacion=organizacion,
        nombre="Instituto de Transparencia y Datos",
        siglas="ITD",
        fecha=D(2024, 1, 15),
        motivo="Reforma 2024",
    )
    organizacion = Organizacion.objects.get(pk=organizacion.pk)

    assert organizacion.nombre_en(D(2019, 6, 1)) == "Instituto de Acceso"
    assert organizacion.nombre_en(D(2021, 4, 30)) == "Instituto de Acceso"
    assert organizacion.nombre_en(D(2021, 5, 1)) == "Instituto de Transparencia"
    assert organizacion.nombre_en(D(2024, 1, 14)) == "Instituto de Transparencia"
    assert organizacion.nombre_en(D(2024, 1, 15)) == "Instituto de Transparencia y Datos"
    assert organizacion.nombre_en(D(2030, 1, 1)) == "Instituto de Transparencia y Datos"
    assert list(
        organizacion.nombres_historicos.values_list("nombre", "vigente_desde", "vigente_hasta")
    ) == [
        ("Instituto de Transparencia", D(2021, 5, 1), D(2024, 1, 14)),
        ("Instituto de Acceso", D(2019, 1, 1), D(2021, 4, 30)),
    ]


def test_corregir_el_nombre_el_mismo_dia_no_deja_un_nombre_que_nunca_rigio():
    organizacion = _creada_el(SujetoObligadoFactory(nombre="Secretaria de Salud"), D(2020, 1, 1))
    services.renombrar_organizacion(
        organizacion=organizacion, nombre="Secretaria de Salub", siglas="", fecha=D(2025, 3, 1)
    )
    services.renombrar_organizacion(
        organizacion=organizacion, nombre="Secretaría de Salud", siglas="", fecha=D(2025, 3, 1)
    )

    assert list(organizacion.nombres_historicos.values_list("nombre", flat=True)) == [
        "Secretaria de Salud"
    ]
    assert Organizacion.objects.get(pk=organizacion.pk).nombre == "Secretaría de Salud"


def test_cambio_fechado_antes_del_ultimo_se_rechaza():
    organizacion = _creada_el(SujetoObligadoFactory(nombre="A"), D(2020, 1, 1))
    services.renombrar_organizacion(
        organizacion=organizacion, nombre="B", siglas="", fecha=D(2024, 1, 1)
    )

    with pytest.raises(ValidationError, match="antes del último cambio"):
        services.renombrar_organizacion(
            organizacion=organizacion, nombre="C", siglas="", fecha=D(2023, 1, 1)
        )

    assert Organizacion.objects.get(pk=organizacion.pk).nombre == "B"


# --- Admin: list, create, edit -------------------------------------------------


def test_editar_el_nombre_en_el_admin_guarda_el_anterior_con_su_motivo(client, administrador):
    organizacion = SujetoObligadoFactory(nombre="Comisión de Agua", siglas="CEA")
    url = reverse("organizacion:edit", args=[organizacion.pk])
    datos = {
        "clase": organizacion.clase,
        "nombre": "Comisión Estatal del Agua",
        "siglas": "CEAJ",
        "motivo_cambio": "Decreto 123",
        "entidad": organizacion.entidad_id,
        "organo_garante": organizacion.organo_garante_id,
        "ambito": "estatal",
        "tipo": "organo_autonomo",
        "activa": "on",
    }

    respuesta = client.post(url, datos)

    assert respuesta.status_code == 302
    organizacion.refresh_from_db()
    assert (organizacion.nombre, organizacion.siglas, organizacion.tipo) == (
        "Comisión Estatal del Agua",
        "CEAJ",
        "organo_autonomo",
    )
    anterior = NombreOrganizacion.objects.get(organizacion=organizacion)
    assert (anterior.nombre, anterior.siglas, anterior.motivo) == (
        "Comisión de Agua",
        "CEA",
        "Decreto 123",
    )
    pagina = client.get(url).content.decode()
    assert "Historial de nombres" in pagina
    assert "Comisión de Agua" in pagina
    assert "Decreto 123" in pagina
    assert 'name="motivo_cambio"' in pagina


def test_editar_sin_cambiar_el_nombre_no_agrega_historial(client, administrador):
    organizacion = SujetoObligadoFactory(nombre="Comisión", tipo="otro")
    client.post(
        reverse("organizacion:edit", args=[organizacion.pk]),
        {
            "clase": organizacion.clase,
            "nombre": "  Comisión ",
            "siglas": "",
            "entidad": organizacion.entidad_id,
            "ambito": "estatal",
            "tipo": "poder_ejecutivo",
            "activa": "on",
        },
    )

    organizacion.refresh_from_db()
    assert organizacion.tipo == "poder_ejecutivo"
    assert not organizacion.nombres_historicos.exists()


def test_cambiar_la_entidad_de_una_organizacion_mueve_la_de_sus_personas(client, administrador):
    organizacion = SujetoObligadoFactory(entidad=entidad("14"), organo_garante=None)
    persona = UsuarioFactory(organizacion=organizacion)

    client.post(
        reverse("organizacion:edit", args=[organizacion.pk]),
        {
            "clase": organizacion.clase,
            "nombre": organizacion.nombre,
            "entidad": entidad("20").pk,
            "ambito": "estatal",
            "tipo": "otro",
            "activa": "on",
        },
    )

    persona.refresh_from_db()
    assert persona.entidad == entidad("20")


def test_crear_organizacion_en_el_admin(client, administrador):
    respuesta = client.post(
        reverse("organizacion:add"),
        {
            "clase": "sujeto_obligado",
            "nombre": "Partido Local",
            "siglas": "PL",
            "entidad": entidad("31").pk,
            "ambito": "estatal",
            "tipo": "partido_politico",
            "activa": "on",
        },
    )

    assert respuesta.status_code == 302
    assert Organizacion.objects.filter(nombre="Partido Local", entidad=entidad("31")).exists()


@pytest.mark.parametrize(
    ("cambios", "mensaje"),
    [
        ({"entidad": ""}, "necesita su entidad federativa"),
        ({"ambito": ""}, "Elija el ámbito del sujeto obligado"),
        ({"nombre": "secretaría de salud"}, "Ya existe una organización de esa clase"),
        ({"nombre": "   "}, "Este campo es necesario"),
    ],
)
def test_datos_invalidos_dan_mensajes_en_espanol(client, administrador, cambios, mensaje):
    SujetoObligadoFactory(nombre="Secretaría de Salud", entidad=entidad("14"))
    datos = {
        "clase": "sujeto_obligado",
        "nombre": "Otra",
        "entidad": entidad("14").pk,
        "ambito": "estatal",
        "tipo": "otro",
        "activa": "on",
    }
    antes = Organizacion.objects.count()

    respuesta = client.post(reverse("organizacion:add"), {**datos, **cambios})

    assert respuesta.status_code == 200
    assert mensaje in respuesta.content.decode()
    for restriccion in Organizacion._meta.constraints:
        assert restriccion.name not in respuesta.content.decode()
    assert Organizacion.objects.count() == antes


def test_filtros_y_busqueda_de_la_lista(client, administrador):
    SujetoObligadoFactory(nombre="Secretaría de Salud Jalisco", entidad=entidad("14"))
    SujetoObligadoFactory(nombre="Secretaría de Salud Oaxaca", entidad=entidad("20"))
    SujetoObligadoFactory(
        nombre="Ayuntamiento de Oaxaca", entidad=entidad("20"), ambito="municipal", tipo="municipio"
    )
    url = reverse("organizacion:index")

    por_entidad = client.get(url, {"entidad": entidad("20").pk}).content.decode()
    por_ambito = client.get(url, {"ambito": "municipal"}).content.decode()
    buscando = client.get(url, {"q": "salud"}).content.decode()
    por_clase = client.get(url, {"clase": "organo_garante"}).content.decode()

    assert "Secretaría de Salud Oaxaca" in por_entidad
    assert "Secretaría de Salud Jalisco" not in por_entidad
    assert "Ayuntamiento de Oaxaca" in por_ambito
    assert "Secretaría de Salud Oaxaca" not in por_ambito
    assert "Secretaría de Salud Jalisco" in buscando
    assert "Ayuntamiento de Oaxaca" not in buscando
    assert "Órgano Garante" in por_clase
    assert "Secretaría de Salud" not in por_clase


@pytest.mark.parametrize("cantidad", [3, 30])
def test_lista_de_organizaciones_no_crece_en_consultas(
    client, administrador, django_assert_max_num_queries, cantidad
):
    garante = OrganoGaranteFactory(entidad=entidad("14"))
    SujetoObligadoFactory.create_batch(cantidad, entidad=entidad("14"), organo_garante=garante)
    destino = SujetoObligadoFactory(entidad=entidad("14"), organo_garante=garante)
    services.fusionar_organizaciones(
        origen=SujetoObligadoFactory(entidad=entidad("14"), organo_garante=garante), destino=destino
    )

    with django_assert_max_num_queries(20):
        respuesta = client.get(reverse("organizacion:index"))

    assert respuesta.status_code == 200


# --- Merging -----------------------------------------------------------------


def test_fusionar_pide_confirmacion_y_luego_fusiona(client, administrador):
    origen = SujetoObligadoFactory(nombre="Secretaría de Desarrollo Social", entidad=entidad("14"))
    destino = SujetoObligadoFactory(nombre="Secretaría de Bienestar", entidad=entidad("20"))
    persona = UsuarioFactory(organizacion=origen)
    url = reverse("organizacion:fusionar", args=[origen.pk])

    assert client.get(url).status_code == 200
    confirmar = client.post(url, {"destino": destino.pk, "motivo": "Reestructura"})

    assert confirmar.status_code == 200
    assert "Confirme la fusión" in confirmar.content.decode()
    assert "1 persona pasará" in confirmar.content.decode()
    origen.refresh_from_db()
    assert origen.activa

    hecho = client.post(
        url, {"destino": destino.pk, "motivo": "Reestructura", "confirmado": "True"}
    )

    assert hecho.status_code == 302
    origen.refresh_from_db()
    persona.refresh_from_db()
    assert (origen.activa, origen.fusionada_en) == (False, destino)
    assert (persona.organizacion, persona.entidad) == (destino, entidad("20"))
    lista = client.get(reverse("organizacion:index")).content.decode()
    assert "Fusionada en Secretaría de Bienestar" in lista
    edicion = client.get(reverse("organizacion:edit", args=[origen.pk])).content.decode()
    assert "se fusionó en Secretaría de Bienestar" in edicion


def test_doble_envio_de_la_fusion_fusiona_una_vez(client, administrador):
    origen = SujetoObligadoFactory()
    destino = SujetoObligadoFactory()
    otro = SujetoObligadoFactory()
    url = reverse("organizacion:fusionar", args=[origen.pk])
    client.post(url, {"destino": destino.pk, "confirmado": "True"})

    segundo = client.post(url, {"destino": otro.pk, "confirmado": "True"}, follow=True)

    assert "ya se fusionó" in segundo.content.decode()
    origen.refresh_from_db()
    assert origen.fusionada_en == destino


@pytest.mark.parametrize("destino_de", ["misma", "inactiva", "otra_clase"])
def test_fusion_con_destino_invalido_no_cambia_nada(client, administrador, destino_de):
    origen = SujetoObligadoFactory()
    destino = {
        "misma": lambda: origen,
        "inactiva": lambda: SujetoObligadoFactory(activa=False),
        "otra_clase": lambda: OrganoGaranteFactory(),
    }[destino_de]()

    respuesta = client.post(
        reverse("organizacion:fusionar", args=[origen.pk]),
        {"destino": destino.pk, "confirmado": "True"},
    )

    assert respuesta.status_code == 200
    assert "Elija una organización activa de la lista" in respuesta.content.decode()
    origen.refresh_from_db()
    assert origen.activa
    assert origen.fusionada_en is None


def test_servicio_de_fusion_rechaza_destino_inactivo_y_repeticion():
    origen, destino = SujetoObligadoFactory(), SujetoObligadoFactory()
    inactiva = SujetoObligadoFactory(activa=False)

    with pytest.raises(ValidationError, match="no está activa"):
        services.fusionar_organizaciones(origen=origen, destino=inactiva)
    with pytest.raises(ValidationError, match="consigo misma"):
        services.fusionar_organizaciones(origen=origen, destino=origen)
    services.fusionar_organizaciones(origen=origen, destino=destino)
    with pytest.raises(ValidationError, match="ya se fusionó"):
        services.fusionar_organizaciones(origen=origen, destino=SujetoObligadoFactory())


def test_organizacion_fusionada_no_se_reactiva_desde_la_edicion(client, administrador):
    origen, destino = SujetoObligadoFactory(), SujetoObligadoFactory()
    services.fusionar_organizaciones(origen=origen, destino=destino)

    client.post(
        reverse("organizacion:edit", args=[origen.pk]),
        {
            "clase": origen.clase,
            "nombre": origen.nombre,
            "entidad": origen.entidad_id,
            "ambito": "estatal",
            "tipo": "otro",
            "activa": "on",
        },
    )

    origen.refresh_from_db()
    assert not origen.activa


def test_fusionar_un_organo_garante_mueve_sus_sujetos_obligados():
    viejo = OrganoGaranteFactory(entidad=entidad("14"))
    nuevo = OrganoGaranteFactory(entidad=entidad("14"))
    sujeto = SujetoObligadoFactory(entidad=entidad("14"), organo_garante=viejo)

    services.fusionar_organizaciones(origen=viejo, destino=nuevo)

    sujeto.refresh_from_db()
    assert sujeto.organo_garante == nuevo


# --- Who may do what -------------------------------------------------------------


def test_coordinador_nacional_consulta_pero_no_edita(client):
    _con_rol(client, Rol.COORDINADOR_NACIONAL)
    organizacion = SujetoObligadoFactory(nombre="Secretaría Visible")

    lista = client.get(reverse("organizacion:index"))
    detalle = client.get(reverse("organizacion:inspect", args=[organizacion.pk]))

    assert lista.status_code == 200
    assert "Secretaría Visible" in lista.content.decode()
    assert detalle.status_code == 200
    for respuesta in [
        client.get(reverse("organizacion:add")),
        client.get(reverse("organizacion:edit", args=[organizacion.pk])),
        client.post(reverse("organizacion:edit", args=[organizacion.pk]), {"nombre": "Hackeada"}),
        client.get(reverse("organizacion:fusionar", args=[organizacion.pk])),
        client.post(
            reverse("organizacion:fusionar", args=[organizacion.pk]),
            {"destino": SujetoObligadoFactory().pk, "confirmado": "True"},
        ),
        client.get(reverse("entidad:edit", args=[entidad("14").pk])),
    ]:
        assert respuesta.status_code == 302
        assert respuesta.url == reverse("wagtailadmin_home")
    organizacion.refresh_from_db()
    assert (organizacion.nombre, organizacion.activa) == ("Secretaría Visible", True)


@pytest.mark.parametrize("rol", [Rol.INSTRUCTOR, Rol.COORDINADOR_ESTATAL])
def test_instructor_y_coordinador_estatal_no_ven_organizaciones(client, rol):
    usuario = UsuarioFactory()
    services.asignar_rol(
        usuario=usuario,
        rol=rol,
        entidad_id=entidad("14").pk if rol == Rol.COORDINADOR_ESTATAL else None,
    )
    # Even with the admin open to them, this area stays closed.
    usuario.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(Usuario.objects.get(pk=usuario.pk))
    organizacion = SujetoObligadoFactory()

    for url in [
        reverse("organizacion:index"),
        reverse("organizacion:inspect", args=[organizacion.pk]),
        reverse("entidad:index"),
        reverse("asignacion:index"),
    ]:
        respuesta = client.get(url)
        assert respuesta.status_code == 302, url
        assert respuesta.url == reverse("wagtailadmin_home")
    inicio = client.get(reverse("wagtailadmin_home"))
    assert inicio.status_code == 200
    assert "Personas y organizaciones" not in inicio.content.decode()


def test_menu_personas_y_organizaciones_para_administrador_y_coordinador_nacional(client):
    _con_rol(client, Rol.COORDINADOR_NACIONAL)
    assert "Personas y organizaciones" in client.get(reverse("wagtailadmin_home")).content.decode()


def test_entidades_solo_las_edita_un_administrador(client, administrador):
    jalisco = entidad("14")

    lista = client.get(reverse("entidad:index"))
    edicion = client.post(
        reverse("entidad:edit", args=[jalisco.pk]),
        {"clave_inegi": "14", "nombre": "Jalisco", "abreviatura": "JAL."},
    )
    alta = client.get(reverse("entidad:add"))

    assert "Zacatecas" in lista.content.decode()
    assert edicion.status_code == 302
    jalisco.refresh_from_db()
    assert jalisco.abreviatura == "JAL."
    assert alta.status_code == 302
    assert alta.url == reverse("wagtailadmin_home")


def test_organizaciones_no_se_borran_desde_el_admin(client, administrador):
    organizacion = SujetoObligadoFactory()

    respuesta = client.post(reverse("organizacion:delete", args=[organizacion.pk]))

    assert respuesta.status_code == 302
    assert Organizacion.objects.filter(pk=organizacion.pk).exists()


def test_historial_del_admin_registra_la_fusion(client, administrador):
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Max
    from django.utils import timezone

    from wagtail.models import ModelLogEntry

    origen, destino = SujetoObligadoFactory(), SujetoObligadoFactory(nombre="Destino Final")
    # Push log entry ids past every organization id: the history lists log entries and must
    # never be filtered by the ids of organizations (it was, on PostgreSQL's sequences).
    tope = Organizacion.objects.aggregate(tope=Max("pk"))["tope"]
    tipo = ContentType.objects.get_for_model(Organizacion)
    ModelLogEntry.objects.bulk_create(
        ModelLogEntry(
            content_type=tipo, label="relleno", action="wagtail.edit", object_id="0",
            timestamp=timezone.now(),
        )
        for _ in range(tope + 5)
    )  # fmt: skip
    services.fusionar_organizaciones(
        origen=origen, destino=destino, motivo="Decreto", usuario=administrador
    )

    respuesta = client.get(reverse("organizacion:history", args=[origen.pk]))

    assert respuesta.status_code == 200
    assert "Fusionada en otra organización" in respuesta.content.decode()
