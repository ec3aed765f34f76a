from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

from acv.models import Commune


class Command(BaseCommand):
    help = "Ajoute les données de démonstration (idempotent) : comptes, vagues, candidatures, jury, sites."

    def handle(self, *args, **options) -> None:
        if not Commune.objects.exists():
            call_command("load_territories", stdout=self.stdout)
        for chemin in settings.DEMO_ETAPES:
            with transaction.atomic():
                import_string(chemin)(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Données de démonstration en place."))
