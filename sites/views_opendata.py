"""Les fichiers ouverts des sites : publics, sans connexion."""

from __future__ import annotations

import csv
import json

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from .opendata import COLONNES, lignes_ouvertes

LICENCE = "Licence Ouverte / Etalab 2.0"


@require_GET
def opendata_sites_csv(request: HttpRequest) -> HttpResponse:
    """CSV UTF-8 (avec BOM pour les tableurs), séparateur virgule, formations séparées par « ; »."""
    reponse = HttpResponse(content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = 'inline; filename="sites.csv"'
    reponse["Access-Control-Allow-Origin"] = "*"
    reponse.write("\ufeff")
    ecrivain = csv.DictWriter(reponse, fieldnames=COLONNES, lineterminator="\n")
    ecrivain.writeheader()
    for ligne in lignes_ouvertes():
        ecrivain.writerow(
            {
                **ligne,
                "ville_acv": "oui" if ligne["ville_acv"] else "non",
                "formations": " ; ".join(ligne["formations"]),
                "latitude": "" if ligne["latitude"] is None else ligne["latitude"],
                "longitude": "" if ligne["longitude"] is None else ligne["longitude"],
            }
        )
    return reponse


@require_GET
def opendata_sites_geojson(request: HttpRequest) -> HttpResponse:
    """GeoJSON (WGS84) : un point par site, au point de référence de sa commune."""
    entites = []
    for ligne in lignes_ouvertes():
        lat, lon = ligne.pop("latitude"), ligne.pop("longitude")
        entites.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]}
                if lat is not None and lon is not None
                else None,
                "properties": ligne,
            }
        )
    contenu = {
        "type": "FeatureCollection",
        "name": "sites_au_coeur_des_territoires",
        "licence": LICENCE,
        "features": entites,
    }
    reponse = HttpResponse(
        json.dumps(contenu, ensure_ascii=False), content_type="application/geo+json; charset=utf-8"
    )
    reponse["Access-Control-Allow-Origin"] = "*"
    return reponse
