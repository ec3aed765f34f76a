"""Démo : les sites des villes retenues en vague 1, à des stades variés (idempotent, graine fixe).

Chaque site tire son destin d'un générateur aléatoire semé par la référence de sa candidature :
relancer ne crée rien de plus et un site donne toujours le même résultat.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth.models import User

from candidatures.models import Candidature

from .models import CentreRegional, Formation, Inscriptions, Jalon, LigneFinancementSite, Site
from .services import ouvrir_site

CATALOGUE = [
    # intitulé, domaine, niveau ou certification
    (
        "Titre professionnel Assistant·e de direction",
        "Gestion et administration",
        "Titre RNCP niveau 5",
    ),
    ("Licence professionnelle Management des organisations", "Management", "Licence (niveau 6)"),
    (
        "Certificat de compétence Gestion de la paie",
        "Ressources humaines",
        "Certificat de compétence",
    ),
    (
        "Titre Responsable en gestion des ressources humaines",
        "Ressources humaines",
        "Titre RNCP niveau 6",
    ),
    ("DEUST Technicien des systèmes d'information", "Informatique", "DEUST (niveau 5)"),
    ("Certificat de spécialisation Cybersécurité", "Informatique", "Certificat de spécialisation"),
    ("Titre Technicien·ne en maintenance industrielle", "Industrie", "Titre RNCP niveau 5"),
    ("Licence Comptabilité, contrôle, audit", "Comptabilité", "Licence (niveau 6)"),
    (
        "Certificat de compétence Accompagnement des personnes âgées",
        "Santé et social",
        "Certificat de compétence",
    ),
    (
        "Titre Chargé·e d'accompagnement social et professionnel",
        "Santé et social",
        "Titre RNCP niveau 6",
    ),
    ("Certificat professionnel Logistique et transport", "Logistique", "Certificat professionnel"),
    ("Remise à niveau et préparation aux concours", "Tous publics", "Sans certification"),
]
RUES = [
    "place de la Mairie",
    "rue de la République",
    "avenue de la Gare",
    "rue Victor-Hugo",
    "boulevard Gambetta",
    "place du Marché",
    "rue Jean-Jaurès",
    "quai des Arts",
]


def _date_entre(rng: random.Random, debut: datetime.date, fin: datetime.date) -> datetime.date:
    return debut + datetime.timedelta(days=rng.randint(0, (fin - debut).days))


def _centres(candidatures) -> dict[str, CentreRegional]:
    centres = {}
    for c in candidatures:
        region = c.commune.region
        if region.code not in centres:
            centres[region.code], _ = CentreRegional.objects.get_or_create(
                nom=f"Cnam {region.nom}", defaults={"region": region}
            )
    return centres


def _faire_vivre(site: Site, rng: random.Random, centre: CentreRegional, par) -> str:
    """Donne au site neuf son stade, ses jalons, son offre, ses inscriptions et ses financements."""
    tirage = rng.random()
    stade = (
        "ouvert"
        if tirage < 0.55
        else "suspendu"
        if tirage < 0.62
        else "ferme"
        if tirage < 0.65
        else "en_preparation"
        if tirage < 0.85
        else "planifie"
    )
    ouvre = stade in ("ouvert", "suspendu", "ferme")
    if ouvre:
        ouverture = _date_entre(rng, datetime.date(2020, 1, 15), datetime.date(2022, 12, 15))
        prevue = ouverture + datetime.timedelta(days=rng.randint(-30, 90))
    else:
        ouverture = None
        prevue = _date_entre(rng, datetime.date(2022, 3, 1), datetime.date(2023, 6, 30))
    site.adresse = f"{rng.randint(1, 40)} {rng.choice(RUES)}\n{site.commune.nom}"
    site.operateur = centre
    site.date_ouverture_prevue = prevue
    site.save(update_fields=["adresse", "operateur", "date_ouverture_prevue"])

    jalons = list(site.jalons.order_by("ordre"))
    faits_avant = rng.randint(1, 3) if stade == "en_preparation" else 0
    for i, (jalon, (_, decalage)) in enumerate(zip(jalons, Jalon.PAR_DEFAUT, strict=True)):
        jalon.echeance = prevue + datetime.timedelta(days=decalage)
        if ouvre:
            fait = jalon.echeance + datetime.timedelta(days=rng.randint(-20, 45))
            jalon.fait_le = min(fait, ouverture) if i < 4 else fait
        elif i < faits_avant:
            jalon.fait_le = jalon.echeance + datetime.timedelta(days=rng.randint(-10, 60))
    Jalon.objects.bulk_update(jalons, ["echeance", "fait_le"])

    if stade != "planifie":
        site.changer_statut(Site.Statut.EN_PREPARATION, par=par)
    if ouvre:
        site.changer_statut(Site.Statut.OUVERT, par=par, date_ouverture=ouverture)
        for intitule, domaine, niveau in rng.sample(CATALOGUE, rng.randint(2, 5)):
            Formation.objects.create(
                site=site,
                intitule=intitule,
                domaine=domaine,
                niveau=niveau,
                date_debut=ouverture + datetime.timedelta(days=rng.randint(0, 200)),
            )
        inscrits = rng.randint(25, 90)
        for annee in range(ouverture.year, 2024):
            Inscriptions.objects.create(site=site, annee=annee, nombre=inscrits)
            inscrits = int(inscrits * rng.uniform(1.0, 1.5))
    if stade == "suspendu":
        site.changer_statut(Site.Statut.SUSPENDU, par=par, note="Locaux indisponibles (travaux)")
    if stade == "ferme":
        site.changer_statut(Site.Statut.FERME, par=par, note="Fin du partenariat local")

    if stade != "planifie":
        sources = [
            (LigneFinancementSite.Source.CONVENTION_ACV, 40_000, 150_000),
            (LigneFinancementSite.Source.BANQUE_TERRITOIRES, 15_000, 80_000),
            (LigneFinancementSite.Source.REGION, 0, 60_000),
        ]
        for source, bas, haut in sources:
            montant = rng.randint(bas // 1000, haut // 1000) * 1000
            if montant:
                LigneFinancementSite.objects.create(
                    site=site, source=source, montant=Decimal(montant)
                )
    return stade


def sites(stdout=None) -> None:
    retenues = list(
        Candidature.objects.filter(vague__numero=1, statut=Candidature.Statut.RETENUE)
        .select_related("commune__region", "vague", "epci")
        .order_by("reference")
    )
    if not retenues:
        if stdout:
            stdout.write(
                "  sites : aucune candidature retenue en vague 1 (la délibération de la démo "
                "n'est pas encore jouée) ; aucun site créé."
            )
        return
    centres = _centres(retenues)
    par = User.objects.filter(username="equipe").first()
    deja = set(
        Site.objects.filter(candidature__in=retenues).values_list("candidature_id", flat=True)
    )
    stades: dict[str, int] = {}
    for candidature in retenues:
        if candidature.pk in deja:
            continue
        rng = random.Random(f"site-{candidature.reference}")
        site = ouvrir_site(candidature, par=par)
        stade = _faire_vivre(site, rng, centres[candidature.commune.region_id], par)
        stades[stade] = stades.get(stade, 0) + 1
    if stdout:
        detail = ", ".join(f"{Site.Statut(s).label.lower()} {n}" for s, n in sorted(stades.items()))
        stdout.write(
            f"  sites : {len(stades) and sum(stades.values())} créés"
            + (f" ({detail})" if detail else "")
            + f", {len(deja)} déjà là ; {len(centres)} centres régionaux"
        )
