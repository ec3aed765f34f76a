"""Filtres de la liste des sites (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q

from acv.forms import Formulaire
from acv.models import Region
from candidatures.models import Vague

from .models import Site


class SiteFilter(django_filters.FilterSet):
    statut = django_filters.MultipleChoiceFilter(
        choices=Site.Statut.choices, label="Statut", widget=forms.CheckboxSelectMultiple
    )
    region = django_filters.ModelChoiceFilter(
        field_name="commune__region",
        queryset=Region.objects.all(),
        label="Région",
        empty_label="Toutes",
    )
    acv = django_filters.ChoiceFilter(
        label="Ville Action Cœur de Ville",
        choices=[("oui", "En ville ACV"), ("non", "Hors ville ACV")],
        empty_label="Toutes",
        method="filtrer_acv",
    )
    vague = django_filters.ModelChoiceFilter(
        field_name="candidature__vague",
        queryset=Vague.objects.all(),
        label="Vague de sélection",
        empty_label="Toutes",
    )
    retard = django_filters.ChoiceFilter(
        label="Jalons",
        choices=[("oui", "Avec des jalons en retard")],
        empty_label="Tous les sites",
        method="filtrer_retard",
    )
    q = django_filters.CharFilter(
        label="Recherche (site, commune, code INSEE)", method="rechercher"
    )

    class Meta:
        model = Site
        form = Formulaire
        fields = ["statut", "region", "acv", "vague", "retard", "q"]

    def filtrer_acv(self, queryset, name, value):
        if value not in ("oui", "non"):
            return queryset
        return queryset.filter(commune__ville_acv__isnull=value == "non")

    def filtrer_retard(self, queryset, name, value):
        """S'appuie sur l'annotation `nb_retards` posée par la vue de la liste."""
        return queryset.filter(nb_retards__gt=0) if value == "oui" else queryset

    def rechercher(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(nom__icontains=value)
            | Q(commune__nom__icontains=value)
            | Q(commune__code_insee__startswith=value)
        )
