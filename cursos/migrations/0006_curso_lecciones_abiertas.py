from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cursos", "0005_programar_reporte_semanal"),
    ]

    operations = [
        migrations.AddField(
            model_name="cursopage",
            name="lecciones_abiertas",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Si se marca, cualquier persona, aun sin cuenta, puede leer las lecciones "
                    "publicadas. Solo quienes están inscritos en una edición registran su avance."
                ),
                verbose_name="lecciones de consulta abierta",
            ),
        ),
    ]
