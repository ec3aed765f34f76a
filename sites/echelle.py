"""Des données à l'échelle : N fois le programme, en insertions groupées, sur le vrai référentiel.

N = 1 : une vague de 100 candidatures, 20 jurés, 3 évaluations chacune, 60 sites.
N ≥ 10 : 100 × N candidatures réparties en 8 vagues (la plus grande fait 20 % du total),
min(20 × N, 120) jurés, 3 évaluations par candidature, 60 × N sites.
La plus grande vague (la première) est en examen par le jury, les autres ont publié leurs
résultats ; les sites viennent des candidatures retenues de celles-ci, puis, s'il en manque, de
villes sans candidature.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import connection, transaction

from acv.models import Commune, Organisation, Region
from acv.roles import Role
from candidatures.models import (
    Affectation,
    Candidature,
    Critere,
    Decision,
    Evaluation,
    Jure,
    Note,
    Vague,
)
from candidatures.scores import note_sur_20

from .models import CentreRegional, Formation, Inscriptions, Jalon, LigneFinancementSite, Site

PREFIXE = "Échelle"
NUMERO_DEPART = 100
PARTS = [0.20, 0.18, 0.16, 0.14, 0.12, 0.10, 0.06, 0.04]
TAILLE_LOT = 5000


@dataclass
class Bilan:
    nombres: dict[str, int] = field(default_factory=dict)


def tailles_des_vagues(facteur: int) -> list[int]:
    total = 100 * facteur
    if facteur < 10:
        return [total]
    tailles = [round(total * p) for p in PARTS]
    tailles[0] += total - sum(tailles)
    return tailles


def nombre_de_jures(facteur: int) -> int:
    return 20 if facteur < 10 else min(20 * facteur, 120)


def deja_generees() -> bool:
    return Vague.objects.filter(nom__startswith=PREFIXE).exists()


def generer(facteur: int, *, graine: int = 2019) -> Bilan:
    """Ajoute N fois le programme (en une transaction). Le référentiel doit être chargé."""
    bilan = _generer(facteur, graine=graine)
    _mettre_a_jour_les_statistiques()
    return bilan


@transaction.atomic
def _generer(facteur: int, *, graine: int) -> Bilan:
    if facteur < 1:
        raise ValueError("Le facteur doit être un entier positif.")
    rng = random.Random(graine)
    bilan = Bilan()
    organisations = list(Organisation.objects.order_by("ordre"))
    communes = list(
        Commune.objects.values_list("code_insee", "ville_acv_id", "epci_id", "region_id", "nom")
    )
    if len(communes) < 1000:
        raise ValueError("Chargez d'abord le référentiel : manage.py load_territories.")

    # Les jurés : des comptes sans mot de passe utilisable, du groupe des membres du jury.
    mot_de_passe = make_password(None)
    nb_jures = nombre_de_jures(facteur)
    depart = User.objects.filter(username__startswith="echelle-jure-").count()
    nouveaux = [
        User(
            username=f"echelle-jure-{i:04d}",
            first_name="Juré",
            last_name=f"Échelle {i}",
            email=f"echelle-jure-{i:04d}@exemple.invalid",
            password=mot_de_passe,
        )
        for i in range(depart, nb_jures)
    ]
    User.objects.bulk_create(nouveaux)
    utilisateurs = list(
        User.objects.filter(username__startswith="echelle-jure-").order_by("username")[:nb_jures]
    )
    groupe = Group.objects.get(name=Role.JURE.label)
    groupe.user_set.add(*utilisateurs)
    bilan.nombres["jurés"] = len(utilisateurs)

    numero = max(
        NUMERO_DEPART,
        (Vague.objects.order_by("-numero").values_list("numero", flat=True).first() or 0) + 1,
    )
    tailles = tailles_des_vagues(facteur)
    candidatures_retenues: list[Candidature] = []
    totaux = dict.fromkeys(
        ["vagues", "candidatures", "affectations", "évaluations", "notes", "décisions"], 0
    )
    for rang, taille in enumerate(tailles):
        en_examen = rang == 0
        vague = Vague.objects.create(
            numero=numero + rang,
            nom=f"{PREFIXE} ×{facteur} — vague {numero + rang}",
            statut=Vague.Statut.EXAMEN_JURY if en_examen else Vague.Statut.RESULTATS_PUBLIES,
            date_ouverture=datetime.date(2019 + rang % 4, 3, 1),
            date_limite=datetime.date(2019 + rang % 4, 6, 30),
            date_jury=datetime.date(2019 + rang % 4, 9, 17),
            date_limite_evaluations=datetime.date(2019 + rang % 4, 9, 10),
            places_prevues=max(1, int(taille * 0.6)),
            nb_evaluateurs=3,
        )
        criteres = Critere.objects.bulk_create(
            [
                Critere(
                    vague=vague,
                    libelle=libelle,
                    poids=Decimal(poids),
                    note_min=0,
                    note_max=5,
                    ordre=i,
                )
                for i, (libelle, poids) in enumerate(
                    [
                        ("Besoins du territoire", 3),
                        ("Partenariats", 2),
                        ("Locaux", 1),
                        ("Financement", 2),
                        ("Publics", 2),
                    ]
                )
            ]
        )
        jures = Jure.objects.bulk_create(
            [
                Jure(vague=vague, utilisateur=u, organisation=organisations[i % len(organisations)])
                for i, u in enumerate(utilisateurs)
            ]
        )
        par_organisation: dict[int, list[Jure]] = {}
        for jure in jures:
            par_organisation.setdefault(jure.organisation_id, []).append(jure)

        # Des villes distinctes pour la vague (un binôme ne compte qu'une fois).
        vues: set[str] = set()
        choisies = []
        for code, acv, epci, _region, _nom in rng.sample(communes, min(len(communes), taille * 2)):
            cle = acv or code
            if cle in vues:
                continue
            vues.add(cle)
            choisies.append((code, cle, epci))
            if len(choisies) == taille:
                break
        statut = Candidature.Statut.EN_EXAMEN
        candidatures = Candidature.objects.bulk_create(
            [
                Candidature(
                    reference=f"V{vague.numero}-{i + 1:05d}",
                    vague=vague,
                    commune_id=code,
                    cle_ville=cle,
                    porteur=Candidature.Porteur.EPCI
                    if (epci and i % 5 == 0)
                    else Candidature.Porteur.COMMUNE,
                    epci_id=epci if (epci and i % 5 == 0) else None,
                    statut=statut,
                    contact_nom=f"Contact fictif {i + 1}",
                    contact_email=f"contact{i + 1}@mairie.invalid",
                    resume="Projet d'espace d'accès à la formation en centre-ville (donnée générée).",
                    apprenants_prevus=rng.randint(20, 200),
                    date_ouverture_prevue=datetime.date(2020 + rang % 3, rng.randint(1, 12), 1),
                )
                for i, (code, cle, epci) in enumerate(choisies)
            ],
            batch_size=TAILLE_LOT,
        )

        # Trois évaluateurs de trois organisations différentes, charges équilibrées.
        organisations_ids = sorted(par_organisation)
        curseurs = dict.fromkeys(organisations_ids, 0)
        affectations = []
        for i, candidature in enumerate(candidatures):
            for k in range(3):
                org = organisations_ids[(i + k) % len(organisations_ids)]
                liste = par_organisation[org]
                jure = liste[curseurs[org] % len(liste)]
                curseurs[org] += 1
                affectations.append(Affectation(jure=jure, candidature=candidature))
        affectations = Affectation.objects.bulk_create(affectations, batch_size=TAILLE_LOT)

        severite = {j.pk: rng.uniform(-1.0, 1.0) for j in jures}
        qualite = {c.pk: rng.uniform(1.0, 4.5) for c in candidatures}
        evaluations, notes_par_eval = [], []
        maintenant = datetime.datetime(2019 + rang % 4, 9, 10, 12, tzinfo=datetime.UTC)
        for affectation in affectations:
            # Chaque affectation a son évaluation ; dans la vague en examen, une sur cinq est
            # encore un brouillon.
            soumise = not en_examen or rng.random() < 0.8
            valeurs = {
                c.pk: max(
                    0,
                    min(
                        5,
                        round(
                            qualite[affectation.candidature_id]
                            + severite[affectation.jure_id]
                            + rng.gauss(0, 0.7)
                        ),
                    ),
                )
                for c in criteres
            }
            note = note_sur_20(criteres, valeurs)
            evaluations.append(
                Evaluation(
                    affectation=affectation,
                    statut=Evaluation.Statut.SOUMISE if soumise else Evaluation.Statut.BROUILLON,
                    avis=(
                        Evaluation.Avis.FAVORABLE
                        if note >= 13
                        else Evaluation.Avis.RESERVES
                        if note >= 9
                        else Evaluation.Avis.DEFAVORABLE
                    )
                    if soumise
                    else "",
                    commentaire="Évaluation générée.",
                    note_sur_20=note if soumise else None,
                    soumise_le=maintenant if soumise else None,
                )
            )
            notes_par_eval.append(valeurs)
        evaluations = Evaluation.objects.bulk_create(evaluations, batch_size=TAILLE_LOT)
        notes = [
            Note(evaluation=e, critere_id=critere_id, valeur=valeur)
            for e, valeurs in zip(evaluations, notes_par_eval, strict=True)
            for critere_id, valeur in valeurs.items()
        ]
        Note.objects.bulk_create(notes, batch_size=TAILLE_LOT)

        if not en_examen:
            classees = sorted(candidatures, key=lambda c: -qualite[c.pk])
            retenues = {c.pk for c in classees[: int(len(classees) * 0.75)]}
            decisions = []
            for c in candidatures:
                resultat = (
                    Decision.Resultat.RETENUE if c.pk in retenues else Decision.Resultat.NON_RETENUE
                )
                c.statut = resultat
                decisions.append(
                    Decision(candidature=c, resultat=resultat, motivation="Décision générée.")
                )
            Candidature.objects.bulk_update(candidatures, ["statut"], batch_size=TAILLE_LOT)
            Decision.objects.bulk_create(decisions, batch_size=TAILLE_LOT)
            candidatures_retenues += [c for c in candidatures if c.pk in retenues]
            totaux["décisions"] += len(decisions)
        totaux["vagues"] += 1
        totaux["candidatures"] += len(candidatures)
        totaux["affectations"] += len(affectations)
        totaux["évaluations"] += len(evaluations)
        totaux["notes"] += len(notes)
    bilan.nombres.update(totaux)
    bilan.nombres.update(_generer_sites(facteur, rng, candidatures_retenues, communes))
    return bilan


def _mettre_a_jour_les_statistiques() -> None:
    """Après un chargement en masse, les statistiques du planificateur de PostgreSQL.

    L'autovacuum les met à jour tout seul, mais plus tard : sans elles, le planificateur croit les
    tables presque vides et choisit des boucles imbriquées là où il faut des jointures par
    hachage (un classement deux fois plus lent juste après `seed_scale`).
    """
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as curseur:
            curseur.execute("ANALYZE")


def _generer_sites(
    facteur: int, rng: random.Random, retenues: list[Candidature], communes: list
) -> dict[str, int]:
    centres = {}
    for region in Region.objects.all():
        centres[region.code], _ = CentreRegional.objects.get_or_create(
            nom=f"Cnam {region.nom}", defaults={"region": region}
        )
    region_de_commune = {code: region for code, _a, _e, region, _n in communes}
    nom_de_commune = {code: nom for code, _a, _e, _r, nom in communes}
    voulu = 60 * facteur
    sources = [(c.commune_id, c) for c in retenues[:voulu]]
    if len(sources) < voulu:
        deja = {code for code, _ in sources}
        libres = [c for c in communes if c[0] not in deja]
        sources += [(code, None) for code, *_ in rng.sample(libres, voulu - len(sources))]
    statuts = (
        [Site.Statut.OUVERT] * 5
        + [Site.Statut.EN_PREPARATION] * 3
        + [Site.Statut.PLANIFIE]
        + [Site.Statut.SUSPENDU]
    )
    sites = []
    for i, (code, candidature) in enumerate(sources):
        statut = statuts[i % len(statuts)]
        prevue = datetime.date(2020 + i % 3, 1 + i % 12, 1)
        sites.append(
            Site(
                candidature=candidature,
                commune_id=code,
                nom=f"Espace Cnam de {nom_de_commune[code]}",
                adresse=f"{1 + i % 90} place de la Mairie",
                operateur=centres.get(region_de_commune[code]),
                date_ouverture_prevue=prevue,
                date_ouverture=prevue + datetime.timedelta(days=rng.randint(0, 120))
                if statut in Site.QUI_COMPTENT
                else None,
                statut=statut,
            )
        )
    sites = Site.objects.bulk_create(sites, batch_size=TAILLE_LOT)
    jalons, formations, inscriptions, financements = [], [], [], []
    for i, site in enumerate(sites):
        ouvert = site.statut in Site.QUI_COMPTENT
        for ordre, (libelle, decalage) in enumerate(Jalon.PAR_DEFAUT):
            echeance = site.date_ouverture_prevue + datetime.timedelta(days=decalage)
            fait = ouvert or (decalage < -100 and i % 3)
            jalons.append(
                Jalon(
                    site=site,
                    libelle=libelle,
                    echeance=echeance,
                    fait_le=echeance if fait else None,
                    ordre=ordre,
                )
            )
        for k, (intitule, domaine) in enumerate(
            [
                ("Titre professionnel gestionnaire de paie", "Gestion"),
                ("Certificat de compétence en numérique", "Informatique"),
            ]
        ):
            formations.append(
                Formation(
                    site=site,
                    intitule=intitule,
                    domaine=domaine,
                    niveau="Niveau 5",
                    date_debut=site.date_ouverture_prevue + datetime.timedelta(days=30 * k),
                )
            )
        if ouvert:
            for annee in range(site.date_ouverture.year, 2024):
                inscriptions.append(
                    Inscriptions(site=site, annee=annee, nombre=rng.randint(15, 180))
                )
        financements.append(
            LigneFinancementSite(
                site=site,
                source=LigneFinancementSite.Source.CONVENTION_ACV,
                montant=Decimal(rng.randint(20, 150) * 1000),
            )
        )
        financements.append(
            LigneFinancementSite(
                site=site,
                source=LigneFinancementSite.Source.BANQUE_TERRITOIRES,
                montant=Decimal(rng.randint(10, 80) * 1000),
            )
        )
    Jalon.objects.bulk_create(jalons, batch_size=TAILLE_LOT)
    Formation.objects.bulk_create(formations, batch_size=TAILLE_LOT)
    Inscriptions.objects.bulk_create(inscriptions, batch_size=TAILLE_LOT)
    LigneFinancementSite.objects.bulk_create(financements, batch_size=TAILLE_LOT)
    return {
        "sites": len(sites),
        "jalons": len(jalons),
        "formations": len(formations),
        "inscriptions": len(inscriptions),
    }
