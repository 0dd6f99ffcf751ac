"""Properties across snapshot, autosave and scoring, on the database."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluaciones import services
from evaluaciones.models import Intento, Pregunta
from evaluaciones.services import ErrorEvaluacion
from tests.factories import UsuarioFactory
from tests.factories.evaluaciones import evaluacion_con, pregunta_con_opciones
from tests.factories.evaluaciones_cursos import iniciar

pytestmark = pytest.mark.django_db

AJUSTES = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


@AJUSTES
@given(
    correctas=st.lists(st.booleans(), min_size=2, max_size=6).filter(any),
    guardados=st.lists(st.lists(st.integers(min_value=0, max_value=5)), min_size=1, max_size=4),
    barajar=st.booleans(),
)
def test_solo_cuenta_lo_ultimo_guardado_y_el_orden_mostrado_no_importa(
    correctas, guardados, barajar
):
    pregunta = pregunta_con_opciones(tipo=Pregunta.Tipo.OPCION_MULTIPLE, correctas=correctas)
    ids = [str(o.pk) for o in pregunta.opciones.order_by("sort_order")]
    evaluacion = evaluacion_con(pregunta, barajar_opciones=barajar, intentos_permitidos=0)
    persona = UsuarioFactory()
    intento = iniciar(evaluacion, persona)
    ultimo = set()
    for indices in guardados:
        elegidas = {ids[i] for i in indices if i < len(ids)}
        services.guardar_respuesta(
            intento_id=intento.pk,
            usuario=persona,
            clave=f"p{pregunta.pk}",
            datos={f"p-p{pregunta.pk}": sorted(elegidas)},
        )
        ultimo = elegidas
    intento = services.enviar_intento(intento_id=intento.pk, usuario=persona).intento
    k = sum(correctas)
    malas = len(correctas) - k
    bien = sum(1 for i, c in zip(ids, correctas, strict=True) if c and i in ultimo)
    mal = sum(1 for i, c in zip(ids, correctas, strict=True) if not c and i in ultimo)
    esperado = max(0.0, bien / k - (mal / malas if malas else 0))
    assert intento.estado == Intento.Estado.CALIFICADO
    assert abs(float(intento.puntaje) - esperado) <= 0.005
    assert Decimal(0) <= intento.porcentaje <= Decimal(100)


@AJUSTES
@given(data=st.data())
def test_autosave_con_basura_rechaza_o_guarda_algo_valido(data):
    pregunta = pregunta_con_opciones()
    ids = sorted(str(o.pk) for o in pregunta.opciones.all())
    valida = f"p{pregunta.pk}"
    clave = data.draw(st.one_of(st.just(valida), st.text(max_size=12)))
    nombres = st.one_of(st.just(f"p-{valida}"), st.text(max_size=10))
    valores = st.lists(st.one_of(st.sampled_from(ids), st.text(max_size=20)), max_size=3)
    datos = data.draw(st.dictionaries(nombres, valores, max_size=4))
    persona = UsuarioFactory()
    intento = iniciar(evaluacion_con(pregunta), persona)
    error = None
    try:
        respuesta = services.guardar_respuesta(
            intento_id=intento.pk, usuario=persona, clave=clave, datos=datos
        )
    except ErrorEvaluacion as e:
        error = e
    if error is not None:
        assert error.mensaje
        assert not intento.respuestas.exists()
    else:
        assert respuesta.clave == valida
        assert respuesta.valor is None or respuesta.valor in ids
