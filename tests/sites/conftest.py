"""Un jeu connu pour les chiffres du programme, et quelques aides aux tests des sites."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from acv.models import Objectif
from acv.roles import Role
from candidatures.models import Candidature
from sites.models import Jalon, Site
from sites.services import ouvrir_site

from .. import factories as f

RETENUE = Candidature.Statut.RETENUE


def site_retenu(*, commune=None, vague=None, par=None, **candidature) -> Site:
    """Un site créé comme dans la vraie vie : depuis une candidature retenue."""
    c = f.CandidatureFactory(
        commune=commune or f.CommuneFactory(),
        vague=vague or f.VagueFactory(numero=1),
        statut=RETENUE,
        **candidature,
    )
    return ouvrir_site(c, par=par)


def ouvrir(site: Site, le: datetime.date, par=None) -> Site:
    site.changer_statut(Site.Statut.EN_PREPARATION, par=par)
    site.changer_statut(Site.Statut.OUVERT, par=par, date_ouverture=le)
    return site


@dataclass
class JeuConnu:
    a_v1: Candidature
    a_v2: Candidature
    b: Candidature
    hors_acv: Candidature
    site_b: Site
    site_hors_acv: Site
    site_a: Site
    jalon_en_retard: Jalon


@pytest.fixture
def jeu_connu(db) -> JeuConnu:
    """Trois villes ACV de 2018 (A ; B, un binôme ; C), une de 2023 (D), une commune hors programme.

    Vague 1 : A reçue puis non retenue, B retenue (par sa 2e commune), hors ACV retenue, C en
    brouillon (ne compte pas). Vague 2 : A retenue. Sites : B ouvert le 1er mai 2020, hors ACV
    ouvert le 1er mars 2021, A planifié avec un jalon en retard. Objectifs : ceux des données de
    référence (100 sites, 75 en ville ACV, fin 2022).
    """
    equipe = f.utilisateur(Role.EQUIPE, username="equipe-jeu")
    v1 = f.VagueFactory(numero=1)
    v2 = f.VagueFactory(numero=2)
    ville_a = f.VilleAcvFactory(id_acv="ACV001", entree=2018)
    ville_b = f.VilleAcvFactory(id_acv="ACV002", entree=2018)
    ville_c = f.VilleAcvFactory(id_acv="ACV003", entree=2018)
    ville_d = f.VilleAcvFactory(id_acv="ACV900", entree=2023)
    commune_a = f.CommuneFactory(code_insee="15014", nom="Aurillac", ville_acv=ville_a)
    f.CommuneFactory(code_insee="15012", nom="Arpajon-sur-Cère", ville_acv=ville_b)
    commune_b2 = f.CommuneFactory(code_insee="15187", nom="Saint-Flour", ville_acv=ville_b)
    commune_c = f.CommuneFactory(code_insee="15120", nom="Mauriac", ville_acv=ville_c)
    f.CommuneFactory(code_insee="15138", nom="Murat", ville_acv=ville_d)
    hors = f.CommuneFactory(code_insee="15162", nom="Riom-ès-Montagnes", ville_acv=None)

    a_v1 = f.CandidatureFactory(vague=v1, commune=commune_a, statut=Candidature.Statut.NON_RETENUE)
    b = f.CandidatureFactory(vague=v1, commune=commune_b2, statut=RETENUE)
    hors_acv = f.CandidatureFactory(vague=v1, commune=hors, statut=RETENUE)
    f.CandidatureFactory(vague=v1, commune=commune_c, statut=Candidature.Statut.BROUILLON)
    a_v2 = f.CandidatureFactory(vague=v2, commune=commune_a, statut=RETENUE)

    site_b = ouvrir(ouvrir_site(b, par=equipe), datetime.date(2020, 5, 1), equipe)
    site_hors = ouvrir(ouvrir_site(hors_acv, par=equipe), datetime.date(2021, 3, 1), equipe)
    site_a = ouvrir_site(a_v2, par=equipe)
    retard = Jalon.objects.create(
        site=site_a,
        libelle="Délibération du conseil municipal",
        echeance=datetime.date(2021, 1, 15),
    )
    assert Objectif.objects.count() == 2
    return JeuConnu(a_v1, a_v2, b, hors_acv, site_b, site_hors, site_a, retard)
