"""Consolidation : état des pièces requises, demandes de pièces, décision de recevabilité."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from candidatures.models import Candidature, DemandePieces, Piece
from candidatures.services import etat_des_pieces
from tests import factories as f

S = Candidature.Statut


def _piece(candidature, requise, statut=Piece.Statut.RECUE) -> Piece:
    # Le fichier n'est pas lu ici : seul l'état compte.
    return Piece.objects.create(
        candidature=candidature,
        piece_requise=requise,
        fichier="pieces/test.pdf",
        nom_original="piece.pdf",
        type_mime="application/pdf",
        taille=10,
        statut=statut,
    )


def _messages(reponse) -> list[str]:
    return [str(m) for m in get_messages(reponse.wsgi_request)]


# ---------------------------------------------------------------------------------------------
# État des pièces requises
# ---------------------------------------------------------------------------------------------
def test_etat_des_pieces_manquante_recue_acceptee(db):
    candidature = f.CandidatureFactory()
    budget = f.PieceRequiseFactory(vague=candidature.vague, libelle="Budget", ordre=1)
    deliberation = f.PieceRequiseFactory(vague=candidature.vague, libelle="Délibération", ordre=2)
    plan = f.PieceRequiseFactory(vague=candidature.vague, libelle="Plan des locaux", ordre=3)
    lettre = f.PieceRequiseFactory(vague=candidature.vague, libelle="Lettre d'intention", ordre=4)
    pieces = [
        _piece(candidature, budget, Piece.Statut.ACCEPTEE),
        _piece(candidature, budget, Piece.Statut.REFUSEE),
        _piece(candidature, deliberation),
        _piece(candidature, plan, Piece.Statut.REFUSEE),
    ]

    etats = etat_des_pieces(candidature, pieces)

    assert [(e.piece_requise, e.etat) for e in etats] == [
        (budget, "acceptee"),
        (deliberation, "recue"),
        (plan, "manquante"),
        (lettre, "manquante"),
    ]


def test_etat_des_pieces_ignore_les_autres_vagues(db):
    candidature = f.CandidatureFactory(vague=f.VagueFactory(numero=1))
    f.PieceRequiseFactory(vague=f.VagueFactory(numero=2), libelle="Autre vague")

    assert etat_des_pieces(candidature, []) == []


def test_fiche_montre_la_liste_de_controle(client_de, equipe):
    candidature = f.CandidatureFactory()
    requise = f.PieceRequiseFactory(vague=candidature.vague, libelle="Budget prévisionnel")
    _piece(candidature, requise, Piece.Statut.ACCEPTEE)

    reponse = client_de(equipe).get(reverse("candidature_detail", args=[candidature.pk]))

    assert [(e.piece_requise.libelle, e.libelle_etat) for e in reponse.context["etats_pieces"]] == [
        ("Budget prévisionnel", "Acceptée")
    ]
    assert "Budget prévisionnel" in reponse.content.decode()


# ---------------------------------------------------------------------------------------------
# Demandes de pièces
# ---------------------------------------------------------------------------------------------
def test_demande_de_pieces_enregistree_et_candidature_incomplete(client_de, equipe):
    candidature = f.CandidatureFactory(statut=S.RECUE)
    requise = f.PieceRequiseFactory(vague=candidature.vague, libelle="Budget")

    reponse = client_de(equipe).post(
        reverse("candidature_demande_creer", args=[candidature.pk]),
        {"objet": "Le budget signé par le maire", "pieces": [requise.pk], "echeance": "2019-07-15"},
    )

    demande = DemandePieces.objects.get()
    candidature.refresh_from_db()
    assert reponse.status_code == 302
    assert (demande.objet, demande.echeance, list(demande.pieces.all()), demande.demandee_par) == (
        "Le budget signé par le maire",
        datetime.date(2019, 7, 15),
        [requise],
        equipe,
    )
    assert candidature.statut == S.INCOMPLETE
    assert candidature.transitions.get().note == "Pièces demandées : Le budget signé par le maire"


def test_demande_de_pieces_envoyee_au_contact_apres_la_transaction(
    client_de, equipe, mailoutbox, django_capture_on_commit_callbacks
):
    candidature = f.CandidatureFactory(
        statut=S.RECUE, contact_nom="Camille Fictive", contact_email="dgs@mairie.invalid"
    )
    requise = f.PieceRequiseFactory(vague=candidature.vague, libelle="Budget prévisionnel")

    with django_capture_on_commit_callbacks(execute=True):
        client_de(equipe).post(
            reverse("candidature_demande_creer", args=[candidature.pk]),
            {
                "objet": "Le budget signé",
                "pieces": [requise.pk],
                "echeance": "2019-07-15",
                "envoyer": "on",
            },
        )

    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["dgs@mairie.invalid"], f"Candidature {candidature.reference} : pièces à fournir")
    ]
    corps = mailoutbox[0].body
    assert "Bonjour Camille Fictive," in corps
    assert "- Budget prévisionnel" in corps
    assert "avant le 15/07/2019." in corps


def test_demande_de_pieces_sans_envoi_ne_met_rien_en_file(
    client_de, equipe, mailoutbox, django_capture_on_commit_callbacks
):
    candidature = f.CandidatureFactory(statut=S.RECUE, contact_email="dgs@mairie.invalid")

    with django_capture_on_commit_callbacks(execute=True):
        client_de(equipe).post(
            reverse("candidature_demande_creer", args=[candidature.pk]), {"objet": "Le budget"}
        )

    assert (DemandePieces.objects.count(), mailoutbox) == (1, [])


def test_demande_de_pieces_sans_objet_refusee(client_de, equipe):
    candidature = f.CandidatureFactory(statut=S.RECUE)

    reponse = client_de(equipe).post(
        reverse("candidature_demande_creer", args=[candidature.pk]), {"objet": ""}
    )

    assert DemandePieces.objects.count() == 0
    assert _messages(reponse) == ["Demande non enregistrée : indiquez ce qui est demandé."]


def test_demande_de_pieces_refusee_hors_consolidation(client_de, equipe):
    candidature = f.CandidatureFactory(statut=S.EN_EXAMEN)

    reponse = client_de(equipe).post(
        reverse("candidature_demande_creer", args=[candidature.pk]), {"objet": "Le budget"}
    )

    assert DemandePieces.objects.count() == 0
    assert "reçue ou incomplète" in _messages(reponse)[0]


def test_demande_de_pieces_404_403_405(client_de, equipe, utilisateur_jure):
    affectation = f.AffectationFactory(
        jure__utilisateur=utilisateur_jure, candidature__statut=S.RECUE
    )
    url = reverse("candidature_demande_creer", args=[affectation.candidature.pk])

    assert (
        client_de(equipe).post(reverse("candidature_demande_creer", args=[99999])).status_code
        == 404
    )
    assert client_de(utilisateur_jure).post(url, {"objet": "x"}).status_code == 403
    assert client_de(equipe).get(url).status_code == 405
    assert DemandePieces.objects.count() == 0


def test_reponse_recue_a_la_derniere_demande_rend_la_candidature_recue(client_de, equipe):
    candidature = f.CandidatureFactory(statut=S.INCOMPLETE)
    demande = DemandePieces.objects.create(candidature=candidature, objet="Le budget")

    reponse = client_de(equipe).post(reverse("demande_repondue", args=[demande.pk]))

    demande.refresh_from_db()
    candidature.refresh_from_db()
    assert reponse.status_code == 302
    assert demande.repondue_le is not None
    assert candidature.statut == S.RECUE


def test_reponse_recue_avec_une_autre_demande_en_attente_reste_incomplete(client_de, equipe):
    candidature = f.CandidatureFactory(statut=S.INCOMPLETE)
    demande = DemandePieces.objects.create(candidature=candidature, objet="Le budget")
    DemandePieces.objects.create(candidature=candidature, objet="La délibération")

    client_de(equipe).post(reverse("demande_repondue", args=[demande.pk]))

    candidature.refresh_from_db()
    assert candidature.statut == S.INCOMPLETE


def test_reponse_deja_notee_refusee(client_de, equipe):
    candidature = f.CandidatureFactory(statut=S.RECUE)
    demande = DemandePieces.objects.create(
        candidature=candidature,
        objet="Le budget",
        repondue_le=datetime.datetime(2019, 7, 1, 10, tzinfo=datetime.UTC),
    )

    reponse = client_de(equipe).post(reverse("demande_repondue", args=[demande.pk]))

    assert _messages(reponse) == ["La réponse à cette demande a déjà été notée le 01/07/2019."]


def test_reponse_recue_404_403_405(client_de, equipe, observateur):
    demande = DemandePieces.objects.create(
        candidature=f.CandidatureFactory(statut=S.INCOMPLETE), objet="Le budget"
    )
    url = reverse("demande_repondue", args=[demande.pk])

    assert client_de(equipe).post(reverse("demande_repondue", args=[99999])).status_code == 404
    assert client_de(observateur).post(url).status_code == 403
    assert client_de(equipe).get(url).status_code == 405
    demande.refresh_from_db()
    assert demande.repondue_le is None


def test_fiche_montre_les_demandes(client_de, equipe):
    candidature = f.CandidatureFactory(statut=S.INCOMPLETE)
    DemandePieces.objects.create(
        candidature=candidature, objet="Le plan des locaux", echeance=datetime.date(2019, 7, 15)
    )

    texte = client_de(equipe).get(reverse("candidature_detail", args=[candidature.pk]))
    texte = texte.content.decode()

    assert "Le plan des locaux" in texte
    assert "15/07/2019" in texte


# ---------------------------------------------------------------------------------------------
# Recevabilité
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("depart", [S.RECUE, S.INCOMPLETE])
def test_decision_de_recevabilite_avec_motif(depart, client_de, equipe):
    candidature = f.CandidatureFactory(statut=depart)

    client_de(equipe).post(
        reverse("candidature_transition", args=[candidature.pk]),
        {"vers": S.RECEVABLE, "note": "Dossier complet"},
    )

    candidature.refresh_from_db()
    assert (candidature.statut, candidature.transitions.get().note) == (
        S.RECEVABLE,
        "Dossier complet",
    )


def test_fiche_irrecevable_montre_le_motif(client_de, equipe):
    candidature = f.CandidatureFactory(statut=S.RECUE)
    candidature.changer_statut(S.IRRECEVABLE, par=equipe, note="Commune hors programme")

    texte = client_de(equipe).get(reverse("candidature_detail", args=[candidature.pk]))

    assert "Commune hors programme" in texte.content.decode()
