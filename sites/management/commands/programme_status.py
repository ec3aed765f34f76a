import json

from django.core.management.base import BaseCommand

from sites.programme import etat_du_programme


def _pct(valeur: float) -> str:
    return f"{valeur:.1f}".replace(".", ",") + " %"


class Command(BaseCommand):
    help = (
        "Les chiffres du programme (villes ACV, candidatures et sélections par vague, sites par "
        "statut, avancement des objectifs), les mêmes que le tableau de bord."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="Sortie JSON, pour les scripts.")

    def handle(self, *args, **options) -> None:
        etat = etat_du_programme()
        if options["json"]:
            self.stdout.write(json.dumps(etat, ensure_ascii=False, indent=2))
            return
        ecrire = self.stdout.write
        ecrire(f"État du programme au {etat['date']}")
        ecrire(
            f"Villes ACV : {etat['villes_acv']['total']} "
            f"(dont {etat['villes_acv']['entree_2018']} de 2018)"
        )
        ecrire(
            "Entonnoir : " + " → ".join(f"{e['libelle']} {e['nombre']}" for e in etat["entonnoir"])
        )
        for v in etat["vagues"]:
            ecrire(
                f"{v['nom']} ({v['statut_libelle']}) : {v['candidatures_recues']} candidatures reçues, "
                f"{v['villes_acv_2018_candidates']} villes ACV de 2018 ({_pct(v['taux_villes_acv_2018'])}), "
                f"{v['retenues']} retenues"
            )
        s = etat["sites"]
        ecrire(
            f"Sites : {s['total']} (en ville ACV {s['en_ville_acv']}, hors ACV {s['hors_ville_acv']}) ; "
            + ", ".join(f"{p['libelle'].lower()} {p['total']}" for p in s["par_statut"])
        )
        for o in etat["objectifs"]:
            ecrire(
                f"Objectif « {o['libelle']} » : {o['sites_ouverts']} / {o['nombre_sites']} "
                f"({_pct(o['pourcentage'])}), échéance {o['echeance']}"
            )
        ecrire(f"Jalons en retard : {etat['jalons_en_retard']['nombre']}")
