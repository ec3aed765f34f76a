"""(d) Un responsable régional modifie les sites de sa région, pas ceux d'une autre."""

import pytest

from acv.roles import Role
from tests import factories as f

from .jeux import auvergne, commune_de_moselle, commune_du_cantal, site_depuis_retenue

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def deux_sites():
    f.utilisateur(Role.RESPONSABLE_REGIONAL, username="resp-ara", region=auvergne())
    ici = site_depuis_retenue(commune_du_cantal("15014", "Aurillac"))
    ailleurs = site_depuis_retenue(commune_de_moselle("57463", "Metz"))
    return ici, ailleurs


def test_responsable_regional_ne_modifie_que_les_sites_de_sa_region(parcours, deux_sites):
    ici, ailleurs = deux_sites
    page = parcours.page
    parcours.connecter("resp-ara")

    # La liste des sites lui montre les deux, lisibles.
    parcours.suivre(page.get_by_role("link", name="Sites", exact=True).first)
    assert page.get_by_role("link", name=ailleurs.nom).is_visible()
    assert parcours.violations_axe() == []

    # Le site d'une autre région : lisible, sans bouton de modification ni de statut.
    parcours.suivre(page.get_by_role("link", name=ailleurs.nom))
    assert page.get_by_role("heading", level=1).inner_text().startswith(ailleurs.nom)
    assert page.get_by_role("link", name="Modifier la fiche").count() == 0
    assert page.get_by_role("button", name="Enregistrer le statut").count() == 0
    assert page.get_by_role("link", name="Modifier ou ajouter des jalons").count() == 0

    # Et l'adresse de modification, tapée à la main, est refusée (403), rien n'est écrit.
    reponse = parcours.aller(f"/sites/{ailleurs.pk}/modifier/")
    assert reponse.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Accès refusé"
    assert page.get_by_text("Vous ne pouvez modifier que les sites de votre région.").is_visible()
    assert parcours.violations_axe() == []
    reponse = parcours.aller(f"/sites/{ailleurs.pk}/jalons/")
    assert reponse.status == 403

    # Son propre site : il le modifie.
    parcours.aller(f"/sites/{ici.pk}/")
    parcours.suivre(page.get_by_role("link", name="Modifier la fiche"))
    page.get_by_label("Adresse").fill("3 rue du Rieu, 15000 Aurillac")
    parcours.suivre(page.get_by_role("button", name="Enregistrer"))
    assert page.url == f"{parcours.base}/sites/{ici.pk}/"
    assert page.get_by_text("La fiche du site est enregistrée.").is_visible()
    assert page.locator("dd", has_text="3 rue du Rieu").is_visible()

    ici.refresh_from_db()
    ailleurs.refresh_from_db()
    assert (ici.adresse, ici.version) == ("3 rue du Rieu, 15000 Aurillac", 1)
    assert (ailleurs.adresse, ailleurs.version) == ("", 0)
    # Seules erreurs de la console : les deux réponses 403 voulues.
    assert [e.split(" : ", 1)[1] for e in parcours.erreurs_console] == [
        "Failed to load resource: the server responded with a status of 403 (Forbidden)"
    ] * 2
