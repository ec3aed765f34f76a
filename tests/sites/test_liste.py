"""La liste des sites : filtres, candidatures retenues sans site, requêtes en nombre constant."""

import datetime

import pytest
from django.urls import reverse

from candidatures.models import Candidature
from sites.models import Jalon

from .. import factories as f
from .conftest import ouvrir, site_retenu


def _sites(n: int) -> list:
    vague = f.VagueFactory(numero=1)
    return [
        site_retenu(
            vague=vague, commune=f.CommuneFactory(code_insee=f"15{600 + i}", nom=f"Ville {i}")
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("n", [1, 3])
def test_site_liste_requetes_constantes(n, client_de, equipe, django_assert_num_queries):
    _sites(n)
    f.CandidatureFactory(statut=Candidature.Statut.RETENUE)
    client = client_de(equipe)
    client.get(reverse("site_liste"))  # la session se stabilise (heure d'activité écrite)

    # session, utilisateur, groupes ; compte, identifiants de la page et ses sites ; candidatures
    # retenues sans site ; choix des filtres (régions, vagues)
    with django_assert_num_queries(9):
        reponse = client.get(reverse("site_liste"))
    assert len(reponse.context["page_obj"]) == n


@pytest.mark.parametrize("n", [1, 3])
def test_site_liste_requetes_constantes_responsable(
    n, client_de, responsable_regional, django_assert_num_queries
):
    _sites(n)
    client = client_de(responsable_regional)
    client.get(reverse("site_liste"))  # la session se stabilise (heure d'activité écrite)

    # session, utilisateur, groupes, profil ; compte, identifiants de la page et ses sites ;
    # choix des filtres
    with django_assert_num_queries(9):
        reponse = client.get(reverse("site_liste"))
    assert [s.modifiable for s in reponse.context["page_obj"]] == [True] * n


def test_site_liste_filtre_par_statut_et_acv(client_de, observateur):
    a, b, c = _sites(3)
    ouvrir(a, datetime.date(2021, 5, 3))
    c.commune.ville_acv = None
    c.commune.save()

    client = client_de(observateur)
    ouverts = client.get(reverse("site_liste"), {"statut": "ouvert"}).context["page_obj"]
    hors_acv = client.get(reverse("site_liste"), {"acv": "non"}).context["page_obj"]

    assert ([s.pk for s in ouverts], [s.pk for s in hors_acv]) == ([a.pk], [c.pk])


def test_site_liste_filtre_par_region_et_vague(client_de, observateur, autre_region):
    (ici,) = _sites(1)
    moselle = f.DepartementFactory(code="57", nom="Moselle", region=autre_region)
    ailleurs = site_retenu(
        vague=f.VagueFactory(numero=2),
        commune=f.CommuneFactory(code_insee="57463", departement=moselle),
    )
    client = client_de(observateur)

    par_region = client.get(reverse("site_liste"), {"region": "44"}).context["page_obj"]
    par_vague = client.get(reverse("site_liste"), {"vague": ici.candidature.vague_id}).context[
        "page_obj"
    ]

    assert ([s.pk for s in par_region], [s.pk for s in par_vague]) == ([ailleurs.pk], [ici.pk])


def test_site_liste_montre_les_retenues_sans_site_a_l_equipe_seulement(
    client_de, equipe, observateur
):
    sans_site = f.CandidatureFactory(statut=Candidature.Statut.RETENUE)
    _sites(1)

    pour_equipe = client_de(equipe).get(reverse("site_liste")).context["sans_site"]
    pour_observateur = client_de(observateur).get(reverse("site_liste")).context["sans_site"]

    assert (pour_equipe, pour_observateur) == ([sans_site], None)


def test_objectif_creation_par_l_equipe(client_de, equipe):
    reponse = client_de(equipe).post(
        reverse("objectif_creer"),
        {"libelle": "120 sites fin 2024", "echeance": "2024-12-31", "nombre_sites": "120"},
    )

    from acv.models import Objectif

    assert reponse.status_code == 302
    assert Objectif.objects.get(libelle="120 sites fin 2024").nombre_sites == 120


def test_objectif_nombre_nul_refuse(client_de, equipe):
    from acv.models import Objectif

    objectif = Objectif.objects.first()

    reponse = client_de(equipe).post(
        reverse("objectif_modifier", args=[objectif.pk]),
        {"libelle": objectif.libelle, "echeance": "2022-12-31", "nombre_sites": "0"},
    )

    objectif.refresh_from_db()
    assert (reponse.status_code, objectif.nombre_sites) == (200, 100)


def test_site_liste_filtre_les_sites_en_retard(client_de, observateur):
    a, b = _sites(2)
    Jalon.objects.create(site=b, libelle="Bail signé", echeance=datetime.date(2020, 1, 1))

    page = client_de(observateur).get(reverse("site_liste"), {"retard": "oui"}).context["page_obj"]

    assert [(s.pk, s.nb_retards) for s in page] == [(b.pk, 1)]


def test_site_liste_pages_dans_l_ordre_des_communes(client_de, observateur, monkeypatch):
    """Chaque page garde l'ordre des communes et les chiffres de ses sites (jalons en retard)."""
    monkeypatch.setattr("sites.views.LIGNES_PAR_PAGE", 2)
    a, b, c = _sites(3)
    for site, nom in ((a, "Yerres"), (b, "Albi"), (c, "Millau")):
        site.commune.nom = nom
        site.commune.save()
    Jalon.objects.create(site=c, libelle="Bail signé", echeance=datetime.date(2020, 1, 1))
    client = client_de(observateur)

    premiere = client.get(reverse("site_liste")).context["page_obj"]
    seconde = client.get(reverse("site_liste"), {"page": 2}).context["page_obj"]

    assert [(s.commune.nom, s.nb_retards) for s in premiere] == [("Albi", 0), ("Millau", 1)]
    assert [(s.commune.nom, s.nb_retards) for s in seconde] == [("Yerres", 0)]
    assert premiere.paginator.count == 3 and seconde.has_previous()
