"""L'historique d'un objet suivi par django-simple-history, prêt à afficher (deux requêtes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

ACTIONS = {"+": "Création", "~": "Modification", "-": "Suppression"}


@dataclass
class Entree:
    date: datetime
    par: str
    action: str
    changements: list[dict] = field(default_factory=list)


def _libelle_valeur(champ, valeur) -> str:
    if valeur is None or valeur == "":
        return ""
    if getattr(champ, "choices", None):
        return str(dict(champ.flatchoices).get(valeur, valeur))
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    return str(valeur)


def historique(obj, limite: int = 100) -> list[Entree]:
    """Les entrées les plus récentes d'abord, chacune avec ce qui a changé depuis la précédente."""
    enregistrements = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limite + 1
        ]
    )
    champs = [f for f in obj._meta.concrete_fields if f.name not in ("id",)]
    entrees = []
    for i, rec in enumerate(enregistrements[:limite]):
        precedent = enregistrements[i + 1] if i + 1 < len(enregistrements) else None
        changements = []
        if precedent is not None:
            for f in champs:
                avant, apres = getattr(precedent, f.attname, None), getattr(rec, f.attname, None)
                if avant != apres:
                    changements.append(
                        {
                            "champ": f.verbose_name,
                            "avant": _libelle_valeur(f, avant),
                            "apres": _libelle_valeur(f, apres),
                        }
                    )
        user = rec.history_user
        entrees.append(
            Entree(
                date=rec.history_date,
                par=(user.get_full_name() or user.username) if user else "",
                action=rec.history_change_reason or ACTIONS.get(rec.history_type, ""),
                changements=changements,
            )
        )
    return entrees
