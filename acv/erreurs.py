"""Les erreurs du domaine : leur message, en français, est montré tel quel à l'utilisateur."""

from django.db import transaction

# La version lue (champ caché des formulaires qui écrivent une fiche versionnée) manque ou ne se lit
# pas : l'envoi ne vient pas de la page telle qu'elle a été servie, on n'écrit rien.
MESSAGE_VERSION_MANQUANTE = (
    "La version de la fiche lue manque : rechargez la page puis refaites votre modification."
)
MESSAGE_VERSION_ILLISIBLE = (
    "La version de la fiche lue est illisible : rechargez la page puis refaites votre modification."
)


class ErreurMetier(Exception):
    """Une action refusée par une règle du domaine ; `str(erreur)` est le message à afficher."""


class TransitionRefusee(ErreurMetier):
    pass


class ConflitDeVersion(ErreurMetier):
    """Quelqu'un d'autre a enregistré l'objet depuis qu'on l'a ouvert."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "Quelqu'un d'autre a modifié cette fiche pendant que vous la consultiez. "
            "Rien n'a été écrasé : rechargez la page pour voir sa version, puis refaites votre modification."
        )


def enregistrer_avec_version(obj, champs: list[str]) -> None:
    """Enregistre `champs` si la version lue (`obj.version`) est toujours celle en base.

    La ligne est verrouillée (SELECT … FOR UPDATE) le temps de comparer : de deux enregistrements
    simultanés, le second lève ConflitDeVersion et n'écrit rien. Passe par save(), donc
    l'historique est écrit.
    """
    with transaction.atomic():
        en_base = (
            type(obj)
            .objects.select_for_update()
            .filter(pk=obj.pk)
            .values_list("version", flat=True)
            .first()
        )
        if en_base != obj.version:
            raise ConflitDeVersion()
        obj.version += 1
        obj.save(update_fields=[*champs, "version"])
