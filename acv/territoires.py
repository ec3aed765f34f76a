"""Chargement idempotent du référentiel territorial depuis `acv/data/` (données ouvertes INSEE, IGN, ANCT)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.db import transaction

from .models import Commune, Departement, Epci, Region, VilleAcv, normaliser_nom

DOSSIER_DONNEES = Path(__file__).resolve().parent / "data"


@dataclass
class Bilan:
    """Par modèle : (créés, modifiés)."""

    lignes: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def rien_change(self) -> bool:
        return all(c == 0 and m == 0 for c, m in self.lignes.values())


def _lire(nom: str) -> list[dict[str, str]]:
    with open(DOSSIER_DONNEES / nom, encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in ligne.items()} for ligne in csv.DictReader(f)]


def _date(texte: str) -> date | None:
    return datetime.strptime(texte, "%d/%m/%Y").date() if texte else None


def _synchroniser(modele, voulus: dict[str, dict], champs: list[str]) -> tuple[int, int]:
    """Crée ce qui manque et met à jour ce qui diffère ; ne supprime rien (des décisions en dépendent)."""
    pk = modele._meta.pk.attname
    existants = {str(v[pk]): v for v in modele.objects.values(pk, *champs)}
    a_creer, a_modifier = [], []
    for cle, valeurs in voulus.items():
        actuel = existants.get(cle)
        if actuel is None:
            a_creer.append(modele(**{pk: cle}, **valeurs))
        elif any(actuel[c] != valeurs[c] for c in champs):
            a_modifier.append(modele(**{pk: cle}, **valeurs))
    modele.objects.bulk_create(a_creer, batch_size=2000)
    modele.objects.bulk_update(a_modifier, champs, batch_size=2000)
    return len(a_creer), len(a_modifier)


@transaction.atomic
def charger_territoires() -> Bilan:
    bilan = Bilan()
    regions = {r["code"]: {"nom": r["nom"]} for r in _lire("regions.csv")}
    bilan.lignes["régions"] = _synchroniser(Region, regions, ["nom"])

    departements = {
        d["code"]: {"nom": d["nom"], "region_id": d["region"]} for d in _lire("departements.csv")
    }
    bilan.lignes["départements"] = _synchroniser(Departement, departements, ["nom", "region_id"])

    epcis = {e["siren"]: {"nom": e["nom"], "type": e["type"]} for e in _lire("epci.csv")}
    bilan.lignes["EPCI"] = _synchroniser(Epci, epcis, ["nom", "type"])

    lignes_acv = _lire("acv_villes.csv")
    villes: dict[str, dict] = {}
    acv_par_commune: dict[str, str] = {}
    for ligne in lignes_acv:
        villes.setdefault(
            ligne["id_acv"],
            {
                "libelle": ligne["programme"],
                "date_signature": _date(ligne["date_signature"]),
                "entree": int(ligne["entree"]),
            },
        )
        acv_par_commune[ligne["code_insee"]] = ligne["id_acv"]
    bilan.lignes["villes ACV"] = _synchroniser(
        VilleAcv, villes, ["libelle", "date_signature", "entree"]
    )

    communes = {}
    for c in _lire("communes.csv"):
        communes[c["code_insee"]] = {
            "nom": c["nom"],
            "nom_normalise": normaliser_nom(c["nom"]),
            "departement_id": c["departement"],
            "region_id": c["region"],
            "epci_id": c["siren_epci"] or None,
            "population": int(c["population"]) if c["population"] else None,
            "latitude": float(c["latitude"]) if c["latitude"] else None,
            "longitude": float(c["longitude"]) if c["longitude"] else None,
            "ville_acv_id": acv_par_commune.get(c["code_insee"]),
        }
    bilan.lignes["communes"] = _synchroniser(Commune, communes, list(next(iter(communes.values()))))
    return bilan
