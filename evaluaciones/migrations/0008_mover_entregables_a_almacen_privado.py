"""Move the deliverables already uploaded out of the public media folder."""

from django.db import migrations

from lms.archivos import mover_a_privado


def mover(apps, schema_editor):
    Respuesta = apps.get_model("evaluaciones", "Respuesta")
    mover_a_privado(
        Respuesta.objects.all(),
        campo="archivo",
        carpeta="evaluaciones/entregables",
        carpetas_publicas=["evaluaciones/entregables"],
    )


class Migration(migrations.Migration):
    # File by file, each row committed before its public copy is deleted: an interrupted
    # run loses nothing and the next `migrate` finishes it (see lms.archivos).
    atomic = False

    dependencies = [
        ("evaluaciones", "0007_entregables_en_almacen_privado"),
    ]

    operations = [migrations.RunPython(mover, migrations.RunPython.noop)]
