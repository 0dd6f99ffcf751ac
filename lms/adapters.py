from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from lms import services
from lms.alcance import alcance_de
from lms.direcciones import dominio_publico, url_publica
from lms.models import ConfiguracionSitio, Usuario
from lms.red import direccion_cliente


@dataclass(frozen=True)
class SitioPublico:
    """What allauth's e-mail templates read as `current_site`, from the public address."""

    domain: str
    name: str


class CuentaAdapter(DefaultAccountAdapter):
    """Records the privacy-notice acceptance and, after login, sends people where their work is.

    New people complete their profile first; participants land on "Mis cursos"; staff
    roles keep the home page, from which their own areas are linked.

    Every link in allauth's e-mails points at the configured public address
    (lms.direcciones), never at the host the request happened to arrive at.
    """

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        contexto = {
            **context,
            "current_site": SitioPublico(domain=dominio_publico(), name=settings.WAGTAIL_SITE_NAME),
        }
        if "signup_url" in contexto:
            # The unknown-account e-mail gets this link from a flow outside the adapter.
            contexto["signup_url"] = url_publica(reverse("account_signup"))
        super().send_mail(template_prefix, email, contexto)

    def send_account_already_exists_mail(self, email: str) -> None:
        contexto = {
            "signup_url": url_publica(reverse("account_signup")),
            "password_reset_url": url_publica(reverse("account_reset_password")),
        }
        self.send_mail("account/email/account_already_exists", email, contexto)

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        return url_publica(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        # allauth's opaque key is "<uidb36>-<token>", one URL segment pair joined by "-".
        ruta = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return url_publica(ruta.replace("UID-KEY", quote(key)))

    def clean_email(self, email: str) -> str:
        # One lower-case spelling per address: the unique index is on lower(email).
        return super().clean_email(email).strip().lower()

    def save_user(
        self, request: HttpRequest, user: Usuario, form: Any, commit: bool = True
    ) -> Usuario:
        user = super().save_user(request, user, form, commit=False)
        datos = form.cleaned_data
        user.first_name = " ".join(datos.get("first_name", "").split())
        user.last_name = " ".join(datos.get("last_name", "").split())
        user.email = user.email.strip().lower()
        if commit:
            # The account and its acceptance of the notice exist together or not at all.
            try:
                with transaction.atomic():
                    user.save()
                    if datos.get("acepta_aviso"):
                        version = ConfiguracionSitio.load(
                            request_or_site=request
                        ).aviso_privacidad_version
                        services.registrar_aceptacion_aviso(usuario=user, version=version)
            except IntegrityError as error:
                # A concurrent sign-up stored the same address after the form checked it;
                # answer as for any known address, so nothing is created or revealed.
                raise ImmediateHttpResponse(
                    HttpResponseRedirect(reverse("account_email_verification_sent"))
                ) from error
        return user

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # Too many failed logins answer with the same 429 page as every other
        # rate limit, instead of one more form error a script can keep posting to.
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as error:
            if error.code == "too_many_login_attempts":
                raise ImmediateHttpResponse(respond_429(request)) from error
            raise

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits (login, sign-up, reset, the CURP lookups) key on the same
        # client address as the project's own, behind the configured proxies.
        ip = direccion_cliente(request)
        if not ip:
            raise PermissionDenied(_("No se pudo determinar la dirección del cliente."))
        return ip

    def is_safe_url(self, url: str) -> bool:
        # An admin the signed-in person may not enter sends them back to the login,
        # which would send them to the admin again: drop such a `next` to break the loop.
        if not super().is_safe_url(url):
            return False
        usuario = getattr(context.request, "user", None)
        if usuario is None or not usuario.is_authenticated:
            return True
        ruta = urlsplit(url).path
        if ruta.startswith(reverse("wagtailadmin_home")):
            return usuario.has_perm("wagtailadmin.access_admin")
        if ruta.startswith(reverse("admin:index")):
            return usuario.is_active and usuario.is_staff
        return True

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user = request.user
        if isinstance(user, Usuario) and not user.perfil_completo:
            return reverse("perfil")
        if not alcance_de(user).roles:
            try:
                # Named, not imported: lms sits below the courses app.
                return reverse("cursos:mis_cursos")
            except NoReverseMatch:
                pass
        return super().get_login_redirect_url(request)
