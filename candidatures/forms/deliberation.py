"""Les formulaires du classement et de la séance du jury."""

from __future__ import annotations

from django import forms

from acv.forms import ChampVersion, Formulaire

from ..classement import CRITERES_DE_RANG
from ..models import Decision, Jure, Vague
from .champs import ChoixMultiplesParIdentifiant

TRIS = {
    "rang": "Rang",
    "commune": "Commune",
    "-note": "Note (décroissante)",
    "-corrigee": "Note corrigée (décroissante)",
    "-ecart": "Écart (décroissant)",
    "region": "Région",
}


class FiltreClassementForm(Formulaire):
    """Tri et filtres du classement ; les rangs restent ceux de toute la vague."""

    par = forms.ChoiceField(
        label="Rang selon",
        choices=[(k, v.capitalize()) for k, v in CRITERES_DE_RANG.items()],
        required=False,
    )
    tri = forms.ChoiceField(label="Trier par", choices=list(TRIS.items()), required=False)
    region = forms.ChoiceField(label="Région", required=False)
    drapeau = forms.ChoiceField(
        label="À discuter",
        choices=[("", "Toutes"), ("oui", "À discuter seulement"), ("non", "Sans désaccord")],
        required=False,
    )
    acv = forms.ChoiceField(
        label="Ville ACV",
        choices=[("", "Toutes"), ("oui", "Villes ACV"), ("non", "Hors programme ACV")],
        required=False,
    )

    def __init__(self, *args, regions: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "Toutes"), *regions]

    def valeur(self, champ: str, defaut: str = "") -> str:
        if self.is_valid():
            return self.cleaned_data.get(champ) or defaut
        return defaut


class DecisionForm(Formulaire):
    resultat = forms.ChoiceField(
        label="Décision", choices=Decision.Resultat.choices, widget=forms.RadioSelect
    )
    motivation = forms.CharField(
        label="Motivation",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Motivez la décision : la motivation figure au procès-verbal."},
    )
    # La version de la décision lue ; envoyée vide s'il n'y avait pas encore de décision.
    version = ChampVersion(aucune_permise=True)


class PresentsForm(Formulaire):
    jures = ChoixMultiplesParIdentifiant(
        label="Jurés présents en séance",
        queryset=Jure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, vague: Vague, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jures"].queryset = vague.jures.select_related("utilisateur", "organisation")


# Le motif entre entier dans l'historique de la vague (« Délibération rouverte : » + motif ≤ 100).
LONGUEUR_MOTIF = 75


class RouvrirForm(Formulaire):
    motif = forms.CharField(
        label="Motif de la réouverture",
        max_length=LONGUEUR_MOTIF,
        help_text=f"Gardé dans l'historique de la vague ({LONGUEUR_MOTIF} caractères au plus).",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez le motif de la réouverture de la délibération."},
    )
