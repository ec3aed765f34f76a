"""La délibération d'une vague : décisions, jurés présents, publication des résultats et réouverture.

Publier les résultats verrouille la vague : ses décisions ne changent plus (refus avec un message
clair, ici), ni ses évaluations (refus dans `candidatures.evaluations`), tant que l'équipe ne
rouvre pas la délibération, acte motivé gardé dans l'historique de la vague.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from acv.erreurs import ConflitDeVersion, TransitionRefusee, enregistrer_avec_version
from acv.models import Objectif

from .classement import Classement
from .models import Candidature, Decision, Jure, Vague


def message_verrouillage(vague: Vague) -> str:
    return (
        f"Les résultats de « {vague.nom} » sont publiés : ses évaluations et ses décisions sont "
        "verrouillées. Rouvrez la délibération (avec un motif) pour les modifier."
    )


def verifier_non_verrouillee(vague: Vague) -> None:
    if vague.est_verrouillee:
        raise TransitionRefusee(message_verrouillage(vague))


def verifier_en_deliberation(vague: Vague) -> None:
    verifier_non_verrouillee(vague)
    if vague.statut != Vague.Statut.DELIBERATION:
        raise TransitionRefusee(
            f"La vague « {vague.nom} » est « {vague.get_statut_display()} » : les décisions "
            "s'enregistrent pendant la délibération. Passez d'abord la vague en délibération."
        )


# ---------------------------------------------------------------------------------------------
# Décisions
# ---------------------------------------------------------------------------------------------
def decider(
    candidature: Candidature,
    *,
    resultat: str,
    motivation: str,
    version: int | None,
    par,
) -> Decision:
    """Enregistre la décision du jury sur une candidature, contre la version lue par l'auteur.

    `version` est celle de la décision affichée quand le formulaire a été ouvert (None s'il n'y en
    avait pas). Si quelqu'un d'autre a décidé entre-temps — création ou modification — lève
    ConflitDeVersion et n'écrit rien. Écrit l'historique de la décision.
    """
    vague = Vague.objects.get(pk=candidature.vague_id)
    verifier_en_deliberation(vague)
    if candidature.statut != Candidature.Statut.EN_EXAMEN:
        raise TransitionRefusee(
            f"La candidature {candidature.reference} est « {candidature.get_statut_display()} » : "
            "seule une candidature en examen reçoit une décision."
        )
    if resultat not in Decision.Resultat.values:
        raise TransitionRefusee("Choisissez « retenue » ou « non retenue ».")
    motivation = (motivation or "").strip()
    if not motivation:
        raise TransitionRefusee("Motivez la décision : la motivation figure au procès-verbal.")
    decision = Decision.objects.filter(candidature=candidature).first()
    if decision is None:
        if version is not None:
            # La décision lue a disparu : on ne recrée pas par-dessus une lecture périmée.
            raise ConflitDeVersion()
        decision = Decision(
            candidature=candidature, resultat=resultat, motivation=motivation, decidee_par=par
        )
        decision._change_reason = f"Décision : {decision.get_resultat_display()}"
        decision._history_user = par
        try:
            with transaction.atomic():
                decision.save(force_insert=True)
        except IntegrityError as erreur:
            # Quelqu'un a créé la décision au même moment (contrainte un-à-un) : il garde la main.
            raise ConflitDeVersion(
                f"Quelqu'un d'autre vient d'enregistrer une décision sur la candidature de "
                f"{candidature.commune.nom}. Rien n'a été écrasé : rechargez la page pour la voir."
            ) from erreur
        return decision
    if version is None:
        raise ConflitDeVersion(
            f"Quelqu'un d'autre vient d'enregistrer une décision sur la candidature de "
            f"{candidature.commune.nom}. Rien n'a été écrasé : rechargez la page pour la voir."
        )
    decision.version = version
    decision.resultat = resultat
    decision.motivation = motivation
    decision.decidee_par = par
    decision.decidee_le = timezone.now()
    decision._change_reason = f"Décision : {decision.get_resultat_display()}"
    decision._history_user = par
    enregistrer_avec_version(decision, ["resultat", "motivation", "decidee_par", "decidee_le"])
    return decision


def enregistrer_presents(vague: Vague, *, jures, par) -> None:
    """Les jurés présents en séance (remplace la liste) ; seulement des jurés de la vague."""
    verifier_non_verrouillee(vague)
    jures = list(jures)
    if any(j.vague_id != vague.pk for j in jures):
        raise TransitionRefusee("Seuls les jurés de la vague peuvent être déclarés présents.")
    vague.jures_presents.set(jures)


# ---------------------------------------------------------------------------------------------
# Publication et réouverture
# ---------------------------------------------------------------------------------------------
def publier(vague: Vague, *, par) -> int:
    """Publie les résultats de la vague et renvoie le nombre de candidatures décidées.

    Refuse tant qu'une candidature en examen n'a pas de décision (en les nommant). Effets, dans
    une transaction : chaque décision est appliquée à sa candidature (retenue ou non retenue, une
    transition enregistrée chacune), la vague passe à « résultats publiés », ce qui la verrouille.
    """
    with transaction.atomic():
        vague = Vague.objects.select_for_update().get(pk=vague.pk)
        verifier_en_deliberation(vague)
        en_examen = list(
            vague.candidatures.filter(statut=Candidature.Statut.EN_EXAMEN)
            .select_related("commune", "decision", "vague")
            .order_by("commune__nom")
        )
        sans_decision = [c for c in en_examen if getattr(c, "decision", None) is None]
        if sans_decision:
            noms = ", ".join(c.commune.nom for c in sans_decision[:20])
            reste = len(sans_decision) - 20
            raise TransitionRefusee(
                (
                    "1 candidature en examen n'a pas de décision"
                    if len(sans_decision) == 1
                    else f"{len(sans_decision)} candidatures en examen n'ont pas de décision"
                )
                + f" : {noms}"
                + (f" et {reste} autres" if reste > 0 else "")
                + ". Rien n'a été publié."
            )
        if not en_examen:
            raise TransitionRefusee("Aucune candidature en examen : il n'y a rien à publier.")
        for candidature in en_examen:
            # La motivation est à la décision et au procès-verbal ; la note de transition reste
            # courte (elle entre dans le motif d'historique, limité à 100 caractères).
            candidature.changer_statut(
                candidature.decision.resultat, par=par, note="résultats publiés"
            )
        vague.avancer(Vague.Statut.RESULTATS_PUBLIES, par=par, note="Résultats publiés")
    return len(en_examen)


def rouvrir(vague: Vague, *, par, motif: str) -> None:
    """Rouvre la délibération (voir Vague.rouvrir), la vague verrouillée le temps du changement."""
    with transaction.atomic():
        vague = Vague.objects.select_for_update().get(pk=vague.pk)
        vague.rouvrir(par=par, motif=motif)


# ---------------------------------------------------------------------------------------------
# Le tableau de bord de la séance
# ---------------------------------------------------------------------------------------------
@dataclass
class RepartitionRegion:
    region: str
    candidatures: int = 0
    retenues: int = 0


@dataclass
class EtatSelection:
    """La sélection en cours de décision, face au programme."""

    places: int
    retenues: int
    non_retenues: int
    sans_decision: int
    retenues_acv: int
    # (libellé, nombre de sites, en villes ACV seulement) des objectifs du programme.
    objectifs: list[Objectif] = field(default_factory=list)
    regions: list[RepartitionRegion] = field(default_factory=list)

    @property
    def regions_retenues(self) -> int:
        return sum(1 for r in self.regions if r.retenues)

    @property
    def places_restantes(self) -> int:
        return self.places - self.retenues

    @property
    def depasse(self) -> bool:
        return self.retenues > self.places

    @property
    def part_acv(self) -> int | None:
        """Part des retenues en ville ACV, en pourcentage entier (None sans retenue)."""
        if not self.retenues:
            return None
        return round(100 * self.retenues_acv / self.retenues)

    @property
    def part_acv_visee(self) -> int | None:
        """La part ACV visée par le programme : objectif ACV / objectif total de même échéance."""
        for acv in (o for o in self.objectifs if o.acv_seulement):
            for total in (o for o in self.objectifs if not o.acv_seulement):
                if total.echeance == acv.echeance and total.nombre_sites:
                    return round(100 * acv.nombre_sites / total.nombre_sites)
        return None

    @property
    def objectif_acv(self) -> Objectif | None:
        return next((o for o in self.objectifs if o.acv_seulement), None)

    @property
    def objectif_total(self) -> Objectif | None:
        return next((o for o in self.objectifs if not o.acv_seulement), None)


def etat_selection(classement: Classement) -> EtatSelection:
    """Places prises, part ACV et régions, d'après les décisions du classement (une requête)."""
    retenues = non_retenues = sans_decision = retenues_acv = 0
    candidatures_region: Counter = Counter()
    retenues_region: Counter = Counter()
    for ligne in classement.lignes:
        commune = ligne.candidature.commune
        region = commune.region.nom
        candidatures_region[region] += 1
        decision = ligne.decision
        if decision is None:
            sans_decision += 1
        elif decision.resultat == Decision.Resultat.RETENUE:
            retenues += 1
            retenues_region[region] += 1
            retenues_acv += commune.ville_acv_id is not None
        else:
            non_retenues += 1
    return EtatSelection(
        places=classement.places,
        retenues=retenues,
        non_retenues=non_retenues,
        sans_decision=sans_decision,
        retenues_acv=retenues_acv,
        objectifs=list(Objectif.objects.all()),
        regions=[
            RepartitionRegion(region, candidatures_region[region], retenues_region[region])
            for region in sorted(candidatures_region)
        ],
    )


def jures_presents_par_organisation(vague: Vague) -> list[tuple[str, list[Jure]]]:
    """Les jurés présents en séance, groupés par organisation (une requête)."""
    groupes: dict[str, list[Jure]] = {}
    for jure in vague.jures_presents.select_related("utilisateur", "organisation").order_by(
        "organisation__ordre", "organisation__nom", "utilisateur__last_name"
    ):
        groupes.setdefault(jure.organisation.nom, []).append(jure)
    return list(groupes.items())
