"""Données de référence de la production : les cinq organisations du jury et les deux objectifs."""

import datetime

from django.db import migrations

ORGANISATIONS = [
    ("cnam", "Conservatoire national des arts et métiers (Cnam)", 1),
    ("acv", "Direction du programme Action Cœur de Ville", 2),
    ("villes-de-france", "Villes de France", 3),
    ("adcf", "Assemblée des communautés de France (AdCF)", 4),
    ("banque-des-territoires", "Banque des territoires", 5),
]

OBJECTIFS = [
    ("100 sites ouverts fin 2022", datetime.date(2022, 12, 31), 100, False),
    ("75 sites ouverts en ville ACV fin 2022", datetime.date(2022, 12, 31), 75, True),
]


def creer(apps, schema_editor):
    Organisation = apps.get_model("acv", "Organisation")
    Objectif = apps.get_model("acv", "Objectif")
    for sigle, nom, ordre in ORGANISATIONS:
        Organisation.objects.update_or_create(sigle=sigle, defaults={"nom": nom, "ordre": ordre})
    for libelle, echeance, nombre, acv in OBJECTIFS:
        Objectif.objects.get_or_create(
            libelle=libelle,
            defaults={"echeance": echeance, "nombre_sites": nombre, "acv_seulement": acv},
        )


class Migration(migrations.Migration):
    dependencies = [("acv", "0001_initial")]
    operations = [migrations.RunPython(creer, migrations.RunPython.noop)]
