from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .models import Commune
from .roles import Role, roles_de


@login_required
def accueil(request: HttpRequest) -> HttpResponse:
    """La page d'accueil : pour chaque rôle du compte, ce qu'il a à faire ensuite."""
    ordre = [
        Role.EQUIPE,
        Role.JURE,
        Role.RESPONSABLE_REGIONAL,
        Role.OBSERVATEUR,
        Role.ADMINISTRATEUR,
    ]
    mes_roles = roles_de(request.user)
    blocs = [(r.value, r.label) for r in ordre if r.value in mes_roles]
    return render(request, "acv/accueil.html", {"blocs": blocs})


@login_required
def communes_autocompletion(request: HttpRequest) -> JsonResponse:
    """Les 20 premières communes dont le nom ou le code INSEE commence par `q`."""
    communes = (
        Commune.objects.recherche(request.GET.get("q", ""))
        .select_related("departement")
        .order_by("-population", "nom")[:20]
    )
    return JsonResponse(
        {
            "resultats": [
                {"code": c.code_insee, "libelle": f"{c.nom} ({c.code_insee}) — {c.departement.nom}"}
                for c in communes
            ]
        }
    )


def declaration_accessibilite(request: HttpRequest) -> HttpResponse:
    return render(request, "acv/accessibilite.html")
