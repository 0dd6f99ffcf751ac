from django.urls import path

from constancias import views

app_name = "constancias"

urlpatterns = [
    path("verificar/", views.verificar, name="verificar_formulario"),
    path("verificar/<str:codigo>/", views.verificar_codigo, name="verificar"),
    path("mis-constancias/", views.mis_constancias, name="mis_constancias"),
    path("descargar/<str:folio>.pdf", views.descargar, name="descargar"),
    path("coordinacion/", views.coordinacion, name="coordinacion"),
    path("coordinacion/reglas/<int:pk>/", views.regla, name="regla"),
    path("coordinacion/reglas/<int:pk>/constancias.zip", views.descargar_zip, name="zip"),
    path(
        "coordinacion/reglas/<int:pk>/impresion.pdf",
        views.descargar_impresion,
        name="impresion",
    ),
    path("coordinacion/trabajos/<int:pk>/", views.trabajo, name="trabajo"),
    path("coordinacion/trabajos/<int:pk>/estado.json", views.trabajo_estado, name="trabajo_estado"),
    path("coordinacion/constancias/<int:pk>/revocar/", views.revocar, name="revocar"),
    path("coordinacion/constancias/<int:pk>/reemplazar/", views.reemplazar, name="reemplazar"),
]
