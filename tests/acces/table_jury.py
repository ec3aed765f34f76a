"""Table URL × rôle : le jury (équipe et juré) et la boîte d'envoi.

Le juré du monde est affecté à `candidature_affectee`, pas à `candidature_non_affectee`, et en
conflit avec `candidature_en_conflit` (une affectation y est forcée pour vérifier qu'elle reste
fermée).
"""

from acv.models import Courriel
from candidatures.models import Evaluation, Vague

from .. import factories as f
from .table import ANONYME, CONNEXION, JURE, Cas, equipe_seulement, pour_tous

INCONNUE = lambda monde: {"pk": 999999}  # noqa: E731
GET_REFUSE = pour_tous(405)
ACTION = equipe_seulement(302)
INTROUVABLE_ACTION = {**equipe_seulement(404), ANONYME: CONNEXION}


def jure_seulement(code_ok: int = 200) -> dict:
    """Pages du juré : connexion pour l'anonyme, 403 pour les rôles qui ne sont pas du jury."""
    return {**pour_tous(403), ANONYME: CONNEXION, JURE: code_ok}


def _vague(monde):
    return {"pk": monde.vague.pk}


def _autre_vague(monde):
    """Une vague dont le juré du monde ne fait pas partie."""
    vague = monde.obtenir(
        "autre_vague", lambda m: f.VagueFactory(numero=70, statut=Vague.Statut.EXAMEN_JURY)
    )
    return {"pk": vague.pk}


def _affectation_soumise(monde):
    """Une affectation d'un autre juré, évaluation soumise : ni retirable ni supprimable."""

    def fabrique(m):
        affectation = f.AffectationFactory(
            jure=f.JureFactory(vague=m.vague), candidature=m.candidature_non_affectee
        )
        f.EvaluationFactory(
            affectation=affectation,
            statut=Evaluation.Statut.SOUMISE,
            avis=Evaluation.Avis.FAVORABLE,
            soumise_le="2019-09-10T10:00:00+02:00",
            note_sur_20=14.0,
        )
        return affectation

    return monde.obtenir("affectation_soumise", fabrique)


def _jure_avec_evaluation(monde):
    return {"pk": _affectation_soumise(monde).jure_id}


def _affectation_soumise_pk(monde):
    return {"pk": _affectation_soumise(monde).pk}


def _affectation(monde):
    return {"pk": monde.affectation.pk}


def _version_lue(monde):
    """Le brouillon envoyé par la page : avec la version lue (0 s'il n'y en a pas encore)."""
    evaluation = Evaluation.objects.filter(affectation=monde.affectation).first()
    return {"version": evaluation.version if evaluation else 0}


def _conflit(monde):
    """Le conflit du juré du monde (lever sans motif est refusé : il reste)."""
    return {"pk": monde.candidature_en_conflit.conflits.get().pk}


def _affectation_en_conflit(monde):
    affectation = monde.obtenir(
        "affectation_en_conflit",
        lambda m: f.AffectationFactory(jure=m.jure, candidature=m.candidature_en_conflit),
    )
    return {"pk": affectation.pk}


def _courriel(monde):
    courriel = monde.obtenir(
        "courriel",
        lambda m: Courriel.objects.create(
            destinataire="a@exemple.invalid", sujet="Test", corps="…", statut="envoye"
        ),
    )
    return {"pk": courriel.pk}


LIGNES = {
    # -- équipe ---------------------------------------------------------------------------
    "jury_vague": [
        Cas(equipe_seulement(), kwargs=_vague),
        Cas(equipe_seulement(404), kwargs=INCONNUE, nom="vague inconnue"),
    ],
    "jury_avancement": [
        Cas(equipe_seulement(), kwargs=_vague),
        Cas(equipe_seulement(), kwargs=_vague, query="filtre=a_reaffecter", nom="à réaffecter"),
        Cas(equipe_seulement(404), kwargs=INCONNUE, nom="vague inconnue"),
    ],
    "jury_jure_ajouter": [
        Cas(ACTION, kwargs=_vague, methode="post"),
        Cas(INTROUVABLE_ACTION, kwargs=INCONNUE, methode="post", nom="vague inconnue"),
        Cas(GET_REFUSE, kwargs=_vague, nom="GET refusé"),
    ],
    "jury_jure_retirer": [
        # Le juré a une évaluation soumise : le retrait est refusé (message), rien ne change.
        Cas(ACTION, kwargs=_jure_avec_evaluation, methode="post"),
        Cas(INTROUVABLE_ACTION, kwargs=INCONNUE, methode="post", nom="juré inconnu"),
        Cas(GET_REFUSE, kwargs=_jure_avec_evaluation, nom="GET refusé"),
    ],
    "jury_conflit_enregistrer": [
        Cas(ACTION, kwargs=_vague, methode="post"),
        Cas(INTROUVABLE_ACTION, kwargs=INCONNUE, methode="post", nom="vague inconnue"),
        Cas(GET_REFUSE, kwargs=_vague, nom="GET refusé"),
    ],
    "jury_conflit_lever": [
        Cas(ACTION, kwargs=_conflit, methode="post"),
        Cas(INTROUVABLE_ACTION, kwargs=INCONNUE, methode="post", nom="conflit inconnu"),
        Cas(GET_REFUSE, kwargs=_conflit, nom="GET refusé"),
    ],
    "jury_affecter": [
        Cas(ACTION, kwargs=_vague, methode="post"),
        Cas(INTROUVABLE_ACTION, kwargs=INCONNUE, methode="post", nom="vague inconnue"),
        Cas(GET_REFUSE, kwargs=_vague, nom="GET refusé"),
    ],
    "jury_affectation_ajouter": [
        Cas(ACTION, kwargs=_vague, methode="post"),
        Cas(INTROUVABLE_ACTION, kwargs=INCONNUE, methode="post", nom="vague inconnue"),
        Cas(GET_REFUSE, kwargs=_vague, nom="GET refusé"),
    ],
    "jury_affectation_retirer": [
        # Évaluation soumise : retrait refusé (message), l'affectation reste.
        Cas(ACTION, kwargs=_affectation_soumise_pk, methode="post"),
        Cas(INTROUVABLE_ACTION, kwargs=INCONNUE, methode="post", nom="affectation inconnue"),
        Cas(GET_REFUSE, kwargs=_affectation_soumise_pk, nom="GET refusé"),
    ],
    "jury_relancer": [
        Cas(ACTION, kwargs=_vague, methode="post"),
        Cas(INTROUVABLE_ACTION, kwargs=INCONNUE, methode="post", nom="vague inconnue"),
        Cas(GET_REFUSE, kwargs=_vague, nom="GET refusé"),
    ],
    "jury_evaluation_rouvrir": [
        # L'équipe rouvre (302) ; l'administrateur ensuite reçoit « rien à rouvrir » (302).
        Cas(ACTION, kwargs=_affectation_soumise_pk, methode="post"),
        Cas(INTROUVABLE_ACTION, kwargs=INCONNUE, methode="post", nom="évaluation inconnue"),
        Cas(GET_REFUSE, kwargs=_affectation_soumise_pk, nom="GET refusé"),
    ],
    # -- juré -----------------------------------------------------------------------------
    "jury_mes_evaluations": [Cas(jure_seulement())],
    "jury_conflits": [
        Cas(jure_seulement(), kwargs=_vague),
        Cas(jure_seulement(404), kwargs=_autre_vague, nom="vague dont il n'est pas juré"),
    ],
    "jury_conflit_declarer": [
        # Sans motif : refusé avec un message, redirection.
        Cas(jure_seulement(302), kwargs=_vague, methode="post"),
        Cas(
            {**jure_seulement(404)},
            kwargs=_autre_vague,
            methode="post",
            nom="vague dont il n'est pas juré",
        ),
        Cas(GET_REFUSE, kwargs=_vague, nom="GET refusé"),
    ],
    "jury_evaluer": [
        Cas(jure_seulement(), kwargs=_affectation, nom="juré affecté"),
        Cas(jure_seulement(404), kwargs=_affectation_soumise_pk, nom="juré non affecté"),
        Cas(jure_seulement(404), kwargs=_affectation_en_conflit, nom="juré en conflit"),
        Cas(jure_seulement(404), kwargs=INCONNUE, nom="affectation inconnue"),
    ],
    "jury_evaluation_autosave": [
        Cas(
            jure_seulement(),
            kwargs=_affectation,
            methode="post",
            donnees=_version_lue,
            nom="juré affecté",
        ),
        Cas(
            jure_seulement(404),
            kwargs=_affectation_soumise_pk,
            methode="post",
            nom="juré non affecté",
        ),
        Cas(jure_seulement(404), kwargs=_affectation_en_conflit, methode="post", nom="en conflit"),
        Cas(GET_REFUSE, kwargs=_affectation, nom="GET refusé"),
    ],
    # -- boîte d'envoi --------------------------------------------------------------------
    "courriels_liste": [
        Cas(equipe_seulement()),
        Cas(equipe_seulement(), query="statut=echec", nom="filtre"),
    ],
    "courriel_renvoyer": [
        Cas(ACTION, kwargs=_courriel, methode="post"),
        Cas(INTROUVABLE_ACTION, kwargs=INCONNUE, methode="post", nom="courriel inconnu"),
        Cas(GET_REFUSE, kwargs=_courriel, nom="GET refusé"),
    ],
    "courriels_renvoyer_tout": [
        Cas(ACTION, methode="post"),
        Cas(GET_REFUSE, nom="GET refusé"),
    ],
}
