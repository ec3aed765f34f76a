"""Les actions du déploiement qui touchent plusieurs modèles."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history

from acv.erreurs import TransitionRefusee
from candidatures.models import Candidature

from .models import CentreRegional, Jalon, Site


def nom_du_site(candidature: Candidature) -> str:
    return f"Cnam — {candidature.commune.nom}"


def ouvrir_site(candidature: Candidature, *, par) -> Site:
    """Crée le site d'une candidature retenue, en une action.

    Reprend la commune, le porteur (et son EPCI), le contact et l'ouverture prévue ; l'opérateur
    est le Cnam en région de la commune s'il n'y en a qu'un ; crée le jeu de jalons par défaut.
    Refuse (TransitionRefusee) une candidature qui n'est pas retenue ou qui a déjà son site.
    """
    if candidature.statut != Candidature.Statut.RETENUE:
        raise TransitionRefusee(
            f"La candidature {candidature.reference} est « {candidature.get_statut_display()} » : "
            "seule une candidature retenue peut donner un site."
        )
    if Site.objects.filter(candidature=candidature).exists():
        raise TransitionRefusee(
            f"La candidature {candidature.reference} a déjà son site : ouvrez-le depuis la liste des sites."
        )
    centres = list(CentreRegional.objects.filter(region_id=candidature.commune.region_id)[:2])
    site = Site(
        candidature=candidature,
        commune=candidature.commune,
        porteur=candidature.porteur,
        epci=candidature.epci,
        nom=nom_du_site(candidature),
        operateur=centres[0] if len(centres) == 1 else None,
        contact_nom=candidature.contact_nom,
        contact_fonction=candidature.contact_fonction,
        contact_email=candidature.contact_email,
        contact_telephone=candidature.contact_telephone,
        date_ouverture_prevue=candidature.date_ouverture_prevue,
    )
    site._history_user = par
    site._change_reason = f"Créé depuis la candidature {candidature.reference}"
    try:
        with transaction.atomic():
            site.save()
            bulk_create_with_history(site.jalons_par_defaut(), Jalon, default_user=par)
            del site._change_reason  # sinon la prochaine modification porterait ce motif
    except IntegrityError as erreur:  # deux clics simultanés : la contrainte OneToOne tranche
        raise TransitionRefusee(
            f"La candidature {candidature.reference} a déjà son site."
        ) from erreur
    return site
