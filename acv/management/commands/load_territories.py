import time

from django.core.management.base import BaseCommand

from acv.territoires import charger_territoires


class Command(BaseCommand):
    help = "Charge ou met à jour le référentiel territorial (régions, départements, EPCI, communes, villes ACV)."

    def handle(self, *args, **options) -> None:
        debut = time.monotonic()
        bilan = charger_territoires()
        duree = time.monotonic() - debut
        for nom, (crees, modifies) in bilan.lignes.items():
            self.stdout.write(f"  {nom} : {crees} créé(s), {modifies} modifié(s)")
        if bilan.rien_change:
            self.stdout.write(
                self.style.SUCCESS(f"Référentiel déjà à jour : rien n'a changé ({duree:.1f} s).")
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Référentiel chargé en {duree:.1f} s."))
