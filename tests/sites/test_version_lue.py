"""La fiche et le statut d'un site : sans la version lue (ou illisible), refus en français, rien d'écrit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sites.models import Site

from ..versions_lues import ABSENTE, MAUVAISES_VERSIONS
from .conftest import site_retenu

pytestmark = pytest.mark.django_db


def _avec_version(donnees: dict, version) -> dict:
    return donnees if version is ABSENTE else {**donnees, "version": version}


def _messages(reponse) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in reponse.wsgi_request._messages]


def _etat(site: Site) -> tuple:
    site = Site.objects.get(pk=site.pk)
    return (
        site.nom,
        site.adresse,
        site.statut,
        site.contact_nom,
        site.version,
        site.modifie_le,
        site.history.count(),
    )


@pytest.mark.parametrize(("version", "message"), MAUVAISES_VERSIONS)
def test_fiche_du_site_sans_version_lue_refusee_sans_rien_ecrire(
    client_de, equipe, version, message
):
    site = site_retenu()
    avant = _etat(site)
    donnees = {"nom": "Écrasement ?", "adresse": "1 rue Ailleurs", "contact_nom": "Camille"}

    reponse = client_de(equipe).post(
        reverse("site_modifier", args=[site.pk]), _avec_version(donnees, version)
    )

    assert reponse.status_code == 200
    # L'erreur d'un champ caché passe en tête du formulaire, où le DSFR la montre.
    assert reponse.context["form"].non_field_errors() == [message]
    assert message.replace("'", "&#x27;") in reponse.content.decode()
    assert _etat(site) == avant


@pytest.mark.parametrize(("version", "message"), MAUVAISES_VERSIONS)
def test_statut_du_site_sans_version_lue_refuse_sans_rien_ecrire(
    client_de, equipe, version, message
):
    site = site_retenu()
    avant = _etat(site)

    reponse = client_de(equipe).post(
        reverse("site_changer_statut", args=[site.pk]),
        _avec_version({"vers": "en_preparation", "note": "Écrasement ?"}, version),
    )

    assert reponse.status_code == 302
    assert _messages(reponse) == [("error", message)]
    assert _etat(site) == avant


def test_statut_du_site_avec_la_version_lue_change(client_de, equipe):
    site = site_retenu()

    reponse = client_de(equipe).post(
        reverse("site_changer_statut", args=[site.pk]),
        {"vers": "en_preparation", "version": str(site.version)},
    )

    site.refresh_from_db()
    assert reponse.status_code == 302
    assert (site.statut, site.version) == ("en_preparation", 1)


def test_les_pages_portent_la_version_lue(client_de, equipe):
    site = site_retenu()
    Site.objects.filter(pk=site.pk).update(version=7)
    client = client_de(equipe)

    fiche = client.get(reverse("site_modifier", args=[site.pk])).content.decode()
    detail = client.get(reverse("site_detail", args=[site.pk])).content.decode()

    assert 'name="version" value="7"' in fiche
    assert 'name="version" value="7"' in detail
