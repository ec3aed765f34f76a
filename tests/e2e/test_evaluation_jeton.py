"""La soumission d'une évaluation et le jeton CSRF, dans un vrai navigateur.

1. Une soumission refusée (critère manquant) ne laisse derrière elle aucun envoi de la page
   quittée (balise `pagehide`) qui ferait avancer la version du brouillon : le brouillon
   s'enregistre ensuite et la soumission passe, sans conflit de version. Un brouillon en cours
   d'envoi au moment du clic est attendu, et sa version reprise par la soumission.
2. Après une nouvelle connexion dans un autre onglet (jeton CSRF renouvelé), la page restée
   ouverte demande un nouveau jeton : le brouillon s'enregistre et la soumission passe.
"""

from __future__ import annotations

import re
import threading
import time

import pytest

from acv.roles import Role
from candidatures.models import Candidature, Evaluation, Vague
from tests import factories as f

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IDENTIFIANT = "jure-jeton"


@pytest.fixture
def affectation():
    vague = f.VagueFactory(numero=1, statut=Vague.Statut.EXAMEN_JURY)
    f.CritereFactory(vague=vague, libelle="Besoins du bassin d'emploi", poids=2, ordre=1)
    f.CritereFactory(vague=vague, libelle="Partenariats", poids=1, ordre=2)
    jure = f.JureFactory(vague=vague, utilisateur=f.utilisateur(Role.JURE, username=IDENTIFIANT))
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN)
    return f.AffectationFactory(jure=jure, candidature=candidature)


@pytest.fixture
def brouillon_lent(monkeypatch):
    """Armé, le brouillon enregistré pendant la frappe répond 2 s après avoir écrit en base : le
    temps de cliquer sur « Soumettre » pendant qu'il est en route."""
    from candidatures.views import jury

    reel = jury.enregistrer
    etat = {"arme": False, "ecrit": threading.Event()}

    def lent(*args, **kwargs):
        evaluation = reel(*args, **kwargs)
        if etat["arme"] and not kwargs.get("soumettre"):
            etat["ecrit"].set()
            time.sleep(2)
        return evaluation

    monkeypatch.setattr(jury, "enregistrer", lent)
    return etat


def _attendre(condition, delai: float = 8.0) -> None:
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("condition jamais remplie")


def _evaluation(affectation) -> Evaluation | None:
    return Evaluation.objects.filter(affectation=affectation).first()


def _noter(page, critere: str, note: str) -> None:
    groupe = page.get_by_role("group", name=re.compile("^" + critere))
    groupe.get_by_text(note, exact=True).click()


def _etat(page) -> str:
    return page.inner_text("#etat-sauvegarde")


def _compter_soumissions(page, affectation) -> list:
    """Les POST vers la page d'évaluation (les soumissions du formulaire), au fil de l'eau."""
    postes = []
    cible = f"/candidatures/jury/evaluations/{affectation.pk}/"
    page.on(
        "request",
        lambda r: postes.append(r.url) if r.method == "POST" and r.url.endswith(cible) else None,
    )
    return postes


def _verifier_soumise(affectation, commentaire: str) -> None:
    evaluation = _evaluation(affectation)
    notes = dict(evaluation.notes.values_list("critere__libelle", "valeur"))
    assert (evaluation.statut, evaluation.avis, evaluation.commentaire) == (
        Evaluation.Statut.SOUMISE,
        "favorable",
        commentaire,
    )
    assert notes == {"Besoins du bassin d'emploi": 4, "Partenariats": 3}


def _connecter_dans_un_autre_onglet(parcours) -> None:
    """Une nouvelle connexion dans un autre onglet du même navigateur : nouvelle session, nouveau
    jeton CSRF (celui de la page restée ouverte ne vaut plus)."""
    onglet = parcours.page.context.new_page()
    onglet.goto(parcours.base + "/connexion/")
    onglet.fill("#id_username", IDENTIFIANT)
    onglet.fill("#id_password", "mot-de-passe-de-test")
    with onglet.expect_navigation():
        onglet.click("main button[type=submit]")
    assert "/connexion/" not in onglet.url
    onglet.close()


def _faire_expirer_la_session(page, affectation) -> None:
    """La session expire (cookies effacés) : la saisie suivante n'atteint pas le serveur."""
    version = _evaluation(affectation).version
    page.context.clear_cookies()
    page.get_by_label("Commentaire").fill("Écrit pendant que la session avait expiré.")
    _attendre(lambda: "session a expiré" in _etat(page))
    assert page.locator("#lien-reconnexion").is_visible()
    assert _evaluation(affectation).version == version


# ---------------------------------------------------------------------------------------------
# 1. La version du brouillon après une soumission
# ---------------------------------------------------------------------------------------------
def test_soumission_refusee_puis_brouillon_et_soumission_sans_conflit(parcours, affectation):
    page = parcours.page
    soumissions = _compter_soumissions(page, affectation)
    parcours.connecter(IDENTIFIANT)
    parcours.aller(f"/candidatures/jury/evaluations/{affectation.pk}/")

    # Un critère noté, et « Soumettre » aussitôt (avant l'envoi du brouillon), l'autre manquant.
    _noter(page, "Besoins", "4")
    parcours.suivre(page.get_by_role("button", name="Soumettre"))
    assert "il manque : Partenariats" in page.inner_text("main")
    assert (
        page.get_by_role("group", name=re.compile("^Besoins"))
        .get_by_label("4", exact=True)
        .is_checked()
    )

    # La saisie gardée dans le navigateur s'enregistre (version 1), puis la suivante (version 2) :
    # aucun envoi de la page quittée n'a fait avancer la version dans son dos.
    _attendre(lambda: "Brouillon enregistré à" in _etat(page))
    assert _evaluation(affectation).version == 1
    page.get_by_label("Commentaire").fill("Bon diagnostic.")
    _attendre(lambda: _evaluation(affectation).commentaire == "Bon diagnostic.")
    _attendre(lambda: "Brouillon enregistré à" in _etat(page))
    assert _evaluation(affectation).version == 2

    # Tout est noté ; double clic sur « Soumettre » avant la fin du délai : une seule soumission.
    _noter(page, "Partenariats", "3")
    page.get_by_role("group", name="Avis").get_by_text("Favorable", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Soumettre").dblclick()
    parcours.capturer()
    assert "soumise" in page.inner_text("main")
    _verifier_soumise(affectation, "Bon diagnostic.")
    assert len(soumissions) == 2
    assert not [e for e in parcours.erreurs_console if "409" in e]


def test_soumission_pendant_l_envoi_d_un_brouillon(parcours, affectation, brouillon_lent):
    page = parcours.page
    soumissions = _compter_soumissions(page, affectation)
    parcours.connecter(IDENTIFIANT)
    parcours.aller(f"/candidatures/jury/evaluations/{affectation.pk}/")
    _noter(page, "Besoins", "4")
    _noter(page, "Partenariats", "3")
    page.get_by_role("group", name="Avis").get_by_text("Favorable", exact=True).click()
    page.get_by_label("Commentaire").fill("Premier jet.")
    _attendre(lambda: "Brouillon enregistré à" in _etat(page))
    assert _evaluation(affectation).version == 1

    # Le brouillon suivant est écrit (version 2) mais sa réponse tarde : « Soumettre » l'attend,
    # boutons désactivés, puis part avec la version 2.
    brouillon_lent["arme"] = True
    page.get_by_label("Commentaire").fill("Version finale.")
    assert brouillon_lent["ecrit"].wait(8)
    with page.expect_navigation(timeout=15_000):
        page.get_by_role("button", name="Soumettre").click()
        assert page.get_by_role("button", name="Soumettre").is_disabled()
        assert page.get_by_role("button", name="Enregistrer le brouillon").is_disabled()
    parcours.capturer()
    assert "soumise" in page.inner_text("main")
    _verifier_soumise(affectation, "Version finale.")
    assert _evaluation(affectation).version == 3
    assert len(soumissions) == 1


# ---------------------------------------------------------------------------------------------
# 2. Un jeton CSRF renouvelé par une connexion dans un autre onglet
# ---------------------------------------------------------------------------------------------
def test_brouillon_enregistre_apres_reconnexion_dans_un_autre_onglet(parcours, affectation):
    page = parcours.page
    parcours.connecter(IDENTIFIANT)
    parcours.aller(f"/candidatures/jury/evaluations/{affectation.pk}/")
    _noter(page, "Besoins", "4")
    _attendre(lambda: "Brouillon enregistré à" in _etat(page))
    _faire_expirer_la_session(page, affectation)

    _connecter_dans_un_autre_onglet(parcours)

    # La page restée ouverte : son jeton est refusé, elle en demande un nouveau et réessaie.
    page.get_by_label("Commentaire").fill("Écrit après la reconnexion.")
    _attendre(lambda: _evaluation(affectation).commentaire == "Écrit après la reconnexion.")
    _attendre(lambda: "Brouillon enregistré à" in _etat(page))
    assert not page.locator("#lien-reconnexion").is_visible()
    jeton = page.locator("#form-evaluation input[name=csrfmiddlewaretoken]").input_value()

    # « Soumettre » part avec le nouveau jeton.
    _noter(page, "Partenariats", "3")
    page.get_by_role("group", name="Avis").get_by_text("Favorable", exact=True).click()
    parcours.suivre(page.get_by_role("button", name="Soumettre"))
    assert "soumise" in page.inner_text("main")
    _verifier_soumise(affectation, "Écrit après la reconnexion.")
    assert jeton
    # Seules erreurs de console admises : les refus (403) des envois au jeton périmé.
    assert all("403" in erreur for erreur in parcours.erreurs_console)


def test_soumettre_directement_apres_reconnexion_dans_un_autre_onglet(parcours, affectation):
    page = parcours.page
    parcours.connecter(IDENTIFIANT)
    parcours.aller(f"/candidatures/jury/evaluations/{affectation.pk}/")
    _noter(page, "Besoins", "4")
    _noter(page, "Partenariats", "3")
    page.get_by_role("group", name="Avis").get_by_text("Favorable", exact=True).click()
    _attendre(lambda: "Brouillon enregistré à" in _etat(page))
    _faire_expirer_la_session(page, affectation)

    _connecter_dans_un_autre_onglet(parcours)

    # Sans autre saisie, « Soumettre » : le jeton de la page est renouvelé avant l'envoi, et la
    # saisie faite hors session part avec la soumission.
    parcours.suivre(page.get_by_role("button", name="Soumettre"))
    assert "soumise" in page.inner_text("main")
    assert "CSRF" not in page.inner_text("body")
    _verifier_soumise(affectation, "Écrit pendant que la session avait expiré.")
    assert all("403" in erreur for erreur in parcours.erreurs_console)


def test_jeton_perime_sans_le_savoir_la_page_en_francais_puis_le_retour(parcours, affectation):
    """Le jeton a changé sans qu'aucun brouillon ne s'en aperçoive : « Soumettre » reçoit la page
    en français ; son lien ramène à la page d'évaluation, où la saisie est restaurée."""
    page = parcours.page
    parcours.connecter(IDENTIFIANT)
    parcours.aller(f"/candidatures/jury/evaluations/{affectation.pk}/")
    _noter(page, "Besoins", "4")
    _attendre(lambda: "Brouillon enregistré à" in _etat(page))

    page.context.clear_cookies()
    _connecter_dans_un_autre_onglet(parcours)
    page.get_by_label("Commentaire").fill("Saisie envoyée avec un jeton périmé.")
    parcours.suivre(page.get_by_role("button", name="Soumettre"))
    assert page.get_by_role("heading", level=1).inner_text() == "Le formulaire a expiré"
    assert "Votre saisie est gardée dans ce navigateur" in page.inner_text("main")
    assert "CSRF" not in page.inner_text("body")
    assert parcours.violations_axe() == []

    parcours.suivre(page.get_by_role("link", name="Revenir à la page et la recharger"))
    assert page.get_by_label("Commentaire").input_value() == "Saisie envoyée avec un jeton périmé."
    _attendre(
        lambda: _evaluation(affectation).commentaire == "Saisie envoyée avec un jeton périmé."
    )
    assert _evaluation(affectation).version == 2
    assert all("403" in erreur for erreur in parcours.erreurs_console)
