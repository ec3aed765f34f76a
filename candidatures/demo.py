"""Les vagues de démonstration : « Vague 1 — 2019 » (85 villes ACV, en examen par le jury) et
« Vague 2 — 2020 » (en consolidation, dont des resoumissions de villes de la vague 1).

Les personnes et les textes sont fictifs ; les chiffres (calendrier, montants, apprenants) sont
réalistes. Un générateur à graine fixe rend la démo reproductible ; relancer ne duplique rien.
"""

from __future__ import annotations

import datetime
import io
import random
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify

from acv.models import Commune, VilleAcv

from .models import (
    Candidature,
    Critere,
    DemandePieces,
    LigneFinancement,
    Piece,
    PieceRequise,
    TransitionCandidature,
    Vague,
)

C = Candidature.Statut
S = Vague.Statut

NB_CANDIDATURES_VAGUE_1 = 85
NB_IRRECEVABLES_VAGUE_1 = 4
NB_NOUVELLES_VAGUE_2 = 18
NB_RESOUMISSIONS_VAGUE_2 = 6

VAGUE_1 = {
    "nom": "Vague 1 — 2019",
    "date_ouverture": datetime.date(2019, 4, 15),
    "date_limite": datetime.date(2019, 7, 5),
    "date_limite_evaluations": datetime.date(2019, 9, 10),
    "date_jury": datetime.date(2019, 9, 17),
    "date_resultats": datetime.date(2019, 10, 3),
    "places_prevues": 40,
    "nb_evaluateurs": 3,
}
VAGUE_2 = {
    "nom": "Vague 2 — 2020",
    "date_ouverture": datetime.date(2020, 1, 20),
    "date_limite": datetime.date(2020, 6, 30),
    "date_limite_evaluations": datetime.date(2020, 9, 25),
    "date_jury": datetime.date(2020, 10, 6),
    "date_resultats": datetime.date(2020, 10, 20),
    "places_prevues": 30,
    "nb_evaluateurs": 3,
}

GRILLE_1 = [
    # libellé, description, poids
    (
        "Besoins du bassin d'emploi",
        "Les besoins en compétences des habitants et des employeurs sont établis, chiffrés et "
        "partagés par les acteurs de l'emploi.",
        3,
    ),
    (
        "Offre de formation envisagée",
        "L'offre répond à ces besoins, s'appuie sur le catalogue du Cnam et prévoit des "
        "parcours qualifiants accessibles.",
        2,
    ),
    (
        "Partenariats locaux",
        "Entreprises, service public de l'emploi, organismes de formation et collectivités "
        "sont engagés par écrit.",
        2,
    ),
    (
        "Locaux et accessibilité",
        "Les locaux sont identifiés, en centre-ville, accessibles et équipés pour la formation "
        "à distance.",
        1,
    ),
    (
        "Engagement financier et pérennité",
        "Le plan de financement est bouclé sur trois ans et la collectivité s'engage dans la durée.",
        2,
    ),
]
GRILLE_2 = [(libelle, description, poids) for libelle, description, poids in GRILLE_1[:4]] + [
    (
        "Maturité du projet",
        "Le projet est prêt à ouvrir dans l'année : équipe, calendrier et gouvernance sont arrêtés.",
        2,
    )
]

PIECES_REQUISES = [
    (
        "Délibération du conseil municipal ou communautaire",
        "La délibération qui engage la collectivité dans le projet.",
    ),
    ("Plan de financement signé", "Les sources et les montants, sur trois ans, signés du porteur."),
    ("Lettres d'engagement des partenaires", "Au moins deux partenaires locaux."),
    ("Plan et descriptif des locaux", "Surface, accessibilité, équipement numérique."),
]

MOTIFS_IRRECEVABILITE = [
    "Délibération du conseil municipal absente malgré deux relances.",
    "Dossier déposé après la date limite du 5 juillet 2019.",
    "Projet porté par une association, hors du cadre de l'appel à candidatures.",
    "Ni locaux identifiés ni plan de financement : le dossier ne permet pas l'examen.",
]

PRENOMS = [
    "Camille",
    "Dominique",
    "Claude",
    "Sacha",
    "Alix",
    "Morgane",
    "Yannick",
    "Maëlle",
    "Gaël",
    "Inès",
    "Romain",
    "Léa",
    "Hugo",
    "Chloé",
    "Nathan",
    "Élise",
    "Bastien",
    "Anaïs",
    "Mathis",
    "Solène",
    "Karim",
    "Nadia",
    "Thibault",
    "Aurore",
    "Julien",
    "Margaux",
    "Yasmine",
    "Loïc",
]
NOMS = [
    "Martinez",
    "Lefebvre",
    "Garnier",
    "Perrin",
    "Chevalier",
    "Roussel",
    "Marchand",
    "Lemoine",
    "Fontaine",
    "Barbier",
    "Girard",
    "Mercier",
    "Boyer",
    "Blanchard",
    "Guérin",
    "Meunier",
    "Brunet",
    "Caron",
    "Renaud",
    "Picard",
    "Aubert",
    "Hamel",
    "Benoît",
    "Collet",
    "Vidal",
]
FONCTIONS = [
    "Chargée de mission Action Cœur de Ville",
    "Chef de projet Cœur de ville",
    "Directeur général des services",
    "Directrice du développement économique",
    "Adjoint au maire chargé de l'emploi et de la formation",
    "Responsable du service emploi-insertion",
    "Directrice de cabinet",
]
SECTEURS = [
    "l'industrie agroalimentaire",
    "la santé et le médico-social",
    "la logistique et le transport",
    "le numérique",
    "le bâtiment et les travaux publics",
    "le tourisme et l'hôtellerie-restauration",
    "la métallurgie et la plasturgie",
    "les services à la personne",
    "le commerce de centre-ville",
    "l'aéronautique",
    "la banque et l'assurance",
    "l'économie sociale et solidaire",
]
PUBLICS = [
    "demandeurs d'emploi",
    "salariés en reconversion",
    "jeunes de 18 à 25 ans sans qualification",
    "agents des collectivités",
    "allocataires du RSA",
    "salariés des PME du territoire",
    "femmes en reprise d'activité",
    "personnes en situation de handicap",
    "commerçants et artisans",
]
FORMATIONS = [
    "certificat de compétence en gestion de la paie",
    "titre professionnel d'assistant de gestion en PME",
    "licence professionnelle en management des organisations",
    "parcours « Responsable de petite et moyenne structure »",
    "certificat de spécialisation en cybersécurité",
    "DEUST en maintenance des systèmes industriels",
    "cours du soir en comptabilité et contrôle de gestion",
    "titre RNCP de technicien en logistique",
    "certificat d'accompagnant des personnes âgées",
    "préparation aux concours de la fonction publique territoriale",
    "initiation au développement web et aux métiers du numérique",
    "licence en droit, économie et gestion à distance",
    "certificat de compétence en management de l'hôtellerie-restauration",
]
LOCAUX = [
    "Un plateau de {surface} m² au rez-de-chaussée de l'ancienne poste, rue principale, "
    "à deux minutes de la gare.",
    "Deux salles de {surface} m² au premier étage de la médiathèque, avec ascenseur et salle "
    "de visioconférence.",
    "Un local commercial vacant de {surface} m² sur la place du marché, racheté par la commune "
    "dans le cadre de l'opération de revitalisation.",
    "Une aile de {surface} m² du tiers-lieu installé dans l'ancienne caserne, partagée avec "
    "l'espace de travail partagé.",
    "Des bureaux de {surface} m² dans la maison des services au public, déjà équipés en fibre.",
    "Un étage de {surface} m² de l'ancien collège du centre-ville, en cours de réhabilitation.",
]
PARTENAIRES = [
    "l'agence Pôle emploi",
    "la mission locale",
    "la chambre de commerce et d'industrie",
    "la chambre de métiers et de l'artisanat",
    "le GRETA",
    "le lycée professionnel",
    "le club d'entreprises du bassin",
    "la maison de l'emploi",
    "Cap emploi",
    "l'IUT voisin",
    "le centre hospitalier",
    "la fédération du BTP",
]
# Numéros réservés par l'ARCEP aux œuvres de fiction, par grande zone.
TELEPHONES = {
    "11": "01 99 00",
    "24": "02 61 91",
    "28": "02 61 91",
    "52": "02 61 91",
    "53": "02 61 91",
    "27": "03 53 01",
    "32": "03 53 01",
    "44": "03 53 01",
    "84": "04 65 71",
    "93": "04 65 71",
    "94": "04 65 71",
    "75": "05 36 49",
    "76": "05 36 49",
}
SOURCES_COMPLEMENTAIRES = [
    (LigneFinancement.Source.CONVENTION_ACV, "Crédits de la convention Action Cœur de Ville"),
    (LigneFinancement.Source.BANQUE_TERRITOIRES, "Cofinancement de l'ingénierie"),
    (LigneFinancement.Source.REGION, "Programme régional de formation"),
    (LigneFinancement.Source.ETAT, "Dotation de soutien à l'investissement local"),
    (LigneFinancement.Source.CNAM, "Apport en ingénierie pédagogique"),
    (LigneFinancement.Source.AUTRE, "Fonds social européen"),
    (LigneFinancement.Source.AUTRE, "Mécénat des entreprises du bassin"),
]


def villes_resoumises() -> list[str]:
    """Les numéros ACV des villes de la vague 1 qui se représentent en vague 2 (une requête).

    Leurs candidatures de vague 1 sont à décider « non retenue » par les étapes du jury et de la
    délibération : la resoumission en vague 2 y renvoie déjà (`candidature_precedente`).
    """
    return sorted(
        Candidature.objects.filter(
            vague__numero=2, candidature_precedente__vague__numero=1
        ).values_list("candidature_precedente__cle_ville", flat=True)
    )


def vagues(stdout=None) -> None:
    """Crée les vagues 1 et 2, leur grille, leurs pièces requises et leurs candidatures (idempotent)."""
    rng = random.Random(2019)
    par = User.objects.filter(username="equipe").first()
    communes = _communes_par_ville()
    ordre = sorted(communes)
    rng.shuffle(ordre)
    villes_1 = ordre[:NB_CANDIDATURES_VAGUE_1]
    binomes = [v for v in villes_1 if len(communes[v]) > 1]
    if not binomes:  # au moins un binôme dans la vague 1, porté par une de ses communes
        binome = next(v for v in ordre if len(communes[v]) > 1)
        ordre.remove(binome)
        ordre.insert(0, binome)
        villes_1 = ordre[:NB_CANDIDATURES_VAGUE_1]
    villes_2 = ordre[NB_CANDIDATURES_VAGUE_1 : NB_CANDIDATURES_VAGUE_1 + NB_NOUVELLES_VAGUE_2]

    vague_1 = _vague(1, VAGUE_1, GRILLE_1, note_min=0, note_max=5, par=par)
    if not vague_1.candidatures.exists():
        _candidatures_vague_1(rng, vague_1, [communes[v] for v in villes_1], par)
        _avancer(vague_1, [S.APPEL_OUVERT, S.CONSOLIDATION, S.EXAMEN_JURY], par)
    vague_2 = _vague(2, VAGUE_2, GRILLE_2, note_min=1, note_max=4, par=par)
    if not vague_2.candidatures.exists():
        _candidatures_vague_2(rng, vague_2, vague_1, [communes[v] for v in villes_2], par)
        _avancer(vague_2, [S.APPEL_OUVERT, S.CONSOLIDATION], par)
    if stdout:
        for vague in (vague_1, vague_2):
            recues = vague.candidatures.recues()
            stdout.write(
                f"  {vague.nom} : {recues.count()} candidatures reçues de "
                f"{recues.values('cle_ville').distinct().count()} villes "
                f"({vague.get_statut_display().lower()})"
            )


# ---------------------------------------------------------------------------------------------
# Vagues, grilles, pièces requises
# ---------------------------------------------------------------------------------------------
def _communes_par_ville() -> dict[str, list[Commune]]:
    """Les communes de chaque ville ACV de 2018, dans l'ordre des codes INSEE."""
    communes = defaultdict(list)
    for commune in (
        Commune.objects.filter(ville_acv__entree=VilleAcv.ENTREE_INITIALE)
        .select_related("epci", "region", "departement", "ville_acv")
        .order_by("code_insee")
    ):
        communes[commune.ville_acv_id].append(commune)
    return dict(communes)


def _vague(numero: int, valeurs: dict, grille: list, *, note_min: int, note_max: int, par) -> Vague:
    vague = Vague.objects.filter(numero=numero).first()
    if vague is None:
        vague = Vague(numero=numero, **valeurs)
        vague._history_user = par
        vague._history_date = _moment(valeurs["date_ouverture"] - datetime.timedelta(days=30))
        vague._change_reason = "Création de la vague"
        vague.save()
    if not vague.criteres.exists():
        for ordre, (libelle, description, poids) in enumerate(grille, start=1):
            Critere.objects.create(
                vague=vague,
                libelle=libelle,
                description=description,
                poids=Decimal(poids),
                note_min=note_min,
                note_max=note_max,
                ordre=ordre,
            )
    for ordre, (libelle, description) in enumerate(PIECES_REQUISES, start=1):
        PieceRequise.objects.get_or_create(
            vague=vague, libelle=libelle, defaults={"description": description, "ordre": ordre}
        )
    return vague


def _avancer(vague: Vague, etapes: list[str], par) -> None:
    dates = {
        S.APPEL_OUVERT: vague.date_ouverture,
        S.CONSOLIDATION: vague.date_limite + datetime.timedelta(days=1),
        S.EXAMEN_JURY: vague.date_limite_evaluations - datetime.timedelta(days=14),
    }
    for vers in etapes:
        vague._history_date = _moment(dates[vers])
        vague.avancer(vers, par=par)


def _de(nom: str) -> str:
    """« de Nevers », « d'Agde », « du Puy-en-Velay », « des Sables-d'Olonne »."""
    for article, contraction in (("Le ", "du "), ("Les ", "des ")):
        if nom.startswith(article):
            return contraction + nom[len(article) :]
    if nom[:1].lower() in "aeiouyhéèêâîôûœ":
        return f"d'{nom}"
    return f"de {nom}"


def _a(nom: str) -> str:
    """« à Nevers », « au Puy-en-Velay », « aux Sables-d'Olonne »."""
    for article, contraction in (("Le ", "au "), ("Les ", "aux ")):
        if nom.startswith(article):
            return contraction + nom[len(article) :]
    return f"à {nom}"


def _moment(jour: datetime.date, heure: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(jour, datetime.time(heure)))


# ---------------------------------------------------------------------------------------------
# Candidatures
# ---------------------------------------------------------------------------------------------
def _candidatures_vague_1(rng: random.Random, vague: Vague, villes: list, par) -> None:
    irrecevables = set(rng.sample(range(len(villes)), NB_IRRECEVABLES_VAGUE_1))
    portees_par_epci = set(rng.sample(range(len(villes)), 9))
    pieces_pdf = set(rng.sample(range(len(villes)), 12))
    requises = list(vague.pieces_requises.all())
    motifs = iter(MOTIFS_IRRECEVABILITE)
    for i, communes in enumerate(villes):
        commune = rng.choice(communes) if len(communes) > 1 else communes[0]
        epci = commune.epci if (i in portees_par_epci and len(communes) == 1) else None
        recue_le = vague.date_ouverture + datetime.timedelta(days=rng.randint(20, 81))
        parcours = [(C.RECUE, recue_le)]
        demande = None
        if rng.random() < 0.3:
            incomplete_le = recue_le + datetime.timedelta(days=rng.randint(5, 15))
            demande = (incomplete_le, rng.choice(requises))
            parcours += [
                (C.INCOMPLETE, incomplete_le),
                (C.RECUE, incomplete_le + datetime.timedelta(days=rng.randint(7, 20))),
            ]
        tranchee_le = max(
            parcours[-1][1] + datetime.timedelta(days=3),
            vague.date_limite + datetime.timedelta(days=rng.randint(3, 45)),
        )
        if i in irrecevables:
            parcours.append((C.IRRECEVABLE, tranchee_le))
        else:
            parcours += [
                (C.RECEVABLE, tranchee_le),
                (C.EN_EXAMEN, vague.date_limite_evaluations - datetime.timedelta(days=14)),
            ]
        candidature = _creer(
            rng,
            vague,
            commune,
            epci,
            parcours,
            par,
            motif=next(motifs) if i in irrecevables else "",
            ouverture=datetime.date(2020, rng.randint(1, 10), 1),
        )
        if demande:
            _demande(candidature, demande[1], demande[0], repondue=True, par=par)
        if i in pieces_pdf:
            for requise in rng.sample(requises, rng.randint(1, 2)):
                _piece_pdf(candidature, requise, Piece.Statut.ACCEPTEE, recue_le, par)


def _candidatures_vague_2(
    rng: random.Random, vague: Vague, vague_1: Vague, villes: list, par
) -> None:
    requises = list(vague.pieces_requises.all())
    statuts = [C.RECUE] * 5 + [C.INCOMPLETE] * 5 + [C.RECEVABLE] * 8
    rng.shuffle(statuts)
    for i, (communes, statut) in enumerate(zip(villes, statuts, strict=True)):
        commune = rng.choice(communes) if len(communes) > 1 else communes[0]
        epci = commune.epci if (i % 6 == 5 and len(communes) == 1) else None
        candidature = _creer(
            rng,
            vague,
            commune,
            epci,
            _parcours_vague_2(rng, vague, statut),
            par,
            ouverture=datetime.date(2021, rng.randint(1, 9), 1),
        )
        if statut == C.INCOMPLETE:
            demandee_le = candidature.date_reception.date() + datetime.timedelta(days=10)
            _demande(candidature, rng.choice(requises), demandee_le, repondue=False, par=par)
        if i % 4 == 0:
            _piece_pdf(
                candidature, requises[0], Piece.Statut.RECUE, candidature.date_reception.date(), par
            )

    precedentes = (
        vague_1.candidatures.filter(statut=C.EN_EXAMEN, porteur=Candidature.Porteur.COMMUNE)
        .select_related("commune", "commune__region", "commune__ville_acv")
        .order_by("reference")
    )
    for i, precedente in enumerate(rng.sample(list(precedentes), NB_RESOUMISSIONS_VAGUE_2)):
        statut = C.RECEVABLE if i % 2 == 0 else C.RECUE
        _resoumettre(rng, vague, precedente, _parcours_vague_2(rng, vague, statut), par)


def _parcours_vague_2(rng: random.Random, vague: Vague, statut: str) -> list:
    recue_le = vague.date_ouverture + datetime.timedelta(days=rng.randint(30, 150))
    parcours = [(C.RECUE, recue_le)]
    if statut == C.INCOMPLETE:
        parcours.append((C.INCOMPLETE, recue_le + datetime.timedelta(days=10)))
    elif statut == C.RECEVABLE:
        parcours.append((C.RECEVABLE, recue_le + datetime.timedelta(days=rng.randint(10, 30))))
    return parcours


def _contact(rng: random.Random, commune: Commune, epci) -> dict:
    prenom, nom = rng.choice(PRENOMS), rng.choice(NOMS)
    if rng.random() < 0.25:
        domaine = "example.org"
    elif epci is not None:
        domaine = f"agglo-{slugify(commune.nom)}.invalid"
    else:
        domaine = f"mairie-{slugify(commune.nom)}.invalid"
    prefixe = TELEPHONES.get(commune.region_id, "09 77 42")
    return {
        "contact_nom": f"{prenom} {nom}",
        "contact_fonction": rng.choice(FONCTIONS),
        "contact_email": f"{slugify(prenom)}.{slugify(nom)}@{domaine}",
        "contact_telephone": f"{prefixe} {rng.randint(10, 99)} {rng.randint(10, 99)}",
    }


def _contenu(rng: random.Random, commune: Commune, epci, ouverture: datetime.date) -> dict:
    secteurs = rng.sample(SECTEURS, 3)
    publics = rng.sample(PUBLICS, rng.randint(2, 4))
    formations = rng.sample(FORMATIONS, 3)
    partenaires = rng.sample(PARTENAIRES, rng.randint(3, 5))
    chomage = Decimal(rng.randint(70, 145)) / 10
    territoire = epci.nom if epci is not None else f"la commune {_de(commune.nom)}"
    return {
        "resume": (
            f"Ouvrir {_a(commune.nom)} un espace Cnam « Au cœur des territoires » porté par "
            f"{territoire}, pour rapprocher la formation qualifiante des habitants et des "
            f"employeurs du bassin, notamment dans {secteurs[0]}."
        ),
        "besoins_territoire": (
            f"Le bassin d'emploi {_de(commune.nom)} compte un taux de chômage de "
            f"{str(chomage).replace('.', ',')} %. Les entreprises, dans {secteurs[0]} comme dans "
            f"{secteurs[1]}, peinent à recruter des profils qualifiés ; dans {secteurs[2]}, les "
            "salariés doivent se former sans quitter le territoire. Le premier établissement "
            f"d'enseignement supérieur est à {rng.randint(35, 110)} km."
        ),
        "publics": "Publics visés : " + ", ".join(publics) + ".",
        "offre_formation": (
            "Dès l'ouverture : "
            + " ; ".join(formations)
            + ". Enseignements hybrides, avec un accompagnement sur place deux soirs par "
            "semaine et le samedi matin."
        ),
        "locaux": rng.choice(LOCAUX).format(surface=rng.randrange(80, 400, 10)),
        "partenaires": "Partenaires engagés : " + ", ".join(partenaires) + ".",
        "date_ouverture_prevue": ouverture,
        "apprenants_prevus": rng.randrange(30, 160, 5),
    }


def _creer(
    rng: random.Random,
    vague: Vague,
    commune: Commune,
    epci,
    parcours: list,
    par,
    *,
    motif: str = "",
    ouverture: datetime.date,
    contenu: dict | None = None,
    precedente: Candidature | None = None,
) -> Candidature:
    """Une candidature et son parcours de statuts [(statut, date)], daté comme dans la réalité."""
    statut_final = parcours[-1][0]
    candidature = Candidature(
        vague=vague,
        commune=commune,
        porteur=Candidature.Porteur.EPCI if epci is not None else Candidature.Porteur.COMMUNE,
        epci=epci,
        statut=statut_final,
        motif_irrecevabilite=motif,
        date_reception=_moment(parcours[0][1], rng.randint(8, 17)),
        candidature_precedente=precedente,
        **_contact(rng, commune, epci),
        **(contenu or _contenu(rng, commune, epci, ouverture)),
    )
    candidature._history_user = par
    candidature._history_date = candidature.date_reception
    candidature.save()
    if contenu is None:
        _financement(rng, candidature, epci)
    depart = C.BROUILLON
    transitions = []
    for i, (vers, jour) in enumerate(parcours):
        note = motif if vers == C.IRRECEVABLE else ""
        if vers == C.EN_EXAMEN:
            note = "Transmise au jury avec la vague."
        transitions.append(
            TransitionCandidature(
                candidature=candidature,
                de=depart,
                vers=vers,
                par=par,
                le=candidature.date_reception if i == 0 else _moment(jour, rng.randint(8, 17)),
                note=note,
            )
        )
        depart = vers
    TransitionCandidature.objects.bulk_create(transitions)
    return candidature


def _financement(rng: random.Random, candidature: Candidature, epci) -> None:
    total = rng.randrange(60_000, 320_000, 5_000)
    porteur = (
        (LigneFinancement.Source.EPCI, "Budget communautaire")
        if epci is not None
        else (LigneFinancement.Source.COMMUNE, "Budget communal")
    )
    autres = rng.sample(SOURCES_COMPLEMENTAIRES, rng.randint(1, 3))
    parts = [rng.randint(25, 50)] + [rng.randint(10, 40) for _ in autres]
    somme = sum(parts)
    lignes = []
    reste = total
    for (source, libelle), part in zip([porteur, *autres], parts, strict=True):
        montant = round(total * part / somme / 500) * 500
        lignes.append([source, libelle, montant])
        reste -= montant
    lignes[0][2] += reste  # le porteur boucle le plan
    LigneFinancement.objects.bulk_create(
        LigneFinancement(
            candidature=candidature, source=source, libelle=libelle, montant=Decimal(montant)
        )
        for source, libelle, montant in lignes
    )


def _resoumettre(
    rng: random.Random, vague: Vague, precedente: Candidature, parcours: list, par
) -> Candidature:
    """La resoumission d'une ville de la vague 1 : le contenu repris, consolidé après l'accompagnement."""
    contenu = {
        champ: getattr(precedente, champ)
        for champ in (
            "resume",
            "besoins_territoire",
            "publics",
            "offre_formation",
            "locaux",
            "partenaires",
        )
    }
    contenu["resume"] = "Projet consolidé après l'accompagnement de 2019-2020. " + precedente.resume
    contenu["partenaires"] = (
        precedente.partenaires.rstrip(".")
        + ", et désormais la Banque des territoires (étude de faisabilité financée)."
    )
    contenu["date_ouverture_prevue"] = datetime.date(2021, rng.randint(1, 6), 1)
    contenu["apprenants_prevus"] = (precedente.apprenants_prevus or 40) + rng.randrange(10, 40, 5)
    candidature = _creer(
        rng,
        vague,
        precedente.commune,
        None,
        parcours,
        par,
        ouverture=contenu["date_ouverture_prevue"],
        contenu=contenu,
        precedente=precedente,
    )
    lignes = [
        LigneFinancement(
            candidature=candidature,
            source=ligne.source,
            libelle=ligne.libelle,
            montant=ligne.montant,
        )
        for ligne in precedente.financements.all()
    ]
    lignes.append(
        LigneFinancement(
            candidature=candidature,
            source=LigneFinancement.Source.BANQUE_TERRITOIRES,
            libelle="Étude de faisabilité",
            montant=Decimal(rng.randrange(10_000, 30_000, 1_000)),
        )
    )
    LigneFinancement.objects.bulk_create(lignes)
    return candidature


def _demande(
    candidature: Candidature, requise: PieceRequise, jour: datetime.date, *, repondue: bool, par
) -> None:
    demande = DemandePieces.objects.create(
        candidature=candidature,
        objet=f"Merci de nous transmettre : {requise.libelle.lower()}.",
        demandee_le=_moment(jour),
        echeance=jour + datetime.timedelta(days=15),
        repondue_le=_moment(jour + datetime.timedelta(days=9)) if repondue else None,
        demandee_par=par,
    )
    demande.pieces.add(requise)


def _piece_pdf(
    candidature: Candidature, requise: PieceRequise, statut: str, jour: datetime.date, par
) -> None:
    contenu = _pdf(
        requise.libelle,
        [
            f"Candidature {candidature.reference} — {candidature.vague.nom}",
            candidature.libelle_porteur,
            f"Contact : {candidature.contact_nom}, {candidature.contact_fonction}",
            "",
            "Document fictif produit pour la démonstration de l'application.",
        ],
    )
    nom = f"{slugify(requise.libelle)[:40]}-{slugify(candidature.commune.nom)}.pdf"
    piece = Piece(
        candidature=candidature,
        piece_requise=requise,
        nom_original=nom,
        type_mime="application/pdf",
        taille=len(contenu),
        statut=statut,
        deposee_par=par,
        deposee_le=_moment(jour),
    )
    piece.fichier.save(nom, ContentFile(contenu), save=False)
    piece._history_user = par
    piece.save()


def _pdf(titre: str, lignes: list[str]) -> bytes:
    """Un PDF d'une page, sans script, fait en mémoire."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    tampon = io.BytesIO()
    page = canvas.Canvas(tampon, pagesize=A4, invariant=1)
    page.setTitle(titre)
    page.setFont("Helvetica-Bold", 16)
    page.drawString(60, 780, titre)
    page.setFont("Helvetica", 11)
    for i, ligne in enumerate(lignes):
        page.drawString(60, 750 - 18 * i, ligne)
    page.showPage()
    page.save()
    return tampon.getvalue()
