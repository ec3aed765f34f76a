"""Table URL × rôle : classement, séance du jury, publication, procès-verbal (équipe seulement)."""

from candidatures.models import Candidature, Decision, Vague

from .. import factories as f
from .table import Cas, equipe_seulement, pour_tous


def _vague_en_deliberation(monde):
    vague = f.VagueFactory(numero=60, statut=Vague.Statut.DELIBERATION, places_prevues=1)
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN)
    return vague, candidature


def _vague(monde):
    return {"pk": monde.vague.pk}


def _vague_publiee(monde):
    def fabrique(m):
        vague = f.VagueFactory(numero=61, statut=Vague.Statut.DELIBERATION, places_prevues=1)
        candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.RETENUE)
        f.DecisionFactory(candidature=candidature, resultat="retenue", motivation="Solide.")
        Vague.objects.filter(pk=vague.pk).update(statut=Vague.Statut.RESULTATS_PUBLIES)
        vague.refresh_from_db()
        return vague, candidature

    return monde.obtenir("vague_publiee_delib", fabrique)


def _vague_delib(monde):
    return {"pk": monde.obtenir("vague_deliberation", _vague_en_deliberation)[0].pk}


def _candidature_delib(monde):
    return {"pk": monde.obtenir("vague_deliberation", _vague_en_deliberation)[1].pk}


INCONNUE = lambda monde: {"pk": 999999}  # noqa: E731

# Une action : 302 (redirection vers la séance, avec un message) pour l'équipe, 403 pour les autres.
ACTION = equipe_seulement(302)
# GET sur une action : 405 pour tous, avant même la connexion.
GET_REFUSE = pour_tous(405)
# Un objet inconnu : 404 pour l'équipe, 403 pour les autres rôles, connexion pour l'anonyme.
INTROUVABLE = equipe_seulement(404)


def _page(nom_query: str = "") -> list[Cas]:
    return [
        Cas(equipe_seulement(), kwargs=_vague, query=nom_query),
        Cas(equipe_seulement(), kwargs=_vague_delib, query=nom_query, nom="en délibération"),
        Cas(INTROUVABLE, kwargs=INCONNUE, query=nom_query, nom="vague inconnue"),
    ]


LIGNES = {
    "classement": _page() + [Cas(equipe_seulement(), kwargs=_vague, query="par=note&tri=-ecart")],
    "classement_export": _page("format=csv")
    + [Cas(equipe_seulement(), kwargs=_vague, query="format=xlsx", nom="xlsx")],
    "deliberation_seance": _page() + [Cas(equipe_seulement(), kwargs=_vague, query="par=note")],
    "deliberation_pv": _page(),
    "deliberation_pv_pdf": _page(),
    "deliberation_decider": [
        Cas(
            ACTION,
            kwargs=_candidature_delib,
            methode="post",
            donnees=lambda monde: {
                "resultat": "retenue",
                "motivation": "Projet solide.",
                "version": "",
            },
        ),
        Cas(
            ACTION,
            kwargs=lambda monde: {"pk": monde.candidature_affectee.pk},
            methode="post",
            donnees=lambda monde: {"resultat": "retenue", "motivation": "Trop tôt.", "version": ""},
            nom="vague pas en délibération",
        ),
        Cas(
            ACTION,
            kwargs=lambda monde: {"pk": _vague_publiee(monde)[1].pk},
            methode="post",
            donnees=lambda monde: {
                "resultat": "non_retenue",
                "motivation": "Après coup.",
                "version": Decision.objects.get(candidature=_vague_publiee(monde)[1]).version,
            },
            nom="vague publiée (refusé, avec un message)",
        ),
        Cas(INTROUVABLE, kwargs=INCONNUE, methode="post", nom="candidature inconnue"),
        Cas(GET_REFUSE, kwargs=_candidature_delib, nom="GET refusé"),
    ],
    "deliberation_presents": [
        Cas(ACTION, kwargs=_vague_delib, methode="post"),
        Cas(INTROUVABLE, kwargs=INCONNUE, methode="post", nom="vague inconnue"),
        Cas(GET_REFUSE, kwargs=_vague_delib, nom="GET refusé"),
    ],
    "deliberation_publier": [
        Cas(ACTION, kwargs=_vague_delib, methode="post"),
        Cas(
            ACTION,
            kwargs=lambda monde: {"pk": _vague_publiee(monde)[0].pk},
            methode="post",
            nom="déjà publiée (refusé, avec un message)",
        ),
        Cas(INTROUVABLE, kwargs=INCONNUE, methode="post", nom="vague inconnue"),
        Cas(GET_REFUSE, kwargs=_vague_delib, nom="GET refusé"),
    ],
    "deliberation_rouvrir": [
        Cas(
            ACTION,
            kwargs=_vague_delib,
            methode="post",
            donnees=lambda monde: {"motif": "Erreur de saisie."},
        ),
        Cas(
            ACTION,
            kwargs=lambda monde: {"pk": _vague_publiee(monde)[0].pk},
            methode="post",
            donnees=lambda monde: {"motif": "Erreur de saisie."},
            nom="vague publiée (réouverture)",
        ),
        Cas(INTROUVABLE, kwargs=INCONNUE, methode="post", nom="vague inconnue"),
        Cas(GET_REFUSE, kwargs=_vague_delib, nom="GET refusé"),
    ],
}
