"""Les fichiers ouverts des sites : publics, sans connexion."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from acv.flux import TamponCsv

from .opendata import COLONNES, lignes_ouvertes

LICENCE = "Licence Ouverte / Etalab 2.0"


def _lignes_csv() -> Iterator[bytes]:
    ecrivain = csv.DictWriter(TamponCsv(), fieldnames=COLONNES, lineterminator="\n")
    yield ("\ufeff" + ecrivain.writeheader()).encode()
    for ligne in lignes_ouvertes():
        yield ecrivain.writerow(
            {
                **ligne,
                "ville_acv": "oui" if ligne["ville_acv"] else "non",
                "formations": " ; ".join(ligne["formations"]),
                "latitude": "" if ligne["latitude"] is None else ligne["latitude"],
                "longitude": "" if ligne["longitude"] is None else ligne["longitude"],
            }
        ).encode()


@require_GET
def opendata_sites_csv(request: HttpRequest) -> HttpResponse:
    """CSV UTF-8 (avec BOM pour les tableurs), séparateur virgule, formations séparées par « ; »,
    écrit en flux, site par site."""
    reponse = StreamingHttpResponse(_lignes_csv(), content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = 'inline; filename="sites.csv"'
    reponse["Access-Control-Allow-Origin"] = "*"
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
