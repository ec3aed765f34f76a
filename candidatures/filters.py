"""Filtres de la liste des candidatures (django-filter), partagés par la liste et ses exports."""

import django_filters
from django.db.models import Q

from acv.models import Departement, Region

from .models import Candidature, Vague


class CandidatureFilter(django_filters.FilterSet):
    vague = django_filters.ModelChoiceFilter(
        queryset=Vague.objects.all(), label="Vague", empty_label="Toutes"
    )
    statut = django_filters.MultipleChoiceFilter(choices=Candidature.Statut.choices, label="Statut")
    region = django_filters.ModelChoiceFilter(
        field_name="commune__region",
        queryset=Region.objects.all(),
        label="Région",
        empty_label="Toutes",
    )
    departement = django_filters.ModelChoiceFilter(
        field_name="commune__departement",
        queryset=Departement.objects.all(),
        label="Département",
        empty_label="Tous",
    )
    acv = django_filters.BooleanFilter(
        label="Ville ACV",
        method="filtrer_acv",
        widget=django_filters.widgets.BooleanWidget(),
    )
    q = django_filters.CharFilter(
        label="Recherche (commune, porteur, référence)", method="rechercher"
    )
    tri = django_filters.OrderingFilter(
        label="Trier par",
        fields=(
            ("commune__nom", "commune"),
            ("reference", "reference"),
            ("statut", "statut"),
            ("date_reception", "reception"),
            ("commune__region__nom", "region"),
        ),
        field_labels={
            "commune__nom": "Commune",
            "reference": "Référence",
            "statut": "Statut",
            "date_reception": "Date de réception",
            "commune__region__nom": "Région",
        },
    )

    class Meta:
        model = Candidature
        fields = ["vague", "statut", "region", "departement", "acv", "q"]

    def filtrer_acv(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(commune__ville_acv__isnull=not value)

    def rechercher(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(commune__nom__icontains=value)
            | Q(commune__code_insee__startswith=value)
            | Q(epci__nom__icontains=value)
            | Q(reference__icontains=value)
        )
