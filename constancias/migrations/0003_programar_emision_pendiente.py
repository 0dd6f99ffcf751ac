"""Schedule the periodic sweep that issues constancias missed while the broker was down."""

from django.db import migrations

NOMBRE = "Emitir constancias pendientes"
TAREA = "constancias.tasks.emitir_constancias_pendientes_task"


def programar(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    intervalo, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=NOMBRE, defaults={"task": TAREA, "interval": intervalo, "enabled": True}
    )


def desprogramar(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NOMBRE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("constancias", "0002_constancias_emitidas_y_reglas"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(programar, desprogramar)]
