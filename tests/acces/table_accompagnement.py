"""Table URL × rôle : lettres aux villes, villes retenues, plans d'accompagnement."""

from acv.models import Courriel
from candidatures.models import (
    Accompagnement,
    ActionAccompagnement,
    Candidature,
    Lettre,
    Vague,
)

from .. import factories as f
from .table import ANONYME, CONNEXION, JURE, Cas, equipe_seulement, pour_tous


def _publiee(monde) -> Vague:
    """Une vague aux résultats publiés, une ville retenue et une non retenue avec son plan."""

    def fabrique(m):
        vague = f.VagueFactory(numero=41, statut=Vague.Statut.DELIBERATION)
        f.VagueFactory(numero=42, statut=Vague.Statut.APPEL_OUVERT)
        retenue = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.RETENUE)
        f.DecisionFactory(candidature=retenue, resultat="retenue", motivation="Projet solide.")
        non_retenue = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.NON_RETENUE)
        f.DecisionFactory(
            candidature=non_retenue, resultat="non_retenue", motivation="Locaux à trouver."
        )
        # Publiée après les décisions, qui se verrouillent alors.
        Vague.objects.filter(pk=vague.pk).update(statut=Vague.Statut.RESULTATS_PUBLIES)
        vague.refresh_from_db()
        Lettre.objects.create(
            candidature=retenue,
            nature=Lettre.Nature.SELECTION,
            sujet="Retenue",
            corps="Bravo.",
            courriel=Courriel.objects.create(
                destinataire="contact@mairie.invalid",
                sujet="Retenue",
                corps="Bravo.",
                statut=Courriel.Statut.ECHEC,
            ),
        )
        Lettre.objects.create(
            candidature=non_retenue,
            nature=Lettre.Nature.NON_SELECTION,
            sujet="La suite",
            corps="Un accompagnement vous est proposé.",
        )
        plan = Accompagnement.objects.create(
            candidature=non_retenue, conseiller=m.utilisateurs["equipe"]
        )
        ActionAccompagnement.objects.create(accompagnement=plan, libelle="Appeler la mairie")
        return vague

    return monde.obtenir("vague_publiee", fabrique)


def _vague(monde) -> dict:
    return {"pk": _publiee(monde).pk}


def _vague_non_publiee(monde) -> dict:
    return {"pk": monde.vague.pk}


def _lettre(monde) -> dict:
    """La lettre partie en échec."""
    return {"pk": Lettre.objects.get(candidature__vague=_publiee(monde), nature="selection").pk}


def _lettre_non_envoyee(monde) -> dict:
    return {"pk": Lettre.objects.get(candidature__vague=_publiee(monde), nature="non_selection").pk}


def _plan(monde) -> dict:
    return {"pk": Accompagnement.objects.get(candidature__vague=_publiee(monde)).pk}


def _action(monde) -> dict:
    return {"pk": ActionAccompagnement.objects.get(accompagnement__pk=_plan(monde)["pk"]).pk}


def _non_retenue_sans_plan(monde) -> dict:
    vague = _publiee(monde)
    candidature = monde.obtenir(
        "non_retenue_sans_plan",
        lambda m: f.CandidatureFactory(vague=vague, statut=Candidature.Statut.NON_RETENUE),
    )
    return {"pk": candidature.pk}


def _retenue(monde) -> dict:
    return {
        "pk": Candidature.objects.get(vague=_publiee(monde), statut=Candidature.Statut.RETENUE).pk
    }


def _lecteurs(code_ok: int = 200) -> dict:
    """Équipe, observateurs et responsables régionaux ; 403 pour le juré."""
    return pour_tous(code_ok, **{ANONYME: CONNEXION, JURE: 403})


def _post(nom_kwargs, donnees=None) -> list:
    return [
        Cas(
            equipe_seulement(302),
            kwargs=nom_kwargs,
            methode="post",
            donnees=donnees or (lambda m: {}),
        ),
        Cas(pour_tous(405), kwargs=nom_kwargs, nom="GET refusé"),
    ]


LIGNES = {
    # Lettres
    "lettres_vague": [
        Cas(equipe_seulement(), kwargs=_vague),
        Cas(equipe_seulement(), kwargs=_vague_non_publiee, nom="avant publication"),
    ],
    "lettres_preparer": _post(_vague)
    + [
        Cas(
            equipe_seulement(302),
            kwargs=_vague_non_publiee,
            methode="post",
            nom="avant publication (refusé, avec un message)",
        )
    ],
    "lettres_envoyer": _post(_vague)
    + [
        Cas(
            equipe_seulement(302),
            kwargs=_vague_non_publiee,
            methode="post",
            nom="avant publication (refusé, avec un message)",
        )
    ],
    "lettres_pdf": [
        Cas(equipe_seulement(), kwargs=_vague),
        Cas(equipe_seulement(404), kwargs=_vague_non_publiee, nom="avant publication"),
    ],
    "lettre_apercu": [Cas(equipe_seulement(), kwargs=_lettre)],
    "lettre_modifier": [
        Cas(equipe_seulement(), kwargs=_lettre_non_envoyee),
        Cas(equipe_seulement(302), kwargs=_lettre, nom="lettre déjà confiée à l'envoi"),
    ],
    "lettre_renvoyer": _post(_lettre),
    "lettre_pdf": [Cas(equipe_seulement(), kwargs=_lettre)],
    "lettre_modele": [
        Cas(equipe_seulement(), kwargs=lambda m: {"code": "lettre_non_selection"}),
        Cas(equipe_seulement(), kwargs=lambda m: {"code": "affectation"}, nom="courriel du jury"),
        Cas(equipe_seulement(404), kwargs=lambda m: {"code": "inconnu"}, nom="modèle inconnu"),
    ],
    # Villes retenues : équipe, partenaires (observateurs) et régions, après publication
    "villes_retenues": [
        Cas(_lecteurs(), kwargs=_vague),
        Cas(_lecteurs(404), kwargs=_vague_non_publiee, nom="avant publication"),
    ],
    "villes_retenues_csv": [
        Cas(_lecteurs(), kwargs=_vague),
        Cas(_lecteurs(404), kwargs=_vague_non_publiee, nom="avant publication"),
    ],
    "villes_retenues_xlsx": [
        Cas(_lecteurs(), kwargs=_vague),
        Cas(_lecteurs(404), kwargs=_vague_non_publiee, nom="avant publication"),
    ],
    # Plans d'accompagnement
    "accompagnement_liste": [Cas(equipe_seulement())],
    "accompagnement_relancer": _post(lambda m: {}),
    "accompagnement_detail": [
        Cas(equipe_seulement(), kwargs=_plan),
        Cas(equipe_seulement(404), kwargs=lambda m: {"pk": 999999}, nom="plan inexistant"),
    ],
    "accompagnement_creer": [
        Cas(equipe_seulement(), kwargs=_non_retenue_sans_plan),
        Cas(equipe_seulement(404), kwargs=_retenue, nom="candidature retenue"),
    ],
    "accompagnement_modifier": [Cas(equipe_seulement(), kwargs=_plan)],
    "accompagnement_action_ajouter": _post(
        _plan, lambda m: {"libelle": "Visiter les locaux", "echeance": "2030-01-15"}
    ),
    "accompagnement_action_modifier": [
        Cas(equipe_seulement(), kwargs=_action),
        Cas(equipe_seulement(404), kwargs=lambda m: {"pk": 999999}, nom="action inexistante"),
    ],
    "accompagnement_action_statut": _post(_action, lambda m: {"statut": "en_cours", "version": 0}),
    "accompagnement_resoumettre": _post(_plan),
}
