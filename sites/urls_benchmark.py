"""Les adresses de l'application, plus le « plancher » du banc d'essai (jamais servies en production).

Le plancher : une vue derrière le même middleware et la même connexion, qui fait une seule
requête ORM (par candidature de la plus grande vague : nom de la commune, nombre et moyenne des
notes de ses évaluations, triées par moyenne, 100 lignes) et rend ces lignes en tableau HTML par le
moteur de gabarits de Django, rien d'autre.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Avg, Count, Q
from django.shortcuts import render
from django.urls import include, path

from candidatures.models import Candidature


@login_required
def plancher(request, vague_pk: int):
    soumise = Q(affectations__evaluation__statut="soumise")
    lignes = (
        Candidature.objects.filter(vague_id=vague_pk)
        .annotate(
            nombre=Count("affectations__evaluation", filter=soumise),
            moyenne=Avg("affectations__evaluation__note_sur_20", filter=soumise),
        )
        .order_by("moyenne")
        .values_list("commune__nom", "nombre", "moyenne")[:100]
    )
    return render(request, "sites/benchmark_plancher.html", {"lignes": lignes})


urlpatterns = [
    path("__banc__/plancher/<int:vague_pk>/", plancher, name="banc_plancher"),
    path("", include("acv.urls")),
]
