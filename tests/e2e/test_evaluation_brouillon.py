"""Le brouillon d'une évaluation, dans un vrai navigateur : enregistré pendant la frappe, gardé
dans le navigateur quand la session expire, restauré après une nouvelle connexion."""

import time

import pytest

from acv.roles import Role
from candidatures.models import Candidature, Evaluation, Vague
from tests import factories as f

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def affectation():
    vague = f.VagueFactory(numero=1, statut=Vague.Statut.EXAMEN_JURY)
    f.CritereFactory(vague=vague, libelle="Besoins du bassin d'emploi", poids=2, ordre=1)
    f.CritereFactory(vague=vague, libelle="Partenariats", poids=1, ordre=2)
    jure = f.JureFactory(vague=vague, utilisateur=f.utilisateur(Role.JURE, username="jure-e2e"))
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN)
    return f.AffectationFactory(jure=jure, candidature=candidature)


def _attendre(condition, delai: float = 8.0) -> None:
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("condition jamais remplie")


def test_brouillon_enregistre_a_la_frappe_et_restaure_apres_expiration(parcours, affectation):
    page = parcours.page
    parcours.connecter("jure-e2e")
    parcours.aller(f"/candidatures/jury/evaluations/{affectation.pk}/")
    assert parcours.violations_axe() == []

    # Au clavier : la note du premier critère, puis le commentaire.
    page.get_by_label("4", exact=True).first.focus()
    page.keyboard.press("Space")
    page.get_by_label("Commentaire").fill("Diagnostic solide.")
    _attendre(lambda: "Brouillon enregistré" in page.inner_text("#etat-sauvegarde"))
    evaluation = Evaluation.objects.get(affectation=affectation)
    assert (evaluation.commentaire, evaluation.version) == ("Diagnostic solide.", 1)
    assert "1 critère noté sur 2" in page.inner_text("#note-courante")

    # La session expire : la saisie suivante n'atteint pas le serveur, mais rien n'est perdu.
    page.context.clear_cookies()
    page.get_by_label("Commentaire").fill("Diagnostic solide. Ajouté hors session.")
    _attendre(lambda: "session a expiré" in page.inner_text("#etat-sauvegarde"))
    assert page.locator("#lien-reconnexion").is_visible()
    assert Evaluation.objects.get(affectation=affectation).version == 1

    # Nouvelle connexion : la copie du navigateur, plus récente, est restaurée puis enregistrée.
    parcours.connecter("jure-e2e")
    parcours.aller(f"/candidatures/jury/evaluations/{affectation.pk}/")
    assert page.get_by_label("Commentaire").input_value() == (
        "Diagnostic solide. Ajouté hors session."
    )
    _attendre(
        lambda: (
            Evaluation.objects.get(affectation=affectation).commentaire
            == "Diagnostic solide. Ajouté hors session."
        )
    )
    # Seule erreur de console admise : le refus (403) de l'envoi fait hors session.
    assert all("403" in erreur for erreur in parcours.erreurs_console)
