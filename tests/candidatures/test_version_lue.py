"""La version lue est obligatoire : décisions, évaluations (bouton et brouillon automatique), plans.

Chaque formulaire qui écrit une fiche versionnée porte la version lue à l'ouverture de la page.
Un envoi qui ne la porte pas (champ absent, ou vide quand il ne peut pas l'être) ou qui porte
autre chose qu'un entier positif est refusé avec un message en français, sans erreur 500, et rien
n'est écrit : la ligne en base, sa version et son historique restent tels quels.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from acv.erreurs import ErreurMetier
from acv.roles import Role
from candidatures import deliberation
from candidatures.evaluations import enregistrer
from candidatures.models import Accompagnement, Candidature, Decision, Evaluation, Vague

from .. import factories as f
from ..versions_lues import ABSENTE, MAUVAISES_VERSIONS

pytestmark = pytest.mark.django_db

MAUVAISES_VERSIONS_DECISION = [p for p in MAUVAISES_VERSIONS if p.id != "vide"]


def _avec_version(donnees: dict, version) -> dict:
    return donnees if version is ABSENTE else {**donnees, "version": version}


def _messages(reponse) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in reponse.wsgi_request._messages]


# -- décisions --------------------------------------------------------------------------------
@pytest.fixture
def en_seance():
    vague = f.VagueFactory(numero=5, statut=Vague.Statut.DELIBERATION, places_prevues=1)
    return f.CandidatureFactory(
        vague=vague,
        commune=f.CommuneFactory(nom="Aurillac"),
        statut=Candidature.Statut.EN_EXAMEN,
    )


@pytest.mark.parametrize(("version", "message"), MAUVAISES_VERSIONS_DECISION)
def test_decision_sans_version_lue_refusee_sans_rien_ecrire(
    client_de, equipe, en_seance, version, message
):
    deliberation.decider(
        en_seance, resultat="retenue", motivation="Avant la séance.", version=None, par=equipe
    )
    avant = Decision.objects.get(candidature=en_seance)

    reponse = client_de(equipe).post(
        reverse("deliberation_decider", kwargs={"pk": en_seance.pk}),
        _avec_version({"resultat": "non_retenue", "motivation": "Écrasement ?"}, version),
    )

    assert reponse.status_code == 302
    assert _messages(reponse) == [("error", f"Aurillac : {message} Rien n'a été enregistré.")]
    decision = Decision.objects.get(candidature=en_seance)
    assert (decision.resultat, decision.motivation, decision.version) == (
        "retenue",
        "Avant la séance.",
        0,
    )
    assert (decision.decidee_par, decision.decidee_le) == (avant.decidee_par, avant.decidee_le)
    assert decision.history.count() == 1


@pytest.mark.parametrize(("version", "message"), MAUVAISES_VERSIONS_DECISION)
def test_premiere_decision_sans_version_lue_refusee(client_de, equipe, en_seance, version, message):
    reponse = client_de(equipe).post(
        reverse("deliberation_decider", kwargs={"pk": en_seance.pk}),
        _avec_version({"resultat": "retenue", "motivation": "Projet solide."}, version),
    )

    assert reponse.status_code == 302
    assert _messages(reponse) == [("error", f"Aurillac : {message} Rien n'a été enregistré.")]
    assert not Decision.objects.filter(candidature=en_seance).exists()


def test_decision_version_vide_veut_dire_pas_encore_de_decision(client_de, equipe, en_seance):
    """La séance envoie le champ vide quand la candidature n'avait pas de décision : c'est une
    lecture (« aucune »), pas une absence ; une décision arrivée entre-temps n'est pas écrasée."""
    url = reverse("deliberation_decider", kwargs={"pk": en_seance.pk})
    premiere = client_de(equipe).post(
        url, {"resultat": "retenue", "motivation": "La mienne.", "version": ""}
    )
    collegue = client_de(f.utilisateur(Role.EQUIPE, username="collegue"))

    seconde = collegue.post(
        url, {"resultat": "non_retenue", "motivation": "Lue avant.", "version": ""}
    )

    assert [niveau for niveau, _ in _messages(premiere)] == ["success"]
    assert [niveau for niveau, _ in _messages(seconde)] == ["error"]
    assert "Rien n'a été écrasé" in _messages(seconde)[0][1]
    decision = Decision.objects.get(candidature=en_seance)
    assert (decision.motivation, decision.version) == ("La mienne.", 0)


# -- évaluations ------------------------------------------------------------------------------
@pytest.fixture
def critere_et_affectation(utilisateur_jure):
    vague = f.VagueFactory(numero=3, statut=Vague.Statut.EXAMEN_JURY)
    critere = f.CritereFactory(vague=vague, libelle="Pertinence", note_min=0, note_max=5)
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN)
    jure = f.JureFactory(vague=vague, utilisateur=utilisateur_jure)
    return critere, f.AffectationFactory(jure=jure, candidature=candidature)


def _brouillon(affectation, critere) -> Evaluation:
    """Un brouillon déjà enregistré deux fois (version 2), avec sa note et son historique."""
    evaluation = f.EvaluationFactory(affectation=affectation, commentaire="Lu en base.", version=2)
    f.NoteFactory(evaluation=evaluation, critere=critere, valeur=3)
    return evaluation


def _etat(affectation) -> tuple:
    evaluation = Evaluation.objects.get(affectation=affectation)
    return (
        evaluation.statut,
        evaluation.commentaire,
        evaluation.avis,
        evaluation.version,
        evaluation.modifiee_le,
        list(evaluation.notes.values_list("valeur", flat=True)),
        evaluation.history.count(),
    )


@pytest.mark.parametrize("action", ["soumettre", "brouillon"])
@pytest.mark.parametrize(("version", "message"), MAUVAISES_VERSIONS)
def test_evaluation_sans_version_lue_refusee_sans_rien_ecrire(
    client_de, utilisateur_jure, critere_et_affectation, action, version, message
):
    critere, affectation = critere_et_affectation
    _brouillon(affectation, critere)
    avant = _etat(affectation)
    donnees = {
        f"critere_{critere.pk}": "5",
        "avis": "favorable",
        "commentaire": "Écrasement ?",
        "action": action,
    }

    reponse = client_de(utilisateur_jure).post(
        reverse("jury_evaluer", args=[affectation.pk]), _avec_version(donnees, version)
    )

    assert reponse.status_code == 400
    assert _messages(reponse) == [("error", f"Rien n'a été enregistré : {message}")]
    assert _etat(affectation) == avant
    # La page revient avec la saisie, mais pas avec la version en base : elle garde la valeur
    # envoyée, et un nouvel envoi depuis cette page est refusé de même ; il faut la recharger.
    page = reponse.content.decode()
    assert "Écrasement ?" in page
    envoyee = "" if version is ABSENTE else version
    assert f'<input type="hidden" name="version" value="{envoyee}">' in page


@pytest.mark.parametrize(("version", "message"), MAUVAISES_VERSIONS)
def test_premiere_evaluation_sans_version_lue_refusee(
    client_de, utilisateur_jure, critere_et_affectation, version, message
):
    critere, affectation = critere_et_affectation

    reponse = client_de(utilisateur_jure).post(
        reverse("jury_evaluer", args=[affectation.pk]),
        _avec_version({f"critere_{critere.pk}": "4", "action": "brouillon"}, version),
    )

    assert reponse.status_code == 400
    assert _messages(reponse) == [("error", f"Rien n'a été enregistré : {message}")]
    assert not Evaluation.objects.filter(affectation=affectation).exists()


@pytest.mark.parametrize(("version", "message"), MAUVAISES_VERSIONS)
def test_brouillon_automatique_sans_version_lue_400_sans_rien_ecrire(
    client_de, utilisateur_jure, critere_et_affectation, version, message
):
    critere, affectation = critere_et_affectation
    _brouillon(affectation, critere)
    avant = _etat(affectation)

    reponse = client_de(utilisateur_jure).post(
        reverse("jury_evaluation_autosave", args=[affectation.pk]),
        _avec_version({f"critere_{critere.pk}": "1", "commentaire": "Frappe"}, version),
    )

    assert reponse.status_code == 400
    assert reponse["Content-Type"] == "application/json"
    assert reponse.json() == {"ok": False, "message": message}
    assert _etat(affectation) == avant


@pytest.mark.parametrize(("version", "message"), MAUVAISES_VERSIONS)
def test_premier_brouillon_automatique_sans_version_lue_refuse(
    client_de, utilisateur_jure, critere_et_affectation, version, message
):
    critere, affectation = critere_et_affectation

    reponse = client_de(utilisateur_jure).post(
        reverse("jury_evaluation_autosave", args=[affectation.pk]),
        _avec_version({f"critere_{critere.pk}": "1"}, version),
    )

    assert (reponse.status_code, reponse.json()) == (400, {"ok": False, "message": message})
    assert not Evaluation.objects.filter(affectation=affectation).exists()


def test_premier_brouillon_automatique_porte_la_version_0(
    client_de, utilisateur_jure, critere_et_affectation
):
    """La page d'une évaluation pas encore commencée porte la version 0, que le script renvoie."""
    critere, affectation = critere_et_affectation
    client = client_de(utilisateur_jure)
    page = client.get(reverse("jury_evaluer", args=[affectation.pk])).content.decode()
    assert '<input type="hidden" name="version" value="0">' in page

    reponse = client.post(
        reverse("jury_evaluation_autosave", args=[affectation.pk]),
        {f"critere_{critere.pk}": "1", "version": "0"},
    )

    assert (reponse.status_code, reponse.json()["version"]) == (200, 1)


def test_service_enregistrer_refuse_une_evaluation_sans_version(
    utilisateur_jure, critere_et_affectation
):
    critere, affectation = critere_et_affectation
    _brouillon(affectation, critere)
    avant = _etat(affectation)

    with pytest.raises(ErreurMetier, match="La version de la fiche lue manque"):
        enregistrer(
            affectation,
            notes={critere.pk: 5},
            avis="",
            commentaire="Écrasement ?",
            version=None,
            par=utilisateur_jure,
        )
    assert _etat(affectation) == avant


# -- plans d'accompagnement -------------------------------------------------------------------
@pytest.fixture
def plan(equipe):
    vague = f.VagueFactory(numero=1, statut=Vague.Statut.RESULTATS_PUBLIES)
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.NON_RETENUE)
    plan = Accompagnement.ouvrir(candidature, conseiller=equipe, par=equipe, notes="En base.")
    Accompagnement.objects.filter(pk=plan.pk).update(version=3)
    return plan


@pytest.mark.parametrize(("version", "message"), MAUVAISES_VERSIONS)
def test_plan_sans_version_lue_refuse_sans_rien_ecrire(client_de, equipe, plan, version, message):
    autre = f.utilisateur(Role.EQUIPE, username="conseillere")

    reponse = client_de(equipe).post(
        reverse("accompagnement_modifier", args=[plan.pk]),
        _avec_version({"conseiller": autre.pk, "notes": "Écrasement ?"}, version),
    )

    assert reponse.status_code == 200
    assert reponse.context["form"].non_field_errors() == [message]
    assert message.replace("'", "&#x27;") in reponse.content.decode()
    plan = Accompagnement.objects.get(pk=plan.pk)
    assert (plan.conseiller, plan.notes, plan.version) == (equipe, "En base.", 3)
    assert plan.history.count() == 1


def test_plan_avec_la_version_lue_enregistre(client_de, equipe, plan):
    client = client_de(equipe)
    page = client.get(reverse("accompagnement_modifier", args=[plan.pk])).content.decode()
    assert 'name="version" value="3"' in page

    reponse = client.post(
        reverse("accompagnement_modifier", args=[plan.pk]),
        {"conseiller": equipe.pk, "notes": "Nouvelles notes", "version": "3"},
    )

    plan.refresh_from_db()
    assert reponse.status_code == 302
    assert (plan.notes, plan.version) == ("Nouvelles notes", 4)


def test_ouvrir_un_plan_ne_demande_pas_de_version(client_de, equipe):
    vague = f.VagueFactory(numero=1, statut=Vague.Statut.RESULTATS_PUBLIES)
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.NON_RETENUE)

    reponse = client_de(equipe).post(
        reverse("accompagnement_creer", args=[candidature.pk]),
        {"conseiller": equipe.pk, "notes": "Premier échange"},
    )

    assert reponse.status_code == 302
    assert Accompagnement.objects.get(candidature=candidature).version == 0
