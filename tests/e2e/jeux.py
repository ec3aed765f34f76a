"""Petits jeux de données des parcours dans le navigateur, créés par les fabriques.

Avec `transaction=True`, la base est vidée entre deux tests : chaque parcours recrée ce qu'il lit.
"""

from __future__ import annotations

from acv.models import Region
from candidatures.models import Candidature
from sites.models import Site
from sites.services import ouvrir_site
from tests import factories as f

RETENUE = Candidature.Statut.RETENUE


def auvergne() -> Region:
    return f.RegionFactory(code="84", nom="Auvergne-Rhône-Alpes")


def grand_est() -> Region:
    return f.RegionFactory(code="44", nom="Grand Est")


def commune_du_cantal(code_insee: str, nom: str, **kwargs):
    return f.CommuneFactory(code_insee=code_insee, nom=nom, **kwargs)


def commune_de_moselle(code_insee: str, nom: str, **kwargs):
    moselle = f.DepartementFactory(code="57", nom="Moselle", region=grand_est())
    return f.CommuneFactory(code_insee=code_insee, nom=nom, departement=moselle, **kwargs)


def site_depuis_retenue(commune, *, vague=None, par=None) -> Site:
    """Un site créé comme dans la vraie vie : depuis une candidature retenue."""
    candidature = f.CandidatureFactory(
        commune=commune, vague=vague or f.VagueFactory(numero=1), statut=RETENUE
    )
    return ouvrir_site(candidature, par=par)
