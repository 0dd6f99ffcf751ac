"""Demo people and organizations for `make run`; every step is idempotent."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress

from django.db import transaction

from lms import services
from lms.models import EntidadFederativa, Organizacion, Rol, Usuario

CONTRASENA_DEMO = "demo-Transparencia-2026"

NACIONAL = "Transparencia para el Pueblo"

SUJETOS_DEMO: dict[str, list[tuple[str, str, str]]] = {
    "14": [
        ("Secretaría de la Hacienda Pública del Estado de Jalisco", "estatal", "poder_ejecutivo"),
        ("Congreso del Estado de Jalisco", "estatal", "poder_legislativo"),
        ("Ayuntamiento de Zapopan", "municipal", "municipio"),
    ],
    "09": [
        ("Secretaría de Salud de la Ciudad de México", "estatal", "poder_ejecutivo"),
        ("Alcaldía Iztapalapa", "municipal", "municipio"),
    ],
    "20": [
        ("Tribunal Superior de Justicia del Estado de Oaxaca", "estatal", "poder_judicial"),
        ("Municipio de Oaxaca de Juárez", "municipal", "municipio"),
    ],
    "31": [("Secretaría de Educación de Yucatán", "estatal", "poder_ejecutivo")],
}


@dataclass(frozen=True)
class CuentaDemo:
    email: str
    nombre: str
    apellidos: str
    cargo: str
    rol: Rol | None
    clave_entidad: str | None


CUENTAS_DEMO = [
    CuentaDemo(
        "admin@demo.mx",
        "Adriana",
        "Administradora Demo",
        "Administración de la plataforma",
        Rol.ADMINISTRADOR,
        None,
    ),
    CuentaDemo(
        "coordinacion.nacional@demo.mx",
        "Nicolás",
        "Núñez Peña",
        "Coordinador nacional",
        Rol.COORDINADOR_NACIONAL,
        None,
    ),
    CuentaDemo(
        "coordinacion.jalisco@demo.mx",
        "Estela",
        "Ibáñez Orozco",
        "Coordinadora estatal",
        Rol.COORDINADOR_ESTATAL,
        "14",
    ),
    CuentaDemo(
        "instructora@demo.mx", "Inés", "Muñoz Saldaña", "Capacitadora", Rol.INSTRUCTOR, None
    ),
    CuentaDemo(
        "participante@demo.mx", "José Ángel", "Peña Güemes", "Enlace de transparencia", None, "14"
    ),
]


def _garante_estatal(entidad: EntidadFederativa) -> Organizacion:
    organizacion, _ = Organizacion.objects.get_or_create(
        clase=Organizacion.Clase.ORGANO_GARANTE,
        entidad=entidad,
        defaults={
            "nombre": f"Órgano Garante de Transparencia de {entidad.nombre}",
            "siglas": f"OGT-{entidad.abreviatura}",
            "tipo": Organizacion.Tipo.ORGANO_AUTONOMO,
        },
    )
    return organizacion


@transaction.atomic
def cargar() -> None:
    """Create the national and state guarantor bodies, some sujetos obligados and demo accounts."""
    services.asegurar_grupos()
    nacional, _ = Organizacion.objects.get_or_create(
        clase=Organizacion.Clase.ORGANO_GARANTE,
        entidad=None,
        nombre=NACIONAL,
        defaults={"tipo": Organizacion.Tipo.PODER_EJECUTIVO},
    )
    garantes = {e.clave_inegi: _garante_estatal(e) for e in EntidadFederativa.objects.all()}
    for clave, sujetos in SUJETOS_DEMO.items():
        entidad = EntidadFederativa.objects.get(clave_inegi=clave)
        for nombre, ambito, tipo in sujetos:
            Organizacion.objects.get_or_create(
                clase=Organizacion.Clase.SUJETO_OBLIGADO,
                entidad=entidad,
                nombre=nombre,
                defaults={"ambito": ambito, "tipo": tipo, "organo_garante": garantes[clave]},
            )
    for cuenta in CUENTAS_DEMO:
        organizacion = garantes[cuenta.clave_entidad] if cuenta.clave_entidad else nacional
        usuario = Usuario.objects.filter(email__iexact=cuenta.email).first()
        if usuario is None:
            usuario = Usuario.objects.create_user(email=cuenta.email, password=CONTRASENA_DEMO)
            services.actualizar_perfil(
                usuario=usuario,
                first_name=cuenta.nombre,
                last_name=cuenta.apellidos,
                curp="",
                cargo=cuenta.cargo,
                organizacion=organizacion,
            )
            services.registrar_aceptacion_aviso(usuario=usuario, version="1")
        EmailAddress.objects.get_or_create(
            user=usuario, email=usuario.email, defaults={"verified": True, "primary": True}
        )
        if cuenta.rol:
            entidad_id = (
                EntidadFederativa.objects.get(clave_inegi=cuenta.clave_entidad).pk
                if cuenta.rol == Rol.COORDINADOR_ESTATAL
                else None
            )
            services.asignar_rol(usuario=usuario, rol=cuenta.rol, entidad_id=entidad_id)
