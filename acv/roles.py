"""Les rôles de DESIGN.md, portés par des groupes Django, et les questions d'accès qui s'y rapportent."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import models


class Role(models.TextChoices):
    EQUIPE = "equipe", "Équipe programme"
    JURE = "jure", "Membre du jury"
    RESPONSABLE_REGIONAL = "responsable_regional", "Responsable régional"
    OBSERVATEUR = "observateur", "Observateur"
    ADMINISTRATEUR = "administrateur", "Administrateur"


# Permissions des modèles par rôle : (application, actions). L'accès aux pages est décidé par
# les fonctions ci-dessous ; ces permissions servent l'administration et la lisibilité.
PERMISSIONS = {
    Role.EQUIPE: {
        "candidatures": ("view", "add", "change"),
        "sites": ("view", "add", "change"),
        "acv": ("view",),
    },
    Role.JURE: {},
    Role.RESPONSABLE_REGIONAL: {"sites": ("view", "change")},
    Role.OBSERVATEUR: {"sites": ("view",)},
    Role.ADMINISTRATEUR: {
        "candidatures": ("view", "add", "change", "delete"),
        "sites": ("view", "add", "change", "delete"),
        "acv": ("view", "add", "change", "delete"),
        "auth": ("view", "add", "change"),
    },
}


def synchroniser_groupes() -> None:
    """Crée les groupes des rôles et leur donne leurs permissions (idempotent)."""
    for role in Role:
        groupe, _ = Group.objects.get_or_create(name=role.label)
        voulues = []
        for app, actions in PERMISSIONS[role].items():
            for perm in Permission.objects.filter(content_type__app_label=app):
                if perm.codename.split("_", 1)[0] in actions:
                    voulues.append(perm)
        groupe.permissions.set(voulues)


def synchroniser_groupes_apres_migrate(sender, **kwargs) -> None:
    synchroniser_groupes()


def roles_de(user) -> frozenset[str]:
    """Les rôles d'un compte (mis en cache sur l'objet : une requête par requête HTTP au plus)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = getattr(user, "_roles_cache", None)
    if cache is None:
        libelles = {r.label: r.value for r in Role}
        cache = frozenset(
            libelles[n] for n in user.groups.values_list("name", flat=True) if n in libelles
        )
        if user.is_superuser:
            cache = cache | {Role.ADMINISTRATEUR.value}
        user._roles_cache = cache
    return cache


def a_role(user, *roles: str) -> bool:
    return bool(roles_de(user) & set(roles))


def est_equipe(user) -> bool:
    """L'équipe du programme ; l'administrateur, qui corrige les données, voit ce qu'elle voit."""
    return a_role(user, Role.EQUIPE, Role.ADMINISTRATEUR)


def est_jure(user) -> bool:
    return a_role(user, Role.JURE)


def est_responsable_regional(user) -> bool:
    return a_role(user, Role.RESPONSABLE_REGIONAL)


def est_observateur(user) -> bool:
    return a_role(user, Role.OBSERVATEUR)


def peut_lire_tableaux(user) -> bool:
    """Tableau de bord, liste des sites, résultats publiés : l'équipe, les observateurs, les régions."""
    return est_equipe(user) or a_role(user, Role.OBSERVATEUR, Role.RESPONSABLE_REGIONAL)


def exiger_equipe(user) -> None:
    if not est_equipe(user):
        raise PermissionDenied("Réservé à l'équipe du programme.")
