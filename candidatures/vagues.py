"""Les règles des vagues qui ne tiennent pas dans le modèle : la part des villes ACV candidates,
le passage d'une vague au statut suivant avec ses effets sur les candidatures."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from acv.erreurs import TransitionRefusee
from acv.models import VilleAcv

from .models import Candidature, Vague


@dataclass(frozen=True)
class PartVillesAcv:
    """La part des villes ACV de 2018 qui ont candidaté à une vague."""

    villes: int
    total: int

    @property
    def pourcentage(self) -> int:
        """Arrondi à l'entier le plus proche (0,5 vers le haut) : 85 / 222 → 38."""
        if not self.total:
            return 0
        return int((Decimal(100 * self.villes) / self.total).quantize(0, ROUND_HALF_UP))


def part_villes_acv(vague: Vague) -> PartVillesAcv:
    """Les villes ACV de 2018 (par numéro ACV : un binôme compte une fois) ayant une candidature
    reçue dans la vague, quel qu'en soit le sort, sur les villes ACV de 2018 (deux requêtes)."""
    villes = (
        Candidature.objects.recues()
        .filter(vague=vague, commune__ville_acv__entree=VilleAcv.ENTREE_INITIALE)
        .values("commune__ville_acv")
        .distinct()
        .count()
    )
    total = VilleAcv.objects.filter(entree=VilleAcv.ENTREE_INITIALE).count()
    return PartVillesAcv(villes=villes, total=total)


def avancer_vague(vague: Vague, vers: str, *, par, note: str = "") -> int:
    """Fait passer la vague au statut `vers` (voir Vague.avancer) et renvoie le nombre de
    candidatures transmises au jury.

    Effets, dans la transaction de l'appelant : la vague est verrouillée le temps du passage ;
    le passage « consolidation → examen par le jury » fait passer chaque candidature recevable à
    « en examen » (une transition enregistrée chacune) et est refusé tant que des candidatures
    reçues ou incomplètes ne sont pas tranchées, s'il n'y a aucune recevable ou si la grille
    est vide. L'ouverture de l'appel demande les dates d'ouverture et de limite de dépôt. La
    publication des résultats ne se fait pas ici, mais depuis la séance du jury.
    """
    if vers not in Vague.Statut.values:
        raise TransitionRefusee("Statut de vague inconnu : rien n'a changé.")
    vague = Vague.objects.select_for_update().get(pk=vague.pk)
    if vague.statut_suivant != vers:
        vague.avancer(vers, par=par, note=note)  # refuse, avec le message du modèle
    if vers == Vague.Statut.RESULTATS_PUBLIES:
        raise TransitionRefusee(
            "Les résultats se publient depuis la séance du jury, une fois toutes les décisions "
            "enregistrées."
        )
    if vers == Vague.Statut.APPEL_OUVERT and not (vague.date_ouverture and vague.date_limite):
        raise TransitionRefusee(
            "Renseignez les dates d'ouverture de l'appel et de limite de dépôt avant d'ouvrir l'appel."
        )
    transmises = []
    if vers == Vague.Statut.EXAMEN_JURY:
        candidatures = Candidature.objects.filter(vague=vague)
        a_trancher = candidatures.filter(
            statut__in=[Candidature.Statut.RECUE, Candidature.Statut.INCOMPLETE]
        ).count()
        if a_trancher:
            raise TransitionRefusee(
                (
                    "1 candidature reçue ou incomplète n'est pas encore tranchée"
                    if a_trancher == 1
                    else f"{a_trancher} candidatures reçues ou incomplètes ne sont pas encore tranchées"
                )
                + " : déclarez chacune recevable ou irrecevable avant de transmettre la vague au jury."
            )
        if not vague.criteres.exists():
            raise TransitionRefusee(
                "La grille de la vague n'a aucun critère : les jurés n'auraient rien à noter."
            )
        transmises = list(
            candidatures.filter(statut=Candidature.Statut.RECEVABLE).select_related("vague")
        )
        if not transmises:
            raise TransitionRefusee("Aucune candidature recevable à transmettre au jury.")
    vague.avancer(vers, par=par, note=note)
    for candidature in transmises:
        candidature.changer_statut(
            Candidature.Statut.EN_EXAMEN, par=par, note="Transmise au jury avec la vague."
        )
    return len(transmises)
