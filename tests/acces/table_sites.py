"""Table URL × rôle : les sites, les objectifs, le tableau de bord et les données ouvertes.

Le responsable régional du monde (`monde.region`) modifie le site de sa région ; celui de
l'autre région (`monde.autre_region`) lui est ouvert en lecture et fermé en écriture (403).
La fiche et chaque collection (jalons, formations, inscriptions, financements) sont aussi
envoyées (POST) : la même saisie valide est enregistrée pour l'équipe, l'administrateur et le
responsable de la région du site (302), refusée (403) au responsable d'une autre région ; que ce
refus n'écrive rien, `tests/proprietes/test_formulaires.py::test_un_post_refuse_par_la_table_n_ecrit_rien`
le vérifie pour chaque POST refusé de la table.
"""

import itertools

from acv.models import Objectif
from candidatures.models import Candidature
from sites.forms import SiteForm
from sites.models import Site
from sites.services import ouvrir_site

from .. import factories as f
from .table import (
    ANONYME,
    CONNEXION,
    EQUIPE,
    JURE,
    OBSERVATEUR,
    RESPONSABLE,
    Cas,
    equipe_seulement,
    pour_tous,
)


def _lecteurs(code: int = 200) -> dict:
    """Équipe, administrateur, observateur, responsable régional : lecture ; juré : 403."""
    return pour_tous(code, **{ANONYME: CONNEXION, JURE: 403})


def _editeurs(code: int = 200) -> dict:
    """Équipe, administrateur et le responsable de la région du site ; les autres : 403."""
    return pour_tous(code, **{ANONYME: CONNEXION, JURE: 403, OBSERVATEUR: 403})


def _editeurs_hors_region(code: int = 200) -> dict:
    return {**_editeurs(code), RESPONSABLE: 403}


def _site_retenu(monde, nom: str, commune):
    def fabrique(m):
        candidature = f.CandidatureFactory(
            vague=m.vague, commune=commune, statut=Candidature.Statut.RETENUE
        )
        return ouvrir_site(candidature, par=m.utilisateurs[EQUIPE])

    return monde.obtenir(nom, fabrique)


def _site(monde) -> dict:
    commune = f.CommuneFactory()  # Cantal, dans monde.region (Auvergne-Rhône-Alpes)
    return {"pk": _site_retenu(monde, "site", commune).pk}


def _site_autre_region(monde) -> dict:
    departement = f.DepartementFactory(code="57", nom="Moselle", region=monde.autre_region)
    commune = f.CommuneFactory(departement=departement, code_insee="57463", nom="Metz")
    return {"pk": _site_retenu(monde, "site_autre_region", commune).pk}


def _statut(monde) -> dict:
    site = monde.extras["site"]
    site.refresh_from_db()
    return {"vers": "en_preparation", "version": site.version}


def _candidature_retenue(monde) -> dict:
    candidature = monde.obtenir(
        "candidature_retenue_sans_site",
        lambda m: f.CandidatureFactory(vague=m.vague, statut=Candidature.Statut.RETENUE),
    )
    return {"candidature_pk": candidature.pk}


def _objectif(monde) -> dict:
    objectif = monde.obtenir(
        "objectif",
        lambda m: Objectif.objects.create(
            libelle="Objectif de test", echeance="2022-12-31", nombre_sites=10
        ),
    )
    return {"pk": objectif.pk}


# Chaque envoi porte des valeurs neuves (libellé, année…) : les rôles qui l'enregistrent l'un
# après l'autre ne se heurtent pas aux contraintes d'unicité du site.
_NUMEROS = itertools.count(1)


def _fiche(kwargs):
    """La fiche du site, renvoyée comme la page la montre (version lue comprise), nom changé."""

    def donnees(monde) -> dict:
        site = Site.objects.get(pk=kwargs(monde)["pk"])
        envoi = {bf.html_name: bf.value() for bf in SiteForm(instance=site)}
        envoi = {nom: valeur for nom, valeur in envoi.items() if valeur is not None}
        return {**envoi, "nom": f"Campus modifié {next(_NUMEROS)}"}

    return donnees


def _nouvelle_ligne(prefixe: str, ligne):
    """Une ligne ajoutée à la collection (formulaire de gestion compris), les autres intactes."""

    def fabrique(kwargs):
        def donnees(monde) -> dict:
            kwargs(monde)  # le site existe avant l'envoi
            valeurs = ligne(next(_NUMEROS))
            return {
                f"{prefixe}-TOTAL_FORMS": "1",
                f"{prefixe}-INITIAL_FORMS": "0",
                f"{prefixe}-MIN_NUM_FORMS": "0",
                f"{prefixe}-MAX_NUM_FORMS": "1000",
                **{f"{prefixe}-0-{champ}": valeur for champ, valeur in valeurs.items()},
            }

        return donnees

    return fabrique


ENVOIS = {
    "site_modifier": _fiche,
    "site_jalons": _nouvelle_ligne(
        "jalons", lambda n: {"libelle": f"Jalon ajouté {n}", "echeance": "2030-01-15"}
    ),
    "site_formations": _nouvelle_ligne(
        "formations", lambda n: {"intitule": f"Formation {n}", "date_debut": "2030-09-01"}
    ),
    "site_inscriptions": _nouvelle_ligne(
        "inscriptions", lambda n: {"annee": str(2019 + n % 82), "nombre": "12"}
    ),
    "site_financements": _nouvelle_ligne(
        "financements", lambda n: {"source": "region", "libelle": f"Ligne {n}", "montant": "1000"}
    ),
}


def _edition(url_name: str) -> list[Cas]:
    envoi = ENVOIS[url_name]
    return [
        Cas(_editeurs(), kwargs=_site),
        Cas(_editeurs_hors_region(), kwargs=_site_autre_region, nom="autre région"),
        Cas(_editeurs(302), kwargs=_site, methode="post", donnees=envoi(_site), nom="POST"),
        Cas(
            _editeurs_hors_region(302),
            kwargs=_site_autre_region,
            methode="post",
            donnees=envoi(_site_autre_region),
            nom="POST autre région (403, rien d'écrit)",
        ),
    ]


LIGNES = {
    "site_liste": [Cas(_lecteurs())],
    "site_detail": [
        Cas(_lecteurs(), kwargs=_site),
        Cas(_lecteurs(), kwargs=_site_autre_region, nom="autre région"),
    ],
    "site_modifier": _edition("site_modifier"),
    "site_jalons": _edition("site_jalons"),
    "site_formations": _edition("site_formations"),
    "site_inscriptions": _edition("site_inscriptions"),
    "site_financements": _edition("site_financements"),
    "site_changer_statut": [
        Cas(_editeurs(302), kwargs=_site, methode="post", donnees=_statut),
        Cas(
            _editeurs_hors_region(302),
            kwargs=_site_autre_region,
            methode="post",
            donnees=lambda m: {"vers": "en_preparation", "version": 0},
            nom="autre région",
        ),
        Cas(pour_tous(405), kwargs=_site, nom="GET refusé"),
    ],
    "site_creer_depuis_candidature": [
        Cas(equipe_seulement(302), kwargs=_candidature_retenue, methode="post"),
        Cas(pour_tous(405), kwargs=_candidature_retenue, nom="GET refusé"),
    ],
    "objectif_liste": [Cas(_lecteurs())],
    "objectif_creer": [Cas(equipe_seulement())],
    "objectif_modifier": [Cas(equipe_seulement(), kwargs=_objectif)],
    "tableau_de_bord": [Cas(_lecteurs())],
    "tableau_de_bord_donnees": [Cas(_lecteurs())],
    "opendata_sites_csv": [Cas(pour_tous(200))],
    "opendata_sites_geojson": [Cas(pour_tous(200))],
}
