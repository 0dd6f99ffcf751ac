from django.urls import path

from cursos import views, views_importacion

app_name = "cursos"

urlpatterns = [
    path("mis-cursos/", views.mis_cursos, name="mis_cursos"),
    path("buscar/", views.buscar, name="buscar"),
    path("ediciones/<int:pk>/", views.edicion_detalle, name="edicion"),
    path("ediciones/<int:pk>/inscribirme/", views.inscribirme, name="inscribirme"),
    path("ediciones/<int:pk>/retirarme/", views.retirarme, name="retirarme"),
    path("ediciones/<int:pk>/sesiones.ics", views.edicion_ics, name="edicion_ics"),
    path("lecciones/<int:pk>/", views.ir_a_leccion, name="ir_a_leccion"),
    path("lecciones/<int:pk>/completar/", views.completar_leccion, name="completar_leccion"),
    path("sesiones/<int:pk>/asistencia/", views.registrar_asistencia, name="registrar_asistencia"),
    path("sesiones/<int:pk>/evento.ics", views.sesion_ics, name="sesion_ics"),
    path(
        "sesiones/<int:pk>/marcar-asistencia/",
        views.marcar_asistencia,
        name="marcar_asistencia",
    ),
    path("gestion/ediciones/", views.ediciones_gestion, name="ediciones_gestion"),
    path(
        "gestion/ediciones/<int:pk>/",
        views.edicion_participantes,
        name="edicion_participantes",
    ),
]

# Bulk enrolment and attendance-report import (cursos/views_importacion.py).
urlpatterns += [
    path(
        "gestion/ediciones/<int:pk>/inscribir/",
        views_importacion.inscribir_subir,
        name="inscribir_subir",
    ),
    path(
        "gestion/ediciones/<int:pk>/inscribir/<str:token>/",
        views_importacion.inscribir_revisar,
        name="inscribir_revisar",
    ),
    path(
        "gestion/ediciones/<int:pk>/inscribir/<str:token>/columnas/",
        views_importacion.inscribir_columnas,
        name="inscribir_columnas",
    ),
    path(
        "gestion/ediciones/<int:pk>/inscribir/<str:token>/organizaciones/",
        views_importacion.inscribir_organizaciones,
        name="inscribir_organizaciones",
    ),
    path(
        "gestion/ediciones/<int:pk>/inscribir/<str:token>/resultado/",
        views_importacion.inscribir_resultado,
        name="inscribir_resultado",
    ),
    path(
        "gestion/ediciones/<int:pk>/inscribir/<str:token>/rechazadas.csv",
        views_importacion.inscribir_rechazadas,
        name="inscribir_rechazadas",
    ),
    path(
        "sesiones/<int:pk>/importar-asistencia/",
        views_importacion.asistencia_subir,
        name="asistencia_subir",
    ),
    path(
        "sesiones/<int:pk>/importar-asistencia/<str:token>/",
        views_importacion.asistencia_revisar,
        name="asistencia_revisar",
    ),
]

# Coordination dashboard, exports and participant records (cursos/views_reportes.py).
from cursos import views_reportes  # noqa: E402

urlpatterns += [
    path("coordinacion/tablero/", views_reportes.tablero, name="tablero"),
    path("coordinacion/exportar.<str:formato>", views_reportes.exportar, name="exportar"),
    path(
        "coordinacion/exportaciones/<uuid:uid>/",
        views_reportes.exportacion,
        name="exportacion",
    ),
    path(
        "coordinacion/exportaciones/<uuid:uid>/descargar/",
        views_reportes.exportacion_descargar,
        name="exportacion_descargar",
    ),
    path("coordinacion/personas/<int:pk>/", views_reportes.kardex, name="kardex"),
]

# Manifestación de interés and the national view of commitments (cursos/views_manifestaciones.py).
from cursos import views_manifestaciones  # noqa: E402

urlpatterns += [
    path("coordinacion/manifestaciones/", views_manifestaciones.lista, name="manifestaciones"),
    path(
        "coordinacion/manifestaciones/nueva/",
        views_manifestaciones.nueva,
        name="manifestacion_nueva",
    ),
    path(
        "coordinacion/manifestaciones/<int:pk>/",
        views_manifestaciones.detalle,
        name="manifestacion",
    ),
    path(
        "coordinacion/manifestaciones/<int:pk>/editar/",
        views_manifestaciones.editar,
        name="manifestacion_editar",
    ),
    path(
        "coordinacion/manifestaciones/<int:pk>/enviar/",
        views_manifestaciones.enviar,
        name="manifestacion_enviar",
    ),
    path(
        "coordinacion/manifestaciones/<int:pk>/decidir/",
        views_manifestaciones.decidir,
        name="manifestacion_decidir",
    ),
    path("coordinacion/compromisos/", views_manifestaciones.compromisos, name="compromisos"),
]
