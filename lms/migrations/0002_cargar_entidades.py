"""Seed the 32 entidades federativas with their INEGI codes (from shared/data/entidades.csv)."""

from django.db import migrations

ENTIDADES = [
    ("01", "Aguascalientes", "AGS"),
    ("02", "Baja California", "BC"),
    ("03", "Baja California Sur", "BCS"),
    ("04", "Campeche", "CAMP"),
    ("05", "Coahuila de Zaragoza", "COAH"),
    ("06", "Colima", "COL"),
    ("07", "Chiapas", "CHIS"),
    ("08", "Chihuahua", "CHIH"),
    ("09", "Ciudad de México", "CDMX"),
    ("10", "Durango", "DGO"),
    ("11", "Guanajuato", "GTO"),
    ("12", "Guerrero", "GRO"),
    ("13", "Hidalgo", "HGO"),
    ("14", "Jalisco", "JAL"),
    ("15", "México", "MEX"),
    ("16", "Michoacán de Ocampo", "MICH"),
    ("17", "Morelos", "MOR"),
    ("18", "Nayarit", "NAY"),
    ("19", "Nuevo León", "NL"),
    ("20", "Oaxaca", "OAX"),
    ("21", "Puebla", "PUE"),
    ("22", "Querétaro", "QRO"),
    ("23", "Quintana Roo", "QROO"),
    ("24", "San Luis Potosí", "SLP"),
    ("25", "Sinaloa", "SIN"),
    ("26", "Sonora", "SON"),
    ("27", "Tabasco", "TAB"),
    ("28", "Tamaulipas", "TAMPS"),
    ("29", "Tlaxcala", "TLAX"),
    ("30", "Veracruz de Ignacio de la Llave", "VER"),
    ("31", "Yucatán", "YUC"),
    ("32", "Zacatecas", "ZAC"),
]


def cargar(apps, schema_editor):
    EntidadFederativa = apps.get_model("lms", "EntidadFederativa")
    for clave, nombre, abreviatura in ENTIDADES:
        EntidadFederativa.objects.update_or_create(
            clave_inegi=clave, defaults={"nombre": nombre, "abreviatura": abreviatura}
        )


class Migration(migrations.Migration):
    dependencies = [("lms", "0001_inicial")]

    operations = [migrations.RunPython(cargar, migrations.RunPython.noop)]
