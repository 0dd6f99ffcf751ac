"""Domain signals the cursos app sends; receivers elsewhere only call a service."""

from django.dispatch import Signal

# Sent after commit whenever an enrolment's course completion changes (it became
# complete, changed date, or stopped being complete after a regrade).
# Arguments: inscripcion_id (int), completada (bool).
completitud_cambiada = Signal()
