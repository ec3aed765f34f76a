"""manage.py sauvegarder <archive.tar.gz> : données et fichiers dans une seule archive."""

import logging

from django.core.management.base import BaseCommand, CommandError

from acv.sauvegarde import ErreurSauvegarde, sauvegarder

journal = logging.getLogger("acv.securite")


class Command(BaseCommand):
    help = (
        "Écrit dans une archive .tar.gz tout ce qu'il faut pour reconstruire l'application : "
        "les données de toutes les tables (sauf les sessions), les fichiers du stockage et un "
        "manifeste avec l'empreinte SHA-256 de chaque élément."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", help="chemin de l'archive à écrire, par exemple acv.tar.gz")
        parser.add_argument("--database", default="default", help="alias de la base (default)")

    def handle(self, *args, archive: str, database: str, **options) -> None:
        try:
            bilan = sauvegarder(archive, alias=database)
        except (ErreurSauvegarde, OSError) as erreur:
            raise CommandError(f"Sauvegarde impossible : {erreur}") from erreur
        journal.info("Sauvegarde écrite dans %s", archive)
        for nom in bilan.manquants:
            self.stderr.write(f"Attention : fichier référencé absent du stockage : {nom}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Sauvegarde écrite dans {archive} : {bilan.total_objets} objet(s) de "
                f"{len(bilan.objets)} table(s), {bilan.fichiers} fichier(s) "
                f"({bilan.octets} octets)."
            )
        )
