"""Les formulaires et le filtre des plans d'accompagnement, et celui des modèles de lettres."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth.models import User
from django.db.models import Q

from acv.courriels import GabaritsVerifies
from acv.forms import ChampVersion, Formulaire, FormulaireModele
from acv.models import ModeleCourriel, Region
from acv.roles import Role

from ..models import Accompagnement, ActionAccompagnement, Lettre, Vague
from ..services import vagues_de_resoumission


def conseillers() -> forms.models.QuerySet:
    """Les membres de l'équipe du programme, qui suivent les villes non retenues."""
    return (
        User.objects.filter(is_active=True, groups__name=Role.EQUIPE.label)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class ConseillerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class AccompagnementForm(FormulaireModele):
    conseiller = ConseillerChoiceField(
        queryset=User.objects.none(), label="Conseiller ou conseillère"
    )
    # La version du plan lue, vérifiée à l'enregistrement (acv.erreurs.enregistrer_avec_version).
    version = ChampVersion()

    class Meta:
        model = Accompagnement
        fields = ["conseiller", "vague_cible", "notes", "version"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "vague_cible": "La vague dans laquelle la ville présentera à nouveau son projet.",
            "notes": "Ce que l'équipe retient des échanges avec la ville (visible de l'équipe seule).",
        }

    def __init__(self, *args, candidature=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        candidature = candidature or self.instance.candidature
        self.fields["conseiller"].queryset = conseillers()
        # Une vague postérieure à celle de la candidature, pas encore verrouillée.
        self.fields["vague_cible"].queryset = vagues_de_resoumission(candidature)
        self.fields["vague_cible"].empty_label = "Pas encore choisie"


class CreationAccompagnementForm(AccompagnementForm):
    actions_habituelles = forms.BooleanField(
        label="Ajouter les actions habituelles d'un plan",
        help_text="Restitution de l'avis du jury, rencontre avec le Cnam en région, plan de "
        "financement, dépôt de la nouvelle candidature ; échéances modifiables ensuite.",
        required=False,
        initial=True,
    )
    version = None  # un plan qu'on ouvre n'a pas encore de version

    class Meta(AccompagnementForm.Meta):
        fields = ["conseiller", "vague_cible", "notes"]


class ActionForm(FormulaireModele):
    class Meta:
        model = ActionAccompagnement
        fields = ["libelle", "echeance"]
        widgets = {"echeance": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {"libelle": "Nouvelle action"}


class ModificationActionForm(ActionForm):
    """Reformuler une action ou repousser son échéance, sur la version lue."""

    version = ChampVersion()

    class Meta(ActionForm.Meta):
        fields = ["libelle", "echeance", "version"]
        labels = {"libelle": "Action"}


class StatutActionForm(Formulaire):
    statut = forms.ChoiceField(label="Nouvel état", choices=ActionAccompagnement.Statut.choices)
    version = ChampVersion()


class ModeleLettreForm(GabaritsVerifies, FormulaireModele):
    """Le sujet et le corps d'un modèle de courriel ; la syntaxe est vérifiée."""

    class Meta:
        model = ModeleCourriel
        fields = ["sujet", "corps"]
        widgets = {"corps": forms.Textarea(attrs={"rows": 22})}


class LettreForm(FormulaireModele):
    """Le texte d'une lettre, retouché avant l'envoi."""

    class Meta:
        model = Lettre
        fields = ["sujet", "corps", "retouchee"]
        widgets = {"corps": forms.Textarea(attrs={"rows": 24})}
        labels = {"retouchee": "Garder ce texte si les lettres sont préparées à nouveau"}
        help_texts = {
            "retouchee": "Décochez pour que la prochaine préparation reprenne le texte du modèle."
        }


class AccompagnementFilter(django_filters.FilterSet):
    conseiller = django_filters.ModelChoiceFilter(
        queryset=User.objects.none(), label="Conseiller ou conseillère", empty_label="Tous"
    )
    region = django_filters.ModelChoiceFilter(
        field_name="candidature__commune__region",
        queryset=Region.objects.all(),
        label="Région",
        empty_label="Toutes",
    )
    vague = django_filters.ModelChoiceFilter(
        field_name="candidature__vague",
        queryset=Vague.objects.all(),
        label="Vague d'origine",
        empty_label="Toutes",
    )
    vague_cible = django_filters.ModelChoiceFilter(
        queryset=Vague.objects.all(), label="Vague visée", empty_label="Toutes"
    )
    retard = django_filters.ChoiceFilter(
        label="Actions en retard",
        method="filtrer_retard",
        choices=[("true", "Avec des actions en retard"), ("false", "Sans retard")],
        empty_label="Tous les plans",
    )
    q = django_filters.CharFilter(label="Commune", method="rechercher")
    tri = django_filters.OrderingFilter(
        label="Trier par",
        fields=(
            ("candidature__commune__nom", "commune"),
            ("prochaine_echeance", "echeance"),
            ("nb_en_retard", "retard"),
            ("conseiller__last_name", "conseiller"),
        ),
        field_labels={
            "candidature__commune__nom": "Commune",
            "prochaine_echeance": "Prochaine échéance",
            "nb_en_retard": "Actions en retard",
            "conseiller__last_name": "Conseiller",
        },
    )

    class Meta:
        model = Accompagnement
        fields = ["conseiller", "region", "vague", "vague_cible", "retard", "q"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["conseiller"].queryset = User.objects.filter(
            Q(accompagnements__isnull=False) | Q(groups__name=Role.EQUIPE.label)
        ).distinct()
        self.filters["conseiller"].field_class = ConseillerChoiceField

    def filtrer_retard(self, queryset, name, value):
        if value not in ("true", "false"):
            return queryset
        en_retard = Accompagnement.objects.avec_actions_en_retard().values("pk")
        if value == "true":
            return queryset.filter(pk__in=en_retard)
        return queryset.exclude(pk__in=en_retard)

    def rechercher(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(candidature__commune__nom__icontains=value)
            | Q(candidature__reference__icontains=value)
        )
