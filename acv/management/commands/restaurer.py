"""manage.py restaurer <archive.tar.gz> [--force] : reconstruit l'application depuis une archive."""

import logging

from django.core.management.base import BaseCommand, CommandError

from acv.sauvegarde import ErreurSauvegarde, restaurer

journal = logging.getLogger("acv.securite")


class Command(BaseCommand):
    help = (
        "Restaure une archive de manage.py sauvegarder dans une base migrée et un stockage "
        "vides ; vérifie d'abord l'empreinte de chaque élément. Les fichiers sont écrits sous "
        "des noms temporaires et ne prennent leur place qu'une fois la base restaurée : au "
        "moindre échec avant, la base et le stockage restent tels qu'ils étaient. --force "
        "remplace un contenu existant : les données, les fichiers de même nom, et les fichiers "
        "du stockage absents de l'archive sont supprimés une fois la base restaurée."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", help="chemin de l'archive écrite par sauvegarder")
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "remplacer les données et les fichiers déjà présents ; les fichiers du stockage "
                "absents de l'archive sont supprimés une fois la base restaurée"
            ),
        )
        parser.add_argument("--database", default="default", help="alias de la base (default)")

    def handle(self, *args, archive: str, force: bool, database: str, **options) -> None:
        try:
            bilan = restaurer(archive, force=force, alias=database)
        except ErreurSauvegarde as erreur:
            raise CommandError(str(erreur)) from erreur
        journal.warning(
            "Restauration de %s%s",
            archive,
            f" (--force, {len(bilan.supprimes)} fichier(s) absent(s) de l'archive supprimé(s))"
            if force
            else "",
        )
        for nom in bilan.supprimes:
            self.stdout.write(f"Supprimé (absent de l'archive) : {nom}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restauration terminée : {bilan.total_objets} objet(s) de {len(bilan.objets)} "
                f"table(s), {bilan.fichiers} fichier(s) ({bilan.octets} octets)"
                + (
                    f", {len(bilan.supprimes)} fichier(s) absent(s) de l'archive supprimé(s)."
                    if bilan.supprimes
                    else "."
                )
            )
        )
