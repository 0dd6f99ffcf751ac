"""Evaluations, the question bank and attempts. The quiz engine knows nothing of courses."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
)
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, RevisionMixin
from wagtail.search import index

from evaluaciones.autoria import (
    CampoPorTipo,
    ColumnaPorTipo,
    FilasPorTipo,
    PuntosTotalesPanel,
)
from evaluaciones.forms import (
    CategoriaPreguntaAdminForm,
    EvaluacionAdminForm,
    ExcepcionAdminForm,
    PreguntaAdminForm,
)
from evaluaciones.scoring import MetodoCalificacion, TipoPregunta
from lms import subidas
from lms.archivos import nombre_privado, privado


class Momento(models.TextChoices):
    """When the participant may see one part of the review."""

    AL_ENVIAR = "al_enviar", _("Al enviar el intento")
    AL_CIERRE = "al_cierre", _("Después de la fecha de cierre")
    NUNCA = "nunca", _("Nunca")


class Evaluacion(ClusterableModel):
    """An evaluation a course hands to the engine; results are read back through selectors."""

    class Metodo(models.TextChoices):
        MAS_ALTA = MetodoCalificacion.MAS_ALTA.value, _("Calificación más alta")
        ULTIMA = MetodoCalificacion.ULTIMA.value, _("Último intento")
        PRIMERA = MetodoCalificacion.PRIMERA.value, _("Primer intento")
        PROMEDIO = MetodoCalificacion.PROMEDIO.value, _("Promedio de los intentos")

    titulo: models.CharField[str, str] = models.CharField(_("título"), max_length=255)
    curso: models.ForeignKey[Page | None, Page | None] = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("curso"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "El equipo docente de este curso la edita, califica y consulta sus resultados, "
            "y solo quienes están inscritos en él pueden presentarla."
        ),
    )
    descripcion: models.TextField[str, str] = models.TextField(_("instrucciones"), blank=True)
    publicada: models.BooleanField[bool, bool] = models.BooleanField(
        _("publicada"),
        default=False,
        help_text=_("Solo las evaluaciones publicadas pueden presentarse."),
    )
    abre_en: models.DateTimeField[datetime.datetime | None, datetime.datetime | None] = (
        models.DateTimeField(_("abre"), null=True, blank=True)
    )
    cierra_en: models.DateTimeField[datetime.datetime | None, datetime.datetime | None] = (
        models.DateTimeField(_("cierra"), null=True, blank=True)
    )
    limite_minutos: models.PositiveIntegerField[int | None, int | None] = (
        models.PositiveIntegerField(
            _("tiempo límite (minutos)"),
            null=True,
            blank=True,
            validators=[MinValueValidator(1)],
            help_text=_("Vacío: sin tiempo límite."),
        )
    )
    intentos_permitidos: models.PositiveSmallIntegerField[int, int] = (
        models.PositiveSmallIntegerField(
            _("intentos permitidos"), default=1, help_text=_("0: intentos ilimitados.")
        )
    )
    metodo_calificacion: models.CharField[str, str] = models.CharField(
        _("calificación con varios intentos"),
        max_length=20,
        choices=Metodo.choices,
        default=Metodo.MAS_ALTA,
    )
    puntaje_aprobatorio: models.DecimalField[Decimal, Decimal] = models.DecimalField(
        _("calificación aprobatoria (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("70"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    barajar_preguntas: models.BooleanField[bool, bool] = models.BooleanField(
        _("barajar las preguntas"), default=False
    )
    barajar_opciones: models.BooleanField[bool, bool] = models.BooleanField(
        _("barajar las opciones"), default=True
    )
    revision_puntaje: models.CharField[str, str] = models.CharField(
        _("la calificación se muestra"),
        max_length=12,
        choices=Momento.choices,
        default=Momento.AL_ENVIAR,
    )
    revision_respuestas: models.CharField[str, str] = models.CharField(
        _("sus respuestas se muestran"),
        max_length=12,
        choices=Momento.choices,
        default=Momento.AL_ENVIAR,
    )
    revision_correctas: models.CharField[str, str] = models.CharField(
        _("las respuestas correctas se muestran"),
        max_length=12,
        choices=Momento.choices,
        default=Momento.AL_CIERRE,
    )
    revision_retroalimentacion: models.CharField[str, str] = models.CharField(
        _("la retroalimentación se muestra"),
        max_length=12,
        choices=Momento.choices,
        default=Momento.AL_CIERRE,
    )
    creada_en: models.DateTimeField[datetime.datetime, datetime.datetime] = models.DateTimeField(
        _("creada en"), auto_now_add=True
    )
    actualizada_en: models.DateTimeField[datetime.datetime, datetime.datetime] = (
        models.DateTimeField(_("actualizada en"), auto_now=True)
    )

    panels = [
        FieldPanel("titulo"),
        FieldPanel("curso"),
        FieldPanel("descripcion"),
        FieldPanel("publicada"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("abre_en"), FieldPanel("cierra_en")]),
                FieldRowPanel([FieldPanel("limite_minutos"), FieldPanel("intentos_permitidos")]),
                FieldRowPanel(
                    [FieldPanel("metodo_calificacion"), FieldPanel("puntaje_aprobatorio")]
                ),
                FieldRowPanel([FieldPanel("barajar_preguntas"), FieldPanel("barajar_opciones")]),
            ],
            heading=_("Reglas"),
        ),
        InlinePanel(
            "secciones",
            heading=_("Preguntas"),
            label=_("Pregunta o sección aleatoria"),
            min_num=1,
        ),
        PuntosTotalesPanel(heading=_("Puntos totales")),
        MultiFieldPanel(
            [
                FieldPanel("revision_puntaje"),
                FieldPanel("revision_respuestas"),
                FieldPanel("revision_correctas"),
                FieldPanel("revision_retroalimentacion"),
            ],
            heading=_("Revisión para el participante"),
        ),
    ]

    base_form_class = EvaluacionAdminForm

    class Meta:
        ordering = ["titulo"]
        verbose_name = _("evaluación")
        verbose_name_plural = _("evaluaciones")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(abre_en__isnull=True)
                | models.Q(cierra_en__isnull=True)
                | models.Q(cierra_en__gt=models.F("abre_en")),
                name="evaluacion_cierra_despues_de_abrir",
                violation_error_message=_(
                    "La fecha de cierre debe ser posterior a la de apertura."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.titulo


# Pregunta's base (ClusterableModel) is untyped, so the django-stubs plugin cannot build the
# reverse manager of Pregunta.categoria ("preguntas") here.
class CategoriaPregunta(models.Model):  # type: ignore[django-manager-missing]
    """A bin of the question bank that sections draw random questions from."""

    nombre = models.CharField(_("nombre"), max_length=150)
    curso = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("curso"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("El equipo docente de este curso administra la categoría y sus preguntas."),
    )
    padre = models.ForeignKey(
        "self",
        verbose_name=_("categoría superior"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hijas",
        help_text=_(
            "Opcional. Las categorías forman un árbol por curso, como en Moodle "
            "($course$/Fase teórica/Tema 1); la superior debe ser del mismo curso."
        ),
    )
    descripcion = models.TextField(_("descripción"), blank=True)

    panels = [
        FieldPanel("nombre"),
        FieldPanel("curso"),
        FieldPanel("padre"),
        FieldPanel("descripcion"),
    ]
    base_form_class = CategoriaPreguntaAdminForm

    class Meta:
        ordering = ["nombre"]
        verbose_name = _("categoría de preguntas")
        verbose_name_plural = _("categorías de preguntas")
        constraints = [
            # Names are unique among siblings: one per parent, per course or shared bank.
            models.UniqueConstraint(
                fields=["padre", "nombre"],
                condition=models.Q(padre__isnull=False),
                name="categoria_nombre_unico_por_padre",
                violation_error_message=_(
                    "Esta categoría ya tiene una subcategoría con ese nombre."
                ),
            ),
            models.UniqueConstraint(
                fields=["curso", "nombre"],
                condition=models.Q(padre__isnull=True),
                name="categoria_nombre_unico_por_curso",
                violation_error_message=_("Este curso ya tiene una categoría con ese nombre."),
            ),
            models.UniqueConstraint(
                fields=["nombre"],
                condition=models.Q(curso__isnull=True, padre__isnull=True),
                name="categoria_nombre_unico_sin_curso",
                violation_error_message=_("Ya existe una categoría general con ese nombre."),
            ),
            models.CheckConstraint(
                condition=~models.Q(padre=models.F("pk")),
                name="categoria_no_es_su_propia_superior",
            ),
        ]

    def __str__(self) -> str:
        return self.nombre

    def ruta(self) -> str:
        """Its place in the course's tree, as Moodle writes it: "Fase teórica / Tema 1"."""
        nombres: list[str] = []
        vistas: set[int | None] = set()
        actual: CategoriaPregunta | None = self
        while actual is not None and actual.pk not in vistas:
            vistas.add(actual.pk)
            nombres.append(actual.nombre)
            actual = actual.padre
        return " / ".join(reversed(nombres))

    # The admin reads this attribute of the method; the stubs know none.
    ruta.short_description = _("categoría")  # type: ignore[attr-defined]


class EtiquetaPregunta(TaggedItemBase):
    content_object = ParentalKey(
        "evaluaciones.Pregunta", on_delete=models.CASCADE, related_name="etiquetas_asignadas"
    )


class Pregunta(RevisionMixin, index.Indexed, ClusterableModel):
    """A reusable bank question; attempts copy it when they start, so edits never touch them."""

    class Tipo(models.TextChoices):
        OPCION_UNICA = TipoPregunta.OPCION_UNICA.value, _("Opción única")
        OPCION_MULTIPLE = TipoPregunta.OPCION_MULTIPLE.value, _("Respuesta múltiple")
        VERDADERO_FALSO = TipoPregunta.VERDADERO_FALSO.value, _("Verdadero o falso")
        RESPUESTA_CORTA = TipoPregunta.RESPUESTA_CORTA.value, _("Respuesta corta")
        NUMERICA = TipoPregunta.NUMERICA.value, _("Numérica")
        RELACIONAR = TipoPregunta.RELACIONAR.value, _("Relacionar columnas")
        ORDENAR = TipoPregunta.ORDENAR.value, _("Ordenar")
        ENSAYO = TipoPregunta.ENSAYO.value, _("Ensayo (calificación manual)")
        ENTREGABLE = TipoPregunta.ENTREGABLE.value, _("Entregable (archivo, calificación manual)")

    titulo: models.CharField[str, str] = models.CharField(
        _("nombre interno"),
        max_length=255,
        help_text=_("Para encontrarla en el banco; el participante no lo ve."),
    )
    tipo: models.CharField[str, str] = models.CharField(
        _("tipo"), max_length=20, choices=Tipo.choices
    )
    categoria: models.ForeignKey[CategoriaPregunta, CategoriaPregunta] = models.ForeignKey(
        CategoriaPregunta,
        verbose_name=_("categoría"),
        on_delete=models.PROTECT,
        related_name="preguntas",
    )
    enunciado = RichTextField(
        _("enunciado"), features=["bold", "italic", "ol", "ul", "link", "image"]
    )
    puntos: models.DecimalField[Decimal, Decimal] = models.DecimalField(
        _("puntos"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    retroalimentacion: models.TextField[str, str] = models.TextField(
        _("retroalimentación general"),
        blank=True,
        help_text=_("Se muestra en la revisión, según las opciones de la evaluación."),
    )
    es_verdadera: models.BooleanField[bool | None, bool | None] = models.BooleanField(
        _("la afirmación es verdadera"),
        null=True,
        blank=True,
    )
    retroalimentacion_verdadero: models.TextField[str, str] = models.TextField(
        _("retroalimentación si responde «Verdadero»"), blank=True
    )
    retroalimentacion_falso: models.TextField[str, str] = models.TextField(
        _("retroalimentación si responde «Falso»"), blank=True
    )
    distinguir_mayusculas: models.BooleanField[bool, bool] = models.BooleanField(
        _("distinguir mayúsculas y minúsculas"),
        default=False,
        help_text=_("«CURP» y «curp» cuentan como respuestas distintas."),
    )
    ignorar_acentos: models.BooleanField[bool, bool] = models.BooleanField(
        _("aceptar sin acentos ni diéresis"),
        default=False,
        help_text=_(
            "«artículo» se acepta como «articulo» y «año» como "
            "«ano». Sin marcar, los acentos y la ñ cuentan, como en Moodle."
        ),
    )
    notas_para_calificar: models.TextField[str, str] = models.TextField(
        _("notas para quien califica"),
        blank=True,
        help_text=_("Criterios que ve quien califica, no el participante."),
    )
    plantilla_respuesta: models.TextField[str, str] = models.TextField(
        _("plantilla de respuesta"),
        blank=True,
        help_text=_("Texto con que empieza el cuadro de respuesta."),
    )
    longitud_maxima: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(
        _("longitud máxima del ensayo (caracteres)"),
        default=10000,
        validators=[MinValueValidator(1), MaxValueValidator(50000)],
    )
    extensiones_permitidas: models.CharField[str, str] = models.CharField(
        _("tipos de archivo permitidos"),
        max_length=200,
        default="pdf,docx,xlsx,odt,ods,jpg,png",
        help_text=_("Extensiones separadas por comas."),
    )
    tamano_maximo_mb: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(
        _("tamaño máximo del archivo (MB)"),
        default=10,
        # Never more than the deliverable endpoints accept (lms.subidas).
        validators=[MinValueValidator(1), MaxValueValidator(subidas.MAX_ENTREGABLE // subidas.MB)],
    )
    etiquetas = ClusterTaggableManager(
        through=EtiquetaPregunta, blank=True, verbose_name=_("etiquetas")
    )
    creada_en: models.DateTimeField[datetime.datetime, datetime.datetime] = models.DateTimeField(
        _("creada en"), auto_now_add=True
    )
    actualizada_en: models.DateTimeField[datetime.datetime, datetime.datetime] = (
        models.DateTimeField(_("actualizada en"), auto_now=True)
    )

    panels = [
        FieldRowPanel([FieldPanel("titulo"), FieldPanel("tipo")]),
        FieldRowPanel([FieldPanel("categoria"), FieldPanel("puntos")]),
        FieldPanel("etiquetas"),
        FieldPanel("enunciado"),
        FilasPorTipo(
            "opciones",
            heading=_("Opciones, respuestas aceptadas o elementos"),
            label=_("Opción"),
            help_text=_(
                "Opción única y múltiple: marque las correctas. Respuesta corta: cada fila es "
                "una respuesta aceptada (* vale por cualquier texto). Numérica: cada fila es un "
                "valor aceptado con su tolerancia y su crédito (* acepta cualquier número). "
                "Relacionar: escriba la premisa y su pareja (una fila "
                "sin premisa es un distractor). Ordenar: ponga los elementos en el orden "
                "correcto."
            ),
        ),
        FieldRowPanel([CampoPorTipo("distinguir_mayusculas"), CampoPorTipo("ignorar_acentos")]),
        CampoPorTipo("es_verdadera"),
        FieldRowPanel(
            [CampoPorTipo("retroalimentacion_verdadero"), CampoPorTipo("retroalimentacion_falso")]
        ),
        CampoPorTipo("longitud_maxima"),
        CampoPorTipo("plantilla_respuesta"),
        CampoPorTipo("notas_para_calificar"),
        FieldRowPanel([CampoPorTipo("extensiones_permitidas"), CampoPorTipo("tamano_maximo_mb")]),
        FilasPorTipo(
            "criterios",
            heading=_("Rúbrica"),
            label=_("Criterio"),
            help_text=_(
                "Opcional. Quien califica asigna puntos a cada criterio y se suman; la suma de "
                "los criterios no debe pasar de los puntos de la pregunta."
            ),
        ),
        FieldPanel("retroalimentacion"),
    ]
    base_form_class = PreguntaAdminForm

    search_fields = [
        index.SearchField("titulo"),
        index.SearchField("enunciado"),
        index.AutocompleteField("titulo"),
        index.FilterField("tipo"),
        index.FilterField("categoria"),
        index.FilterField("id"),
    ]

    class Meta:
        ordering = ["categoria__nombre", "titulo"]
        verbose_name = _("pregunta")
        verbose_name_plural = _("preguntas")

    def __str__(self) -> str:
        return self.titulo


class OpcionPregunta(Orderable):
    """An option, an accepted short answer, a matching pair or an item to order."""

    pregunta = ParentalKey(Pregunta, on_delete=models.CASCADE, related_name="opciones")
    texto: models.TextField[str, str] = models.TextField(_("texto"), max_length=2000, blank=True)
    pareja: models.CharField[str, str] = models.CharField(
        _("pareja (relacionar)"), max_length=500, blank=True
    )
    correcta: models.BooleanField[bool, bool] = models.BooleanField(_("correcta"), default=False)
    fraccion: models.DecimalField[Decimal | None, Decimal | None] = models.DecimalField(
        _("crédito (%)"),
        # Five decimals of a percentage are Moodle's seven of a fraction: 33.33333 is a third.
        max_digits=9,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-100")), MaxValueValidator(Decimal("100"))],
        help_text=_(
            "Opcional. Vacío: 100 % si es correcta; en respuesta múltiple, el crédito y la "
            "penalización se reparten solos."
        ),
    )
    tolerancia: models.DecimalField[Decimal | None, Decimal | None] = models.DecimalField(
        _("tolerancia (±)"),
        max_digits=20,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Cuánto puede alejarse la respuesta de este valor."),
    )
    retroalimentacion: models.TextField[str, str] = models.TextField(
        _("retroalimentación de esta opción"), blank=True
    )

    panels = [
        ColumnaPorTipo("texto"),
        FieldRowPanel(
            [
                ColumnaPorTipo("correcta"),
                ColumnaPorTipo("fraccion"),
                ColumnaPorTipo("tolerancia"),
                ColumnaPorTipo("pareja"),
            ]
        ),
        ColumnaPorTipo("retroalimentacion"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("opción")
        verbose_name_plural = _("opciones")

    def __str__(self) -> str:
        return self.texto[:80] or self.pareja[:80]


class CriterioRubrica(Orderable):
    """One criterion of the rubric a grader uses for an essay or a deliverable."""

    pregunta = ParentalKey(Pregunta, on_delete=models.CASCADE, related_name="criterios")
    descripcion: models.CharField[str, str] = models.CharField(_("criterio"), max_length=500)
    puntos: models.DecimalField[Decimal, Decimal] = models.DecimalField(
        _("puntos máximos"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )

    panels = [FieldRowPanel([FieldPanel("descripcion"), FieldPanel("puntos")])]

    class Meta(Orderable.Meta):
        verbose_name = _("criterio de rúbrica")
        verbose_name_plural = _("criterios de rúbrica")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(puntos__gte=0), name="criterio_puntos_no_negativos"
            )
        ]

    def __str__(self) -> str:
        return self.descripcion[:80]


class SeccionEvaluacion(Orderable):
    """One fixed question of an evaluation, or N questions drawn at random from a category."""

    evaluacion = ParentalKey(Evaluacion, on_delete=models.CASCADE, related_name="secciones")
    pregunta: models.ForeignKey[Pregunta | None, Pregunta | None] = models.ForeignKey(
        Pregunta,
        verbose_name=_("pregunta fija"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    categoria: models.ForeignKey[CategoriaPregunta | None, CategoriaPregunta | None] = (
        models.ForeignKey(
            CategoriaPregunta,
            verbose_name=_("o preguntas al azar de la categoría"),
            on_delete=models.PROTECT,
            null=True,
            blank=True,
            related_name="+",
        )
    )
    cantidad: models.PositiveSmallIntegerField[int | None, int | None] = (
        models.PositiveSmallIntegerField(
            _("cuántas al azar"),
            null=True,
            blank=True,
            validators=[MinValueValidator(1)],
            help_text=_("Solo para preguntas al azar de una categoría."),
        )
    )
    incluir_subcategorias: models.BooleanField[bool, bool] = models.BooleanField(
        _("incluir sus subcategorías"),
        default=False,
        help_text=_(
            "Solo para preguntas al azar: también saca de las categorías que cuelgan de ella."
        ),
    )

    panels = [
        FieldPanel("pregunta"),
        FieldRowPanel(
            [
                FieldPanel("categoria"),
                FieldPanel("cantidad"),
                FieldPanel("incluir_subcategorias"),
            ]
        ),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("pregunta o sección")
        verbose_name_plural = _("preguntas y secciones")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pregunta__isnull=False, categoria__isnull=True)
                | models.Q(pregunta__isnull=True, categoria__isnull=False, cantidad__gte=1),
                name="seccion_pregunta_o_categoria",
                violation_error_message=_(
                    "Elija una pregunta fija o una categoría para sacar preguntas al azar, "
                    "no ambas."
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.pregunta_id:
            return str(self.pregunta)
        return f"{self.cantidad or 0} × {self.categoria}"


class Intento(models.Model):
    """One try of one person at one evaluation, scored from the snapshot it took at start."""

    class Estado(models.TextChoices):
        EN_CURSO = "en_curso", _("En curso")
        POR_CALIFICAR = "por_calificar", _("Enviado, en espera de calificación manual")
        CALIFICADO = "calificado", _("Calificado")
        ABANDONADO = "abandonado", _("Abandonado")

    evaluacion = models.ForeignKey(
        Evaluacion, verbose_name=_("evaluación"), on_delete=models.PROTECT, related_name="intentos"
    )
    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persona"),
        on_delete=models.CASCADE,
        related_name="intentos",
    )
    numero = models.PositiveSmallIntegerField(_("número"))
    estado = models.CharField(
        _("estado"), max_length=20, choices=Estado.choices, default=Estado.EN_CURSO
    )
    iniciado_en = models.DateTimeField(_("iniciado en"))
    vence_en = models.DateTimeField(_("vence en"), null=True, blank=True)
    enviado_en = models.DateTimeField(_("enviado en"), null=True, blank=True)
    calificado_en = models.DateTimeField(_("calificado en"), null=True, blank=True)
    puntaje = models.DecimalField(
        _("puntos obtenidos"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    puntaje_maximo = models.DecimalField(
        _("puntos posibles"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    porcentaje = models.DecimalField(
        _("calificación (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    cerrado_por_sistema = models.BooleanField(_("cerrado al vencer el tiempo"), default=False)
    instantanea = models.JSONField(_("preguntas del intento"), default=dict, editable=False)
    # Which bank questions the snapshot holds, so a regrade finds its attempts on any database.
    preguntas: models.ManyToManyField[Pregunta, Any] = models.ManyToManyField(
        Pregunta, related_name="+", blank=True, editable=False
    )

    class Meta:
        ordering = ["evaluacion", "usuario", "numero"]
        verbose_name = _("intento")
        verbose_name_plural = _("intentos")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluacion", "usuario", "numero"], name="intento_numero_unico"
            ),
            models.UniqueConstraint(
                fields=["evaluacion", "usuario"],
                condition=models.Q(estado="en_curso"),
                name="intento_un_solo_en_curso",
            ),
            models.CheckConstraint(
                condition=models.Q(numero__gte=1), name="intento_numero_positivo"
            ),
            models.CheckConstraint(
                condition=models.Q(porcentaje__isnull=True)
                | models.Q(porcentaje__gte=0, porcentaje__lte=100),
                name="intento_porcentaje_en_rango",
            ),
        ]
        indexes = [models.Index(fields=["estado", "vence_en"], name="intento_estado_vence")]

    def __str__(self) -> str:
        return f"{self.evaluacion} — {self.usuario} #{self.numero}"


def _ruta_entregable(instancia: Respuesta, nombre: str) -> str:
    # The original name is kept in `archivo_nombre` and sent only as the download's name.
    extension = nombre.rsplit(".", 1)[-1] if "." in nombre else "bin"
    return nombre_privado("evaluaciones/entregables", extension)


class Respuesta(models.Model):
    """The latest answer of an attempt to one question; autosave updates it in place."""

    intento = models.ForeignKey(Intento, on_delete=models.CASCADE, related_name="respuestas")
    clave = models.CharField(_("pregunta"), max_length=40)
    valor = models.JSONField(_("respuesta"), null=True, blank=True)
    archivo = models.FileField(
        _("archivo"), upload_to=_ruta_entregable, blank=True, storage=privado
    )
    archivo_nombre = models.CharField(_("nombre original del archivo"), max_length=255, blank=True)
    version = models.PositiveIntegerField(_("versión"), default=1)
    guardada_en = models.DateTimeField(_("guardada en"))
    puntos = models.DecimalField(_("puntos"), max_digits=8, decimal_places=2, null=True, blank=True)
    calificada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("calificada por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    calificada_en = models.DateTimeField(_("calificada en"), null=True, blank=True)
    comentario = models.TextField(_("comentario de quien califica"), blank=True)
    # Points per rubric criterion as graded: [{"criterio", "puntos", "maximo", "obtenidos"}].
    rubrica = models.JSONField(_("calificación por criterio"), default=list, blank=True)

    class Meta:
        verbose_name = _("respuesta")
        verbose_name_plural = _("respuestas")
        constraints = [
            models.UniqueConstraint(
                fields=["intento", "clave"], name="respuesta_unica_por_pregunta"
            )
        ]

    def __str__(self) -> str:
        return f"{self.intento_id}:{self.clave}"


class Excepcion(models.Model):
    """Per-person extras on one evaluation: more time, more attempts, a later close date."""

    evaluacion = models.ForeignKey(
        Evaluacion,
        verbose_name=_("evaluación"),
        on_delete=models.CASCADE,
        related_name="excepciones",
    )
    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persona"),
        on_delete=models.CASCADE,
        related_name="excepciones_evaluacion",
    )
    minutos_extra = models.PositiveIntegerField(_("minutos adicionales"), default=0)
    intentos_extra = models.PositiveSmallIntegerField(_("intentos adicionales"), default=0)
    cierra_en = models.DateTimeField(_("nueva fecha de cierre"), null=True, blank=True)
    motivo = models.CharField(_("motivo"), max_length=255, blank=True)
    otorgada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("otorgada por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actualizada_en = models.DateTimeField(_("actualizada en"), auto_now=True)

    panels = [
        FieldPanel("evaluacion"),
        FieldPanel("usuario"),
        FieldRowPanel([FieldPanel("minutos_extra"), FieldPanel("intentos_extra")]),
        FieldPanel("cierra_en"),
        FieldPanel("motivo"),
    ]
    base_form_class = ExcepcionAdminForm

    class Meta:
        verbose_name = _("excepción")
        verbose_name_plural = _("excepciones")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluacion", "usuario"], name="excepcion_unica_por_persona"
            )
        ]

    def __str__(self) -> str:
        # No personal data: the string shows in history, logs and choosers.
        return f"{self.evaluacion} — excepción #{self.pk}"


class Recalificacion(models.Model):
    """Audit record of a regrade: who fixed which question, and every score that moved."""

    pregunta = models.ForeignKey(
        Pregunta, verbose_name=_("pregunta"), on_delete=models.PROTECT, related_name="+"
    )
    realizada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("realizada por"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    realizada_en = models.DateTimeField(_("realizada en"), auto_now_add=True)
    motivo = models.CharField(_("motivo"), max_length=255, blank=True)
    intentos_revisados = models.PositiveIntegerField(_("intentos revisados"), default=0)
    intentos_en_curso = models.PositiveIntegerField(_("intentos en curso actualizados"), default=0)
    clave_anterior = models.JSONField(_("clave anterior"), default=dict, blank=True)
    clave_nueva = models.JSONField(_("clave nueva"), default=dict, blank=True)
    cambios = models.JSONField(_("cambios"), default=list)

    class Meta:
        ordering = ["-realizada_en"]
        verbose_name = _("recalificación")
        verbose_name_plural = _("recalificaciones")

    def __str__(self) -> str:
        return f"{self.pregunta} ({self.realizada_en:%Y-%m-%d %H:%M})"
