"""Les lettres aux villes après la publication des résultats, et les relances aux conseillers.

Une lettre est préparée (rendue depuis son modèle, que l'équipe modifie), relue, puis envoyée par
la boîte d'envoi (`acv.courriels`) au contact de la candidature. L'envoi ne touche jamais à la
décision : un échec reste dans la boîte d'envoi, visible, et se renvoie.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

from acv.courriels import compiler_gabarit, envoyer, mettre_en_file
from acv.erreurs import ErreurMetier, TransitionRefusee
from acv.models import Courriel, ModeleCourriel

from .models import (
    ActionAccompagnement,
    Candidature,
    Decision,
    Evaluation,
    Lettre,
    Vague,
)

CATEGORIE_LETTRE = "lettre"
CATEGORIE_RELANCE = "relance_accompagnement"
CODE_RELANCE = "relance_accompagnement"

ACCOMPAGNEMENT_PAR_DEFAUT = (
    "Un membre de l'équipe nationale vous contactera dans les prochaines semaines pour "
    "construire ce plan avec vous : points du dossier à compléter, rencontre avec le Cnam en "
    "région, calendrier jusqu'à la prochaine vague."
)


def resultats_publies(vague: Vague) -> bool:
    return vague.statut in (Vague.Statut.RESULTATS_PUBLIES, Vague.Statut.CLOSE)


def exiger_resultats_publies(vague: Vague) -> None:
    if not resultats_publies(vague):
        raise TransitionRefusee(
            "Les lettres se préparent une fois les résultats de la vague publiés."
        )


# -- ce que disent les lettres -----------------------------------------------------------------
def candidatures_decidees(vague: Vague) -> QuerySet:
    """Les candidatures de la vague qui ont une décision (ou un statut décidé), avec ce que les
    lettres citent : territoire, décision, plan d'accompagnement et ses actions (deux requêtes)."""
    return (
        Candidature.objects.filter(vague=vague)
        .filter(Q(statut__in=Candidature.DECIDEES) | Q(decision__isnull=False))
        .exclude(statut__in=Candidature.INACTIFS)
        .avec_territoire()
        .select_related("decision", "accompagnement__conseiller", "accompagnement__vague_cible")
        .prefetch_related("accompagnement__actions")
        .order_by("commune__nom")
    )


def nature_de(candidature: Candidature) -> str:
    """La nature de la lettre : d'après la décision enregistrée, sinon d'après le statut."""
    try:
        resultat = candidature.decision.resultat
    except Decision.DoesNotExist:
        resultat = candidature.statut
    if resultat == Candidature.Statut.RETENUE:
        return Lettre.Nature.SELECTION
    return Lettre.Nature.NON_SELECTION


def remarques_par_candidature(candidatures) -> dict[int, list[str]]:
    """Les commentaires des évaluations soumises, par candidature, sans le nom des jurés (une requête)."""
    remarques: dict[int, list[str]] = defaultdict(list)
    lignes = (
        Evaluation.objects.filter(
            affectation__candidature__in=candidatures, statut=Evaluation.Statut.SOUMISE
        )
        .exclude(commentaire="")
        .order_by("affectation__candidature_id", "soumise_le", "pk")
        .values_list("affectation__candidature_id", "commentaire")
    )
    for candidature_id, commentaire in lignes:
        texte = re.sub(r"\s+", " ", commentaire).strip()
        if texte and texte not in remarques[candidature_id]:
            remarques[candidature_id].append(texte)
    return remarques


def _accompagnement_texte(plan) -> str:
    if plan is None:
        return ACCOMPAGNEMENT_PAR_DEFAUT
    actions = [a for a in plan.actions.all() if a.statut != ActionAccompagnement.Statut.ABANDONNEE]
    if not actions:
        return ACCOMPAGNEMENT_PAR_DEFAUT
    lignes = ["Ce que nous vous proposons :"]
    for action in actions:
        echeance = f" (d'ici le {date_format(action.echeance, 'j F Y')})" if action.echeance else ""
        lignes.append(f"- {action.libelle}{echeance}")
    return "\n".join(lignes)


def _de(nom: str) -> str:
    """« de Mauriac », « d'Aurillac »."""
    return f"d'{nom}" if nom[:1].lower() in "aeiouyhàâéèêîôû" else f"de {nom}"


def porteur_en_toutes_lettres(candidature: Candidature) -> str:
    """« la commune d'Aurillac » ou « l'intercommunalité « CA du Bassin d'Aurillac » »."""
    if candidature.porteur == Candidature.Porteur.EPCI and candidature.epci_id:
        return f"l'intercommunalité « {candidature.epci.nom} »"
    return f"la commune {_de(candidature.commune.nom)}"


def organisme_destinataire(candidature: Candidature) -> str:
    """« Mairie d'Aurillac », ou le nom de l'intercommunalité porteuse (adresse postale)."""
    if candidature.porteur == Candidature.Porteur.EPCI and candidature.epci_id:
        return candidature.epci.nom
    return f"Mairie {_de(candidature.commune.nom)}"


def contexte_lettre(candidature: Candidature, remarques: list[str]) -> dict:
    """Les variables offertes aux modèles de lettres (voir le champ « aide » des modèles)."""
    try:
        motivation = candidature.decision.motivation.strip()
    except Decision.DoesNotExist:
        motivation = ""
    plan = getattr(candidature, "accompagnement", None)
    conseiller = plan.conseiller if plan else None
    vague = candidature.vague
    return {
        "commune": candidature.commune.nom,
        "porteur": porteur_en_toutes_lettres(candidature),
        "reference": candidature.reference,
        "vague": vague.nom,
        "date_jury": date_format(vague.date_jury, "j F Y") if vague.date_jury else "",
        "contact_nom": candidature.contact_nom,
        "motivation": motivation,
        "remarques": "\n".join(f"- {r}" for r in remarques),
        "accompagnement": _accompagnement_texte(plan)
        if nature_de(candidature) == Lettre.Nature.NON_SELECTION
        else "",
        "conseiller": (conseiller.get_full_name() or conseiller.username) if conseiller else "",
        "conseiller_courriel": conseiller.email if conseiller else "",
        "vague_cible": plan.vague_cible.nom if plan and plan.vague_cible else "",
    }


def compiler_modele(modele: ModeleCourriel) -> tuple[Template, Template]:
    """Le sujet et le corps du modèle, compilés ; une erreur devient un message clair."""
    try:
        return compiler_gabarit(modele.sujet), compiler_gabarit(modele.corps)
    except ErreurMetier as erreur:
        raise ErreurMetier(
            f"Le modèle « {modele.libelle} » contient une erreur : {erreur} "
            "Corrigez-le avant de préparer les lettres."
        ) from erreur


def rendre(gabarits: tuple[Template, Template], contexte: dict) -> tuple[str, str]:
    ctx = Context(contexte, autoescape=False)
    try:
        sujet = gabarits[0].render(ctx).strip().replace("\n", " ")
        corps = re.sub(r"\n{3,}", "\n\n", gabarits[1].render(ctx)).strip() + "\n"
    except Exception as erreur:  # noqa: BLE001 — un modèle abîmé ne fait pas échouer la page
        raise ErreurMetier(
            f"Un modèle de lettre ne peut pas être rendu ({erreur}) : corrigez-le ; "
            "rien n'a été préparé."
        ) from erreur
    return sujet[:250], corps


def _modeles_des_lettres() -> dict[str, tuple[Template, Template]]:
    gabarits = {}
    for nature, code in Lettre.MODELES.items():
        modele = ModeleCourriel.objects.filter(code=code).first()
        if modele is None:
            raise ErreurMetier(
                f"Le modèle de courriel « {code} » manque : recréez-le dans l'administration."
            )
        gabarits[nature] = compiler_modele(modele)
    return gabarits


# -- préparer, envoyer, renvoyer ------------------------------------------------------------------
@dataclass
class BilanPreparation:
    creees: int = 0
    mises_a_jour: int = 0
    deja_envoyees: int = 0
    retirees: int = 0
    retouchees: int = 0


def preparer_lettres(vague: Vague, *, par) -> BilanPreparation:
    """Prépare une lettre par candidature décidée de la vague, d'après les modèles du moment.

    Une lettre pas encore envoyée est mise à jour (modèle, plan ou motivation ont pu changer),
    sauf si l'équipe l'a retouchée à la main ; une lettre déjà confiée à la boîte d'envoi ne
    change plus. Si la décision a changé depuis
    (réouverture des résultats), la lettre de l'autre nature non envoyée est supprimée.
    """
    exiger_resultats_publies(vague)
    gabarits = _modeles_des_lettres()
    candidatures = list(candidatures_decidees(vague))
    remarques = remarques_par_candidature([c.pk for c in candidatures])
    existantes = {
        (lettre.candidature_id, lettre.nature): lettre
        for lettre in Lettre.objects.filter(candidature__vague=vague)
    }
    bilan = BilanPreparation()
    with transaction.atomic():
        for candidature in candidatures:
            nature = nature_de(candidature)
            autre = next(n for n in Lettre.Nature.values if n != nature)
            perimee = existantes.get((candidature.pk, autre))
            if perimee is not None and perimee.courriel_id is None:
                perimee.delete()
                bilan.retirees += 1
            sujet, corps = rendre(
                gabarits[nature], contexte_lettre(candidature, remarques.get(candidature.pk, []))
            )
            lettre = existantes.get((candidature.pk, nature))
            if lettre is None:
                Lettre.objects.create(
                    candidature=candidature,
                    nature=nature,
                    sujet=sujet,
                    corps=corps,
                    preparee_par=par,
                )
                bilan.creees += 1
            elif lettre.courriel_id:
                bilan.deja_envoyees += 1
            elif lettre.retouchee:
                bilan.retouchees += 1
            elif (lettre.sujet, lettre.corps) != (sujet, corps):
                lettre.sujet, lettre.corps = sujet, corps
                lettre.preparee_le, lettre.preparee_par = timezone.now(), par
                lettre._history_user = par
                lettre.save(update_fields=["sujet", "corps", "preparee_le", "preparee_par"])
                bilan.mises_a_jour += 1
    return bilan


@dataclass
class BilanEnvoi:
    mises_en_file: int = 0
    renvoyees: int = 0
    sans_adresse: list[str] | None = None


def envoyer_lettres(vague: Vague) -> BilanEnvoi:
    """Confie à la boîte d'envoi chaque lettre de la vague pas encore partie : celles jamais
    envoyées, et celles en échec (renvoyées). Les candidatures sans courriel de contact sont
    signalées, pas envoyées. L'envoi réel a lieu après la transaction."""
    exiger_resultats_publies(vague)
    bilan = BilanEnvoi(sans_adresse=[])
    lettres = (
        Lettre.objects.filter(candidature__vague=vague)
        .filter(Q(courriel__isnull=True) | Q(courriel__statut=Courriel.Statut.ECHEC))
        .select_related("candidature__commune", "courriel")
    )
    with transaction.atomic():
        for lettre in lettres:
            if lettre.courriel_id:
                renvoyer_lettre(lettre)
                bilan.renvoyees += 1
                continue
            adresse = lettre.candidature.contact_email
            if not adresse:
                bilan.sans_adresse.append(lettre.candidature.commune.nom)
                continue
            lettre.courriel = mettre_en_file(
                adresse, lettre.sujet, lettre.corps, categorie=CATEGORIE_LETTRE
            )
            lettre.save(update_fields=["courriel"])
            bilan.mises_en_file += 1
    return bilan


def renvoyer_lettre(lettre: Lettre) -> None:
    """Renvoie une lettre dont l'envoi a échoué, à l'adresse de contact actuelle de la candidature."""
    courriel = lettre.courriel
    if courriel is None:
        raise TransitionRefusee("Cette lettre n'a pas encore été envoyée.")
    if courriel.statut != Courriel.Statut.ECHEC:
        raise TransitionRefusee(
            "Seule une lettre dont l'envoi a échoué se renvoie"
            f" (celle-ci est « {lettre.etat_libelle.lower()} »)."
        )
    adresse = lettre.candidature.contact_email
    if not adresse:
        raise TransitionRefusee(
            "La candidature n'a pas de courriel de contact : complétez-le avant de renvoyer."
        )
    if adresse != courriel.destinataire:
        courriel.destinataire = adresse
        courriel.save(update_fields=["destinataire"])
    transaction.on_commit(lambda: envoyer(courriel.pk))


# -- la copie postale -----------------------------------------------------------------------------
def pdf_des_lettres(lettres) -> bytes:
    """Les lettres en un PDF (une par page), pour la copie postale."""
    from xhtml2pdf import pisa  # import tardif : la bibliothèque est lourde à charger

    pages = [(lettre, organisme_destinataire(lettre.candidature)) for lettre in lettres]
    html = render_to_string(
        "candidatures/lettre_pdf.html", {"pages": pages, "date": timezone.localdate()}
    )
    sortie = BytesIO()
    resultat = pisa.CreatePDF(html, dest=sortie, encoding="utf-8")
    if resultat.err:
        raise ErreurMetier("Le PDF n'a pas pu être produit.")
    return sortie.getvalue()


# -- relances aux conseillers ---------------------------------------------------------------------
def relancer_conseillers(*, lien: str = "", aujourdhui=None) -> int:
    """Un courriel par conseiller qui a des actions en retard, listant ces actions ; renvoie le
    nombre de courriels mis en file. Une action n'est relancée qu'une fois par jour, même si la
    commande et le bouton de l'équipe se suivent."""
    aujourdhui = aujourdhui or timezone.localdate()
    modele = ModeleCourriel.objects.filter(code=CODE_RELANCE).first()
    if modele is None:
        raise ErreurMetier(f"Le modèle de courriel « {CODE_RELANCE} » manque.")
    gabarits = compiler_modele(modele)
    actions = (
        ActionAccompagnement.objects.en_retard(aujourdhui)
        .filter(Q(relancee_le__isnull=True) | Q(relancee_le__lt=aujourdhui))
        .select_related("accompagnement__conseiller", "accompagnement__candidature__commune")
        .order_by("accompagnement__conseiller_id", "echeance", "pk")
    )
    par_conseiller = defaultdict(list)
    for action in actions:
        par_conseiller[action.accompagnement.conseiller].append(action)
    lien = lien or getattr(settings, "SITE_URL", "") + "/candidatures/accompagnements/?retard=true"
    envoyes = 0
    with transaction.atomic():
        for conseiller, siennes in par_conseiller.items():
            if not conseiller.email:
                continue
            lignes = "\n".join(
                f"- {a.accompagnement.candidature.commune.nom} : {a.libelle} "
                f"(échéance le {a.echeance:%d/%m/%Y})"
                for a in siennes
            )
            sujet, corps = rendre(
                gabarits,
                {
                    "conseiller": conseiller.get_full_name() or conseiller.username,
                    "nombre": len(siennes),
                    "actions": lignes,
                    "lien": lien,
                },
            )
            mettre_en_file(conseiller.email, sujet, corps, categorie=CATEGORIE_RELANCE)
            ActionAccompagnement.objects.filter(pk__in=[a.pk for a in siennes]).update(
                relancee_le=aujourdhui
            )
            envoyes += 1
    return envoyes
