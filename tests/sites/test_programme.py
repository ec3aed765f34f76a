"""Les chiffres du programme sur un jeu connu : tableau de bord et `programme_status --json`."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from sites.programme import etat_du_programme

from .. import factories as f
from .conftest import ouvrir, site_retenu


def test_etat_villes_acv_compte_les_villes_par_numero(jeu_connu):
    etat = etat_du_programme()

    assert etat["villes_acv"] == {"total": 4, "entree_2018": 3}


def test_etat_entonnoir_part_des_villes_de_2018(jeu_connu):
    etat = etat_du_programme()

    # A (non retenue en vague 1, retenue en vague 2) et B candidates ; C n'a qu'un brouillon.
    assert [(e["etape"], e["nombre"]) for e in etat["entonnoir"]] == [
        ("villes_acv", 3),
        ("candidates", 2),
        ("retenues", 2),
        ("ouvertes", 1),
    ]


def test_etat_par_vague(jeu_connu):
    etat = etat_du_programme()

    v1, v2 = etat["vagues"]
    assert (v1["numero"], v1["candidatures_recues"], v1["candidatures_en_ville_acv"]) == (1, 3, 2)
    assert (v1["villes_acv_2018_candidates"], v1["taux_villes_acv_2018"]) == (2, 66.7)
    assert (v1["retenues"], v1["retenues_en_ville_acv"], v1["non_retenues"]) == (2, 1, 1)
    assert (v2["candidatures_recues"], v2["villes_acv_2018_candidates"], v2["retenues"]) == (
        1,
        1,
        1,
    )


def test_etat_sites_par_statut_et_acv(jeu_connu):
    etat = etat_du_programme()

    sites = etat["sites"]
    assert (sites["total"], sites["en_ville_acv"], sites["hors_ville_acv"]) == (3, 2, 1)
    assert (sites["ouverts"], sites["ouverts_en_ville_acv"], sites["ouverts_hors_ville_acv"]) == (
        2,
        1,
        1,
    )
    assert {p["statut"]: (p["total"], p["en_ville_acv"]) for p in sites["par_statut"]} == {
        "planifie": (1, 1),
        "en_preparation": (0, 0),
        "ouvert": (2, 1),
        "suspendu": (0, 0),
        "ferme": (0, 0),
    }


def test_etat_ouvertures_cumulees(jeu_connu):
    etat = etat_du_programme()

    assert etat["ouvertures"] == [
        {"date": "2020-05-01", "cumul": 1, "cumul_acv": 1},
        {"date": "2021-03-01", "cumul": 2, "cumul_acv": 1},
    ]


def test_etat_avancement_des_objectifs(jeu_connu):
    etat = etat_du_programme()

    resume = [
        (o["nombre_sites"], o["acv_seulement"], o["sites_ouverts"], o["reste"], o["atteint"])
        for o in etat["objectifs"]
    ]
    assert resume == [(100, False, 2, 98, False), (75, True, 1, 74, False)]


def test_etat_un_site_ferme_ne_compte_plus(jeu_connu):
    jeu_connu.site_hors_acv.changer_statut("ferme", par=None)

    etat = etat_du_programme()

    assert etat["objectifs"][0]["sites_ouverts"] == 1


def test_etat_par_region_et_retards(jeu_connu):
    etat = etat_du_programme()

    (region,) = etat["regions"]
    assert (region["code"], region["villes_acv_2018"], region["candidatures_recues"]) == (
        "84",
        3,
        4,
    )
    assert (region["candidatures_retenues"], region["sites"], region["sites_ouverts"]) == (3, 3, 2)
    assert region["jalons_en_retard"] == 1
    retards = etat["jalons_en_retard"]
    assert (retards["nombre"], retards["sites_concernes"]) == (1, 1)
    assert [(j["site_id"], j["jalon"], j["echeance"]) for j in retards["liste"]] == [
        (jeu_connu.site_a.pk, "Délibération du conseil municipal", "2021-01-15")
    ]


def test_programme_status_json_donne_les_chiffres_du_tableau_de_bord(jeu_connu):
    sortie = StringIO()

    call_command("programme_status", "--json", stdout=sortie)

    assert json.loads(sortie.getvalue()) == etat_du_programme()


def test_programme_status_sans_json_resume_en_francais(jeu_connu):
    sortie = StringIO()

    call_command("programme_status", stdout=sortie)

    assert sortie.getvalue().splitlines()[1] == "Villes ACV : 4 (dont 3 de 2018)"


def test_tableau_de_bord_donnees_memes_chiffres_et_carte(jeu_connu, client_de, observateur):
    reponse = client_de(observateur).get(reverse("tableau_de_bord_donnees"))

    donnees = reponse.json()
    carte = donnees.pop("carte")
    etat = etat_du_programme()
    # les graphiques reçoivent les mêmes chiffres que les tableaux et programme_status
    assert donnees == {cle: etat[cle] for cle in ("date", "entonnoir", "ouvertures", "objectifs")}
    etapes = {v["code_insee"]: v["etape"] for v in carte["villes"]}
    assert etapes == {
        "15014": "site_en_projet",  # Aurillac (A) : site planifié
        "15012": "site_ouvert",  # Arpajon (B, binôme) : le site de Saint-Flour est ouvert
        "15187": "site_ouvert",
        "15120": "sans_candidature",  # Mauriac (C) : un brouillon ne compte pas
        "15138": "sans_candidature",  # Murat (D, entrée en 2023)
    }
    assert sorted((s["commune"], s["statut"], s["acv"]) for s in carte["sites"]) == [
        ("Aurillac", "planifie", True),
        ("Riom-ès-Montagnes", "ouvert", False),
        ("Saint-Flour", "ouvert", True),
    ]


def test_tableau_de_bord_affiche_les_chiffres_en_tableaux(jeu_connu, client_de, equipe):
    reponse = client_de(equipe).get(reverse("tableau_de_bord"))

    assert reponse.status_code == 200
    assert reponse.context["etat"] == etat_du_programme()
    contenu = reponse.content.decode()
    assert contenu.count("Délibération du conseil municipal") == 1
    assert "js/tableau_de_bord.js" in contenu


def _sites(n: int) -> None:
    vague = f.VagueFactory(numero=1)
    for i in range(n):
        site = site_retenu(vague=vague, commune=f.CommuneFactory(code_insee=f"15{500 + i}"))
        if i % 2 == 0:
            ouvrir(site, datetime.date(2021, 1, 1 + i))


@pytest.mark.parametrize("n", [1, 3])
def test_tableau_de_bord_donnees_requetes_constantes(
    n, client_de, observateur, django_assert_num_queries
):
    _sites(n)
    client = client_de(observateur)
    client.get(reverse("tableau_de_bord_donnees"))  # la session se stabilise

    # session, utilisateur, groupes ; villes ACV, entonnoir (candidatures, sites), ouvertures,
    # objectifs ; carte (candidatures, sites, communes)
    with django_assert_num_queries(11):
        reponse = client.get(reverse("tableau_de_bord_donnees"))
    assert reponse.status_code == 200


def test_etat_inscriptions_et_financements(jeu_connu):
    site_b = jeu_connu.site_b
    site_b.inscriptions.create(annee=2020, nombre=40)
    site_b.inscriptions.create(annee=2021, nombre=55)
    jeu_connu.site_hors_acv.inscriptions.create(annee=2021, nombre=30)
    site_b.financements.create(source="convention_acv", montant=Decimal("80000"))
    jeu_connu.site_hors_acv.financements.create(
        source="convention_acv", montant=Decimal("20000.50")
    )

    etat = etat_du_programme()

    assert etat["inscriptions"] == [
        {"annee": 2020, "inscrits": 40, "sites": 1},
        {"annee": 2021, "inscrits": 85, "sites": 2},
    ]
    assert {ligne["source"]: ligne["montant"] for ligne in etat["financements"]} == {
        "convention_acv": 100000,
        "banque_territoires": 0,
        "region": 0,
        "autre": 0,
    }
