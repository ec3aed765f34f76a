"""L'affectation des jurés aux candidatures, les conflits d'intérêts et les ajustements à la main.

Le calcul (`resoudre`) est un flot de coût minimal, exact, sur des données simples :

    source → candidature              capacité k − évaluateurs gardés
    candidature → (candidature, org)  capacité 1, organisation absente des gardés
    (candidature, org) → juré         juré de l'organisation, sans conflit
    juré → puits                      charge totale (gardées comprises) dans [L, U]

(`_graphe` le réduit sans en changer le sens : candidatures interchangeables réunies, jurés
permis d'une organisation partagés ; sa taille suit le nombre de profils de conflits.)

On veut, dans l'ordre : le nombre maximal d'affectations (le flot maximal sans borne de
charge) ; parmi ces flots, le plus petit écart entre la charge la plus forte et la plus faible,
tous jurés comptés (un juré en conflit avec tout reste à 0 et compte dans l'écart) ; à cet
écart, des charges au plus égales (Σ charge² minimale) ; enfin le plus d'affectations
automatiques précédentes gardées (coût 0 pour elles, 1 pour une nouvelle).

Un seul flot de coût minimal y suffit. Les vecteurs de charges des flots maximaux sont les
points entiers d'une base de polymatroïde (le rang d'un ensemble de jurés est le flot maximal
vers eux), translatée des charges gardées : un ensemble M-convexe. Deux résultats classiques :

- des bornes communes (L, U) sont réalisables si et seulement si L ≤ L* et U ≥ U*, où L* est
  la plus forte charge minimale atteignable et U* la plus faible charge maximale (théorème du
  sandwich de Frank : les conditions sur les bornes basses et hautes se séparent) ; l'écart
  minimal est donc U* − L* ;
- sur un ensemble M-convexe, les vecteurs de Σ charge² minimale sont décroissant-minimaux et
  croissant-maximaux (Frank et Murota, « Discrete decreasing minimization ») : leur charge
  maximale est U* et leur charge minimale L*.

Le flot de coût minimal pour « Σ charge² d'abord, puis affectations précédentes gardées » a
donc pour bornes exactement (L*, U*), et c'est l'optimum de ce coût entre ces bornes. Les
bornes données au flot ne servent qu'à garder le réseau petit : U ≥ U* (`_haute_suffisante`)
et L ≤ L* (`_basse_sure`), chacune obtenue par au plus un flot maximal dans les cas courants.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field

import networkx as nx
from django.db import transaction
from django.urls import reverse

from acv.erreurs import ErreurMetier, TransitionRefusee

from .models import Affectation, Candidature, Conflit, Evaluation, Jure, Vague

# Les candidatures que l'affectation automatique sert.
STATUTS_A_AFFECTER = (Candidature.Statut.RECEVABLE, Candidature.Statut.EN_EXAMEN)


# ---------------------------------------------------------------------------------------------
# Le calcul, sans base de données
# ---------------------------------------------------------------------------------------------
@dataclass
class Probleme:
    """Une instance : k, les candidatures, les jurés et leur organisation, les conflits.

    `gardees` : les paires (juré, candidature) à conserver telles quelles (faites à la main ou
    dont l'évaluation est commencée) ; `precedentes` : les affectations automatiques non
    commencées, qu'on garde de préférence mais qui peuvent être déplacées.
    """

    k: int
    candidatures: list[Hashable]
    organisation_de: dict[Hashable, Hashable]
    conflits: set[tuple[Hashable, Hashable]] = field(default_factory=set)
    gardees: set[tuple[Hashable, Hashable]] = field(default_factory=set)
    precedentes: set[tuple[Hashable, Hashable]] = field(default_factory=set)


@dataclass
class Manque:
    """Une candidature qui n'a pas ses k évaluateurs, et pourquoi."""

    candidature: Hashable
    obtenus: int
    voulus: int
    raison: str


@dataclass
class Solution:
    affectations: set[tuple[Hashable, Hashable]]  # toutes, gardées comprises
    nouvelles: set[tuple[Hashable, Hashable]]  # celles qui n'existaient pas
    retirees: set[tuple[Hashable, Hashable]]  # précédentes automatiques abandonnées
    charges: dict[Hashable, int]
    borne_basse: int
    borne_haute: int
    manques: list[Manque]

    @property
    def ecart(self) -> int:
        return self.borne_haute - self.borne_basse


def _pluriel(n: int, singulier: str, pluriel: str) -> str:
    return f"{n} {singulier if n == 1 else pluriel}"


@dataclass
class _Reseau:
    """Le réseau sans arcs juré → puits, et de quoi le compléter puis lire le flot."""

    g: nx.DiGraph
    jures: list
    gardee_de: dict  # charge gardée de chaque juré
    portee: dict  # nombre de candidatures que chaque juré peut encore recevoir
    valeur: int  # nombre maximal d'affectations nouvelles (flot maximal sans borne de charge)
    classes: list  # candidatures interchangeables : le nœud ("t", i) sert classes[i]
    une_a_une: list  # candidatures servies chacune par son nœud ("c", c)
    poids_charge: int  # l'équilibre l'emporte sur tout changement évité

    @property
    def plafond(self) -> dict:
        """La charge que chaque juré atteindrait en recevant tout ce qu'il peut recevoir."""
        return {j: self.gardee_de[j] + self.portee[j] for j in self.jures}

    @property
    def total(self) -> int:
        return sum(self.gardee_de.values()) + self.valeur


def _graphe(p: Probleme) -> _Reseau:
    """Le réseau sans bornes de charge, réduit sans rien perdre de son sens.

    Réservoirs : les jurés d'une organisation permis pour une candidature sont ceux qui ne sont
    pas en conflit avec elle ; toutes les candidatures qui excluent les mêmes jurés de cette
    organisation passent par un même nœud ("r", i) relié à ces jurés-là, au lieu d'un arc par
    (candidature, juré). Chaque candidature y envoie au plus une unité, donc le flot sortant
    se répartit entre ses candidatures dans n'importe quel ordre.

    Classes : les candidatures sans affectation gardée ni précédente qui ont les mêmes jurés en
    conflit sont interchangeables ; un nœud ("t", i) les représente toutes (n candidatures :
    capacité n·k depuis la source, n vers chaque organisation puisque chaque candidature n'a
    qu'un juré par organisation). La lecture du flot (`resoudre`) répartit ses unités en
    colonnes. Le réseau reste ainsi petit même quand un juré est en conflit avec tout.

    Une candidature qui a une affectation gardée ou précédente a son nœud ("c", c), et un nœud
    ("o", c, org) quand un juré précédent de l'organisation est encore permis : arc direct à
    coût nul vers lui, arc au coût 1 vers le réservoir (toute nouvelle affectation coûte 1).
    """
    g = nx.DiGraph()
    g.add_node("source")
    g.add_node("puits")
    jures = list(p.organisation_de)
    gardee_de = {j: 0 for j in jures}
    orgs_gardees = defaultdict(set)
    nb_gardes = defaultdict(int)
    for jure, candidature in p.gardees:
        gardee_de[jure] += 1
        nb_gardes[candidature] += 1
        orgs_gardees[candidature].add(p.organisation_de[jure])
    jures_par_org = defaultdict(list)
    for jure, org in p.organisation_de.items():
        jures_par_org[org].append(jure)
        g.add_node(("j", jure))
    portee = {j: 0 for j in jures}
    en_conflit_avec = defaultdict(set)
    for j, c in p.conflits:
        en_conflit_avec[c].add(j)
    reservoirs: dict[tuple, tuple] = {}

    def reservoir(org, en_conflit: set) -> tuple:
        exclus = frozenset(j for j in jures_par_org[org] if j in en_conflit)
        if (org, exclus) not in reservoirs:
            noeud = reservoirs[org, exclus] = ("r", len(reservoirs))
            for j in jures_par_org[org]:
                if j not in exclus:
                    g.add_edge(noeud, ("j", j), weight=0)
        return reservoirs[org, exclus]

    def possibles(en_conflit: set, exclues: set = frozenset()) -> list:
        """Les organisations (et leurs jurés permis) qui peuvent servir une candidature."""
        resultat = []
        for org, jures_org in jures_par_org.items():
            libres = [j for j in jures_org if j not in en_conflit]
            if libres and org not in exclues:
                resultat.append((org, libres))
        return resultat

    valeur = 0
    touchees = _touchees(p)
    par_profil: dict[frozenset, list] = {}
    une_a_une = []
    for c in p.candidatures:
        if c in touchees:
            une_a_une.append(c)
        else:
            par_profil.setdefault(frozenset(en_conflit_avec[c]), []).append(c)
    classes = list(par_profil.values())
    for i, membres in enumerate(classes):
        n, en_conflit = len(membres), en_conflit_avec[membres[0]]
        orgs = possibles(en_conflit)
        if not orgs or p.k <= 0:
            continue
        g.add_edge("source", ("t", i), capacity=n * p.k, weight=0)
        for org, libres in orgs:
            g.add_edge(("t", i), reservoir(org, en_conflit), capacity=n, weight=1)
            for j in libres:
                portee[j] += n
        valeur += n * min(p.k, len(orgs))
    for c in une_a_une:
        besoin = p.k - nb_gardes[c]
        # Une paire gardée exclut déjà son organisation : ses jurés ne sont pas « libres ».
        orgs = possibles(en_conflit_avec[c], orgs_gardees[c])
        if besoin <= 0 or not orgs:
            continue
        g.add_edge("source", ("c", c), capacity=besoin, weight=0)
        for org, libres in orgs:
            precedents = [j for j in libres if (j, c) in p.precedentes]
            if precedents:
                g.add_edge(("c", c), ("o", c, org), capacity=1, weight=0)
                for j in precedents:
                    g.add_edge(("o", c, org), ("j", j), capacity=1, weight=0)
                g.add_edge(("o", c, org), reservoir(org, en_conflit_avec[c]), weight=1)
            else:
                g.add_edge(("c", c), reservoir(org, en_conflit_avec[c]), capacity=1, weight=1)
            for j in libres:
                portee[j] += 1
        valeur += min(besoin, len(orgs))
    # Sans borne de charge, chaque candidature (ou classe) est servie indépendamment : par
    # autant d'organisations ayant un juré permis qu'il lui en manque, au plus. `valeur` est
    # donc la valeur du flot maximal, sans le calculer.
    return _Reseau(
        g=g,
        jures=jures,
        gardee_de=gardee_de,
        portee=portee,
        valeur=valeur,
        classes=classes,
        une_a_une=une_a_une,
        poids_charge=g.number_of_edges() + 1,
    )


def _capacites_vers_puits(r: _Reseau, capacite: dict) -> None:
    for j in r.jures:
        r.g.add_edge(("j", j), "puits", capacity=capacite[j])


def _haute_suffisante(r: _Reseau) -> int:
    """Une charge maximale U ≥ U*, la plus faible charge maximale d'un flot maximal.

    Estimation par remplissage : la moyenne ne suffit pas quand des jurés ne peuvent pas
    recevoir leur part (conflits avec tout, gardées) ; chaque juré finit avec au plus
    min(U, plafond). L'estimation est vérifiée par un flot maximal et relevée (pas doublés)
    dans le cas rare où la répartition par organisation empêche de l'atteindre.
    """
    plafond = r.plafond
    plus_haut = max(plafond.values())
    haute = max(math.ceil(r.total / len(r.jures)), max(r.gardee_de.values()))
    while haute < plus_haut and sum(min(haute, plafond[j]) for j in r.jures) < r.total:
        haute += 1
    pas = 1
    while True:
        _capacites_vers_puits(
            r, {j: max(0, min(r.portee[j], haute - r.gardee_de[j])) for j in r.jures}
        )
        if nx.maximum_flow_value(r.g, "source", "puits") >= r.valeur:
            return haute
        if haute >= plus_haut:  # garde-fou : sans borne, le flot atteint toujours `valeur`
            raise AssertionError("aucune borne de charge réalisable")
        haute = min(haute + pas, plus_haut)
        pas *= 2


def _basse_sure(r: _Reseau, haute: int) -> int:
    """Une charge minimale L ≤ L*, la plus forte charge minimale d'un flot maximal.

    Essai : ni plus que la moyenne, ni plus que le plus petit plafond, ni plus que `haute`. Un
    flot maximal où chaque juré reçoit au plus ce qui le mène à l'essai donne des charges y,
    toutes ≤ `haute`. Ce flot se complète, par chemins augmentants dans le réseau borné par
    `haute`, en un flot de valeur `valeur` sans qu'aucun juré ne perde de charge (un chemin
    augmentant ne traverse pas le puits) : (min y, haute) est réalisable, donc min y ≤ L*, que
    l'essai soit atteint ou non.
    """
    essai = min(min(r.plafond.values()), r.total // len(r.jures), haute)
    if essai <= min(r.gardee_de.values()):
        return essai  # les gardées suffisent à l'assurer
    _capacites_vers_puits(r, {j: max(0, essai - r.gardee_de[j]) for j in r.jures})
    _valeur, flot = nx.maximum_flow(r.g, "source", "puits")
    return min(r.gardee_de[j] + flot[("j", j)]["puits"] for j in r.jures)


def _flot_equilibre(r: _Reseau, basse: int, haute: int) -> dict:
    """Le flot de valeur `r.valeur`, charges dans [basse, haute], de coût minimal : Σ charge²
    d'abord, puis le plus d'affectations précédentes gardées. Les bornes doivent encadrer
    [L*, U*] : le minimum est alors celui sans bornes. Remplace les arcs juré → puits."""
    g = r.g
    g.remove_edges_from([(("j", j), "puits") for j in r.jures if g.has_edge(("j", j), "puits")])
    total_basses = 0
    for j in r.jures:
        # La borne inférieure se reporte en demande (le juré reçoit `mini` de plus qu'il
        # n'envoie) ; au-delà, une unité par arc, au coût croissant avec la charge (Σ charge²,
        # convexe) : le flot remplit les charges les plus basses d'abord.
        mini = max(0, basse - r.gardee_de[j])
        for i in range(mini, min(r.portee[j], haute - r.gardee_de[j])):
            charge = r.gardee_de[j] + i + 1
            g.add_edge(("j", j), ("u", j, i), capacity=1, weight=r.poids_charge * (2 * charge - 1))
            g.add_edge(("u", j, i), "puits", capacity=1, weight=0)
        g.nodes[("j", j)]["demand"] = mini
        total_basses += mini
    g.nodes["source"]["demand"] = -r.valeur
    g.nodes["puits"]["demand"] = r.valeur - total_basses
    _cout, flot = nx.network_simplex(g)
    return flot


def _touchees(p: Probleme) -> set:
    """Les candidatures qui ont une affectation gardée ou précédente (servies une à une)."""
    return {c for _j, c in p.gardees | p.precedentes}


def _unites(flot: dict, noeud) -> list:
    """Les cibles du flot sortant de `noeud`, une par unité, dans un ordre fixe."""
    sorties = sorted(flot.get(noeud, {}).items(), key=lambda e: str(e[0]))
    return [cible for cible, quantite in sorties for _ in range(quantite)]


def resoudre(p: Probleme) -> Solution:
    """L'affectation maximale, aux charges les plus égales possible, qui garde le plus possible
    (voir le calcul en tête du module) : un ou deux flots maximaux (un de plus par relèvement
    de l'estimation de U, rare) et un seul flot de coût minimal, quels que soient les conflits."""
    jures = list(p.organisation_de)
    affectations = set(p.gardees)
    r = _graphe(p) if jures else None
    if r is not None and r.valeur:
        haute = _haute_suffisante(r)
        flot = _flot_equilibre(r, _basse_sure(r, haute), haute)
        vers_reservoir = defaultdict(list)
        for i, membres in enumerate(r.classes):
            # Les unités d'une classe, rangées réservoir par réservoir (un par organisation,
            # au plus n unités chacun), puis réparties en colonnes : jamais deux fois la même
            # organisation, ni plus de k évaluateurs, pour une même candidature.
            for u, cible in enumerate(_unites(flot, ("t", i))):
                vers_reservoir[cible].append(membres[u % len(membres)])
        for c in r.une_a_une:
            for sortie in _unites(flot, ("c", c)):
                # Par ("o", c, org) : le juré précédent gardé, ou le réservoir.
                for cible in _unites(flot, sortie) if sortie[0] == "o" else [sortie]:
                    if cible[0] == "j":
                        affectations.add((cible[1], c))
                    else:
                        vers_reservoir[cible].append(c)
        for reservoir, candidatures in vers_reservoir.items():
            # Chaque candidature n'y figure qu'une fois et tous ses jurés lui sont permis.
            jures_unites = [cible[1] for cible in _unites(flot, reservoir)]
            affectations.update(zip(jures_unites, candidatures, strict=True))
    charges = {j: 0 for j in jures}
    for j, _c in affectations:
        charges[j] += 1
    basse, haute = (min(charges.values()), max(charges.values())) if charges else (0, 0)
    return Solution(
        affectations=affectations,
        nouvelles=affectations - p.gardees - p.precedentes,
        retirees=p.precedentes - affectations,
        charges=charges,
        borne_basse=basse,
        borne_haute=haute,
        manques=_manques(p, affectations),
    )


def _manques(p: Probleme, affectations: set) -> list[Manque]:
    """Pour chaque candidature servie à moins de k, la contrainte qui l'en empêche."""
    par_candidature = defaultdict(list)
    for j, c in affectations:
        par_candidature[c].append(j)
    orgs_jury = set(p.organisation_de.values())
    manques = []
    for c in p.candidatures:
        jures = par_candidature[c]
        orgs = {p.organisation_de[j] for j in jures}
        if len(jures) >= p.k and len(orgs) >= p.k:
            continue
        if len(jures) > len(orgs):
            raison = (
                f"{_pluriel(len(jures), 'évaluateur', 'évaluateurs')} mais seulement "
                f"{_pluriel(len(orgs), 'organisation', 'organisations')} : des affectations "
                "faites à la main réunissent deux jurés d'une même organisation"
            )
        elif len(orgs_jury) < p.k:
            raison = (
                f"le jury de la vague ne compte que "
                f"{_pluriel(len(orgs_jury), 'organisation', 'organisations')} "
                f"pour {p.k} évaluateurs demandés"
            )
        else:
            possibles = {
                p.organisation_de[j] for j in p.organisation_de if (j, c) not in p.conflits
            }
            bloquees = sorted(str(o) for o in orgs_jury - possibles)
            raison = (
                f"seules {_pluriel(len(possibles), 'organisation a', 'organisations ont')} "
                "un juré sans conflit d'intérêts (trop de conflits"
                + (
                    f" : tous les jurés de {', '.join(bloquees)} sont en conflit"
                    if bloquees
                    else ""
                )
                + ")"
            )
        manques.append(Manque(candidature=c, obtenus=len(jures), voulus=p.k, raison=raison))
    return manques


# ---------------------------------------------------------------------------------------------
# L'affectation d'une vague en base
# ---------------------------------------------------------------------------------------------
@dataclass
class Rapport:
    creees: int
    retirees: int
    gardees: int
    borne_basse: int
    borne_haute: int
    manques: list[str]
    jures_prevenus: int = 0
    # Les affectations automatiques non commencées que ce calcul a retirées à leur juré
    # (déplacées pour équilibrer les charges, ou devenues impossibles) : id du juré → ses
    # candidatures, par référence. Rien n'est envoyé : à l'appelant d'en prévenir les jurés.
    retirees_par_jure: dict[int, list[Candidature]] = field(default_factory=dict)
    jures_prevenus_retraits: int = 0

    @property
    def complet(self) -> bool:
        return not self.manques


def affecter_vague(
    vague: Vague, *, par, url_mes_evaluations: str = "", notifier: bool = True
) -> Rapport:
    """Complète les affectations de la vague (voir le calcul en tête du module).

    Effets : garde les affectations faites à la main et celles dont l'évaluation est commencée,
    peut déplacer les autres affectations automatiques pour équilibrer les charges, crée les
    nouvelles, met en file un avis d'affectation à chaque juré qui en reçoit de nouvelles.
    Refuse une vague verrouillée ou sans juré.
    """
    if vague.est_verrouillee:
        raise TransitionRefusee("La vague est verrouillée : ses affectations ne changent plus.")
    with transaction.atomic():
        Vague.objects.select_for_update().filter(pk=vague.pk).first()  # une affectation à la fois
        jures = list(Jure.objects.filter(vague=vague).select_related("organisation", "utilisateur"))
        if not jures:
            raise TransitionRefusee("Le jury de la vague est vide : ajoutez d'abord des jurés.")
        candidatures = list(
            Candidature.objects.filter(vague=vague, statut__in=STATUTS_A_AFFECTER)
            .select_related("commune")
            .order_by("reference")
        )
        ids = {c.pk for c in candidatures}
        existantes = list(
            Affectation.objects.filter(candidature__in=ids, jure__vague=vague).select_related(
                "evaluation"
            )
        )
        gardees, precedentes, par_paire = set(), set(), {}
        for a in existantes:
            paire = (a.jure_id, a.candidature_id)
            par_paire[paire] = a
            commencee = hasattr(a, "evaluation")
            (gardees if a.manuelle or commencee else precedentes).add(paire)
        probleme = Probleme(
            k=vague.nb_evaluateurs,
            candidatures=[c.pk for c in candidatures],
            organisation_de={j.pk: j.organisation.nom for j in jures},
            conflits=set(
                Conflit.objects.filter(candidature__in=ids, jure__vague=vague).values_list(
                    "jure_id", "candidature_id"
                )
            ),
            gardees=gardees,
            precedentes=precedentes,
        )
        solution = resoudre(probleme)
        for paire in solution.retirees:
            a = par_paire[paire]
            a._history_user = par
            a._change_reason = "Affectation automatique déplacée (équilibrage)"
            a.delete()
        nouvelles = []
        for jure_id, candidature_id in sorted(solution.nouvelles):
            a = Affectation(jure_id=jure_id, candidature_id=candidature_id, creee_par=par)
            a._history_user = par
            a._change_reason = "Affectation automatique"
            a.save()
            nouvelles.append(a)
        references = {c.pk: c.reference for c in candidatures}
        retirees_par_jure = defaultdict(list)
        for jure_id, candidature_id in solution.retirees:
            retirees_par_jure[jure_id].append(candidature_id)
        par_pk = {c.pk: c for c in candidatures}
        rapport = Rapport(
            creees=len(nouvelles),
            retirees=len(solution.retirees),
            gardees=len(gardees) + len(precedentes - solution.retirees),
            borne_basse=solution.borne_basse,
            borne_haute=solution.borne_haute,
            manques=[
                f"{references[m.candidature]} : {m.obtenus} évaluateur{'s' if m.obtenus > 1 else ''} "
                f"sur {m.voulus} — {m.raison}."
                for m in solution.manques
            ],
            retirees_par_jure={
                jure.pk: sorted(
                    (par_pk[c] for c in retirees_par_jure[jure.pk]), key=lambda c: c.reference
                )
                for jure in jures
                if jure.pk in retirees_par_jure
            },
        )
        if notifier and nouvelles:
            par_jure = defaultdict(list)
            for a in nouvelles:
                par_jure[a.jure_id].append(a.candidature_id)
            for jure in jures:
                if jure.pk in par_jure:
                    avis_affectation(
                        jure,
                        [references[c] for c in par_jure[jure.pk]],
                        url=url_mes_evaluations,
                    )
            rapport.jures_prevenus = len(par_jure)
        if notifier:
            for jure in jures:
                retirees = rapport.retirees_par_jure.get(jure.pk)
                if retirees:
                    avis_retrait(jure, [c.reference for c in retirees], url=url_mes_evaluations)
                    rapport.jures_prevenus_retraits += 1
    return rapport


# ---------------------------------------------------------------------------------------------
# Courriels
# ---------------------------------------------------------------------------------------------
def _nom(user) -> str:
    return user.get_full_name() or user.username


def avis_affectation(jure: Jure, references: list[str], *, url: str = "") -> None:
    """Met en file l'avis d'affectation (modèle « affectation ») si le juré a une adresse."""
    from acv.courriels import mettre_en_file, rendre_modele

    user = jure.utilisateur
    if not user.email:
        return
    vague = jure.vague
    sujet, corps = rendre_modele(
        "affectation",
        {
            "nom": _nom(user),
            "vague": vague.nom,
            "nombre": len(references),
            "references": ", ".join(references),
            "date_limite": vague.date_limite_evaluations.strftime("%d/%m/%Y")
            if vague.date_limite_evaluations
            else "",
            "lien": url,
        },
    )
    mettre_en_file(user.email, sujet, corps, categorie="affectation")


def avis_retrait(jure: Jure, references: list[str], *, url: str = "") -> None:
    """Prévient le juré (modèle « affectation_retiree ») que des candidatures qu'il n'avait pas
    commencées sont confiées à un autre juré par l'équilibrage."""
    from acv.courriels import mettre_en_file, rendre_modele

    user = jure.utilisateur
    if not user.email:
        return
    sujet, corps = rendre_modele(
        "affectation_retiree",
        {
            "nom": _nom(user),
            "vague": jure.vague.nom,
            "nombre": len(references),
            "references": ", ".join(references),
            "lien": url,
        },
    )
    mettre_en_file(user.email, sujet, corps, categorie="affectation")


def relancer_jures(vague: Vague, *, url_mes_evaluations: str = "") -> int:
    """Met en file une relance (modèle « relance ») pour chaque juré qui a des évaluations non
    soumises dans la vague ; renvoie le nombre de jurés relancés."""
    from acv.courriels import mettre_en_file, rendre_modele

    if vague.est_verrouillee:
        raise TransitionRefusee("Les résultats de la vague sont publiés : personne à relancer.")
    en_attente = defaultdict(int)
    for jure_id in (
        Affectation.objects.filter(jure__vague=vague)
        .exclude(evaluation__statut=Evaluation.Statut.SOUMISE)
        .values_list("jure_id", flat=True)
    ):
        en_attente[jure_id] += 1
    nombre = 0
    for jure in Jure.objects.filter(pk__in=en_attente).select_related("utilisateur"):
        if not jure.utilisateur.email:
            continue
        sujet, corps = rendre_modele(
            "relance",
            {
                "nom": _nom(jure.utilisateur),
                "vague": vague.nom,
                "nombre": en_attente[jure.pk],
                "date_limite": vague.date_limite_evaluations.strftime("%d/%m/%Y")
                if vague.date_limite_evaluations
                else "",
                "lien": url_mes_evaluations,
            },
        )
        mettre_en_file(jure.utilisateur.email, sujet, corps, categorie="relance")
        nombre += 1
    return nombre


def prevenir_equipe_conflit(conflit: Conflit, *, url: str = "") -> None:
    """Prévient l'équipe (modèle « conflit_signale ») qu'une candidature est à réaffecter."""
    from django.contrib.auth.models import User

    from acv.courriels import mettre_en_file, rendre_modele
    from acv.roles import Role

    sujet, corps = rendre_modele(
        "conflit_signale",
        {
            "jure": str(conflit.jure),
            "reference": conflit.candidature.reference,
            "commune": conflit.candidature.commune.nom,
            "motif": conflit.motif,
            "lien": url,
        },
    )
    adresses = (
        User.objects.filter(groups__name=Role.EQUIPE.label, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    for adresse in adresses:
        mettre_en_file(adresse, sujet, corps, categorie="conflit")


# ---------------------------------------------------------------------------------------------
# Conflits et ajustements à la main
# ---------------------------------------------------------------------------------------------
def declarer_conflit(
    jure: Jure, candidature: Candidature, *, motif: str, par, url_avancement: str = ""
) -> tuple[Conflit, bool]:
    """Enregistre le conflit d'intérêts ; renvoie (conflit, affectation_retiree).

    Effets : si le juré était affecté à la candidature, l'affectation et son brouillon sont
    supprimés (l'historique les garde) et l'équipe est prévenue par courriel ; la candidature
    apparaît alors « à réaffecter ». Refuse une évaluation déjà soumise (l'équipe doit d'abord
    la rouvrir), un conflit déjà déclaré, un motif vide, une candidature d'une autre vague.
    """
    motif = (motif or "").strip()
    if not motif:
        raise ErreurMetier("Indiquez le motif du conflit d'intérêts.")
    if candidature.vague_id != jure.vague_id:
        raise ErreurMetier("Cette candidature n'appartient pas à la vague de ce juré.")
    if jure.vague.est_verrouillee:
        raise TransitionRefusee("Les résultats de la vague sont publiés : le jury a terminé.")
    with transaction.atomic():
        if Conflit.objects.filter(jure=jure, candidature=candidature).exists():
            raise ErreurMetier(
                f"Un conflit d'intérêts est déjà enregistré pour {candidature.commune.nom}."
            )
        affectation = (
            Affectation.objects.select_for_update()
            .filter(jure=jure, candidature=candidature)
            .first()
        )
        retiree = False
        if affectation is not None:
            evaluation = Evaluation.objects.filter(affectation=affectation).first()
            if evaluation is not None and evaluation.statut == Evaluation.Statut.SOUMISE:
                if par is not None and par.pk == jure.utilisateur_id:
                    raise ErreurMetier(
                        "Votre évaluation de cette candidature est déjà soumise : le conflit ne "
                        "peut pas être enregistré ainsi. Contactez l'équipe du programme, qui "
                        "peut rouvrir l'évaluation puis enregistrer le conflit."
                    )
                raise ErreurMetier(
                    f"L'évaluation de {jure} sur {candidature.reference} est soumise : rouvrez-la "
                    "d'abord (page d'avancement), puis enregistrez le conflit."
                )
            affectation.retirer(evaluation, par=par, motif="conflit d'intérêts")
            retiree = True
        conflit = Conflit(jure=jure, candidature=candidature, motif=motif, declare_par=par)
        conflit._history_user = par
        conflit.save()
        if retiree:
            prevenir_equipe_conflit(conflit, url=url_avancement)
    return conflit, retiree


def avertissement_meme_organisation(jure: Jure, candidature: Candidature) -> str:
    """Un avertissement en clair si un autre juré de l'organisation de `jure` est déjà affecté
    à `candidature` (chaque évaluateur devrait venir d'une organisation différente) ; "" sinon."""
    autres = [
        str(a.jure)
        for a in Affectation.objects.filter(
            candidature=candidature, jure__organisation_id=jure.organisation_id
        )
        .exclude(jure=jure)
        .select_related("jure__utilisateur", "jure__organisation")
        .order_by("jure__utilisateur__last_name", "pk")
    ]
    if not autres:
        return ""
    return (
        f"Attention : {candidature.reference} est déjà évaluée par {', '.join(autres)}, de la "
        f"même organisation ({jure.organisation.nom}) : avec {jure}, cette organisation y "
        f"compte {len(autres) + 1} évaluateurs au lieu d'un seul."
    )


def ajouter_affectation(jure: Jure, candidature: Candidature, *, par) -> Affectation:
    """Affecte à la main ; refuse un conflit, un doublon, une autre vague, une vague verrouillée.

    Accepte, en le signalant, un juré dont l'organisation évalue déjà la candidature :
    l'affectation renvoyée porte `avertissement` (str, "" si rien à signaler), à montrer à
    l'équipe (voir `avertissement_meme_organisation`).
    """
    if candidature.vague_id != jure.vague_id:
        raise ErreurMetier("Ce juré ne fait pas partie du jury de la vague de cette candidature.")
    if candidature.vague.est_verrouillee:
        raise TransitionRefusee("La vague est verrouillée : ses affectations ne changent plus.")
    if candidature.statut not in (
        *STATUTS_A_AFFECTER,
        Candidature.Statut.RECUE,
        Candidature.Statut.INCOMPLETE,
    ):
        raise ErreurMetier(
            f"La candidature {candidature.reference} est « {candidature.get_statut_display()} » : "
            "elle ne s'affecte pas."
        )
    if Conflit.objects.filter(jure=jure, candidature=candidature).exists():
        raise ErreurMetier(f"{jure} a déclaré un conflit d'intérêts avec cette candidature.")
    with transaction.atomic():
        if Affectation.objects.filter(jure=jure, candidature=candidature).exists():
            raise ErreurMetier(f"{jure} est déjà affecté·e à {candidature.reference}.")
        avertissement = avertissement_meme_organisation(jure, candidature)
        affectation = Affectation(jure=jure, candidature=candidature, manuelle=True, creee_par=par)
        affectation._history_user = par
        affectation._change_reason = "Affectation à la main"
        affectation.save()
    affectation.avertissement = avertissement
    return affectation


def retirer_affectation(affectation: Affectation, *, par) -> None:
    """Retire une affectation et son brouillon ; refuse si l'évaluation est soumise."""
    if affectation.candidature.vague.est_verrouillee:
        raise TransitionRefusee("La vague est verrouillée : ses affectations ne changent plus.")
    with transaction.atomic():
        evaluation = Evaluation.objects.filter(affectation=affectation).first()
        if evaluation is not None and evaluation.statut == Evaluation.Statut.SOUMISE:
            raise ErreurMetier(
                "L'évaluation est soumise : l'affectation ne peut pas être retirée "
                "(rouvrez d'abord l'évaluation si elle doit l'être)."
            )
        affectation.retirer(evaluation, par=par, motif="à la main, par l'équipe")


def url_absolue(request, nom: str, *args) -> str:
    return request.build_absolute_uri(reverse(nom, args=args)) if request else ""
