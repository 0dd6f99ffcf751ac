"""The sign-up form allauth shows, doing the same work whether the address is known or not."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm

from django.contrib.auth.hashers import make_password
from django.http import HttpRequest


class RegistroCuentaForm(SignupForm):
    """allauth's sign-up form (with `lms.forms.RegistroForm`'s fields) without a timing oracle.

    With ACCOUNT_PREVENT_ENUMERATION allauth answers a registered address with the same
    page as a new one and mails its owner instead of creating an account, which skips
    hashing the password: the slowest step of a sign-up, so the answer came back
    measurably sooner for people who have an account. Both answers now hash the password
    once, and both queue one e-mail through EMAIL_BACKEND (the Celery backend of
    `lms.correo`), never sending it while the visitor waits.
    """

    def try_save(self, request: HttpRequest) -> tuple[Any, Any]:
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)
