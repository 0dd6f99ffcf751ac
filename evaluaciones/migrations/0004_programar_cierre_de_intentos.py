"""Schedule the periodic close of expired attempts (celery beat, database scheduler)."""

from django.db import migrations

NOMBRE = "Cerrar intentos vencidos"
TAREA = "evaluaciones.tasks.cerrar_intentos_vencidos_task"


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
        ("evaluaciones", "0003_permisos_de_autoria"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(programar, desprogramar)]
