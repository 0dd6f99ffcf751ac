import html
import re

import pytest
from allauth.account.models import EmailAddress

from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client

from lms.models import Usuario
from tests.factories import SujetoObligadoFactory, UsuarioFactory
from tests.factories.cuentas import CONTRASENA, datos_registro

pytestmark = pytest.mark.django_db

# Words allauth shows when a string is left untranslated.
PALABRAS_EN_INGLES = re.compile(
    r"\b(Sign|Password|Email|Forgot|Remember|Confirm|Reset|Change|Verified|Primary|"
    r"Menu|Messages|Username|already|please|your|the)\b"
)


def texto_visible(respuesta) -> str:
    contenido = respuesta.content.decode()
    contenido = re.sub(r"<(script|style)\b.*?</\1>", " ", contenido, flags=re.S)
    contenido = re.sub(r"<[^>]+>", " ", contenido)
    return " ".join(html.unescape(contenido).split())


def assert_en_espanol(respuesta) -> None:
    texto = texto_visible(respuesta)
    assert 'lang="es-MX"' in respuesta.content.decode()
    assert not PALABRAS_EN_INGLES.search(texto), PALABRAS_EN_INGLES.search(texto)


def enlace_de(mensaje) -> str:
    return re.search(r"http://testserver(/cuentas/\S+/)", mensaje.body).group(1)


# The password UsuarioFactory gives everyone.
CONTRASENA_FACTORY = "contrasena-segura-123"


def iniciar_sesion(client, email, password=CONTRASENA):
    return client.post("/cuentas/login/", {"login": email, "password": password})


# --- Pages in the site's look, in Spanish ------------------------------------------


@pytest.mark.parametrize(
    ("url", "titulo"),
    [
        ("/cuentas/signup/", "Crear una cuenta"),
        ("/cuentas/login/", "Iniciar sesión"),
        ("/cuentas/password/reset/", "Recuperar contraseña"),
        ("/cuentas/password/reset/done/", "Revise su correo"),
        ("/cuentas/password/reset/key/1-clave-falsa/", "Enlace no válido"),
        ("/cuentas/confirm-email/", "Confirme su correo electrónico"),
        ("/cuentas/confirm-email/clave-falsa/", "Confirmar correo electrónico"),
        ("/cuentas/inactive/", "Cuenta desactivada"),
    ],
)
def test_paginas_anonimas_en_espanol_con_el_aspecto_del_sitio(client, url, titulo):
    respuesta = client.get(url)
    assert respuesta.status_code == 200
    contenido = respuesta.content.decode()
    assert f"<h1>{titulo}</h1>" in contenido
    assert "sitio.css" in contenido
    assert 'class="tarjeta tarjeta--angosta"' in contenido
    assert f"<title>{titulo} · " in contenido
    assert_en_espanol(respuesta)


@pytest.mark.parametrize(
    ("url", "titulo"),
    [
        ("/cuentas/logout/", "Cerrar sesión"),
        ("/cuentas/password/change/", "Cambiar contraseña"),
        ("/cuentas/email/", "Correos electrónicos"),
        ("/cuentas/reauthenticate/", "Confirme que es usted"),
    ],
)
def test_paginas_de_la_cuenta_en_espanol(client, url, titulo):
    client.force_login(UsuarioFactory())
    respuesta = client.get(url)
    assert respuesta.status_code == 200
    assert f"<h1>{titulo}</h1>" in respuesta.content.decode()
    assert_en_espanol(respuesta)


def test_formularios_con_etiquetas_ayuda_errores_y_autocompletado(client):
    respuesta = client.post("/cuentas/signup/", datos_registro(email="no-es-correo"))
    contenido = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert '<label for="id_email">Correo electrónico' in contenido
    assert 'autocomplete="email"' in contenido
    assert 'autocomplete="new-password"' in contenido
    assert 'autocomplete="given-name"' in contenido
    assert 'autocomplete="family-name"' in contenido
    # The error is tied to its field for screen readers.
    assert re.search(r'<input type="email"[^>]*aria-invalid="true"', contenido)
    assert re.search(r'aria-describedby="id_email_error"', contenido)
    assert 'id="id_email_error"' in contenido
    assert 'id="id_first_name_helptext"' in contenido
    assert "Introduzca una dirección de correo electrónico válida" in contenido
    assert_en_espanol(respuesta)


def test_registro_muestra_nombres_correo_contrasena_y_aviso_con_enlace(client):
    contenido = client.get("/cuentas/signup/").content.decode()
    posiciones = [
        contenido.index(f'name="{campo}"')
        for campo in ("first_name", "last_name", "email", "password1", "password2", "acepta_aviso")
    ]
    assert posiciones == sorted(posiciones)
    assert ">Nombre(s) " in contenido
    assert ">Apellidos " in contenido
    assert 'type="checkbox" name="acepta_aviso"' in contenido
    assert 'href="/aviso-de-privacidad/"' in contenido


def test_aviso_de_privacidad_es_publico_y_muestra_la_version(client, configuracion):
    configuracion.aviso_privacidad_version = "2026-1"
    configuracion.save()
    respuesta = client.get("/aviso-de-privacidad/")
    assert respuesta.status_code == 200
    assert "Versión 2026-1" in respuesta.content.decode()
    assert_en_espanol(respuesta)


# --- Sign-up -------------------------------------------------------------------------


def test_registro_crea_cuenta_sin_verificar_con_nombres_exactos_y_aviso(client, configuracion):
    configuracion.aviso_privacidad_version = "3"
    configuracion.save()
    respuesta = client.post("/cuentas/signup/", datos_registro(email="  Jose.Nunez@ITEI.org.mx "))
    assert respuesta.status_code == 302
    assert respuesta["Location"] == "/cuentas/confirm-email/"
    usuario = Usuario.objects.get()
    assert usuario.email == "jose.nunez@itei.org.mx"
    assert usuario.first_name == "José Ángel"
    assert usuario.last_name == "Ñúñez O'Higgins"
    assert usuario.aviso_privacidad_version == "3"
    assert usuario.aviso_privacidad_aceptado_en is not None
    direccion = EmailAddress.objects.get(user=usuario)
    assert (direccion.email, direccion.verified, direccion.primary) == (
        "jose.nunez@itei.org.mx",
        False,
        True,
    )
    # Mandatory verification: signing up does not log in.
    assert "_auth_user_id" not in client.session
    [mensaje] = mail.outbox
    assert mensaje.to == ["jose.nunez@itei.org.mx"]
    assert mensaje.subject == "[Transparencia Proactiva] Confirme su correo electrónico"
    assert "Para confirmar su correo y terminar su registro, abra este enlace" in mensaje.body
    assert "José Ángel Ñúñez O'Higgins" in mensaje.body


def test_registro_sin_aceptar_aviso_no_crea_nada(client):
    respuesta = client.post("/cuentas/signup/", datos_registro(acepta_aviso=None))
    assert respuesta.status_code == 200
    assert "Para registrarse debe aceptar el aviso de privacidad." in respuesta.content.decode()
    assert not Usuario.objects.exists()
    assert not EmailAddress.objects.exists()
    assert mail.outbox == []


def test_correo_ya_registrado_con_otras_mayusculas_no_crea_otra_cuenta(client):
    existente = UsuarioFactory(email="ana.lopez@infomex.gob.mx", first_name="Ana")
    respuesta = client.post(
        "/cuentas/signup/",
        datos_registro(email="Ana.LOPEZ@Infomex.gob.mx", first_name="Intruso"),
        follow=True,
    )
    # The same answer as a new sign-up, so the form does not reveal who has an account...
    assert respuesta.redirect_chain == [("/cuentas/confirm-email/", 302)]
    assert "Si ya tenía una cuenta con esa dirección, no se creó otra" in texto_visible(respuesta)
    assert Usuario.objects.count() == 1
    existente.refresh_from_db()
    assert (existente.email, existente.first_name) == ("ana.lopez@infomex.gob.mx", "Ana")
    assert EmailAddress.objects.count() == 1
    # ...and the owner of the mailbox gets a clear Spanish explanation.
    [mensaje] = mail.outbox
    assert mensaje.to == ["ana.lopez@infomex.gob.mx"]
    assert mensaje.subject == "[Transparencia Proactiva] Ya tiene una cuenta con este correo"
    assert "ya existe una cuenta con ese correo. No se creó otra cuenta." in mensaje.body
    assert "/cuentas/password/reset/" in mensaje.body


@pytest.mark.parametrize(
    ("nombre", "apellidos"),
    [
        ("María José", "Peña Ibáñez"),
        ("Ñeri", "D'Alessandro Güemes"),
        ("Ma. Guadalupe", "Pérez-Cañas"),
        ("  José   Ángel ", " O'Higgins  Núñez "),
    ],
)
def test_nombres_con_acentos_enie_y_apostrofo_se_guardan_exactos(client, nombre, apellidos):
    client.post("/cuentas/signup/", datos_registro(first_name=nombre, last_name=apellidos))
    usuario = Usuario.objects.get()
    assert usuario.first_name == " ".join(nombre.split())
    assert usuario.last_name == " ".join(apellidos.split())


@pytest.mark.parametrize("nombre", ["Juan 2", "<script>", "Ana@Lopez", "   ", "---"])
def test_nombre_con_numeros_o_simbolos_se_rechaza(client, nombre):
    respuesta = client.post("/cuentas/signup/", datos_registro(first_name=nombre))
    assert respuesta.status_code == 200
    assert 'id="id_first_name_error"' in respuesta.content.decode()
    assert not Usuario.objects.exists()


def test_contrasena_debil_se_rechaza_en_espanol(client):
    respuesta = client.post(
        "/cuentas/signup/", datos_registro(password1="12345678", password2="12345678")
    )
    assert "La contraseña es demasiado corta" in respuesta.content.decode()
    assert not Usuario.objects.exists()


def test_envio_de_10_mb_al_registro_se_rechaza_y_no_crea_nada(client):
    respuesta = client.post("/cuentas/signup/", datos_registro(first_name="A" * (10 * 1024 * 1024)))
    assert 400 <= respuesta.status_code < 500
    assert not Usuario.objects.exists()
    assert mail.outbox == []


def test_envio_sin_token_csrf_da_403_en_espanol_y_no_crea_nada():
    client = Client(enforce_csrf_checks=True)
    respuesta = client.post("/cuentas/signup/", datos_registro())
    assert respuesta.status_code == 403
    assert "No pudimos procesar el formulario" in respuesta.content.decode()
    assert_en_espanol(respuesta)
    assert not Usuario.objects.exists()


def test_registro_simultaneo_con_el_mismo_correo_no_da_500_ni_crea_otra(client, monkeypatch):
    # The form's uniqueness check passed, then another sign-up stored the address.
    from allauth.account.internal.flows import manage_email

    UsuarioFactory(email="jose.nunez@itei.org.mx", first_name="Primero")
    monkeypatch.setattr(manage_email, "assess_unique_email", lambda email, user=None: True)
    respuesta = client.post("/cuentas/signup/", datos_registro(email="Jose.Nunez@itei.org.mx"))
    assert respuesta.status_code == 302
    assert respuesta["Location"] == "/cuentas/confirm-email/"
    assert list(Usuario.objects.values_list("first_name", flat=True)) == ["Primero"]
    assert EmailAddress.objects.count() == 1


def test_doble_envio_del_registro_crea_una_sola_cuenta(client):
    client.post("/cuentas/signup/", datos_registro())
    client.post("/cuentas/signup/", datos_registro())
    assert Usuario.objects.count() == 1


# --- Email confirmation and login -----------------------------------------------------


def test_flujo_completo_registro_confirmacion_login_perfil_y_salida(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    organizacion = SujetoObligadoFactory(nombre="Secretaría de Salud")

    respuesta = client.post("/cuentas/signup/", datos_registro())
    assert respuesta["Location"] == "/cuentas/confirm-email/"
    enlace = enlace_de(mail.outbox[0])

    # Opening the link only shows a confirmation form (mail scanners follow links).
    respuesta = client.get(enlace)
    assert respuesta.status_code == 200
    assert "jose.nunez@itei.org.mx" in respuesta.content.decode()
    assert not EmailAddress.objects.get().verified
    respuesta = client.post(enlace, follow=True)
    assert "Ha confirmado jose.nunez@itei.org.mx." in texto_visible(respuesta)
    assert EmailAddress.objects.get().verified

    respuesta = iniciar_sesion(client, "JOSE.NUNEZ@itei.org.mx")
    assert respuesta.status_code == 302
    assert respuesta["Location"] == "/perfil/"
    respuesta = client.get("/perfil/")
    assert "Ha iniciado sesión exitosamente como José Ángel" in texto_visible(respuesta)
    assert "Complete sus datos" in texto_visible(respuesta)

    respuesta = client.post(
        "/perfil/",
        {
            "first_name": "José Ángel",
            "last_name": "Ñúñez O'Higgins",
            "cargo": "Titular de la Unidad de Transparencia",
            "organizacion": organizacion.pk,
            "curp": "",
        },
        follow=True,
    )
    assert "Sus datos se guardaron." in respuesta.content.decode()
    usuario = Usuario.objects.get()
    assert usuario.perfil_completo
    assert usuario.entidad_id == organizacion.entidad_id

    # With a complete profile, the next login goes to the participant's courses.
    respuesta = client.post("/cuentas/logout/")
    assert respuesta.status_code == 302
    assert "_auth_user_id" not in client.session
    assert iniciar_sesion(client, "jose.nunez@itei.org.mx")["Location"] == "/cursos/mis-cursos/"


def test_sin_confirmar_el_correo_no_se_puede_iniciar_sesion(client):
    client.post("/cuentas/signup/", datos_registro())
    respuesta = iniciar_sesion(client, "jose.nunez@itei.org.mx")
    assert respuesta["Location"] == "/cuentas/confirm-email/"
    assert "_auth_user_id" not in client.session


def test_enlace_de_confirmacion_alterado_no_confirma(client):
    client.post("/cuentas/signup/", datos_registro())
    enlace = enlace_de(mail.outbox[0])
    alterado = enlace[:-3] + "xx/"
    respuesta = client.get(alterado)
    assert "El enlace de confirmación caducó o no es válido" in texto_visible(respuesta)
    assert client.post(alterado).status_code == 404
    assert not EmailAddress.objects.get().verified


def test_login_con_contrasena_incorrecta_muestra_error_en_espanol(client):
    UsuarioFactory(email="ana@ejemplo.gob.mx")
    respuesta = iniciar_sesion(client, "ana@ejemplo.gob.mx", "otra-cosa-123")
    assert respuesta.status_code == 200
    assert "la contraseña que ha indicado no son correctas" in texto_visible(respuesta)
    assert "_auth_user_id" not in client.session


def test_perfil_incompleto_lleva_al_perfil_tras_iniciar_sesion(client):
    UsuarioFactory(email="sin-org@ejemplo.gob.mx", organizacion=None)
    respuesta = iniciar_sesion(client, "sin-org@ejemplo.gob.mx", CONTRASENA_FACTORY)
    assert respuesta["Location"] == "/perfil/"


def test_cambio_de_contrasena(client):
    usuario = UsuarioFactory()
    client.force_login(usuario)
    respuesta = client.post(
        "/cuentas/password/change/",
        {
            "oldpassword": CONTRASENA_FACTORY,
            "password1": "otra-contrasena-larga-9",
            "password2": "otra-contrasena-larga-9",
        },
    )
    assert respuesta.status_code == 302
    usuario.refresh_from_db()
    assert usuario.check_password("otra-contrasena-larga-9")


# --- Password reset ------------------------------------------------------------------


def test_recuperar_contrasena_de_punta_a_punta(client):
    usuario = UsuarioFactory(email="ana@ejemplo.gob.mx")
    respuesta = client.post("/cuentas/password/reset/", {"email": "ANA@ejemplo.gob.mx"})
    assert respuesta["Location"] == "/cuentas/password/reset/done/"
    [mensaje] = mail.outbox
    assert mensaje.subject == "[Transparencia Proactiva] Recupere su contraseña"
    respuesta = client.get(enlace_de(mensaje), follow=True)
    assert "<h1>Elegir contraseña nueva</h1>" in respuesta.content.decode()
    formulario = respuesta.redirect_chain[-1][0]
    respuesta = client.post(
        formulario,
        {"password1": "nueva-contrasena-larga-5", "password2": "nueva-contrasena-larga-5"},
        follow=True,
    )
    assert "<h1>Contraseña cambiada</h1>" in respuesta.content.decode()
    assert_en_espanol(respuesta)
    usuario.refresh_from_db()
    assert usuario.check_password("nueva-contrasena-larga-5")


def test_recuperar_contrasena_de_correo_desconocido_no_revela_nada(client):
    UsuarioFactory(email="ana@ejemplo.gob.mx")
    conocido = client.post("/cuentas/password/reset/", {"email": "ana@ejemplo.gob.mx"})
    desconocido = client.post("/cuentas/password/reset/", {"email": "nadie@ejemplo.gob.mx"})
    assert (conocido.status_code, conocido["Location"]) == (
        desconocido.status_code,
        desconocido["Location"],
    )
    pagina = client.get(desconocido["Location"])
    assert "nadie@ejemplo.gob.mx" not in pagina.content.decode()
    assert "Si el correo que escribió corresponde a una cuenta" in texto_visible(pagina)
    # Only the real account's mailbox receives a reset link.
    assert all("nadie@ejemplo.gob.mx" not in m.to for m in mail.outbox if "/key/" in m.body)


# --- Rate limits and admin logins -------------------------------------------------------


def test_intentos_fallidos_repetidos_se_bloquean_con_pagina_429_en_espanol(client):
    UsuarioFactory(email="ana@ejemplo.gob.mx")
    for _ in range(5):
        assert iniciar_sesion(client, "ana@ejemplo.gob.mx", "equivocada-123").status_code == 200
    # Even the right password is refused while the block lasts.
    respuesta = iniciar_sesion(client, "ana@ejemplo.gob.mx", CONTRASENA_FACTORY)
    assert respuesta.status_code == 429
    assert "<h1>Demasiados intentos</h1>" in respuesta.content.decode()
    assert_en_espanol(respuesta)
    assert "_auth_user_id" not in client.session


def test_demasiadas_solicitudes_de_una_ip_reciben_429(client):
    for numero in range(30):
        iniciar_sesion(client, f"persona{numero}@ejemplo.gob.mx", "x")
    respuesta = iniciar_sesion(client, "otra@ejemplo.gob.mx", "x")
    assert respuesta.status_code == 429
    assert "Demasiados intentos" in respuesta.content.decode()


def test_limites_de_intentos_se_guardan_en_la_cache_compartida_de_base_de_datos(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "lms_cache_prueba",
        }
    }
    call_command("createcachetable", verbosity=0)
    UsuarioFactory(email="ana@ejemplo.gob.mx")
    for _ in range(5):
        iniciar_sesion(client, "ana@ejemplo.gob.mx", "equivocada-123")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM lms_cache_prueba")
        assert cursor.fetchone()[0] > 0
    # Another process (a fresh client and connection to the same table) is blocked too.
    assert iniciar_sesion(Client(), "ana@ejemplo.gob.mx", CONTRASENA_FACTORY).status_code == 429


def test_login_de_wagtail_no_permite_saltarse_allauth(client):
    UsuarioFactory(email="admin@ejemplo.gob.mx", is_staff=True, is_superuser=True)
    respuesta = client.get("/admin/login/?next=/admin/")
    assert respuesta.status_code == 302
    assert respuesta["Location"].startswith("/cuentas/login/")
    respuesta = client.post(
        "/admin/login/", {"username": "admin@ejemplo.gob.mx", "password": CONTRASENA_FACTORY}
    )
    assert respuesta.status_code == 302
    assert respuesta["Location"].startswith("/cuentas/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/", follow=True).redirect_chain[-1][0].startswith("/cuentas/login/")


def test_admin_de_wagtail_sin_sesion_lleva_al_login_de_allauth_con_next(client):
    respuesta = client.get("/admin/pages/", follow=True)
    assert respuesta.redirect_chain[-1][0] == "/cuentas/login/?next=/admin/pages/"
    assert "<h1>Iniciar sesión</h1>" in respuesta.content.decode()


def test_admin_de_wagtail_sin_permiso_no_crea_un_ciclo_de_redirecciones(client):
    client.force_login(UsuarioFactory(organizacion=None))
    respuesta = client.get("/admin/", follow=True)
    assert respuesta.status_code == 200
    assert respuesta.redirect_chain[-1][0] == "/perfil/"
    assert len(respuesta.redirect_chain) == 2


def test_admin_de_django_sin_permiso_da_403_y_no_un_ciclo(client):
    client.force_login(UsuarioFactory())
    respuesta = client.get("/django-admin/", follow=True)
    assert respuesta.status_code == 403
    assert "No tiene permiso" in texto_visible(respuesta)


def test_login_de_wagtail_con_sesion_sin_permiso_da_403(client):
    client.force_login(UsuarioFactory())
    respuesta = client.get("/admin/login/?next=/admin/")
    assert respuesta.status_code == 403
    assert "No tiene permiso" in texto_visible(respuesta)


def test_administrador_con_sesion_pasa_del_login_de_wagtail_al_admin(client):
    client.force_login(UsuarioFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/login/?next=/admin/pages/")["Location"] == "/admin/pages/"
    assert client.get("/admin/login/")["Location"] == "/admin/"


def test_login_del_admin_de_django_pasa_por_allauth(client):
    UsuarioFactory(email="admin@ejemplo.gob.mx", is_staff=True, is_superuser=True)
    respuesta = client.get("/django-admin/login/")
    assert respuesta.status_code == 302
    assert respuesta["Location"].startswith("/cuentas/login/")
    respuesta = client.post(
        "/django-admin/login/",
        {"username": "admin@ejemplo.gob.mx", "password": CONTRASENA_FACTORY},
    )
    assert respuesta.status_code == 302
    assert respuesta["Location"].startswith("/cuentas/login/")
    assert "_auth_user_id" not in client.session


def test_admin_de_django_no_sirve_para_adivinar_contrasenas_con_sesion_iniciada(client):
    # Django's own admin login form would authenticate without allauth's rate limits.
    admin = UsuarioFactory(email="admin@ejemplo.gob.mx", is_staff=True, is_superuser=True)
    normal = UsuarioFactory(email="normal@ejemplo.gob.mx")
    client.force_login(normal)
    respuesta = client.post(
        "/django-admin/login/",
        {"username": "admin@ejemplo.gob.mx", "password": CONTRASENA_FACTORY},
    )
    assert respuesta.status_code == 403
    assert client.session["_auth_user_id"] == str(normal.pk) != str(admin.pk)


def test_personal_con_sesion_pasa_del_login_del_admin_de_django_al_admin(client):
    client.force_login(UsuarioFactory(is_staff=True))
    assert client.get("/django-admin/login/")["Location"] == "/django-admin/"
    respuesta = client.get("/django-admin/login/?next=https://malicioso.example/")
    assert respuesta["Location"] == "/django-admin/"


def test_admin_de_django_sin_sesion_lleva_al_login_de_allauth_con_next(client):
    respuesta = client.get("/django-admin/", follow=True)
    assert respuesta.redirect_chain[-1][0] == "/cuentas/login/?next=/django-admin/"
    assert "<h1>Iniciar sesión</h1>" in respuesta.content.decode()


def test_cuenta_desactivada_no_inicia_sesion(client):
    UsuarioFactory(email="baja@ejemplo.gob.mx", is_active=False)
    respuesta = iniciar_sesion(client, "baja@ejemplo.gob.mx", CONTRASENA_FACTORY)
    assert "_auth_user_id" not in client.session
    assert respuesta.status_code in (200, 302)
