"""Replace Wagtail's welcome page with the platform's HomePage as the default site root."""

from django.db import migrations


def crear_inicio(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("cursos", "HomePage")
    Locale = apps.get_model("wagtailcore", "Locale")

    if HomePage.objects.exists():
        return
    Page.objects.filter(depth=2, slug="home", content_type__model="page").delete()
    root = Page.objects.get(depth=1)
    locale = Locale.objects.first() or Locale.objects.create(language_code="es-mx")
    tipo, _ = ContentType.objects.get_or_create(model="homepage", app_label="cursos")
    vecinos = Page.objects.filter(depth=2).count()
    # treebeard's materialised path: step 4, base 36 alphabet.
    alfabeto = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    numero = vecinos + 1
    paso = ""
    for _i in range(4):
        numero, resto = divmod(numero, 36)
        paso = alfabeto[resto] + paso
    inicio = HomePage.objects.create(
        title="Capacitación en Transparencia Proactiva",
        draft_title="Capacitación en Transparencia Proactiva",
        slug="inicio",
        content_type=tipo,
        path=root.path + paso,
        depth=2,
        numchild=0,
        url_path="/inicio/",
        locale=locale,
        live=True,
        intro="<p>Plataforma nacional de capacitación para órganos garantes y sujetos obligados.</p>",
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(hostname="localhost", root_page=inicio, is_default_site=True, port=80)


class Migration(migrations.Migration):
    dependencies = [
        ("cursos", "0001_inicial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(crear_inicio, migrations.RunPython.noop)]
