"""Existing exports: record the scope they may be downloaded with, move their files.

Their build-time scope was never stored, so the requester's present roles stand in for
it (exports expire within 48 hours); a requester without a coordinator role gets an
empty scope, which nobody may download.
"""

from django.db import migrations

from lms.archivos import mover_a_privado

NACIONALES = ("administrador", "coordinador_nacional")


def anotar_alcance(apps, schema_editor):
    ExportacionSolicitada = apps.get_model("cursos", "ExportacionSolicitada")
    AsignacionRol = apps.get_model("lms", "AsignacionRol")
    for exportacion in ExportacionSolicitada.objects.select_related("solicitante"):
        roles = list(
            AsignacionRol.objects.filter(usuario_id=exportacion.solicitante_id).values_list(
                "rol", "entidad_id"
            )
        )
        nacional = exportacion.solicitante.is_superuser or any(
            rol in NACIONALES for rol, _entidad in roles
        )
        exportacion.nacional = nacional
        exportacion.save(update_fields=["nacional"])
        if not nacional:
            exportacion.entidades.set(
                sorted({e for rol, e in roles if rol == "coordinador_estatal" and e is not None})
            )


def mover(apps, schema_editor):
    ExportacionSolicitada = apps.get_model("cursos", "ExportacionSolicitada")
    mover_a_privado(
        ExportacionSolicitada.objects.all(),
        campo="archivo",
        carpeta="exportaciones",
        carpetas_publicas=["exportaciones"],
    )


class Migration(migrations.Migration):
    # File by file, each row committed before its public copy is deleted: an interrupted
    # run loses nothing and the next `migrate` finishes it (see lms.archivos).
    atomic = False

    dependencies = [
        ("cursos", "0009_exportacion_alcance_y_almacen_privado"),
        ("lms", "0003_registroauditoria"),
    ]

    operations = [
        migrations.RunPython(anotar_alcance, migrations.RunPython.noop),
        migrations.RunPython(mover, migrations.RunPython.noop),
    ]
