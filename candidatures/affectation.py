"""L'affectation des jurés aux candidatures, les conflits d'intérêts et les ajustements à la main.

Le calcul (`resoudre`) est un flot de coût minimal, exact, sur des données simples :

    source → candidature            capacité k − évaluateurs gardés
    candidature → (candidature, org) capacité 1 − gardés de cette organisation
    (candidature, org) → juré        capacité 1, juré de l'organisation, sans conflit
    juré → puits                     charge totale (gardées comprises) dans [L, U]

On calcule d'abord le nombre maximal d'affectations possibles (le flot maximal sans borne de
charge), puis les bornes [L, U] les plus serrées pour lesquelles un flot de cette valeur existe,
enfin, à ces bornes, le flot de coût minimal : d'abord des charges au plus égales entre les
bornes (coût convexe Σ charge²), puis le plus d'affectations automatiques précédentes gardées
(coût 0 pour elles, 1 pour une nouvelle). La réalisabilité à bornes fixées se lit par `network_simplex`
avec des demandes aux nœuds (transformation classique des bornes inférieures).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
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


def _graphe(p: Probleme) -> tuple[nx.DiGraph, dict]:
    """Le réseau sans bornes de charge ; renvoie aussi la charge gardée de chaque juré."""
    g = nx.DiGraph()
    g.add_node("source")
    g.add_node("puits")
    gardee_de = defaultdict(int)
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
    # Les candidatures sans conflit, sans affectation gardée ni précédente sont interchangeables :
    # un seul nœud les représente toutes (capacité n par organisation : au plus un juré de
    # chaque organisation par candidature), ce qui garde le réseau petit à grande échelle.
    touchees = _touchees(p)
    simples = [c for c in p.candidatures if c not in touchees]
    if simples:
        n = len(simples)
        g.add_edge("source", ("t",), capacity=n * p.k, weight=0)
        for org in jures_par_org:
            g.add_edge(("t",), ("p", org), capacity=n, weight=1)
    for c in p.candidatures:
        besoin = p.k - nb_gardes[c]
        if besoin <= 0 or c not in touchees:
            continue
        g.add_edge("source", ("c", c), capacity=besoin, weight=0)
        for org, jures in jures_par_org.items():
            if org in orgs_gardees[c]:
                continue
            libres = [j for j in jures if (j, c) not in p.conflits and (j, c) not in p.gardees]
            if not libres:
                continue
            g.add_edge(("c", c), ("o", c, org), capacity=1, weight=0)
            if len(libres) == len(jures):
                # Aucun juré de l'organisation en conflit avec c : un seul arc vers le réservoir
                # de l'organisation (équivalent exact des arcs vers chacun de ses jurés, et bien
                # moins d'arcs), plus un arc direct à coût nul vers un juré précédent.
                g.add_edge(("o", c, org), ("p", org), weight=1)
                libres = [j for j in libres if (j, c) in p.precedentes]
            for j in libres:
                cout = 0 if (j, c) in p.precedentes else 1
                g.add_edge(("o", c, org), ("j", j), capacity=1, weight=cout)
    for org, jures in jures_par_org.items():
        if g.has_node(("p", org)):
            for j in jures:
                g.add_edge(("p", org), ("j", j), weight=0)
    return g, gardee_de


def _flot_borne(
    g: nx.DiGraph, gardee_de: dict, jures: Iterable, valeur: int, basse: int, haute: int
):
    """Un flot de valeur `valeur` dont chaque juré finit avec une charge dans [basse, haute],
    de coût minimal ; None s'il n'en existe pas."""
    h = g.copy()
    poids_charge = g.number_of_edges() + 1  # l'équilibre l'emporte sur tout changement évité
    total_basses = 0
    for j in jures:
        mini = max(0, basse - gardee_de[j])
        maxi = haute - gardee_de[j]
        if maxi < mini:
            return None
        # Borne inférieure `mini` sur juré → puits : on la retire de la capacité et on la
        # reporte en demandes (le juré doit recevoir mini de plus qu'il n'envoie). Au-delà,
        # une unité par arc, au coût croissant avec la charge : entre les bornes, le flot
        # répartit au plus égal (Σ charge², convexe), avant de préférer les affectations gardées.
        for i in range(mini, maxi):
            charge = gardee_de[j] + i + 1
            h.add_edge(("j", j), ("u", j, i), capacity=1, weight=poids_charge * (2 * charge - 1))
            h.add_edge(("u", j, i), "puits", capacity=1, weight=0)
        h.nodes[("j", j)]["demand"] = mini
        total_basses += mini
    if total_basses > valeur:
        return None
    h.nodes["source"]["demand"] = -valeur
    h.nodes["puits"]["demand"] = valeur - total_basses
    try:
        _cout, flot = nx.network_simplex(h)
    except nx.NetworkXUnfeasible:
        return None
    return flot


def _touchees(p: Probleme) -> set:
    """Les candidatures qui ont un conflit, une affectation gardée ou précédente."""
    return {c for _j, c in p.conflits | p.gardees | p.precedentes}


def resoudre(p: Probleme) -> Solution:
    """L'affectation maximale, aux charges les plus égales possible, qui garde le plus possible."""
    jures = list(p.organisation_de)
    g, gardee_de = _graphe(p)
    illimite = g.copy()
    for j in jures:
        illimite.add_edge(("j", j), "puits", capacity=len(p.candidatures) + 1)
    valeur = int(nx.maximum_flow_value(illimite, "source", "puits")) if jures else 0

    flot = None
    basse = haute = 0
    if jures:
        total = sum(gardee_de[j] for j in jures) + valeur
        n = len(jures)
        haute_min = max(math.ceil(total / n), max(gardee_de[j] for j in jures))
        ecart = 0
        while flot is None:
            # À écart fixé, les bornes basses possibles : U ≥ haute_min et L ≤ moyenne.
            for basse in range(max(0, haute_min - ecart), total // n + 1):
                haute = basse + ecart
                flot = _flot_borne(g, gardee_de, jures, valeur, basse, haute)
                if flot is not None:
                    break
            ecart += 1
            if ecart > total + 1:  # garde-fou : l'écart total est toujours réalisable
                raise AssertionError("aucune borne réalisable")
    affectations = set(p.gardees)
    if flot is not None:
        # Le flot passé par le réservoir d'une organisation se répartit dans n'importe quel
        # ordre : chaque candidature n'y envoie qu'une unité et ses jurés sont tous permis.
        vers_reservoir = defaultdict(list)
        touchees = _touchees(p)
        simples = [c for c in p.candidatures if c not in touchees]
        if simples:
            # Les unités du nœud commun, réparties en colonnes : chaque organisation envoie au
            # plus n unités, donc jamais deux fois à la même candidature.
            unites = [
                org
                for org, quantite in sorted(flot[("t",)].items(), key=lambda e: str(e[0]))
                for _ in range(quantite)
            ]
            for i, cible in enumerate(unites):
                vers_reservoir[cible[1]].append(simples[i % len(simples)])
        for noeud, sorties in flot.items():
            if isinstance(noeud, tuple) and noeud[0] == "o":
                _o, c, org = noeud
                for cible, quantite in sorties.items():
                    if not quantite:
                        continue
                    if cible[0] == "j":
                        affectations.add((cible[1], c))
                    elif cible[0] == "p":
                        vers_reservoir[org].append(c)
        for org, candidatures in vers_reservoir.items():
            unites = [
                cible[1]
                for cible, quantite in sorted(flot[("p", org)].items(), key=lambda e: str(e[0]))
                for _ in range(quantite)
            ]
            affectations.update(zip(unites, candidatures, strict=True))
    charges = {j: 0 for j in jures}
    for j, _c in affectations:
        charges[j] += 1
    if charges:
        basse, haute = min(charges.values()), max(charges.values())
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
            if evaluation is not None:
                evaluation._history_user = par
                evaluation._change_reason = "Brouillon retiré : conflit d'intérêts"
                evaluation.delete()
            affectation._history_user = par
            affectation._change_reason = "Retirée : conflit d'intérêts"
            affectation.delete()
            retiree = True
        conflit = Conflit(jure=jure, candidature=candidature, motif=motif, declare_par=par)
        conflit._history_user = par
        conflit.save()
        if retiree:
            prevenir_equipe_conflit(conflit, url=url_avancement)
    return conflit, retiree


def ajouter_affectation(jure: Jure, candidature: Candidature, *, par) -> Affectation:
    """Affecte à la main ; refuse un conflit, un doublon, une autre vague, une vague verrouillée."""
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
        affectation = Affectation(jure=jure, candidature=candidature, manuelle=True, creee_par=par)
        affectation._history_user = par
        affectation._change_reason = "Affectation à la main"
        affectation.save()
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
        if evaluation is not None:
            evaluation._history_user = par
            evaluation.delete()
        affectation._history_user = par
        affectation._change_reason = "Affectation retirée à la main"
        affectation.delete()


def url_absolue(request, nom: str, *args) -> str:
    return request.build_absolute_uri(reverse(nom, args=args)) if request else ""
