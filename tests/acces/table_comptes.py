"""Table URL × rôle : mot de passe oublié (ouvert à tous, connectés compris)."""

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .. import factories as f
from .table import Cas, pour_tous


def _lien_valide(monde) -> dict:
    """Un lien de réinitialisation valide, pour un compte qui n'est aucun des rôles du monde."""
    user = monde.obtenir("compte_oublieux", lambda m: f.UserFactory(username="t-oublieux"))
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


LIGNES = {
    "password_reset": [
        Cas(pour_tous(200)),
        Cas(pour_tous(302), methode="post", donnees=lambda m: {"email": "x@exemple.invalid"}),
    ],
    "password_reset_done": [Cas(pour_tous(200))],
    "password_reset_confirm": [
        # Un lien valide est échangé contre une adresse sans jeton (redirection) ;
        # un lien faux ou expiré donne la page « Lien invalide ou expiré ».
        Cas(pour_tous(302), kwargs=_lien_valide, nom="lien valide"),
        Cas(pour_tous(200), kwargs=lambda m: {"uidb64": "MTk", "token": "faux-jeton"}),
    ],
    "password_reset_complete": [Cas(pour_tous(200))],
}
