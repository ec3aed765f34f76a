"""Tests dans un vrai Chromium (celui de Debian), piloté par Playwright, contre `live_server`.

Sans Chromium, ils sont ignorés avec la commande pour l'installer ; en CI (`CI=true`), ils ne
peuvent pas l'être : l'absence de Chromium est une erreur.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = Path(__file__).resolve().parents[2] / "artefacts" / "captures"
EN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(config, items):
    manque = []
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        manque.append("Chromium (sudo apt-get install chromium)")
    if not AXE.exists():
        manque.append("axe-core (npm ci, à la racine du projet)")
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if manque:
                if EN_CI:
                    raise pytest.UsageError(
                        "En CI, les tests du navigateur ne peuvent pas être ignorés ; il manque : "
                        + ", ".join(manque)
                    )
                item.add_marker(
                    pytest.mark.skip(
                        reason="Il manque "
                        + " et ".join(manque)
                        + " pour les tests dans le navigateur."
                    )
                )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "fr-FR",
        "timezone_id": "Europe/Paris",
        "viewport": {"width": 1366, "height": 768},
    }


class Parcours:
    """Une page Playwright qui garde une capture de chaque page visitée et vérifie l'accessibilité."""

    def __init__(self, page, live_server, nom: str) -> None:
        self.page = page
        self.base = live_server.url
        self.dossier = ARTEFACTS / nom
        self.dossier.mkdir(parents=True, exist_ok=True)
        self.numero = 0
        page.set_default_timeout(10_000)
        self.erreurs_console: list[str] = []
        # Chaque erreur de la console (ou exception non rattrapée), précédée de l'adresse de la page.
        page.on(
            "console",
            lambda m: (
                self.erreurs_console.append(f"{page.url} : {m.text}") if m.type == "error" else None
            ),
        )
        page.on("pageerror", lambda e: self.erreurs_console.append(f"{page.url} : {e}"))

    def aller(self, chemin: str):
        reponse = self.page.goto(self.base + chemin)
        self.capturer()
        return reponse

    def suivre(self, cible, touche: str | None = None):
        """Clique sur `cible` (ou y presse `touche`), attend la page suivante et la capture."""
        with self.page.expect_navigation():
            if touche:
                cible.press(touche)
            else:
                cible.click()
        self.capturer()
        return self.page

    def capturer(self, etiquette: str = "") -> Path:
        self.numero += 1
        texte = (etiquette or self.page.title()).replace("œ", "oe")
        texte = unicodedata.normalize("NFKD", texte)
        texte = texte.encode("ascii", "ignore").decode().lower()
        titre = re.sub(r"[^a-z0-9]+", "-", texte).strip("-")[:60]
        chemin = self.dossier / f"{self.numero:02d}-{titre or 'page'}.png"
        # caret="initial" : sinon Playwright injecte un <style> pour masquer le curseur, que la
        # CSP de la page refuse (une fausse erreur dans la console).
        self.page.screenshot(path=str(chemin), full_page=True, caret="initial")
        return chemin

    def connecter(self, identifiant: str, mot_de_passe: str = "mot-de-passe-de-test") -> None:
        self.aller("/connexion/")
        self.page.fill("#id_username", identifiant)
        self.page.fill("#id_password", mot_de_passe)
        self.page.click("main button[type=submit]")
        self.page.wait_for_load_state()
        self.capturer()

    def violations_axe(self) -> list[dict]:
        """Les violations « serious » ou « critical » des règles WCAG 2.1 A/AA sur la page courante."""
        # Évalué par le protocole DevTools : la CSP de la page (sans script en ligne) reste en vigueur.
        self.page.evaluate(AXE.read_text(encoding="utf-8"))
        resultat = self.page.evaluate(
            "async (t) => await axe.run(document, {runOnly: {type: 'tag', values: t}})",
            ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"],
        )
        return [
            {
                "regle": v["id"],
                "impact": v["impact"],
                "cibles": [n["target"] for n in v["nodes"]][:5],
            }
            for v in resultat["violations"]
            if v["impact"] in ("serious", "critical")
        ]


@pytest.fixture
def parcours(page, live_server, request):
    return Parcours(page, live_server, request.node.name)
