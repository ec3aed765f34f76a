"""Les formulaires des candidatures : contenu, plan de financement, pièces, transitions, demandes."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory
from django.utils.safestring import mark_safe

from acv.forms import CommuneField, CommuneWidget, Formulaire, FormulaireModele

from ..fichiers import ACCEPTES, FichierRefuse, verifier_fichier
from ..models import Candidature, LigneFinancement, Piece, PieceRequise, Vague
from ..services import (
    CHAMPS_CONTENU,
    candidature_active_de_la_ville,
    message_ville_deja_candidate,
)
from .champs import ChoixMultiplesParIdentifiant


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class _CommuneWidget(CommuneWidget):
    """CommuneWidget.render colle la liste de suggestions à la saisie et perd le marquage « sûr »
    du HTML (qui serait alors échappé à l'affichage) : on le rétablit. Le seul ajout est une
    balise <datalist> dont l'identifiant vient du nom du champ."""

    def render(self, name, value, attrs=None, renderer=None):
        return mark_safe(super().render(name, value, attrs, renderer))


class CandidatureForm(FormulaireModele):
    """Le contenu d'une candidature. Vérifie la règle « une candidature active par ville et par
    vague » avant l'écriture ; pose l'EPCI porteur d'après la commune."""

    commune = CommuneField(label="Commune", widget=_CommuneWidget)

    class Meta:
        model = Candidature
        # Le contenu, sans l'EPCI porteur, déduit de la commune.
        fields = ["vague", *(champ for champ in CHAMPS_CONTENU if champ != "epci")]
        widgets = {
            "porteur": forms.RadioSelect,
            "date_ouverture_prevue": DateInput,
            "resume": forms.Textarea(attrs={"rows": 4}),
            "besoins_territoire": forms.Textarea(attrs={"rows": 4}),
            "publics": forms.Textarea(attrs={"rows": 3}),
            "offre_formation": forms.Textarea(attrs={"rows": 4}),
            "locaux": forms.Textarea(attrs={"rows": 3}),
            "partenaires": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "porteur": "Si l'intercommunalité porte le projet, c'est celle de la commune.",
            "contact_telephone": "Par exemple : 04 71 45 46 47",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # La vague d'une candidature ne change pas : une autre vague, c'est une resoumission.
            del self.fields["vague"]
        else:
            self.fields["vague"].queryset = Vague.objects.exclude(statut__in=Vague.VERROUILLES)
            self.fields["vague"].empty_label = None
            self.fields["recue"] = forms.BooleanField(
                label="Le dossier est reçu",
                help_text="Décochez pour préparer un brouillon ; la date de réception est celle de l'enregistrement.",
                required=False,
                initial=True,
            )

    def clean(self):
        donnees = super().clean()
        commune = donnees.get("commune")
        vague = donnees.get("vague") or (self.instance.vague if self.instance.pk else None)
        if commune is None or vague is None:
            return donnees
        if donnees.get("porteur") == Candidature.Porteur.EPCI:
            if commune.epci_id is None:
                self.add_error(
                    "porteur",
                    f"{commune.nom} n'appartient à aucune intercommunalité connue : "
                    "le porteur ne peut être que la commune.",
                )
            self.instance.epci_id = commune.epci_id
        else:
            self.instance.epci = None
        if self.instance.statut not in Candidature.INACTIFS:
            existante = candidature_active_de_la_ville(vague, commune, sauf=self.instance.pk)
            if existante is not None:
                self.add_error("commune", message_ville_deja_candidate(commune, existante))
        return donnees


class LigneFinancementForm(FormulaireModele):
    class Meta:
        model = LigneFinancement
        fields = ["source", "libelle", "montant"]
        widgets = {"montant": forms.NumberInput(attrs={"min": "0", "step": "0.01"})}


PlanFinancementFormSet = inlineformset_factory(
    Candidature,
    LigneFinancement,
    form=LigneFinancementForm,
    extra=3,
    can_delete=True,
)


class PieceForm(Formulaire):
    fichier = forms.FileField(
        label="Fichier",
        help_text=f"{ACCEPTES} ; 20 Mo au plus.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.odt,.ods,.docx,.xlsx,.png,.jpg,.jpeg", "class": "fr-upload"}
        ),
    )
    piece_requise = forms.ModelChoiceField(
        label="Au titre de", queryset=PieceRequise.objects.none(), required=False
    )

    def __init__(self, *args, candidature: Candidature, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["piece_requise"].queryset = PieceRequise.objects.filter(
            vague_id=candidature.vague_id
        )
        self.fields["piece_requise"].empty_label = "Autre pièce"
        self.type_verifie = None

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        try:
            self.type_verifie = verifier_fichier(fichier, fichier.name, fichier.size)
        except FichierRefuse as erreur:
            raise forms.ValidationError(str(erreur)) from erreur
        return fichier


class PieceStatutForm(Formulaire):
    statut = forms.ChoiceField(label="État", choices=Piece.Statut.choices)


class TransitionForm(Formulaire):
    vers = forms.ChoiceField(choices=Candidature.Statut.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class DemandePiecesForm(Formulaire):
    objet = forms.CharField(
        label="Ce qui est demandé", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    pieces = ChoixMultiplesParIdentifiant(
        label="Pièces requises concernées",
        queryset=PieceRequise.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    echeance = forms.DateField(label="À fournir avant le", required=False, widget=DateInput)
    envoyer = forms.BooleanField(
        label="Envoyer la demande par courriel au contact", required=False, initial=True
    )

    def __init__(self, *args, candidature: Candidature, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pieces"].queryset = PieceRequise.objects.filter(vague_id=candidature.vague_id)
        if candidature.contact_email:
            self.fields["envoyer"].help_text = f"À {candidature.contact_email}"
        else:
            del self.fields["envoyer"]


class ResoumissionForm(Formulaire):
    vague = forms.ModelChoiceField(label="Vague de la resoumission", queryset=Vague.objects.none())

    def __init__(self, *args, vagues, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vague"].queryset = vagues
        self.fields["vague"].empty_label = None
