from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils.module_loading import import_string

from acv.models import Commune, Courriel


class Command(BaseCommand):
    help = "Ajoute les données de démonstration (idempotent) : comptes, vagues, candidatures, jury, sites."

    def handle(self, *args, **options) -> None:
        if not Commune.objects.exists():
            call_command("load_territories", stdout=self.stdout)
        avant = Courriel.objects.count()
        # Les courriels que la démonstration fait partir (avis d'affectation, lettres…) passent par
        # la boîte d'envoi comme les autres, mais ne s'affichent pas : en démonstration, le
        # moteur de la console en déverserait des dizaines dans le terminal de `make run`.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            for chemin in settings.DEMO_ETAPES:
                with transaction.atomic():
                    import_string(chemin)(stdout=self.stdout)
        nouveaux = Courriel.objects.count() - avant
        if nouveaux:
            self.stdout.write(
                f"  courriels : {nouveaux} passés par la boîte d'envoi, sans affichage "
                "(équipe : menu « Boîte d'envoi », /courriels/)."
            )
        self.stdout.write(self.style.SUCCESS("Données de démonstration en place."))
