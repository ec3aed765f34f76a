"""Démo : la délibération de la vague 1 (présents, décisions motivées, publication) ; idempotente.

Les mieux classées (note corrigée) sont retenues jusqu'aux places prévues ; les autres ne le sont
pas, dont toujours les villes qui se représentent en vague 2 (`demo.villes_resoumises`). La
vague 2 reste en examen.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from .classement import classement_de
from .deliberation import decider, publier
from .demo import villes_resoumises
from .models import Candidature, Decision, Evaluation, Vague

S = Vague.Statut

MOTIFS_RETENUE = [
    "Besoins du bassin d'emploi établis et chiffrés, partenaires engagés par écrit : le projet "
    "peut ouvrir rapidement.",
    "Offre de formation bien ciblée sur les métiers en tension du territoire ; locaux identifiés "
    "en centre-ville.",
    "Projet mûr, porté par la commune et l'intercommunalité, plan de financement bouclé sur trois "
    "ans.",
    "Forte mobilisation des employeurs locaux et du service public de l'emploi ; équipe prête.",
]
MOTIFS_NON_RETENUE = [
    "Classée au-delà des places prévues. Les besoins sont réels mais les partenariats restent à "
    "formaliser : un accompagnement sur mesure est proposé.",
    "Classée au-delà des places prévues ; les locaux et le financement sont à confirmer. "
    "Accompagnement proposé en vue d'une nouvelle candidature.",
    "Projet encore peu précis sur l'offre de formation ; le jury encourage la commune à le "
    "reprendre avec l'appui du Cnam en région.",
]
MOTIF_RESOUMISE = (
    "Projet prometteur mais pas encore prêt (locaux et partenariats à consolider) : "
    "accompagnement sur mesure en vue de la vague 2."
)


def _motivation(ligne, retenue: bool, resoumise: bool, i: int) -> str:
    chiffres = ""
    if ligne.rang is not None:
        note = f"{ligne.note_corrigee:.2f}".replace(".", ",")
        chiffres = f" (rang {ligne.rang}, note corrigée {note}/20)"
    if retenue:
        return MOTIFS_RETENUE[i % len(MOTIFS_RETENUE)] + chiffres
    if resoumise:
        return MOTIF_RESOUMISE + chiffres
    return MOTIFS_NON_RETENUE[i % len(MOTIFS_NON_RETENUE)] + chiffres


def deliberer(stdout=None) -> None:
    """Délibère et publie la vague 1 ; ne fait rien si elle est déjà publiée ou pas évaluée."""

    def dire(texte: str) -> None:
        if stdout:
            stdout.write(f"  délibération : {texte}")

    vague = Vague.objects.filter(numero=1).first()
    if vague is None:
        return dire("pas de vague 1.")
    if vague.est_verrouillee:
        return dire(f"{vague.nom} déjà publiée.")
    soumises = Evaluation.objects.filter(
        affectation__candidature__vague=vague, statut=Evaluation.Statut.SOUMISE
    ).exists()
    if not soumises or vague.statut not in (S.EXAMEN_JURY, S.DELIBERATION):
        return dire(f"{vague.nom} n'est pas prête (aucune évaluation soumise ou hors jury).")
    par = User.objects.filter(username="equipe").first()
    if vague.statut == S.EXAMEN_JURY:
        vague.avancer(S.DELIBERATION, par=par, note="Séance du jury ouverte")
    # Un juré d'une organisation excusé, pour un procès-verbal réaliste.
    jures = list(vague.jures.select_related("organisation").order_by("organisation__ordre", "pk"))
    vague.jures_presents.set(jures[:-1] if len(jures) > 5 else jures)

    resoumises = set(villes_resoumises())
    classement = classement_de(vague, verifier=False)
    # Les lignes résument les candidatures : la décision s'enregistre sur les vraies.
    reelles = Candidature.objects.in_bulk([ligne.candidature.pk for ligne in classement.lignes])
    retenues = 0
    for i, ligne in enumerate(classement.lignes):
        candidature = reelles[ligne.candidature.pk]
        resoumise = candidature.cle_ville in resoumises
        retenue = not resoumise and ligne.rang is not None and retenues < classement.places
        retenues += retenue
        if ligne.decision is not None:
            continue
        decider(
            candidature,
            resultat=Decision.Resultat.RETENUE if retenue else Decision.Resultat.NON_RETENUE,
            motivation=_motivation(ligne, retenue, resoumise, i),
            version=None,
            par=par,
        )
    nombre = publier(vague, par=par)
    if (
        vague.date_resultats
    ):  # la date réelle de l'annonce, plutôt que celle du lancement de la démo
        publiee_le = datetime.datetime.combine(vague.date_resultats, datetime.time(10))
        Vague.objects.filter(pk=vague.pk).update(publiee_le=timezone.make_aware(publiee_le))
    dire(f"{vague.nom} publiée : {nombre} décisions, {retenues} retenues.")
