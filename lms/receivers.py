"""Keep Django groups in step with role assignments made in the admin."""

from typing import Any

from allauth.account.signals import password_reset

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

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
