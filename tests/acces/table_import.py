"""Table URL × rôle : import et export des candidatures (réservés à l'équipe)."""

from .table import Cas, equipe_seulement, pour_tous

LIGNES = {
    "candidature_import": [
        Cas(equipe_seulement()),
        # Sans fichier : le formulaire revient avec ses erreurs, rien n'est écrit.
        Cas(equipe_seulement(200), methode="post", nom="POST sans fichier"),
    ],
    "candidature_import_executer": [
        # Sans simulation en attente : retour au formulaire avec un message.
        Cas(equipe_seulement(302), methode="post"),
        Cas(pour_tous(405), nom="GET refusé"),
    ],
    "candidature_import_modele": [
        Cas(equipe_seulement()),
        Cas(equipe_seulement(), query="format=xlsx", nom="modèle XLSX"),
    ],
    "candidature_export": [
        Cas(equipe_seulement()),
        Cas(equipe_seulement(), query="format=xlsx", nom="export XLSX"),
        Cas(equipe_seulement(), query="vague=1&statut=en_examen&tri=-reference", nom="filtré"),
    ],
}
