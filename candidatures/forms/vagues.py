"""Les formulaires des vagues de sélection : la vague, les critères de sa grille, ses pièces requises."""

from __future__ import annotations

from django import forms
from django.db.models import Max

from acv.forms import FormulaireModele

from ..models import Critere, PieceRequise, Vague

CHAMP_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VagueForm(FormulaireModele):
    """Le nom, le calendrier et les paramètres d'une vague ; vérifie que les dates se suivent."""

    class Meta:
        model = Vague
        fields = [
            "numero",
            "nom",
            "date_ouverture",
            "date_limite",
            "date_limite_evaluations",
            "date_jury",
            "date_resultats",
            "places_prevues",
            "nb_evaluateurs",
        ]
        widgets = {
            "date_ouverture": CHAMP_DATE,
            "date_limite": CHAMP_DATE,
            "date_limite_evaluations": CHAMP_DATE,
            "date_jury": CHAMP_DATE,
            "date_resultats": CHAMP_DATE,
        }
        help_texts = {
            "nom": "Par exemple « Vague 3 — 2021 ».",
            "places_prevues": "Le nombre de sites que la vague prévoit de retenir.",
            "nb_evaluateurs": "Chaque candidature recevable est évaluée par autant de jurés, "
            "d'organisations différentes.",
            "date_limite_evaluations": "Les jurés soumettent leurs évaluations avant cette date.",
        }
        error_messages = {
            "numero": {"unique": "Une vague porte déjà ce numéro."},
            "nom": {"unique": "Une vague porte déjà ce nom."},
        }

    # Dans l'ordre du calendrier : chaque date renseignée ne précède pas les précédentes.
    ORDRE_DES_DATES = [
        "date_ouverture",
        "date_limite",
        "date_limite_evaluations",
        "date_jury",
        "date_resultats",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nb_evaluateurs"].min_value = 1
        self.fields["nb_evaluateurs"].widget.attrs["min"] = 1
        if self.instance.pk is not None and self.instance.candidatures.exists():
            # Les références des candidatures (V1-0001…) portent le numéro de la vague.
            self.fields["numero"].disabled = True
            self.fields[
                "numero"
            ].help_text = "Le numéro ne change plus : les références des candidatures le portent."
        if self.instance.pk is None and not self.is_bound:
            dernier = Vague.objects.aggregate(n=Max("numero"))["n"] or 0
            self.initial.setdefault("numero", dernier + 1)

    def clean(self) -> dict:
        donnees = super().clean()
        precedente = None
        for champ in self.ORDRE_DES_DATES:
            date = donnees.get(champ)
            if date is None:
                continue
            if precedente is not None and date < donnees[precedente]:
                self.add_error(
                    champ,
                    f"Cette date précède « {self.fields[precedente].label} » "
                    f"({donnees[precedente]:%d/%m/%Y}) : le calendrier doit se suivre.",
                )
            else:
                precedente = champ
        return donnees


class CritereForm(FormulaireModele):
    """Un critère de la grille : libellé, description, poids et échelle de notes."""

    class Meta:
        model = Critere
        fields = ["libelle", "description", "poids", "note_min", "note_max", "ordre"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "poids": "Le poids du critère dans la note pondérée (par exemple 1, 2 ou 1,5).",
            "ordre": "Les critères sont présentés aux jurés dans cet ordre.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["poids"].localize = True
        self.fields["poids"].widget.is_localized = True

    def clean_poids(self):
        poids = self.cleaned_data["poids"]
        if poids is not None and poids <= 0:
            raise forms.ValidationError("Le poids doit être strictement positif.")
        return poids

    def clean(self) -> dict:
        donnees = super().clean()
        note_min, note_max = donnees.get("note_min"), donnees.get("note_max")
        if note_min is not None and note_max is not None and note_max <= note_min:
            self.add_error("note_max", "La note maximale doit être supérieure à la note minimale.")
        return donnees


class PieceRequiseForm(FormulaireModele):
    """Une pièce demandée aux candidats de la vague."""

    class Meta:
        model = PieceRequise
        fields = ["libelle", "description", "obligatoire", "ordre"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, vague: Vague, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.vague = vague

    def clean_libelle(self) -> str:
        libelle = self.cleaned_data["libelle"].strip()
        doublons = PieceRequise.objects.filter(vague=self.vague, libelle__iexact=libelle)
        if self.instance.pk:
            doublons = doublons.exclude(pk=self.instance.pk)
        if doublons.exists():
            raise forms.ValidationError("Cette vague demande déjà une pièce de ce libellé.")
        return libelle
