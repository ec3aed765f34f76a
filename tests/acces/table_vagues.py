"""Table URL × rôle : les vagues de sélection (pages de l'équipe)."""

from candidatures.models import Vague

from .. import factories as f
from .table import Cas, equipe_seulement, pour_tous


def _vague(monde) -> dict:
    return {"pk": monde.vague.pk}


def _critere(monde) -> dict:
    return {"pk": monde.vague.pk, "critere_pk": monde.vague.criteres.first().pk}


def _piece(monde) -> dict:
    piece = monde.obtenir("piece_requise", lambda m: f.PieceRequiseFactory(vague=m.vague))
    return {"pk": monde.vague.pk, "piece_pk": piece.pk}


def _brouillon(monde) -> dict:
    vague = monde.obtenir(
        "vague_brouillon", lambda m: f.VagueFactory(numero=9, statut=Vague.Statut.BROUILLON)
    )
    return {"pk": vague.pk}


# Les retraits effacent leur objet : chaque rôle en reçoit un neuf.
def _critere_neuf(monde) -> dict:
    return {"pk": monde.vague.pk, "critere_pk": f.CritereFactory(vague=monde.vague).pk}


def _piece_neuve(monde) -> dict:
    return {"pk": monde.vague.pk, "piece_pk": f.PieceRequiseFactory(vague=monde.vague).pk}


LIGNES = {
    "vague_liste": [Cas(equipe_seulement())],
    "vague_creer": [Cas(equipe_seulement())],
    "vague_detail": [Cas(equipe_seulement(), kwargs=_vague)],
    "vague_modifier": [Cas(equipe_seulement(), kwargs=_vague)],
    "vague_avancer": [
        Cas(
            equipe_seulement(302),
            kwargs=_brouillon,
            methode="post",
            donnees=lambda m: {"vers": Vague.Statut.APPEL_OUVERT},
        ),
        Cas(pour_tous(405), kwargs=_brouillon, nom="GET refusé"),
    ],
    "vague_critere_ajouter": [Cas(equipe_seulement(), kwargs=_vague)],
    "vague_critere_modifier": [Cas(equipe_seulement(), kwargs=_critere)],
    "vague_critere_retirer": [
        Cas(equipe_seulement(302), kwargs=_critere_neuf, methode="post"),
        Cas(pour_tous(405), kwargs=_critere, nom="GET refusé"),
    ],
    "vague_piece_ajouter": [Cas(equipe_seulement(), kwargs=_vague)],
    "vague_piece_modifier": [Cas(equipe_seulement(), kwargs=_piece)],
    "vague_piece_retirer": [
        Cas(equipe_seulement(302), kwargs=_piece_neuve, methode="post"),
        Cas(pour_tous(405), kwargs=_piece, nom="GET refusé"),
    ],
}
