"""Exact credits, a category tree per course, and what Moodle questions carry.

Numeric answers become option rows (value, tolerance, credit, feedback), so a question
may accept several values with different credits, as Moodle's do. Short-answer
questions written before this change kept folding accents: they keep doing so.
Credits stored with two decimals that were a third, a sixth, a seventh... of 100 %
(what the old field could hold of 33.33333) get the five decimals Moodle writes.
"""

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from fractions import Fraction
from django.conf import settings
from django.db import migrations, models


# Credits Moodle offers whose percentage does not end: thirds, sixths, sevenths, ninths.
_PERIODICAS = [
    Fraction(n, d) for d in (3, 6, 7, 9) for n in range(1, d) if Fraction(n, d).denominator == d
]


def _cinco_decimales(valor: Fraction) -> Decimal:
    return (Decimal(valor.numerator * 100) / Decimal(valor.denominator)).quantize(
        Decimal("0.00001")
    )


def adelante(apps, schema_editor):
    Pregunta = apps.get_model("evaluaciones", "Pregunta")
    OpcionPregunta = apps.get_model("evaluaciones", "OpcionPregunta")
    for pregunta in Pregunta.objects.filter(tipo="numerica").iterator():
        if pregunta.respuesta_numerica is None or pregunta.opciones.exists():
            continue
        OpcionPregunta.objects.create(
            pregunta=pregunta,
            texto=format(pregunta.respuesta_numerica.normalize(), "f"),
            tolerancia=pregunta.tolerancia,
            correcta=True,
            sort_order=0,
        )
    Pregunta.objects.filter(tipo="respuesta_corta").update(ignorar_acentos=True)
    for opcion in OpcionPregunta.objects.filter(fraccion__isnull=False).iterator():
        for base in _PERIODICAS:
            for signo in (1, -1):
                exacta = _cinco_decimales(base * signo)
                if opcion.fraccion != exacta and abs(opcion.fraccion - exacta) < Decimal("0.005"):
                    opcion.fraccion = exacta
                    opcion.save(update_fields=["fraccion"])


def atras(apps, schema_editor):
    Pregunta = apps.get_model("evaluaciones", "Pregunta")
    for pregunta in Pregunta.objects.filter(tipo="numerica").iterator():
        primera = pregunta.opciones.order_by("sort_order", "pk").first()
        if primera is None:
            continue
        try:
            pregunta.respuesta_numerica = Decimal(primera.texto)
        except ArithmeticError:
            continue
        pregunta.tolerancia = primera.tolerancia or Decimal(0)
        pregunta.save(update_fields=["respuesta_numerica", "tolerancia"])
        pregunta.opciones.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("evaluaciones", "0008_mover_entregables_a_almacen_privado"),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="categoriapregunta",
            name="categoria_nombre_unico_por_curso",
        ),
        migrations.RemoveConstraint(
            model_name="categoriapregunta",
            name="categoria_nombre_unico_sin_curso",
        ),
        migrations.RemoveConstraint(
            model_name="seccionevaluacion",
            name="seccion_pregunta_o_categoria",
        ),
        migrations.AddField(
            model_name="categoriapregunta",
            name="padre",
            field=models.ForeignKey(
                blank=True,
                help_text="Opcional. Las categorías forman un árbol por curso, como en Moodle ($course$/Fase teórica/Tema 1); la superior debe ser del mismo curso.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="hijas",
                to="evaluaciones.categoriapregunta",
                verbose_name="categoría superior",
            ),
        ),
        migrations.AddField(
            model_name="opcionpregunta",
            name="tolerancia",
            field=models.DecimalField(
                blank=True,
                decimal_places=6,
                help_text="Solo para numéricas: cuánto puede alejarse la respuesta de este valor.",
                max_digits=20,
                null=True,
                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                verbose_name="tolerancia (±)",
            ),
        ),
        migrations.AddField(
            model_name="pregunta",
            name="distinguir_mayusculas",
            field=models.BooleanField(
                default=False,
                help_text="Solo para respuesta corta: «CURP» y «curp» cuentan como distintas.",
                verbose_name="distinguir mayúsculas y minúsculas",
            ),
        ),
        migrations.AddField(
            model_name="pregunta",
            name="ignorar_acentos",
            field=models.BooleanField(
                default=False,
                help_text="Solo para respuesta corta: «artículo» se acepta como «articulo» y «año» como «ano». Sin marcar, los acentos y la ñ cuentan, como en Moodle.",
                verbose_name="aceptar sin acentos ni diéresis",
            ),
        ),
        migrations.AddField(
            model_name="pregunta",
            name="notas_para_calificar",
            field=models.TextField(
                blank=True,
                help_text="Solo ensayos y entregables: criterios que ve quien califica, no el participante.",
                verbose_name="notas para quien califica",
            ),
        ),
        migrations.AddField(
            model_name="pregunta",
            name="plantilla_respuesta",
            field=models.TextField(
                blank=True,
                help_text="Solo ensayos: texto con que empieza el cuadro de respuesta.",
                verbose_name="plantilla de respuesta",
            ),
        ),
        migrations.AddField(
            model_name="pregunta",
            name="retroalimentacion_falso",
            field=models.TextField(
                blank=True, verbose_name="retroalimentación si responde «Falso»"
            ),
        ),
        migrations.AddField(
            model_name="pregunta",
            name="retroalimentacion_verdadero",
            field=models.TextField(
                blank=True, verbose_name="retroalimentación si responde «Verdadero»"
            ),
        ),
        migrations.AddField(
            model_name="recalificacion",
            name="clave_anterior",
            field=models.JSONField(blank=True, default=dict, verbose_name="clave anterior"),
        ),
        migrations.AddField(
            model_name="recalificacion",
            name="clave_nueva",
            field=models.JSONField(blank=True, default=dict, verbose_name="clave nueva"),
        ),
        migrations.AddField(
            model_name="recalificacion",
            name="intentos_en_curso",
            field=models.PositiveIntegerField(
                default=0, verbose_name="intentos en curso actualizados"
            ),
        ),
        migrations.AddField(
            model_name="seccionevaluacion",
            name="incluir_subcategorias",
            field=models.BooleanField(
                default=False,
                help_text="Solo para preguntas al azar: también saca de las categorías que cuelgan de ella.",
                verbose_name="incluir sus subcategorías",
            ),
        ),
        migrations.AlterField(
            model_name="opcionpregunta",
            name="fraccion",
            field=models.DecimalField(
                blank=True,
                decimal_places=5,
                help_text="Opcional. Vacío: 100 % si es correcta; en respuesta múltiple, el crédito y la penalización se reparten solos.",
                max_digits=9,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("-100")),
                    django.core.validators.MaxValueValidator(Decimal("100")),
                ],
                verbose_name="crédito (%)",
            ),
        ),
        migrations.AlterField(
            model_name="seccionevaluacion",
            name="cantidad",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Solo para preguntas al azar de una categoría.",
                null=True,
                validators=[django.core.validators.MinValueValidator(1)],
                verbose_name="cuántas al azar",
            ),
        ),
        migrations.RunPython(adelante, atras),
    ]
