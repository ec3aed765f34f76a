"""Les données ouvertes : colonnes stables, publiques, et aucun champ privé."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from sites.models import Formation, LigneFinancementSite
from sites.opendata import COLONNES

from .. import factories as f
from .conftest import ouvrir, site_retenu

PRIVES = [
    "Contact Fictif",
    "contact@mairie.invalid",
    "01 23 45 67 89",
    "Chargée de mission",
    "123456",
]


@pytest.fixture
def site_public(db):
    site = ouvrir(site_retenu(), datetime.date(2021, 9, 6))
    site.adresse = "2 place de la Mairie\n15000 Commune"
    site.save()
    Formation.objects.create(
        site=site, intitule="Licence Comptabilité", date_debut=datetime.date(2021, 9, 6)
    )
    Formation.objects.create(
        site=site, intitule="Certificat Paie", date_debut=datetime.date(2022, 1, 10)
    )
    LigneFinancementSite.objects.create(
        site=site, source=LigneFinancementSite.Source.CONVENTION_ACV, montant=Decimal("123456")
    )
    return site


def _csv(client) -> list[dict]:
    reponse = client.get(reverse("opendata_sites_csv"))
    assert reponse.streaming  # écrit en flux, site par site
    contenu = b"".join(reponse.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(contenu)))


def test_opendata_csv_colonnes_et_ligne(site_public, client):
    lignes = _csv(client)

    assert list(lignes[0]) == COLONNES
    assert lignes == [
        {
            "code_insee": site_public.commune.code_insee,
            "commune": site_public.commune.nom,
            "departement_code": "15",
            "departement": "Cantal",
            "region_code": "84",
            "region": "Auvergne-Rhône-Alpes",
            "ville_acv": "oui",
            "numero_acv": site_public.commune.ville_acv_id,
            "nom_du_site": site_public.nom,
            "adresse": "2 place de la Mairie 15000 Commune",
            "statut": "Ouvert",
            "date_ouverture": "2021-09-06",
            "formations": "Licence Comptabilité ; Certificat Paie",
            "latitude": "44.93",
            "longitude": "2.44",
        }
    ]


def test_opendata_geojson_point_et_proprietes(site_public, client):
    reponse = client.get(reverse("opendata_sites_geojson"))

    donnees = reponse.json()
    (entite,) = donnees["features"]
    assert reponse["Content-Type"] == "application/geo+json; charset=utf-8"
    assert entite["geometry"] == {"type": "Point", "coordinates": [2.44, 44.93]}
    assert sorted(entite["properties"]) == sorted(set(COLONNES) - {"latitude", "longitude"})
    assert entite["properties"]["formations"] == ["Licence Comptabilité", "Certificat Paie"]


@pytest.mark.parametrize("nom", ["opendata_sites_csv", "opendata_sites_geojson"])
def test_opendata_aucun_champ_prive(nom, site_public, client):
    reponse = client.get(reverse(nom))
    corps = b"".join(reponse.streaming_content) if reponse.streaming else reponse.content
    contenu = corps.decode("utf-8")

    assert [p for p in PRIVES if p in contenu] == []


@pytest.mark.parametrize("nom", ["opendata_sites_csv", "opendata_sites_geojson"])
def test_opendata_public_sans_connexion(nom, site_public, client):
    reponse = client.get(reverse(nom))

    assert (reponse.status_code, reponse["Access-Control-Allow-Origin"]) == (200, "*")


def test_opendata_adresses_stables():
    assert (reverse("opendata_sites_csv"), reverse("opendata_sites_geojson")) == (
        "/opendata/sites.csv",
        "/opendata/sites.geojson",
    )


@pytest.mark.parametrize("n", [1, 3])
def test_opendata_requetes_constantes(n, client, db, django_assert_num_queries):
    for i in range(n):
        site_retenu(commune=f.CommuneFactory(code_insee=f"15{700 + i}"))

    # sites avec leur territoire ; leurs formations
    with django_assert_num_queries(2):
        client.get(reverse("opendata_sites_geojson"))
