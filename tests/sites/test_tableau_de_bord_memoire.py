"""Le tableau de bord garde son dernier calcul tant que la base n'a rien validé (PostgreSQL)."""

import datetime
import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.urls import reverse

from acv.roles import Role
from sites import programme
from sites.models import Jalon, Site

from .. import factories as f
from .conftest import ouvrir, site_retenu

sur_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="le cliché des transactions est celui de PostgreSQL ; ailleurs, rien n'est gardé",
)
PAGE, DONNEES = reverse("tableau_de_bord"), reverse("tableau_de_bord_donnees")


def _deux_sites() -> tuple[Site, Site]:
    vague = f.VagueFactory(numero=1)
    ouvert = ouvrir(site_retenu(vague=vague), datetime.date(2021, 3, 1))
    planifie = site_retenu(vague=vague)
    planifie.jalons.create(libelle="En retard", echeance=datetime.date(2021, 1, 1))
    return ouvert, planifie


def _memoire_qui_compte() -> tuple[programme.Memoire, list]:
    """Une mémoire à une partie qui rend le nombre de fois qu'elle a été calculée."""
    appels = []
    return programme.Memoire({"n": lambda releve: appels.append(releve) or len(appels)}), appels


def test_dans_une_transaction_rien_n_est_garde(db, django_assert_num_queries):
    memoire, _ = _memoire_qui_compte()

    with django_assert_num_queries(0):
        assert programme.cliche_des_donnees() is None
        assert (memoire("n"), memoire("n")) == (1, 2)


@sur_postgresql
@pytest.mark.django_db(transaction=True)
def test_le_calcul_est_garde_jusqu_a_la_prochaine_validation():
    memoire, appels = _memoire_qui_compte()

    assert (memoire("n"), memoire("n")) == (1, 1)
    f.VagueFactory(numero=7)  # une écriture validée, dans n'importe quelle table
    assert (memoire("n"), memoire("n")) == (2, 2)
    with transaction.atomic():
        assert memoire("n") == 3  # pas de cliché dans une transaction : calculé chaque fois
    assert len(appels) == 3
    # un relevé neuf à chaque cliché : rien de lu avant la validation n'est repris après
    assert appels[0] is not appels[1]


@sur_postgresql
@pytest.mark.django_db(transaction=True)
def test_un_calcul_a_cheval_sur_une_validation_n_est_pas_garde():
    ecrire = iter([True, False])

    def calcul(releve):
        if next(ecrire):
            f.VagueFactory(numero=8)  # validée pendant le calcul (autre requête, autre processus)
        return releve

    memoire = programme.Memoire({"n": calcul})
    premier = memoire("n")
    assert memoire.garde is None
    second = memoire("n")
    assert second is not premier and memoire("n") is second


def _client_au_calcul_garde(client_de):
    """Deux sites, et un membre de l'équipe dont la session est stabilisée (la session s'écrit à la
    première requête) et le calcul du tableau de bord gardé. Rend le site planifié et le client."""
    ouvert, planifie = _deux_sites()
    client = client_de(f.utilisateur(Role.EQUIPE, username="equipe-memoire"))
    for _ in range(2):
        client.get(PAGE)
        client.get(DONNEES)
    return planifie, client


def _ouvrir_en_masse(site: Site) -> None:
    """Une écriture en masse (ni `save`, ni signal) : le site ouvre le 1er mai 2022."""
    Site.objects.filter(pk=site.pk).update(
        statut=Site.Statut.OUVERT, date_ouverture=datetime.date(2022, 5, 1)
    )


def _donnees_recalculees() -> dict:
    """Les données du tableau de bord calculées à neuf, telles que le navigateur les reçoit."""
    return json.loads(json.dumps(programme.donnees_tableau_de_bord(), cls=DjangoJSONEncoder))


@sur_postgresql
@pytest.mark.django_db(transaction=True)
def test_tableau_de_bord_recalcule_apres_toute_ecriture_meme_en_masse(
    client_de, django_assert_num_queries
):
    planifie, client = _client_au_calcul_garde(client_de)

    # session, utilisateur, groupes, cliché : rien d'autre n'est relu
    with django_assert_num_queries(4):
        etat = client.get(PAGE).context["etat"]
    with django_assert_num_queries(4):
        assert client.get(DONNEES).json()["ouvertures"][-1]["cumul"] == 1
    assert (etat["sites"]["ouverts"], etat["jalons_en_retard"]["nombre"]) == (1, 1)

    # Des écritures en masse (ni `save`, ni signal) : le cliché change, tout est recalculé.
    Jalon.objects.filter(site=planifie).update(fait_le=datetime.date(2021, 2, 1))
    _ouvrir_en_masse(planifie)
    etat = client.get(PAGE).context["etat"]
    assert (etat["sites"]["ouverts"], etat["jalons_en_retard"]["nombre"]) == (2, 0)
    assert etat == programme.etat_du_programme()
    reponse = client.get(DONNEES).json()
    assert reponse == _donnees_recalculees()
    assert [p["cumul"] for p in reponse["ouvertures"]] == [1, 2]
    assert reponse["carte"]["sites"]["statut"] == ["ouvert", "ouvert"]


@sur_postgresql
@pytest.mark.django_db(transaction=True)
def test_les_donnees_se_deduisent_des_lignes_que_la_page_vient_de_lire(
    client_de, django_assert_num_queries
):
    planifie, client = _client_au_calcul_garde(client_de)
    _ouvrir_en_masse(planifie)

    client.get(PAGE)  # le calcul de la page, sous le nouveau cliché
    # session, utilisateur, groupes, cliché avant et après : aucune table du programme relue
    with django_assert_num_queries(5) as requetes:
        reponse = client.get(DONNEES).json()
    assert not any("sites_site" in q["sql"] for q in requetes.captured_queries)
    assert reponse == _donnees_recalculees()
    assert reponse["carte"]["sites"]["statut"] == ["ouvert", "ouvert"]
    assert [p["cumul"] for p in reponse["ouvertures"]] == [1, 2]
