"""Give existing evaluations and question categories the course whose team owns them.

Until now an instructor's rights over an evaluation came from any phase row pointing
at it. Ownership is now a field: an evaluation used by the phases of exactly one
course belongs to that course; a category belongs to the one course whose evaluations
draw from it. Anything used by several courses, or by none, stays general (only
administrators manage it) for the national coordination to assign by hand.

The Instructores group also loses its global model permissions on the quiz engine:
the policy in `lms.alcance` decides per object, and a global permission is a door
that other code could open by mistake.
"""

from collections import defaultdict

from django.db import migrations

PASO_RUTA = 4


def asignar(apps, schema_editor):
    CursoPage = apps.get_model("cursos", "CursoPage")
    FasePage = apps.get_model("cursos", "FasePage")
    Evaluacion = apps.get_model("evaluaciones", "Evaluacion")
    CategoriaPregunta = apps.get_model("evaluaciones", "CategoriaPregunta")
    SeccionEvaluacion = apps.get_model("evaluaciones", "SeccionEvaluacion")
    Pregunta = apps.get_model("evaluaciones", "Pregunta")

    curso_por_ruta = dict(CursoPage.objects.values_list("path", "pk"))
    cursos_de_evaluacion = defaultdict(set)
    for ruta, evaluacion_id, practica_id in FasePage.objects.values_list(
        "path", "evaluacion_id", "actividad_practica_id"
    ):
        curso_id = curso_por_ruta.get(ruta[:-PASO_RUTA])
        if curso_id is None:
            continue
        for pk in (evaluacion_id, practica_id):
            if pk is not None:
                cursos_de_evaluacion[pk].add(curso_id)
    for evaluacion_id, cursos in cursos_de_evaluacion.items():
        if len(cursos) == 1:
            Evaluacion.objects.filter(pk=evaluacion_id, curso__isnull=True).update(
                curso_id=next(iter(cursos))
            )

    curso_de_evaluacion = dict(
        Evaluacion.objects.filter(curso__isnull=False).values_list("pk", "curso_id")
    )
    categoria_de_pregunta = dict(Pregunta.objects.values_list("pk", "categoria_id"))
    cursos_de_categoria = defaultdict(set)
    for evaluacion_id, pregunta_id, categoria_id in SeccionEvaluacion.objects.values_list(
        "evaluacion_id", "pregunta_id", "categoria_id"
    ):
        categoria = categoria_id or categoria_de_pregunta.get(pregunta_id)
        if categoria is not None:
            cursos_de_categoria[categoria].add(curso_de_evaluacion.get(evaluacion_id))
    for categoria_id, cursos in cursos_de_categoria.items():
        if len(cursos) == 1 and None not in cursos:
            CategoriaPregunta.objects.filter(pk=categoria_id, curso__isnull=True).update(
                curso_id=next(iter(cursos))
            )


def quitar_permisos_globales(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    grupo = Group.objects.filter(name="Instructores").first()
    if grupo is None:
        return
    grupo.permissions.remove(
        *Permission.objects.filter(
            content_type__app_label="evaluaciones",
            content_type__model__in=["evaluacion", "pregunta", "categoriapregunta", "excepcion"],
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cursos", "0007_avance_por_fase"),
        ("evaluaciones", "0006_curso_de_evaluaciones_y_categorias"),
        ("evaluaciones", "0003_permisos_de_autoria"),
    ]

    operations = [
        migrations.RunPython(asignar, migrations.RunPython.noop),
        migrations.RunPython(quitar_permisos_globales, migrations.RunPython.noop),
    ]
