import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from acv.models import Commune
from sites import echelle


class Command(BaseCommand):
    help = "Génère N fois le programme (vagues, candidatures, jurés, évaluations, sites) en insertions groupées."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--factor",
            type=int,
            default=1,
            help="N : 1 = la taille réelle du programme, 100 = cent fois",
        )
        parser.add_argument("--graine", type=int, default=2019)

    def handle(self, *args, factor: int, graine: int, **options) -> None:
        if factor < 1:
            raise CommandError("--factor doit être un entier supérieur ou égal à 1.")
        if Commune.objects.count() < 1000:
            call_command("load_territories", stdout=self.stdout)
        debut = time.monotonic()
        bilan = echelle.generer(factor, graine=graine)
        duree = time.monotonic() - debut
        for nom, nombre in bilan.nombres.items():
            self.stdout.write(f"  {nom} : {nombre:,}".replace(",", " "))
        self.stdout.write(self.style.SUCCESS(f"Données ×{factor} générées en {duree:.1f} s."))
