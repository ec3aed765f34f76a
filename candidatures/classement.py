"""Le classement d'une vague : notes, notes corrigées de la sévérité des jurés, écarts, avis, rangs.

Tout est calculé en Python, à pleine précision, à partir des évaluations soumises (une requête) :

- la note d'une candidature est la moyenne des notes sur 20 de ses évaluations soumises ;
- sa note corrigée : les notes de chaque juré sont centrées-réduites sur la vague
  (z = (note − moyenne du juré) / écart-type du juré ; z = 0 pour un juré qui a moins de deux
  évaluations soumises ou dont les notes ne varient pas), la moyenne des z de la candidature est
  remise sur 20 avec la moyenne et l'écart-type de toutes les notes de la vague, puis bornée à 0–20.
  Tous les écarts-types sont ceux de la population ;
- son écart est la note la plus haute moins la plus basse ;
- elle est « à discuter » si l'écart atteint 5 points, ou si elle a reçu à la fois un avis
  favorable et un avis défavorable (« favorable avec réserves » n'est ni l'un ni l'autre).

Les notes sont montrées, comparées pour les ex æquo et exportées à deux décimales (`arrondi`).
"""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max, Q, Sum

from .models import Affectation, Candidature, Decision, Evaluation, Vague

# Les deux façons de classer : par note corrigée (par défaut) ou par note brute.
PAR_CORRIGEE = "corrigee"
PAR_NOTE = "note"
CRITERES_DE_RANG = {PAR_CORRIGEE: "note corrigée", PAR_NOTE: "note"}

SEUIL_ECART = 5.0
# Une différence de notes de 5 peut sortir du calcul en flottants à 4,999999999… : on tolère
# l'erreur d'arrondi des flottants, pas davantage.
TOLERANCE = 1e-9
# Rangs examinés de chaque côté de la ligne des places par la vérification « sans un juré ».
RANGS_AUTOUR_DE_LA_LIGNE = 5

STATUTS_CLASSES = (
    Candidature.Statut.EN_EXAMEN,
    Candidature.Statut.RETENUE,
    Candidature.Statut.NON_RETENUE,
)


def arrondi(valeur: float | None) -> Decimal | None:
    """La valeur à deux décimales, arrondie au plus proche (5 vers le haut), telle qu'on l'écrit."""
    if valeur is None:
        return None
    return Decimal(repr(valeur)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _moyenne(valeurs: Sequence[float]) -> float:
    return math.fsum(valeurs) / len(valeurs)


def _ecart_type(valeurs: Sequence[float]) -> float:
    """L'écart-type de population ; 0 pour moins de deux valeurs (jamais de division par zéro)."""
    if len(valeurs) < 2:
        return 0.0
    moyenne = _moyenne(valeurs)
    variance = math.fsum((v - moyenne) ** 2 for v in valeurs) / len(valeurs)
    return math.sqrt(variance) if variance > 0 else 0.0


class EvaluationSoumise(NamedTuple):
    """Une évaluation soumise, réduite à ce que calcule le classement (un tuple nommé : 6 000 se
    font près de trois fois plus vite qu'en dataclass figée)."""

    candidature: int
    jure: int
    note: float
    avis: str


@dataclass(slots=True)
class Notes:
    """Les chiffres d'une candidature, à pleine précision."""

    note: float | None = None
    note_corrigee: float | None = None
    ecart: float | None = None
    favorables: int = 0
    reserves: int = 0
    defavorables: int = 0
    soumises: int = 0

    # Les mêmes à deux décimales en centièmes, quand elles viennent du cache (voir `_Calcul`).
    centiemes: tuple[int | None, int | None, int | None] | None = field(
        default=None, repr=False, compare=False
    )
    # Les trois valeurs arrondies, faites à la première lecture : une page et un export les lisent
    # plusieurs fois, et les notes gardées par le processus servent à chaque requête.
    _arrondies: tuple[Decimal | None, Decimal | None, Decimal | None] | None = field(
        default=None, repr=False, compare=False
    )

    # Les valeurs à deux décimales.
    @property
    def note_arrondie(self) -> Decimal | None:
        return self._arrondie(0, self.note)

    @property
    def note_corrigee_arrondie(self) -> Decimal | None:
        return self._arrondie(1, self.note_corrigee)

    @property
    def ecart_arrondi(self) -> Decimal | None:
        return self._arrondie(2, self.ecart)

    def _arrondie(self, i: int, valeur: float | None) -> Decimal | None:
        if self._arrondies is None:
            if self.centiemes is None:
                valeurs = (self.note, self.note_corrigee, self.ecart)
                self._arrondies = tuple(arrondi(v) for v in valeurs)
            else:
                self._arrondies = tuple(
                    None if c is None else Decimal(c).scaleb(-2) for c in self.centiemes
                )
        return self._arrondies[i]

    def en_tuple(self) -> tuple:
        """Des nombres seulement, vite relus du cache ; `Notes(*t)` les rend."""
        centiemes = tuple(
            None if d is None else int(d.scaleb(2))
            for d in (self.note_arrondie, self.note_corrigee_arrondie, self.ecart_arrondi)
        )
        return (
            self.note,
            self.note_corrigee,
            self.ecart,
            self.favorables,
            self.reserves,
            self.defavorables,
            self.soumises,
            centiemes,
        )

    @property
    def a_discuter(self) -> bool:
        ecart_fort = self.ecart is not None and self.ecart >= SEUIL_ECART - TOLERANCE
        return ecart_fort or (self.favorables > 0 and self.defavorables > 0)


def calculer_notes(evaluations: Iterable[EvaluationSoumise]) -> dict[int, Notes]:
    """Les notes de chaque candidature évaluée, par identifiant de candidature."""
    evaluations = list(evaluations)
    if not evaluations:
        return {}
    par_jure: dict[int, list[float]] = defaultdict(list)
    for e in evaluations:
        par_jure[e.jure].append(e.note)
    echelle_jure = {}
    for jure, notes in par_jure.items():
        ecart_type = _ecart_type(notes)
        # Moins de deux évaluations ou aucune variation : on ne sait rien de sa sévérité, z = 0.
        echelle_jure[jure] = (_moyenne(notes), ecart_type) if ecart_type > 0 else None
    toutes = [e.note for e in evaluations]
    moyenne_vague, ecart_type_vague = _moyenne(toutes), _ecart_type(toutes)

    par_candidature: dict[int, list[EvaluationSoumise]] = defaultdict(list)
    for e in evaluations:
        par_candidature[e.candidature].append(e)
    favorable, reserves, defavorable = (
        Evaluation.Avis.FAVORABLE.value,
        Evaluation.Avis.RESERVES.value,
        Evaluation.Avis.DEFAVORABLE.value,
    )
    resultat = {}
    for candidature, siennes in par_candidature.items():
        notes, z, avis = [], [], {favorable: 0, reserves: 0, defavorable: 0}
        for e in siennes:
            notes.append(e.note)
            echelle = echelle_jure[e.jure]
            z.append(0.0 if echelle is None else (e.note - echelle[0]) / echelle[1])
            if e.avis in avis:
                avis[e.avis] += 1
        corrigee = moyenne_vague + ecart_type_vague * _moyenne(z)
        resultat[candidature] = Notes(
            note=_moyenne(notes),
            note_corrigee=min(20.0, max(0.0, corrigee)),
            ecart=max(notes) - min(notes),
            favorables=avis[favorable],
            reserves=avis[reserves],
            defavorables=avis[defavorable],
            soumises=len(siennes),
        )
    return resultat


def _valeur(notes: Notes | None, par: str) -> float | None:
    if notes is None:
        return None
    return notes.note if par == PAR_NOTE else notes.note_corrigee


def _valeur_arrondie(notes: Notes, par: str) -> Decimal | None:
    return notes.note_arrondie if par == PAR_NOTE else notes.note_corrigee_arrondie


def classer(
    candidatures: Sequence[int], notes: dict[int, Notes], par: str = PAR_CORRIGEE
) -> tuple[list[int], dict[int, int | None]]:
    """L'ordre du classement et le rang de chaque candidature (None si elle n'a aucune note).

    Rang partagé par les ex æquo à deux décimales, le suivant sautant d'autant : 1, 2, 2, 4.
    À égalité, l'ordre de `candidatures` est gardé (tri stable).
    """
    classees = [c for c in candidatures if _valeur(notes.get(c), par) is not None]
    classees.sort(key=lambda c: _valeur_arrondie(notes[c], par), reverse=True)
    rangs: dict[int, int | None] = {c: None for c in candidatures}
    precedente = None
    for position, c in enumerate(classees, start=1):
        valeur = _valeur_arrondie(notes[c], par)
        rangs[c] = rangs[classees[position - 2]] if valeur == precedente else position
        precedente = valeur
    non_classees = [c for c in candidatures if rangs[c] is None]
    return classees + non_classees, rangs


def dans_la_selection(rang: int | None, places: int) -> bool:
    """Au-dessus de la ligne des places (un ex æquo sur la ligne est dedans)."""
    return rang is not None and rang <= places


def proche_de_la_ligne(rang: int | None, places: int) -> bool:
    """Dans les cinq rangs au-dessus de la ligne (places − 4 … places) ou les cinq au-dessous."""
    if rang is None or places <= 0:
        return False
    return places - RANGS_AUTOUR_DE_LA_LIGNE < rang <= places + RANGS_AUTOUR_DE_LA_LIGNE


def sans_un_jure(
    evaluations: Sequence[EvaluationSoumise],
    candidatures: Sequence[int],
    places: int,
    par: str = PAR_CORRIGEE,
) -> dict[int, list[int]]:
    """Pour chaque candidature proche de la ligne, les jurés dont le retrait la fait changer de côté.

    Pour chaque juré, toute la vague est recalculée sans ses évaluations : la standardisation,
    chaque note corrigée, chaque rang. Une candidature qui n'a plus aucune note sans lui est hors
    de la sélection.

    Le résultat est celui d'un recalcul complet par juré (`calculer_notes` puis `classer` sur la
    vague privée de ses évaluations), mais sans refaire ce que son retrait ne change pas : les
    échelles des autres jurés, les z des candidatures qu'il n'a pas évaluées. Seules la moyenne et
    l'écart-type de la vague, puis les notes corrigées, sont recalculés, et le rang d'une
    candidature proche se lit par dichotomie dans les valeurs triées (l'arrondi à deux décimales
    n'est fait que pour les valeurs à moins d'un centième d'elle, où il peut départager).
    """
    evaluations = list(evaluations)
    notes = calculer_notes(evaluations)
    _, rangs = classer(candidatures, notes, par)
    proches = [c for c in candidatures if proche_de_la_ligne(rangs[c], places)]
    basculent: dict[int, list[int]] = {c: [] for c in proches}
    if not proches:
        return basculent

    # Ce que le retrait d'un juré ne change pas, calculé comme dans calculer_notes.
    par_jure: dict[int, list[float]] = defaultdict(list)
    for e in evaluations:
        par_jure[e.jure].append(e.note)
    echelle_jure = {}
    for jure, siennes in par_jure.items():
        ecart_type = _ecart_type(siennes)
        echelle_jure[jure] = (_moyenne(siennes), ecart_type) if ecart_type > 0 else None
    par_candidature: dict[int, list[EvaluationSoumise]] = defaultdict(list)
    for e in evaluations:
        par_candidature[e.candidature].append(e)

    def z_de(e: EvaluationSoumise) -> float:
        echelle = echelle_jure[e.jure]
        return 0.0 if echelle is None else (e.note - echelle[0]) / echelle[1]

    classables = [c for c in candidatures if c in par_candidature]
    position = {c: i for i, c in enumerate(classables)}
    # Valeur de chaque candidature classable, toutes évaluations comprises (même ordre).
    moyennes_z = [_moyenne([z_de(e) for e in par_candidature[c]]) for c in classables]
    moyennes_note = [notes[c].note for c in classables]
    notes_par_jure_inverses = {j: [-n for n in siennes] for j, siennes in par_jure.items()}
    toutes = [e.note for e in evaluations]
    evaluees_par: dict[int, set[int]] = defaultdict(set)
    for e in evaluations:
        evaluees_par[e.jure].add(e.candidature)

    for jure in sorted(par_jure):
        # Ce qui change pour les candidatures qu'il a évaluées (None : plus aucune note).
        changees: dict[int, float | None] = {}
        for c in evaluees_par[jure]:
            restantes = [e for e in par_candidature[c] if e.jure != jure]
            if not restantes:
                changees[c] = None
            elif par == PAR_NOTE:
                changees[c] = _moyenne([e.note for e in restantes])
            else:
                changees[c] = _moyenne([z_de(e) for e in restantes])
        if par == PAR_NOTE:
            valeurs = list(moyennes_note)
        else:
            nombre = len(toutes) - len(par_jure[jure])
            if nombre == 0:
                valeurs = [None] * len(classables)
            else:
                # fsum arrondit exactement la somme exacte : ajouter les opposés de ses notes
                # donne bit pour bit la somme des notes restantes, sans les recopier.
                moyenne_vague = math.fsum(toutes + notes_par_jure_inverses[jure]) / nombre
                if nombre < 2:
                    ecart_type_vague = 0.0
                else:
                    # Même astuce : chaque carré est calculé comme dans _ecart_type.
                    variance = (
                        math.fsum(
                            [(v - moyenne_vague) ** 2 for v in toutes]
                            + [-((v - moyenne_vague) ** 2) for v in par_jure[jure]]
                        )
                        / nombre
                    )
                    ecart_type_vague = math.sqrt(variance) if variance > 0 else 0.0
                valeurs = [
                    min(20.0, max(0.0, moyenne_vague + ecart_type_vague * mz)) for mz in moyennes_z
                ]
        for c, mz in changees.items():
            i = position[c]
            if mz is None:
                valeurs[i] = None
            elif par == PAR_NOTE:
                valeurs[i] = mz
            else:
                valeurs[i] = min(20.0, max(0.0, moyenne_vague + ecart_type_vague * mz))
        triees = sorted(v for v in valeurs if v is not None)
        for c in proches:
            v = valeurs[position[c]] if c in position else None
            if v is None:
                dedans = False
            else:
                bas = bisect_left(triees, v - 0.011)
                haut = bisect_right(triees, v + 0.011)
                a_arrondir = arrondi(v)
                au_dessus = (
                    len(triees)
                    - haut
                    + sum(1 for autre in triees[bas:haut] if arrondi(autre) > a_arrondir)
                )
                dedans = dans_la_selection(1 + au_dessus, places)
            if dans_la_selection(rangs[c], places) != dedans:
                basculent[c].append(jure)
    return basculent


# ---------------------------------------------------------------------------------------------
# Le classement d'une vague, prêt à afficher
# ---------------------------------------------------------------------------------------------
# Les lignes portent des résumés légers, pas des objets ORM : à 2 000 candidatures, construire les
# modèles complets (candidature, commune, région, décision) coûtait plus que tout le calcul. Leurs
# attributs sont ceux des modèles qu'ils résument (`ligne.candidature.commune.region.nom`,
# `ligne.decision.get_resultat_display`), de sorte que les gabarits lisent l'un comme l'autre.
@dataclass(slots=True)
class RegionClassee:
    pk: str
    nom: str

    def __str__(self) -> str:
        return self.nom


@dataclass(slots=True)
class CommuneClassee:
    code_insee: str
    nom: str
    nom_normalise: str
    region_id: str
    region: RegionClassee
    ville_acv_id: int | None

    @property
    def pk(self) -> str:
        return self.code_insee

    def __str__(self) -> str:
        return self.nom


@dataclass(slots=True)
class DecisionClassee:
    resultat: str
    motivation: str
    version: int
    decidee_le: object
    decidee_par_id: int | None

    def get_resultat_display(self) -> str:
        return Decision.Resultat(self.resultat).label


@dataclass(slots=True)
class JureClasse:
    """Un juré de la vague, tel que la séance l'écrit (« Prénom Nom (SIGLE) »)."""

    pk: int
    nom: str

    def __str__(self) -> str:
        return self.nom


def jures_de(vague: Vague) -> dict[int, JureClasse]:
    """Les jurés de la vague, dans l'ordre du jury (organisation, nom), écrits comme `Jure.__str__`."""
    lignes = vague.jures.values_list(
        "pk",
        "utilisateur__first_name",
        "utilisateur__last_name",
        "utilisateur__username",
        "organisation__sigle",
    )
    return {
        pk: JureClasse(pk, f"{f'{prenom} {nom}'.strip() or identifiant} ({sigle})")
        for pk, prenom, nom, identifiant, sigle in lignes
    }


@dataclass(slots=True)
class CandidatureClassee:
    pk: int
    reference: str
    statut: str
    cle_ville: str
    vague_id: int
    commune: CommuneClassee
    decision: DecisionClassee | None

    @property
    def id(self) -> int:
        return self.pk

    def get_statut_display(self) -> str:
        return Candidature.Statut(self.statut).label

    def __str__(self) -> str:
        return f"{self.reference} ({self.commune.nom})"


@dataclass(slots=True)
class Ligne:
    candidature: CandidatureClassee
    notes: Notes
    attendues: int
    rang: int | None
    dans_la_selection: bool
    proche_de_la_ligne: bool
    # Les jurés dont le retrait fait changer la candidature de côté (None : pas vérifiée).
    basculent: list[JureClasse] | None = None
    # La première ligne sous la ligne des places, dans l'ordre du classement.
    premiere_hors_selection: bool = False

    @property
    def decision(self) -> DecisionClassee | None:
        return self.candidature.decision

    # Les valeurs à deux décimales, pour l'affichage et les exports.
    @property
    def note(self) -> Decimal | None:
        return self.notes.note_arrondie

    @property
    def note_corrigee(self) -> Decimal | None:
        return self.notes.note_corrigee_arrondie

    @property
    def ecart(self) -> Decimal | None:
        return self.notes.ecart_arrondi

    @property
    def a_discuter(self) -> bool:
        return self.notes.a_discuter


@dataclass
class Classement:
    vague: Vague
    par: str
    lignes: list[Ligne]
    jures: dict[int, JureClasse] = field(default_factory=dict)

    @property
    def places(self) -> int:
        return self.vague.places_prevues

    @property
    def libelle_par(self) -> str:
        return CRITERES_DE_RANG[self.par]

    @property
    def ex_aequo_sur_la_ligne(self) -> list[Ligne]:
        """Les candidatures ex æquo au dernier rang de la sélection, quand elles débordent des places."""
        dedans = [ligne for ligne in self.lignes if ligne.dans_la_selection]
        if len(dedans) <= self.places:
            return []
        dernier = dedans[-1].rang
        return [ligne for ligne in dedans if ligne.rang == dernier]


def evaluations_soumises(vague: Vague) -> list[EvaluationSoumise]:
    """Les évaluations soumises des candidatures classées de la vague (une requête)."""
    lignes = Evaluation.objects.filter(
        affectation__candidature__vague=vague,
        affectation__candidature__statut__in=STATUTS_CLASSES,
        statut=Evaluation.Statut.SOUMISE,
        note_sur_20__isnull=False,
    ).values_list("affectation__candidature_id", "affectation__jure_id", "note_sur_20", "avis")
    return [EvaluationSoumise(c, j, float(n), a) for c, j, n, a in lignes.order_by("pk")]


CHAMPS_AFFICHES = (
    "pk",
    "reference",
    "statut",
    "cle_ville",
    "vague_id",
    "commune__code_insee",
    "commune__nom",
    "commune__nom_normalise",
    "commune__region_id",
    "commune__region__nom",
    "commune__ville_acv_id",
    "decision__resultat",
    "decision__motivation",
    "decision__version",
    "decision__decidee_le",
    "decision__decidee_par_id",
)


def candidatures_classees(vague: Vague) -> list[CandidatureClassee]:
    """Les candidatures classées de la vague, résumées à ce que le classement affiche (une requête).

    Dans l'ordre des communes : c'est l'ordre gardé entre ex æquo.
    """
    lignes = (
        vague.candidatures.filter(statut__in=STATUTS_CLASSES)
        .order_by("commune__nom", "pk")
        .values_list(*CHAMPS_AFFICHES)
    )
    regions: dict[str, RegionClassee] = {}
    resultat = []
    for pk, ref, statut, cle, vague_id, insee, nom, norme, reg, reg_nom, acv, *dec in lignes:
        region = regions.get(reg)
        if region is None:
            region = regions[reg] = RegionClassee(reg, reg_nom)
        commune = CommuneClassee(insee, nom, norme, reg, region, acv)
        decision = DecisionClassee(*dec) if dec[0] is not None else None
        resultat.append(CandidatureClassee(pk, ref, statut, cle, vague_id, commune, decision))
    return resultat


def _empreinte(vague: Vague, ids: Sequence[int]) -> str:
    """L'empreinte de ce dont dépend le calcul du classement (une requête d'agrégats).

    Les candidatures classées et leur ordre (`ids`), les affectations de la vague (les évaluations
    attendues) et ses évaluations soumises : nombre, somme des identifiants (une suppression et un
    ajout se voient), somme des versions (chaque soumission en ajoute une, l'administration aussi)
    et dernière modification (tout enregistrement la met à jour). Pas de somme des notes : une
    somme de flottants dépend de l'ordre de lecture, l'empreinte changerait sans raison.
    """
    soumise = Q(evaluation__statut=Evaluation.Statut.SOUMISE)
    agregats = Affectation.objects.filter(candidature__vague=vague).aggregate(
        affectations=Count("pk"),
        somme_affectations=Sum("pk"),
        soumises=Count("evaluation", filter=soumise),
        somme_soumises=Sum("evaluation__pk", filter=soumise),
        versions=Sum("evaluation__version", filter=soumise),
        derniere=Max("evaluation__modifiee_le", filter=soumise),
    )
    return hashlib.sha256(repr((list(ids), sorted(agregats.items()))).encode()).hexdigest()


# À changer avec la forme de `_Calcul` : un cache écrit par une version précédente est ignoré.
FORMAT_DU_CACHE = 2


@dataclass
class _Calcul:
    """Ce que le classement calcule, gardé dans le cache partagé sous l'empreinte de ses données."""

    # Les notes de chaque candidature notée, en tuples (`Notes.en_tuple`) : relire 2 000 objets
    # et leurs décimaux du cache coûtait plus que les recalculer.
    notes: dict[int, tuple]
    ordre: list[int]
    rangs: dict[int, int | None]
    attendues: dict[int, int]
    # La vérification « sans un juré » (None : pas encore faite pour ces données).
    basculent: dict[int, list[int]] | None = None


def _attendues(vague: Vague) -> dict[int, int]:
    return dict(
        Affectation.objects.filter(candidature__vague=vague)
        .values("candidature_id")
        .annotate(n=Count("pk"))
        .values_list("candidature_id", "n")
    )


# Les derniers calculs lus ou faits par ce processus, sous leur clé de cache (donc sous l'empreinte
# des données) : relire le cache partagé et refaire les 2 000 `Notes` coûtait un cinquième de la
# page. Une clé ne désigne que des données identiques : rien à invalider.
_GARDES: dict[str, tuple[_Calcul, dict[int, Notes]]] = {}
_GARDES_MAX = 16


def oublier_les_calculs_gardes() -> None:
    """Oublie les calculs gardés par le processus (le banc d'essai mesure ainsi le recalcul)."""
    _GARDES.clear()


def _calcul(
    vague: Vague, ids: list[int], par: str, verifier: bool
) -> tuple[_Calcul, dict[int, Notes]]:
    """Le calcul du classement et ses notes, gardés par le processus ou lus du cache s'ils ont déjà
    été faits sur les mêmes données.

    Pendant la séance, les évaluations ne bougent plus et la page est rechargée à chaque décision :
    le calcul (notes corrigées, rangs, vérification « sans un juré » : un quart de seconde à 2 000
    candidatures) n'est refait que si une évaluation, une affectation, une candidature classée,
    les places ou l'ordre changent. Les décisions, les communes et les jurés, eux, sont relus à
    chaque fois. Les notes rendues sont partagées : ne pas les modifier.
    """
    cle = f"classement:{FORMAT_DU_CACHE}:{vague.pk}:{par}:{vague.places_prevues}:{_empreinte(vague, ids)}"
    # Le cache est dans la base ; le processus, lui, peut changer de base (banc d'essai).
    cle_gardee = f"{connection.settings_dict['NAME']}:{cle}"
    garde = _GARDES.get(cle_gardee)
    if garde is not None and (garde[0].basculent is not None or not verifier):
        return garde
    calcul = garde[0] if garde is not None else cache.get(cle)
    # Les notes déjà faites (gardées, ou calculées ici) servent telles quelles ; relues du cache,
    # elles sont refaites de leurs tuples.
    notes = garde[1] if garde is not None else None
    if calcul is None or (verifier and calcul.basculent is None):
        evaluations = evaluations_soumises(vague)
        if calcul is None:
            notes = calculer_notes(evaluations)
            ordre, rangs = classer(ids, notes, par)
            calcul = _Calcul(
                notes={c: n.en_tuple() for c, n in notes.items()},
                ordre=ordre,
                rangs=rangs,
                attendues=_attendues(vague),
            )
        if verifier:
            calcul.basculent = sans_un_jure(evaluations, ids, vague.places_prevues, par)
        cache.set(cle, calcul, timeout=24 * 3600)
    if notes is None:
        notes = {c: Notes(*n) for c, n in calcul.notes.items()}
    if len(_GARDES) >= _GARDES_MAX:
        _GARDES.pop(next(iter(_GARDES)))
    garde = _GARDES[cle_gardee] = (calcul, notes)
    return garde


def classement_de(vague: Vague, *, par: str = PAR_CORRIGEE, verifier: bool = True) -> Classement:
    """Le classement de la vague.

    Deux requêtes quand le calcul est gardé par le processus (candidatures, empreinte), une de plus
    quand il est lu du cache, une de plus pour les jurés avec `verifier` : pour les candidatures proches de la ligne des places, la
    vérification « sans un juré ».
    """
    if par not in CRITERES_DE_RANG:
        par = PAR_CORRIGEE
    candidatures = candidatures_classees(vague)
    ids = [c.pk for c in candidatures]
    calcul, notes = _calcul(vague, ids, par, verifier)
    jures = jures_de(vague) if verifier else {}
    basculent = calcul.basculent if verifier else {}
    par_id = {c.pk: c for c in candidatures}
    places = vague.places_prevues
    rangs = calcul.rangs
    sans_note = Notes()
    lignes = [
        Ligne(
            candidature=par_id[c],
            notes=notes.get(c, sans_note),
            attendues=calcul.attendues.get(c, 0),
            rang=rangs[c],
            dans_la_selection=dans_la_selection(rangs[c], places),
            proche_de_la_ligne=proche_de_la_ligne(rangs[c], places),
            basculent=[jures[j] for j in basculent[c]] if c in basculent else None,
        )
        for c in calcul.ordre
    ]
    if places > 0 and any(ligne.rang is not None for ligne in lignes):
        hors = next((ligne for ligne in lignes if not ligne.dans_la_selection), None)
        if hors is not None:
            hors.premiere_hors_selection = True
    return Classement(vague=vague, par=par, lignes=lignes, jures=jures)
