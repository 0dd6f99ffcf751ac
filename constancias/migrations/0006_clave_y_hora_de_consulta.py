import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("constancias", "0005_mover_pdf_a_almacen_privado"),
    ]

    operations = [
        migrations.AlterField(
            model_name="verificacionconsulta",
            name="consultada_en",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="consultada en"
            ),
        ),
        migrations.AddField(
            model_name="verificacionconsulta",
            name="clave",
            field=models.UUIDField(
                blank=True, editable=False, null=True, unique=True, verbose_name="clave"
            ),
        ),
    ]
