"""Qui voit quelle candidature : l'assistant d'accès de la sélection."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from acv.roles import est_equipe, est_jure

from .models import Candidature


def candidature_pour(request: HttpRequest, pk: int, *, ecriture: bool = False) -> Candidature:
    """La candidature `pk` si le compte peut la voir (ou la modifier, avec `ecriture`).

    L'équipe (et l'administrateur) voit et modifie tout. Un juré voit une candidature seulement
    s'il y est affecté et n'a pas déclaré de conflit d'intérêts avec elle : 404 sinon, pour ne
    rien révéler de son existence ; il ne la modifie jamais (403). Les autres rôles : 403.
    Une requête (candidature, vague et territoire), plus celle des rôles du compte.
    """
    user = request.user
    candidatures = Candidature.objects.avec_territoire()
    if est_equipe(user):
        try:
            return candidatures.get(pk=pk)
        except Candidature.DoesNotExist:
            raise Http404("Candidature introuvable.") from None
    if not est_jure(user) or ecriture:
        raise PermissionDenied("Réservé à l'équipe du programme.")
    candidature = (
        candidatures.filter(pk=pk, affectations__jure__utilisateur=user)
        .exclude(conflits__jure__utilisateur=user)
        .distinct()
        .first()
    )
    if candidature is None:
        raise Http404("Candidature introuvable.")
    return candidature
