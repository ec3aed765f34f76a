"""Démo : le jury des vagues 1 et 2 (jurés fictifs des cinq organisations, conflits, affectation,
évaluations) ; idempotente, à graine fixe.

Vague 1 : 15 jurés (3 par organisation, dont le compte de démonstration « jure », Cnam),
entièrement affectée et évaluée — notes réalistes, quelques désaccords marqués, des jurés plus
sévères que d'autres. Vague 2 : passée en examen par le jury, 10 jurés (dont « jure »),
affectée, évaluations dans des états mélangés, dont des évaluations encore à faire pour « jure ».
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.utils import timezone

from acv.demo import MOT_DE_PASSE_DEMO
from acv.models import Organisation, Profil
from acv.roles import Role

from .affectation import STATUTS_A_AFFECTER, affecter_vague
from .models import Affectation, Candidature, Conflit, Evaluation, Jure, Note, Vague
from .scores import note_sur_20

S = Vague.Statut

# Jurés fictifs : (identifiant, prénom, nom, organisation). Le compte « jure » (Cnam) s'y ajoute.
JURES = [
    ("jury-cnam-1", "Hélène", "Marchetti", "cnam"),
    ("jury-cnam-2", "Olivier", "Delaunay", "cnam"),
    ("jury-acv-1", "Nadia", "Benhamou", "acv"),
    ("jury-acv-2", "Thomas", "Guérin", "acv"),
    ("jury-acv-3", "Sophie", "Lemaire", "acv"),
    ("jury-vdf-1", "Bruno", "Castel", "villes-de-france"),
    ("jury-vdf-2", "Claire", "Fontaine", "villes-de-france"),
    ("jury-vdf-3", "Mehdi", "Rouault", "villes-de-france"),
    ("jury-adcf-1", "Isabelle", "Perrin", "adcf"),
    ("jury-adcf-2", "Yann", "Le Goff", "adcf"),
    ("jury-adcf-3", "Agnès", "Vidal", "adcf"),
    ("jury-bdt-1", "François", "Morel", "banque-des-territoires"),
    ("jury-bdt-2", "Laure", "Chevalier", "banque-des-territoires"),
    ("jury-bdt-3", "Karim", "Haddad", "banque-des-territoires"),
]
# Vague 2 : deux jurés par organisation, dont « jure ».
JURES_VAGUE_2 = [
    "jure",
    "jury-cnam-2",
    "jury-acv-1",
    "jury-acv-3",
    "jury-vdf-2",
    "jury-vdf-3",
    "jury-adcf-1",
    "jury-adcf-2",
    "jury-bdt-1",
    "jury-bdt-3",
]
MOTIFS_CONFLIT = [
    "Élu·e au conseil municipal de la commune.",
    "Mon conjoint travaille à l'intercommunalité porteuse du projet.",
    "Administrateur d'un organisme partenaire cité dans la candidature.",
    "J'ai accompagné la rédaction de ce dossier dans mes fonctions précédentes.",
    "Originaire de la commune, proche de l'équipe municipale.",
]
COMMENTAIRES = {
    "favorable": [
        "Diagnostic territorial solide et chiffré ; partenaires de l'emploi déjà mobilisés. "
        "Projet prêt à ouvrir.",
        "Très bon dossier : offre de formation cohérente avec les métiers en tension, locaux "
        "identifiés en centre-ville.",
        "Portage politique fort et plan de financement bouclé. Je recommande sans réserve.",
    ],
    "reserves": [
        "Besoins bien décrits, mais les partenariats restent à formaliser par écrit.",
        "Projet intéressant ; le financement au-delà de la deuxième année est à consolider.",
        "Offre de formation encore générale : à préciser avec le Cnam en région avant l'ouverture.",
    ],
    "defavorable": [
        "Dossier peu étayé : pas de diagnostic des besoins, locaux non identifiés.",
        "Le projet semble redondant avec l'offre existante à proximité ; plan de financement "
        "incomplet.",
        "Candidature trop précoce : ni partenaires engagés ni équipe identifiée.",
    ],
}


def _comptes(par_defaut_mdp: str) -> dict[str, tuple[User, Organisation]]:
    """Les comptes des jurés fictifs (créés au premier passage) et le compte « jure »."""
    groupe = Group.objects.get(name=Role.JURE.label)
    organisations = {o.sigle: o for o in Organisation.objects.all()}
    comptes = {}
    for identifiant, prenom, nom, sigle in JURES:
        user, cree = User.objects.get_or_create(
            username=identifiant,
            defaults={
                "first_name": prenom,
                "last_name": nom,
                "email": f"{identifiant}@demo.invalid",
                "password": par_defaut_mdp,
            },
        )
        if cree:
            user.groups.add(groupe)
            Profil.objects.update_or_create(
                utilisateur=user, defaults={"organisation": organisations[sigle]}
            )
        comptes[identifiant] = (user, organisations[sigle])
    demo = User.objects.filter(username="jure").first()
    if demo is not None:
        comptes["jure"] = (demo, organisations["cnam"])
    return comptes


def _jury(vague: Vague, membres: list[tuple[User, Organisation]]) -> list[Jure]:
    jures = []
    for user, organisation in membres:
        jure, _ = Jure.objects.get_or_create(
            vague=vague, utilisateur=user, defaults={"organisation": organisation}
        )
        jures.append(jure)
    return jures


def _conflits(rng: random.Random, vague: Vague, jures: list[Jure], nombre: int, par) -> None:
    """Quelques conflits déclarés avant l'affectation (jamais par le compte de démonstration)."""
    if Conflit.objects.filter(jure__vague=vague).exists():
        return
    candidatures = list(vague.candidatures.filter(statut__in=STATUTS_A_AFFECTER).order_by("pk"))
    autres = [j for j in jures if j.utilisateur.username != "jure"]
    if not candidatures or not autres:
        return
    limite = vague.date_limite_evaluations or timezone.localdate()
    for i, candidature in enumerate(rng.sample(candidatures, min(nombre, len(candidatures)))):
        Conflit.objects.create(
            jure=rng.choice(autres),
            candidature=candidature,
            motif=MOTIFS_CONFLIT[i % len(MOTIFS_CONFLIT)],
            declare_par=par,
            declare_le=timezone.make_aware(
                datetime.datetime.combine(
                    limite - datetime.timedelta(days=20), datetime.time(9 + i % 8)
                )
            ),
        )


def _avis(note: float, rng: random.Random) -> str:
    seuil = note + rng.gauss(0, 1.2)
    if seuil >= 13.5:
        return Evaluation.Avis.FAVORABLE
    if seuil >= 9.5:
        return Evaluation.Avis.RESERVES
    return Evaluation.Avis.DEFAVORABLE


def _evaluer(
    rng: random.Random,
    affectation: Affectation,
    criteres: list,
    qualite: float,
    severite: float,
    *,
    soumettre: bool,
    complet: bool = True,
    desaccord: float = 0.0,
) -> None:
    """Une évaluation réaliste : qualité du dossier, sévérité du juré, bruit par critère."""
    notes = {}
    for i, critere in enumerate(criteres):
        if not complet and i >= len(criteres) // 2:
            break
        etendue = critere.note_max - critere.note_min
        brut = 0.58 + 0.14 * (qualite - severite + desaccord) + rng.gauss(0, 0.1)
        valeur = round(critere.note_min + etendue * min(max(brut, 0), 1))
        notes[critere.pk] = int(min(max(valeur, critere.note_min), critere.note_max))
    note = note_sur_20(criteres, notes) if complet else None
    avis = _avis(note, rng) if note is not None else ""
    vague = affectation.candidature.vague
    limite = vague.date_limite_evaluations or timezone.localdate()
    jour = limite - datetime.timedelta(days=rng.randint(0, 13))
    moment = timezone.make_aware(
        datetime.datetime.combine(jour, datetime.time(rng.randint(8, 22), rng.randint(0, 59)))
    )
    evaluation = Evaluation(
        affectation=affectation,
        statut=Evaluation.Statut.SOUMISE if soumettre else Evaluation.Statut.BROUILLON,
        avis=avis if (soumettre or rng.random() < 0.5) else "",
        commentaire=rng.choice(COMMENTAIRES[avis])
        if avis and (soumettre or rng.random() < 0.6)
        else "",
        note_sur_20=note if soumettre else None,
        soumise_le=moment if soumettre else None,
        version=1,
    )
    evaluation._history_user = affectation.jure.utilisateur
    evaluation._history_date = moment
    evaluation.save()
    Note.objects.bulk_create(
        Note(evaluation=evaluation, critere_id=pk, valeur=v) for pk, v in notes.items()
    )
    Evaluation.objects.filter(pk=evaluation.pk).update(modifiee_le=moment)


def jury(stdout=None) -> None:
    """Jury, conflits, affectation et évaluations des vagues 1 et 2 (voir le module)."""
    rng = random.Random(20190917)
    par = User.objects.filter(username="equipe").first()
    comptes = _comptes(make_password(MOT_DE_PASSE_DEMO))

    def dire(texte: str) -> None:
        if stdout:
            stdout.write(f"  jury : {texte}")

    # Vague 1 : entièrement évaluée.
    vague_1 = Vague.objects.filter(numero=1).first()
    if vague_1 is not None:
        membres = [comptes[i] for i, *_ in JURES] + ([comptes["jure"]] if "jure" in comptes else [])
        jures = _jury(vague_1, membres)
        if (
            not vague_1.est_verrouillee
            and not Affectation.objects.filter(candidature__vague=vague_1).exists()
        ):
            _conflits(rng, vague_1, jures, 6, par)
            affecter_vague(vague_1, par=par, notifier=False)
        if not vague_1.est_verrouillee:
            _evaluations_vague_1(rng, vague_1, jures)
        dire(
            f"{vague_1.nom} : {len(jures)} jurés, "
            f"{Evaluation.objects.filter(affectation__candidature__vague=vague_1, statut='soumise').count()} "
            "évaluations soumises"
        )

    # Vague 2 : en examen, évaluations en cours.
    vague_2 = Vague.objects.filter(numero=2).first()
    if vague_2 is not None and not vague_2.est_verrouillee:
        if (
            vague_2.statut == S.CONSOLIDATION
            and vague_2.candidatures.filter(statut__in=STATUTS_A_AFFECTER).exists()
        ):
            vague_2._history_date = timezone.make_aware(
                datetime.datetime.combine(
                    vague_2.date_limite_evaluations - datetime.timedelta(days=21),
                    datetime.time(10),
                )
            )
            vague_2.avancer(S.EXAMEN_JURY, par=par, note="Transmise au jury")
            # Les recevables partent au jury ; quelques dossiers en retard restent en
            # consolidation (reçus, incomplets), comme le veut la démo de la vague 2.
            for candidature in vague_2.candidatures.filter(statut=Candidature.Statut.RECEVABLE):
                candidature.changer_statut(
                    Candidature.Statut.EN_EXAMEN, par=par, note="Transmise au jury"
                )
        if vague_2.statut == S.EXAMEN_JURY:
            membres = [comptes[i] for i in JURES_VAGUE_2 if i in comptes]
            jures = _jury(vague_2, membres)
            if not Affectation.objects.filter(candidature__vague=vague_2).exists():
                _conflits(rng, vague_2, jures, 2, par)
                affecter_vague(vague_2, par=par, notifier=False)
                _evaluations_vague_2(rng, vague_2)
            compte = {
                s: Evaluation.objects.filter(
                    affectation__candidature__vague=vague_2, statut=s
                ).count()
                for s in Evaluation.Statut.values
            }
            attendues = Affectation.objects.filter(candidature__vague=vague_2).count()
            dire(
                f"{vague_2.nom} : {len(jures)} jurés, {attendues} évaluations attendues, "
                f"{compte['soumise']} soumises, {compte['brouillon']} en brouillon"
            )


def _evaluations_vague_1(rng: random.Random, vague: Vague, jures: list[Jure]) -> None:
    criteres = list(vague.criteres.all())
    severite = {j.pk: rng.gauss(0, 0.35) for j in jures}
    # Deux jurés nettement plus sévères, un plus indulgent.
    for j in rng.sample(jures, 3)[:2]:
        severite[j.pk] += 0.8
    severite[rng.choice(jures).pk] -= 0.6
    affectations = list(
        Affectation.objects.filter(candidature__vague=vague, evaluation__isnull=True)
        .select_related("candidature__vague", "jure__utilisateur")
        .order_by("candidature__reference", "jure__organisation__ordre")
    )
    candidatures = sorted({a.candidature_id for a in affectations})
    qualite = {c: rng.gauss(0, 1) for c in candidatures}
    # Quelques désaccords marqués : un évaluateur voit le dossier très différemment.
    desaccords = set(rng.sample(candidatures, min(7, len(candidatures))))
    deja = set()
    for affectation in affectations:
        c = affectation.candidature_id
        ecart = 0.0
        if c in desaccords and c not in deja:
            ecart = rng.choice([-1, 1]) * rng.uniform(1.6, 2.4)
            deja.add(c)
        _evaluer(
            rng,
            affectation,
            criteres,
            qualite[c],
            severite[affectation.jure_id],
            soumettre=True,
            desaccord=ecart,
        )


def _evaluations_vague_2(rng: random.Random, vague: Vague) -> None:
    criteres = list(vague.criteres.all())
    affectations = list(
        Affectation.objects.filter(candidature__vague=vague)
        .select_related("candidature__vague", "jure__utilisateur")
        .order_by("candidature__reference", "jure__organisation__ordre")
    )
    qualite = {a.candidature_id: rng.gauss(0.3, 0.8) for a in affectations}
    demo = [a for a in affectations if a.jure.utilisateur.username == "jure"]
    # Pour le juré de démonstration : un brouillon commencé, le reste à faire.
    brouillon_demo = demo[0].pk if demo else None
    for affectation in affectations:
        if affectation.jure.utilisateur.username == "jure":
            if affectation.pk == brouillon_demo:
                _evaluer(
                    rng,
                    affectation,
                    criteres,
                    qualite[affectation.candidature_id],
                    0.0,
                    soumettre=False,
                    complet=False,
                )
            continue
        tirage = rng.random()
        if tirage < 0.45:
            _evaluer(
                rng,
                affectation,
                criteres,
                qualite[affectation.candidature_id],
                rng.gauss(0, 0.3),
                soumettre=True,
            )
        elif tirage < 0.75:
            _evaluer(
                rng,
                affectation,
                criteres,
                qualite[affectation.candidature_id],
                rng.gauss(0, 0.3),
                soumettre=False,
                complet=rng.random() < 0.5,
            )
