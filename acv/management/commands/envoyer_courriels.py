from django.core.management.base import BaseCommand

from acv.courriels import envoyer_en_attente


class Command(BaseCommand):
    help = "Envoie les courriels en attente ou en échec de la boîte d'envoi (à planifier, par exemple toutes les 5 minutes)."

    def handle(self, *args, **options) -> None:
        envoyes, echecs = envoyer_en_attente()
        self.stdout.write(f"{envoyes} courriel(s) envoyé(s), {echecs} en échec.")
