"""La démo des vagues, sur le vrai référentiel : 85 candidatures de 85 villes ACV en vague 1."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

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

RACINE = Path(__file__).resolve().parents[2]


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
@pytest.mark.lent
def test_make_run_ne_deverse_pas_les_courriels_de_la_demo_dans_le_terminal(tmp_path):
    """Comme `make run` : base SQLite neuve, DEBUG, moteur de courriel de la console."""
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "EMAIL_URL": "consolemail://",
    }

    def lancer(*commande):
        resultat = subprocess.run(
            [sys.executable, "manage.py", *commande],
            cwd=RACINE,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert resultat.returncode == 0, resultat.stderr[-2000:]
        return resultat.stdout + resultat.stderr

    lancer("migrate", "--noinput")
    sortie = lancer("seed_demo")

    assert "Subject:" not in sortie
    nombre = re.search(r"courriels : (\d+) passés par la boîte d'envoi", sortie)
    assert nombre and int(nombre.group(1)) > 80  # avis d'affectation et lettres, au moins
