"""Formulaires du déploiement : fiche d'un site, changement de statut, collections, objectifs."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone

from acv.forms import ChampVersion, Formulaire, FormulaireModele
from acv.models import Objectif

from .models import Formation, Inscriptions, Jalon, LigneFinancementSite, Site


class ChampDate(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class SiteForm(FormulaireModele):
    """La fiche d'un site ; `version` porte la version lue, pour le verrou optimiste."""

    version = ChampVersion()

    class Meta:
        model = Site
        fields = [
            "nom",
            "adresse",
            "operateur",
            "date_ouverture_prevue",
            "date_ouverture",
            "contact_nom",
            "contact_fonction",
            "contact_email",
            "contact_telephone",
        ]
        widgets = {
            "adresse": forms.Textarea(attrs={"rows": 3}),
            "date_ouverture_prevue": ChampDate,
            "date_ouverture": ChampDate,
        }
        help_texts = {
            "date_ouverture": "Pour corriger la date d'un site déjà ouvert ; on ouvre un site par son statut.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operateur"].queryset = self.fields["operateur"].queryset.select_related(
            "region"
        )
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean_date_ouverture(self):
        date = self.cleaned_data.get("date_ouverture")
        statut = self.instance.statut
        if statut in Site.QUI_COMPTENT and date is None:
            raise forms.ValidationError("Un site ouvert ou suspendu garde sa date d'ouverture.")
        if statut in Site.AVANT_OUVERTURE and date is not None:
            raise forms.ValidationError(
                "Le site n'est pas ouvert : laissez ce champ vide et ouvrez-le par son statut."
            )
        if date and date > timezone.localdate():
            raise forms.ValidationError("La date d'ouverture ne peut pas être dans le futur.")
        return date


class StatutForm(Formulaire):
    vers = forms.ChoiceField(label="Nouveau statut")
    date_ouverture = forms.DateField(
        label="Date d'ouverture",
        required=False,
        widget=ChampDate,
        help_text="Obligatoire pour ouvrir le site.",
    )
    note = forms.CharField(
        label="Motif ou précision", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = ChampVersion()

    def __init__(self, *args, site: Site, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vers"].choices = site.statuts_suivants
        self.initial.setdefault("version", site.version)


def _formset(modele, champs: list[str], widgets: dict | None = None, extra: int = 2):
    return inlineformset_factory(
        Site,
        modele,
        form=FormulaireModele,
        fields=champs,
        widgets=widgets or {},
        extra=extra,
        can_delete=True,
    )


JalonFormSet = _formset(
    Jalon, ["libelle", "echeance", "fait_le"], {"echeance": ChampDate, "fait_le": ChampDate}
)
FormationFormSet = _formset(
    Formation, ["intitule", "domaine", "niveau", "date_debut"], {"date_debut": ChampDate}
)
InscriptionsFormSet = _formset(Inscriptions, ["annee", "nombre"])
FinancementFormSet = _formset(LigneFinancementSite, ["source", "libelle", "montant"])


class ObjectifForm(FormulaireModele):
    class Meta:
        model = Objectif
        fields = ["libelle", "echeance", "nombre_sites", "acv_seulement"]
        widgets = {"echeance": ChampDate}
