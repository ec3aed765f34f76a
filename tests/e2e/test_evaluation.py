"""(a) Un juré ouvre une candidature qui lui est affectée et sa pièce, la note, s'en va, revient au
brouillon (restauré), soumet, et seulement alors voit les autres évaluations ; à la souris, puis
au clavier seul (Tab, Espace, Entrée, flèches : aucun clic)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from candidatures.evaluations import enregistrer
from candidatures.models import Affectation, Candidature, Evaluation, Jure
from tests import factories as f

from .jeux import piece_pdf, vague_en_examen

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COMMENTAIRE_AUTRE = "Projet solide, partenaires engagés (avis d'un autre juré)."


@dataclass
class Jeu:
    affectation: Affectation
    candidature: Candidature
    autre: Jure
    criteres: list


@pytest.fixture
def jeu():
    """Aurillac, affectée au juré du Cnam et à celui de Villes de France, qui a déjà soumis ;
    Saint-Flour, affectée à un autre juré seulement (invisible pour le nôtre)."""
    vague, criteres, jures, (aurillac, saint_flour) = vague_en_examen(
        communes=[("15014", "Aurillac"), ("15187", "Saint-Flour")]
    )
    moi, acv, autre = jures
    piece_pdf(aurillac, "dossier-aurillac.pdf", "Dossier de candidature : Aurillac")
    affectation = f.AffectationFactory(jure=moi, candidature=aurillac)
    deja = f.AffectationFactory(jure=autre, candidature=aurillac)
    f.AffectationFactory(jure=acv, candidature=saint_flour)
    enregistrer(
        deja,
        notes={criteres[0].pk: 3, criteres[1].pk: 2},
        avis="reserves",
        commentaire=COMMENTAIRE_AUTRE,
        version=0,  # premier brouillon
        par=autre.utilisateur,
        soumettre=True,
    )
    return Jeu(affectation, aurillac, autre, criteres)


def _verifier_soumise(jeu: Jeu) -> None:
    evaluation = Evaluation.objects.get(affectation=jeu.affectation)
    notes = dict(evaluation.notes.values_list("critere__libelle", "valeur"))
    assert (evaluation.statut, evaluation.avis, evaluation.commentaire) == (
        "soumise",
        "favorable",
        "Un projet ancré dans le centre-ville.",
    )
    assert notes == {"Qualité du projet": 4, "Partenariats locaux": 3}
    # (2 × 4/5 + 1 × 3/5) / 3 × 20 = 14,67
    assert f"{evaluation.note_sur_20:.2f}" == "14.67"


def _autres_cachees(page) -> None:
    autres = page.get_by_role("region", name="Les évaluations des autres jurés")
    assert "Vous les verrez une fois votre propre évaluation soumise." in autres.inner_text()
    assert page.get_by_text(COMMENTAIRE_AUTRE).count() == 0


def _autres_visibles(page, jeu: Jeu) -> None:
    autres = page.get_by_role("region", name="Les évaluations des autres jurés")
    assert page.get_by_text(COMMENTAIRE_AUTRE).is_visible()
    assert jeu.autre.organisation.nom in autres.inner_text()


def _brouillon_restaure(page) -> None:
    qualite = page.get_by_role("group", name=re.compile("^Qualité du projet"))
    partenariats = page.get_by_role("group", name=re.compile("^Partenariats locaux"))
    assert qualite.get_by_label("4", exact=True).is_checked()
    assert partenariats.get_by_label("3", exact=True).is_checked()
    assert page.get_by_label("Favorable", exact=True).is_checked()
    assert page.get_by_label("Commentaire").input_value() == "Un projet ancré dans le centre-ville."
    assert page.locator("#note-courante").inner_text() == "14,7 / 20"


def _attendre_brouillon(page) -> None:
    etat = page.locator("#etat-sauvegarde")
    etat.filter(has_text=re.compile(r"^Brouillon enregistré à")).wait_for()


def _verifier_piece(parcours, nouvelle) -> None:
    """La pièce s'ouvre dans un nouvel onglet, en PDF, en ligne (aperçu)."""
    nouvelle.wait_for_load_state()
    assert re.search(r"/candidatures/pieces/\d+/\?apercu=1$", nouvelle.url)
    reponse = parcours.page.request.get(nouvelle.url)
    assert reponse.status == 200
    assert reponse.headers["content-type"] == "application/pdf"
    assert reponse.headers["content-disposition"].startswith("inline;")
    assert reponse.body().startswith(b"%PDF-")
    nouvelle.close()


# ---------------------------------------------------------------------------------------------
# À la souris
# ---------------------------------------------------------------------------------------------
def test_jure_evalue_a_la_souris(parcours, jeu):
    page = parcours.page
    parcours.connecter(jeu.affectation.jure.utilisateur.username)

    # Ses évaluations : Aurillac seulement.
    parcours.suivre(page.get_by_role("link", name="Mes évaluations").last)
    tableau = page.get_by_role("table", name=re.compile("^Candidatures à évaluer"))
    assert [t.split()[0] for t in tableau.get_by_role("rowheader").all_inner_texts()] == [
        "Aurillac"
    ]
    assert parcours.violations_axe() == []
    parcours.suivre(page.get_by_role("link", name="Évaluer Aurillac"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Aurillac")
    _autres_cachees(page)
    assert parcours.violations_axe() == []

    # La pièce, en aperçu dans un nouvel onglet.
    with page.context.expect_page() as onglet:
        page.get_by_role("link", name="aperçu de dossier-aurillac.pdf (nouvelle fenêtre)").click()
    _verifier_piece(parcours, onglet.value)

    # La note, enregistrée en brouillon pendant la saisie.
    page.get_by_role("group", name=re.compile("^Qualité du projet")).get_by_text(
        "4", exact=True
    ).click()
    page.get_by_role("group", name=re.compile("^Partenariats locaux")).get_by_text(
        "3", exact=True
    ).click()
    page.get_by_role("group", name="Avis").get_by_text("Favorable", exact=True).click()
    page.get_by_label("Commentaire").fill("Un projet ancré dans le centre-ville.")
    _attendre_brouillon(page)
    parcours.capturer("brouillon enregistré")
    assert Evaluation.objects.get(affectation=jeu.affectation).statut == "brouillon"

    # Il s'en va, puis revient : le brouillon est là.
    parcours.aller("/")
    parcours.suivre(page.get_by_role("link", name="Mes évaluations").last)
    assert (
        page.get_by_role("row", name=re.compile("Aurillac")).get_by_text("Brouillon").is_visible()
    )
    parcours.suivre(page.get_by_role("link", name="Reprendre Aurillac"))
    _brouillon_restaure(page)
    _autres_cachees(page)

    # Il soumet : l'évaluation est figée, et les autres apparaissent.
    parcours.suivre(page.get_by_role("button", name="Soumettre"))
    assert page.get_by_text("Évaluation de Aurillac soumise.").is_visible()
    _autres_visibles(page, jeu)
    assert page.get_by_role("button", name="Soumettre").count() == 0
    assert parcours.violations_axe() == []
    _verifier_soumise(jeu)
    assert parcours.erreurs_console == []


# ---------------------------------------------------------------------------------------------
# Au clavier seul
# ---------------------------------------------------------------------------------------------
FOCUS = """() => {
  const el = document.activeElement;
  if (!el) return {};
  const etiquette = el.labels && el.labels.length ? el.labels[0].innerText : "";
  return {tag: el.tagName.toLowerCase(), type: el.type || "", name: el.name || "",
          value: el.value || "", texte: (el.innerText || "").replace(/\\s+/g, " ").trim(),
          etiquette: etiquette.trim(), checked: !!el.checked};
}"""


class Clavier:
    def __init__(self, parcours) -> None:
        self.parcours = parcours
        self.page = parcours.page

    def focus(self) -> dict:
        return self.page.evaluate(FOCUS)

    def tabuler_vers(self, accepte, maximum: int = 150) -> dict:
        """Tab jusqu'à l'élément que `accepte(focus)` reconnaît (échoue après `maximum`)."""
        for _ in range(maximum):
            self.page.keyboard.press("Tab")
            focus = self.focus()
            if accepte(focus):
                return focus
        raise AssertionError(f"Aucun élément atteint au clavier ; dernier : {self.focus()}")

    def lien(self, texte: str) -> dict:
        return self.tabuler_vers(lambda f: f["tag"] == "a" and f["texte"] == texte)

    def entrer(self) -> None:
        """Entrée sur l'élément focalisé, qui mène à une autre page."""
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        self.parcours.capturer()


def test_jure_evalue_au_clavier_seul(parcours, jeu):
    page = parcours.page
    clavier = Clavier(parcours)
    jure = jeu.affectation.jure.utilisateur

    # Connexion : le premier champ du formulaire, le mot de passe, Entrée.
    parcours.aller("/connexion/")
    clavier.tabuler_vers(lambda f: f["name"] == "username")
    page.keyboard.type(jure.username)
    page.keyboard.press("Tab")
    assert clavier.focus()["name"] == "password"
    page.keyboard.type("mot-de-passe-de-test")
    clavier.entrer()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Bonjour")

    # Ses évaluations, puis Aurillac.
    clavier.lien("Mes évaluations")
    clavier.entrer()
    clavier.lien("Évaluer Aurillac")
    clavier.entrer()
    _autres_cachees(page)

    # La pièce : Entrée sur le lien d'aperçu ouvre un nouvel onglet.
    clavier.tabuler_vers(lambda f: f["tag"] == "a" and f["texte"].startswith("aperçu"))
    with page.context.expect_page() as onglet:
        page.keyboard.press("Enter")
    _verifier_piece(parcours, onglet.value)
    page.bring_to_front()

    # La grille : Tab entre dans chaque groupe de boutons radio, les flèches choisissent la note.
    premier = clavier.tabuler_vers(lambda f: f["type"] == "radio")
    critere_1 = premier["name"]
    assert premier["value"] == "0"
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    focus = clavier.focus()
    assert (focus["name"], focus["value"], focus["checked"]) == (critere_1, "4", True)
    page.keyboard.press("Tab")
    second = clavier.focus()
    assert (second["type"], second["value"]) == ("radio", "0")
    assert second["name"] != critere_1
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert (clavier.focus()["value"], clavier.focus()["checked"]) == ("3", True)
    # L'avis : Tab sur le premier (« Favorable »), Espace le coche.
    page.keyboard.press("Tab")
    assert clavier.focus()["etiquette"] == "Favorable"
    page.keyboard.press("Space")
    assert clavier.focus()["checked"]
    page.keyboard.press("Tab")
    assert clavier.focus()["name"] == "commentaire"
    page.keyboard.type("Un projet ancré dans le centre-ville.")
    _attendre_brouillon(page)
    parcours.capturer("brouillon enregistré")

    # Il s'en va (l'adresse de l'accueil, tapée), puis revient au brouillon, toujours au clavier.
    parcours.aller("/")
    clavier.lien("Mes évaluations")
    clavier.entrer()
    clavier.lien("Reprendre Aurillac")
    clavier.entrer()
    _brouillon_restaure(page)
    _autres_cachees(page)

    # Soumettre : Tab jusqu'au bouton, Entrée.
    clavier.tabuler_vers(lambda f: f["tag"] == "button" and f["texte"] == "Soumettre")
    clavier.entrer()
    assert page.get_by_text("Évaluation de Aurillac soumise.").is_visible()
    _autres_visibles(page, jeu)
    _verifier_soumise(jeu)
    assert parcours.erreurs_console == []
