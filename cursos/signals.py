"""Domain signals the cursos app sends; receivers elsewhere only call a service."""

from django.dispatch import Signal

# The trigger for issuing (or revoking) a constancia: sent after the transaction
# commits, whenever an enrolment's course completion changes (it became complete,
# its date changed, or it stopped being complete after a regrade), and only by
# `cursos.services.actualizar_completitud`, the one writer of
# `Inscripcion.completada_en`.
# Arguments: inscripcion_id (int), completada (bool). Receivers (e.g. in the
# constancias app) take the id, reload what they need and call one idempotent
# service, typically by enqueuing a Celery task: the signal can be sent again for
# the same enrolment and with the same value (retries, concurrent facts).
completitud_cambiada = Signal()
