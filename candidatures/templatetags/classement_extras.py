"""Les cellules répétées des tableaux de classement, écrites en une fois.

Un tableau de classement a cent lignes par page : la répartition des avis y passait par un
gabarit inclus (huit variables, deux filtres par ligne), le plus cher de chaque ligne.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()


def _pluriel(nombre: int, mot: str) -> str:
    return f"{nombre} {mot}{'s' if nombre > 1 else ''}"


@register.filter
def avis(notes) -> str:
    """« F / R / D » à l'écran, et leur sens en toutes lettres pour les lecteurs d'écran."""
    return format_html(
        '<span aria-hidden="true">{} / {} / {}</span> <span class="fr-sr-only">{}, {} avec réserves, {}</span>',
        notes.favorables,
        notes.reserves,
        notes.defavorables,
        _pluriel(notes.favorables, "favorable"),
        notes.reserves,
        _pluriel(notes.defavorables, "défavorable"),
    )
