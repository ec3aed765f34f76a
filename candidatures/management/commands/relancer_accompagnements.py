from django.core.management.base import BaseCommand
from django.urls import reverse

from candidatures.lettres import relancer_conseillers


class Command(BaseCommand):
    help = (
        "Relance par courriel chaque conseiller de ses actions d'accompagnement en retard "
        "(un courriel par conseiller, une relance par action et par jour au plus ; à planifier, "
        "par exemple chaque lundi)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--adresse",
            default="",
            help="Adresse du site (https://…) pour le lien vers la liste des plans.",
        )

    def handle(self, *args, adresse: str = "", **options) -> None:
        lien = adresse.rstrip("/") + reverse("accompagnement_liste") + "?retard=true"
        envoyes = relancer_conseillers(lien=lien)
        self.stdout.write(f"{envoyes} conseiller(s) relancé(s).")
