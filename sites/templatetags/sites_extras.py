"""Petits filtres des gabarits du déploiement."""

import datetime

from django import template
from django.utils.formats import date_format

register = template.Library()


@register.filter
def date_iso(valeur: str, format: str = "d/m/Y") -> str:
    """Une date ISO 8601 (comme dans les chiffres du programme) au format français."""
    if not valeur:
        return ""
    return date_format(datetime.date.fromisoformat(valeur), format)
