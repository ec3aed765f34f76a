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
    # les sites arrivent par colonnes (une liste par attribut) : une ligne par site
    sites = [
        dict(zip(carte["sites"], ligne, strict=True))
        for ligne in zip(*carte["sites"].values(), strict=True)
    ]
    # ce que dessine la carte, rien de plus : l'infobulle d'un site donne son nom (« Cnam — commune »)
    assert set(carte["sites"]) == {"nom", "statut", "lat", "lon", "departement", "acv"}
    assert sorted((s["nom"], s["statut"], s["acv"]) for s in sites) == sorted(
        [
            (jeu_connu.site_a.nom, "planifie", True),
            (jeu_connu.site_hors_acv.nom, "ouvert", False),
            (jeu_connu.site_b.nom, "ouvert", True),
        ]
    )
    saint_flour = next(s for s in sites if s["nom"] == jeu_connu.site_b.nom)
    assert (saint_flour["lat"], saint_flour["lon"]) == (
        jeu_connu.site_b.commune.latitude,
        jeu_connu.site_b.commune.longitude,
    )


def test_tableau_de_bord_affiche_les_chiffres_en_tableaux(jeu_connu, client_de, equipe):
    reponse = client_de(equipe).get(reverse("tableau_de_bord"))

    assert reponse.status_code == 200
    assert reponse.context["etat"] == etat_du_programme()
    contenu = reponse.content.decode()
    assert contenu.count("Délibération du conseil municipal") == 1
    assert "js/tableau_de_bord.js" in contenu


def _sites(n: int) -> None:
    """`n` sites (un sur deux ouvert, un sur trois en ville ACV), chacun avec un jalon en retard."""
    vague = f.VagueFactory(numero=1)
    for i in range(n):
        ville = f.VilleAcvFactory(id_acv=f"ACV{500 + i}", entree=2018) if i % 3 == 0 else None
        commune = f.CommuneFactory(code_insee=f"15{500 + i}", ville_acv=ville)
        site = site_retenu(vague=vague, commune=commune)
        site.jalons.create(libelle="En retard", echeance=datetime.date(2021, 1, 1))
        if i % 2 == 0:
            ouvrir(site, datetime.date(2021, 1, 1 + i))
        f.CandidatureFactory(vague=vague, commune=f.CommuneFactory(code_insee=f"16{500 + i}"))


@pytest.mark.parametrize("n", [1, 6])
def test_tableau_de_bord_donnees_requetes_constantes(
    n, client_de, observateur, django_assert_num_queries
):
    _sites(n)
    client = client_de(observateur)
    client.get(reverse("tableau_de_bord_donnees"))  # la session se stabilise

    # session, utilisateur, groupes ; villes ACV et leurs communes, candidatures en ville ACV,
    # sites (carte, ouvertures, entonnoir), objectifs
    with django_assert_num_queries(7):
        reponse = client.get(reverse("tableau_de_bord_donnees"))
    assert reponse.status_code == 200
    assert len(reponse.json()["carte"]["sites"]["statut"]) == n


@pytest.mark.parametrize("n", [1, 6])
def test_tableau_de_bord_requetes_constantes(n, client_de, equipe, django_assert_num_queries):
    _sites(n)
    client = client_de(equipe)
    client.get(reverse("tableau_de_bord"))  # la session se stabilise

    # session, utilisateur, groupes ; villes ACV et leurs communes, sites, retards par site,
    # candidatures en ville ACV, candidatures par vague, région et statut, vagues, objectifs,
    # régions, plus anciens retards, inscriptions, financements
    with django_assert_num_queries(14):
        reponse = client.get(reverse("tableau_de_bord"))
    assert reponse.status_code == 200
    assert reponse.context["etat"]["sites"]["total"] == n
    assert reponse.context["etat"]["jalons_en_retard"]["nombre"] == n


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


def test_etat_egal_aux_comptes_faits_en_base(jeu_connu):
    """Les chiffres déduits en Python des lignes lues une fois égalent les agrégats faits en SQL.

    Un jeu plus varié que le jeu connu : site fermé avec un retard (il ne compte plus), site
    suspendu (il compte encore), site ouvert dans une ville de 2023, jalons faits ou à venir,
    candidatures d'une autre région.
    """
    from django.db.models import Count, Q

    from candidatures.models import Candidature
    from sites import programme
    from sites.models import Jalon, Site

    equipe = f.utilisateur(username="equipe-oracle")
    jeu_connu.site_hors_acv.jalons.create(libelle="Oublié", echeance=datetime.date(2020, 1, 1))
    jeu_connu.site_hors_acv.changer_statut("ferme", par=equipe)
    jeu_connu.site_b.changer_statut("suspendu", par=equipe)
    jeu_connu.site_b.jalons.create(libelle="À venir", echeance=datetime.date(2999, 1, 1))
    jeu_connu.site_b.jalons.create(
        libelle="Fait", echeance=datetime.date(2020, 1, 1), fait_le=datetime.date(2020, 2, 1)
    )
    ville_d = f.VilleAcvFactory(id_acv="ACV900")
    autre = f.CommuneFactory(code_insee="63113", ville_acv=None)  # une autre région
    site_d = site_retenu(
        vague=f.VagueFactory(numero=2), commune=f.CommuneFactory(code_insee="15138")
    )
    assert site_d.commune.ville_acv == ville_d
    ouvrir(site_d, datetime.date(2022, 6, 1), equipe)
    site_autre = site_retenu(vague=f.VagueFactory(numero=2), commune=autre)
    site_autre.jalons.create(libelle="En retard", echeance=datetime.date(2022, 1, 1))
    f.CandidatureFactory(vague=f.VagueFactory(numero=1), commune=autre, statut="non_retenue")

    etat = etat_du_programme()

    retards = Jalon.objects.en_retard()
    assert etat["jalons_en_retard"]["nombre"] == retards.count() == 2
    assert etat["jalons_en_retard"]["sites_concernes"] == retards.values("site").distinct().count()
    par_region = dict(
        retards.values_list("site__commune__region_id").annotate(n=Count("pk")).order_by()
    )
    assert {r["code"]: r["jalons_en_retard"] for r in etat["regions"] if r["jalons_en_retard"]} == (
        par_region
    )
    sites = {
        (r["code"], s): n for r in etat["regions"] for s, n in r["sites_par_statut"].items() if n
    }
    assert sites == {
        (region, statut): n
        for region, statut, n in Site.objects.values_list("commune__region_id", "statut")
        .annotate(n=Count("pk"))
        .order_by()
    }
    recues = Candidature.objects.exclude(statut="brouillon")
    assert {r["code"]: r["candidatures_recues"] for r in etat["regions"]} == dict(
        recues.values_list("commune__region_id").annotate(n=Count("pk")).order_by()
    )
    acv = Q(commune__ville_acv__isnull=False)
    assert {
        p["statut"]: (p["total"], p["en_ville_acv"])
        for p in etat["sites"]["par_statut"]
        if p["total"]
    } == {
        statut: (n, n_acv)
        for statut, n, n_acv in Site.objects.values_list("statut")
        .annotate(n=Count("pk"), acv=Count("pk", filter=acv))
        .order_by()
    }
    assert etat["ouvertures"] == programme._ouvertures()
    ouvertes = Site.objects.qui_comptent().filter(commune__ville_acv__entree=2018)
    assert (
        etat["entonnoir"][-1]["nombre"] == ouvertes.values("commune__ville_acv").distinct().count()
    )
    for vague in etat["vagues"]:
        de_la_vague = recues.filter(vague__numero=vague["numero"])
        assert vague["candidatures_en_ville_acv"] == de_la_vague.filter(acv).count()
        assert vague["retenues_en_ville_acv"] == de_la_vague.filter(acv, statut="retenue").count()
    donnees = programme.donnees_tableau_de_bord()
    assert (donnees["entonnoir"], donnees["ouvertures"]) == (etat["entonnoir"], etat["ouvertures"])
