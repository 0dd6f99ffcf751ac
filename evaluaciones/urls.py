from django.urls import path

from evaluaciones import views, views_instructores, views_lista

app_name = "evaluaciones"

urlpatterns = [
    path("", views_lista.mis_evaluaciones, name="mis_evaluaciones"),
    path("<int:pk>/", views.evaluacion_detalle, name="detalle"),
    path("<int:pk>/iniciar/", views.iniciar, name="iniciar"),
    path("intentos/<int:pk>/", views.intento, name="intento"),
    path("intentos/<int:pk>/guardar/", views.guardar, name="guardar"),
    path("intentos/<int:pk>/enviar/", views.enviar, name="enviar"),
    path("intentos/<int:pk>/resultado/", views.resultado, name="resultado"),
    path("calificar/", views_instructores.cola_calificacion, name="cola_calificacion"),
    path("calificar/respuestas/<int:pk>/", views_instructores.calificar, name="calificar"),
    path(
        "calificar/respuestas/<int:pk>/archivo/",
        views_instructores.descargar_entregable,
        name="descargar_entregable",
    ),
    path("resultados/", views_instructores.resultados_lista, name="resultados_lista"),
    path("resultados/<int:pk>/", views_instructores.resultados, name="resultados"),
    path("resultados/<int:pk>/analisis/", views_instructores.analisis, name="analisis"),
    path(
        "resultados/<int:pk>/resultados.csv",
        views_instructores.resultados_csv,
        name="resultados_csv",
    ),
    path(
        "resultados/<int:pk>/respuestas.csv",
        views_instructores.respuestas_csv,
        name="respuestas_csv",
    ),
]
