"""Content blocks of a lesson's body."""

from __future__ import annotations

from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

# No headings here: sections use EncabezadoBlock, so they reach the table of contents.
RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "blockquote", "document-link"]


class TextoBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("Texto")
        template = "cursos/blocks/texto.html"
        preview_value = (
            "<p>La transparencia proactiva consiste en publicar, sin que medie una "
            "solicitud, información útil para sectores determinados de la sociedad.</p>"
        )
        description = _("Párrafos con formato: negritas, listas, enlaces y citas.")


class EncabezadoBlock(blocks.StructBlock):
    """A section heading; every heading becomes an entry in the lesson's table of contents."""

    texto = blocks.CharBlock(label=_("Texto del encabezado"), max_length=200)
    nivel = blocks.ChoiceBlock(
        label=_("Nivel"),
        choices=[("h2", _("Sección")), ("h3", _("Subsección"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Encabezado")
        template = "cursos/blocks/encabezado.html"
        preview_value = {"texto": "¿Qué es la información socialmente útil?", "nivel": "h2"}
        description = _("Título de sección; aparece en el índice de la lección.")

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["ancla"] = ancla_de(value["texto"])
        return context


def ancla_de(texto: str) -> str:
    """The in-page anchor id for a heading text."""
    return "sec-" + (slugify(texto) or "seccion")


class ImagenBlock(blocks.StructBlock):
    imagen = ImageChooserBlock(label=_("Imagen"))
    texto_alternativo = blocks.CharBlock(
        label=_("Texto alternativo"),
        max_length=250,
        help_text=_("Describa lo que muestra la imagen para quien no puede verla."),
    )
    pie = blocks.CharBlock(label=_("Pie de imagen"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Imagen")
        template = "cursos/blocks/imagen.html"
        preview_value = {
            "texto_alternativo": "Esquema de las etapas de una política de transparencia proactiva",
            "pie": "Identificar, publicar, difundir y evaluar.",
        }
        description = _("Imagen con texto alternativo obligatorio.")


class VideoBlock(blocks.StructBlock):
    titulo = blocks.CharBlock(label=_("Título del video"), max_length=200)
    video = EmbedBlock(label=_("Enlace del video"), help_text=_("URL de YouTube o Vimeo."))
    transcripcion = blocks.TextBlock(
        label=_("Transcripción"),
        help_text=_("Texto completo de lo que se dice en el video, para accesibilidad."),
    )

    class Meta:
        icon = "media"
        label = _("Video")
        template = "cursos/blocks/video.html"
        preview_value = {
            "titulo": "Introducción a la transparencia proactiva",
            "transcripcion": "Bienvenidas y bienvenidos a la jornada de capacitación.",
        }
        description = _("Video incrustado con su transcripción.")


class DocumentoBlock(blocks.StructBlock):
    documento = DocumentChooserBlock(label=_("Documento"))
    titulo = blocks.CharBlock(label=_("Título"), max_length=200)
    descripcion = blocks.TextBlock(label=_("Descripción"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("Documento para descargar")
        template = "cursos/blocks/documento.html"
        preview_value = {
            "titulo": "Guía para identificar información socialmente útil",
            "descripcion": "Formato PDF.",
        }
        description = _("Archivo que la persona participante puede descargar.")


class AvisoBlock(blocks.StructBlock):
    tipo = blocks.ChoiceBlock(
        label=_("Tipo"),
        choices=[
            ("nota", _("Nota")),
            ("importante", _("Importante")),
            ("consejo", _("Consejo práctico")),
        ],
        default="nota",
    )
    titulo = blocks.CharBlock(label=_("Título"), max_length=200, required=False)
    texto = blocks.RichTextBlock(label=_("Texto"), features=["bold", "italic", "link", "ul"])

    class Meta:
        icon = "warning"
        label = _("Recuadro destacado")
        template = "cursos/blocks/aviso.html"
        preview_value = {
            "tipo": "importante",
            "titulo": "Recuerde",
            "texto": "<p>La información proactiva se suma a las obligaciones de transparencia; "
            "no las sustituye.</p>",
        }
        description = _("Nota, aviso importante o consejo práctico.")


class ArticuloLegalBlock(blocks.StructBlock):
    """A quoted article of a law or guideline, with its citation."""

    ordenamiento = blocks.CharBlock(
        label=_("Ordenamiento"),
        max_length=250,
        help_text=_("Por ejemplo: Ley General de Transparencia y Acceso a la Información Pública."),
    )
    articulo = blocks.CharBlock(label=_("Artículo o numeral"), max_length=100)
    texto = blocks.TextBlock(label=_("Texto citado"))
    cita = blocks.CharBlock(
        label=_("Referencia"),
        max_length=250,
        required=False,
        help_text=_("Publicación oficial y fecha, por ejemplo: DOF 4 de mayo de 2015."),
    )
    enlace = blocks.URLBlock(label=_("Enlace a la fuente oficial"), required=False)

    class Meta:
        icon = "openquote"
        label = _("Artículo legal citado")
        template = "cursos/blocks/articulo_legal.html"
        preview_value = {
            "ordenamiento": "Ley General de Transparencia y Acceso a la Información Pública",
            "articulo": "Artículo 57",
            "texto": "La información publicada por los sujetos obligados, en el marco de la "
            "política de transparencia proactiva, se difundirá en los medios y formatos que "
            "más convengan al público al que va dirigida.",
            "cita": "DOF 4 de mayo de 2015",
        }
        description = _("Cita textual de un artículo con su referencia.")


class ActividadBlock(blocks.StructBlock):
    titulo = blocks.CharBlock(label=_("Título de la actividad"), max_length=200)
    instrucciones = blocks.RichTextBlock(
        label=_("Instrucciones"), features=["bold", "italic", "link", "ol", "ul"]
    )
    duracion_minutos = blocks.IntegerBlock(
        label=_("Duración estimada (minutos)"), required=False, min_value=1
    )
    entregable = blocks.CharBlock(label=_("Producto esperado"), max_length=250, required=False)

    class Meta:
        icon = "tasks"
        label = _("Instrucciones de actividad")
        template = "cursos/blocks/actividad.html"
        preview_value = {
            "titulo": "Identifique tres temas de interés",
            "instrucciones": "<ol><li>Revise las solicitudes de información del último año."
            "</li><li>Agrupe las preguntas por tema.</li></ol>",
            "duracion_minutos": 30,
            "entregable": "Lista de tres temas con su justificación.",
        }
        description = _("Pasos de una actividad que la persona participante debe realizar.")


class LeccionStreamBlock(blocks.StreamBlock):
    texto = TextoBlock()
    encabezado = EncabezadoBlock()
    imagen = ImagenBlock()
    video = VideoBlock()
    documento = DocumentoBlock()
    aviso = AvisoBlock()
    articulo_legal = ArticuloLegalBlock()
    actividad = ActividadBlock()
