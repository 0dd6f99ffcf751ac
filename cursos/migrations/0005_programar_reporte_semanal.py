"""Schedule the weekly report to state coordinators (celery beat, database scheduler)."""

from django.db import migrations

NOMBRE = "Reporte semanal a coordinaciones estatales"
TAREA = "cursos.tasks.enviar_reportes_semanales_task"


def programar(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # Mondays at 07:00, Mexico City time.
    horario, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="7",
        day_of_week="1",
        day_of_month="*",
        month_of_year="*",
        timezone="America/Mexico_City",
    )
    PeriodicTask.objects.update_or_create(
        name=NOMBRE, defaults={"task": TAREA, "crontab": horario, "interval": None, "enabled": True}
    )


def desprogramar(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NOMBRE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cursos", "0004_exportaciones"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(programar, desprogramar)]
