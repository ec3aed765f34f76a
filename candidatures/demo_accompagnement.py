"""Démo : les lettres de la vague 1 et l'accompagnement de ses villes non retenues.

Une fois les résultats de la vague 1 publiés (étape de délibération), prépare et envoie les
lettres (le backend console de la démo les affiche), ouvre un plan pour chaque ville non retenue
(conseillers fictifs de l'équipe, actions variées dont certaines en retard, vague 2 visée) et
relie au plan la resoumission déjà créée en vague 2. Les personnes sont fictives ; relancer ne
duplique rien.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth.models import Group, User
from django.utils import timezone

from acv.roles import Role

from . import lettres
from .models import Accompagnement, ActionAccompagnement, Candidature, Vague

A = ActionAccompagnement.Statut

CONSEILLERS = [
    # identifiant, prénom, nom
    ("conseil-morvan", "Gwenola", "Morvan"),
    ("conseil-ferrand", "Bastien", "Ferrand"),
    ("conseil-aubert", "Nadia", "Aubert"),
]

# libellé, décalage de l'échéance en jours depuis aujourd'hui
ACTIONS = [
    ("Entretien de restitution de l'avis du jury avec la ville", -60),
    ("Rencontre avec le Cnam en région et visite des locaux pressentis", -25),
    ("Étude des besoins du bassin d'emploi avec Pôle emploi et la Maison de l'emploi", -8),
    ("Compléter le plan de financement et obtenir les lettres d'engagement", 20),
    ("Relire le dossier révisé avant son dépôt", 45),
    ("Déposer la nouvelle candidature", 75),
]

NOTES = [
    "La ville a bien reçu l'avis du jury ; l'équipe municipale souhaite se représenter.",
    "Élu référent très mobilisé ; la question des locaux reste ouverte (deux pistes en centre-ville).",
    "Le porteur envisage de passer par l'intercommunalité pour boucler le financement.",
    "Contact régulier avec la chargée de mission ACV ; calendrier serré avant la vague 2.",
]


def _conseillers() -> list[User]:
    """Le compte de démo « equipe » et trois conseillers fictifs de l'équipe (sans mot de passe)."""
    groupe = Group.objects.get(name=Role.EQUIPE.label)
    comptes = list(User.objects.filter(username="equipe"))
    for identifiant, prenom, nom in CONSEILLERS:
        user, cree = User.objects.get_or_create(
            username=identifiant,
            defaults={
                "first_name": prenom,
                "last_name": nom,
                "email": f"{identifiant}@demo.invalid",
            },
        )
        if cree:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.groups.add(groupe)
        comptes.append(user)
    return comptes


def _actions(rng: random.Random, plan: Accompagnement, *, resoumise: bool, par) -> None:
    aujourdhui = timezone.localdate()
    # Jusqu'où la ville est allée : une resoumission a tout fait jusqu'au dépôt.
    avancement = len(ACTIONS) if resoumise else rng.choice([1, 1, 2, 2, 3])
    # Une ville qui a déjà déposé sa resoumission a tout fait, et donc plus tôt.
    recul = 140 if resoumise else 0
    for rang, (libelle, decalage) in enumerate(ACTIONS):
        echeance = aujourdhui + datetime.timedelta(days=decalage - recul + rng.randint(-4, 4))
        if rang < avancement:
            statut = A.FAITE
        elif decalage < 0:  # échéance passée : en retard, en cours, ou abandonnée
            statut = rng.choice([A.A_FAIRE, A.A_FAIRE, A.EN_COURS, A.ABANDONNEE])
        else:
            statut = rng.choice([A.A_FAIRE, A.A_FAIRE, A.EN_COURS])
        action = ActionAccompagnement(
            accompagnement=plan,
            libelle=libelle,
            echeance=echeance,
            statut=statut,
            faite_le=min(echeance - datetime.timedelta(days=rng.randint(0, 6)), aujourdhui)
            if statut == A.FAITE
            else None,
        )
        action._history_user = par
        action.save()


def accompagner(stdout=None) -> None:
    vague_1 = Vague.objects.filter(numero=1).first()
    vague_2 = Vague.objects.filter(numero=2).first()
    if vague_1 is None or not lettres.resultats_publies(vague_1):
        if stdout:
            stdout.write(
                "  accompagnement : résultats de la vague 1 pas encore publiés, rien à faire"
            )
        return
    rng = random.Random(2020)
    conseillers = _conseillers()
    par = conseillers[0]
    non_retenues = (
        Candidature.objects.filter(vague=vague_1, statut=Candidature.Statut.NON_RETENUE)
        .select_related("commune", "accompagnement")
        .order_by("commune__nom")
    )
    ouverts = relies = 0
    for rang, candidature in enumerate(non_retenues):
        plan = getattr(candidature, "accompagnement", None)
        resoumission = candidature.resoumissions.filter(vague=vague_2).first() if vague_2 else None
        if plan is None:
            plan = Accompagnement.ouvrir(
                candidature,
                conseiller=conseillers[rang % len(conseillers)],
                par=par,
                vague_cible=vague_2,
                notes=rng.choice(NOTES),
            )
            _actions(rng, plan, resoumise=resoumission is not None, par=par)
            ouverts += 1
        if resoumission is not None and plan.resoumission_id is None:
            plan.resoumission = resoumission
            plan._history_user = par
            plan._change_reason = f"Resoumission {resoumission.reference} reliée au plan"
            plan.save(update_fields=["resoumission"])
            relies += 1

    preparation = lettres.preparer_lettres(vague_1, par=par)
    envoi = lettres.envoyer_lettres(vague_1)
    if stdout:
        en_retard = ActionAccompagnement.objects.en_retard().count()
        stdout.write(
            f"  {vague_1.nom} : {preparation.creees} lettres préparées, "
            f"{envoi.mises_en_file} envoyées ; {ouverts} plans d'accompagnement ouverts "
            f"({relies} reliés à leur resoumission en vague 2, {en_retard} actions en retard)"
        )
