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


ORGANISATIONS = [
    ("cnam", "Conservatoire national des arts et métiers (Cnam)"),
    ("acv", "Direction du programme Action Cœur de Ville"),
    ("villes-de-france", "Villes de France"),
]


def vague_en_examen(*, communes: list[tuple[str, str]], nb_evaluateurs: int = 2, places: int = 2):
    """Une vague à l'examen du jury : deux critères, un juré par organisation, des candidatures
    en examen (sans affectation). Renvoie (vague, critères, jurés, candidatures)."""
    from candidatures.models import Vague

    vague = f.VagueFactory(
        numero=1,
        nom="Vague 1 — 2019",
        statut=Vague.Statut.EXAMEN_JURY,
        nb_evaluateurs=nb_evaluateurs,
        places_prevues=places,
    )
    criteres = [
        f.CritereFactory(vague=vague, libelle="Qualité du projet", poids=2, note_max=5),
        f.CritereFactory(vague=vague, libelle="Partenariats locaux", poids=1, note_max=5),
    ]
    jures = []
    for ordre, (sigle, nom) in enumerate(ORGANISATIONS, start=1):
        organisation = f.OrganisationFactory(sigle=sigle, nom=nom, ordre=ordre)
        utilisateur = f.utilisateur(
            "jure", username=f"jure-{sigle}", first_name="Juré", last_name=sigle.upper()
        )
        jures.append(f.JureFactory(vague=vague, utilisateur=utilisateur, organisation=organisation))
    candidatures = [
        f.CandidatureFactory(
            vague=vague, commune=commune_du_cantal(code, nom), statut=Candidature.Statut.EN_EXAMEN
        )
        for code, nom in communes
    ]
    return vague, criteres, jures, candidatures


def pdf_d_une_page(texte: str) -> bytes:
    """Un vrai PDF d'une page, écrit par reportlab (déjà là pour xhtml2pdf)."""
    import io

    from reportlab.pdfgen import canvas

    sortie = io.BytesIO()
    feuille = canvas.Canvas(sortie)
    feuille.setTitle(texte)
    feuille.drawString(72, 760, texte)
    feuille.showPage()
    feuille.save()
    return sortie.getvalue()


def piece_pdf(candidature, nom: str, texte: str):
    from django.core.files.base import ContentFile

    from candidatures.models import Piece

    contenu = pdf_d_une_page(texte)
    piece = Piece(
        candidature=candidature,
        nom_original=nom,
        type_mime="application/pdf",
        taille=len(contenu),
    )
    piece.fichier.save(nom, ContentFile(contenu), save=False)
    piece.save()
    return piece
