import pytest

from django.core.exceptions import ValidationError

from lms.validators import digito_verificador_curp, normalizar_curp, validar_curp
from tests.factories.cuentas import curp_valida


def test_digito_verificador_coincide_con_ejemplo_publicado_de_renapo():
    # The example CURP used in python-stdnum's documentation of RENAPO's algorithm.
    assert digito_verificador_curp("BOXW310820HNERXN0") == 9
    validar_curp("BOXW310820HNERXN09")


@pytest.mark.parametrize(
    "prefijo",
    [
        "PEGJ850101HDFRNN0",
        "GOMA991231MJCRRL0",
        "LOXA000229HNEPXNA",  # born abroad (NE), homoclave letter for people born from 2000
        "XEXX010101HCXRRR0",  # Mexico City's newer code CX
    ],
)
def test_curp_con_digito_correcto_es_valida(prefijo):
    validar_curp(curp_valida(prefijo))


def test_curp_en_minusculas_y_con_espacios_se_normaliza_y_es_valida():
    curp = curp_valida()
    assert normalizar_curp(f"  {curp.lower()} ") == curp
    validar_curp(f" {curp.lower()}")


@pytest.mark.parametrize("incremento", range(1, 10))
def test_digito_verificador_equivocado_se_rechaza(incremento):
    curp = curp_valida()
    equivocado = f"{curp[:17]}{(int(curp[17]) + incremento) % 10}"
    with pytest.raises(ValidationError) as error:
        validar_curp(equivocado)
    assert error.value.code == "curp_digito"
    assert "dígito verificador" in str(error.value.message)


@pytest.mark.parametrize(
    "valor",
    [
        "",
        "PEGJ850101HDFRNN",  # too short
        "PEGJ850101HDFRNN081",  # too long
        "PEGJ851301HDFRNN08",  # month 13
        "PEGJ850132HDFRNN08",  # day 32
        "PEGJ850101ZDFRNN08",  # sex Z
        "PEGJ850101HZZRNN08",  # unknown state
        "PBGJ850101HDFRNN08",  # second letter must be a vowel
        "PEGJ850101HDFANN08",  # internal consonant cannot be a vowel
        "PEGJ850101HDFRNN0A",  # check digit must be a digit
        "PEÑJ850101HDFRNN08",  # Ñ is written X in a CURP
        "1EGJ850101HDFRNN08",
    ],
)
def test_formato_invalido_se_rechaza_con_mensaje_en_espanol(valor):
    with pytest.raises(ValidationError) as error:
        validar_curp(valor)
    assert error.value.code == "curp_formato"
    assert "formato válido" in str(error.value.message)


def test_el_ejemplo_del_mensaje_de_error_es_una_curp_valida():
    with pytest.raises(ValidationError) as error:
        validar_curp("X")
    ejemplo = str(error.value.message).rstrip(".").split()[-1]
    validar_curp(ejemplo)


@pytest.mark.parametrize(
    "prefijo",
    [
        "PEGJ850230HDFRNN0",  # 30 February: a date that does not exist (python-stdnum)
        "BUEY850101HDFRNN0",  # a word RENAPO never issues (python-stdnum's list)
    ],
)
def test_lo_que_revisa_la_biblioteca_se_rechaza_aunque_el_digito_cuadre(prefijo):
    with pytest.raises(ValidationError) as error:
        validar_curp(curp_valida(prefijo))
    assert error.value.code == "curp_formato"
