"""Schedule the nightly reconciliation of stored progress (celery beat, database scheduler)."""

from django.db import migrations

NOMBRE = "Reconciliar el avance guardado"
TAREA = "cursos.tasks.reconciliar_avances_task"


def programar(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # 03:30 in Mexico City, when nobody studies.
    horario, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="America/Mexico_City",
    )
    PeriodicTask.objects.update_or_create(
        name=NOMBRE, defaults={"task": TAREA, "crontab": horario, "enabled": True}
    )


def desprogramar(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NOMBRE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cursos", "0011_formato_lista"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(programar, desprogramar)]
