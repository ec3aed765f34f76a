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


def monde_complet():
    """Un petit programme entier, pour passer axe-core sur chaque page principale.

    Vague 1 publiée (3 candidatures évaluées et décidées, lettres préparées, un plan
    d'accompagnement pour la non retenue, un site ouvert pour une retenue) ; vague 2 à l'examen
    du jury (une candidature affectée au juré du Cnam, sans évaluation encore).
    Renvoie un dictionnaire des objets utiles aux adresses.
    """
    import datetime

    from django.utils import timezone

    from acv.models import Objectif
    from acv.roles import Role
    from candidatures.affectation import affecter_vague
    from candidatures.deliberation import decider, enregistrer_presents, publier
    from candidatures.evaluations import enregistrer
    from candidatures.lettres import preparer_lettres
    from candidatures.models import Accompagnement, ActionAccompagnement, Affectation, Vague

    recreer_modeles_de_courriel()
    equipe = f.utilisateur(Role.EQUIPE, username="equipe")
    Objectif.objects.create(
        libelle="100 sites fin 2022", echeance=datetime.date(2022, 12, 31), nombre_sites=100
    )
    Objectif.objects.create(
        libelle="75 sites en ville ACV fin 2022",
        echeance=datetime.date(2022, 12, 31),
        nombre_sites=75,
        acv_seulement=True,
    )
    vague, criteres, jures, candidatures = vague_en_examen(
        communes=[("15014", "Aurillac"), ("15187", "Saint-Flour"), ("15120", "Mauriac")]
    )
    aurillac, saint_flour, mauriac = candidatures
    piece_pdf(aurillac, "dossier-aurillac.pdf", "Dossier de candidature : Aurillac")
    affecter_vague(vague, par=equipe, notifier=False)
    notes = {aurillac.pk: (5, 4, "favorable"), saint_flour.pk: (4, 3, "reserves")}
    for affectation in Affectation.objects.select_related("jure__utilisateur"):
        qualite, partenariats, avis = notes.get(affectation.candidature_id, (1, 2, "defavorable"))
        enregistrer(
            affectation,
            notes={criteres[0].pk: qualite, criteres[1].pk: partenariats},
            avis=avis,
            commentaire="Lu en entier.",
            version=0,  # premier brouillon
            par=affectation.jure.utilisateur,
            soumettre=True,
        )
    vague.avancer(Vague.Statut.DELIBERATION, par=equipe, note="Séance du jury ouverte")
    enregistrer_presents(vague, jures=jures, par=equipe)
    for candidature, resultat in [
        (aurillac, "retenue"),
        (saint_flour, "retenue"),
        (mauriac, "non_retenue"),
    ]:
        decider(
            candidature, resultat=resultat, motivation="Après discussion.", version=None, par=equipe
        )
    publier(vague, par=equipe)
    vague.refresh_from_db()
    preparer_lettres(vague, par=equipe)
    plan = Accompagnement.objects.create(
        candidature=mauriac, conseiller=equipe, notes="Finir le plan de financement."
    )
    ActionAccompagnement.objects.create(
        accompagnement=plan,
        libelle="Rencontre avec la communauté de communes",
        echeance=timezone.localdate() - datetime.timedelta(days=5),
    )
    aurillac.refresh_from_db()
    site = ouvrir_site(aurillac, par=equipe)
    site.changer_statut(Site.Statut.EN_PREPARATION, par=equipe)
    site.changer_statut(
        Site.Statut.OUVERT, par=equipe, date_ouverture=timezone.localdate() - datetime.timedelta(1)
    )

    vague2 = f.VagueFactory(
        numero=2, nom="Vague 2 — 2020", statut=Vague.Statut.EXAMEN_JURY, nb_evaluateurs=1
    )
    for critere in criteres:
        f.CritereFactory(vague=vague2, libelle=critere.libelle, poids=critere.poids, note_max=5)
    murat = f.CandidatureFactory(
        vague=vague2,
        commune=commune_du_cantal("15138", "Murat"),
        statut=Candidature.Statut.EN_EXAMEN,
    )
    jure2 = f.JureFactory(
        vague=vague2, utilisateur=jures[0].utilisateur, organisation=jures[0].organisation
    )
    affectation2 = f.AffectationFactory(jure=jure2, candidature=murat)
    return {
        "vague": vague,
        "vague2": vague2,
        "candidature": aurillac,
        "accompagnement": plan,
        "lettre": aurillac.lettres.first(),
        "site": site,
        "affectation": affectation2,
        "jure": jures[0].utilisateur,
        "equipe": equipe,
    }


def recreer_modeles_de_courriel() -> None:
    """Les modèles de courriel des migrations de données, effacés par le vidage de la base."""
    import importlib

    from django.apps import apps

    for migration, fonction in [
        ("0002_lettres_accompagnement", "creer_modeles"),
        ("0003_modeles_courriel_jury", "creer"),
    ]:
        module = importlib.import_module(f"candidatures.migrations.{migration}")
        getattr(module, fonction)(apps, None)
