from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AcvConfig(AppConfig):
    name = "acv"
    verbose_name = "Référentiel, comptes et objectifs"

    def ready(self) -> None:
        from . import roles

        # Les groupes de rôles et leurs permissions sont recréés après chaque migrate :
        # les permissions des modèles n'existent qu'une fois toutes les applications migrées.
        post_migrate.connect(roles.synchroniser_groupes_apres_migrate, sender=self)
