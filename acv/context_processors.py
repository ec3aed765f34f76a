from django.conf import settings

from .roles import roles_de

_SITE = {
    "site_title": settings.SITE_TITLE,
    "site_tagline": settings.SITE_TAGLINE,
    "footer_brand": "République française",
    "footer_brand_html": "République<br>française",
    "header_brand_html": "République<br>française",
    "footer_description": "Le Cnam et le programme Action Cœur de Ville : des espaces d'accès à la formation dans les villes moyennes.",
}


def site(request) -> dict:
    """La configuration du gabarit DSFR (sans requête) et les rôles de l'utilisateur."""
    user = getattr(request, "user", None)
    return {"SITE_CONFIG": _SITE, "roles": roles_de(user) if user is not None else frozenset()}
