"""Petits filtres de gabarit communs."""

from __future__ import annotations

import datetime

from django import template

from acv.middleware import duree_lisible

register = template.Library()


@register.filter
def duree(valeur: datetime.timedelta | None) -> str:
    """Une durée en clair : « 30 minutes », « 1 heure »."""
    if not isinstance(valeur, datetime.timedelta):
        return ""
    return duree_lisible(int(valeur.total_seconds()))
