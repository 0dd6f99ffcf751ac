"""Move the PDFs already issued out of the public media folder, under unguessable names."""

from django.db import migrations

from lms.archivos import mover_a_privado


def mover(apps, schema_editor):
    Constancia = apps.get_model("constancias", "Constancia")
    mover_a_privado(
        Constancia.objects.all(),
        campo="pdf",
        carpeta="constancias",
        carpetas_publicas=["constancias"],
    )


class Migration(migrations.Migration):
    # File by file, each row committed before its public copy is deleted: an interrupted
    # run loses nothing and the next `migrate` finishes it (see lms.archivos).
    atomic = False

    dependencies = [
        ("constancias", "0004_pdf_en_almacen_privado"),
    ]

    operations = [migrations.RunPython(mover, migrations.RunPython.noop)]
