"""La boîte d'envoi, page de l'équipe : l'état de chaque courriel, et le renvoi de ce qui a échoué."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .courriels import envoyer, envoyer_en_attente
from .models import Courriel
from .roles import exiger_equipe

PAR_PAGE = 100


@login_required
def courriels_liste(request: HttpRequest) -> HttpResponse:
    """Requêtes : rôles, décompte par état, compte de la page, la page."""
    exiger_equipe(request.user)
    statut = request.GET.get("statut", "")
    courriels = Courriel.objects.defer("corps").order_by("-cree_le", "-pk")
    if statut in Courriel.Statut.values:
        courriels = courriels.filter(statut=statut)
    else:
        statut = ""
    decompte = dict(Courriel.objects.values_list("statut").annotate(n=Count("pk")).order_by())
    page = Paginator(courriels, PAR_PAGE).get_page(request.GET.get("page"))
    requete = request.GET.copy()
    requete.pop("page", None)
    return render(
        request,
        "acv/courriel_liste.html",
        {
            "page_obj": page,
            "courriels": page.object_list,
            "requete_sans_page": requete.urlencode(),
            "statut": statut,
            "statuts": [(v, lib, decompte.get(v, 0)) for v, lib in Courriel.Statut.choices],
            "nb_a_renvoyer": decompte.get(Courriel.Statut.ECHEC, 0)
            + decompte.get(Courriel.Statut.EN_ATTENTE, 0),
        },
    )


@require_POST
@login_required
def courriel_renvoyer(request: HttpRequest, pk: int) -> HttpResponse:
    exiger_equipe(request.user)
    courriel = get_object_or_404(Courriel, pk=pk)
    if courriel.statut == Courriel.Statut.ENVOYE:
        messages.info(
            request, f"Le courriel à {courriel.destinataire} est déjà parti : rien à renvoyer."
        )
    elif envoyer(courriel.pk):
        messages.success(request, f"Courriel renvoyé à {courriel.destinataire}.")
    else:
        courriel.refresh_from_db()
        messages.error(
            request,
            f"Nouvel échec de l'envoi à {courriel.destinataire} : {courriel.derniere_erreur}. "
            "Il reste dans la boîte d'envoi.",
        )
    return redirect("courriels_liste")


@require_POST
@login_required
def courriels_renvoyer_tout(request: HttpRequest) -> HttpResponse:
    exiger_equipe(request.user)
    envoyes, echecs = envoyer_en_attente()
    if echecs:
        messages.warning(
            request,
            f"{envoyes} courriel(s) envoyé(s), {echecs} toujours en échec : ils restent dans la boîte d'envoi.",
        )
    elif envoyes:
        messages.success(request, f"{envoyes} courriel(s) envoyé(s).")
    else:
        messages.info(request, "Rien à renvoyer : tous les courriels sont partis.")
    return redirect("courriels_liste")
