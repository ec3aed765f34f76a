"""Qui modifie quoi : l'équipe tout, un responsable régional les sites de sa région seulement."""

import pytest
from django.urls import reverse

from sites.models import Site

from .. import factories as f
from .conftest import site_retenu


@pytest.fixture
def site_ici(db):
    """Un site du Cantal, dans la région du responsable régional (Auvergne-Rhône-Alpes)."""
    return site_retenu()


@pytest.fixture
def site_ailleurs(db, autre_region):
    moselle = f.DepartementFactory(code="57", nom="Moselle", region=autre_region)
    return site_retenu(
        commune=f.CommuneFactory(code_insee="57463", nom="Metz", departement=moselle)
    )


def _fiche(site: Site, **changements) -> dict:
    donnees = {
        "nom": site.nom,
        "adresse": site.adresse,
        "operateur": "",
        "date_ouverture_prevue": "",
        "date_ouverture": "",
        "contact_nom": site.contact_nom,
        "contact_fonction": site.contact_fonction,
        "contact_email": site.contact_email,
        "contact_telephone": site.contact_telephone,
        "version": site.version,
    }
    return donnees | changements


def test_responsable_regional_modifie_un_site_de_sa_region(
    site_ici, client_de, responsable_regional
):
    reponse = client_de(responsable_regional).post(
        reverse("site_modifier", args=[site_ici.pk]), _fiche(site_ici, adresse="3 rue du Rieu")
    )

    site_ici.refresh_from_db()
    assert (reponse.status_code, site_ici.adresse, site_ici.version) == (302, "3 rue du Rieu", 1)


def test_responsable_regional_ne_modifie_pas_un_site_d_une_autre_region(
    site_ailleurs, client_de, responsable_regional
):
    reponse = client_de(responsable_regional).post(
        reverse("site_modifier", args=[site_ailleurs.pk]),
        _fiche(site_ailleurs, adresse="1 place Saint-Louis"),
    )

    site_ailleurs.refresh_from_db()
    assert (reponse.status_code, site_ailleurs.adresse) == (403, "")


def test_responsable_regional_ne_change_pas_le_statut_d_une_autre_region(
    site_ailleurs, client_de, responsable_regional
):
    reponse = client_de(responsable_regional).post(
        reverse("site_changer_statut", args=[site_ailleurs.pk]),
        {"vers": "en_preparation", "version": site_ailleurs.version},
    )

    site_ailleurs.refresh_from_db()
    assert (reponse.status_code, site_ailleurs.statut) == (403, "planifie")


@pytest.mark.parametrize(
    "page", ["site_jalons", "site_formations", "site_inscriptions", "site_financements"]
)
def test_responsable_regional_collections_de_sa_region_seulement(
    page, site_ici, site_ailleurs, client_de, responsable_regional
):
    client = client_de(responsable_regional)

    codes = (
        client.get(reverse(page, args=[site_ici.pk])).status_code,
        client.get(reverse(page, args=[site_ailleurs.pk])).status_code,
    )

    assert codes == (200, 403)


def test_responsable_regional_lit_les_sites_des_autres_regions(
    site_ailleurs, client_de, responsable_regional
):
    reponse = client_de(responsable_regional).get(reverse("site_detail", args=[site_ailleurs.pk]))

    assert (reponse.status_code, reponse.context["modifiable"]) == (200, False)
    assert "Contact Fictif" not in reponse.content.decode()


def test_responsable_sans_region_ne_modifie_rien(site_ici, client_de):
    sans_region = f.utilisateur("responsable_regional", username="sans-region")

    reponse = client_de(sans_region).get(reverse("site_modifier", args=[site_ici.pk]))

    assert reponse.status_code == 403


def test_equipe_modifie_tous_les_sites(site_ailleurs, client_de, equipe):
    reponse = client_de(equipe).post(
        reverse("site_modifier", args=[site_ailleurs.pk]),
        _fiche(site_ailleurs, adresse="1 place Saint-Louis"),
    )

    site_ailleurs.refresh_from_db()
    assert (reponse.status_code, site_ailleurs.adresse) == (302, "1 place Saint-Louis")


def test_modifier_avec_une_version_perimee_n_ecrase_rien(site_ici, client_de, equipe):
    site_ici.changer_statut("en_preparation", par=None)

    reponse = client_de(equipe).post(
        reverse("site_modifier", args=[site_ici.pk]),
        _fiche(site_ici, adresse="Ailleurs", version=0),
    )

    site_ici.refresh_from_db()
    assert (reponse.status_code, site_ici.adresse) == (200, "")
    assert [str(m)[:39] for m in reponse.context["messages"]] == [
        "Quelqu'un d'autre a modifié cette fiche"
    ]


def test_modifier_date_d_ouverture_d_un_site_planifie_refusee(site_ici, client_de, equipe):
    reponse = client_de(equipe).post(
        reverse("site_modifier", args=[site_ici.pk]), _fiche(site_ici, date_ouverture="2021-01-01")
    )

    site_ici.refresh_from_db()
    assert (reponse.status_code, site_ici.date_ouverture) == (200, None)
    assert reponse.context["form"].errors["date_ouverture"] == [
        "Le site n'est pas ouvert : laissez ce champ vide et ouvrez-le par son statut."
    ]


def test_observateur_lit_sans_modifier(site_ici, client_de, observateur):
    client = client_de(observateur)

    codes = (
        client.get(reverse("site_detail", args=[site_ici.pk])).status_code,
        client.get(reverse("site_modifier", args=[site_ici.pk])).status_code,
    )

    assert codes == (200, 403)


def test_jure_n_a_pas_acces_aux_sites(site_ici, client_de, utilisateur_jure):
    client = client_de(utilisateur_jure)

    codes = (
        client.get(reverse("site_liste")).status_code,
        client.get(reverse("site_detail", args=[site_ici.pk])).status_code,
        client.get(reverse("tableau_de_bord")).status_code,
    )

    assert codes == (403, 403, 403)


def test_site_inconnu_404(client_de, equipe):
    reponse = client_de(equipe).get(reverse("site_modifier", args=[999]))

    assert reponse.status_code == 404


def test_modifiables_par(
    site_ici, site_ailleurs, responsable_regional, manager_autre_region, observateur, equipe
):
    assert list(Site.objects.modifiables_par(responsable_regional)) == [site_ici]
    assert list(Site.objects.modifiables_par(manager_autre_region)) == [site_ailleurs]
    assert list(Site.objects.modifiables_par(observateur)) == []
    assert Site.objects.modifiables_par(equipe).count() == 2
