"""Schedule the flush of buffered verification lookups into the database (every minute)."""

from django.db import migrations

NOMBRE = "Guardar consultas de verificación"
TAREA = "constancias.tasks.guardar_consultas_task"


def programar(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    intervalo, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=NOMBRE, defaults={"task": TAREA, "interval": intervalo, "enabled": True}
    )


def desprogramar(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NOMBRE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("constancias", "0006_clave_y_hora_de_consulta"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(programar, desprogramar)]
