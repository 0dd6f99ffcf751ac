"""Domain signals the quiz engine sends; receivers elsewhere only call a service."""

from django.dispatch import Signal

# Sent after an attempt is scored, regraded or manually graded, once the transaction commits.
# Arguments: usuario_id (int), evaluacion_id (int).
resultado_evaluacion_cambiado = Signal()
