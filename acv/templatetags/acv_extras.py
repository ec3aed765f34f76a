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


@register.filter
def deux_decimales(valeur) -> str:
    """Une note à deux décimales, avec la virgule ; « — » sans valeur.

    Le résultat de `floatformat:2` en français pour les notes (jamais de milliers), sans son coût :
    un tableau de classement en affiche trois cents par page.
    """
    if valeur is None or valeur == "":
        return "—"
    return f"{valeur:.2f}".replace(".", ",")
