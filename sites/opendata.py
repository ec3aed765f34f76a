"""Les sites en données ouvertes : CSV et GeoJSON, publics, stables.

Seules des données publiques sortent d'ici : le territoire, le site, son statut, sa date
d'ouverture et ses formations. Jamais un nom de personne, un courriel, un téléphone ni un
montant : les colonnes sont listées une à une, rien n'est pris « tout le modèle ».
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Prefetch

from .models import Formation, Site

COLONNES = [
    "code_insee",
    "commune",
    "departement_code",
    "departement",
    "region_code",
    "region",
    "ville_acv",
    "numero_acv",
    "nom_du_site",
    "adresse",
    "statut",
    "date_ouverture",
    "formations",
    "latitude",
    "longitude",
]


def lignes_ouvertes() -> Iterator[dict]:
    """Les sites un à un, lus par paquets de 500 : deux requêtes par paquet (les sites avec leur
    territoire, puis leurs formations)."""
    sites = (
        Site.objects.select_related("commune__departement", "commune__region", "commune__ville_acv")
        .prefetch_related(
            Prefetch("formations", queryset=Formation.objects.order_by("date_debut", "intitule"))
        )
        .order_by("commune__code_insee", "pk")
    )
    for s in sites.iterator(chunk_size=500):
        yield {
            "code_insee": s.commune.code_insee,
            "commune": s.commune.nom,
            "departement_code": s.commune.departement_id,
            "departement": s.commune.departement.nom,
            "region_code": s.commune.region_id,
            "region": s.commune.region.nom,
            "ville_acv": s.commune.ville_acv_id is not None,
            "numero_acv": s.commune.ville_acv_id or "",
            "nom_du_site": s.nom,
            "adresse": " ".join(s.adresse.split()),
            "statut": s.get_statut_display(),
            "date_ouverture": s.date_ouverture.isoformat() if s.date_ouverture else "",
            "formations": [f.intitule for f in s.formations.all()],
            "latitude": s.commune.latitude,
            "longitude": s.commune.longitude,
        }
