"""Table URL × rôle : accueil, comptes, référentiel."""

from .table import ADMIN, ANONYME, Cas, connectes, pour_tous

LIGNES = {
    "accueil": [Cas(connectes())],
    "login": [Cas(pour_tous(302, **{ANONYME: 200}))],
    "logout": [Cas(pour_tous(302), methode="post"), Cas(pour_tous(405), nom="GET refusé")],
    "password_change": [Cas(connectes())],
    "password_change_done": [Cas(connectes())],
    "communes_autocompletion": [Cas(connectes(), query="q=aur")],
    "accessibilite": [Cas(pour_tous(200))],
    # Un jeton CSRF neuf pour une page restée ouverte (evaluation.js) : tout compte connecté.
    "jeton_csrf": [Cas(connectes()), Cas(pour_tous(405), methode="post", nom="POST refusé")],
    # L'administration a ses propres règles (is_staff) : l'index suffit à les vérifier ici.
    "admin:index": [Cas(pour_tous(302, **{ADMIN: 200}))],
}
