"""La démo des vagues, sur le vrai référentiel : 85 candidatures de 85 villes ACV en vague 1."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from candidatures.demo import villes_resoumises
from candidatures.models import (
    Candidature,
    Critere,
    DemandePieces,
    LigneFinancement,
    Piece,
    PieceRequise,
    TransitionCandidature,
    Vague,
)
from candidatures.vagues import part_villes_acv


def _comptes() -> dict:
    return {
        modele.__name__: modele.objects.count()
        for modele in (
            Vague,
            Critere,
            PieceRequise,
            Candidature,
            TransitionCandidature,
            LigneFinancement,
            Piece,
            DemandePieces,
        )
    }


@pytest.mark.lent
@pytest.mark.django_db
def test_seed_demo_vague_1_a_85_candidatures_de_85_villes_acv_et_ne_duplique_rien():
    call_command("seed_demo", stdout=io.StringIO())
    avant = _comptes()

    call_command("seed_demo", stdout=io.StringIO())

    assert _comptes() == avant
    vague_1 = Vague.objects.get(numero=1)
    recues = Candidature.objects.recues().filter(vague=vague_1)
    assert recues.count() == 85
    assert (
        recues.filter(commune__ville_acv__entree=2018).values("cle_ville").distinct().count() == 85
    )
    assert (part_villes_acv(vague_1).villes, part_villes_acv(vague_1).pourcentage) == (85, 38)
    assert vague_1.criteres.count() == 5
    assert vague_1.pieces_requises.count() == 4


@pytest.mark.lent
@pytest.mark.django_db
def test_seed_demo_vague_2_entre_consolidation_et_examen_avec_des_resoumissions_de_la_vague_1():
    call_command("seed_demo", stdout=io.StringIO())

    vague_1 = Vague.objects.get(numero=1)
    vague_2 = Vague.objects.get(numero=2)
    # La vague 2 est au jury ; quelques dossiers en retard sont encore en consolidation.
    assert vague_2.statut == Vague.Statut.EXAMEN_JURY
    statuts = dict(vague_2.candidatures.order_by().values_list("statut").annotate(n=Count("pk")))
    assert sorted(statuts) == ["en_examen", "incomplete", "recue"]
    resoumises = villes_resoumises()
    assert len(resoumises) >= 5
    assert (
        sorted(
            vague_2.candidatures.filter(candidature_precedente__vague=vague_1).values_list(
                "cle_ville", flat=True
            )
        )
        == resoumises
    )
    assert (
        DemandePieces.objects.filter(candidature__vague=vague_2, repondue_le__isnull=True).count()
        == statuts["incomplete"]
    )
    piece = Piece.objects.first()
    with piece.fichier.open("rb") as fichier:
        assert fichier.read(5) == b"%PDF-"


@pytest.mark.lent
@pytest.mark.django_db(
    transaction=True
)  # les courriels partent après la validation de chaque étape
def test_seed_demo_n_affiche_pas_les_courriels_mais_les_garde_dans_la_boite_d_envoi(
    capsys, settings
):
    from acv.models import Courriel

    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"  # comme `make run`
    sortie = io.StringIO()
    call_command("seed_demo", stdout=sortie)

    envoyes = Courriel.objects.filter(statut=Courriel.Statut.ENVOYE).count()
    assert envoyes > 0 and envoyes == Courriel.objects.count()
    # Ni la sortie de la commande ni la console ne reçoivent le texte des courriels.
    assert "Subject:" not in sortie.getvalue() + capsys.readouterr().out
    assert f"courriels : {envoyes} passés par la boîte d'envoi" in sortie.getvalue()
