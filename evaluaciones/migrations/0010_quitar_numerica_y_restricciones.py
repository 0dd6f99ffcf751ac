"""Second half of 0009: with the data moved, drop the old numeric fields and add the
tree's constraints (PostgreSQL refuses DDL after data changes in one transaction)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluaciones", "0009_clave_exacta_arbol_y_opciones_moodle"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="pregunta",
            name="respuesta_numerica",
        ),
        migrations.RemoveField(
            model_name="pregunta",
            name="tolerancia",
        ),
        migrations.AddConstraint(
            model_name="categoriapregunta",
            constraint=models.UniqueConstraint(
                condition=models.Q(("padre__isnull", False)),
                fields=("padre", "nombre"),
                name="categoria_nombre_unico_por_padre",
                violation_error_message="Esta categoría ya tiene una subcategoría con ese nombre.",
            ),
        ),
        migrations.AddConstraint(
            model_name="categoriapregunta",
            constraint=models.UniqueConstraint(
                condition=models.Q(("padre__isnull", True)),
                fields=("curso", "nombre"),
                name="categoria_nombre_unico_por_curso",
                violation_error_message="Este curso ya tiene una categoría con ese nombre.",
            ),
        ),
        migrations.AddConstraint(
            model_name="categoriapregunta",
            constraint=models.UniqueConstraint(
                condition=models.Q(("curso__isnull", True), ("padre__isnull", True)),
                fields=("nombre",),
                name="categoria_nombre_unico_sin_curso",
                violation_error_message="Ya existe una categoría general con ese nombre.",
            ),
        ),
        migrations.AddConstraint(
            model_name="categoriapregunta",
            constraint=models.CheckConstraint(
                condition=models.Q(("padre", models.F("pk")), _negated=True),
                name="categoria_no_es_su_propia_superior",
            ),
        ),
        migrations.AddConstraint(
            model_name="seccionevaluacion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("categoria__isnull", True), ("pregunta__isnull", False)),
                    models.Q(
                        ("cantidad__gte", 1),
                        ("categoria__isnull", False),
                        ("pregunta__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="seccion_pregunta_o_categoria",
                violation_error_message="Elija una pregunta fija o una categoría para sacar preguntas al azar, no ambas.",
            ),
        ),
    ]
