"""axe-core sur les pages principales : aucune violation « serious » ou « critical » (WCAG 2.1 AA)."""

import json
from pathlib import Path

import pytest

from acv.roles import Role
from tests import factories as f

RACINE = Path(__file__).resolve().parents[2]

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


def test_declaration_accessibilite_dit_ce_qui_est_teste(parcours):
    """La déclaration suit le modèle RGAA et nomme la version d'axe-core réellement épinglée."""
    axe = json.loads((RACINE / "package.json").read_text())["devDependencies"]["axe-core"]
    parcours.aller("/")  # non connecté : la page de connexion, avec le lien du pied de page
    page = parcours.page
    parcours.suivre(page.get_by_role("link", name="Accessibilité : partiellement conforme"))

    titres = page.get_by_role("heading", level=2).all_inner_texts()
    assert titres == [
        "État de conformité",
        "Ce qui a été testé, et comment",
        "Contenus non accessibles",
        "Technologies utilisées pour la réalisation de l'application",
        "Environnement de test",
        "Retour d'information et contact",
        "Voies de recours",
    ]
    texte = page.locator("main").inner_text()
    assert f"axe-core, version {axe}" in texte
    assert "partiellement conforme" in texte
    assert "Défenseur des droits" in texte


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
