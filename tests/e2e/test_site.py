"""(c) L'équipe crée un site depuis une candidature retenue, complète ses jalons, l'ouvre ; le
tableau de bord (chiffres et carte) le reflète."""

import datetime

import pytest
from django.utils import timezone

from acv.models import Objectif
from acv.roles import Role
from candidatures.models import Candidature, Vague
from sites.models import Site
from tests import factories as f

from .jeux import commune_du_cantal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def retenue():
    f.utilisateur(Role.EQUIPE, username="equipe")
    Objectif.objects.create(
        libelle="100 sites fin 2022", echeance=datetime.date(2022, 12, 31), nombre_sites=100
    )
    vague = f.VagueFactory(numero=1, statut=Vague.Statut.RESULTATS_PUBLIES)
    aurillac = commune_du_cantal("15014", "Aurillac", latitude=44.93, longitude=2.44)
    f.CandidatureFactory(vague=vague, commune=commune_du_cantal("15187", "Saint-Flour"))
    return f.CandidatureFactory(
        vague=vague,
        commune=aurillac,
        statut=Candidature.Statut.RETENUE,
        date_ouverture_prevue=datetime.date(2020, 9, 1),
    )


def _chiffre(page, libelle: str) -> str:
    return (
        page.locator(".tdb-chiffre", has_text=libelle).locator(".tdb-chiffre__valeur").inner_text()
    )


def test_site_cree_complete_ouvert_et_tableau_de_bord(parcours, retenue):
    page = parcours.page
    aujourdhui = timezone.localdate()
    parcours.connecter("equipe")

    # Avant : aucun site ouvert ; la ville retenue est sur la carte, sans site.
    parcours.aller("/sites/tableau-de-bord/")
    assert (_chiffre(page, "sites ouverts"), _chiffre(page, "sites suivis")) == ("0", "0")

    # La liste des sites propose de créer le site de la candidature retenue.
    parcours.suivre(page.get_by_role("link", name="Liste des sites"))
    parcours.suivre(page.get_by_role("button", name="Créer le site de Aurillac"))
    assert page.get_by_text("Le site « Cnam — Aurillac » est créé").is_visible()
    site = Site.objects.get(candidature=retenue)
    assert page.url == f"{parcours.base}/sites/{site.pk}/"
    assert parcours.violations_axe() == []

    # Les cinq jalons par défaut, tous faits.
    parcours.suivre(page.get_by_role("link", name="Modifier ou ajouter des jalons"))
    assert parcours.violations_axe() == []
    jalons = [
        "Convention signée",
        "Locaux prêts",
        "Équipe recrutée",
        "Premier cours",
        "Inauguration",
    ]
    for i, libelle in enumerate(jalons):
        fait_le = aujourdhui - datetime.timedelta(days=50 - 10 * i)
        page.get_by_role("group", name=libelle).get_by_label("Fait le").fill(fait_le.isoformat())
    parcours.suivre(page.get_by_role("button", name="Enregistrer"))
    assert page.get_by_text("Jalons : enregistré.").is_visible()
    etats = page.get_by_role("table", name="Jalons").locator("tbody tr td:last-child")
    assert [t.strip() for t in etats.all_text_contents()] == ["Fait"] * 5

    # En préparation, puis ouvert (avec sa date d'ouverture).
    page.get_by_label("Nouveau statut").select_option(label="Passer en préparation")
    parcours.suivre(page.get_by_role("button", name="Enregistrer le statut"))
    assert page.get_by_text("Le site est désormais « En préparation ».").is_visible()
    page.get_by_label("Nouveau statut").select_option(label="Ouvrir le site")
    page.get_by_label("Date d'ouverture").fill(
        (aujourdhui - datetime.timedelta(days=10)).isoformat()
    )
    parcours.suivre(page.get_by_role("button", name="Enregistrer le statut"))
    assert page.get_by_text("Le site est désormais « Ouvert ».").is_visible()
    assert page.get_by_role("heading", level=1).locator(".fr-badge").text_content() == "Ouvert"
    assert parcours.violations_axe() == []

    # Le tableau de bord : un site ouvert, en ville ACV ; la carte montre son carré « ouvert ».
    parcours.suivre(page.get_by_role("link", name="Tableau de bord", exact=True))
    carre = page.locator("#carte svg rect.tdb-site")
    carre.first.wait_for()
    parcours.capturer("carte")
    assert (
        _chiffre(page, "sites ouverts"),
        _chiffre(page, "dont en ville ACV"),
        _chiffre(page, "sites suivis"),
        _chiffre(page, "jalons en retard"),
    ) == ("1", "1", "1", "0")
    assert carre.count() == 1
    assert carre.get_attribute("class") == "tdb-site tdb-statut-ouvert"
    assert carre.locator("title").text_content() == "Cnam — Aurillac : Ouvert"
    # Et les disques des villes ACV : Aurillac a son site ouvert, Saint-Flour a candidaté.
    villes = page.locator("#carte svg circle.tdb-ville")
    assert sorted(c.locator("title").text_content().split(" : ")[1] for c in villes.all()) == [
        "A candidaté",
        "Site ouvert",
    ]
    aurillac = page.locator("#carte svg circle.tdb-etape-site_ouvert title")
    assert aurillac.text_content().startswith("Aurillac (")
    assert parcours.violations_axe() == []
    assert parcours.erreurs_console == []
