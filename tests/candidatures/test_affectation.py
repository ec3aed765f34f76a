"""L'affectation automatique : ses propriétés sur des instances aléatoires, vérifiées contre une
énumération exhaustive indépendante sur de petites instances ; puis l'affectation d'une vague."""

from __future__ import annotations

import itertools
import random
from collections import Counter, defaultdict

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from acv.models import Courriel, Organisation
from candidatures.affectation import (
    Probleme,
    affecter_vague,
    ajouter_affectation,
    avertissement_meme_organisation,
    resoudre,
)
from candidatures.models import Affectation, Candidature, Conflit, Evaluation, Vague

from .. import factories as f


# ---------------------------------------------------------------------------------------------
# Vérifications communes et méthode indépendante
# ---------------------------------------------------------------------------------------------
def _verifier_contraintes(p: Probleme, affectations: set) -> None:
    par_c = defaultdict(list)
    for j, c in affectations:
        par_c[c].append(j)
    for c, jures in par_c.items():
        libres = [j for j in jures if (j, c) not in p.gardees]
        orgs = [p.organisation_de[j] for j in jures]
        assert len(jures) <= max(p.k, sum(1 for j in jures if (j, c) in p.gardees))
        # Les nouvelles affectations n'ajoutent jamais une organisation déjà présente.
        assert len({p.organisation_de[j] for j in libres}) == len(libres)
        assert len(set(orgs)) == len(orgs) or any((j, c) in p.gardees for j in jures)
        assert all((j, c) not in p.conflits for j in libres)


def _options(p: Probleme, c) -> list[tuple]:
    """Les ensembles d'évaluateurs possibles de c, de taille maximale (énumération) : les
    gardés, plus des jurés sans conflit d'organisations toutes différentes et nouvelles."""
    gardes = tuple(j for j, c2 in sorted(p.gardees) if c2 == c)
    orgs_gardees = {p.organisation_de[j] for j in gardes}
    jures = [
        j
        for j in p.organisation_de
        if (j, c) not in p.conflits and j not in gardes and p.organisation_de[j] not in orgs_gardees
    ]
    meilleures, taille = [], -1
    for n in range(max(0, min(p.k - len(gardes), len(jures))), -1, -1):
        for combinaison in itertools.combinations(jures, n):
            if len({p.organisation_de[j] for j in combinaison}) == n:
                meilleures.append(gardes + combinaison)
        if meilleures:
            taille = n
            break
    assert taille >= 0
    return meilleures


def _optimum_exhaustif(p: Probleme) -> tuple[int, int]:
    """(nombre maximal d'affectations, plus petit écart de charge parmi elles)."""
    options = [_options(p, c) for c in p.candidatures]
    total = sum(len(o[0]) for o in options)
    meilleur_ecart = None
    for choix in itertools.product(*options):
        charges = Counter({j: 0 for j in p.organisation_de})
        for jures in choix:
            charges.update(jures)
        ecart = max(charges.values()) - min(charges.values())
        if meilleur_ecart is None or ecart < meilleur_ecart:
            meilleur_ecart = ecart
            if ecart == 0:
                break
    return total, meilleur_ecart


@st.composite
def petits_problemes(draw):
    nb_orgs = draw(st.integers(1, 4))
    nb_jures = draw(st.integers(1, 6))
    organisation_de = {j: draw(st.integers(0, nb_orgs - 1)) for j in range(nb_jures)}
    candidatures = list(range(100, 100 + draw(st.integers(1, 4))))
    paires = [(j, c) for j in organisation_de for c in candidatures]
    conflits = set(draw(st.lists(st.sampled_from(paires), max_size=len(paires) // 2)))
    # Des affectations gardées (faites à la main ou commencées), jamais en conflit.
    libres = [paire for paire in paires if paire not in conflits]
    gardees = set(draw(st.lists(st.sampled_from(libres), max_size=3))) if libres else set()
    # Et des affectations automatiques précédentes, qu'on peut déplacer.
    autres = [paire for paire in libres if paire not in gardees]
    precedentes = set(draw(st.lists(st.sampled_from(autres), max_size=3))) if autres else set()
    return Probleme(
        k=draw(st.integers(1, 3)),
        candidatures=candidatures,
        organisation_de=organisation_de,
        conflits=conflits,
        gardees=gardees,
        precedentes=precedentes,
    )


# ---------------------------------------------------------------------------------------------
# Propriétés, sans base
# ---------------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(petits_problemes())
def test_affectation_optimale_contre_enumeration_sur_petites_instances(p):
    solution = resoudre(p)

    total, ecart = _optimum_exhaustif(p)
    _verifier_contraintes(p, solution.affectations)
    assert p.gardees <= solution.affectations
    assert len(solution.affectations) == total
    charges = Counter({j: 0 for j in p.organisation_de})
    charges.update(j for j, _c in solution.affectations)
    assert max(charges.values()) - min(charges.values()) == ecart
    assert solution.borne_haute - solution.borne_basse == ecart


@settings(max_examples=200, deadline=None)
@given(petits_problemes())
def test_affectation_signale_exactement_les_candidatures_incompletes(p):
    solution = resoudre(p)

    servies = Counter(c for _j, c in solution.affectations)
    orgs = defaultdict(set)
    for j, c in solution.affectations:
        orgs[c].add(p.organisation_de[j])
    incompletes = sorted(c for c in p.candidatures if servies[c] < p.k or len(orgs[c]) < p.k)
    assert sorted(m.candidature for m in solution.manques) == incompletes
    for manque in solution.manques:
        assert manque.obtenus == servies[manque.candidature]
        assert manque.raison != ""


@pytest.mark.parametrize("graine", range(25))
def test_affectation_grandes_instances_aleatoires(graine):
    hasard = random.Random(graine)
    nb_orgs = hasard.randint(2, 5)
    organisation_de = {j: j % nb_orgs for j in range(hasard.randint(nb_orgs, 15))}
    candidatures = list(range(hasard.randint(5, 40)))
    conflits = {(j, c) for j in organisation_de for c in candidatures if hasard.random() < 0.08}
    p = Probleme(
        k=hasard.randint(1, 3),
        candidatures=candidatures,
        organisation_de=organisation_de,
        conflits=conflits,
    )

    solution = resoudre(p)

    _verifier_contraintes(p, solution.affectations)
    # Indépendamment : sans capacité de juré, chaque candidature reçoit autant d'évaluateurs
    # que d'organisations ayant un juré sans conflit, dans la limite de k.
    attendu = sum(
        min(p.k, len({o for j, o in organisation_de.items() if (j, c) not in conflits}))
        for c in candidatures
    )
    assert len(solution.affectations) == attendu
    if not conflits:
        assert solution.ecart <= 1


def test_affectation_sans_conflit_charges_a_un_pres():
    p = Probleme(k=3, candidatures=list(range(85)), organisation_de={j: j % 5 for j in range(15)})

    solution = resoudre(p)

    assert len(solution.affectations) == 255
    assert (solution.borne_basse, solution.borne_haute) == (17, 17)
    assert solution.manques == []


def test_affectation_relancee_garde_tout_et_complete():
    organisation_de = {j: j % 3 for j in range(6)}
    p = Probleme(k=2, candidatures=list(range(10)), organisation_de=organisation_de)
    premiere = resoudre(p)
    gardees = set(sorted(premiere.affectations)[:5])  # commencées ou faites à la main

    relance = resoudre(
        Probleme(
            k=2,
            candidatures=list(range(12)),  # deux candidatures de plus
            organisation_de=organisation_de,
            gardees=gardees,
            precedentes=premiere.affectations - gardees,
        )
    )

    assert gardees <= relance.affectations
    assert relance.retirees == set()  # l'équilibre n'exige aucun déplacement ici
    assert {c for _j, c in relance.nouvelles} == {10, 11}
    assert relance.ecart <= 1


def test_affectation_relancee_sans_changement_ne_deplace_rien():
    p = Probleme(k=3, candidatures=list(range(20)), organisation_de={j: j % 4 for j in range(9)})
    premiere = resoudre(p)

    relance = resoudre(
        Probleme(
            k=3,
            candidatures=p.candidatures,
            organisation_de=p.organisation_de,
            precedentes=premiere.affectations,
        )
    )

    assert relance.nouvelles == set()
    assert relance.retirees == set()


def test_affectation_gardee_surchargee_equilibre_les_autres():
    organisation_de = {j: j % 3 for j in range(6)}
    gardees = {(0, c) for c in range(8)}

    solution = resoudre(
        Probleme(
            k=1, candidatures=list(range(12)), organisation_de=organisation_de, gardees=gardees
        )
    )

    charges = Counter(j for j, _c in solution.affectations)
    assert charges[0] == 8
    assert sorted(charges[j] for j in range(1, 6)) == [0, 1, 1, 1, 1]


def test_affectation_trop_peu_d_organisations_dit_laquelle_manque():
    p = Probleme(k=3, candidatures=["V1-0007"], organisation_de={1: "Cnam", 2: "AdCF"})

    solution = resoudre(p)

    assert [(m.candidature, m.obtenus, m.voulus) for m in solution.manques] == [("V1-0007", 2, 3)]
    assert solution.manques[0].raison == (
        "le jury de la vague ne compte que 2 organisations pour 3 évaluateurs demandés"
    )


def test_affectation_trop_de_conflits_nomme_l_organisation_bloquee():
    p = Probleme(
        k=3,
        candidatures=["V1-0007", "V1-0008"],
        organisation_de={1: "Cnam", 2: "AdCF", 3: "Villes de France", 4: "Villes de France"},
        conflits={(3, "V1-0007"), (4, "V1-0007")},
    )

    solution = resoudre(p)

    assert [(m.candidature, m.obtenus) for m in solution.manques] == [("V1-0007", 2)]
    assert solution.manques[0].raison == (
        "seules 2 organisations ont un juré sans conflit d'intérêts "
        "(trop de conflits : tous les jurés de Villes de France sont en conflit)"
    )


# ---------------------------------------------------------------------------------------------
# L'affectation d'une vague en base
# ---------------------------------------------------------------------------------------------
def _vague_avec_jury(nb_par_org: int = 2, nb_candidatures: int = 10, k: int = 3) -> Vague:
    vague = f.VagueFactory(numero=5, statut=Vague.Statut.EXAMEN_JURY, nb_evaluateurs=k)
    for organisation in Organisation.objects.all():
        for _ in range(nb_par_org):
            f.JureFactory(vague=vague, organisation=organisation)
    for _ in range(nb_candidatures):
        f.CandidatureFactory(vague=vague, statut=Candidature.Statut.RECEVABLE)
    return vague


def test_affecter_vague_donne_k_organisations_et_previent_les_jures(
    db, equipe, django_capture_on_commit_callbacks
):
    vague = _vague_avec_jury()

    with django_capture_on_commit_callbacks(execute=True):
        rapport = affecter_vague(vague, par=equipe, url_mes_evaluations="https://exemple/jury/")

    assert rapport.creees == 30
    assert rapport.manques == []
    assert (rapport.borne_basse, rapport.borne_haute) == (3, 3)
    for candidature in vague.candidatures.all():
        orgs = list(candidature.affectations.values_list("jure__organisation", flat=True))
        assert len(orgs) == 3
        assert len(set(orgs)) == 3
    assert Courriel.objects.filter(categorie="affectation").count() == 10
    assert Courriel.objects.filter(statut="envoye").count() == 10


def test_affecter_vague_relancee_garde_manuelles_et_commencees(db, equipe):
    vague = _vague_avec_jury(nb_candidatures=6)
    affecter_vague(vague, par=equipe, notifier=False)
    commencee = Affectation.objects.filter(candidature__vague=vague).first()
    f.EvaluationFactory(affectation=commencee)
    manuelle = Affectation.objects.filter(candidature__vague=vague).exclude(pk=commencee.pk).first()
    Affectation.objects.filter(pk=manuelle.pk).update(manuelle=True)
    nouvelle = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.RECEVABLE)

    rapport = affecter_vague(vague, par=equipe, notifier=False)

    assert Affectation.objects.filter(pk__in=[commencee.pk, manuelle.pk]).count() == 2
    assert nouvelle.affectations.count() == 3
    assert rapport.manques == []
    assert rapport.borne_haute - rapport.borne_basse <= 1


def test_affecter_vague_jamais_un_jure_en_conflit(db, equipe):
    vague = _vague_avec_jury(nb_par_org=1, nb_candidatures=3)
    candidature = vague.candidatures.first()
    en_conflit = vague.jures.first()
    Conflit.objects.create(jure=en_conflit, candidature=candidature, motif="Élu")

    affecter_vague(vague, par=equipe, notifier=False)

    assert not Affectation.objects.filter(jure=en_conflit, candidature=candidature).exists()
    assert candidature.affectations.count() == 3


def test_affecter_vague_infaisable_dit_quelles_candidatures_et_pourquoi(db, equipe):
    vague = f.VagueFactory(numero=6, statut=Vague.Statut.EXAMEN_JURY, nb_evaluateurs=3)
    cnam, acv = Organisation.objects.order_by("ordre")[:2]
    f.JureFactory(vague=vague, organisation=cnam)
    f.JureFactory(vague=vague, organisation=acv)
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN)

    rapport = affecter_vague(vague, par=equipe, notifier=False)

    assert rapport.manques == [
        f"{candidature.reference} : 2 évaluateurs sur 3 — le jury de la vague ne compte que "
        "2 organisations pour 3 évaluateurs demandés."
    ]
    assert candidature.affectations.count() == 2


def test_affecter_vague_ignore_les_candidatures_non_recevables(db, equipe):
    vague = _vague_avec_jury(nb_par_org=1, nb_candidatures=0)
    recue = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.RECUE)

    rapport = affecter_vague(vague, par=equipe, notifier=False)

    assert rapport.creees == 0
    assert recue.affectations.count() == 0


def test_affecter_vague_garde_l_evaluation_soumise(db, equipe):
    vague = _vague_avec_jury(nb_par_org=1, nb_candidatures=2)
    affecter_vague(vague, par=equipe, notifier=False)
    affectation = Affectation.objects.filter(candidature__vague=vague).first()
    f.EvaluationFactory(
        affectation=affectation,
        statut=Evaluation.Statut.SOUMISE,
        avis="favorable",
        soumise_le="2019-09-10T10:00:00+02:00",
    )

    affecter_vague(vague, par=equipe, notifier=False)

    assert Evaluation.objects.get(affectation=affectation).statut == Evaluation.Statut.SOUMISE


def test_affecter_vague_relancee_liste_par_jure_les_candidatures_retirees(db, equipe):
    vague = f.VagueFactory(numero=7, statut=Vague.Statut.EXAMEN_JURY, nb_evaluateurs=1)
    cnam, acv, adcf = Organisation.objects.order_by("ordre")[:3]
    a = f.JureFactory(vague=vague, organisation=cnam)
    b = f.JureFactory(vague=vague, organisation=acv)
    for _ in range(4):
        f.CandidatureFactory(vague=vague, statut=Candidature.Statut.RECEVABLE)
    premier = affecter_vague(vague, par=equipe, notifier=False)
    assert premier.retirees_par_jure == {}
    avant = set(Affectation.objects.values_list("jure_id", "candidature_id"))
    # Un juré de plus : l'équilibre (2, 1, 1) retire une candidature à a ou à b.
    c = f.JureFactory(vague=vague, organisation=adcf)

    rapport = affecter_vague(vague, par=equipe, notifier=False)

    apres = set(Affectation.objects.values_list("jure_id", "candidature_id"))
    assert rapport.retirees == 1
    [(jure_id, [candidature])] = rapport.retirees_par_jure.items()
    assert jure_id in (a.pk, b.pk)
    assert isinstance(candidature, Candidature)
    assert avant - apres == {(jure_id, candidature.pk)}
    assert apres - avant == {(c.pk, candidature.pk)}
    assert Courriel.objects.count() == 0  # la vue prévient, pas le calcul


def test_jure_dont_l_equilibrage_deplace_une_candidature_est_prevenu(
    client_de, equipe, django_capture_on_commit_callbacks
):
    from django.core import mail

    vague = f.VagueFactory(numero=7, statut=Vague.Statut.EXAMEN_JURY, nb_evaluateurs=1)
    cnam, acv, adcf = Organisation.objects.order_by("ordre")[:3]
    anciens = [f.JureFactory(vague=vague, organisation=o) for o in (cnam, acv)]
    for _ in range(4):
        f.CandidatureFactory(vague=vague, statut=Candidature.Statut.RECEVABLE)
    affecter_vague(vague, par=equipe, notifier=False)
    f.JureFactory(vague=vague, organisation=adcf)
    client = client_de(equipe)

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(reverse("jury_affecter", args=[vague.pk]), follow=True)

    [perdue] = Candidature.objects.filter(affectations__jure__organisation=adcf)
    retraits = [m for m in mail.outbox if "ne vous est plus confiée" in m.subject]
    assert len(retraits) == 1
    assert perdue.reference in retraits[0].body
    assert retraits[0].to[0] in {j.utilisateur.email for j in anciens}
    assert "1 juré(s) prévenu(s) des candidatures qui leur sont retirées" in (
        reponse.content.decode()
    )


def test_affecter_vague_ne_retire_ni_commencees_ni_manuelles(db, equipe):
    vague = f.VagueFactory(numero=8, statut=Vague.Statut.EXAMEN_JURY, nb_evaluateurs=1)
    cnam, acv, adcf = Organisation.objects.order_by("ordre")[:3]
    f.JureFactory(vague=vague, organisation=cnam)
    f.JureFactory(vague=vague, organisation=acv)
    for _ in range(4):
        f.CandidatureFactory(vague=vague, statut=Candidature.Statut.RECEVABLE)
    affecter_vague(vague, par=equipe, notifier=False)
    affectations = list(Affectation.objects.order_by("pk"))
    for affectation in affectations[::2]:
        f.EvaluationFactory(affectation=affectation)
    Affectation.objects.filter(pk__in=[x.pk for x in affectations[1::2]]).update(manuelle=True)
    f.JureFactory(vague=vague, organisation=adcf)

    rapport = affecter_vague(vague, par=equipe, notifier=False)

    assert rapport.retirees == 0
    assert rapport.retirees_par_jure == {}
    assert Affectation.objects.count() == 4


# ---------------------------------------------------------------------------------------------
# Affectation à la main
# ---------------------------------------------------------------------------------------------
def test_ajouter_affectation_avertit_si_l_organisation_evalue_deja(db, equipe):
    vague = f.VagueFactory(numero=9, statut=Vague.Statut.EXAMEN_JURY, nb_evaluateurs=3)
    cnam, acv = Organisation.objects.order_by("ordre")[:2]
    premier = f.JureFactory(vague=vague, organisation=cnam)
    meme_org = f.JureFactory(vague=vague, organisation=cnam)
    autre_org = f.JureFactory(vague=vague, organisation=acv)
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN)

    sans_souci = ajouter_affectation(premier, candidature, par=equipe)
    ailleurs = ajouter_affectation(autre_org, candidature, par=equipe)
    doublon = ajouter_affectation(meme_org, candidature, par=equipe)

    assert isinstance(doublon, Affectation)
    assert doublon.pk and doublon.manuelle  # l'affectation est faite malgré tout
    assert sans_souci.avertissement == ""
    assert ailleurs.avertissement == ""
    assert doublon.avertissement == (
        f"Attention : {candidature.reference} est déjà évaluée par {premier}, de la même "
        f"organisation ({cnam.nom}) : avec {meme_org}, cette organisation y compte "
        "2 évaluateurs au lieu d'un seul."
    )
    assert avertissement_meme_organisation(autre_org, candidature) == ""
