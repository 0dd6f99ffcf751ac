from django.urls import path

from evaluaciones import views

app_name = "evaluaciones"

urlpatterns = [
    path("<int:pk>/", views.evaluacion_detalle, name="detalle"),
    path("<int:pk>/iniciar/", views.iniciar, name="iniciar"),
    path("intentos/<int:pk>/", views.intento, name="intento"),
    path("intentos/<int:pk>/guardar/", views.guardar, name="guardar"),
    path("intentos/<int:pk>/enviar/", views.enviar, name="enviar"),
    path("intentos/<int:pk>/resultado/", views.resultado, name="resultado"),
]
