from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.documents import urls as wagtaildocs_urls

from lms import middleware, views, views_coordinacion, views_cuenta

# The Django admin logs in through allauth, so its login is rate limited too.
# mypy forbids assigning to a method, hence the ignore.
admin.site.login = views.login_admin_django  # type: ignore[method-assign]

urlpatterns = [
    path("cuentas/", include("allauth.urls")),
    path("perfil/", views.perfil, name="perfil"),
    path("perfil/mis-datos.json", views.descargar_mis_datos, name="descargar_mis_datos"),
    path("aviso-de-privacidad/", views.aviso_privacidad, name="aviso_privacidad"),
    path("aviso-de-privacidad/aceptar/", middleware.aceptar_aviso, name="aceptar_aviso"),
    path("salud/", views.salud, name="salud"),
    path("salud/detalle/", views.salud_detalle, name="salud_detalle"),
    path("coordinacion/", views_coordinacion.coordinacion, name="coordinacion"),
    path("cursos/", include("cursos.urls")),
    path("evaluaciones/", include("evaluaciones.urls")),
    path("constancias/", include("constancias.urls")),
    # Wagtail's own login form is replaced by allauth's rate-limited one.
    path("admin/login/", views.login_admin_wagtail),
    # Same URL as Wagtail's chooser, behind the same admin-access check.
    path("admin/choose-external-link/", require_admin_access(views.EnlaceExternoView.as_view())),
    # Same URL as Wagtail's account settings; names and e-mail change through our own pages.
    path("admin/account/", require_admin_access(views_cuenta.CuentaAdminView.as_view())),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documentos/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

handler400 = "lms.views.error_400"
handler403 = "lms.views.error_403"
handler404 = "lms.views.error_404"
handler500 = "lms.views.error_500"
