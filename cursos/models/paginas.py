"""The Wagtail page tree of the training programme: Programa → Curso → Fase → Lección."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from modelcluster.fields import ParentalManyToManyField

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Length, Substr
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageViewRestriction
from wagtail.search import index
from wagtail.url_routing import RouteResult

from cursos.blocks import LeccionStreamBlock, ancla_de
from cursos.forms import CursoAdminForm, FaseAdminForm

if TYPE_CHECKING:
    from evaluaciones.models import Evaluacion

PASO_RUTA = 4  # treebeard's materialised path step


class ArbolDirectoMixin:
    """Routing and view restrictions of the tree in a fixed number of queries.

    Wagtail walks a URL one level at a time (two queries per level: the child by slug,
    then its specific row) and reads view restrictions by loading the ancestors first.
    Every page of this tree uses Wagtail's own `route`, so a path below the site's
    root names exactly the page whose `url_path` it spells: one query finds it and one
    more loads its specific row. Anything else (no such page) falls back to Wagtail's walk.
    """

    def route(self, request: Any, path_components: list[str]) -> Any:
        if path_components:
            # A mixin for Page: mypy sees no url_path here.
            url_path = f"{self.url_path}{'/'.join(path_components)}/"  # type: ignore[attr-defined]
            destino = (
                # A mixin for Page: mypy sees no path here.
                Page.objects.filter(url_path=url_path, path__startswith=self.path)  # type: ignore[attr-defined]
                .annotate(
                    restringida=Exists(
                        PageViewRestriction.objects.annotate(largo=Length("page__path")).filter(
                            # django-stubs types Substr's length as Expression | int; F is only
                            # Combinable, but Django resolves it like any expression.
                            page__path=Substr(OuterRef("path"), 1, F("largo"))  # type: ignore[arg-type]
                        )
                    ),
                    bajo_alias=Exists(
                        Page.objects.annotate(largo=Length("path")).filter(
                            # F as Substr's length again (see above).
                            path=Substr(OuterRef("path"), 1, F("largo")),  # type: ignore[arg-type]
                            alias_of__isnull=False,
                        )
                    ),
                )
                .order_by("path")
                .first()
            )
            if destino is not None:
                pagina = destino.specific
                if not pagina.live:
                    raise Http404
                # Read in the same query: no restriction on the page or an ancestor, and
                # no alias among them, so `get_view_restrictions` needs no query.
                pagina._sin_restricciones = not (destino.restringida or destino.bajo_alias)
                return RouteResult(pagina)
        # A mixin for Page: mypy sees no route in its bases.
        return super().route(request, path_components)  # type: ignore[misc]

    def get_view_restrictions(self) -> Any:
        """Wagtail's rule (this page and its ancestors, aliases read as their source),
        in one query built from the materialised path instead of loading the ancestors."""
        if getattr(self, "_sin_restricciones", False):
            return PageViewRestriction.objects.none()
        # A mixin for Page: mypy sees no path here.
        rutas = [self.path[:fin] for fin in range(PASO_RUTA, len(self.path) + 1, PASO_RUTA)]  # type: ignore[attr-defined]
        return PageViewRestriction.objects.filter(
            Q(page__path__in=rutas, page__alias_of__isnull=True)
            | Q(
                page__in=Page.objects.filter(path__in=rutas, alias_of__isnull=False).values(
                    "alias_of"
                )
            )
        )


class HomePage(ArbolDirectoMixin, Page):
    """The site's front page."""

    intro = RichTextField(_("introducción"), blank=True)
    cuerpo = StreamField(
        [
            ("parrafo", blocks.RichTextBlock(label=_("Párrafo"), icon="pilcrow")),
        ],
        blank=True,
        verbose_name=_("cuerpo"),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("cuerpo")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("página de inicio")

    def get_context(self, request: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["programas"] = ProgramaPage.objects.child_of(self).live().public()
        return context


class ProgramaPage(ArbolDirectoMixin, Page):
    """A training programme, e.g. the national campaign, grouping courses."""

    resumen: models.CharField[str, str] = models.CharField(_("resumen"), max_length=300, blank=True)
    descripcion = RichTextField(_("descripción"), blank=True)
    requiere_manifestacion: models.BooleanField[bool, bool] = models.BooleanField(
        _("requiere manifestación de interés"),
        default=False,
        help_text=_(
            "Si se marca, las personas de una entidad federativa solo pueden inscribirse "
            "cuando la coordinación nacional acepta la manifestación de interés de su "
            "órgano garante para el año de la edición."
        ),
    )

    content_panels = [*Page.content_panels, FieldPanel("resumen"), FieldPanel("descripcion")]
    settings_panels = [
        *Page.settings_panels,
        MultiFieldPanel([FieldPanel("requiere_manifestacion")], heading=_("Inscripción")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("resumen"),
        index.SearchField("descripcion"),
    ]

    parent_page_types = ["cursos.HomePage"]
    subpage_types = ["cursos.CursoPage"]

    class Meta:
        verbose_name = _("programa")
        verbose_name_plural = _("programas")

    def get_context(self, request: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["cursos"] = CursoPage.objects.child_of(self).live().public()
        return context


class CursoPage(ArbolDirectoMixin, Page):
    """A course; its editions (dated runs) hang from it."""

    resumen: models.CharField[str, str] = models.CharField(_("resumen"), max_length=300, blank=True)
    descripcion = RichTextField(_("descripción"), blank=True)
    objetivos = RichTextField(_("objetivos de aprendizaje"), blank=True)
    dirigido_a: models.CharField[str, str] = models.CharField(
        _("dirigido a"), max_length=300, blank=True
    )
    instructores = ParentalManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("instructores"),
        blank=True,
        related_name="cursos_impartidos",
        help_text=_(
            "Personas que editan este curso y ven el avance de sus ediciones. "
            "Sus permisos se actualizan al publicar."
        ),
    )
    lecciones_abiertas: models.BooleanField[bool, bool] = models.BooleanField(
        _("lecciones de consulta abierta"),
        default=False,
        help_text=_(
            "Si se marca, cualquier persona, aun sin cuenta, puede leer las lecciones "
            "publicadas. Solo quienes están inscritos en una edición registran su avance."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("resumen"),
        FieldPanel("dirigido_a"),
        FieldPanel("descripcion"),
        FieldPanel("objetivos"),
    ]
    settings_panels = [
        *Page.settings_panels,
        MultiFieldPanel([FieldPanel("instructores")], heading=_("Equipo docente")),
        MultiFieldPanel([FieldPanel("lecciones_abiertas")], heading=_("Acceso a las lecciones")),
    ]
    base_form_class = CursoAdminForm
    search_fields = [
        *Page.search_fields,
        index.SearchField("resumen"),
        index.SearchField("descripcion"),
        index.SearchField("objetivos"),
    ]

    parent_page_types = ["cursos.ProgramaPage"]
    subpage_types = ["cursos.FasePage"]

    class Meta:
        verbose_name = _("curso")
        verbose_name_plural = _("cursos")

    def get_context(self, request: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from cursos import views

        context = super().get_context(request, *args, **kwargs)
        context.update(views.contexto_curso(request, self))
        return context

    def serve(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        from cursos import views

        return views.servir(request, self, *args, **kwargs)

    @property
    def horas_totales(self) -> int:
        return sum(fase.horas for fase in FasePage.objects.child_of(self).live())


class FasePage(ArbolDirectoMixin, Page):
    """A phase of a course (theoretical or practical) and its completion rule."""

    class Tipo(models.TextChoices):
        TEORICA = "teorica", _("Teórica")
        PRACTICA = "practica", _("Práctica")

    tipo: models.CharField[str, str] = models.CharField(
        _("tipo"), max_length=10, choices=Tipo.choices, default=Tipo.TEORICA
    )
    horas: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(
        _("horas"), default=1
    )
    resumen: models.CharField[str, str] = models.CharField(_("resumen"), max_length=300, blank=True)
    descripcion = RichTextField(_("descripción"), blank=True)
    asistencia_minima: models.PositiveSmallIntegerField[int, int] = (
        models.PositiveSmallIntegerField(
            _("asistencia mínima a sesiones en vivo (%)"),
            default=0,
            validators=[MaxValueValidator(100)],
            help_text=_("0 si la asistencia no cuenta para acreditar la fase."),
        )
    )
    evaluacion: models.ForeignKey[Evaluacion | None, Evaluacion | None] = models.ForeignKey(
        "evaluaciones.Evaluacion",
        verbose_name=_("evaluación que debe aprobarse"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actividad_practica: models.ForeignKey[Evaluacion | None, Evaluacion | None] = models.ForeignKey(
        "evaluaciones.Evaluacion",
        verbose_name=_("actividad práctica que debe aprobarse"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("tipo"),
        FieldPanel("horas"),
        FieldPanel("resumen"),
        FieldPanel("descripcion"),
        MultiFieldPanel(
            [
                HelpPanel(
                    content=_(
                        "La fase se acredita cuando se cumplen todas estas condiciones: "
                        "las lecciones obligatorias completadas, la asistencia mínima, y, "
                        "si se indican, la evaluación y la actividad práctica aprobadas."
                    )
                ),
                FieldPanel("asistencia_minima"),
                FieldPanel("evaluacion"),
                FieldPanel("actividad_practica"),
            ],
            heading=_("Regla de acreditación"),
        ),
    ]
    base_form_class = FaseAdminForm
    search_fields = [
        *Page.search_fields,
        index.SearchField("resumen"),
        index.SearchField("descripcion"),
    ]

    parent_page_types = ["cursos.CursoPage"]
    subpage_types = ["cursos.LeccionPage"]

    class Meta:
        verbose_name = _("fase")
        verbose_name_plural = _("fases")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(asistencia_minima__lte=100),
                name="fase_asistencia_minima_porcentaje",
            )
        ]

    def get_context(self, request: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from cursos import views

        context = super().get_context(request, *args, **kwargs)
        context.update(views.contexto_fase(request, self))
        return context

    def serve(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        from cursos import views

        return views.servir(request, self, *args, **kwargs)


class LeccionPage(ArbolDirectoMixin, Page):
    """A lesson; its body is a stream of content blocks."""

    resumen: models.CharField[str, str] = models.CharField(_("resumen"), max_length=300, blank=True)
    duracion_minutos: models.PositiveSmallIntegerField[int | None, int | None] = (
        models.PositiveSmallIntegerField(_("duración estimada (minutos)"), null=True, blank=True)
    )
    obligatoria: models.BooleanField[bool, bool] = models.BooleanField(
        _("obligatoria"),
        default=True,
        help_text=_("Las lecciones obligatorias deben completarse para acreditar la fase."),
    )
    cuerpo = StreamField(LeccionStreamBlock(), blank=True, verbose_name=_("contenido"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("resumen"),
        FieldPanel("duracion_minutos"),
        FieldPanel("obligatoria"),
        FieldPanel("cuerpo"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("resumen"),
        index.SearchField("cuerpo"),
    ]

    parent_page_types = ["cursos.FasePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("lección")
        verbose_name_plural = _("lecciones")

    def get_context(self, request: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from cursos import views

        context = super().get_context(request, *args, **kwargs)
        context.update(views.contexto_leccion(request, self))
        return context

    def serve(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        from cursos import views

        return views.servir(request, self, *args, **kwargs)

    @property
    def indice(self) -> list[dict[str, str]]:
        """The lesson's table of contents: one entry per heading block."""
        return [
            {
                "texto": bloque.value["texto"],
                "ancla": ancla_de(bloque.value["texto"]),
                "nivel": bloque.value["nivel"],
            }
            for bloque in self.cuerpo
            if bloque.block_type == "encabezado"
        ]
