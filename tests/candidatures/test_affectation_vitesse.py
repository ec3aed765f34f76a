"""L'affectation automatique quand les conflits abondent : mêmes garanties, et un nombre fixe de
calculs de flot (comptés, pas chronométrés) ; contre une recherche directe des bornes de charge
sur des instances moyennes, trop grandes pour l'énumération."""

from __future__ import annotations

import random
from collections import Counter, defaultdict

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from candidatures.affectation import Probleme, resoudre

from .test_affectation import _optimum_exhaustif, _verifier_contraintes, petits_problemes

# Tous les points d'entrée de networkx qui calculent un flot.
CALCULS_DE_FLOT = (
    "network_simplex",
    "min_cost_flow",
    "min_cost_flow_cost",
    "max_flow_min_cost",
    "capacity_scaling",
    "maximum_flow",
    "maximum_flow_value",
    "minimum_cut",
    "minimum_cut_value",
)


def _compteur(compte: Counter, nom: str):
    fonction = getattr(nx, nom)

    def compteur(*args, **kwargs):
        compte[nom] += 1
        return fonction(*args, **kwargs)

    return compteur


@pytest.fixture
def calculs(monkeypatch) -> Counter:
    """Compte les appels à networkx, par fonction."""
    compte = Counter()
    for nom in CALCULS_DE_FLOT:
        monkeypatch.setattr(nx, nom, _compteur(compte, nom))
    return compte


def _jure_en_conflit_avec_tout(nb_candidatures: int, nb_jures: int) -> Probleme:
    return Probleme(
        k=3,
        candidatures=list(range(nb_candidatures)),
        organisation_de={j: j % 5 for j in range(nb_jures)},
        conflits={(0, c) for c in range(nb_candidatures)},
    )


def _nombre_de_flots_maximaux(calculs: Counter) -> int:
    return sum(n for nom, n in calculs.items() if nom != "network_simplex")


# ---------------------------------------------------------------------------------------------
# Un juré en conflit avec toutes les candidatures (le cas de l'audit)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("nb_candidatures", "nb_jures"), [(85, 15), (200, 25), (400, 40)])
def test_jure_en_conflit_avec_tout_memes_garanties_et_peu_de_calculs(
    calculs, nb_candidatures, nb_jures
):
    p = _jure_en_conflit_avec_tout(nb_candidatures, nb_jures)

    solution = resoudre(p)

    _verifier_contraintes(p, solution.affectations)
    # Chaque candidature a ses 3 évaluateurs : les jurés 5, 10… de l'organisation 0 suffisent.
    assert len(solution.affectations) == 3 * nb_candidatures
    assert solution.manques == []
    # Le juré exclu reste à 0 et compte dans l'écart (sémantique inchangée) ; les autres se
    # partagent les affectations à un près : l'écart minimal est la charge maximale minimale.
    assert solution.charges[0] == 0
    q, reste = divmod(3 * nb_candidatures, nb_jures - 1)
    autres = sorted(n for j, n in solution.charges.items() if j != 0)
    assert autres == [q] * (nb_jures - 1 - reste) + [q + 1] * reste
    assert (solution.borne_basse, solution.borne_haute) == (0, q + (1 if reste else 0))
    # Un seul flot de coût minimal, un flot maximal (vérification de la borne haute), quelle
    # que soit la taille (avant : un flot de coût minimal par couple de bornes essayé, 190 à
    # 85 × 15, près de 500 à 400 × 40).
    assert calculs["network_simplex"] == 1
    assert _nombre_de_flots_maximaux(calculs) <= 2


def test_jure_en_conflit_avec_tout_en_relance_garde_ce_qui_peut_l_etre(calculs):
    premiere = resoudre(_jure_en_conflit_avec_tout(85, 15))
    gardees = {a for a in sorted(premiere.affectations) if a[1] % 7 == 0}
    # Trois jurés de plus, un conflit de plus avec tout : des affectations bougent.
    organisation_de = {j: j % 5 for j in range(18)}
    conflits = {(j, c) for j in (0, 1) for c in range(90)} - gardees
    p = Probleme(
        k=3,
        candidatures=list(range(90)),
        organisation_de=organisation_de,
        conflits=conflits,
        gardees=gardees,
        precedentes=premiere.affectations - gardees - conflits,
    )
    calculs.clear()

    solution = resoudre(p)

    _verifier_contraintes(p, solution.affectations)
    assert gardees <= solution.affectations
    assert len(solution.affectations) == 270
    assert calculs["network_simplex"] == 1
    assert _nombre_de_flots_maximaux(calculs) <= 3
    # Les deux jurés exclus n'ont que leurs gardées ; les autres, à un près.
    assert all(solution.charges[j] == sum(1 for j2, _c in gardees if j2 == j) for j in (0, 1))
    autres = [n for j, n in solution.charges.items() if j not in (0, 1)]
    assert max(autres) - min(autres) <= 1


# ---------------------------------------------------------------------------------------------
# Petites instances avec un juré exclu : contre l'énumération
# ---------------------------------------------------------------------------------------------
@st.composite
def petits_problemes_avec_un_jure_exclu(draw):
    p = draw(petits_problemes())
    exclu = draw(st.sampled_from(sorted(p.organisation_de)))
    p.conflits |= {(exclu, c) for c in p.candidatures}
    p.gardees = {(j, c) for j, c in p.gardees if j != exclu}
    p.precedentes = {(j, c) for j, c in p.precedentes if j != exclu}
    return p


@settings(max_examples=200, deadline=None)
@given(petits_problemes_avec_un_jure_exclu())
def test_un_jure_exclu_contre_enumeration(p):
    solution = resoudre(p)

    total, ecart = _optimum_exhaustif(p)
    _verifier_contraintes(p, solution.affectations)
    assert p.gardees <= solution.affectations
    assert len(solution.affectations) == total
    assert solution.borne_haute - solution.borne_basse == ecart


# ---------------------------------------------------------------------------------------------
# Instances moyennes : contre une recherche directe des bornes (la méthode d'origine, écrite
# simplement : réseau complet, un flot de coût minimal par couple de bornes essayé)
# ---------------------------------------------------------------------------------------------
def _recherche_directe(p: Probleme) -> tuple:
    """(valeur, charge minimale, charge maximale, Σ charge², précédentes perdues) du flot de
    coût minimal aux bornes de l'écart minimal et, à cet écart, de la plus petite borne basse."""
    jures = sorted(p.organisation_de)
    gardee_de = Counter(j for j, _c in p.gardees)
    g = nx.DiGraph()
    for c in p.candidatures:
        gardes = [j for j, c2 in p.gardees if c2 == c]
        orgs_gardees = {p.organisation_de[j] for j in gardes}
        g.add_edge("s", ("c", c), capacity=max(0, p.k - len(gardes)), weight=0)
        for j in jures:
            org = p.organisation_de[j]
            if org in orgs_gardees or (j, c) in p.conflits:
                continue
            g.add_edge(("c", c), ("o", c, org), capacity=1, weight=0)
            g.add_edge(
                ("o", c, org), ("j", j), capacity=1, weight=0 if (j, c) in p.precedentes else 1
            )
    for j in jures:
        g.add_node(("j", j))
    libre = g.copy()
    for j in jures:
        libre.add_edge(("j", j), "t", capacity=len(p.candidatures))
    valeur = nx.maximum_flow_value(libre, "s", "t")
    poids = 10 * (len(p.candidatures) * len(jures) + 1)
    total = sum(gardee_de.values()) + valeur
    moyenne_haute = -(-total // len(jures))
    for ecart in range(total + 1):
        # U ≥ moyenne ≥ L, comme la méthode d'origine.
        for basse in range(max(0, moyenne_haute - ecart), total // len(jures) + 1):
            h = g.copy()
            haute, total_basses = basse + ecart, 0
            for j in jures:
                mini, maxi = max(0, basse - gardee_de[j]), haute - gardee_de[j]
                if maxi < mini:
                    break
                for i in range(mini, maxi):
                    charge = gardee_de[j] + i + 1
                    h.add_edge(("j", j), ("u", j, i), capacity=1, weight=poids * (2 * charge - 1))
                    h.add_edge(("u", j, i), "t", capacity=1, weight=0)
                h.nodes[("j", j)]["demand"] = mini
                total_basses += mini
            else:
                if total_basses > valeur:
                    continue
                h.nodes["s"]["demand"] = -valeur
                h.add_node("t", demand=valeur - total_basses)
                try:
                    _cout, flot = nx.network_simplex(h)
                except nx.NetworkXUnfeasible:
                    continue
                charges = {j: gardee_de[j] for j in jures}
                perdues = len(p.precedentes)
                for noeud, sorties in flot.items():
                    if noeud[0] == "o":
                        for (_j, j), q in sorties.items():
                            charges[j] += q
                            if q and (j, noeud[1]) in p.precedentes:
                                perdues -= 1
                sommes = sum(n * n for n in charges.values())
                return valeur, min(charges.values()), max(charges.values()), sommes, perdues
    raise AssertionError("aucune borne réalisable")


def _mesures(p: Probleme, solution) -> tuple:
    return (
        len(solution.affectations) - len(p.gardees),
        solution.borne_basse,
        solution.borne_haute,
        sum(n * n for n in solution.charges.values()),
        len(solution.retirees),
    )


def _instance_moyenne(graine: int) -> Probleme:
    hasard = random.Random(graine)
    nb_orgs = hasard.randint(2, 5)
    organisation_de = {j: hasard.randrange(nb_orgs) for j in range(hasard.randint(3, 9))}
    candidatures = list(range(hasard.randint(6, 16)))
    taux = hasard.choice([0.0, 0.05, 0.2, 0.5])
    conflits = {(j, c) for j in organisation_de for c in candidatures if hasard.random() < taux}
    if graine % 2:  # un juré en conflit avec tout
        conflits |= {(0, c) for c in candidatures}
    libres = [(j, c) for j in organisation_de for c in candidatures if (j, c) not in conflits]
    gardees = {paire for paire in libres if hasard.random() < 0.06}
    precedentes = {paire for paire in libres if paire not in gardees and hasard.random() < 0.15}
    return Probleme(
        k=hasard.randint(1, 3),
        candidatures=candidatures,
        organisation_de=organisation_de,
        conflits=conflits,
        gardees=gardees,
        precedentes=precedentes,
    )


@pytest.mark.parametrize("graine", range(30))
def test_instances_moyennes_contre_recherche_directe(graine):
    p = _instance_moyenne(graine)

    solution = resoudre(p)

    _verifier_contraintes(p, solution.affectations)
    assert p.gardees <= solution.affectations
    # Même valeur, mêmes bornes (écart minimal, borne basse la plus haute), mêmes charges au
    # sens de Σ charge², autant d'affectations précédentes gardées.
    assert _mesures(p, solution) == _recherche_directe(p)
    # Toute candidature incomplète est signalée.
    par_c = defaultdict(set)
    for j, c in solution.affectations:
        par_c[c].add(p.organisation_de[j])
    assert {m.candidature for m in solution.manques} == {
        c for c in p.candidatures if len(par_c[c]) < p.k
    }
