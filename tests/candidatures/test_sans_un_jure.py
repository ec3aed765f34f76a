"""La vérification « sans un juré » : un jeu où un juré décide de la ligne des places.

Deux places. A et B notent P, Q et R ; J ne note que Q (20) et R (0).
A : P = 18, Q = 10, R = 12 ; B : P = 16, Q = 10, R = 12.
Avec J : z(Q) = ((10 − 13,33) / 3,40 + (10 − 12,67) / 2,49 + 1) / 3 ≈ −0,35 et
z(R) = ((12 − 13,33) / 3,40 + (12 − 12,67) / 2,49 − 1) / 3 ≈ −0,55 : Q est 2e, dans la sélection.
Sans J (vague recalculée : A et B seuls) : z(Q) ≈ −1,03, z(R) ≈ −0,33 : R passe devant Q.
Sans A ou sans B, l'ordre P, Q, R ne change pas.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from candidatures.classement import (
    EvaluationSoumise,
    calculer_notes,
    classement_de,
    classer,
    proche_de_la_ligne,
    sans_un_jure,
)
from candidatures.models import Candidature, Evaluation, Vague
from tests import factories as f

P, Q, R = 1, 2, 3
A, B, J = 10, 11, 12
F = Evaluation.Avis.FAVORABLE

JEU = [
    EvaluationSoumise(P, A, 18.0, F),
    EvaluationSoumise(Q, A, 10.0, F),
    EvaluationSoumise(R, A, 12.0, F),
    EvaluationSoumise(P, B, 16.0, F),
    EvaluationSoumise(Q, B, 10.0, F),
    EvaluationSoumise(R, B, 12.0, F),
    EvaluationSoumise(Q, J, 20.0, F),
    EvaluationSoumise(R, J, 0.0, F),
]


def test_avec_tous_les_jures_q_est_dans_la_selection():
    _, rangs = classer([P, Q, R], calculer_notes(JEU))

    assert rangs == {P: 1, Q: 2, R: 3}


def test_sans_le_jure_j_r_passe_devant_q():
    sans_j = [e for e in JEU if e.jure != J]

    _, rangs = classer([P, Q, R], calculer_notes(sans_j))

    assert rangs == {P: 1, Q: 3, R: 2}


def test_sans_un_jure_designe_le_jure_qui_decide_de_la_ligne():
    basculent = sans_un_jure(JEU, [P, Q, R], places=2)

    assert basculent == {P: [], Q: [J], R: [J]}


def test_sans_un_jure_ne_verifie_que_les_rangs_proches_de_la_ligne():
    # Dix places : la vérification porte sur les rangs 6 à 10 (dedans) et 11 à 15 (dehors).
    proches = [rang for rang in range(1, 21) if proche_de_la_ligne(rang, 10)]

    assert proches == list(range(6, 16))


def test_sans_places_prevues_rien_n_est_verifie():
    assert sans_un_jure(JEU, [P, Q, R], places=0) == {}


@pytest.mark.django_db
def test_classement_de_la_vague_nomme_le_jure_qui_fait_basculer():
    vague = f.VagueFactory(numero=3, statut=Vague.Statut.DELIBERATION, places_prevues=2)
    jures = {nom: f.JureFactory(vague=vague) for nom in "ABJ"}
    cands = {
        nom: f.CandidatureFactory(
            vague=vague, commune=f.CommuneFactory(nom=nom), statut=Candidature.Statut.EN_EXAMEN
        )
        for nom in "PQR"
    }
    for e in JEU:
        nom_c = {P: "P", Q: "Q", R: "R"}[e.candidature]
        nom_j = {A: "A", B: "B", J: "J"}[e.jure]
        f.EvaluationFactory(
            affectation=f.AffectationFactory(jure=jures[nom_j], candidature=cands[nom_c]),
            statut=Evaluation.Statut.SOUMISE,
            soumise_le=timezone.now(),
            avis=F,
            note_sur_20=e.note,
        )

    classement = classement_de(vague)

    resultat = {
        ligne.candidature.commune.nom: (
            ligne.rang,
            ligne.dans_la_selection,
            [(jure.pk, str(jure)) for jure in ligne.basculent],
        )
        for ligne in classement.lignes
    }
    # Le juré nommé comme partout ailleurs (« Prénom Nom (SIGLE) »).
    j = (jures["J"].pk, str(jures["J"]))
    assert resultat == {"P": (1, True, []), "Q": (2, True, [j]), "R": (3, False, [j])}


def _sans_un_jure_par_recalcul_complet(evaluations, candidatures, places, par):
    """La définition, mot pour mot : toute la vague recalculée sans chaque juré."""
    from candidatures.classement import (
        calculer_notes,
        classer,
        dans_la_selection,
        proche_de_la_ligne,
    )

    _, rangs = classer(candidatures, calculer_notes(evaluations), par)
    proches = [c for c in candidatures if proche_de_la_ligne(rangs[c], places)]
    resultat = {c: [] for c in proches}
    for jure in sorted({e.jure for e in evaluations}):
        _, sans = classer(
            candidatures, calculer_notes([e for e in evaluations if e.jure != jure]), par
        )
        for c in proches:
            if dans_la_selection(rangs[c], places) != dans_la_selection(sans[c], places):
                resultat[c].append(jure)
    return resultat


@pytest.mark.parametrize("graine", range(40))
def test_sans_un_jure_rapide_egale_le_recalcul_complet(graine):
    import random

    from candidatures.classement import PAR_CORRIGEE, PAR_NOTE, EvaluationSoumise, sans_un_jure

    rng = random.Random(graine)
    nb_candidatures, nb_jures = rng.randint(3, 30), rng.randint(2, 8)
    candidatures = list(range(1, nb_candidatures + 1))
    evaluations = []
    for c in candidatures:
        for j in rng.sample(range(1, nb_jures + 1), rng.randint(0, min(3, nb_jures))):
            # des notes au quart de point : beaucoup d'ex æquo à deux décimales
            note = rng.randint(0, 80) / 4
            evaluations.append(
                EvaluationSoumise(c, j, note, rng.choice(["favorable", "reserves", "defavorable"]))
            )
    places = rng.randint(1, nb_candidatures)

    for par in (PAR_CORRIGEE, PAR_NOTE):
        assert sans_un_jure(
            evaluations, candidatures, places, par
        ) == _sans_un_jure_par_recalcul_complet(evaluations, candidatures, places, par)
