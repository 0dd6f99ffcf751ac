"""Let instructors author evaluations and the question bank, and coordinators grant extras."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISOS = {
    "Instructores": {
        "evaluacion": ["add", "change", "delete", "view"],
        "pregunta": ["add", "change", "delete", "view"],
        "categoriapregunta": ["add", "change", "delete", "view"],
        "excepcion": ["add", "change", "delete", "view"],
    },
    "Coordinación nacional": {
        "evaluacion": ["view"],
        "excepcion": ["add", "change", "delete", "view"],
    },
}


def otorgar(apps, schema_editor):
    app_config = apps.get_app_config("evaluaciones")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for nombre, modelos in PERMISOS.items():
        grupo, _ = Group.objects.get_or_create(name=nombre)
        for modelo, acciones in modelos.items():
            codenames = [f"{accion}_{modelo}" for accion in acciones]
            grupo.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label="evaluaciones", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("evaluaciones", "0002_banco_intentos_y_reglas"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(otorgar, migrations.RunPython.noop)]
