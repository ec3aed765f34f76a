"""Table URL × rôle : les candidatures, leurs pièces et leur consolidation.

Un juré ne voit une pièce que de la candidature qui lui est affectée (404 pour une autre ou une
en conflit) ; il ne modifie jamais rien (403). Les fiches et la saisie sont à l'équipe.
"""

from django.core.files.base import ContentFile

from candidatures.models import DemandePieces, Piece

from .. import factories as f
from .table import JURE, Cas, equipe_seulement, pour_tous

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _piece_de(nom_candidature: str):
    def fabrique(monde) -> Piece:
        piece = Piece(
            candidature=getattr(monde, nom_candidature),
            nom_original="budget-v1.2.pdf",
            type_mime="application/pdf",
            taille=len(PDF),
        )
        piece.fichier.save("budget-v1.2.pdf", ContentFile(PDF), save=False)
        piece.save()
        return piece

    return lambda monde: {"pk": monde.obtenir(f"piece_{nom_candidature}", fabrique).pk}


def _piece_affectee(monde) -> dict:
    return _piece_de("candidature_affectee")(monde)


def _piece_non_affectee(monde) -> dict:
    return _piece_de("candidature_non_affectee")(monde)


def _piece_en_conflit(monde) -> dict:
    return _piece_de("candidature_en_conflit")(monde)


def _affectee(monde) -> dict:
    return {"pk": monde.candidature_affectee.pk}


def _non_affectee(monde) -> dict:
    return {"pk": monde.candidature_non_affectee.pk}


def _en_conflit(monde) -> dict:
    return {"pk": monde.candidature_en_conflit.pk}


def _demande(monde) -> dict:
    demande = monde.obtenir(
        "demande_pieces",
        lambda m: DemandePieces.objects.create(
            candidature=m.candidature_affectee, objet="Le plan de financement signé"
        ),
    )
    return {"pk": demande.pk}


def _vague_suivante(monde) -> dict:
    vague = monde.obtenir("vague_suivante", lambda m: f.VagueFactory(numero=2))
    return {"vague": vague.pk}


# Téléchargement : le juré affecté oui ; pas une candidature non affectée ni en conflit.
TELECHARGEMENT_AFFECTEE = equipe_seulement()
TELECHARGEMENT_AFFECTEE[JURE] = 200
TELECHARGEMENT_HORS_PERIMETRE = equipe_seulement()
TELECHARGEMENT_HORS_PERIMETRE[JURE] = 404

ACTION = equipe_seulement(302)

LIGNES = {
    "candidature_liste": [Cas(equipe_seulement(), query="statut=en_examen&tri=commune")],
    "candidature_creer": [Cas(equipe_seulement())],
    "candidature_detail": [
        Cas(equipe_seulement(), kwargs=_affectee, nom="affectée"),
        Cas(equipe_seulement(), kwargs=_non_affectee, nom="non affectée"),
        Cas(equipe_seulement(), kwargs=_en_conflit, nom="en conflit"),
    ],
    "candidature_modifier": [Cas(equipe_seulement(), kwargs=_non_affectee)],
    "candidature_transition": [
        # « retenue » se décide en délibération : refusée avec un message, rien ne change.
        Cas(ACTION, kwargs=_affectee, methode="post", donnees=lambda m: {"vers": "retenue"}),
        Cas(pour_tous(405), kwargs=_affectee, nom="GET refusé"),
    ],
    "candidature_resoumettre": [
        Cas(ACTION, kwargs=_affectee, methode="post", donnees=_vague_suivante),
        Cas(pour_tous(405), kwargs=_affectee, nom="GET refusé"),
    ],
    "candidature_piece_deposer": [
        Cas(ACTION, kwargs=_affectee, methode="post"),
        Cas(pour_tous(405), kwargs=_affectee, nom="GET refusé"),
    ],
    "candidature_demande_creer": [
        Cas(ACTION, kwargs=_affectee, methode="post", donnees=lambda m: {"objet": "Le budget"}),
        Cas(pour_tous(405), kwargs=_affectee, nom="GET refusé"),
    ],
    "piece_telecharger": [
        Cas(TELECHARGEMENT_AFFECTEE, kwargs=_piece_affectee, nom="affectée"),
        Cas(TELECHARGEMENT_HORS_PERIMETRE, kwargs=_piece_non_affectee, nom="non affectée"),
        Cas(TELECHARGEMENT_HORS_PERIMETRE, kwargs=_piece_en_conflit, nom="en conflit"),
    ],
    "piece_statut": [
        Cas(
            ACTION, kwargs=_piece_affectee, methode="post", donnees=lambda m: {"statut": "acceptee"}
        ),
        Cas(pour_tous(405), kwargs=_piece_affectee, nom="GET refusé"),
    ],
    "demande_repondue": [
        Cas(ACTION, kwargs=_demande, methode="post"),
        Cas(pour_tous(405), kwargs=_demande, nom="GET refusé"),
    ],
}
