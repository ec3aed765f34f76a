import json

from django.core.management.base import BaseCommand, CommandError

from sites import banc


class Command(BaseCommand):
    help = (
        "Banc d'essai : construit les données de chaque facteur dans une base de travail (jamais la base "
        "en service), mesure le temps serveur et les requêtes SQL des pages principales face au plancher, "
        "chronomètre les commandes et termine par un test de charge (gunicorn + wrk)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--factors", default="1,10,100", help="facteurs séparés par des virgules"
        )
        parser.add_argument("--json", action="store_true", help="sortie JSON")
        parser.add_argument("--repetitions", type=int, default=30)
        parser.add_argument(
            "--charge-facteur", type=int, default=10, help="0 pour ne pas faire le test de charge"
        )
        parser.add_argument("--charge-duree", type=int, default=20)
        parser.add_argument("--charge-clients", type=int, default=8)
        parser.add_argument("--charge-pages", default="liste_du_jure,tableau_de_bord")

    def handle(self, *args, **options) -> None:
        try:
            facteurs = [int(f) for f in options["factors"].split(",") if f.strip()]
        except ValueError as erreur:
            raise CommandError(
                "--factors attend des entiers séparés par des virgules, par exemple 1,10,100."
            ) from erreur
        journal = (lambda *_: None) if options["json"] else self.stdout.write
        resultats = banc.executer(
            facteurs,
            repetitions=options["repetitions"],
            charge_facteur=options["charge_facteur"] or None,
            charge_duree=options["charge_duree"],
            charge_clients=options["charge_clients"],
            charge_pages=tuple(options["charge_pages"].split(",")),
            journal=journal,
        )
        if options["json"]:
            self.stdout.write(json.dumps(resultats, ensure_ascii=False, indent=1))
        else:
            self.stdout.write("")
            self.stdout.write(banc.tableau(resultats))
