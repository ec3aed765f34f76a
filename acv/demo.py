"""Les comptes de démonstration, un par rôle (démo locale uniquement ; identifiants dans le README)."""

from __future__ import annotations

from django.contrib.auth.models import Group, User

from .models import Organisation, Profil, Region
from .roles import Role

MOT_DE_PASSE_DEMO = "demo-acv-2019"

COMPTES = [
    # identifiant, prénom, nom, rôle, région, organisation
    ("equipe", "Camille", "Demoulin", Role.EQUIPE, None, None),
    ("jure", "Dominique", "Exemple", Role.JURE, None, "cnam"),
    ("region", "Alix", "Fictif", Role.RESPONSABLE_REGIONAL, "44", None),
    ("observateur", "Sacha", "Imaginaire", Role.OBSERVATEUR, None, None),
    ("admin", "Claude", "Administrateur", Role.ADMINISTRATEUR, None, None),
]


def comptes(stdout=None) -> None:
    for identifiant, prenom, nom, role, region, organisation in COMPTES:
        user, cree = User.objects.get_or_create(
            username=identifiant,
            defaults={
                "first_name": prenom,
                "last_name": nom,
                "email": f"{identifiant}@demo.invalid",
                "is_staff": role == Role.ADMINISTRATEUR,
                "is_superuser": role == Role.ADMINISTRATEUR,
            },
        )
        if cree:
            user.set_password(MOT_DE_PASSE_DEMO)
            user.save()
        user.groups.add(Group.objects.get(name=role.label))
        Profil.objects.update_or_create(
            utilisateur=user,
            defaults={
                "region": Region.objects.filter(code=region).first() if region else None,
                "organisation": Organisation.objects.filter(sigle=organisation).first()
                if organisation
                else None,
            },
        )
    if stdout:
        stdout.write(
            f"  comptes de démonstration : {len(COMPTES)} (mot de passe {MOT_DE_PASSE_DEMO})"
        )
