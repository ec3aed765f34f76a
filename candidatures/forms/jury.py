"""Les formulaires du jury : composition, conflits, affectations à la main, évaluation."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User

from acv.forms import ChampVersion, Formulaire
from acv.models import Organisation
from acv.roles import Role

from ..models import Candidature, Critere, Evaluation, Jure, Vague


def _libelle_utilisateur(user: User) -> str:
    nom = user.get_full_name() or user.username
    return f"{nom} ({user.email})" if user.email else nom


class ChoixUtilisateur(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return _libelle_utilisateur(obj)


class ChoixCandidature(forms.ModelChoiceField):
    def label_from_instance(self, obj: Candidature) -> str:
        return f"{obj.reference} — {obj.commune.nom}"


class JureAjoutForm(Formulaire):
    utilisateur = ChoixUtilisateur(
        label="Compte",
        queryset=User.objects.none(),
        help_text="Les comptes actifs qui ont le rôle « Membre du jury ».",
    )
    organisation = forms.ModelChoiceField(
        label="Organisation représentée", queryset=Organisation.objects.all()
    )

    def __init__(self, *args, vague: Vague, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.vague = vague
        self.fields["utilisateur"].queryset = (
            User.objects.filter(is_active=True, groups__name=Role.JURE.label)
            .exclude(jures__vague=vague)
            .order_by("last_name", "first_name", "username")
            .distinct()
        )

    def clean(self):
        donnees = super().clean()
        if (
            donnees.get("utilisateur")
            and Jure.objects.filter(vague=self.vague, utilisateur=donnees["utilisateur"]).exists()
        ):
            raise forms.ValidationError("Ce compte fait déjà partie du jury de la vague.")
        return donnees


class ConflitDeclarationForm(Formulaire):
    """Le conflit déclaré par le juré lui-même, sur une candidature de sa vague."""

    candidature = forms.IntegerField(widget=forms.HiddenInput)
    motif = forms.CharField(
        label="Motif du conflit d'intérêts",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Par exemple : élu·e de la commune, partenaire du projet, lien familial.",
    )


class ConflitEquipeForm(Formulaire):
    """Un conflit enregistré par l'équipe pour un juré."""

    jure = forms.ModelChoiceField(label="Juré·e", queryset=Jure.objects.none())
    candidature = ChoixCandidature(label="Candidature", queryset=Candidature.objects.none())
    motif = forms.CharField(
        label="Motif", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, vague: Vague, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jure"].queryset = Jure.objects.filter(vague=vague).select_related(
            "utilisateur", "organisation"
        )
        self.fields["candidature"].queryset = (
            Candidature.objects.filter(vague=vague)
            .actives()
            .select_related("commune")
            .order_by("commune__nom")
        )


class ConflitLeverForm(Formulaire):
    """Lever un conflit enregistré par erreur : le motif est gardé dans l'historique."""

    motif = forms.CharField(label="Pourquoi lever ce conflit", max_length=2000)


class AffectationAjoutForm(Formulaire):
    candidature = ChoixCandidature(label="Candidature", queryset=Candidature.objects.none())
    jure = forms.ModelChoiceField(label="Juré·e", queryset=Jure.objects.none())

    def __init__(self, *args, vague: Vague, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jure"].queryset = Jure.objects.filter(vague=vague).select_related(
            "utilisateur", "organisation"
        )
        self.fields["candidature"].queryset = (
            Candidature.objects.filter(vague=vague)
            .actives()
            .exclude(statut__in=Candidature.DECIDEES)
            .select_related("commune")
            .order_by("reference")
        )


class EvaluationForm(forms.Form):
    """La grille d'une vague : un champ par critère (facultatif en brouillon), l'avis, le commentaire.

    Le gabarit écrit lui-même les boutons radio (fieldset et légende par critère) ; ce formulaire
    valide et normalise.
    """

    avis = forms.ChoiceField(label="Avis", choices=Evaluation.Avis.choices, required=False)
    commentaire = forms.CharField(label="Commentaire", required=False, max_length=20000)
    # La version du brouillon lu ; 0 s'il n'y en avait pas encore.
    version = ChampVersion()

    def __init__(self, *args, criteres: list[Critere], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.criteres = criteres
        for critere in criteres:
            self.fields[f"critere_{critere.pk}"] = forms.TypedChoiceField(
                label=critere.libelle,
                choices=[("", "—")]
                + [(str(v), str(v)) for v in range(critere.note_min, critere.note_max + 1)],
                coerce=int,
                empty_value=None,
                required=False,
            )

    def notes(self) -> dict[int, int | None]:
        return {c.pk: self.cleaned_data.get(f"critere_{c.pk}") for c in self.criteres}

    def erreurs_texte(self) -> str:
        return " ".join(
            f"{(self.fields[nom].label or '') if nom in self.fields else ''} : "
            f"{' '.join(erreurs)}".strip(" :")
            for nom, erreurs in self.errors.items()
        )
