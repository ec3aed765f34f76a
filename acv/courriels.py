"""La boîte d'envoi : un courriel est enregistré, puis part après la transaction qui l'a causé.

Ce qui n'a pas pu partir reste en échec, renvoyé par `manage.py envoyer_courriels` (planifié)
ou par le bouton de l'équipe.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import Context, Template
from django.template.base import Lexer, TokenType
from django.utils import timezone

from .erreurs import ErreurMetier
from .models import Courriel, ModeleCourriel

logger = logging.getLogger(__name__)


# Les balises permises dans un modèle de courriel : de la logique d'affichage, rien qui lise
# d'autres gabarits, le disque ou les réglages ({% include %}, {% url %}, {% debug %}, {% load %}…).
BALISES_PERMISES = {
    "if", "elif", "else", "endif", "for", "empty", "endfor", "with", "endwith",
    "comment", "endcomment", "firstof", "now", "spaceless", "endspaceless", "cycle",
    "filter", "endfilter", "autoescape", "endautoescape", "verbatim", "endverbatim",
    "templatetag", "widthratio", "ifchanged", "endifchanged", "regroup",
}  # fmt: skip


def compiler_gabarit(texte: str, *, essai: bool = True) -> Template:
    """Le texte d'un modèle compilé ; ErreurMetier (message en français) s'il est mal formé,
    s'il emploie une balise non permise, ou (avec `essai`) s'il échoue rendu sans variables."""
    for jeton in Lexer(texte).tokenize():
        if jeton.token_type == TokenType.BLOCK:
            balise = (jeton.split_contents() or [""])[0]
            if balise not in BALISES_PERMISES:
                raise ErreurMetier(
                    f"La balise {{% {balise} %}} n'est pas permise dans un modèle de courriel "
                    "(seules les {{ variables }} et les blocs {% if %}, {% for %}… le sont)."
                )
    try:
        gabarit = Template(texte)
        if essai:
            gabarit.render(Context({}, autoescape=False))
    except Exception as erreur:  # noqa: BLE001 — texte saisi : toute erreur est un refus
        raise ErreurMetier(f"Le texte contient une erreur de syntaxe : {erreur}.") from erreur
    return gabarit


def rendre_modele(code: str, contexte: dict) -> tuple[str, str]:
    """Sujet et corps du modèle `code`, rendus avec `contexte` (texte brut, sans échappement)."""
    try:
        modele = ModeleCourriel.objects.get(code=code)
    except ModeleCourriel.DoesNotExist as erreur:
        raise ErreurMetier(
            f"Le modèle de courriel « {code} » est introuvable : un administrateur doit le recréer "
            "dans l'administration (Modèles de courriel). Rien n'a été envoyé."
        ) from erreur
    try:
        # Rendu juste après : pas d'essai à vide en plus (une erreur de rendu est prise ici).
        gabarit_sujet, gabarit_corps = (
            compiler_gabarit(modele.sujet, essai=False),
            compiler_gabarit(modele.corps, essai=False),
        )
        ctx = Context(contexte, autoescape=False)
        sujet = gabarit_sujet.render(ctx).strip().replace("\n", " ")
        corps = gabarit_corps.render(ctx)
    except Exception as erreur:  # noqa: BLE001 — un modèle abîmé ne fait pas échouer la page
        raise ErreurMetier(
            f"Le modèle de courriel « {modele.libelle} » ne peut pas être rendu ({erreur}) : "
            "corrigez-le ; rien n'a été envoyé ni enregistré."
        ) from erreur
    return sujet, corps


def verifier_gabarit(texte: str) -> str:
    """Le texte d'un modèle de courriel, s'il est valable ; sinon une erreur de formulaire claire."""
    from django import forms

    try:
        compiler_gabarit(texte)
    except ErreurMetier as erreur:
        raise forms.ValidationError(
            f"{erreur} Vérifiez les {{{{ variables }}}} et les blocs {{% if %}}…{{% endif %}}."
        ) from erreur
    return texte


class GabaritsVerifies:
    """Pour un formulaire de modèle de courriel : le sujet et le corps doivent être valables."""

    def clean_sujet(self) -> str:
        return verifier_gabarit(self.cleaned_data["sujet"])

    def clean_corps(self) -> str:
        return verifier_gabarit(self.cleaned_data["corps"])


def mettre_en_file(destinataire: str, sujet: str, corps: str, *, categorie: str = "") -> Courriel:
    """Enregistre le courriel et programme son envoi après la validation de la transaction."""
    courriel = Courriel.objects.create(
        destinataire=destinataire, sujet=sujet[:250], corps=corps, categorie=categorie
    )
    transaction.on_commit(lambda: envoyer(courriel.pk))
    return courriel


def envoyer(pk: int) -> bool:
    """Tente l'envoi d'un courriel en attente ou en échec ; renvoie True s'il est parti."""
    with transaction.atomic():
        courriel = (
            Courriel.objects.select_for_update()
            .filter(pk=pk)
            .exclude(statut=Courriel.Statut.ENVOYE)
            .first()
        )
        if courriel is None:
            return False
        courriel.tentatives += 1
        try:
            EmailMessage(
                subject=courriel.sujet,
                body=courriel.corps,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[courriel.destinataire],
            ).send()
        except Exception as erreur:  # tout échec d'envoi est gardé pour un nouvel essai
            logger.warning("Échec d'envoi du courriel %s : %s", pk, erreur)
            courriel.statut = Courriel.Statut.ECHEC
            courriel.derniere_erreur = str(erreur)[:2000] or erreur.__class__.__name__
            courriel.save(update_fields=["statut", "tentatives", "derniere_erreur"])
            return False
        courriel.statut = Courriel.Statut.ENVOYE
        courriel.envoye_le = timezone.now()
        courriel.derniere_erreur = ""
        courriel.save(update_fields=["statut", "tentatives", "derniere_erreur", "envoye_le"])
        return True


def envoyer_en_attente() -> tuple[int, int]:
    """Envoie tout ce qui attend ou a échoué ; renvoie (envoyés, échecs)."""
    envoyes = echecs = 0
    a_envoyer = Courriel.objects.exclude(statut=Courriel.Statut.ENVOYE).values_list("pk", flat=True)
    for pk in list(a_envoyer):
        if envoyer(pk):
            envoyes += 1
        else:
            echecs += 1
    return envoyes, echecs
