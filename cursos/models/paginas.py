"""The Wagtail page tree of the training programme."""

from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index


class HomePage(Page):
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
