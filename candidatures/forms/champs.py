"""Des champs de formulaire communs aux formulaires de la sélection."""

from __future__ import annotations

from django import forms

# Le plus grand identifiant qu'une base accepte (entier signé sur 64 bits).
IDENTIFIANT_MAX = 2**63 - 1


class ChoixMultiplesParIdentifiant(forms.ModelMultipleChoiceField):
    """Des objets choisis par leurs identifiants ; un identifiant qui n'est pas un entier de la
    base est un choix invalide (message de Django, en français).

    Sans ce contrôle, « 9223372036854775808 » arrive jusqu'à SQLite dans un `pk__in` et lève
    OverflowError : une erreur 500 au lieu d'un refus.
    """

    def clean(self, value):
        for pk in value or []:
            texte = str(pk).strip()
            if texte and not (
                texte.isascii() and texte.isdigit() and int(texte) <= IDENTIFIANT_MAX
            ):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super().clean(value)
