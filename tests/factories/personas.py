import factory
from allauth.account.models import EmailAddress

from lms.models import AsignacionRol, EntidadFederativa, Organizacion, Usuario


def entidad(clave: str) -> EntidadFederativa:
    """One of the 32 entities the migrations seed, by INEGI code."""
    return EntidadFederativa.objects.get(clave_inegi=clave)


class EntidadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EntidadFederativa
        django_get_or_create = ("clave_inegi",)

    clave_inegi = factory.Iterator(["14", "09", "20", "31", "19"])


class OrganoGaranteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organizacion

    clase = Organizacion.Clase.ORGANO_GARANTE
    nombre = factory.Sequence(lambda n: f"Órgano Garante {n}")
    entidad = factory.SubFactory(EntidadFactory)
    tipo = Organizacion.Tipo.ORGANO_AUTONOMO


class SujetoObligadoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organizacion

    clase = Organizacion.Clase.SUJETO_OBLIGADO
    nombre = factory.Sequence(lambda n: f"Secretaría número {n}")
    entidad = factory.SubFactory(EntidadFactory)
    ambito = Organizacion.Ambito.ESTATAL
    tipo = Organizacion.Tipo.PODER_EJECUTIVO
    organo_garante = factory.SubFactory(
        OrganoGaranteFactory, entidad=factory.SelfAttribute("..entidad")
    )


class UsuarioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Usuario
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persona{n}@ejemplo.gob.mx")
    first_name = "María José"
    last_name = factory.Sequence(lambda n: f"Núñez Peña {n}")
    cargo = "Enlace de transparencia"
    organizacion = factory.SubFactory(SujetoObligadoFactory)
    entidad = factory.LazyAttribute(lambda o: o.organizacion.entidad if o.organizacion else None)
    password = factory.django.Password("contrasena-segura-123")

    @factory.post_generation
    def verificado(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class AsignacionRolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AsignacionRol

    usuario = factory.SubFactory(UsuarioFactory)
    rol = "instructor"
    entidad = None
