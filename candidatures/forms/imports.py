"""Le formulaire d'import des candidatures : une vague encore ouverte et un fichier."""

from __future__ import annotations

from pathlib import Path

from django import forms

from acv.forms import Formulaire

from ..imports import EXTENSIONS, TAILLE_MAX
from ..models import Vague


class ImportCandidaturesForm(Formulaire):
    vague = forms.ModelChoiceField(
        label="Vague",
        queryset=Vague.objects.exclude(statut__in=Vague.VERROUILLES),
        empty_label="Choisissez la vague",
        help_text="Les vagues dont les résultats sont publiés ou qui sont closes n'apparaissent pas.",
    )
    fichier = forms.FileField(
        label="Fichier",
        help_text="CSV (séparateur point-virgule ou virgule) ou XLSX, 10 Mo au plus.",
        widget=forms.FileInput(
            attrs={"accept": ".csv,.txt,.xlsx", "class": "fr-upload", "data-import-fichier": ""}
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fichier"].widget.group_class = "fr-upload-group"

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if Path(fichier.name).suffix.lower() not in EXTENSIONS:
            raise forms.ValidationError(
                "Ce format n'est pas lu : déposez un fichier .csv ou .xlsx "
                "(un classeur .xls s'enregistre au format .xlsx depuis votre tableur)."
            )
        if fichier.size > TAILLE_MAX:
            raise forms.ValidationError(
                f"Ce fichier dépasse {TAILLE_MAX // (1024 * 1024)} Mo : découpez-le."
            )
        return fichier
