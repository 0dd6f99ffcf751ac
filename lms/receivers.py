"""Keep Django groups in step with role assignments; keep the admin in its one language."""

from typing import Any

from allauth.account.signals import password_reset

from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver

from wagtail.admin.localization import get_available_admin_languages
from wagtail.users.models import UserProfile

from lms import services
from lms.models import AsignacionRol


@receiver(post_save, sender=AsignacionRol)
@receiver(post_delete, sender=AsignacionRol)
def sincronizar_grupos_al_asignar(sender: type, instance: AsignacionRol, **kwargs: Any) -> None:
    services.sincronizar_grupos(usuario=instance.usuario)


@receiver(password_reset, dispatch_uid="lms_verificar_correo_al_elegir_contrasena")
def verificar_correo_al_elegir_contrasena(
    sender: Any, request: Any, user: Any, **kwargs: Any
) -> None:
    services.verificar_correo_propio(usuario=user)


@receiver(post_init, sender=UserProfile, dispatch_uid="lms_idioma_admin_permitido")
def ignorar_idioma_no_permitido(sender: type, instance: UserProfile, **kwargs: Any) -> None:
    """A stored admin language that is no longer offered reads as "no preference".

    Wagtail returns a stored preference without checking it against
    WAGTAILADMIN_PERMITTED_LANGUAGES, so a profile saved when English was offered would
    keep that person's admin in English.
    """
    if instance.preferred_language and instance.preferred_language not in dict(
        get_available_admin_languages()
    ):
        instance.preferred_language = ""
