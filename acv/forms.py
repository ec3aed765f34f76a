"""Les formulaires au gabarit du DSFR, et le champ de choix d'une commune par autocomplétion."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.urls import reverse_lazy
from dsfr.forms import DsfrBoundField, DsfrDjangoTemplates
from dsfr.utils import dsfr_input_class_attr

from .models import Commune, normaliser_nom


class DsfrMixin:
    """Rend un formulaire avec les gabarits du DSFR (comme DsfrBaseForm), champs facultatifs signalés."""

    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField
    default_renderer = DsfrDjangoTemplates

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)

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
        return html + f'<datalist id="{identifiant}-suggestions"></datalist>'


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
