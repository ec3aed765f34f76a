"""Ce qu'une ligne de la table URL × rôle décrit, et les réponses attendues."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .monde import ADMIN, ANONYME, EQUIPE, JURE, OBSERVATEUR, RESPONSABLE, ROLES

# Réponses attendues : un code HTTP, ou CONNEXION (redirection vers la page de connexion).
CONNEXION = "connexion"


@dataclass
class Cas:
    """Un cas d'accès à une adresse : ses arguments, sa méthode et la réponse attendue par rôle."""

    attendu: dict[str, int | str]
    kwargs: Callable = lambda monde: {}
    methode: str = "get"
    donnees: Callable = lambda monde: {}
    query: str = ""
    nom: str = ""

    def __post_init__(self) -> None:
        manquants = set(ROLES) - set(self.attendu)
        assert not manquants, f"rôles sans réponse attendue : {manquants}"


@dataclass
class Ligne:
    url_name: str
    cas: list[Cas] = field(default_factory=list)


def pour_tous(code, **exceptions) -> dict:
    """{rôle: code} pour chaque rôle, sauf ceux donnés en exceptions."""
    return {role: exceptions.get(role, code) for role in ROLES}


def equipe_seulement(code_ok: int = 200) -> dict:
    """Pages de l'équipe : connexion pour l'anonyme, 403 pour les autres rôles."""
    return {
        ANONYME: CONNEXION,
        JURE: 403,
        RESPONSABLE: 403,
        OBSERVATEUR: 403,
        EQUIPE: code_ok,
        ADMIN: code_ok,
    }


def connectes(code_ok: int = 200) -> dict:
    return pour_tous(code_ok, **{ANONYME: CONNEXION})


__all__ = [
    "ADMIN",
    "ANONYME",
    "CONNEXION",
    "EQUIPE",
    "JURE",
    "OBSERVATEUR",
    "RESPONSABLE",
    "Cas",
    "Ligne",
    "connectes",
    "equipe_seulement",
    "pour_tous",
]
