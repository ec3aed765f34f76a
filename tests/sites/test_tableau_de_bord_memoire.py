"""Le tableau de bord garde son dernier calcul tant que la base n'a rien validé (PostgreSQL)."""

import datetime
import json

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from acv.roles import Role
from sites import programme
from sites.models import Jalon, Site

from .. import factories as f
from .conftest import ouvrir, site_retenu

sur_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="le cliché des transactions est celui de PostgreSQL ; ailleurs, rien n'est gardé",
)


def _deux_sites() -> tuple[Site, Site]:
    vague = f.VagueFactory(numero=1)
    ouvert = ouvrir(site_retenu(vague=vague), datetime.date(2021, 3, 1))
    planifie = site_retenu(vague=vague)
    planifie.jalons.create(libelle="En retard", echeance=datetime.date(2021, 1, 1))
    return ouvert, planifie


def test_dans_une_transaction_rien_n_est_garde(db, django_assert_num_queries):
    appels = []
    memoire = programme.Memoire(lambda jour: appels.append(jour) or len(appels))

    with django_assert_num_queries(0):
        assert programme.cliche_des_donnees() is None
        assert (memoire(), memoire()) == (1, 2)


@sur_postgresql
@pytest.mark.django_db(transaction=True)
def test_le_calcul_est_garde_jusqu_a_la_prochaine_validation():
    appels = []
    memoire = programme.Memoire(lambda jour: appels.append(jour) or len(appels))

    assert (memoire(), memoire()) == (1, 1)
    f.VagueFactory(numero=7)  # une écriture validée, dans n'importe quelle table
    assert (memoire(), memoire()) == (2, 2)
    with transaction.atomic():
        assert memoire() == 3  # pas de cliché dans une transaction : calculé chaque fois
    assert len(appels) == 3


@sur_postgresql
@pytest.mark.django_db(transaction=True)
def test_tableau_de_bord_recalcule_apres_toute_ecriture_meme_en_masse(
    client_de, django_assert_num_queries
):
    ouvert, planifie = _deux_sites()
    client = client_de(f.utilisateur(Role.EQUIPE, username="equipe-memoire"))
    page, donnees = reverse("tableau_de_bord"), reverse("tableau_de_bord_donnees")
    for _ in range(2):  # la session s'écrit à la première requête, le calcul est gardé ensuite
        client.get(page)
        client.get(donnees)

    # session, utilisateur, groupes, cliché : rien d'autre n'est relu
    with django_assert_num_queries(4):
        etat = client.get(page).context["etat"]
    with django_assert_num_queries(4):
        assert client.get(donnees).json()["ouvertures"][-1]["cumul"] == 1
    assert (etat["sites"]["ouverts"], etat["jalons_en_retard"]["nombre"]) == (1, 1)

    # Des écritures en masse (ni `save`, ni signal) : le cliché change, tout est recalculé.
    Jalon.objects.filter(site=planifie).update(fait_le=datetime.date(2021, 2, 1))
    Site.objects.filter(pk=planifie.pk).update(
        statut=Site.Statut.OUVERT, date_ouverture=datetime.date(2022, 5, 1)
    )
    etat = client.get(page).context["etat"]
    assert (etat["sites"]["ouverts"], etat["jalons_en_retard"]["nombre"]) == (2, 0)
    assert etat == programme.etat_du_programme()
    reponse = client.get(donnees).json()
    assert reponse == json.loads(programme.donnees_du_jour_en_json.calcul(timezone.localdate()))
    assert [p["cumul"] for p in reponse["ouvertures"]] == [1, 2]
    assert reponse["carte"]["sites"]["statut"] == ["ouvert", "ouvert"]
