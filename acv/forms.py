"""Les formulaires au gabarit du DSFR, et le champ de choix d'une commune par autocomplétion."""

from __future__ import annotations

import re
from datetime import timedelta

from axes.utils import reset as reinitialiser_verrouillage
from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.html import format_html
from dsfr.forms import DsfrBoundField, DsfrDjangoTemplates
from dsfr.utils import dsfr_input_class_attr

from .courriels import mettre_en_file
from .erreurs import MESSAGE_VERSION_ILLISIBLE, MESSAGE_VERSION_MANQUANTE
from .middleware import journal
from .models import Commune, Courriel, normaliser_nom

# Le champ caché absent de l'envoi (distinct du champ envoyé vide).
ABSENTE = object()

# Le plus grand entier d'un PositiveIntegerField sur toutes les bases.
VERSION_MAX = 2_147_483_647


class VersionLueInput(forms.HiddenInput):
    """Le champ caché de la version lue ; distingue un champ absent d'un champ vide."""

    def value_from_datadict(self, data, files, name):
        if name not in data:
            return ABSENTE
        return super().value_from_datadict(data, files, name)

    def format_value(self, value):
        return None if value is ABSENTE else super().format_value(value)


class ChampVersion(forms.IntegerField):
    """La version de la fiche lue quand le formulaire a été ouvert (verrou optimiste).

    Obligatoire : un envoi sans elle, ou avec autre chose qu'un entier positif, est refusé avec
    un message en français, et rien n'est écrit. Avec `aucune_permise`, le champ envoyé vide
    veut dire « il n'y avait pas encore de fiche » (None) ; absent, il reste refusé.
    """

    widget = VersionLueInput

    def __init__(self, *, aucune_permise: bool = False, **kwargs) -> None:
        kwargs.setdefault("required", not aucune_permise)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", VERSION_MAX)
        super().__init__(**kwargs)
        self.error_messages.update(
            {
                "required": MESSAGE_VERSION_MANQUANTE,
                "invalid": MESSAGE_VERSION_ILLISIBLE,
                "min_value": MESSAGE_VERSION_ILLISIBLE,
                "max_value": MESSAGE_VERSION_ILLISIBLE,
                "step_size": MESSAGE_VERSION_ILLISIBLE,
            }
        )

    def to_python(self, value):
        if value is ABSENTE:
            raise ValidationError(MESSAGE_VERSION_MANQUANTE, code="required")
        return super().to_python(value)

    def bound_data(self, data, initial):
        return None if data is ABSENTE else super().bound_data(data, initial)


def erreurs_de_version_en_tete(form: forms.BaseForm) -> None:
    """Range les erreurs des champs de version (cachés) parmi les erreurs du formulaire.

    Le gabarit du DSFR ne montre pas les erreurs d'un champ caché : elles passent en tête.
    """
    if not form.is_bound or form._errors is None:
        return
    for nom, champ in form.fields.items():
        if isinstance(champ, ChampVersion) and nom in form._errors:
            erreurs = form._errors.pop(nom)
            if NON_FIELD_ERRORS not in form._errors:
                form._errors[NON_FIELD_ERRORS] = form.error_class(
                    error_class="nonfield", renderer=form.renderer
                )
            form._errors[NON_FIELD_ERRORS].extend(erreurs)


class DsfrMixin:
    """Rend un formulaire avec les gabarits du DSFR (comme DsfrBaseForm), champs facultatifs signalés."""

    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField
    default_renderer = DsfrDjangoTemplates

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)

    def full_clean(self) -> None:
        super().full_clean()
        erreurs_de_version_en_tete(self)

    def get_context(self) -> dict:
        # DsfrBaseForm.get_context avertit à chaque rendu ; on pose directement son choix.
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


class Formulaire(DsfrMixin, forms.Form):
    pass


class FormulaireModele(DsfrMixin, forms.ModelForm):
    pass


class ConnexionForm(DsfrMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Identifiant ou mot de passe incorrect. Les deux champs tiennent compte des majuscules.",
        "inactive": "Ce compte est désactivé.",
    }


class ChangementMotDePasseForm(DsfrMixin, PasswordChangeForm):
    pass


class CommuneWidget(forms.TextInput):
    """Saisie d'une commune par nom ou code INSEE, avec une liste de suggestions chargée à la frappe."""

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs)
        self.attrs.setdefault("autocomplete", "off")
        self.attrs["data-autocompletion-commune"] = reverse_lazy("communes_autocompletion")

    def format_value(self, value):
        if isinstance(value, Commune):
            return f"{value.nom} ({value.code_insee})"
        if value and isinstance(value, str) and re.fullmatch(r"[0-9AB]{5}", value):
            commune = Commune.objects.filter(pk=value).only("nom").first()
            if commune:
                return f"{commune.nom} ({commune.code_insee})"
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = (
            f"{context['widget']['attrs'].get('id', name)}-suggestions"
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        identifiant = (attrs or {}).get("id", name)
        return html + format_html('<datalist id="{}-suggestions"></datalist>', identifiant)


class CommuneField(forms.ModelChoiceField):
    """Accepte « Nom (code) », un code INSEE (zéro initial perdu compris) ou un nom unique."""

    widget = CommuneWidget
    default_error_messages = {
        "invalid_choice": "Commune inconnue : saisissez son nom puis choisissez-la dans la liste, ou son code INSEE.",
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("queryset", Commune.objects.all())
        kwargs.setdefault(
            "help_text", "Tapez le début du nom ou le code INSEE, puis choisissez dans la liste."
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Commune):
            return value
        texte = str(value).strip()
        if "\x00" in texte:  # PostgreSQL refuse le caractère nul dans une requête
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        trouve = re.search(r"\(([0-9AB]{4,5})\)\s*$", texte, re.IGNORECASE)
        code = trouve.group(1) if trouve else texte
        if re.fullmatch(r"[0-9][0-9AB]{3,4}", code, re.IGNORECASE):
            code = code.upper().zfill(5)
            try:
                return self.queryset.get(pk=code)
            except Commune.DoesNotExist:
                pass
        homonymes = list(self.queryset.filter(nom_normalise=normaliser_nom(texte))[:2])
        if len(homonymes) == 1:
            return homonymes[0]
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


class DemandeReinitialisationForm(DsfrMixin, PasswordResetForm):
    """Demande d'un lien de réinitialisation : le courriel passe par la boîte d'envoi.

    La réponse est la même que l'adresse corresponde à un compte ou non (pas d'énumération des
    comptes) ; au plus `LIMITE_PAR_HEURE` liens par adresse et par heure, pour qu'on ne puisse pas
    inonder une boîte aux lettres.
    """

    CATEGORIE = "mot_de_passe"
    LIMITE_PAR_HEURE = 3

    email = forms.EmailField(
        label="Adresse électronique de votre compte",
        help_text="Format attendu : nom@domaine.fr",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        recents = Courriel.objects.filter(
            categorie=self.CATEGORIE,
            destinataire__iexact=to_email,
            cree_le__gte=timezone.now() - timedelta(hours=1),
        ).count()
        if recents >= self.LIMITE_PAR_HEURE:
            journal.warning(
                "Réinitialisation non envoyée (limite horaire atteinte) pour le compte %s",
                context["user"].pk,
            )
            return
        sujet = "".join(render_to_string(subject_template_name, context).splitlines())
        corps = render_to_string(email_template_name, context)
        mettre_en_file(to_email, sujet, corps, categorie=self.CATEGORIE)
        journal.info("Lien de réinitialisation mis en file pour le compte %s", context["user"].pk)


class NouveauMotDePasseForm(DsfrMixin, SetPasswordForm):
    """Le nouveau mot de passe choisi depuis le lien reçu ; il lève aussi un verrouillage.

    Avoir reçu le lien prouve la maîtrise de l'adresse du compte : le verrouillage dû aux échecs
    de connexion (django-axes) n'a plus de raison d'être.
    """

    def save(self, commit: bool = True):
        utilisateur = super().save(commit=commit)
        reinitialiser_verrouillage(username=utilisateur.get_username())
        journal.info("Mot de passe réinitialisé par lien : %s", utilisateur.get_username())
        return utilisateur
