"""Le jeton CSRF : la réponse en français à un envoi refusé, et un jeton neuf pour la page ouverte.

Le jeton est lu dans le formulaire ({% csrf_token %}), jamais dans le cookie (CSRF_COOKIE_HTTPONLY).
Une connexion renouvelle le jeton : une page restée ouverte pendant qu'on se reconnectait dans un
autre onglet porte alors un jeton périmé. Ses envois en JavaScript reçoivent `{"jeton": true}`
(403) et demandent un jeton neuf à `jeton_csrf` avant de réessayer ; un formulaire envoyé
normalement reçoit la page `403_csrf.html`, qui explique quoi faire.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

MESSAGE = (
    "Le formulaire a expiré (par exemple après une nouvelle connexion dans un autre onglet) : "
    "rien n'a été enregistré. Rechargez la page pour continuer."
)


def attend_du_json(request: HttpRequest) -> bool:
    """Un envoi fait en JavaScript (fetch) : il demande du JSON ou se signale par X-Requested-With."""
    return "application/json" in request.headers.get("Accept", "") or bool(
        request.headers.get("X-Requested-With")
    )


def _page_precedente(request: HttpRequest) -> str | None:
    """La page d'où vient l'envoi (en-tête Referer), si elle est de ce site."""
    precedente = request.headers.get("Referer", "")
    if precedente and url_has_allowed_host_and_scheme(
        precedente, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return precedente
    return None


def echec_csrf(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW : 403 en JSON pour un envoi en JavaScript, la page en français sinon.

    La raison technique (en anglais) reste dans le journal `django.security.csrf`, que le
    middleware écrit déjà ; elle n'est montrée qu'en DEBUG.
    """
    if attend_du_json(request):
        reponse = JsonResponse(
            {"erreur": MESSAGE, "jeton": True, "adresse_jeton": reverse("jeton_csrf")},
            status=403,
        )
    else:
        reponse = render(
            request,
            "403_csrf.html",
            {
                "page_precedente": _page_precedente(request),
                "raison": reason if settings.DEBUG else "",
            },
            status=403,
        )
    add_never_cache_headers(reponse)
    return reponse


@require_GET
@login_required
@never_cache
def jeton_csrf(request: HttpRequest) -> JsonResponse:
    """Un jeton CSRF valable pour le cookie actuel : `{"jeton": "..."}`, jamais mis en cache."""
    return JsonResponse({"jeton": get_token(request)})
