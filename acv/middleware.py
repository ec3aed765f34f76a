"""Les intergiciels de sécurité : expiration des sessions inactives et en-têtes de réponse.

Le journal de sécurité (connexions, échecs, déconnexions, sessions expirées) écrit dans le
journal `acv.securite` ; il ne contient jamais de mot de passe.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control

journal = logging.getLogger("acv.securite")

# Clé de session : l'instant (secondes depuis l'époque) de la dernière activité enregistrée.
CLE_ACTIVITE = "_acv_derniere_activite"
# On ne réécrit la session (et sa date d'expiration en base) qu'au plus toutes les 5 minutes :
# la session glisse avec l'activité sans une écriture en base à chaque requête.
RENOUVELLEMENT_SECONDES = 5 * 60

PERMISSIONS_POLICY = ", ".join(
    f"{fonction}=()"
    for fonction in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


def duree_lisible(secondes: int) -> str:
    if secondes % 3600 == 0:
        heures = secondes // 3600
        return f"{heures} heure{'s' if heures > 1 else ''}"
    minutes = max(1, round(secondes / 60))
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


def message_expiration() -> str:
    return (
        f"Votre session a expiré après {duree_lisible(settings.SESSION_COOKIE_AGE)} "
        "d'inactivité. Reconnectez-vous pour continuer ; ce qui n'avait pas été enregistré "
        "doit être saisi à nouveau."
    )


def adresse_ip(request: HttpRequest) -> str:
    """L'adresse du client, lue comme django-axes la lit (derrière le proxy inverse)."""
    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR", "")


class ExpirationSessionMiddleware:
    """Expire la session après `SESSION_COOKIE_AGE` secondes d'inactivité.

    La session est en base avec une date d'expiration ; Django ne la repousse que lorsque la
    session est modifiée. Ici, l'instant de la dernière activité est noté dans la session au plus
    toutes les `RENOUVELLEMENT_SECONDES` : chaque écriture repousse l'expiration en base, et entre
    deux écritures aucune requête ne touche la table des sessions.

    Deux cas d'expiration, le même message en français :
    - la session existe encore en base, mais sa dernière activité est trop ancienne : déconnexion ;
    - la session a déjà disparu de la base (expirée, purgée) alors que le navigateur présente
      encore son cookie.
    Place : après l'authentification et les messages, avant django-axes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reponse = self.verifier(request)
        if reponse is not None:
            return reponse
        return self.get_response(request)

    def verifier(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        if request.user.is_authenticated:
            maintenant = time.time()
            derniere = session.get(CLE_ACTIVITE)
            if derniere is not None and maintenant - derniere > settings.SESSION_COOKIE_AGE:
                journal.info(
                    "Session expirée par inactivité : %s depuis %s",
                    request.user.get_username(),
                    adresse_ip(request),
                )
                logout(request)
                return self.vers_connexion(request)
            if derniere is None or maintenant - derniere > RENOUVELLEMENT_SECONDES:
                session[CLE_ACTIVITE] = maintenant
        elif settings.SESSION_COOKIE_NAME in request.COOKIES and session.session_key is None:
            # Le cookie désignait une session que la base ne connaît plus (expirée ou purgée).
            # La réponse supprimera ce cookie : le message n'apparaît qu'une fois.
            messages.warning(request, message_expiration())
        return None

    def vers_connexion(self, request: HttpRequest) -> HttpResponse:
        messages.warning(request, message_expiration())
        if request.headers.get("HX-Request"):
            # Une requête htmx suit la redirection elle-même : on lui demande une page entière.
            reponse = HttpResponse(status=204)
            reponse["HX-Redirect"] = redirect_to_login(request.get_full_path())["Location"]
            return reponse
        return redirect_to_login(request.get_full_path())


class EnTetesSecuriteMiddleware:
    """En-têtes que Django ne pose pas lui-même.

    - `Permissions-Policy` : aucune page n'a besoin de la caméra, du micro, de la position… ;
    - `Cross-Origin-Resource-Policy: same-origin` : nos ressources ne s'intègrent pas ailleurs ;
    - `Cache-Control: private, no-store` sur les pages servies à un compte connecté (données
      personnelles et pièces : ni les proxys ni le cache du navigateur ne les gardent), sauf si la
      vue a déjà choisi sa politique de cache.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reponse = self.get_response(request)
        reponse.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        reponse.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        utilisateur = getattr(request, "user", None)
        if (
            utilisateur is not None
            and utilisateur.is_authenticated
            and "Cache-Control" not in reponse
        ):
            patch_cache_control(reponse, private=True, no_store=True)
        return reponse


def _sans_controle(texte: object) -> str:
    """Le texte pour une ligne de journal : les caractères de contrôle (retour à la ligne…) y
    sont échappés, qu'un identifiant saisi ne puisse pas y écrire une fausse ligne."""
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(texte)
    )


class CaracteresNulsMiddleware:
    """Refuse (400, page en français) une requête dont un paramètre ou un champ contient un
    caractère nul : aucune saisie légitime n'en porte, et PostgreSQL refuse de l'enregistrer
    ou de le chercher (sinon une erreur serveur là où une vue lit la requête sans formulaire)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._contient_un_nul(request):
            journal.warning("Requête refusée (caractère nul) : %s", _sans_controle(request.path))
            return render(request, "400.html", status=400)
        return self.get_response(request)

    @staticmethod
    def _contient_un_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path:
            return True
        donnees = [request.GET]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            donnees.append(request.POST)
        return any(
            "\x00" in cle or any("\x00" in valeur for valeur in d.getlist(cle))
            for d in donnees
            for cle in d
        )


@receiver(user_logged_in, dispatch_uid="acv_journal_connexion")
def _journal_connexion(sender, request, user, **kwargs) -> None:
    if request is not None:
        request.session[CLE_ACTIVITE] = time.time()
    journal.info(
        "Connexion : %s depuis %s",
        _sans_controle(user.get_username()),
        adresse_ip(request) if request is not None else "?",
    )


@receiver(user_logged_out, dispatch_uid="acv_journal_deconnexion")
def _journal_deconnexion(sender, request, user, **kwargs) -> None:
    if user is not None:
        journal.info(
            "Déconnexion : %s depuis %s",
            _sans_controle(user.get_username()),
            adresse_ip(request) if request is not None else "?",
        )


@receiver(user_login_failed, dispatch_uid="acv_journal_echec")
def _journal_echec(sender, credentials, request=None, **kwargs) -> None:
    journal.warning(
        "Échec de connexion : %s depuis %s",
        _sans_controle(credentials.get("username", "?")),
        adresse_ip(request) if request is not None else "?",
    )
