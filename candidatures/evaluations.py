"""L'évaluation d'une candidature par un juré : brouillon, soumission, réouverture, révélation."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from acv.erreurs import (
    MESSAGE_VERSION_MANQUANTE,
    ConflitDeVersion,
    ErreurMetier,
    TransitionRefusee,
    enregistrer_avec_version,
)

from .models import Affectation, Critere, Evaluation, Note
from .scores import note_sur_20


class DejaSoumise(ErreurMetier):
    """Une seconde soumission : rien n'a changé, ce n'est pas une faute."""


MESSAGE_DEJA_SOUMISE = (
    "Cette évaluation est déjà soumise : rien n'a été modifié. Si elle doit être corrigée, "
    "demandez à l'équipe du programme de la rouvrir."
)


def _verifier_ouverte(affectation: Affectation) -> None:
    if affectation.candidature.vague.est_verrouillee:
        raise TransitionRefusee(
            "Les résultats de la vague sont publiés : les évaluations ne changent plus."
        )


def _ecrire_notes(evaluation: Evaluation, criteres: list[Critere], notes: dict[int, int | None]):
    existantes = {n.critere_id: n for n in evaluation.notes.all()}
    for critere in criteres:
        valeur = notes.get(critere.pk)
        note = existantes.get(critere.pk)
        if valeur is None:
            if note is not None:
                note.delete()
        elif note is None:
            Note.objects.create(evaluation=evaluation, critere=critere, valeur=valeur)
        elif note.valeur != valeur:
            note.valeur = valeur
            note.save(update_fields=["valeur"])


def _valider_notes(criteres: list[Critere], notes: dict[int, int | None]) -> None:
    for critere in criteres:
        valeur = notes.get(critere.pk)
        if valeur is not None and not critere.note_min <= valeur <= critere.note_max:
            raise ErreurMetier(
                f"« {critere.libelle} » se note de {critere.note_min} à {critere.note_max}."
            )


def enregistrer(
    affectation: Affectation,
    *,
    notes: dict[int, int | None],
    avis: str,
    commentaire: str,
    version: int,
    par,
    soumettre: bool = False,
) -> Evaluation:
    """Enregistre le brouillon de l'évaluation (et la soumet avec `soumettre`).

    `version` est celle que le juré a lue (0 s'il n'y avait pas encore de brouillon), toujours
    vérifiée : si le brouillon a été enregistré ailleurs depuis, ConflitDeVersion et rien n'est
    écrit ; sans version (None), ErreurMetier et rien n'est écrit. Effets de la soumission :
    statut « soumise », date, note sur 20, une ligne d'historique. Refuse une vague verrouillée ; une évaluation déjà soumise lève
    DejaSoumise sans rien écrire ; une soumission incomplète est refusée sans rien écrire.
    """
    if version is None:
        raise ErreurMetier(MESSAGE_VERSION_MANQUANTE)
    _verifier_ouverte(affectation)
    criteres = list(affectation.candidature.vague.criteres.all())
    _valider_notes(criteres, notes)
    if avis and avis not in Evaluation.Avis.values:
        raise ErreurMetier("Avis inconnu.")
    if soumettre:
        manquants = [c.libelle for c in criteres if notes.get(c.pk) is None]
        if manquants:
            raise ErreurMetier(
                "Pour soumettre, notez chaque critère ; il manque : " + ", ".join(manquants) + "."
            )
        if not avis:
            raise ErreurMetier("Pour soumettre, choisissez un avis.")
    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update().filter(affectation=affectation).first()
        if evaluation is not None and evaluation.statut == Evaluation.Statut.SOUMISE:
            raise DejaSoumise(MESSAGE_DEJA_SOUMISE)
        if evaluation is None:
            if version != 0:
                raise ConflitDeVersion(
                    "Ce brouillon a été retiré ou n'existe plus : rechargez la page."
                )
            evaluation = Evaluation(affectation=affectation, version=0)
            evaluation._history_user = par
            try:
                with transaction.atomic():
                    evaluation.save()
            except IntegrityError as erreur:  # créé au même instant dans un autre onglet
                # Un double clic sur « Soumettre » : l'autre envoi a déjà soumis la même
                # évaluation, rien n'est perdu, on le dit comme une double soumission.
                autre = Evaluation.objects.filter(affectation=affectation).first()
                if autre is not None and autre.statut == Evaluation.Statut.SOUMISE:
                    raise DejaSoumise(MESSAGE_DEJA_SOUMISE) from erreur
                raise ConflitDeVersion() from erreur
        elif version != evaluation.version:
            raise ConflitDeVersion(
                "Ce brouillon a été enregistré depuis un autre onglet ou un autre poste. Rien "
                "n'a été écrasé : rechargez la page pour reprendre la dernière version."
            )
        _ecrire_notes(evaluation, criteres, notes)
        evaluation.avis = avis
        evaluation.commentaire = commentaire
        champs = ["avis", "commentaire", "modifiee_le"]
        if soumettre:
            evaluation.statut = Evaluation.Statut.SOUMISE
            evaluation.soumise_le = timezone.now()
            evaluation.note_sur_20 = note_sur_20(criteres, notes)
            evaluation._change_reason = "Évaluation soumise"
            champs += ["statut", "soumise_le", "note_sur_20"]
        evaluation._history_user = par
        enregistrer_avec_version(evaluation, champs)
    return evaluation


def rouvrir(evaluation: Evaluation, *, par) -> None:
    """Remet une évaluation soumise en brouillon, à la demande de l'équipe (historique écrit)."""
    _verifier_ouverte(evaluation.affectation)
    if evaluation.statut != Evaluation.Statut.SOUMISE:
        raise TransitionRefusee("Cette évaluation n'est pas soumise : il n'y a rien à rouvrir.")
    evaluation.statut = Evaluation.Statut.BROUILLON
    evaluation.soumise_le = None
    evaluation.note_sur_20 = None
    evaluation._history_user = par
    evaluation._change_reason = "Évaluation rouverte par l'équipe"
    evaluation.version += 1
    evaluation.save(update_fields=["statut", "soumise_le", "note_sur_20", "version", "modifiee_le"])


def evaluations_visibles(affectation: Affectation) -> list[Evaluation]:
    """La règle de révélation : les évaluations soumises des autres jurés sur la candidature,
    seulement si le juré de `affectation` a soumis la sienne ; sinon aucune (deux requêtes)."""
    propre = Evaluation.objects.filter(affectation=affectation).first()
    if propre is None or propre.statut != Evaluation.Statut.SOUMISE:
        return []
    return list(
        Evaluation.objects.filter(
            affectation__candidature_id=affectation.candidature_id,
            statut=Evaluation.Statut.SOUMISE,
        )
        .exclude(affectation=affectation)
        .select_related("affectation__jure__utilisateur", "affectation__jure__organisation")
        .prefetch_related("notes__critere")
        .order_by("soumise_le")
    )
