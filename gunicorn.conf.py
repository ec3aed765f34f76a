"""Réglages de gunicorn, lus d'office quand il est lancé depuis la racine du dépôt.

L'application est chargée une seule fois, par le processus maître (`preload_app`), puis tout ce
qu'elle a créé (modules, classes, réglages, gabarits…) est gelé pour le ramasse-miettes juste
avant que chaque worker naisse (`gc.freeze`, comme le conseille la documentation de Python pour
un processus qui se divise par fork) : un passage complet du ramasse-miettes ne parcourt plus que
ce que les requêtes ont créé, et non plus les quelque 140 000 objets de Django et des
bibliothèques. Ces passages faisaient l'essentiel des pics de temps de réponse : mesuré le
29 novembre 2026 (`benchmark`, données ×100, 2 workers, 2 clients pendant 30 s sur la séance du
jury et le classement), le 95e centile passe de 117 à 67 ms, la médiane restant à 39 ms. En
prime, les pages mémoire de l'application chargée sont partagées entre les workers.

Les options de la ligne de commande (`--workers`, `--bind`…) s'ajoutent à celles-ci.
"""

import gc

preload_app = True


def pre_fork(server, worker) -> None:
    # Rien de la base ne doit passer au worker : une connexion partagée entre deux processus
    # mélangerait leurs échanges. Django n'en ouvre aucune au chargement ; on s'en assure.
    from django.db import connections

    connections.close_all()
    gc.freeze()
