"""Les chiffres du programme : un seul calcul pour le tableau de bord et `manage.py programme_status`.

Chaque fonction fait un nombre fixe de requêtes agrégées, quel que soit le nombre de villes,
de candidatures ou de sites.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, Sum
from django.utils import timezone

from acv.models import Commune, Objectif, Region, VilleAcv
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

RECUE = ~Q(statut=Candidature.Statut.BROUILLON)
RETENUE = Candidature.Statut.RETENUE
EN_VILLE_ACV = Q(commune__ville_acv__isnull=False)


def _pourcentage(partie: int, tout: int) -> float:
    return round(100 * partie / tout, 1) if tout else 0.0


def _vagues(initiale: int, villes_2018: int) -> list[dict]:
    """Une requête : par vague, candidatures reçues, villes ACV de 2018 candidates, décisions."""
    recue = ~Q(candidatures__statut=Candidature.Statut.BROUILLON)
    vagues = Vague.objects.order_by("numero").annotate(
        nb_recues=Count("candidatures", filter=recue),
        nb_recues_acv=Count(
            "candidatures", filter=recue & Q(candidatures__commune__ville_acv__isnull=False)
        ),
        nb_villes_2018=Count(
            "candidatures__cle_ville",
            filter=recue & Q(candidatures__commune__ville_acv__entree=initiale),
            distinct=True,
        ),
        nb_retenues=Count("candidatures", filter=Q(candidatures__statut=RETENUE)),
        nb_retenues_acv=Count(
            "candidatures",
            filter=Q(candidatures__statut=RETENUE)
            & Q(candidatures__commune__ville_acv__isnull=False),
        ),
        nb_non_retenues=Count(
            "candidatures", filter=Q(candidatures__statut=Candidature.Statut.NON_RETENUE)
        ),
    )
    return [
        {
            "numero": v.numero,
            "nom": v.nom,
            "statut": v.statut,
            "statut_libelle": v.get_statut_display(),
            "candidatures_recues": v.nb_recues,
            "candidatures_en_ville_acv": v.nb_recues_acv,
            "villes_acv_2018_candidates": v.nb_villes_2018,
            "taux_villes_acv_2018": _pourcentage(v.nb_villes_2018, villes_2018),
            "retenues": v.nb_retenues,
            "retenues_en_ville_acv": v.nb_retenues_acv,
            "non_retenues": v.nb_non_retenues,
        }
        for v in vagues
    ]


def _ouvertures() -> list[dict]:
    """Une requête : ouvertures cumulées, jour par jour, des sites qui comptent (tous, en ville ACV)."""
    par_jour = (
        Site.objects.qui_comptent()
        .order_by()
        .values("date_ouverture")
        .annotate(n=Count("pk"), acv=Count("pk", filter=EN_VILLE_ACV))
        .order_by("date_ouverture")
    )
    serie, cumul, cumul_acv = [], 0, 0
    for jour in par_jour:
        cumul += jour["n"]
        cumul_acv += jour["acv"]
        serie.append(
            {"date": jour["date_ouverture"].isoformat(), "cumul": cumul, "cumul_acv": cumul_acv}
        )
    return serie


def _cumul_au(serie: list[dict], date: datetime.date, cle: str) -> int:
    valeur = 0
    for point in serie:
        if point["date"] > date.isoformat():
            break
        valeur = point[cle]
    return valeur


def _objectifs(serie: list[dict], aujourdhui: datetime.date) -> list[dict]:
    """Une requête : chaque objectif, avec où on en est aujourd'hui et à son échéance."""
    resultats = []
    for objectif in Objectif.objects.all():
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


def _regions(initiale: int, aujourdhui: datetime.date) -> list[dict]:
    """Cinq requêtes : les régions, puis villes, candidatures, sites et retards groupés par région."""
    villes = dict(
        Commune.objects.filter(ville_acv__entree=initiale)
        .order_by()
        .values("region_id")
        .annotate(n=Count("ville_acv", distinct=True))
        .values_list("region_id", "n")
    )
    candidatures = {
        ligne["commune__region_id"]: ligne
        for ligne in Candidature.objects.filter(RECUE)
        .order_by()
        .values("commune__region_id")
        .annotate(recues=Count("pk"), retenues=Count("pk", filter=Q(statut=RETENUE)))
    }
    sites: dict[str, dict[str, int]] = {}
    for ligne in (
        Site.objects.order_by().values("commune__region_id", "statut").annotate(n=Count("pk"))
    ):
        sites.setdefault(ligne["commune__region_id"], {})[ligne["statut"]] = ligne["n"]
    retards = dict(
        Jalon.objects.en_retard(aujourdhui)
        .order_by()
        .values("site__commune__region_id")
        .annotate(n=Count("pk"))
        .values_list("site__commune__region_id", "n")
    )
    resultats = []
    for region in Region.objects.order_by("nom"):
        par_statut = {s: sites.get(region.code, {}).get(s, 0) for s in Site.Statut.values}
        ligne = {
            "code": region.code,
            "nom": region.nom,
            "villes_acv_2018": villes.get(region.code, 0),
            "candidatures_recues": candidatures.get(region.code, {}).get("recues", 0),
            "candidatures_retenues": candidatures.get(region.code, {}).get("retenues", 0),
            "sites": sum(par_statut.values()),
            "sites_par_statut": par_statut,
            "sites_ouverts": sum(par_statut[s] for s in Site.QUI_COMPTENT),
            "jalons_en_retard": retards.get(region.code, 0),
        }
        if ligne["villes_acv_2018"] or ligne["candidatures_recues"] or ligne["sites"]:
            resultats.append(ligne)
    return resultats


def _jalons_en_retard(aujourdhui: datetime.date, limite: int) -> dict:
    """Deux requêtes : le compte, puis les plus anciens retards avec leur site."""
    retards = Jalon.objects.en_retard(aujourdhui)
    comptes = retards.aggregate(jalons=Count("pk"), sites=Count("site", distinct=True))
    liste = retards.select_related("site__commune__region").order_by("echeance", "site__nom")[
        :limite
    ]
    return {
        "nombre": comptes["jalons"],
        "sites_concernes": comptes["sites"],
        "liste": [
            {
                "site_id": j.site_id,
                "site": j.site.nom,
                "commune": j.site.commune.nom,
                "region": j.site.commune.region.nom,
                "jalon": j.libelle,
                "echeance": j.echeance.isoformat(),
                "jours_de_retard": (aujourdhui - j.echeance).days,
            }
            for j in liste
        ],
    }


def _inscriptions() -> list[dict]:
    """Une requête : les inscrits de tous les sites, année par année."""
    return [
        {"annee": ligne["annee"], "inscrits": ligne["inscrits"], "sites": ligne["sites"]}
        for ligne in Inscriptions.objects.order_by()
        .values("annee")
        .annotate(inscrits=Sum("nombre"), sites=Count("site", distinct=True))
        .order_by("annee")
    ]


def _financements() -> list[dict]:
    """Une requête : les montants de tous les sites, par source (en euros, nombres entiers)."""
    montants = dict(
        LigneFinancementSite.objects.order_by()
        .values("source")
        .annotate(total=Sum("montant"))
        .values_list("source", "total")
    )
    return [
        {"source": s.value, "libelle": s.label, "montant": int(montants.get(s.value) or 0)}
        for s in LigneFinancementSite.Source
    ]


def _entonnoir(initiale: int) -> tuple[dict, list[dict]]:
    """Trois requêtes : les villes ACV, et l'entonnoir des villes de 2018 jusqu'au site ouvert."""
    villes = VilleAcv.objects.aggregate(
        total=Count("pk"), initiales=Count("pk", filter=Q(entree=initiale))
    )
    candidatures = (
        Candidature.objects.filter(RECUE)
        .filter(commune__ville_acv__entree=initiale)
        .aggregate(
            candidates=Count("cle_ville", distinct=True),
            retenues=Count("cle_ville", distinct=True, filter=Q(statut=RETENUE)),
        )
    )
    villes_avec_site_ouvert = (
        Site.objects.qui_comptent()
        .filter(commune__ville_acv__entree=initiale)
        .aggregate(n=Count("commune__ville_acv", distinct=True))["n"]
    )
    entonnoir = [
        {"etape": "villes_acv", "libelle": "Villes ACV de 2018", "nombre": villes["initiales"]},
        {"etape": "candidates", "libelle": "Ayant candidaté", "nombre": candidatures["candidates"]},
        {"etape": "retenues", "libelle": "Retenues", "nombre": candidatures["retenues"]},
        {"etape": "ouvertes", "libelle": "Avec un site ouvert", "nombre": villes_avec_site_ouvert},
    ]
    return villes, entonnoir


def _par_mois(serie: list[dict]) -> list[dict]:
    """Les ouvertures cumulées à la fin de chaque mois qui en compte (pour le tableau sans JS)."""
    mois: dict[str, dict] = {}
    for point in serie:
        mois[point["date"][:7]] = {**point, "mois": point["date"][:7]}
    return list(mois.values())


def donnees_graphiques(aujourdhui: datetime.date | None = None) -> dict:
    """Ce que dessinent les graphiques du tableau de bord : entonnoir, ouvertures, objectifs."""
    aujourdhui = aujourdhui or timezone.localdate()
    _, entonnoir = _entonnoir(VilleAcv.ENTREE_INITIALE)
    serie = _ouvertures()
    return {
        "date": aujourdhui.isoformat(),
        "entonnoir": entonnoir,
        "ouvertures": serie,
        "objectifs": _objectifs(serie, aujourdhui),
    }


def etat_du_programme(aujourdhui: datetime.date | None = None, *, retards_listes: int = 50) -> dict:
    """Tous les chiffres du programme, prêts pour du JSON (dates en ISO 8601).

    Une quinzaine de requêtes agrégées, en nombre fixe. Une « ville ACV » est une ville du
    programme (entrée en 2018 ou après) ; l'entonnoir et le taux de candidature partent des 222
    villes de 2018, comptées par numéro ACV (un binôme compte une fois), une candidature reçue
    étant tout sauf un brouillon, quel que soit son sort ensuite.
    """
    aujourdhui = aujourdhui or timezone.localdate()
    initiale = VilleAcv.ENTREE_INITIALE

    villes, entonnoir = _entonnoir(initiale)
    villes_2018 = villes["initiales"]

    par_statut = {s: {"total": 0, "en_ville_acv": 0} for s in Site.Statut.values}
    for ligne in (
        Site.objects.order_by()
        .values("statut")
        .annotate(total=Count("pk"), acv=Count("pk", filter=EN_VILLE_ACV))
    ):
        par_statut[ligne["statut"]] = {"total": ligne["total"], "en_ville_acv": ligne["acv"]}
    total_sites = sum(v["total"] for v in par_statut.values())
    total_acv = sum(v["en_ville_acv"] for v in par_statut.values())
    ouverts = sum(par_statut[s]["total"] for s in Site.QUI_COMPTENT)
    ouverts_acv = sum(par_statut[s]["en_ville_acv"] for s in Site.QUI_COMPTENT)

    serie = _ouvertures()
    return {
        "date": aujourdhui.isoformat(),
        "villes_acv": {"total": villes["total"], "entree_2018": villes_2018},
        "entonnoir": entonnoir,
        "vagues": _vagues(initiale, villes_2018),
        "sites": {
            "total": total_sites,
            "en_ville_acv": total_acv,
            "hors_ville_acv": total_sites - total_acv,
            "ouverts": ouverts,
            "ouverts_en_ville_acv": ouverts_acv,
            "ouverts_hors_ville_acv": ouverts - ouverts_acv,
            "par_statut": [
                {
                    "statut": s.value,
                    "libelle": s.label,
                    "total": par_statut[s.value]["total"],
                    "en_ville_acv": par_statut[s.value]["en_ville_acv"],
                    "hors_ville_acv": par_statut[s.value]["total"]
                    - par_statut[s.value]["en_ville_acv"],
                }
                for s in Site.Statut
            ],
        },
        "ouvertures": serie,
        "ouvertures_par_mois": _par_mois(serie),
        "objectifs": _objectifs(serie, aujourdhui),
        "regions": _regions(initiale, aujourdhui),
        "jalons_en_retard": _jalons_en_retard(aujourdhui, retards_listes),
        "inscriptions": _inscriptions(),
        "financements": _financements(),
    }


def donnees_carte() -> dict:
    """Trois requêtes : les communes des villes ACV avec leur étape, et les sites, avec leurs coordonnées."""
    etapes_candidature: dict[str, str] = {}
    for cle, statut in (
        Candidature.objects.filter(RECUE, EN_VILLE_ACV)
        .order_by()
        .values_list("cle_ville", "statut")
        .distinct()
    ):
        etape = "retenue" if statut == RETENUE else "candidate"
        if etapes_candidature.get(cle) != "retenue":
            etapes_candidature[cle] = etape

    sites = []
    etapes_site: dict[str, str] = {}
    for s in Site.objects.order_by("pk").values(
        "pk",
        "nom",
        "statut",
        "commune__nom",
        "commune__latitude",
        "commune__longitude",
        "commune__departement_id",
        "commune__ville_acv_id",
    ):
        sites.append(
            {
                "id": s["pk"],
                "nom": s["nom"],
                "commune": s["commune__nom"],
                "statut": s["statut"],
                "lat": s["commune__latitude"],
                "lon": s["commune__longitude"],
                "departement": s["commune__departement_id"],
                "acv": s["commune__ville_acv_id"] is not None,
            }
        )
        ville = s["commune__ville_acv_id"]
        if ville:
            if s["statut"] in Site.QUI_COMPTENT:
                etapes_site[ville] = "site_ouvert"
            elif s["statut"] in Site.AVANT_OUVERTURE and etapes_site.get(ville) != "site_ouvert":
                etapes_site[ville] = "site_en_projet"

    villes = [
        {
            "code_insee": c["code_insee"],
            "nom": c["nom"],
            "id_acv": c["ville_acv_id"],
            "lat": c["latitude"],
            "lon": c["longitude"],
            "departement": c["departement_id"],
            "etape": etapes_site.get(c["ville_acv_id"])
            or etapes_candidature.get(c["ville_acv_id"], "sans_candidature"),
        }
        for c in Commune.objects.filter(ville_acv__isnull=False)
        .order_by("code_insee")
        .values("code_insee", "nom", "ville_acv_id", "latitude", "longitude", "departement_id")
    ]
    return {
        "etapes_ville": ETAPES_VILLE,
        "statuts_site": dict(Site.Statut.choices),
        "villes": villes,
        "sites": sites,
    }


def avancement_des_objectifs(aujourdhui: datetime.date | None = None) -> list[dict]:
    """Deux requêtes : la série des ouvertures, puis les objectifs et leur avancement."""
    return _objectifs(_ouvertures(), aujourdhui or timezone.localdate())
