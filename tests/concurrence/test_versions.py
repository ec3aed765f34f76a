"""Deux écrivains au même instant, à travers les vues, sur PostgreSQL.

Décisions, évaluations, statut et fiche d'un site, plans d'accompagnement portent un numéro de
version vérifié à l'enregistrement (`acv.erreurs.enregistrer_avec_version`). Chaque test lance deux
clients, chacun dans son fil (donc sa connexion), qui envoient au même instant un formulaire
ouvert sur la même version : l'un est enregistré, l'autre est prévenu (message d'erreur en
français, ou 409 pour le brouillon automatique) et la fiche garde exactement les données du
premier, sans mélange.

Les services des décisions sont déjà éprouvés de la même façon dans
`tests/candidatures/test_deliberation.py` ; ici, ce sont les vues.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from acv.erreurs import ConflitDeVersion
from acv.roles import Role
from candidatures.models import Accompagnement, Candidature, Decision, Evaluation, Vague
from sites.forms import SiteForm
from sites.models import Site
from sites.services import ouvrir_site
from tests import factories as f

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="deux écrivains simultanés demandent de vraies transactions concurrentes "
        "(PostgreSQL) ; SQLite verrouille toute la base",
    ),
    pytest.mark.django_db(transaction=True),
]

MESSAGE_CONFLIT = str(ConflitDeVersion())


def _messages(reponse) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in reponse.wsgi_request._messages]


def _en_meme_temps(*envois):
    """Chaque envoi (utilisateur, adresse, données) part de son fil, au même instant.

    Renvoie, dans l'ordre des envois, (code HTTP, messages, réponse).
    """
    depart = threading.Barrier(len(envois))
    resultats: list = [None] * len(envois)

    def lancer(i, user, url, donnees):
        try:
            client = Client()
            client.force_login(user)
            depart.wait(timeout=10)
            reponse = client.post(url, donnees)
            resultats[i] = (reponse.status_code, _messages(reponse), reponse)
        except Exception as erreur:  # rapporté au fil principal
            resultats[i] = erreur
        finally:
            connection.close()

    fils = [threading.Thread(target=lancer, args=(i, *envoi)) for i, envoi in enumerate(envois)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=60)
    for resultat in resultats:
        if isinstance(resultat, Exception):
            raise resultat
    return resultats


def _gagnant(resultats, est_succes) -> int:
    """L'indice de l'envoi enregistré ; vérifie qu'il y en a exactement un."""
    gagnants = [i for i, r in enumerate(resultats) if est_succes(r)]
    assert len(gagnants) == 1, resultats
    return gagnants[0]


def _succes(resultat) -> bool:
    return any(niveau == "success" for niveau, _ in resultat[1])


def _prevenu(resultat) -> bool:
    return any(niveau == "error" and "modifié" in texte for niveau, texte in resultat[1])


# -- décisions --------------------------------------------------------------------------------
def test_decision_deux_membres_de_l_equipe_en_seance_le_second_est_prevenu():
    equipe = f.utilisateur(Role.EQUIPE, username="equipe-1")
    collegue = f.utilisateur(Role.EQUIPE, username="equipe-2")
    vague = f.VagueFactory(numero=5, statut=Vague.Statut.DELIBERATION, places_prevues=1)
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN)
    premiere = Client()
    premiere.force_login(equipe)
    url = reverse("deliberation_decider", kwargs={"pk": candidature.pk})
    premiere.post(url, {"resultat": "retenue", "motivation": "Avant la séance.", "version": ""})
    assert Decision.objects.get(candidature=candidature).version == 0
    envois = [
        (equipe, url, {"resultat": "retenue", "motivation": "Projet solide.", "version": 0}),
        (collegue, url, {"resultat": "non_retenue", "motivation": "Trop tôt.", "version": 0}),
    ]

    resultats = _en_meme_temps(*envois)

    gagnant = _gagnant(resultats, _succes)
    perdant = resultats[1 - gagnant]
    decision = Decision.objects.get(candidature=candidature)
    attendu = envois[gagnant][2]
    assert [code for code, *_ in resultats] == [302, 302]
    assert _prevenu(perdant), perdant[1]
    assert (decision.resultat, decision.motivation, decision.version) == (
        attendu["resultat"],
        attendu["motivation"],
        1,
    )
    assert decision.decidee_par == envois[gagnant][0]
    assert decision.history.count() == 2


# -- évaluations ------------------------------------------------------------------------------
def _affectation_du_jure():
    jure_user = f.utilisateur(Role.JURE, username="jure-1")
    vague = f.VagueFactory(numero=6, statut=Vague.Statut.EXAMEN_JURY)
    critere = f.CritereFactory(vague=vague, libelle="Pertinence", note_min=0, note_max=5)
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN)
    affectation = f.AffectationFactory(
        jure=f.JureFactory(vague=vague, utilisateur=jure_user), candidature=candidature
    )
    return jure_user, affectation, critere


def test_evaluation_deux_onglets_soumettent_le_second_est_prevenu():
    jure_user, affectation, critere = _affectation_du_jure()
    url = reverse("jury_evaluer", kwargs={"pk": affectation.pk})
    champ = f"critere_{critere.pk}"
    envois = [
        (
            jure_user,
            url,
            {champ: "4", "avis": "favorable", "commentaire": "Onglet 1", "version": 0},
        ),
        (
            jure_user,
            url,
            {champ: "1", "avis": "defavorable", "commentaire": "Onglet 2", "version": 0},
        ),
    ]

    resultats = _en_meme_temps(*envois)

    gagnant = _gagnant(resultats, _succes)
    perdant = resultats[1 - gagnant]
    evaluation = Evaluation.objects.get(affectation=affectation)
    attendu = envois[gagnant][2]
    assert (resultats[gagnant][0], perdant[0]) == (302, 400)
    assert [niveau for niveau, _ in perdant[1]] == ["error"]
    assert "rechargez la page" in perdant[1][0][1]
    assert (evaluation.commentaire, evaluation.avis, evaluation.version) == (
        attendu["commentaire"],
        attendu["avis"],
        1,
    )
    assert list(evaluation.notes.values_list("valeur", flat=True)) == [int(attendu[champ])]


@pytest.mark.parametrize("brouillon", [False, True], ids=["sans brouillon", "avec brouillon"])
def test_evaluation_double_clic_sur_soumettre_une_seule_soumission_sans_alarme(brouillon):
    """Le même envoi parti deux fois (double clic) : une soumission, et le second envoi dit
    qu'elle est déjà soumise, pas qu'un autre a modifié la fiche."""
    jure_user, affectation, critere = _affectation_du_jure()
    version = 0
    if brouillon:
        f.EvaluationFactory(affectation=affectation, commentaire="Brouillon", version=2)
        version = 2
    url = reverse("jury_evaluer", kwargs={"pk": affectation.pk})
    donnees = {
        f"critere_{critere.pk}": "4",
        "avis": "favorable",
        "commentaire": "Soumise",
        "version": version,
        "action": "soumettre",
    }

    resultats = _en_meme_temps((jure_user, url, donnees), (jure_user, url, donnees))

    assert sorted(r[0] for r in resultats) == [302, 302]
    niveaux = sorted(niveau for r in resultats for niveau, _ in r[1])
    assert niveaux == ["info", "success"]
    info = next(m for r in resultats for niveau, m in r[1] if niveau == "info")
    assert "déjà soumise" in info
    evaluation = Evaluation.objects.get(affectation=affectation)
    assert (evaluation.statut, evaluation.commentaire, evaluation.version) == (
        Evaluation.Statut.SOUMISE,
        "Soumise",
        version + 1,
    )
    assert evaluation.history.filter(history_change_reason="Évaluation soumise").count() == 1


def test_evaluation_brouillon_automatique_de_deux_onglets_le_second_recoit_409():
    jure_user, affectation, critere = _affectation_du_jure()
    f.EvaluationFactory(affectation=affectation, commentaire="Départ", version=3)
    url = reverse("jury_evaluation_autosave", kwargs={"pk": affectation.pk})
    champ = f"critere_{critere.pk}"
    envois = [
        (jure_user, url, {champ: "2", "commentaire": "Frappe onglet 1", "version": 3}),
        (jure_user, url, {champ: "5", "commentaire": "Frappe onglet 2", "version": 3}),
    ]

    resultats = _en_meme_temps(*envois)

    gagnant = _gagnant(resultats, lambda r: r[0] == 200)
    perdant = resultats[1 - gagnant][2].json()
    evaluation = Evaluation.objects.get(affectation=affectation)
    assert resultats[1 - gagnant][0] == 409
    assert (perdant["ok"], perdant["conflit"]) == (False, True)
    assert "rechargez la page" in perdant["message"]
    assert (evaluation.commentaire, evaluation.version) == (envois[gagnant][2]["commentaire"], 4)
    assert list(evaluation.notes.values_list("valeur", flat=True)) == [
        int(envois[gagnant][2][champ])
    ]


# -- sites ------------------------------------------------------------------------------------
def _site(equipe) -> Site:
    vague = f.VagueFactory(numero=7, statut=Vague.Statut.RESULTATS_PUBLIES)
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.RETENUE)
    return ouvrir_site(candidature, par=equipe)


def _fiche(site: Site, **changements) -> dict:
    """Les données du formulaire de la fiche telle qu'ouverte, avec `changements`."""
    form = SiteForm(instance=site)
    donnees = {}
    for nom in form.fields:
        valeur = form[nom].value()
        donnees[nom] = "" if valeur is None else str(valeur)
    return {**donnees, **changements}


def test_statut_du_site_deux_changements_simultanes_le_second_est_prevenu():
    equipe = f.utilisateur(Role.EQUIPE, username="equipe-1")
    region = f.utilisateur(Role.EQUIPE, username="equipe-2")
    site = _site(equipe)
    lignes_avant = site.history.count()
    url = reverse("site_changer_statut", kwargs={"pk": site.pk})
    envois = [
        (equipe, url, {"vers": "en_preparation", "version": site.version, "note": "Par A"}),
        (region, url, {"vers": "ferme", "version": site.version, "note": "Par B"}),
    ]

    resultats = _en_meme_temps(*envois)

    gagnant = _gagnant(resultats, _succes)
    perdant = resultats[1 - gagnant]
    site.refresh_from_db()
    assert [code for code, *_ in resultats] == [302, 302]
    assert perdant[1] == [("error", MESSAGE_CONFLIT)]
    assert (site.statut, site.version) == (envois[gagnant][2]["vers"], 1)
    assert site.history.count() == lignes_avant + 1
    assert site.history.first().history_change_reason.endswith(envois[gagnant][2]["note"])


def test_site_statut_et_fiche_en_meme_temps_le_second_est_prevenu():
    equipe = f.utilisateur(Role.EQUIPE, username="equipe-1")
    collegue = f.utilisateur(Role.EQUIPE, username="equipe-2")
    site = _site(equipe)
    nom_avant = site.nom
    envois = [
        (
            equipe,
            reverse("site_changer_statut", kwargs={"pk": site.pk}),
            {"vers": "en_preparation", "version": site.version},
        ),
        (
            collegue,
            reverse("site_modifier", kwargs={"pk": site.pk}),
            _fiche(site, nom="Nouveau nom du site", contact_nom="Camille Fictif"),
        ),
    ]

    resultats = _en_meme_temps(*envois)

    gagnant = _gagnant(resultats, _succes)
    perdant = resultats[1 - gagnant]
    site.refresh_from_db()
    assert MESSAGE_CONFLIT in [texte for niveau, texte in perdant[1] if niveau == "error"]
    assert site.version == 1
    if gagnant == 0:  # le statut est passé ; la fiche n'a pas été écrite
        assert (site.statut, site.nom) == ("en_preparation", nom_avant)
        assert perdant[0] == 200  # le formulaire revient, avec la saisie, pour la refaire
    else:  # la fiche est passée ; le statut n'a pas changé
        assert (site.statut, site.nom, site.contact_nom) == (
            "planifie",
            "Nouveau nom du site",
            "Camille Fictif",
        )


def test_fiche_du_site_deux_enregistrements_simultanes_le_second_est_prevenu():
    equipe = f.utilisateur(Role.EQUIPE, username="equipe-1")
    collegue = f.utilisateur(Role.EQUIPE, username="equipe-2")
    site = _site(equipe)
    url = reverse("site_modifier", kwargs={"pk": site.pk})
    envois = [
        (equipe, url, _fiche(site, nom="Site A", adresse="1 rue A")),
        (collegue, url, _fiche(site, nom="Site B", adresse="2 rue B")),
    ]

    resultats = _en_meme_temps(*envois)

    gagnant = _gagnant(resultats, _succes)
    perdant = resultats[1 - gagnant]
    site.refresh_from_db()
    assert (resultats[gagnant][0], perdant[0]) == (302, 200)
    assert perdant[1] == [("error", MESSAGE_CONFLIT)]
    attendu = envois[gagnant][2]
    assert (site.nom, site.adresse, site.version) == (attendu["nom"], attendu["adresse"], 1)


# -- plans d'accompagnement -------------------------------------------------------------------
def test_plan_d_accompagnement_deux_enregistrements_simultanes_le_second_est_prevenu():
    equipe = f.utilisateur(Role.EQUIPE, username="equipe-1")
    collegue = f.utilisateur(Role.EQUIPE, username="equipe-2")
    vague = f.VagueFactory(numero=8, statut=Vague.Statut.RESULTATS_PUBLIES)
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.NON_RETENUE)
    plan = Accompagnement.objects.create(candidature=candidature, conseiller=equipe, notes="")
    url = reverse("accompagnement_modifier", kwargs={"pk": plan.pk})
    envois = [
        (equipe, url, {"conseiller": equipe.pk, "notes": "Notes de A", "version": 0}),
        (collegue, url, {"conseiller": collegue.pk, "notes": "Notes de B", "version": 0}),
    ]

    resultats = _en_meme_temps(*envois)

    gagnant = _gagnant(resultats, _succes)
    perdant = resultats[1 - gagnant]
    plan.refresh_from_db()
    attendu = envois[gagnant][2]
    assert (resultats[gagnant][0], perdant[0]) == (302, 200)
    assert perdant[1] == [("error", MESSAGE_CONFLIT)]
    assert (plan.notes, plan.conseiller_id, plan.version) == (
        attendu["notes"],
        attendu["conseiller"],
        1,
    )
    assert plan.history.count() == 2


def test_plan_d_accompagnement_ouvert_deux_fois_au_meme_instant_un_seul_plan():
    equipe = f.utilisateur(Role.EQUIPE, username="equipe-1")
    collegue = f.utilisateur(Role.EQUIPE, username="equipe-2")
    vague = f.VagueFactory(numero=8, statut=Vague.Statut.RESULTATS_PUBLIES)
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.NON_RETENUE)
    url = reverse("accompagnement_creer", kwargs={"pk": candidature.pk})
    envois = [
        (equipe, url, {"conseiller": equipe.pk, "notes": "Plan de A"}),
        (collegue, url, {"conseiller": collegue.pk, "notes": "Plan de B"}),
    ]

    resultats = _en_meme_temps(*envois)

    assert all(r[0] in (200, 302) for r in resultats)
    plan = Accompagnement.objects.get(candidature=candidature)
    gagnant = next(i for i, e in enumerate(envois) if e[2]["notes"] == plan.notes)
    perdant = resultats[1 - gagnant]
    assert [niveau for niveau, _ in perdant[1]] in (["error"], ["info"])
    assert resultats[gagnant][1][0][0] == "success"


def test_inscriptions_d_une_meme_annee_ajoutees_au_meme_instant_une_seule_ligne():
    equipe = f.utilisateur(Role.EQUIPE, username="equipe-1")
    collegue = f.utilisateur(Role.EQUIPE, username="equipe-2")
    site = _site(equipe)
    url = reverse("site_inscriptions", kwargs={"pk": site.pk})

    def ligne(nombre):
        return {
            "inscriptions-TOTAL_FORMS": "1",
            "inscriptions-INITIAL_FORMS": "0",
            "inscriptions-0-annee": "2021",
            "inscriptions-0-nombre": str(nombre),
        }

    resultats = _en_meme_temps((equipe, url, ligne(35)), (collegue, url, ligne(48)))

    assert sorted(r[0] for r in resultats) in ([302, 409], [200, 302])
    assert site.inscriptions.count() == 1
    perdant = next(r for r in resultats if r[0] != 302)
    assert [niveau for niveau, _ in perdant[1]] == ["error"] or perdant[0] == 200


def test_action_d_un_plan_deux_changements_d_etat_simultanes_le_second_est_prevenu():
    from candidatures.models import ActionAccompagnement

    equipe = f.utilisateur(Role.EQUIPE, username="equipe-1")
    collegue = f.utilisateur(Role.EQUIPE, username="equipe-2")
    vague = f.VagueFactory(numero=8, statut=Vague.Statut.RESULTATS_PUBLIES)
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.NON_RETENUE)
    plan = Accompagnement.objects.create(candidature=candidature, conseiller=equipe)
    action = ActionAccompagnement.objects.create(accompagnement=plan, libelle="Appeler")
    url = reverse("accompagnement_action_statut", kwargs={"pk": action.pk})
    envois = [
        (equipe, url, {"statut": "faite", "version": 0}),
        (collegue, url, {"statut": "abandonnee", "version": 0}),
    ]

    resultats = _en_meme_temps(*envois)

    gagnant = _gagnant(resultats, _succes)
    perdant = resultats[1 - gagnant]
    action.refresh_from_db()
    assert perdant[1] == [("error", MESSAGE_CONFLIT)]
    assert (action.statut, action.version) == (envois[gagnant][2]["statut"], 1)
    assert action.history.count() == 2
