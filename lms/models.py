"""The people model: users, organizations (entidad → órgano garante → sujeto obligado) and roles."""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.functions import Concat, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Site
from wagtail.search import index

from lms.busqueda_texto import SinAcentos


class EntidadFederativa(models.Model):
    clave_inegi = models.CharField(_("clave INEGI"), max_length=2, unique=True)
    nombre = models.CharField(_("nombre"), max_length=100, unique=True)
    abreviatura = models.CharField(_("abreviatura"), max_length=10, unique=True)

    panels = [FieldPanel("clave_inegi"), FieldPanel("nombre"), FieldPanel("abreviatura")]

    class Meta:
        ordering = ["clave_inegi"]
        verbose_name = _("entidad federativa")
        verbose_name_plural = _("entidades federativas")

    def __str__(self) -> str:
        return self.nombre


class Organizacion(index.Indexed, models.Model):
    """An órgano garante or a sujeto obligado; names are data and keep their history."""

    class Clase(models.TextChoices):
        ORGANO_GARANTE = "organo_garante", _("Órgano garante")
        SUJETO_OBLIGADO = "sujeto_obligado", _("Sujeto obligado")

    class Ambito(models.TextChoices):
        FEDERAL = "federal", _("Federal")
        ESTATAL = "estatal", _("Estatal")
        MUNICIPAL = "municipal", _("Municipal")

    class Tipo(models.TextChoices):
        PODER_EJECUTIVO = "poder_ejecutivo", _("Poder Ejecutivo")
        PODER_LEGISLATIVO = "poder_legislativo", _("Poder Legislativo")
        PODER_JUDICIAL = "poder_judicial", _("Poder Judicial")
        ORGANO_AUTONOMO = "organo_autonomo", _("Órgano autónomo")
        MUNICIPIO = "municipio", _("Municipio")
        PARTIDO_POLITICO = "partido_politico", _("Partido político")
        SINDICATO = "sindicato", _("Sindicato")
        FIDEICOMISO = "fideicomiso", _("Fideicomiso o fondo público")
        OTRO = "otro", _("Otro")

    clase = models.CharField(_("clase"), max_length=20, choices=Clase.choices)
    nombre = models.CharField(_("nombre"), max_length=255)
    siglas = models.CharField(_("siglas"), max_length=30, blank=True)
    entidad = models.ForeignKey(
        EntidadFederativa,
        verbose_name=_("entidad federativa"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizaciones",
        help_text=_("Vacío para el órgano garante nacional y los sujetos obligados federales."),
    )
    organo_garante = models.ForeignKey(
        "self",
        verbose_name=_("órgano garante"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sujetos_obligados",
        limit_choices_to={"clase": "organo_garante"},
    )
    ambito = models.CharField(_("ámbito"), max_length=10, choices=Ambito.choices, blank=True)
    tipo = models.CharField(_("tipo"), max_length=20, choices=Tipo.choices, blank=True)
    activa = models.BooleanField(_("activa"), default=True)
    fusionada_en = models.ForeignKey(
        "self",
        verbose_name=_("fusionada en"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fusionadas",
    )
    creada_en = models.DateTimeField(_("creada en"), auto_now_add=True)
    actualizada_en = models.DateTimeField(_("actualizada en"), auto_now=True)
    # Computed by the database on every write (see lms.busqueda_texto).
    busqueda = models.GeneratedField(
        verbose_name=_("texto de búsqueda"),
        expression=SinAcentos(
            Concat("nombre", models.Value(" "), "siglas", output_field=models.TextField())
        ),
        output_field=models.TextField(),
        db_persist=True,
    )

    search_fields = [
        index.SearchField("nombre"),
        index.SearchField("siglas"),
        index.AutocompleteField("nombre"),
        index.FilterField("clase"),
        index.FilterField("entidad"),
        index.FilterField("id"),
    ]

    class Meta:
        ordering = ["entidad__clave_inegi", "clase", "nombre"]
        verbose_name = _("organización")
        verbose_name_plural = _("organizaciones")
        constraints = [
            models.UniqueConstraint(
                "clase", "entidad", Lower("nombre"), name="organizacion_nombre_unico_por_entidad"
            ),
            models.CheckConstraint(
                condition=models.Q(clase="organo_garante") | ~models.Q(ambito=""),
                name="sujeto_obligado_con_ambito",
            ),
            models.CheckConstraint(
                condition=~models.Q(ambito__in=["estatal", "municipal"])
                | models.Q(entidad__isnull=False),
                name="ambito_local_con_entidad",
            ),
        ]

    def __str__(self) -> str:
        if self.entidad_id and self.entidad is not None:
            return f"{self.nombre} ({self.entidad.abreviatura})"
        return self.nombre

    @property
    def es_nacional(self) -> bool:
        return self.clase == self.Clase.ORGANO_GARANTE and self.entidad_id is None

    def nombre_en(self, fecha: datetime.date) -> str:
        """The name the body had on `fecha` (the current name when no history covers it)."""
        for registro in self.nombres_historicos.all():
            if registro.vigente_desde <= fecha <= registro.vigente_hasta:
                return registro.nombre
        return self.nombre


class NombreOrganizacion(models.Model):
    """A name an organization used to have, and when."""

    organizacion = models.ForeignKey(
        Organizacion, on_delete=models.CASCADE, related_name="nombres_historicos"
    )
    nombre = models.CharField(_("nombre"), max_length=255)
    siglas = models.CharField(_("siglas"), max_length=30, blank=True)
    vigente_desde = models.DateField(_("vigente desde"))
    vigente_hasta = models.DateField(_("vigente hasta"))
    motivo = models.CharField(_("motivo"), max_length=255, blank=True)

    class Meta:
        ordering = ["-vigente_hasta"]
        verbose_name = _("nombre anterior")
        verbose_name_plural = _("nombres anteriores")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(vigente_hasta__gte=models.F("vigente_desde")),
                name="nombre_organizacion_fechas_en_orden",
            )
        ]

    def __str__(self) -> str:
        return f"{self.nombre} ({self.vigente_desde:%Y}–{self.vigente_hasta:%Y})"


class UsuarioManager(BaseUserManager["Usuario"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> Usuario:
        if not email:
            raise ValueError("Se requiere un correo electrónico.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> Usuario:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> Usuario:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> Usuario:
        return self.get(email__iexact=username)


class Usuario(AbstractUser):
    """A person; the email is the login and the names print on constancias as written."""

    username = None  # type: ignore[assignment]  # no username: the email is the login
    email = models.EmailField(_("correo electrónico"), unique=True)
    first_name = models.CharField(_("nombre(s)"), max_length=150, blank=True)
    last_name = models.CharField(_("apellidos"), max_length=150, blank=True)
    curp = models.CharField(_("CURP"), max_length=18, blank=True, default="")
    cargo = models.CharField(_("cargo"), max_length=200, blank=True)
    organizacion = models.ForeignKey(
        Organizacion,
        verbose_name=_("organización"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="personas",
    )
    entidad = models.ForeignKey(
        EntidadFederativa,
        verbose_name=_("entidad federativa"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="personas",
    )
    aviso_privacidad_aceptado_en = models.DateTimeField(
        _("aviso de privacidad aceptado en"), null=True, blank=True
    )
    aviso_privacidad_version = models.CharField(
        _("versión del aviso de privacidad aceptada"), max_length=20, blank=True
    )
    # Computed by the database on every write (see lms.busqueda_texto); never shown.
    busqueda = models.GeneratedField(
        verbose_name=_("texto de búsqueda"),
        expression=SinAcentos(
            Concat(
                "first_name",
                models.Value(" "),
                "last_name",
                models.Value(" "),
                "email",
                output_field=models.TextField(),
            )
        ),
        output_field=models.TextField(),
        db_persist=True,
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # UsuarioManager replaces UserManager: people log in with their email.
    objects = UsuarioManager()  # type: ignore[assignment,misc]

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        verbose_name = _("usuario")
        verbose_name_plural = _("usuarios")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="usuario_email_unico_sin_mayusculas"),
            models.UniqueConstraint(
                fields=["curp"], condition=~models.Q(curp=""), name="usuario_curp_unica"
            ),
        ]

    def __str__(self) -> str:
        return self.nombre_completo or self.email

    @property
    def nombre_completo(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part).strip()

    def get_full_name(self) -> str:
        return self.nombre_completo

    @property
    def perfil_completo(self) -> bool:
        return bool(self.first_name and self.last_name and self.organizacion_id)


class Rol(models.TextChoices):
    PARTICIPANTE = "participante", _("Participante")
    INSTRUCTOR = "instructor", _("Instructor")
    COORDINADOR_ESTATAL = "coordinador_estatal", _("Coordinador estatal")
    COORDINADOR_NACIONAL = "coordinador_nacional", _("Coordinador nacional")
    ADMINISTRADOR = "administrador", _("Administrador")


class AsignacionRol(models.Model):
    """A role a person holds; a state coordinator's role names the one entity it covers."""

    usuario = models.ForeignKey(
        Usuario, verbose_name=_("persona"), on_delete=models.CASCADE, related_name="asignaciones"
    )
    rol = models.CharField(_("rol"), max_length=30, choices=Rol.choices)
    entidad = models.ForeignKey(
        EntidadFederativa,
        verbose_name=_("entidad federativa"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Solo para coordinadores estatales: la entidad que coordinan."),
    )
    asignado_en = models.DateTimeField(_("asignado en"), default=timezone.now)

    panels = [FieldPanel("usuario"), FieldPanel("rol"), FieldPanel("entidad")]

    class Meta:
        verbose_name = _("asignación de rol")
        verbose_name_plural = _("asignaciones de rol")
        constraints = [
            models.UniqueConstraint(
                fields=["usuario", "rol", "entidad"], name="asignacion_rol_unica"
            ),
            models.UniqueConstraint(
                fields=["usuario", "rol"],
                condition=models.Q(entidad__isnull=True),
                name="asignacion_rol_global_unica",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(rol="coordinador_estatal", entidad__isnull=False)
                    | (~models.Q(rol="coordinador_estatal") & models.Q(entidad__isnull=True))
                ),
                name="asignacion_entidad_solo_coordinador_estatal",
            ),
        ]

    def __str__(self) -> str:
        if self.entidad_id:
            return f"{self.usuario} — {self.get_rol_display()} ({self.entidad})"
        return f"{self.usuario} — {self.get_rol_display()}"


@register_setting(icon="cog")
class ConfiguracionSitio(BaseGenericSetting):
    """Site-wide texts that administrators edit: the platform's name and privacy notice."""

    nombre_plataforma: models.CharField[str, str] = models.CharField(
        _("nombre de la plataforma"),
        max_length=200,
        default="Capacitación en Transparencia Proactiva",
    )
    institucion_responsable: models.CharField[str, str] = models.CharField(
        _("institución responsable de los datos personales"), max_length=255, blank=True
    )
    correo_contacto: models.EmailField[str, str] = models.EmailField(
        _("correo de contacto"), blank=True
    )
    aviso_privacidad = RichTextField(_("aviso de privacidad"), blank=True)
    aviso_privacidad_version: models.CharField[str, str] = models.CharField(
        _("versión del aviso de privacidad"),
        max_length=20,
        default="1",
        help_text=_("Cámbiela cuando el aviso cambie: cada aceptación registra la versión."),
    )

    panels = [
        FieldPanel("nombre_plataforma"),
        FieldPanel("institucion_responsable"),
        FieldPanel("correo_contacto"),
        FieldPanel("aviso_privacidad"),
        FieldPanel("aviso_privacidad_version"),
    ]

    class Meta:
        verbose_name = _("configuración del sitio")

    @classmethod
    def load(cls, request_or_site: Any = None) -> ConfiguracionSitio:
        """The one row, read from the shared cache instead of the database on every page.

        `save` and `delete` drop the cached copy (at once and again after the commit);
        a copy stored by a request that read the row just before a change lives at
        most `SEGUNDOS_CACHE`.
        """
        atributo = cls.get_cache_attr_name()
        if request_or_site is not None and hasattr(request_or_site, atributo):
            return getattr(request_or_site, atributo)
        configuracion = cache.get(CLAVE_CONFIGURACION)
        if not isinstance(configuracion, cls):
            configuracion = cls._get_or_create()
            cache.set(CLAVE_CONFIGURACION, configuracion, SEGUNDOS_CACHE_CONFIGURACION)
        if request_or_site is not None and not isinstance(request_or_site, Site):
            setattr(request_or_site, atributo, configuracion)
        return configuracion

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        _olvidar_configuracion()

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        resultado = super().delete(*args, **kwargs)
        _olvidar_configuracion()
        return resultado


CLAVE_CONFIGURACION = "lms:configuracion_sitio"
SEGUNDOS_CACHE_CONFIGURACION = 60


def _olvidar_configuracion() -> None:
    cache.delete(CLAVE_CONFIGURACION)
    transaction.on_commit(lambda: cache.delete(CLAVE_CONFIGURACION))


class RegistroAuditoria(models.Model):
    """Who exported or consulted what, when, with which filters and how many rows."""

    class Accion(models.TextChoices):
        EXPORTACION = "exportacion", _("Exportación")
        EXPORTACION_SOLICITADA = "exportacion_solicitada", _("Exportación en segundo plano")
        DESCARGA = "descarga", _("Descarga de exportación")
        CONSULTA_TABLERO = "consulta_tablero", _("Consulta del tablero")
        CONSULTA_KARDEX = "consulta_kardex", _("Consulta de kárdex")
        EXPORTACION_ADMINISTRACION = (
            "exportacion_administracion",
            _("Exportación desde la administración"),
        )
        DESCARGA_RESULTADOS = "descarga_resultados", _("Descarga de resultados de evaluación")
        DESCARGA_RESPUESTAS = "descarga_respuestas", _("Descarga de respuestas de evaluación")
        DESCARGA_CONSTANCIAS_ZIP = "descarga_constancias_zip", _("Descarga de constancias (ZIP)")
        DESCARGA_CONSTANCIAS_IMPRESION = (
            "descarga_constancias_impresion",
            _("Descarga de constancias para imprimir"),
        )
        DESCARGA_CONSTANCIA = "descarga_constancia", _("Descarga de la constancia de otra persona")

    usuario = models.ForeignKey(
        Usuario,
        verbose_name=_("persona"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    usuario_email = models.EmailField(_("correo de quien actuó"), blank=True)
    accion = models.CharField(_("acción"), max_length=30, choices=Accion.choices)
    filtros = models.JSONField(_("filtros"), default=dict, blank=True)
    filas = models.PositiveIntegerField(_("filas"), null=True, blank=True)
    objeto = models.CharField(_("objeto"), max_length=100, blank=True)
    registrado_en = models.DateTimeField(_("fecha"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-registrado_en"]
        verbose_name = _("registro de auditoría")
        verbose_name_plural = _("bitácora de auditoría")

    def __str__(self) -> str:
        return f"{self.registrado_en:%Y-%m-%d %H:%M} {self.usuario_email} {self.accion}"
