"""axe-core sur les pages principales : aucune violation « serious » ou « critical » (WCAG 2.1 AA)."""

import pytest

from acv.roles import Role
from tests import factories as f

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_page_de_connexion_accessible(parcours):
    parcours.aller("/connexion/")

    assert parcours.violations_axe() == []


def test_accueil_de_chaque_role_accessible(parcours):
    for role in Role:
        f.utilisateur(role, username=f"e2e-{role.value}")
    for role in Role:
        parcours.page.context.clear_cookies()
        parcours.connecter(f"e2e-{role.value}")

        assert parcours.page.locator("h1").inner_text().startswith("Bonjour")
        assert parcours.violations_axe() == [], role


def test_declaration_accessibilite_accessible(parcours):
    parcours.aller("/accessibilite/")

    assert parcours.violations_axe() == []
    assert parcours.erreurs_console == []


def test_connexion_au_clavier_seul(parcours):
    f.utilisateur(Role.JURE, username="clavier")
    parcours.aller("/connexion/")
    page = parcours.page

    page.focus("#id_username")
    page.keyboard.type("clavier")
    page.keyboard.press("Tab")
    page.keyboard.type("mot-de-passe-de-test")
    page.keyboard.press("Enter")
    page.wait_for_url(parcours.base + "/")

    assert page.locator("h1").inner_text() == "Bonjour Prénom"
