"""Les chiffres du programme : un seul calcul pour le tableau de bord et `manage.py programme_status`.

Le nombre de requêtes est fixe, quel que soit le nombre de villes, de candidatures ou de sites.
Chaque table n'est lue qu'une fois par calcul (`_Releve`) : les sites avec la région et la ville de
leur commune, les candidatures comptées par vague, région et statut, les retards comptés par site,
les villes ACV avec leurs communes. Le reste (totaux, ouvertures cumulées, entonnoir, retards par
région, carte) se déduit de ces lignes en Python, plutôt que de refaire une jointure sur les
35 000 communes pour chaque chiffre.

Les vues du tableau de bord gardent leur dernier calcul tant que la base n'a rien validé
(`Memoire`, sur PostgreSQL) : recharger la page sans que rien ait changé ne refait pas le calcul,
et les données que la page demande ensuite se déduisent des lignes qu'elle vient de lire.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from acv.models import Objectif, Region, VilleAcv
from candidatures.models import Candidature, Vague

from .models import Inscriptions, Jalon, LigneFinancementSite, Site

# Lancement du programme « Au cœur des territoires » : origine de la ligne de chaque objectif.
DEBUT_PROGRAMME = datetime.date(2019, 1, 1)

ETAPES_VILLE = {
    "sans_candidature": "Sans candidature",
    "candidate": "A candidaté",
    "retenue": "Retenue",
    "site_en_projet": "Site en projet",
    "site_ouvert": "Site ouvert",
}

RETENUE = Candidature.Statut.RETENUE
NON_RETENUE = Candidature.Statut.NON_RETENUE
# Une candidature reçue : tout sauf un brouillon, quel que soit son sort ensuite.
STATUTS_RECUS = [s for s in Candidature.Statut.values if s != Candidature.Statut.BROUILLON]
EN_VILLE_ACV = Q(commune__ville_acv__isnull=False)


def _pourcentage(partie: int, tout: int) -> float:
    return round(100 * partie / tout, 1) if tout else 0.0


class _Releve:
    """Les lignes dont se déduisent les chiffres, chacune lue au plus une fois (à la demande)."""

    def __init__(self, aujourdhui: datetime.date) -> None:
        self.aujourdhui = aujourdhui
        self.initiale = VilleAcv.ENTREE_INITIALE

    @cached_property
    def villes(self) -> list[tuple]:
        """Une requête : chaque ville ACV et chacune de ses communes (une ligne vide sans commune).

        (ville, entrée, code INSEE, nom, région, latitude, longitude, département)
        """
        return list(
            VilleAcv.objects.order_by("communes__code_insee").values_list(
                "pk",
                "entree",
                "communes__code_insee",
                "communes__nom",
                "communes__region_id",
                "communes__latitude",
                "communes__longitude",
                "communes__departement_id",
            )
        )

    @cached_property
    def entree(self) -> dict[str, int]:
        return {ville: entree for ville, entree, *_ in self.villes}

    @cached_property
    def candidatures_acv(self) -> list[tuple]:
        """Une requête : les candidatures reçues en ville ACV (quelques dizaines par vague).

        (vague, statut, ville de la candidature, entrée de la ville ACV de sa commune)
        """
        return list(
            Candidature.objects.filter(statut__in=STATUTS_RECUS, commune__ville_acv__isnull=False)
            .order_by()
            .values_list("vague_id", "statut", "cle_ville", "commune__ville_acv__entree")
        )

    @cached_property
    def candidatures(self) -> list[tuple]:
        """Une requête : les candidatures reçues, comptées par vague, région et statut."""
        return list(
            Candidature.objects.filter(statut__in=STATUTS_RECUS)
            .order_by()
            .values_list("vague_id", "commune__region_id", "statut")
            .annotate(n=Count("pk"))
        )

    @cached_property
    def sites(self) -> list[tuple]:
        """Une requête : chaque site, par id croissant, avec ce qu'en retiennent les chiffres et la carte.

        (statut, date d'ouverture, ville ACV, région, id, nom, latitude, longitude, département)
        """
        return list(
            Site.objects.order_by("pk").values_list(
                "statut",
                "date_ouverture",
                "commune__ville_acv_id",
                "commune__region_id",
                "pk",
                "nom",
                "commune__latitude",
                "commune__longitude",
                "commune__departement_id",
            )
        )

    @cached_property
    def retards_par_site(self) -> dict[int, int]:
        """Une requête : le nombre de jalons en retard de chaque site qui en a.

        Comme `JalonQuerySet.en_retard`, sans la jointure sur les sites : les sites fermés, qui
        ne sont plus suivis, sont écartés d'après les lignes de `sites`.
        """
        return dict(
            Jalon.objects.filter(fait_le__isnull=True, echeance__lt=self.aujourdhui)
            .order_by()
            .values_list("site_id")
            .annotate(n=Count("pk"))
        )

    @cached_property
    def objectifs(self) -> list[Objectif]:
        return list(Objectif.objects.all())

    @cached_property
    def ouvertures(self) -> tuple[list[dict], set[str]]:
        """Les ouvertures, tirées une fois des lignes des sites pour la page comme pour ses données
        (voir `_ouvertures_des_sites`)."""
        return _ouvertures_des_sites(self.sites)


# ---------------------------------------------------------------------------------------------
# Ce qui se déduit des lignes
# ---------------------------------------------------------------------------------------------
def _serie(par_jour: Iterable[tuple[datetime.date, int, int]]) -> list[dict]:
    """Les ouvertures cumulées, jour par jour, d'après (jour, ouvertures, dont en ville ACV)."""
    serie, cumul, cumul_acv = [], 0, 0
    for jour, n, acv in par_jour:
        cumul += n
        cumul_acv += acv
        serie.append({"date": jour.isoformat(), "cumul": cumul, "cumul_acv": cumul_acv})
    return serie


def _ouvertures_des_sites(lignes: Iterable[tuple]) -> tuple[list[dict], set[str]]:
    """Les ouvertures cumulées, jour par jour, des sites qui comptent (tous, en ville ACV), et les
    villes ACV qui ont un site qui compte, d'après les lignes de `_Releve.sites`."""
    jours: dict[datetime.date, list[int]] = {}
    villes_ouvertes: set[str] = set()
    qui_comptent = set(Site.QUI_COMPTENT)
    for statut, jour, ville, *_ in lignes:
        if jour is not None and statut in qui_comptent:
            compte = jours.get(jour)
            if compte is None:
                compte = jours[jour] = [0, 0]
            compte[0] += 1
            if ville is not None:
                compte[1] += 1
                villes_ouvertes.add(ville)
    return _serie((jour, *jours[jour]) for jour in sorted(jours)), villes_ouvertes


class _Sites:
    """Ce que les chiffres retiennent des sites, en un seul passage sur leurs lignes.

    `par_statut`, `en_ville_acv` : statut → nombre de sites (tous, en ville ACV) ;
    `par_region` : (région, statut) → nombre ; `retards` : site suivi (pas fermé) → jalons en
    retard ; `retards_par_region`. Les ouvertures, elles, sont dans `_Releve.ouvertures`.
    """

    def __init__(self, lignes: Iterable[tuple], retards_par_site: dict[int, int]) -> None:
        par_statut: dict[str, int] = {}
        en_ville_acv: dict[str, int] = {}
        par_region: dict[tuple[str, str], int] = {}
        retards: dict[int, int] = {}
        retards_par_region: dict[str, int] = {}
        ferme = Site.Statut.FERME
        for statut, _jour, ville, region, pk, _nom, _lat, _lon, _dep in lignes:
            par_statut[statut] = par_statut.get(statut, 0) + 1
            cle = (region, statut)
            par_region[cle] = par_region.get(cle, 0) + 1
            if ville is not None:
                en_ville_acv[statut] = en_ville_acv.get(statut, 0) + 1
            n = retards_par_site.get(pk)
            if n and statut != ferme:
                retards[pk] = n
                retards_par_region[region] = retards_par_region.get(region, 0) + n
        self.par_statut = par_statut
        self.en_ville_acv = en_ville_acv
        self.par_region = par_region
        self.retards = retards
        self.retards_par_region = retards_par_region


def _ouvertures() -> list[dict]:
    """Une requête : ouvertures cumulées, jour par jour, des sites qui comptent (tous, en ville ACV)."""
    return _serie(
        Site.objects.qui_comptent()
        .order_by()
        .values_list("date_ouverture")
        .annotate(n=Count("pk"), acv=Count("pk", filter=EN_VILLE_ACV))
        .order_by("date_ouverture")
    )


def _cumul_au(serie: list[dict], date: datetime.date, cle: str) -> int:
    valeur = 0
    for point in serie:
        if point["date"] > date.isoformat():
            break
        valeur = point[cle]
    return valeur


def _objectifs(serie: list[dict], aujourdhui: datetime.date, objectifs=None) -> list[dict]:
    """Chaque objectif (une requête s'ils ne sont pas donnés), avec où on en est aujourd'hui et à son échéance."""
    resultats = []
    for objectif in Objectif.objects.all() if objectifs is None else objectifs:
        cle = "cumul_acv" if objectif.acv_seulement else "cumul"
        a_ce_jour = serie[-1][cle] if serie else 0
        a_echeance = _cumul_au(serie, objectif.echeance, cle)
        resultats.append(
            {
                "id": objectif.pk,
                "libelle": objectif.libelle,
                "echeance": objectif.echeance.isoformat(),
                "nombre_sites": objectif.nombre_sites,
                "acv_seulement": objectif.acv_seulement,
                "debut": DEBUT_PROGRAMME.isoformat(),
                "sites_ouverts": a_ce_jour,
                "sites_ouverts_a_echeance": a_echeance,
                "pourcentage": min(100.0, _pourcentage(a_ce_jour, objectif.nombre_sites)),
                "reste": max(0, objectif.nombre_sites - a_ce_jour),
                "echu": objectif.echeance < aujourdhui,
                "atteint": a_echeance >= objectif.nombre_sites,
            }
        )
    return resultats


def _villes_acv(releve: _Releve) -> dict:
    """Les villes ACV (comptées par numéro), toutes et celles de 2018."""
    entree = releve.entree
    return {
        "total": len(entree),
        "initiales": sum(1 for e in entree.values() if e == releve.initiale),
    }


def _entonnoir(releve: _Releve, villes_ouvertes: set[str]) -> list[dict]:
    """Des villes ACV de 2018 jusqu'au site ouvert, comptées par numéro ACV.

    `villes_ouvertes` : les villes ACV (de toute année) qui ont un site qui compte.
    """
    initiale = releve.initiale
    candidates, retenues = set(), set()
    for _vague, statut, cle_ville, entree in releve.candidatures_acv:
        if entree == initiale:
            candidates.add(cle_ville)
            if statut == RETENUE:
                retenues.add(cle_ville)
    entree = releve.entree
    ouvertes = [ville for ville in villes_ouvertes if entree.get(ville) == initiale]
    return [
        {
            "etape": "villes_acv",
            "libelle": "Villes ACV de 2018",
            "nombre": _villes_acv(releve)["initiales"],
        },
        {"etape": "candidates", "libelle": "Ayant candidaté", "nombre": len(candidates)},
        {"etape": "retenues", "libelle": "Retenues", "nombre": len(retenues)},
        {"etape": "ouvertes", "libelle": "Avec un site ouvert", "nombre": len(ouvertes)},
    ]


def _vagues(releve: _Releve, villes_2018: int) -> list[dict]:
    """Une requête (les vagues) : par vague, candidatures reçues, villes ACV de 2018 candidates, décisions."""
    recues: Counter = Counter()
    par_statut: Counter = Counter()
    for vague, _region, statut, n in releve.candidatures:
        recues[vague] += n
        par_statut[vague, statut] += n
    recues_acv: Counter = Counter()
    retenues_acv: Counter = Counter()
    villes: defaultdict[int, set] = defaultdict(set)
    for vague, statut, cle_ville, entree in releve.candidatures_acv:
        recues_acv[vague] += 1
        if statut == RETENUE:
            retenues_acv[vague] += 1
        if entree == releve.initiale:
            villes[vague].add(cle_ville)
    resultats = []
    for v in Vague.objects.order_by("numero").only("pk", "numero", "nom", "statut"):
        nb_villes_2018 = len(villes[v.pk])
        resultats.append(
            {
                "numero": v.numero,
                "nom": v.nom,
                "statut": v.statut,
                "statut_libelle": v.get_statut_display(),
                "candidatures_recues": recues[v.pk],
                "candidatures_en_ville_acv": recues_acv[v.pk],
                "villes_acv_2018_candidates": nb_villes_2018,
                "taux_villes_acv_2018": _pourcentage(nb_villes_2018, villes_2018),
                "retenues": par_statut[v.pk, RETENUE],
                "retenues_en_ville_acv": retenues_acv[v.pk],
                "non_retenues": par_statut[v.pk, NON_RETENUE],
            }
        )
    return resultats


def _regions(releve: _Releve, sites: _Sites) -> list[dict]:
    """Une requête (les régions) : villes, candidatures, sites et retards de chaque région."""
    villes: defaultdict[str, set] = defaultdict(set)
    for ville, entree, code_insee, _nom, region, *_ in releve.villes:
        if code_insee is not None and entree == releve.initiale:
            villes[region].add(ville)
    recues: Counter = Counter()
    retenues: Counter = Counter()
    for _vague, region, statut, n in releve.candidatures:
        recues[region] += n
        if statut == RETENUE:
            retenues[region] += n
    par_region, en_retard = sites.par_region, sites.retards_par_region
    resultats = []
    for code, nom in Region.objects.order_by("nom").values_list("code", "nom"):
        par_statut = {s: par_region.get((code, s), 0) for s in Site.Statut.values}
        ligne = {
            "code": code,
            "nom": nom,
            "villes_acv_2018": len(villes[code]),
            "candidatures_recues": recues[code],
            "candidatures_retenues": retenues[code],
            "sites": sum(par_statut.values()),
            "sites_par_statut": par_statut,
            "sites_ouverts": sum(par_statut[s] for s in Site.QUI_COMPTENT),
            "jalons_en_retard": en_retard.get(code, 0),
        }
        if ligne["villes_acv_2018"] or ligne["candidatures_recues"] or ligne["sites"]:
            resultats.append(ligne)
    return resultats


def _jalons_en_retard(aujourdhui: datetime.date, limite: int, retards: dict[int, int]) -> dict:
    """Une requête : les plus anciens retards avec leur site (les comptes viennent de `retards`)."""
    liste = (
        Jalon.objects.en_retard(aujourdhui)
        .order_by("echeance", "site__nom")
        .values_list(
            "site_id",
            "site__nom",
            "site__commune__nom",
            "site__commune__region__nom",
            "libelle",
            "echeance",
        )[:limite]
    )
    return {
        "nombre": sum(retards.values()),
        "sites_concernes": len(retards),
        "liste": [
            {
                "site_id": site_id,
                "site": site,
                "commune": commune,
                "region": region,
                "jalon": libelle,
                "echeance": echeance.isoformat(),
                "jours_de_retard": (aujourdhui - echeance).days,
            }
            for site_id, site, commune, region, libelle, echeance in liste
        ],
    }


def _sites(sites: _Sites) -> dict:
    """Les sites par statut, en ville ACV ou non."""
    total, acv = sites.par_statut, sites.en_ville_acv
    par_statut = [
        {
            "statut": s.value,
            "libelle": s.label,
            "total": total.get(s.value, 0),
            "en_ville_acv": acv.get(s.value, 0),
            "hors_ville_acv": total.get(s.value, 0) - acv.get(s.value, 0),
        }
        for s in Site.Statut
    ]
    ouverts = sum(p["total"] for p in par_statut if p["statut"] in Site.QUI_COMPTENT)
    ouverts_acv = sum(p["en_ville_acv"] for p in par_statut if p["statut"] in Site.QUI_COMPTENT)
    return {
        "total": sum(total.values()),
        "en_ville_acv": sum(acv.values()),
        "hors_ville_acv": sum(total.values()) - sum(acv.values()),
        "ouverts": ouverts,
        "ouverts_en_ville_acv": ouverts_acv,
        "ouverts_hors_ville_acv": ouverts - ouverts_acv,
        "par_statut": par_statut,
    }


def _inscriptions() -> list[dict]:
    """Une requête : les inscrits de tous les sites, année par année.

    Un site a au plus une ligne par année (contrainte `inscriptions_unique_par_site_et_annee`) :
    compter les lignes d'une année, c'est compter ses sites, sans tri pour dédoublonner.
    """
    return [
        {"annee": annee, "inscrits": inscrits, "sites": sites}
        for annee, inscrits, sites in Inscriptions.objects.order_by()
        .values_list("annee")
        .annotate(inscrits=Sum("nombre"), sites=Count("pk"))
        .order_by("annee")
    ]


def _financements() -> list[dict]:
    """Une requête : les montants de tous les sites, par source (en euros, nombres entiers)."""
    montants = dict(
        LigneFinancementSite.objects.order_by().values_list("source").annotate(total=Sum("montant"))
    )
    return [
        {"source": s.value, "libelle": s.label, "montant": int(montants.get(s.value) or 0)}
        for s in LigneFinancementSite.Source
    ]


def _par_mois(serie: list[dict]) -> list[dict]:
    """Les ouvertures cumulées à la fin de chaque mois qui en compte (pour le tableau sans JS)."""
    mois: dict[str, dict] = {}
    for point in serie:
        mois[point["date"][:7]] = {**point, "mois": point["date"][:7]}
    return list(mois.values())


def _carte(releve: _Releve) -> dict:
    """La carte : les communes des villes ACV avec leur étape, et les sites avec leurs coordonnées.

    Les sites, nombreux, sont donnés par colonnes : une liste par attribut, dans l'ordre des id.
    """
    etapes_candidature: dict[str, str] = {}
    for _vague, statut, cle, _entree in releve.candidatures_acv:
        if statut == RETENUE:
            etapes_candidature[cle] = "retenue"
        else:
            etapes_candidature.setdefault(cle, "candidate")

    lignes = releve.sites
    statuts, _jours, villes_des_sites, _regions, _ids, *attributs = (
        zip(*lignes, strict=True) if lignes else ((),) * 9
    )
    etapes_site: dict[str, str] = {}
    qui_comptent, avant = set(Site.QUI_COMPTENT), set(Site.AVANT_OUVERTURE)
    for statut, ville in zip(statuts, villes_des_sites, strict=True):
        if statut in qui_comptent:
            if ville is not None:
                etapes_site[ville] = "site_ouvert"
        elif ville is not None and statut in avant and etapes_site.get(ville) != "site_ouvert":
            etapes_site[ville] = "site_en_projet"

    nom, lat, lon, departement = attributs
    villes = [
        {
            "code_insee": code_insee,
            "nom": nom_commune,
            "id_acv": ville,
            "lat": latitude,
            "lon": longitude,
            "departement": dep,
            "etape": etapes_site.get(ville) or etapes_candidature.get(ville, "sans_candidature"),
        }
        for ville, _entree, code_insee, nom_commune, _region, latitude, longitude, dep in releve.villes
        if code_insee is not None
    ]
    carte = {
        "etapes_ville": ETAPES_VILLE,
        "statuts_site": dict(Site.Statut.choices),
        "villes": villes,
        "sites": {
            "nom": nom,
            "statut": statuts,
            "lat": lat,
            "lon": lon,
            "departement": departement,
            "acv": [ville is not None for ville in villes_des_sites],
        },
    }
    return carte


# ---------------------------------------------------------------------------------------------
# Ce que servent les vues et la commande
# ---------------------------------------------------------------------------------------------
def _donnees(releve: _Releve) -> dict:
    serie, villes_ouvertes = releve.ouvertures
    return {
        "date": releve.aujourdhui.isoformat(),
        "entonnoir": _entonnoir(releve, villes_ouvertes),
        "ouvertures": serie,
        "objectifs": _objectifs(serie, releve.aujourdhui, releve.objectifs),
        "carte": _carte(releve),
    }


def donnees_tableau_de_bord(aujourdhui: datetime.date | None = None) -> dict:
    """Ce que dessine le navigateur : entonnoir, ouvertures, objectifs, et la carte.

    Quatre requêtes : villes ACV (avec leurs communes), candidatures reçues en ville ACV, sites
    (avec leur commune), objectifs. Les ouvertures et l'entonnoir se déduisent des mêmes lignes
    que la carte.
    """
    return _donnees(_Releve(aujourdhui or timezone.localdate()))


def _donnees_en_json(releve: _Releve) -> bytes:
    return json.dumps(_donnees(releve), cls=DjangoJSONEncoder, ensure_ascii=False).encode()


def _etat(releve: _Releve, retards_listes: int = 50) -> dict:
    villes = _villes_acv(releve)
    sites = _Sites(releve.sites, releve.retards_par_site)
    serie, villes_ouvertes = releve.ouvertures
    return {
        "date": releve.aujourdhui.isoformat(),
        "villes_acv": {"total": villes["total"], "entree_2018": villes["initiales"]},
        "entonnoir": _entonnoir(releve, villes_ouvertes),
        "vagues": _vagues(releve, villes["initiales"]),
        "sites": _sites(sites),
        "ouvertures": serie,
        "ouvertures_par_mois": _par_mois(serie),
        "objectifs": _objectifs(serie, releve.aujourdhui, releve.objectifs),
        "regions": _regions(releve, sites),
        "jalons_en_retard": _jalons_en_retard(releve.aujourdhui, retards_listes, sites.retards),
        "inscriptions": _inscriptions(),
        "financements": _financements(),
    }


def etat_du_programme(aujourdhui: datetime.date | None = None, *, retards_listes: int = 50) -> dict:
    """Tous les chiffres du programme, prêts pour du JSON (dates en ISO 8601).

    Une douzaine de requêtes, en nombre fixe. Une « ville ACV » est une ville du programme
    (entrée en 2018 ou après) ; l'entonnoir et le taux de candidature partent des 222 villes de
    2018, comptées par numéro ACV (un binôme compte une fois), une candidature reçue étant tout
    sauf un brouillon, quel que soit son sort ensuite.
    """
    return _etat(_Releve(aujourdhui or timezone.localdate()), retards_listes)


def avancement_des_objectifs(aujourdhui: datetime.date | None = None) -> list[dict]:
    """Deux requêtes : la série des ouvertures, puis les objectifs et leur avancement."""
    return _objectifs(_ouvertures(), aujourdhui or timezone.localdate())


# ---------------------------------------------------------------------------------------------
# Le dernier calcul, gardé tant que la base n'a rien validé
# ---------------------------------------------------------------------------------------------
def cliche_des_donnees() -> str | None:
    """Le cliché des transactions de la base (PostgreSQL) : même cliché, mêmes données.

    `pg_current_snapshot()` dit quelles transactions sont validées (xmin:xmax:en cours) ; toute
    validation, dans n'importe quelle table (et même ailleurs sur le serveur), le change. Deux
    lectures sous le même cliché voient donc exactement les mêmes lignes : un calcul fait sous ce
    cliché vaut encore, sans rien savoir de ce dont il dépend ni des chemins d'écriture (ORM,
    `update()` en masse, SQL brut, autre programme).

    Le démarrage du serveur l'accompagne : un autre serveur (redémarré, ou un secours promu)
    ne reprend pas les clichés du précédent. None ailleurs que sur PostgreSQL, et dans une
    transaction en cours : ses propres écritures, pas encore validées, ne changent pas le cliché.
    """
    if (
        connection.vendor != "postgresql"
        or connection.in_atomic_block
        or not connection.get_autocommit()
    ):
        return None
    with connection.cursor() as curseur:
        curseur.execute("SELECT pg_current_snapshot()::text || '@' || pg_postmaster_start_time()")
        return curseur.fetchone()[0]


@dataclass
class _Garde:
    cle: tuple
    releve: _Releve
    resultats: dict[str, object] = field(default_factory=dict)


class Memoire:
    """Les calculs du jour (la page, ses données), gardés sous le cliché où leurs lignes ont été lues.

    Chaque partie se calcule à la demande sur un relevé (`_Releve`) gardé avec elle : quand la
    page puis ses données sont demandées sous le même cliché, les lignes qu'elles partagent
    (villes ACV, sites, candidatures en ville ACV, objectifs) ne sont lues qu'une fois, et les
    données ne relisent rien. Une requête (le cliché) quand la partie est déjà faite sous ce
    cliché ; sinon son calcul, plus une requête : elle n'est gardée que si le cliché n'a pas
    changé pendant qu'elle se faisait (un cliché ne revient jamais : un relevé lu à cheval sur une
    validation n'est plus jamais relu). Les résultats gardés sont partagés entre les requêtes du
    processus : ne pas les modifier.
    """

    def __init__(self, parties: dict[str, Callable[[_Releve], Any]]) -> None:
        self.parties = parties
        self.garde: _Garde | None = None

    def __call__(self, partie: str) -> Any:
        calcul = self.parties[partie]
        aujourdhui = timezone.localdate()
        cliche = cliche_des_donnees()
        if cliche is None:
            return calcul(_Releve(aujourdhui))
        base = connection.settings_dict
        cle = (base["HOST"], base["PORT"], base["NAME"], aujourdhui, cliche)
        garde = self.garde
        if garde is None or garde.cle != cle:
            garde = _Garde(cle, _Releve(aujourdhui))
        elif partie in garde.resultats:
            return garde.resultats[partie]
        resultat = calcul(garde.releve)
        if cliche_des_donnees() == cliche:
            garde.resultats[partie] = resultat
            self.garde = garde
        elif self.garde is garde:
            self.garde = None
        return resultat


# Ce que servent les vues du tableau de bord : la page (ses chiffres) et ses données (en JSON).
tableau_du_jour = Memoire({"etat": _etat, "donnees_json": _donnees_en_json})


def oublier_les_calculs_gardes() -> None:
    """Oublie les derniers calculs gardés du processus (le banc d'essai mesure ainsi le calcul)."""
    tableau_du_jour.garde = None
